"""What changed since the previous release: stored summaries and their differences.

Each build stores its indicator summary beside the chapter's HTML as
``reports/<release>/<chapter>_summary.csv`` (the columns of
:data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS` after an ``area_code`` column).
:func:`load_previous_summary` finds the latest earlier release (by label,
:func:`release_sort_key`) holding the same chapter for the same area, in a single-area release
(``reports/<release>/``) or an all-area one (``reports/<release>/areas/<code>/``); :func:`changes_since` lists, per indicator, a new period, a changed value (at the one
decimal place printed), a changed comparison or a changed direction of travel, and indicators
added or dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .releases import (
    _AREA,
    AREAS_DIR,
    SUMMARY_CSV_SUFFIX,
    find_previous_summary,
    release_sort_key,
    release_summary_paths,
    summary_csv_path,
)

__all__ = [
    "AREAS_DIR",
    "CHANGE_COLUMNS",
    "SUMMARY_CSV_SUFFIX",
    "changes_since",
    "find_previous_summary",
    "load_previous_summary",
    "DIFF_COLUMNS",
    "release_diff",
    "release_sort_key",
    "release_summary_paths",
    "read_summary_csv",
    "summary_csv_path",
    "write_summary_csv",
]

CHANGE_COLUMNS = ("key", "indicator", "sex", "age", "change", "previous", "current")
_NUMERIC = (
    C.VALUE, C.LOWER_CI, C.UPPER_CI, C.COUNT, C.DENOMINATOR, C.BEST, C.WORST, C.ENGLAND,
    C.GOAL_LOWER, C.GOAL_UPPER, C.PREVIOUS_VALUE, C.CI_LEVEL,
)
_BOOL = (C.SUPPRESSED, C.SMALL_NUMBERS, C.COUNT_SUPPRESSED)


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

    See :func:`find_previous_summary` for which release that is.

    Returns
    -------
    (release label, summary) or None when there is no earlier release.
    """
    found = find_previous_summary(reports_root, chapter, release, area_code)
    if found is None:
        return None
    label, path = found
    return label, read_summary_csv(path).drop(columns=[_AREA], errors="ignore")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _as_float(value: object) -> float | None:
    """``value`` as a float, or None when it is missing or not a number."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(x) else x


def _one_dp(value: object) -> str:
    x = _as_float(value)
    return "" if x is None else f"{round(x, 1):,.1f}"


def _level(value: object) -> str:
    """A stored ci_level as "95%" / "99.8%" ("" when not recorded)."""
    x = _as_float(value)
    return "" if x is None else f"{x * 100:g}%"


def changes_since(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, what changed between two summaries.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per change, in the current table's order: ``change``
        is "New period", "Value", "Comparison", "Confidence level" (the two releases compare
        at different levels, so their comparisons are not set against each other),
        "Direction of travel", "Indicator added" or "Indicator removed"; ``previous``/``current`` are the printed texts (values at one
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
        level_old, level_new = _level(old[C.CI_LEVEL]), _level(row[C.CI_LEVEL])
        if level_old and level_new and level_old != level_new:
            # A comparison at another confidence level is not a change in the data: say so
            # where there is a value to compare, never set the two comparisons side by side.
            if _one_dp(old[C.VALUE]) or _one_dp(row[C.VALUE]):
                add(row, "Confidence level", level_old, level_new)
        elif _text(old[C.COMPARISON]) != _text(row[C.COMPARISON]):
            add(row, "Comparison", _text(old[C.COMPARISON]), _text(row[C.COMPARISON]))
        if _text(old[C.TREND]) != _text(row[C.TREND]):
            add(row, "Direction of travel", _text(old[C.TREND]), _text(row[C.TREND]))
    for key, row in prev.iterrows():
        if key not in cur.index:
            add(row, "Indicator removed", _text(row[C.PERIOD]), "")
    return pd.DataFrame(out, columns=list(CHANGE_COLUMNS))


#: Columns of :func:`release_diff`.
DIFF_COLUMNS = ("chapter", "area_code", *CHANGE_COLUMNS)


def release_diff(release_a: str | Path, release_b: str | Path) -> pd.DataFrame:
    """What changed from one release folder to another, from their stored summaries.

    Every (chapter, area) summary of ``release_b`` is compared with the same chapter and area
    in ``release_a`` (:func:`changes_since`, the comparison a chapter prints under "changes
    since the previous release"); single-area and all-area releases can be mixed. A chapter
    and area in only one of the two is listed as "Chapter added" or "Chapter removed".

    Returns
    -------
    pandas.DataFrame
        :data:`DIFF_COLUMNS`, ordered by chapter, area and the current table's order.
    """
    a, b = release_summary_paths(release_a), release_summary_paths(release_b)
    parts: list[pd.DataFrame] = []
    for chapter, area in sorted(set(a) | set(b)):
        if (chapter, area) not in a or (chapter, area) not in b:
            change = "Chapter added" if (chapter, area) in b else "Chapter removed"
            parts.append(pd.DataFrame([{
                "chapter": chapter, "area_code": area, "key": "", "indicator": "", "sex": "",
                "age": "", "change": change, "previous": "", "current": ""}]))
            continue
        prev = _area_rows(read_summary_csv(a[(chapter, area)]), area)
        cur = _area_rows(read_summary_csv(b[(chapter, area)]), area)
        ch = changes_since(prev, cur)
        if len(ch):
            ch.insert(0, "area_code", area)
            ch.insert(0, "chapter", chapter)
            parts.append(ch)
    if not parts:
        return pd.DataFrame(columns=list(DIFF_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(DIFF_COLUMNS)]


def _area_rows(table: pd.DataFrame, area: str) -> pd.DataFrame:
    if _AREA in table:
        table = table[table[_AREA] == area]
    return table.drop(columns=[_AREA], errors="ignore").reset_index(drop=True)
