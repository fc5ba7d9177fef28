"""Recent-trend ("direction of travel") markers, the Fingertips method (docs/methods.md §6).

Two tiers (docs/architecture.md convention 2): private array primitives that work on ``(groups, 5)``
matrices — the chi-square test for linear trend on counts (Armitage) with the logit slope,
the inverse-variance weighted regression on values with standard errors from 95% CIs, and the
leave-one-out slopes of the robustness rule — and the public :func:`recent_trend`, which
validates a long data frame, sorts it by group and period, keeps the 5 most recent periods of
every group and applies the decision rule to all groups at once (no per-group Python loop).

Reason strings follow ``recent_trend_reason`` of the reference implementation
(PHEindicatormethods, ``add_trend_markers`` branch, commit ``be27443``) where it has one;
the reasons it does not have (gaps, r = 0 or r = n, zero-width CIs) are this package's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from ._common import as_float_array, fail_if, key_group_codes, positions_text, z_value
from .labels import Polarity, Trend, trend_label

__all__ = [
    "CHI_SQUARE_CRITICAL",
    "TREND_COLUMNS",
    "TREND_POINTS",
    "ZERO_SLOPE_RTOL",
    "TrendReason",
    "recent_trend",
]

#: Number of most recent annual points the marker uses (docs/methods.md §6.2).
TREND_POINTS = 5

#: χ²₁ critical value at p = 0.002 as hard-coded by the reference implementation (PIM-TM
#: ``test_statistic > 9.5495``; docs/methods.md §6.6). The exact quantile is 9.549535706083237; the
#: reference vectors are reproduced with either (tests/test_stats_trend.py checks both).
CHI_SQUARE_CRITICAL = 9.5495

#: Output columns after the ``by`` columns, always in this order (docs/architecture.md convention 3).
TREND_COLUMNS: tuple[str, ...] = (
    "trend",
    "label",
    "reason",
    "chi_square",
    "slope",
    "points_used",
    "latest_period",
)

METHODS = ("proportion", "ci")

#: Slopes within this fraction of the series' largest |y| (logit or value) are taken as exactly
#: zero by the decision rule: a slope that is 0 in exact arithmetic (e.g. four equal values)
#: comes out as ±1e-14 in floating point, and its sign must not depend on the rounding.
ZERO_SLOPE_RTOL = 1e-10

_YEAR_MIN, _YEAR_MAX = 1000, 9999
_SORTABLE_MIN, _SORTABLE_MAX = 10_000_000, 99_999_999


class TrendReason(StrEnum):
    """Why a group got its marker (the ``reason`` column).

    Values shared with PHEindicatormethods' ``recent_trend_reason`` are spelled as there;
    ``GAP``, ``ZERO_OR_ALL``, ``ZERO_DENOMINATOR`` and ``ZERO_WIDTH_CI`` are this package's
    (docs/methods.md §10).
    """

    DUPLICATE_PERIODS = "Duplicate years in group"
    NOT_ENOUGH_POINTS = "Not enough data points"
    GAP = "Time periods not consecutive"
    MISSING_VALUES = "Missing values"
    MISSING_CI = "Missing at least one confidence interval value"
    ZERO_OR_ALL = "Numerator is zero or equal to the denominator in every period"
    ZERO_DENOMINATOR = "Denominator is zero"
    ZERO_WIDTH_CI = "Zero-width confidence interval"
    OUTLIER = "Outlier found"
    SIGNIFICANT = "No outliers and significant trend"
    NOT_SIGNIFICANT = "No significant trend"


# ------------------------------------------------------------------------------------------
# Array primitives: every argument is a (groups, k) float matrix, one row per series.
# ------------------------------------------------------------------------------------------


def _leave_one_out_matrix(k: int) -> np.ndarray:
    """(k, k) matrix whose row j selects every point but j: ``x @ M.T`` gives the k LOO sums."""
    return 1.0 - np.eye(k)


def _ols_slopes(y: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope of ``y`` on ``t`` per row, and the k leave-one-out slopes per row.

    ``β = (k·Σyt − Σy·Σt) / (k·Σt² − (Σt)²)`` (docs/methods.md §6.3).
    """
    k = y.shape[1]
    loo = _leave_one_out_matrix(k)

    def slope(n: float, sy: np.ndarray, st: np.ndarray, syt: np.ndarray, stt: np.ndarray):
        return (n * syt - sy * st) / (n * stt - st * st)

    full = slope(k, y.sum(1), t.sum(1), (y * t).sum(1), (t * t).sum(1))
    left_out = slope(k - 1, y @ loo.T, t @ loo.T, (y * t) @ loo.T, (t * t) @ loo.T)
    return full, left_out


