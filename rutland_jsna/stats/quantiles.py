"""Quintiles and spine-chart percentiles, the Fingertips percentile-bound method (docs/methods.md §7).

Fingertips' percentile (FT ``ValueCategoriesCalculator.CalculatePercentile``) is Excel's
``PERCENTILE.INC``: for ``k`` sorted values ``v_1 <= ... <= v_k`` and fraction ``f``, with
``h = (k - 1) f + 1``, ``j = floor(h)`` and ``d = h - j``::

    P(f) = v_1                          if h == 1
         = v_k                          if h == k
         = v_j + d (v_{j+1} - v_j)      otherwise, rounded to 10 decimal places

Quintile bounds are ``[min, P(0.2), P(0.4), P(0.6), P(0.8), max]`` and a value's category is
the smallest ``i`` in 1..5 with ``value <= bound_i`` (ties at a bound fall in the lower
category; equal values always share one). Spine charts use min, P5, P25, median, P75, P95, max.

Two tiers (docs/architecture.md convention 2): :func:`_group_percentiles` computes percentiles for any
number of groups at once from one sort (no Python loop per group); :func:`quintiles` and
:func:`spine_percentiles` validate and label.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from ._common import as_float_array, as_polarity_array
from .labels import QUINTILE_LABELS_NO_JUDGEMENT, QUINTILE_LABELS_RAG, Polarity
from .ranking import _group_codes

__all__ = [
    "MIN_VALUES_QUINTILES",
    "MIN_VALUES_SPINE",
    "QUINTILE_COLUMNS",
    "SPINE_COLUMNS",
    "QUINTILE_BOUND_COLUMNS",
    "QuintileReason",
    "quintile_bounds",
    "quintile_category",
    "quintiles",
    "spine_percentiles",
]

#: Fingertips compares by quintiles only with at least this many valid values in the
#: comparison set (FT ``QuintilesComparer``; FingertipsNext "NOT COMPARED" below 5).
MIN_VALUES_QUINTILES = 5

#: Spine-chart percentiles need more than 3 valid values (FT
#: ``AreEnoughValuesToCalculatePercentiles``: ``Count > 3``).
MIN_VALUES_SPINE = 4

#: Output columns of :func:`quintiles` (docs/architecture.md convention 3).
QUINTILE_COLUMNS: tuple[str, str, str] = ("quintile", "label", "reason")

#: Output columns of :func:`spine_percentiles`.
SPINE_COLUMNS: tuple[str, ...] = ("n", "min", "p5", "p25", "median", "p75", "p95", "max")

_QUINTILE_FRACTIONS = (0.2, 0.4, 0.6, 0.8)
#: Columns of :func:`quintile_bounds`: valid values, then the four interior bounds.
QUINTILE_BOUND_COLUMNS = ("n", "p20", "p40", "p60", "p80")
_SPINE_FRACTIONS = (0.05, 0.25, 0.5, 0.75, 0.95)
_DECIMALS = 10


class QuintileReason(StrEnum):
    """Why a row has (or has not) a quintile: the ``reason`` column of :func:`quintiles`."""

    ASSIGNED = ""
    MISSING_VALUE = "value missing"
    TOO_FEW_VALUES = f"fewer than {MIN_VALUES_QUINTILES} valid values in the comparison group"


def _group_percentiles(
    values: np.ndarray, codes: np.ndarray, n_groups: int, fractions: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Fingertips percentiles of the valid values of every group, all groups at once.

    Returns ``(percentiles, counts)``: a ``(n_groups, len(fractions))`` float matrix (NaN for
    groups without values) and the number of valid values per group. Interpolated percentiles
    are rounded to 10 decimal places as Fingertips does; the exact min (h == 1) and max
    (h == k) are returned unrounded, also as Fingertips does. ``h`` within 1e-9 of an integer
    is snapped to it, so ``(k - 1) * 0.6`` lands on the integer it means whatever the floating
    point error (FT computes 0.2 * 3 = 0.6000000000000001 and gets the same answer).
    """
    valid = ~np.isnan(values)
    v, c = values[valid], codes[valid]
    order = np.lexsort((v, c))
    sorted_v = v[order]
    counts = np.bincount(c, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    out = np.full((n_groups, len(fractions)), np.nan)
    has = counts > 0
    if not has.any():
        return out, counts
    k = counts[has].astype(np.float64)[:, None]
    f = np.asarray(fractions, dtype=np.float64)[None, :]
    h = (k - 1.0) * f + 1.0
    h_int = np.round(h)
    h = np.where(np.abs(h - h_int) < 1e-9, h_int, h)
    j = np.floor(h).astype(np.int64)  # 1-based
    d = h - j
    start = starts[has][:, None]
    last = start + counts[has][:, None] - 1
    lo_idx = start + j - 1
    hi_idx = np.minimum(lo_idx + 1, last)
    lo, hi = sorted_v[lo_idx], sorted_v[hi_idx]
    interpolated = np.round(lo + d * (hi - lo), _DECIMALS)
    exact_end = (h == 1.0) | (h == k)
    out[has] = np.where(exact_end, lo, interpolated)
    return out, counts


def _codes_and_labels(by: Any, n: int) -> tuple[np.ndarray, pd.Index]:
    if by is None:
        return np.zeros(n, dtype=np.int64), pd.RangeIndex(1)
    return _group_codes(by, n)


def quintiles(values: Any, polarity: Any, *, by: Any = None) -> pd.DataFrame:
    """Fingertips quintile of each value within its comparison group (methods 15, §7.1).

    Parameters
    ----------
    values : array-like of float
        The comparison set: one value per area (e.g. every upper-tier local authority in
        England for one indicator and period). NaN = missing (not counted, gets no quintile).
    polarity : Polarity, str or array-like
        One polarity for all values, or one per value.
    by : array-like or DataFrame, optional
        Group labels (or a DataFrame of label columns): quintiles are computed within each
        group, all groups at once.

    Returns
    -------
    pandas.DataFrame
        Columns, in order:

        ``quintile``
            ``Int64`` 1..5. "High is good" and "Low is good": **1 = best** (highest values for
            high is good, lowest for low is good). "No judgement" and "Not applicable":
            **1 = lowest values**. ``<NA>`` when not assigned.
        ``label``
            ``"Best", "Better", "Middle", "Worse", "Worst"`` for the two RAG polarities,
            ``"Lowest", "Low", "Middle", "High", "Highest"`` otherwise
            (``labels.QUINTILE_LABELS_RAG`` / ``QUINTILE_LABELS_NO_JUDGEMENT``); missing when
            not assigned.
        ``reason``
            A :class:`QuintileReason` value: ``""`` when assigned, ``"value missing"``, or
            ``"fewer than 5 valid values in the comparison group"`` (then every row of the
            group is unassigned).

        The index of ``values`` if it is a Series.

    Raises
    ------
    ValueError
        If values are not numeric, lengths differ, a polarity is unknown or a group label is
        missing.

    Notes
    -----
    Polarity "Not applicable" (Fingertips id -1) is never compared with a benchmark, but its
    quintile by value is still informative, so it is computed here and labelled like "No
    judgement" (Fingertips does not offer quintiles for such indicators). The method keeps
    tied values together and can give unequal group sizes; FingertipsNext's SQL ``NTILE(5)``
    splits by row count instead and can disagree (docs/methods.md §7.1, §10). The published CSV's
    "Lowest quintile" … "Highest quintile" words are keyed on the category number, which is
    reversed for high is good; we label by value order and by best/worst instead (§10).
    Values are compared with the bounds at the bounds' precision (10 decimal places). Fingertips
    compares the unrounded value, so a value with more than 10 decimals that is itself an
    interior bound can land one category higher there; here it stays in the lower category, as
    the "ties fall in the lower category" rule intends. Rounding uses numpy's
    round-half-to-even (Fingertips rounds half away from zero; they differ only on an exact tie
    in the 11th decimal).

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/ValueCategoriesCalculator.cs``,
    ``QuintilesComparer.cs``, legends ``legend-compare-areas.component.html``
    (``ukhsa-collaboration/fingertips-open``); Microsoft Excel ``PERCENTILE.INC``;
    docs/methods.md §7.1.

    Examples
    --------
    >>> q = quintiles(range(1, 11), "No judgement")
    >>> q["quintile"].tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    >>> quintiles(range(1, 11), "High is good")["label"].tolist()[:3]
    ['Worst', 'Worst', 'Worse']
    """
    v, index = as_float_array(values, "values")
    n = len(v)
    pol = as_polarity_array(polarity, n)
    codes, labels = _codes_and_labels(by, n)
    bounds, counts = _group_percentiles(v, codes, len(labels), _QUINTILE_FRACTIONS)
    enough = (counts >= MIN_VALUES_QUINTILES)[codes]
    missing = np.isnan(v)
    row_bounds = bounds[codes]
    category = quintile_category(v, row_bounds)
    assigned = enough & ~missing
    high_good = pol == Polarity.HIGH_IS_GOOD
    quintile = np.where(high_good, 6 - category, category)
    rag = high_good | (pol == Polarity.LOW_IS_GOOD)
    slot = np.clip(quintile - 1, 0, 4)
    words = np.where(
        rag, np.asarray(QUINTILE_LABELS_RAG)[slot], np.asarray(QUINTILE_LABELS_NO_JUDGEMENT)[slot]
    )
    reason = np.select(
        [missing, ~enough],
        [QuintileReason.MISSING_VALUE.value, QuintileReason.TOO_FEW_VALUES.value],
        default=QuintileReason.ASSIGNED.value,
    )
    quintile_col = pd.array(quintile, dtype="Int64")
    quintile_col[~assigned] = pd.NA
    return pd.DataFrame(
        {
            "quintile": quintile_col,
            "label": pd.array(np.where(assigned, words, None), dtype="str"),
            "reason": pd.array(reason, dtype="str"),
        },
        index=index,
        columns=list(QUINTILE_COLUMNS),
    )


def spine_percentiles(values: Any, *, by: Any = None) -> pd.DataFrame:
    """Spine-chart summary of a comparison set: min, P5, P25, median, P75, P95, max.

    Parameters
    ----------
    values : array-like of float
        One value per area; NaN values are left out.
    by : array-like or DataFrame, optional
        Group labels: one summary row per group, all groups at once.

    Returns
    -------
    pandas.DataFrame
        Columns ``n`` (``Int64``, valid values used), ``min``, ``p5``, ``p25``, ``median``,
        ``p75``, ``p95``, ``max``; one row per group indexed by the sorted group labels, or a
        single row with index ``0`` when ``by`` is None. Percentiles are NaN for a group with
        fewer than 4 valid values (Fingertips needs more than 3).

    Raises
    ------
    ValueError
        If values are not numeric, lengths differ or a group label is missing.

    Notes
    -----
    The percentiles are the Fingertips/Excel ``PERCENTILE.INC`` rule of the module docstring
    (interpolated ones rounded to 10 decimals). For a high-is-good indicator the spine's
    "best" end is ``max``; orient the chart with the polarity when drawing it.

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/IndicatorStatsCalculator.cs`` and
    ``ValueCategoriesCalculator.cs``; docs/methods.md §7.4.

    Examples
    --------
    >>> spine_percentiles(range(1, 11)).iloc[0].tolist()
    [10.0, 1.0, 1.45, 3.25, 5.5, 7.75, 9.55, 10.0]
    """
    v, _ = as_float_array(values, "values")
    codes, labels = _codes_and_labels(by, len(v))
    fractions = (0.0, *_SPINE_FRACTIONS, 1.0)
    pct, counts = _group_percentiles(v, codes, len(labels), fractions)
    pct[counts < MIN_VALUES_SPINE] = np.nan
    out = pd.DataFrame(pct, index=labels, columns=list(SPINE_COLUMNS[1:]))
    out.insert(0, "n", pd.array(counts, dtype="Int64"))
    return out


def quintile_category(values: Any, bounds: Any) -> np.ndarray:
    """Category 1..5 by value (1 = lowest) of each value among its four quintile bounds.

    ``bounds`` is one row of four bounds (``p20, p40, p60, p80`` of :func:`quintile_bounds`)
    for all values, or one row per value. A value equal to a bound is in the lower category;
    values are compared at the bounds' precision (10 decimal places), so a value that *is* an
    interior bound stays in the lower category even when it has more than 10 decimals. The
    result for a missing value or missing bounds is meaningless: callers mask them.

    Examples
    --------
    >>> quintile_category([2.8, 2.81, 9.0], [2.8, 4.6, 6.4, 8.2]).tolist()
    [1, 2, 5]
    """
    v = np.atleast_1d(np.asarray(values, dtype=float))
    b = np.asarray(bounds, dtype=float)
    with np.errstate(invalid="ignore"):
        return 1 + (np.round(v, _DECIMALS)[:, None] > np.atleast_2d(b)).sum(axis=1)


def quintile_bounds(values: Any, *, by: Any = None) -> pd.DataFrame:
    """The four bounds that split a comparison set into Fingertips quintiles (method 15).

    The same bounds :func:`quintiles` assigns with (a value equal to a bound falls in the lower
    category), for drawing the quintiles as bands, e.g. behind a trend chart.

    Parameters
    ----------
    values : array-like of float
        One value per area; NaN values are left out.
    by : array-like or DataFrame, optional
        Group labels (e.g. the period): one row per group, all groups at once.

    Returns
    -------
    pandas.DataFrame
        :data:`QUINTILE_BOUND_COLUMNS`: ``n`` (``Int64``, valid values) and ``p20``, ``p40``,
        ``p60``, ``p80`` (``PERCENTILE.INC``, interpolated bounds rounded to 10 decimals); one
        row per group indexed by the sorted group labels, or one row with index ``0``. Bounds are
        NaN for a group with fewer than 5 valid values (no quintiles are assigned there).

    Raises
    ------
    ValueError
        If values are not numeric, lengths differ or a group label is missing.

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/ValueCategoriesCalculator.cs``;
    docs/methods.md §7.1.

    Examples
    --------
    >>> quintile_bounds(range(1, 11)).iloc[0].tolist()
    [10.0, 2.8, 4.6, 6.4, 8.2]
    """
    v, _ = as_float_array(values, "values")
    codes, labels = _codes_and_labels(by, len(v))
    bounds, counts = _group_percentiles(v, codes, len(labels), _QUINTILE_FRACTIONS)
    bounds[counts < MIN_VALUES_QUINTILES] = np.nan
    out = pd.DataFrame(bounds, index=labels, columns=list(QUINTILE_BOUND_COLUMNS[1:]))
    out.insert(0, "n", pd.array(counts, dtype="Int64"))
    return out
