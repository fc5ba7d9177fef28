"""What changed since the previous release: stored summaries and their differences.

Each build stores its indicator summary beside the chapter's HTML as
``reports/<release>/<chapter>_summary.csv`` (the columns of
:data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS` after an ``area_code`` column).
:func:`load_previous_summary` finds the most recent earlier release for the same chapter and
area; :func:`changes_since` lists, per indicator, a new period, a changed value (at the one
decimal place printed), a changed comparison or a changed direction of travel, and indicators
added or dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C

__all__ = [
    "CHANGE_COLUMNS",
    "SUMMARY_CSV_SUFFIX",
    "changes_since",
    "load_previous_summary",
    "read_summary_csv",
    "summary_csv_path",
    "write_summary_csv",
]

SUMMARY_CSV_SUFFIX = "_summary.csv"
CHANGE_COLUMNS = ("key", "indicator", "sex", "age", "change", "previous", "current")
_AREA = "area_code"
_NUMERIC = (
    C.VALUE, C.LOWER_CI, C.UPPER_CI, C.COUNT, C.DENOMINATOR, C.BEST, C.WORST, C.ENGLAND,
    C.GOAL_LOWER, C.GOAL_UPPER, C.PREVIOUS_VALUE, C.CI_LEVEL,
)
_BOOL = (C.SUPPRESSED, C.SMALL_NUMBERS, C.COUNT_SUPPRESSED)


def summary_csv_path(release_dir: str | Path, chapter: str) -> Path:
    return Path(release_dir) / f"{chapter}{SUMMARY_CSV_SUFFIX}"


def write_summary_csv(summary: pd.DataFrame, path: str | Path, area_code: str) -> Path:
    """Store a summary (with its area code) as CSV for the next release to compare with."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = summary.copy()
    out.insert(0, _AREA, area_code)
    out.to_csv(path, index=False)
    return path


def read_summary_csv(path: str | Path) -> pd.DataFrame:
    """Read a stored summary; columns the file lacks are added empty (older releases)."""
    raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])
    for col in C.SUMMARY_COLUMNS:
        if col not in raw:
            raw[col] = pd.NA
    for col in _NUMERIC:
        raw[col] = pd.to_numeric(raw[col], errors="coerce").astype("float64")
    for col in (C.RANK, C.N_RANKED, C.FINGERTIPS_ID, C.ORDER):
        raw[col] = pd.array(pd.to_numeric(raw[col], errors="coerce"), dtype="Int64")
    for col in _BOOL:
        raw[col] = raw[col].astype("object").isin(["True", "true", "1"])
    cols = ([_AREA] if _AREA in raw else []) + list(C.SUMMARY_COLUMNS)
    return raw[cols]


def load_previous_summary(
    reports_root: str | Path, chapter: str, release: str, area_code: str
) -> tuple[str, pd.DataFrame] | None:
    """The summary of the latest earlier release of ``chapter`` for ``area_code``.

    Releases are the folders of ``reports_root`` (hidden and ``_`` folders skipped) other than
    ``release`` holding ``<chapter>_summary.csv`` for the same area. Labels that sort before
    ``release`` are preferred (the latest of them); otherwise the most recently written.

    Returns
    -------
    (release label, summary) or None when there is no earlier release.
    """
    root = Path(reports_root)
    if not root.is_dir():
        return None
    found: list[tuple[str, Path]] = []
    for d in root.iterdir():
        if not d.is_dir() or d.name.startswith((".", "_")) or d.name == release:
            continue
        path = summary_csv_path(d, chapter)
        if path.is_file():
            found.append((d.name, path))
    candidates = []
    for label, path in found:
        try:
            table = read_summary_csv(path)
        except (ValueError, OSError):
            continue
        if _AREA in table and not (table[_AREA] == area_code).all():
            continue
        candidates.append((label, path, table))
    if not candidates:
        return None
    earlier = [c for c in candidates if c[0] < release]
    pool = earlier or candidates
    label, _, table = max(pool, key=lambda c: (c[0], c[1].stat().st_mtime) if earlier
                          else (c[1].stat().st_mtime, c[0]))
    return label, table.drop(columns=[_AREA], errors="ignore")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _one_dp(value: object) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return "" if np.isnan(x) else f"{round(x, 1):,.1f}"


def changes_since(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, what changed between two summaries.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per change, in the current table's order: ``change``
        is "New period", "Value", "Comparison", "Direction of travel", "Indicator added" or
        "Indicator removed"; ``previous``/``current`` are the printed texts (values at one
        decimal place, "" when missing).
    """
    prev = previous.set_index(C.KEY, drop=False)
    cur = current.set_index(C.KEY, drop=False)
    out: list[dict[str, str]] = []

    def add(row: pd.Series, change: str, before: str, after: str) -> None:
        out.append({
            "key": str(row[C.KEY]), "indicator": _text(row[C.INDICATOR]),
            "sex": _text(row[C.SEX]), "age": _text(row[C.AGE]),
            "change": change, "previous": before, "current": after,
        })

    for key, row in cur.iterrows():
        if key not in prev.index:
            add(row, "Indicator added", "", _text(row[C.PERIOD]))
            continue
        old = prev.loc[key]
        if isinstance(old, pd.DataFrame):
            old = old.iloc[0]
        if _text(old[C.PERIOD]) != _text(row[C.PERIOD]):
            add(row, "New period", _text(old[C.PERIOD]), _text(row[C.PERIOD]))
        if _one_dp(old[C.VALUE]) != _one_dp(row[C.VALUE]):
            add(row, "Value", _one_dp(old[C.VALUE]) or "Null", _one_dp(row[C.VALUE]) or "Null")
        if _text(old[C.COMPARISON]) != _text(row[C.COMPARISON]):
            add(row, "Comparison", _text(old[C.COMPARISON]), _text(row[C.COMPARISON]))
        if _text(old[C.TREND]) != _text(row[C.TREND]):
            add(row, "Direction of travel", _text(old[C.TREND]), _text(row[C.TREND]))
    for key, row in prev.iterrows():
        if key not in cur.index:
            add(row, "Indicator removed", _text(row[C.PERIOD]), "")
    return pd.DataFrame(out, columns=list(CHANGE_COLUMNS))