def _proportion_trend(
    r: np.ndarray, n: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Armitage χ² test for linear trend, its direction, leave-one-out directions, tolerance.

    ``χ² = N (N·Σrt − R·Σnt)² / [R (N − R)(N·Σnt² − (Σnt)²)]`` with ``N = Σn``, ``R = Σr``
    (docs/methods.md §6.3), defined whenever 0 < R < N — also when a single period has no events
    (or all events), as Fingertips and the PHEindicatormethods trend branch compute it. The
    direction is the OLS slope of ``ln(p / (1 − p))`` on ``t`` where every logit is finite
    (0 < r < n throughout); where one is not, the slope is undefined and the direction (and
    the leave-one-out directions of the robustness rule) come instead from Armitage's
    statistic ``U = N·Σrt − R·Σnt``, whose sign is that of the trend the χ² tests and which
    is defined with zeros. Rows must have n > 0 and at least two distinct ``t``.

    Returns ``(chi_square, slope, direction, loo_direction, zero_tol)``: ``slope`` is the
    logit slope (NaN where undefined); ``direction``/``loo_direction`` are what the decision
    rule reads (the logit slopes, or U).
    """
    big_n = n.sum(1)
    big_r = r.sum(1)
    s_nt = (n * t).sum(1)
    u = big_n * (r * t).sum(1) - big_r * s_nt
    num = big_n * u**2
    den = big_r * (big_n - big_r) * (big_n * (n * t * t).sum(1) - s_nt**2)
    chi_square = num / den
    finite = np.all((r > 0) & (r < n), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logit = np.log(r / (n - r))
    logit = np.where(finite[:, None], logit, 0.0)
    slope, loo = _ols_slopes(logit, t)
    tol = ZERO_SLOPE_RTOL * np.abs(logit).max(1)
    # Armitage's U and its leave-one-out values, for the series with a zero or full count.
    k = r.shape[1]
    keep = _leave_one_out_matrix(k)
    loo_n, loo_r = n @ keep.T, r @ keep.T
    loo_u = loo_n * ((r * t) @ keep.T) - loo_r * ((n * t) @ keep.T)
    u_tol = ZERO_SLOPE_RTOL * (big_n * (r * np.abs(t)).sum(1) + big_r * (n * np.abs(t)).sum(1))
    direction = np.where(finite, slope, u)
    loo_direction = np.where(finite[:, None], loo, loo_u)
    tol = np.where(finite, tol, u_tol)
    return chi_square, np.where(finite, slope, np.nan), direction, loo_direction, tol


def _weighted_trend(
    y: np.ndarray, lower: np.ndarray, upper: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted regression of ``y`` on ``t``: χ², slope, leave-one-out slopes, zero tolerance.

    ``σ = (U − L) / (2·Φ⁻¹(0.975))``, ``w = 1/σ²``; ``β = (S1·Sty − St·Sy)/D``,
    ``Var(β) = S1/D``, ``χ² = β²/Var(β)``, ``D = S1·Stt − St²`` (docs/methods.md §6.4).
    Rows must have U > L everywhere.
    """
    sigma = (upper - lower) / (2.0 * z_value(0.95))
    w = 1.0 / sigma**2
    k = y.shape[1]
    loo = _leave_one_out_matrix(k)

    def fit(s1, st, sy, stt, sty):
        d = s1 * stt - st * st
        return (s1 * sty - st * sy) / d, d

    wt, wy = w * t, w * y
    slope, d = fit(w.sum(1), wt.sum(1), wy.sum(1), (wt * t).sum(1), (wt * y).sum(1))
    chi_square = slope**2 * d / w.sum(1)
    loo_slope, _ = fit(w @ loo.T, wt @ loo.T, wy @ loo.T, (wt * t) @ loo.T, (wt * y) @ loo.T)
    return chi_square, slope, loo_slope, ZERO_SLOPE_RTOL * np.abs(y).max(1)


def _decide(
    chi_square: np.ndarray,
    slope: np.ndarray,
    loo: np.ndarray,
    zero_tol: np.ndarray,
    critical: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Trend and reason codes from χ², the slope and the leave-one-out slopes (docs/methods.md §6.5-6).

    Significant iff χ² > ``critical``; the robustness rule then needs every leave-one-out slope
    to have the full slope's sign, an exactly-zero slope counting as a change of sign (as R's
    ``sign()`` comparison does). A zero full slope has no direction: No significant change.
    Slopes with ``|slope| <= zero_tol`` (per row) count as exactly zero.
    """
    significant = chi_square > critical
    direction = np.where(np.abs(slope) <= zero_tol, 0.0, np.sign(slope))
    loo_direction = np.where(np.abs(loo) <= zero_tol[:, None], 0.0, np.sign(loo))
    stable = np.all(loo_direction == direction[:, None], axis=1) & (direction != 0)
    trend = np.full(slope.shape, _TREND_CODE[Trend.NO_CHANGE])
    reason = np.full(slope.shape, _REASON_CODE[TrendReason.NOT_SIGNIFICANT])
    reason[significant & ~stable & (direction != 0)] = _REASON_CODE[TrendReason.OUTLIER]
    good = significant & stable
    reason[good] = _REASON_CODE[TrendReason.SIGNIFICANT]
    trend[good & (direction > 0)] = _TREND_CODE[Trend.INCREASING]
    trend[good & (direction < 0)] = _TREND_CODE[Trend.DECREASING]
    return trend, reason


# Integer codes for vectorised label look-ups.
_TRENDS = list(Trend)
_TREND_CODE = {t: i for i, t in enumerate(_TRENDS)}
_REASONS = list(TrendReason)
_REASON_CODE = {r: i for i, r in enumerate(_REASONS)}
_POLARITIES = list(Polarity)
# _LABELS[trend code, polarity code]; the last column (no polarity) gives the plain trend.
_LABELS = np.array(
    [[trend_label(t, p).value for p in _POLARITIES] + [t.value] for t in _TRENDS], dtype=object
)


# ------------------------------------------------------------------------------------------
# Input checks
# ------------------------------------------------------------------------------------------


def _check_column(data: pd.DataFrame, name: Any, argument: str) -> str:
    if not isinstance(name, str):
        raise ValueError(f"{argument}: expected a column name (str), got {name!r}")
    if name not in data.columns:
        shown = [str(c) for c in data.columns[:10]]
        raise ValueError(f"{argument}: column {name!r} not found in data (columns: {shown})")
    return name


def _check_by(data: pd.DataFrame, by: Any, period: str) -> list[str]:
    if by is None:
        return []
    names = [by] if isinstance(by, str) else by
    if not isinstance(names, Sequence) or isinstance(names, bytes):
        raise ValueError(f"by: expected a column name or a list of column names, got {by!r}")
    names = [_check_column(data, b, "by") for b in names]
    if len(set(names)) != len(names):
        raise ValueError(f"by: column names repeated in {names}")
    if period in names:
        raise ValueError(f"by: the period column {period!r} cannot also be a group column")
    clash = [b for b in names if b in TREND_COLUMNS]
    if clash:
        raise ValueError(f"by: {clash} would clash with the output columns {list(TREND_COLUMNS)}")
    return names


def _finite(values: np.ndarray, name: str, index: pd.Index) -> None:
    fail_if(np.isinf(values), name, "are infinite", "finite numbers or missing", index)


def _period_years(raw: np.ndarray, name: str, index: pd.Index) -> np.ndarray:
    """Years from a column of years (2019) or Fingertips ``Time period Sortable`` (20190000)."""
    fail_if(np.isnan(raw), name, "are missing", "every row needs a period", index)
    fail_if(raw != np.floor(raw), name, "are not whole numbers", "a year or YYYY0000", index)
    is_year = (raw >= _YEAR_MIN) & (raw <= _YEAR_MAX)
    is_sortable = (raw >= _SORTABLE_MIN) & (raw <= _SORTABLE_MAX)
    fail_if(
        ~(is_year | is_sortable),
        name,
        "are neither a year nor a Time period Sortable",
        "a year 1000-9999 or an 8-digit Fingertips Time period Sortable such as 20190000",
        index,
    )
    if is_year.any() and is_sortable.any():
        first_year, first_sortable = np.flatnonzero(is_year)[0], np.flatnonzero(is_sortable)[0]
        raise ValueError(
            f"{name}: mixes years and Time period Sortable values (rule: one format per column); "
            f"e.g. {raw[first_year]:.0f} at {positions_text(np.arange(raw.size) == first_year, index)}"
            f" and {raw[first_sortable]:.0f} at "
            f"{positions_text(np.arange(raw.size) == first_sortable, index)}"
        )
    if is_sortable.any():
        fail_if(
            raw % 10_000 != 0,
            name,
            "are quarterly or monthly Time period Sortable values",
            "annual periods only, YYYY0000",
            index,
        )
        return (raw // 10_000).astype(np.int64)
    return raw.astype(np.int64)


def _polarity_codes(
    data: pd.DataFrame, polarity: Any, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Per-group polarity code (index into ``Polarity``; len(Polarity) = no polarity)."""
    allowed = [p.value for p in Polarity]
    none_code = len(_POLARITIES)
    if polarity is None:
        return np.full(n_groups, none_code)
    if isinstance(polarity, Polarity):
        return np.full(n_groups, _POLARITIES.index(polarity))
    if isinstance(polarity, str) and polarity not in data.columns:
        if polarity not in allowed:
            raise ValueError(
                f"polarity: unknown polarity {polarity!r}; expected one of {allowed} "
                f"or the name of a column of data"
            )
        return np.full(n_groups, _POLARITIES.index(Polarity(polarity)))
    column = _check_column(data, polarity, "polarity")
    values = data[column]
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array(
        [_POLARITIES.index(Polarity(u)) if isinstance(u, str) and u in allowed else -1
         for u in uniques],
        dtype=np.int64,
    )  # one entry per distinct value, not per row
    row_codes = mapped[codes] if codes.size else np.empty(0, dtype=np.int64)
    bad = row_codes < 0
    if bad.any():
        first = list(dict.fromkeys(values[bad].tolist()))[:5]
        fail_if(
            bad, "polarity", f"not a known polarity (e.g. {first!r})", f"one of {allowed}",
            data.index,
        )
    lowest = np.full(n_groups, np.iinfo(np.int64).max)
    highest = np.full(n_groups, -1)
    np.minimum.at(lowest, groups, row_codes)
    np.maximum.at(highest, groups, row_codes)
    mixed = lowest != highest
    if mixed.any():
        fail_if(
            mixed[groups], "polarity", "are in groups with more than one polarity",
            "polarity must be constant within each group", data.index,
        )
    return lowest


def _group_codes(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row (groups in sorted key order) and the key frame per group."""
    if not by:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=range(1 if len(data) else 0))
    codes, _ = key_group_codes(data, by)
    _, first = np.unique(codes, return_index=True)
    keys = data[by].iloc[first].reset_index(drop=True)
    return codes.astype(np.int64, copy=False), keys


# ------------------------------------------------------------------------------------------
# Public function
# ------------------------------------------------------------------------------------------


def recent_trend(
    data: pd.DataFrame,
    period: str,
    by: str | Sequence[str] | None = None,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    value: str | None = None,
    lower_ci: str | None = None,
    upper_ci: str | None = None,
    method: str = "proportion",
    polarity: Polarity | str | None = None,
) -> pd.DataFrame:
    """Fingertips recent-trend marker for each group of a long table of annual values.

    For every group the 5 most recent periods are tested: ``method="proportion"`` uses the
    chi-square test for linear trend (Armitage) on counts and denominators, with the direction
    from the ordinary least-squares slope of the logit of the proportion; ``method="ci"`` uses
    an inverse-variance weighted regression of the values on time, the standard errors coming
    from the 95% confidence intervals, ``σ = (U − L) / (2·Φ⁻¹(0.975))``. A trend is significant
    when χ² > 9.5495 (χ²₁ at p = 0.002) and no single point, left out, changes the sign of the
    slope; its direction is then Increasing (slope > 0) or Decreasing (slope < 0).

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per group and period. The other arguments name its columns.
    period : str
        Column of annual periods: a year (``2019``) or a Fingertips ``Time period Sortable``
        (``20190000``; the year is its first four digits). One format per column; quarterly or
        monthly sortable values are rejected. Periods must be annual and non-overlapping
        (Fingertips' ``Time period range`` of 1 year): the function cannot tell a rolling
        3-year period from an annual one.
    by : str or list of str, optional
        Group columns (e.g. indicator, area, sex, age). ``None``: the whole table is one series.
    numerator, denominator : str, optional
        Count and denominator columns; required by, and only allowed with,
        ``method="proportion"``.
    value, lower_ci, upper_ci : str, optional
        Value and 95% confidence-limit columns, on the same scale; required by, and only
        allowed with, ``method="ci"``.
    method : {"proportion", "ci"}
        Test to use (docs/methods.md §6.3 and §6.4).
    polarity : Polarity, str or None
        A :class:`~rutland_jsna.stats.labels.Polarity` (or its value, e.g. ``"High is good"``)
        for every group, or the name of a column holding one polarity per group. ``None``,
        "No judgement" and "Not applicable" give the plain trend as the label.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by the ``by`` columns (missing keys last), with the ``by``
        columns first and then, always:

        ``trend``
            "Increasing", "Decreasing", "No significant change" or "Cannot be calculated"
            (:class:`~rutland_jsna.stats.labels.Trend` values).
        ``label``
            Polarity-aware Fingertips wording, e.g. "Increasing and getting better"
            (:class:`~rutland_jsna.stats.labels.TrendLabel` values).
        ``reason``
            A :class:`TrendReason` value saying why.
        ``chi_square``
            The test statistic (NaN when the trend cannot be calculated).
        ``slope``
            Slope per year: of the logit of the proportion (``"proportion"``) or of the value
            (``"ci"``); NaN when the trend cannot be calculated, or when a count in the
            window is 0 or equals its denominator (the logit slope is infinite; the direction
            then comes from Armitage's U, see Notes).
        ``points_used``
            Number of periods examined: the group's most recent ``min(5, rows)`` periods.
        ``latest_period``
            The group's most recent period, as given in ``period`` (the Fingertips "Recent
            Trend" column belongs to this period only).

    Raises
    ------
    ValueError
        If ``data`` is not a DataFrame; ``method`` is unknown; a named column is missing; the
        columns required by ``method`` are not given or columns it does not use are; a period
        is missing, not whole, neither a year nor an annual Time period Sortable, or the
        column mixes the two; counts are negative or a numerator exceeds its denominator; a
        lower limit exceeds its upper limit; a number is infinite or not numeric; a polarity
        is unknown or not constant within a group.

    Notes
    -----
    "Cannot be calculated" (with NaN ``chi_square`` and ``slope``) when, in this order of
    precedence, a period occurs twice in the group (anywhere, not only among the latest 5);
    the group has fewer than 5 periods; the latest 5 periods are not consecutive years; any
    of them has a missing count, denominator or value ("Missing values") or a missing
    confidence limit; for proportions a denominator is 0, or every count is 0 (or every
    count equals its denominator: χ² is 0/0); for ``"ci"`` a confidence interval has zero
    width. A single zero count (or a count equal to its denominator) does not stop the test:
    χ² is defined, and the direction of a significant trend comes from Armitage's statistic
    ``U = N·Σrt − R·Σnt`` because the logit slope is infinite (``slope`` is then NaN).
    Missing values outside the latest 5 periods do not matter.

    Time is centred on the middle of the 5 periods before the sums are formed; χ² and the
    slopes do not depend on that shift, and the sums keep full precision. A full slope of
    exactly 0 has no direction and gives "No significant change". "Exactly zero" means within
    ``ZERO_SLOPE_RTOL`` (1e-10) times the largest absolute logit or value of the 5 points, so
    that a slope which is zero in exact arithmetic (e.g. four equal values when one point is
    left out) is not given a sign by floating-point rounding.

    References
    ----------
    .. [1] Office for Health Improvement and Disparities. Fingertips trend markers. Public
       Health Technical Guidance. https://fingertips.phe.org.uk/static-reports/
       public-health-technical-guidance/Presentation/Trend_markers.html
    .. [2] Armitage P. Tests for linear trends in proportions and frequencies. Biometrics
       1955; 11: 375-386.
    .. [3] PHEindicatormethods, ``assign_trend_markers`` (unreleased ``add_trend_markers``
       branch, dhsc-govuk/PHEindicatormethods commit ``be27443``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "year": range(2014, 2019),
    ...     "count": [994, 1023, 1199, 1332, 1367],
    ...     "pop": [40299, 41527, 42811, 44064, 44701],
    ... })
    >>> out = recent_trend(df, "year", numerator="count", denominator="pop",
    ...                    polarity="Low is good")
    >>> out[["trend", "label", "reason"]].iloc[0].tolist()
    ['Increasing', 'Increasing and getting worse', 'No outliers and significant trend']
    >>> round(float(out["chi_square"].iloc[0]), 4), round(float(out["slope"].iloc[0]), 4)
    (47.8967, 0.0652)
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method: expected one of {list(METHODS)}, got {method!r}")
    period = _check_column(data, period, "period")
    by_cols = _check_by(data, by, period)

    given = {
        "numerator": numerator, "denominator": denominator,
        "value": value, "lower_ci": lower_ci, "upper_ci": upper_ci,
    }
    needed = ("numerator", "denominator") if method == "proportion" else (
        "value", "lower_ci", "upper_ci")
    missing = [a for a in needed if given[a] is None]
    if missing:
        raise ValueError(f"method={method!r} needs the column argument(s) {missing}")
    unused = [a for a, v in given.items() if v is not None and a not in needed]
    if unused:
        raise ValueError(
            f"{unused}: not used by method={method!r} (it needs {list(needed)}); remove "
            f"them or choose the other method"
        )
    cols = {a: _check_column(data, given[a], a) for a in needed}

    index = data.index
    arrays = {}
    for arg, col in cols.items():
        arrays[arg], _ = as_float_array(data[col], arg)
        _finite(arrays[arg], arg, index)
    raw_period, _ = as_float_array(data[period], "period")
    years = _period_years(raw_period, "period", index)

    if method == "proportion":
        r, n = arrays["numerator"], arrays["denominator"]
        fail_if(r < 0, "numerator", "are negative", "counts >= 0", index)
        fail_if(n < 0, "denominator", "are negative", "denominators >= 0", index)
        fail_if(r > n, "numerator", "are greater than the denominator",
                "numerator <= denominator", index)
    else:
        fail_if(arrays["lower_ci"] > arrays["upper_ci"], "lower_ci",
                "are greater than upper_ci", "lower_ci <= upper_ci", index)

    groups, keys = _group_codes(data, by_cols)
    n_groups = len(keys)
    pol_codes = _polarity_codes(data, polarity, groups, n_groups)

    # Sort by group then year; locate each group's block of rows.
    order = np.lexsort((years, groups))
    g_sorted, y_sorted = groups[order], years[order]
    counts = np.bincount(groups, minlength=n_groups)
    ends = np.cumsum(counts)
    duplicate = np.zeros(n_groups, dtype=bool)
    same = (g_sorted[1:] == g_sorted[:-1]) & (y_sorted[1:] == y_sorted[:-1])
    duplicate[g_sorted[1:][same]] = True

    trend = np.full(n_groups, _TREND_CODE[Trend.CANNOT_BE_CALCULATED])
    reason = np.full(n_groups, _REASON_CODE[TrendReason.NOT_ENOUGH_POINTS])
    chi_square = np.full(n_groups, np.nan)
    slope = np.full(n_groups, np.nan)
    reason[duplicate] = _REASON_CODE[TrendReason.DUPLICATE_PERIODS]

    # The latest TREND_POINTS rows of every group with enough rows, as (groups, 5) matrices.
    cand = np.flatnonzero(~duplicate & (counts >= TREND_POINTS))
    rows = order[(ends[cand] - TREND_POINTS)[:, None] + np.arange(TREND_POINTS)]
    t = years[rows].astype(np.float64)
    mats = {arg: a[rows] for arg, a in arrays.items()}

    problems = [(TrendReason.GAP, np.any(np.diff(t, axis=1) != 1, axis=1))]
    if method == "proportion":
        r, n = mats["numerator"], mats["denominator"]
        problems += [
            (TrendReason.MISSING_VALUES, np.any(np.isnan(r) | np.isnan(n), axis=1)),
            (TrendReason.ZERO_DENOMINATOR, np.any(n == 0, axis=1)),
            (TrendReason.ZERO_OR_ALL, (r.sum(1) == 0) | (r.sum(1) == n.sum(1))),
        ]
    else:
        lo, hi = mats["lower_ci"], mats["upper_ci"]
        problems += [
            (TrendReason.MISSING_VALUES, np.any(np.isnan(mats["value"]), axis=1)),
            (TrendReason.MISSING_CI, np.any(np.isnan(lo) | np.isnan(hi), axis=1)),
            (TrendReason.ZERO_WIDTH_CI, np.any(lo == hi, axis=1)),
        ]
    blocked = np.zeros(cand.size, dtype=bool)
    for why, mask in problems:  # a handful of rules, each vectorised over all groups
        reason[cand[mask & ~blocked]] = _REASON_CODE[why]
        blocked |= mask

    ok = ~blocked
    calc = cand[ok]
    tc = t[ok] - t[ok].mean(axis=1, keepdims=True)
    if method == "proportion":
        stat, beta, direction, loo, tol = _proportion_trend(
            mats["numerator"][ok], mats["denominator"][ok], tc)
    else:
        stat, beta, loo, tol = _weighted_trend(
            mats["value"][ok], mats["lower_ci"][ok], mats["upper_ci"][ok], tc)
        direction = beta
    trend[calc], reason[calc] = _decide(stat, direction, loo, tol, CHI_SQUARE_CRITICAL)
    chi_square[calc], slope[calc] = stat, beta

    latest = raw_period[order[ends - 1]].astype(np.int64) if n_groups else np.empty(0, np.int64)
    out = keys.copy()
    out["trend"] = np.array([t.value for t in _TRENDS], dtype=object)[trend]
    out["label"] = _LABELS[trend, pol_codes] if n_groups else np.empty(0, dtype=object)
    out["reason"] = np.array([r.value for r in _REASONS], dtype=object)[reason]
    out["chi_square"] = chi_square
    out["slope"] = slope
    out["points_used"] = np.minimum(counts, TREND_POINTS).astype(np.int64)
    out["latest_period"] = latest
    return out
