"""The data report: partial data is normal, not fatal.

Real Fingertips downloads carry rows the store cannot hold (a district among the counties, an
unknown age label, two rows for one key) and rows that are odd but genuine (a published value
outside its own confidence interval). One such row must never block the rest of the download.

:func:`screen_bulk_csv` (and :func:`screen_tidy` for a frame) therefore splits a download into

* the rows that pass every rule of :mod:`rutland_jsna.data.schema` — stored;
* **quarantined** rows, which break a rule — not stored, each listed with its file, row,
  column and rule;
* **flagged** rows, valid but odd (:data:`rutland_jsna.data.schema.FLAG_RULES`: a value
  outside its own interval, a 99.8% interval that does not contain the 95% one) — stored as
  published and listed;
* **repeats** — a row identical, cell for cell, to an earlier one (the England and region rows
  of regional website downloads) — stored once and listed.

Header problems (a required column missing or renamed) still refuse the whole file: there is no
row to blame.

The issues of one processed table are written beside it as ``<name>.issues.csv``
(:data:`ISSUE_COLUMNS`, one line per row and broken rule; indicator-level notes such as a
polarity that disagrees with the catalogue have no row). ``fetch``, ``import`` and ``validate``
print :func:`summary_lines`; each chapter's data notes list the indicators affected
(:func:`indicator_notes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .errors import DataValidationError, ValidationFailure
from .paths import issues_path

__all__ = [
    "ACTIONS",
    "FLAGGED",
    "ISSUE_COLUMNS",
    "NOTE",
    "QUARANTINED",
    "REPEAT",
    "Screened",
    "combine",
    "empty_issues",
    "indicator_notes",
    "issues_path",
    "read_issues",
    "screen_bulk_csv",
    "screen_tidy",
    "summary_lines",
    "write_issues",
]

QUARANTINED = "quarantined"
FLAGGED = "flagged"
REPEAT = "repeat"
NOTE = "note"
#: What happened to the row of each issue.
ACTIONS: dict[str, str] = {
    QUARANTINED: "not stored: the row breaks a rule",
    FLAGGED: "stored as published, flagged",
    REPEAT: "an exact repeat of an earlier row, stored once",
    NOTE: "a note about the indicator (no row)",
}
#: Columns of ``<name>.issues.csv``.
ISSUE_COLUMNS: tuple[str, ...] = (
    "file",
    "row",
    "action",
    "column",
    "rule",
    "indicator_id",
    "area_code",
    "sex",
    "age",
    "time_period",
    "detail",
)
_CONTEXT = (C.INDICATOR_ID, C.AREA_CODE, C.SEX, C.AGE, C.TIME_PERIOD)
_KEY_LABEL = ", ".join(C.KEY_COLUMNS)
#: The rule of every row of a duplicated key (the key's values are in ``detail``).
DUPLICATE_KEY_RULE = (
    "duplicate key: another row has the same indicator, area, sex, age, category and period; "
    "each key must be unique, so every copy is left out"
)


def empty_issues() -> pd.DataFrame:
    """An issues table with no rows."""
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in ISSUE_COLUMNS})


@dataclass(frozen=True)
class Screened:
    """The outcome of screening one download.

    Attributes
    ----------
    frame : pandas.DataFrame
        The stored rows: validated tidy table (dtypes of
        :func:`~rutland_jsna.data.schema.validate_tidy`).
    issues : pandas.DataFrame
        :data:`ISSUE_COLUMNS`, one line per (row, rule).
    rows_read : int
        Data rows in the file (blank lines not counted).
    row_numbers : numpy.ndarray
        The file row of each row of ``frame``.
    source : str
        The file name.
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    row_numbers: np.ndarray
    source: str = ""

    def count(self, action: str) -> int:
        """Distinct file rows with an issue of ``action``."""
        rows = self.issues.loc[self.issues["action"] == action, "row"]
        return int(rows.nunique())


