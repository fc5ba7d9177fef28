"""The series behind the charts, from the same rows as the summary table.

* :func:`comparator_values` — every area of the comparator group at an indicator's latest
  period, with its interval and comparison (neighbour bar chart);
* :func:`trend_series` — the area's and England's values over time (trend chart);
* :func:`quintile_bands` — the national quintile bounds of each period (the bands behind the
  trend chart of an indicator compared in national quintiles);
* :func:`spine_rows` — the area, England and the national range (min, 25th and 75th
  percentiles, max of the upper-tier authorities) per indicator (spine chart).

Each takes the output of :func:`~rutland_jsna.analysis.summary.prepare_rows`, so the charts
show exactly the periods and values the table does. Statistics come from
:mod:`rutland_jsna.stats` (comparisons, spine percentiles).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..config import ENGLAND_CODE
from ..data import columns as T
from ..stats.quantiles import quintile_bounds, spine_percentiles
from . import columns as C
from .select import ROW_LOWER, ROW_UPPER
from .summary import (
    _SUPPRESSION_NOTE,
    NO_DATA_PERIOD,
    SUPPRESSED_REASON,
    _comparisons,
    national_codes_in,
)

__all__ = [
    "COMPARATOR_VALUE_COLUMNS",
    "TREND_SERIES_COLUMNS",
    "QUINTILE_BAND_COLUMNS",
    "SPINE_ROW_COLUMNS",
    "comparator_values",
    "trend_series",
    "quintile_bands",
    "spine_rows",
]

COMPARATOR_VALUE_COLUMNS = (
    "area_code", "area_name", "value", "lower_ci", "upper_ci", "comparison", "missing_reason",
)
TREND_SERIES_COLUMNS = ("period", "sortable", "value", "lower_ci", "upper_ci")
QUINTILE_BAND_COLUMNS = ("period", "sortable", "n", "p20", "p40", "p60", "p80")
SPINE_ROW_COLUMNS = (
    "key", "indicator", "value", "england", "minimum", "p25", "p75", "maximum", "comparison",
    "comparison_basis", "polarity",
)

_SORT = T.TIME_PERIOD_SORTABLE


#: rows frame (by identity) -> {indicator key: its rows}; entries go with their frame.
_BY_KEY: dict[int, dict[str, pd.DataFrame]] = {}


def _rows_of(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of one indicator, grouped once per rows frame (a chapter draws a chart per
    indicator from the same prepared rows; filtering all of them each time was the cost).

    The frame is treated as read-only, as everywhere in a chapter.
    """
    ident = id(rows)
    groups = _BY_KEY.get(ident)
    if groups is None:
        groups = {str(k): g for k, g in rows.groupby(C.KEY, sort=False)}
        _BY_KEY[ident] = groups
        weakref.finalize(rows, _BY_KEY.pop, ident, None)
    found = groups.get(key)
    return found if found is not None else rows.iloc[0:0]


