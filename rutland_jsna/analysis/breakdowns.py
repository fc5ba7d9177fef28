"""Breakdowns of one area's indicator: by sex, and its counts year on year.

* :func:`sex_breakdown` — the female / male / persons values of the same measure side by side,
  with small counts withheld (primary and secondary disclosure control, docs/methods.md §9);
* :func:`count_changes` — year-on-year changes in an area's counts (are they still rising?).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import ENGLAND_CODE
from ..data import columns as T
from ..stats.disclosure import SMALL_NUMBER_EVENTS, suppress_small_counts
from . import columns as C
from .comparators import missing_reasons
from .select import ROW_LOWER, ROW_UPPER
from .summary import NO_DATA_PERIOD, NOT_IN_STORE

__all__ = [
    "COUNT_CHANGE_COLUMNS",
    "SEX_BREAKDOWN_COLUMNS",
    "CountChanges",
    "count_changes",
    "sex_breakdown",
]

_SORT = T.TIME_PERIOD_SORTABLE


SEX_BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "key", "sex", "period", "value", "lower_ci", "upper_ci", "count", "count_suppressed",
    "count_reason", "denominator", "small_numbers", "england", "missing_reason",
)


def sex_breakdown(
    rows: pd.DataFrame,
    keys: Mapping[str, str],
    area_code: str,
    *,
    england_code: str = ENGLAND_CODE,
) -> pd.DataFrame:
    """One area's value of the same measure for each sex, at each key's latest period.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    keys : mapping
        Sex label → indicator key, e.g. ``{"Female": "...female", "Male": "...male",
        "Persons": "...persons"}``; the output keeps this order.
    area_code : str

    Returns
    -------
    pandas.DataFrame
        :data:`SEX_BREAKDOWN_COLUMNS`, one row per sex. Counts are withheld by
        :func:`~rutland_jsna.stats.suppress_small_counts` (1 to 4; and, for the female and
        male counts of the same period, the other one when exactly one of them is small, since
        the published persons total would reveal it): ``count`` is then NaN,
        ``count_suppressed`` True and ``count_reason`` says why. ``missing_reason`` says why a
        value is missing.
    """
    records = []
    for sex, key in keys.items():  # one row per sex (two or three), not per data row
        r = rows[(rows[C.KEY] == key)]
        latest = r[r[_SORT] == r["latest_sortable"]]
        area = latest[latest[T.AREA_CODE] == area_code]
        eng = latest.loc[latest[T.AREA_CODE] == england_code, T.VALUE]
        rec = {
            "key": key,
            "sex": sex,
            "period": str(latest[T.TIME_PERIOD].iloc[0]) if len(latest) else None,
            "value": np.nan, "lower_ci": np.nan, "upper_ci": np.nan, "count": np.nan,
            "denominator": np.nan,
            "england": float(eng.iloc[0]) if len(eng) and pd.notna(eng.iloc[0]) else np.nan,
            "missing_reason": NOT_IN_STORE if r.empty else NO_DATA_PERIOD,
        }
        if len(area):
            a = area.iloc[0]
            v = pd.to_numeric(pd.Series([a[T.VALUE]]), errors="coerce").iloc[0]
            rec.update(
                value=float(v) if pd.notna(v) else np.nan,
                lower_ci=float(a[ROW_LOWER]) if pd.notna(a[ROW_LOWER]) else np.nan,
                upper_ci=float(a[ROW_UPPER]) if pd.notna(a[ROW_UPPER]) else np.nan,
                count=float(a[T.COUNT]) if pd.notna(a[T.COUNT]) else np.nan,
                denominator=float(a[T.DENOMINATOR]) if pd.notna(a[T.DENOMINATOR]) else np.nan,
                missing_reason=missing_reasons(
                    pd.Series([v]), pd.Series([a[T.VALUE_NOTE]]), pd.Series([True])
                )[0],
            )
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    raw_count = out["count"].astype("float64")
    groups = np.where(out["sex"].isin(["Female", "Male"]), "by sex", out["sex"])
    groups = [f"{g}|{p}" for g, p in zip(groups, out["period"].astype("str"), strict=True)]
    sup = suppress_small_counts(raw_count, groups=groups)
    out["small_numbers"] = out["value"].notna() & raw_count.notna() & (raw_count < SMALL_NUMBER_EVENTS)
    out["count"] = sup["count"].to_numpy()
    out["count_suppressed"] = sup["suppressed"].to_numpy()
    out["count_reason"] = sup["reason"].astype("str").to_numpy()
    return out[list(SEX_BREAKDOWN_COLUMNS)]


COUNT_CHANGE_COLUMNS: tuple[str, ...] = ("period", "count", "change")


@dataclass(frozen=True)
class CountChanges:
    """An area's counts over its last periods and how often they rose.

    Attributes
    ----------
    table : :data:`COUNT_CHANGE_COLUMNS`, oldest first (``change`` NaN for the first period or
        where a count is missing).
    n_rises, n_compared : periods whose count rose on the one before, out of those that can be
        compared (both counts known).
    run_to_latest : consecutive rises ending at the latest period (0 if the latest fell,
        stayed level or cannot be compared).
    """

    table: pd.DataFrame
    n_rises: int
    n_compared: int
    run_to_latest: int

    @property
    def first(self) -> pd.Series:
        return self.table.iloc[0]

    @property
    def latest(self) -> pd.Series:
        return self.table.iloc[-1]


def count_changes(
    rows: pd.DataFrame, key: str, area_code: str, *, periods: int = 5
) -> CountChanges | None:
    """Year-on-year changes in an area's counts over its ``periods`` most recent periods.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    key : str
        Indicator key.
    area_code : str
    periods : int
        How many of the latest periods to look at (default 5, as the Fingertips recent trend).

    Returns
    -------
    CountChanges or None
        None when the area has fewer than two periods with a count.

    Examples
    --------
    >>> r = pd.DataFrame({"key": "k", "area_code": "A", "time_period": ["2020", "2021", "2022"],
    ...                   "time_period_sortable": [20200000, 20210000, 20220000],
    ...                   "latest_sortable": 20220000, "count": [10.0, 12.0, 15.0]})
    >>> c = count_changes(r, "k", "A")
    >>> (c.n_rises, c.n_compared, c.run_to_latest)
    (2, 2, 2)
    """
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 2:
        raise ValueError(f"periods: expected an integer >= 2, got {periods!r}")
    r = rows[(rows[C.KEY] == key) & (rows[T.AREA_CODE] == area_code)]
    r = r[r[_SORT] <= r["latest_sortable"]].sort_values(_SORT).drop_duplicates(_SORT)
    r = r.tail(periods)
    count = pd.to_numeric(r[T.COUNT], errors="coerce").astype("float64").to_numpy()
    if np.isfinite(count).sum() < 2:
        return None
    change = np.r_[np.nan, np.diff(count)]
    table = pd.DataFrame(
        {"period": r[T.TIME_PERIOD].astype("str").to_numpy(), "count": count, "change": change},
        columns=list(COUNT_CHANGE_COLUMNS),
    )
    known = ~np.isnan(change)
    rises = known & (change > 0)
    run = 0
    for up in rises[::-1]:  # at most ``periods`` steps
        if not up:
            break
        run += 1
    return CountChanges(table, int(rises.sum()), int(known.sum()), run)