def _issue_rows(
    failures: Iterable[ValidationFailure],
    context: pd.DataFrame,
    position_of: dict[int, int],
    action: str,
    source: str | None,
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for f in failures:
        cols = [c for c in f.column.split(", ") if c in context.columns]
        rule = DUPLICATE_KEY_RULE if f.column == _KEY_LABEL else f.rule
        for row in f.rows:
            pos = position_of.get(int(row))
            record: dict[str, object] = {"file": source or f.file or "", "row": int(row),
                                         "action": action, "column": f.column, "rule": rule}
            if pos is not None:
                values = context.iloc[pos]
                for c in _CONTEXT:
                    v = values.get(c)
                    record[c] = "" if v is None or (isinstance(v, float) and np.isnan(v)) else v
                record["detail"] = ", ".join(f"{c}={_cell(values.get(c))}" for c in cols)
            out.append(record)
    return out


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "blank"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def _as_issues(records: list[dict[str, object]]) -> pd.DataFrame:
    if not records:
        return empty_issues()
    frame = pd.DataFrame.from_records(records)
    for c in ISSUE_COLUMNS:
        if c not in frame.columns:
            frame[c] = ""
    frame = frame[list(ISSUE_COLUMNS)].fillna("")
    return frame.astype("object")


def screen_tidy(
    df: pd.DataFrame, source: str | None = None, *, row_numbers: Sequence[int] | None = None
) -> Screened:
    """Split a tidy (text or typed) frame into stored rows and the data report.

    Parameters
    ----------
    df : pandas.DataFrame
        The 27 tidy columns, e.g. :func:`rutland_jsna.data.store.read_bulk_text`.
    source : str, optional
        File name for the report.
    row_numbers : sequence of int, optional
        The file row of each row (default 2, 3, …).

    Returns
    -------
    Screened

    Raises
    ------
    DataValidationError
        For failures that name no row (a missing or repeated column): the whole frame is
        refused, as there is no row to quarantine.
    """
    from .schema import _collect, interval_flags, validate_tidy

    df = df.reset_index(drop=True)
    numbers = (np.arange(len(df)) + 2 if row_numbers is None
               else np.asarray(row_numbers, dtype=np.int64))
    records: list[dict[str, object]] = []

    # Exact repeats first: stored once, never quarantined as duplicate keys.
    text = df.astype("str")
    repeat = text.duplicated(keep="first").to_numpy()
    if repeat.any():
        first = {}
        for pos, key in enumerate(map(tuple, text.itertuples(index=False, name=None))):
            first.setdefault(key, pos)
        for pos in np.flatnonzero(repeat):
            key = tuple(text.iloc[pos])
            ctx = {c: df[c].iloc[pos] for c in _CONTEXT}
            records.append({
                "file": source or "", "row": int(numbers[pos]), "action": REPEAT,
                "column": "", "rule": f"repeats row {int(numbers[first[key]])} exactly; "
                "stored once", **{c: ("" if pd.isna(v) else v) for c, v in ctx.items()},
                "detail": "",
            })
        df, numbers = df.loc[~repeat].reset_index(drop=True), numbers[~repeat]

    typed, numbers, failures = _collect(df, source, numbers)
    rowless = [f for f in failures if not f.rows]
    if rowless:
        raise DataValidationError(rowless, source)
    position_of = {int(r): i for i, r in enumerate(numbers)}
    records += _issue_rows(failures, typed, position_of, QUARANTINED, source)
    bad = {position_of[int(r)] for f in failures for r in f.rows if int(r) in position_of}
    keep = np.ones(len(df), dtype=bool)
    keep[sorted(bad)] = False
    kept = df.loc[keep].reset_index(drop=True)
    kept_numbers = numbers[keep]
    frame = validate_tidy(kept, source, row_numbers=kept_numbers)
    flags = interval_flags(frame, source, row_numbers=kept_numbers)
    records += _issue_rows(flags, frame, {int(r): i for i, r in enumerate(kept_numbers)},
                           FLAGGED, source)
    issues = _as_issues(records)
    if not issues.empty:
        issues = issues.sort_values(["row", "action"], kind="stable").reset_index(drop=True)
    return Screened(frame, issues, len(df) + int(repeat.sum()), kept_numbers, source or "")


def screen_bulk_csv(path: str | Path) -> Screened:
    """Screen one Fingertips download (27- or 26-column layout); see :func:`screen_tidy`.

    Raises
    ------
    FileNotFoundError, DataValidationError
        A missing file; a header that lacks a required column (the whole file is refused).
    """
    from .store import read_bulk_text

    frame, numbers = read_bulk_text(path)
    return screen_tidy(frame, Path(path).name, row_numbers=numbers)


def combine(parts: Sequence[Screened]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored rows and issues of several downloads, each key once (first file wins).

    A row repeated exactly in a later file (England and the regions in every regional
    download) is a repeat; a later row with the same key but other numbers is quarantined,
    naming the file and row that were kept.
    """
    frames = [p.frame.assign(_file=p.source, _row=p.row_numbers) for p in parts]
    issues = [p.issues for p in parts if not p.issues.empty]
    if not frames:
        return pd.DataFrame(columns=list(C.TIDY_COLUMNS)), empty_issues()
    data = pd.concat(frames, ignore_index=True)
    key = list(C.KEY_COLUMNS)
    dup = data.duplicated(key, keep="first").to_numpy()
    records: list[dict[str, object]] = []
    if dup.any():
        first = data.loc[~data.duplicated(key, keep="first")].set_index(key)
        same = data[list(C.TIDY_COLUMNS)].astype("str").duplicated(keep="first").to_numpy()
        for pos in np.flatnonzero(dup):
            r = data.iloc[pos]
            kept = first.loc[tuple(r[k] for k in key)]
            where = f"{kept['_file']} row {int(kept['_row'])}"
            exact = bool(same[pos])
            records.append({
                "file": r["_file"], "row": int(r["_row"]),
                "action": REPEAT if exact else QUARANTINED,
                "column": ", ".join(key),
                "rule": (f"repeats {where} exactly; stored once" if exact else
                         f"same key as {where}, with other numbers; the first file's row is "
                         "kept"),
                **{c: ("" if pd.isna(r[c]) else r[c]) for c in _CONTEXT}, "detail": "",
            })
        data = data.loc[~dup]
    out = data[list(C.TIDY_COLUMNS)].reset_index(drop=True)
    all_issues = pd.concat([*issues, _as_issues(records)], ignore_index=True) if (
        issues or records) else empty_issues()
    return out, all_issues


# ------------------------------------------------------------------------------ the file
def write_issues(issues: pd.DataFrame, table_csv: str | Path) -> Path:
    """Write the data report beside a processed table (atomically; always, even if empty)."""
    from .store import write_csv_atomic

    frame = issues if not issues.empty else empty_issues()
    return write_csv_atomic(frame[list(ISSUE_COLUMNS)], issues_path(table_csv))


def read_issues(table_csv: str | Path) -> pd.DataFrame:
    """The data report of a processed table (no rows if it has none)."""
    path = issues_path(table_csv)
    if not path.is_file():
        return empty_issues()
    return pd.read_csv(path, dtype=str, keep_default_na=False).astype("object")


def summary_lines(issues: pd.DataFrame, path: str | Path | None = None,
                  *, rows_stored: int | None = None, top: int = 8) -> list[str]:
    """A few lines for the terminal: how many rows were quarantined, flagged, repeated, and
    the commonest rules."""
    where = f" — see {path}" if path else ""
    if issues.empty:
        stored = f"{rows_stored:,} rows stored, " if rows_stored is not None else ""
        return [f"data report: {stored}no row quarantined or flagged{where}"]

    def rows(action: str) -> int:
        sub = issues[issues["action"] == action]
        return int(sub[["file", "row"]].drop_duplicates().shape[0])

    stored = f"{rows_stored:,} rows stored; " if rows_stored is not None else ""
    notes = int((issues["action"] == NOTE).sum())
    lines = [
        f"data report: {stored}{rows(QUARANTINED):,} rows quarantined (not stored), "
        f"{rows(FLAGGED):,} flagged (stored as published), {rows(REPEAT):,} repeats stored "
        f"once" + (f", {notes} indicator notes" if notes else "") + where
    ]
    counted = (issues[issues["action"] != REPEAT]
               .groupby(["action", "rule"], sort=False).size()
               .sort_values(ascending=False, kind="stable"))
    for (action, rule), n in counted.head(top).items():
        lines.append(f"  {action}: {n:,} × {rule}")
    if len(counted) > top:
        lines.append(f"  … and {len(counted) - top} more rules (all in the data report)")
    return lines


def indicator_notes(issues: pd.DataFrame, indicator_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each indicator id: one sentence per kind of issue, for a chapter's data notes.

    Quarantined rows ("12 rows were left out: area_type must be …"), flagged rows and notes
    (a polarity that disagrees with the catalogue). Repeats are not mentioned (nothing was
    lost).
    """
    wanted = {int(i) for i in indicator_ids}
    out: dict[int, list[str]] = {}
    if issues.empty:
        return out
    ids = pd.to_numeric(issues["indicator_id"], errors="coerce")
    sub = issues[ids.isin(list(wanted)).to_numpy() & (issues["action"] != REPEAT).to_numpy()]
    sub = sub.assign(_id=pd.to_numeric(sub["indicator_id"]).astype("int64"))
    for (ind, action, rule), grp in sub.groupby(["_id", "action", "rule"], sort=True):
        n = len(grp)
        if action == QUARANTINED:
            text = (f"{n} published row{'s' if n != 1 else ''} could not be used and "
                    f"{'were' if n != 1 else 'was'} left out ({rule})")
        elif action == FLAGGED:
            text = (f"{n} published row{'s' if n != 1 else ''} "
                    f"{'are' if n != 1 else 'is'} used as published but flagged ({rule})")
        else:
            text = rule
        out.setdefault(int(ind), []).append(text)
    return out