def _latest(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    r = _rows_of(rows, key)
    return r[r[_SORT] == r["latest_sortable"]]


def comparator_values(
    rows: pd.DataFrame,
    key: str,
    area_codes: Iterable[str],
    names: Mapping[str, str] | None = None,
    *,
    england_code: str = ENGLAND_CODE,
) -> pd.DataFrame:
    """Values of the comparator group (area first, then comparators) at the latest period.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    key : str
        Indicator key.
    area_codes : iterable of str
        The area and its comparators; every one gets a row, with ``missing_reason`` when it
        has no value ("no data for this period", "value suppressed for disclosure control").
    names : mapping, optional
        Area code → display name (default: the store's ``area_name``, else the code).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARATOR_VALUE_COLUMNS`; ``comparison`` by the indicator's own method (England,
        goal or quintiles are not recomputed here: quintile indicators get England comparisons).
    """
    codes = list(dict.fromkeys(area_codes))
    at = _latest(rows, key)
    england = at.loc[at[T.AREA_CODE] == england_code, T.VALUE]
    group = at[at[T.AREA_CODE].isin(codes)].drop_duplicates(T.AREA_CODE).copy()
    group["england_value"] = float(england.iloc[0]) if len(england) else np.nan
    if len(group):
        method = group["comparison_method"].replace({"quintiles": "england"})
        group["comparison"] = _comparisons(group.assign(comparison_method=method), group.iloc[0:0])
    group["_present"] = True
    frame = pd.DataFrame({T.AREA_CODE: codes})
    frame = frame.merge(
        group[[T.AREA_CODE, T.AREA_NAME, T.VALUE, ROW_LOWER, ROW_UPPER, T.VALUE_NOTE, "_present",
               *(["comparison"] if len(group) else [])]],
        on=T.AREA_CODE, how="left",
    )
    lookup = dict(names or {})
    store_names = dict(zip(at[T.AREA_CODE], at[T.AREA_NAME], strict=False))
    frame["area_name"] = [lookup.get(c) or store_names.get(c) or c for c in frame["area_code"]]
    note = frame[T.VALUE_NOTE].astype("object").where(frame[T.VALUE_NOTE].notna(), "").astype("str")
    value = pd.to_numeric(frame[T.VALUE], errors="coerce")
    present = frame["_present"].notna()
    frame["missing_reason"] = np.select(
        [~present, value.isna() & note.str.contains(_SUPPRESSION_NOTE), value.isna()],
        [NO_DATA_PERIOD, SUPPRESSED_REASON, "value not published"],
        default="",
    )
    if "comparison" not in frame:
        frame["comparison"] = "Not compared"
    frame["comparison"] = frame["comparison"].astype("object").where(
        frame["comparison"].notna() & value.notna(), "Not compared"
    )
    out = pd.DataFrame(
        {
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "value": value.astype("float64"),
            "lower_ci": pd.to_numeric(frame[ROW_LOWER], errors="coerce").astype("float64"),
            "upper_ci": pd.to_numeric(frame[ROW_UPPER], errors="coerce").astype("float64"),
            "comparison": frame["comparison"].astype("str"),
            "missing_reason": frame["missing_reason"].astype("str"),
        }
    )
    return out[list(COMPARATOR_VALUE_COLUMNS)]


def trend_series(rows: pd.DataFrame, key: str, area_code: str) -> pd.DataFrame:
    """One area's values of an indicator over time, oldest first, up to the latest period.

    Returns
    -------
    pandas.DataFrame
        :data:`TREND_SERIES_COLUMNS` (``period`` as printed, ``sortable`` the Fingertips
        sortable period); empty when the area has no rows.
    """
    r = _rows_of(rows, key)
    r = r[r[T.AREA_CODE] == area_code]
    r = r[r[_SORT] <= r["latest_sortable"]].sort_values(_SORT).drop_duplicates(_SORT)
    return pd.DataFrame(
        {
            "period": r[T.TIME_PERIOD].astype("str").to_numpy(),
            "sortable": r[_SORT].to_numpy(),
            "value": r[T.VALUE].to_numpy(dtype=float),
            "lower_ci": r[ROW_LOWER].to_numpy(dtype=float),
            "upper_ci": r[ROW_UPPER].to_numpy(dtype=float),
        },
        columns=list(TREND_SERIES_COLUMNS),
    )


def quintile_bands(
    rows: pd.DataFrame,
    key: str,
    *,
    national_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The national quintile bounds of an indicator for every period up to its latest.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    key : str
        Indicator key.
    national_codes : iterable of str, optional
        The comparison set; default every upper-tier authority in ``rows`` (as the summary's
        national quintiles).

    Returns
    -------
    pandas.DataFrame
        :data:`QUINTILE_BAND_COLUMNS`, oldest period first: ``n`` areas with a value and the
        bounds of :func:`~rutland_jsna.stats.quantiles.quintile_bounds` (NaN with fewer than 5).
    """
    national = set(national_codes) if national_codes is not None else set(national_codes_in(rows))
    r = _rows_of(rows, key)
    r = r[r[T.AREA_CODE].isin(national) & (r[_SORT] <= r["latest_sortable"])]
    if r.empty:
        return pd.DataFrame(columns=list(QUINTILE_BAND_COLUMNS))
    bounds = quintile_bounds(r[T.VALUE].to_numpy(dtype=float), by=r[_SORT].to_numpy())
    periods = r.drop_duplicates(_SORT).set_index(_SORT)[T.TIME_PERIOD].astype("str")
    out = bounds.reset_index(names="sortable")
    out.insert(0, "period", periods.loc[out["sortable"]].to_numpy())
    return out[list(QUINTILE_BAND_COLUMNS)]


def spine_rows(
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    national_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per summary row: area value, England, and the national range at the latest period.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    summary : pandas.DataFrame
        The summary rows to draw (their order is kept).
    national_codes : iterable of str, optional
        Areas of the national range; default every upper-tier authority in ``rows``.

    Returns
    -------
    pandas.DataFrame
        :data:`SPINE_ROW_COLUMNS`; percentiles are NaN where fewer than 4 areas have a value
        (:func:`~rutland_jsna.stats.quantiles.spine_percentiles`).
    """
    national = (
        list(national_codes)
        if national_codes is not None
        else national_codes_in(rows)
    )
    keys = summary[C.KEY].tolist()
    at = rows[rows[C.KEY].isin(keys) & (rows[_SORT] == rows["latest_sortable"])]
    nat = at[at[T.AREA_CODE].isin(national)]
    if len(nat):
        pct = spine_percentiles(nat[T.VALUE], by=nat[C.KEY]).reset_index()
        pct[C.KEY] = pct[C.KEY].astype("str")
        pct = pct.set_index(C.KEY)
    else:
        pct = pd.DataFrame(columns=["min", "p25", "p75", "max"])
    def col(name: str) -> list[float]:
        return [float(pct.loc[k, name]) if k in pct.index else np.nan for k in keys]

    return pd.DataFrame(
        {
            "key": keys,
            "indicator": summary[C.INDICATOR].to_numpy(),
            "value": summary[C.VALUE].to_numpy(dtype=float),
            "england": summary[C.ENGLAND].to_numpy(dtype=float),
            "minimum": col("min"),
            "p25": col("p25"),
            "p75": col("p75"),
            "maximum": col("max"),
            "comparison": summary[C.COMPARISON].to_numpy(),
            "comparison_basis": summary[C.COMPARISON_BASIS].to_numpy(),
            "polarity": summary[C.POLARITY].to_numpy(),
        },
        columns=list(SPINE_ROW_COLUMNS),
    )
