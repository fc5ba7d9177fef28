"""Comparison of local values with a benchmark (England, a parent area) or with a goal.

Fingertips benchmarking, docs/methods.md §5:

* :func:`compare_to_benchmark` — comparator method 1, "Confidence intervals overlapping
  reference value": is the benchmark's *value* inside the local confidence interval?
* :func:`compare_to_benchmark_two_levels` — comparator method 17, the 95% and 99.8% intervals
  together, five outcomes, with the level kept in its own column (docs/methods.md §10 "Codes 4/5").
* :func:`compare_to_goal` — the "Compared to goal" Red/Amber/Green of range and single-threshold
  goals (FT ``RangeTargetComparer``, ``SingleValueTargetComparer``).

Two tiers (docs/architecture.md convention 2): a private primitive turns value, limits and benchmark into a
raw direction code (lower / similar / higher, optionally with the 99.8% level), and the public
functions validate, apply polarity and return the exact Fingertips words from
:mod:`rutland_jsna.stats.labels`. Everything is vectorised; benchmark, goal and polarity may be
one value for all rows or one per row (a whole-country table mixes indicators).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._common import (
    as_float_array,
    as_polarity_array,
    broadcast_scalars,
    fail_if,
    pick_index,
)
from .labels import Comparison, GoalComparison, Polarity

__all__ = [
    "COMPARISON_COLUMNS",
    "LEVEL_95",
    "LEVEL_998",
    "compare_to_benchmark",
    "compare_to_benchmark_two_levels",
    "compare_to_goal",
]

#: Output columns of :func:`compare_to_benchmark_two_levels` (docs/architecture.md convention 3).
COMPARISON_COLUMNS: tuple[str, str] = ("comparison", "level")

#: ``level`` words of :func:`compare_to_benchmark_two_levels`: the smallest confidence level at
#: which the difference is significant ("" for Similar and Not compared).
LEVEL_95 = "95%"
LEVEL_998 = "99.8%"

# Raw direction codes, before polarity (FT ``Significance``: Worse = lower, Better = higher).
_NONE, _LOWER, _SIMILAR, _HIGHER = 0, 1, 2, 3


def _prepare(**raw: Any) -> tuple[dict[str, np.ndarray], pd.Index | None, int]:
    """Coerce named inputs to float arrays, broadcast length-1 ones, pick the output index.

    The index is that of the first Series input with the full length (docs/architecture.md convention 7:
    Series in, same index out); inputs are aligned by position, not by label.
    """
    arrays: dict[str, np.ndarray] = {}
    indexes: list[pd.Index | None] = []
    for name, values in raw.items():
        arrays[name], idx = as_float_array(values, name)
        indexes.append(idx)
    arrays = broadcast_scalars(**arrays)
    n = len(next(iter(arrays.values())))
    index = pick_index(*[i for i in indexes if i is not None and len(i) == n])
    return arrays, index, n


def _direction(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray, benchmark: np.ndarray
) -> np.ndarray:
    """Raw method-1 code per row: similar if ``lower <= benchmark <= upper``, else from the value.

    Any missing input gives ``_NONE``. FT ``SingleOverlappingCIsForOneCILevelComparer``.
    """
    valid = ~(np.isnan(value) | np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark))
    with np.errstate(invalid="ignore"):
        similar = (lower <= benchmark) & (benchmark <= upper)
        lower_than = value < benchmark
    code = np.where(similar, _SIMILAR, np.where(lower_than, _LOWER, _HIGHER))
    return np.where(valid, code, _NONE)


def _words(code: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """Apply polarity to raw direction codes and return the Fingertips comparison words."""
    high_good = polarity == Polarity.HIGH_IS_GOOD
    low_good = polarity == Polarity.LOW_IS_GOOD
    no_judgement = polarity == Polarity.NO_JUDGEMENT
    conditions = [
        code == _NONE,
        code == _SIMILAR,
        (code == _HIGHER) & high_good,
        (code == _LOWER) & high_good,
        (code == _HIGHER) & low_good,
        (code == _LOWER) & low_good,
        (code == _HIGHER) & no_judgement,
        (code == _LOWER) & no_judgement,
    ]
    choices = [
        Comparison.NOT_COMPARED.value,
        Comparison.SIMILAR.value,
        Comparison.BETTER.value,
        Comparison.WORSE.value,
        Comparison.WORSE.value,
        Comparison.BETTER.value,
        Comparison.HIGHER.value,
        Comparison.LOWER.value,
    ]
    words = np.select(conditions, choices, default=Comparison.NOT_COMPARED.value)
    # Polarity "Not applicable" (Fingertips -1) is never compared, even when similar.
    return np.where(polarity == Polarity.NOT_APPLICABLE, Comparison.NOT_COMPARED.value, words)


def _check_interval(
    lower: np.ndarray, upper: np.ndarray, lower_name: str, upper_name: str, index: pd.Index | None
) -> None:
    with np.errstate(invalid="ignore"):
        bad = lower > upper
    fail_if(
        bad, lower_name, f"are greater than {upper_name}", f"{lower_name} <= {upper_name}", index
    )


def compare_to_benchmark(
    value: Any,
    lower_ci: Any,
    upper_ci: Any,
    benchmark: Any,
    polarity: Any,
) -> pd.Series:
    """Compare each value with a benchmark value, Fingertips method 1.

    The benchmark (usually England's value) is *Similar* when it lies inside the local
    confidence interval, ends included (``lower_ci <= benchmark <= upper_ci``). Otherwise the
    direction comes from the local value (``value < benchmark`` → lower, else higher) and the
    polarity turns it into words:

    ================ =================== ===================
    polarity         local higher        local lower
    ================ =================== ===================
    "High is good"   "Better"            "Worse"
    "Low is good"    "Worse"             "Better"
    "No judgement"   "Higher"            "Lower"
    "Not applicable" "Not compared"      "Not compared"
    ================ =================== ===================

    Parameters
    ----------
    value, lower_ci, upper_ci : array-like of float
        Local values and their confidence limits at the indicator's comparison level (95% for
        most local-authority indicators, 99.8% where so configured; docs/methods.md §5.2). Lists,
        numpy arrays and Series give the same result.
    benchmark : float or array-like of float
        One benchmark value for all rows, or one per row.
    polarity : Polarity, str or array-like
        One :class:`~rutland_jsna.stats.labels.Polarity` (or its exact value) for all rows, or
        one per row.

    Returns
    -------
    pandas.Series
        Named ``"comparison"``, string values from
        :class:`~rutland_jsna.stats.labels.Comparison`; the index of the first Series given
        (else a RangeIndex).

    Raises
    ------
    ValueError
        If inputs are not numeric, lengths differ (a length-1 benchmark is broadcast), a
        polarity is not one of the four allowed words, or ``lower_ci > upper_ci`` anywhere.

    Notes
    -----
    Any missing value, limit or benchmark gives "Not compared" (docs/methods.md §5.7). A value lying
    outside its own interval (which consistent data never have) is judged by the value, as
    Fingertips does (FingertipsNext judges by the interval; docs/methods.md §10).

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/SingleOverlappingCIsForOneCILevelComparer.cs``
    and ``Export/SignificanceFormatter.cs`` (``ukhsa-collaboration/fingertips-open``); Fingertips
    Public Health Technical Guidance, "Comparisons with benchmarks"; docs/methods.md §5.2.

    Examples
    --------
    >>> compare_to_benchmark([12.0, 9.0, 10.5], [11.0, 8.0, 9.5], [13.0, 9.8, 11.5], 10.0,
    ...                      "Low is good").tolist()
    ['Worse', 'Better', 'Similar']
    """
    arrays, index, n = _prepare(
        value=value, lower_ci=lower_ci, upper_ci=upper_ci, benchmark=benchmark
    )
    v, lo, up, b = (arrays[k] for k in ("value", "lower_ci", "upper_ci", "benchmark"))
    pol = as_polarity_array(polarity, n)
    _check_interval(lo, up, "lower_ci", "upper_ci", index)
    words = _words(_direction(v, lo, up, b), pol)
    return pd.Series(words, index=index, name="comparison", dtype="str")


def compare_to_benchmark_two_levels(
    value: Any,
    lower_95: Any,
    upper_95: Any,
    lower_998: Any,
    upper_998: Any,
    benchmark: Any,
    polarity: Any,
) -> pd.DataFrame:
    """Compare with a benchmark at 95% and 99.8% together, Fingertips method 17 (five outcomes).

    Checked in this order, for benchmark value ``B``:

    1. ``lower_95 <= B <= upper_95`` → "Similar" (level "");
    2. ``lower_998 <= B <= lower_95`` → local higher at 95% only (level "95%");
    3. ``upper_95 <= B <= upper_998`` → local lower at 95% only (level "95%");
    4. otherwise ``value < B`` → local lower at 99.8% (level "99.8%"), else higher at 99.8%.

    Polarity then gives the words exactly as :func:`compare_to_benchmark` (Better/Worse,
    Lower/Higher, Not compared). Fingertips' legend "Better 99.8%" is ``comparison="Better"``
    with ``level="99.8%"``: the CSV prints both levels with the same word, so the level is kept
    in its own column (docs/methods.md §10 "Codes 4/5").

    Parameters
    ----------
    value, lower_95, upper_95, lower_998, upper_998 : array-like of float
        Local values and their 95% and 99.8% confidence limits.
    benchmark : float or array-like of float
        One benchmark value for all rows, or one per row.
    polarity : Polarity, str or array-like
        One polarity for all rows, or one per row.

    Returns
    -------
    pandas.DataFrame
        Columns ``comparison`` (a :class:`~rutland_jsna.stats.labels.Comparison` word) and
        ``level`` (``"95%"``, ``"99.8%"`` or ``""``), in that order; the index of the first
        Series given.

    Raises
    ------
    ValueError
        For non-numeric input, unequal lengths, an unknown polarity, or limits that do not nest
        (rule ``lower_998 <= lower_95 <= upper_95 <= upper_998``).

    Notes
    -----
    Any missing value, limit (at either level) or benchmark gives "Not compared" with level "".
    An older Fingertips version of this comparer mapped step 2 to "lower"; the corrected
    version and its unit test (used in our tests) map it to "higher", as here.

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/SingleOverlappingCIsForTwoCILevelsComparer.cs``
    and ``AnalysisTest/SingleOverlappingCIsForTwoCILevelsComparerTest.cs``; legend
    ``legend-compare-areas.component.html``; docs/methods.md §5.3.

    Examples
    --------
    >>> compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.9, [3.0, 2.8, 2.6, 2.4, 2.2],
    ...                                 "High is good").to_records(index=False).tolist()
    [('Worse', '99.8%'), ('Worse', '95%'), ('Similar', ''), ('Better', '95%'), ('Better', '99.8%')]
    """
    arrays, index, n = _prepare(
        value=value,
        lower_95=lower_95,
        upper_95=upper_95,
        lower_998=lower_998,
        upper_998=upper_998,
        benchmark=benchmark,
    )
    pol = as_polarity_array(polarity, n)
    v, l95, u95 = arrays["value"], arrays["lower_95"], arrays["upper_95"]
    l998, u998, b = arrays["lower_998"], arrays["upper_998"], arrays["benchmark"]
    _check_interval(l998, l95, "lower_998", "lower_95", index)
    _check_interval(l95, u95, "lower_95", "upper_95", index)
    _check_interval(u95, u998, "upper_95", "upper_998", index)

    valid = ~(
        np.isnan(v) | np.isnan(l95) | np.isnan(u95) | np.isnan(l998) | np.isnan(u998) | np.isnan(b)
    )
    with np.errstate(invalid="ignore"):
        similar = (l95 <= b) & (b <= u95)
        higher_95 = (l998 <= b) & (b <= l95)
        lower_95 = (u95 <= b) & (b <= u998)
        lower_than = v < b
    code = np.select(
        [~valid, similar, higher_95, lower_95, lower_than],
        [_NONE, _SIMILAR, _HIGHER, _LOWER, _LOWER],
        default=_HIGHER,
    )
    level = np.select(
        [~valid | similar, higher_95 | lower_95],
        ["", LEVEL_95],
        default=LEVEL_998,
    )
    words = _words(code, pol)
    level = np.where(words == Comparison.NOT_COMPARED.value, "", level)
    return pd.DataFrame(
        {"comparison": pd.array(words, dtype="str"), "level": pd.array(level, dtype="str")},
        index=index,
        columns=list(COMPARISON_COLUMNS),
    )


def compare_to_goal(
    value: Any,
    goal_lower: Any,
    goal_upper: Any,
    polarity: Any,
    *,
    lower_ci: Any = None,
    upper_ci: Any = None,
) -> pd.Series:
    """Compare each value with a goal: "Green", "Amber", "Red" or "Not compared".

    **Range goal** (both limits, e.g. vaccination coverage 90% / 95%): the value alone is
    used, never the CI. High is good: ``value < goal_lower`` → Red, ``goal_lower <= value <
    goal_upper`` → Amber, ``value >= goal_upper`` → Green; low is good: ``value < goal_lower``
    → Green, Amber in between, ``value >= goal_upper`` → Red.

    **Single threshold** (``goal_upper`` missing, e.g. HPV 80%, shingles 50%):

    * value mode (no CIs given): high is good → Green if ``value >= goal_lower`` else Red; low
      is good → Green if ``value <= goal_lower`` else Red. Two colours, no Amber.
    * CI mode (``lower_ci`` and ``upper_ci`` given): high is good → Green if ``lower_ci >=
      goal_lower``, Red if ``upper_ci < goal_lower``, otherwise Amber ("similar to the goal");
      low is good mirrored (Red if ``lower_ci >= goal_lower``, Green if ``upper_ci <
      goal_lower``).

    Parameters
    ----------
    value : array-like of float
        Local values.
    goal_lower : float or array-like of float
        The goal (single threshold) or the lower limit of a range goal; NaN where a row has no
        goal (→ "Not compared").
    goal_upper : float, None or array-like of float
        Upper limit of a range goal; None/NaN for a single threshold.
    polarity : Polarity, str or array-like
        One polarity for all rows, or one per row.
    lower_ci, upper_ci : array-like of float, optional
        Give both to compare single thresholds by the interval (Fingertips
        ``UseCIsForLimitComparison``; 95% limits).

    Returns
    -------
    pandas.Series
        Named ``"goal"``, values from :class:`~rutland_jsna.stats.labels.GoalComparison`.

    Raises
    ------
    ValueError
        For non-numeric input, unequal lengths, an unknown polarity, ``goal_lower >
        goal_upper``, ``lower_ci > upper_ci``, or only one of ``lower_ci``/``upper_ci`` given.

    Notes
    -----
    "Not compared": missing value or ``goal_lower``; polarity "Not applicable"; in CI mode a
    single-threshold row with a missing limit. Polarity "No judgement" (blue-orange-blue) is
    judged as high is good, as Fingertips' target comparers do (they only special-case low is
    good). Fingertips' bespoke goals ("last-year-england", "nth-percentile-range") are built by
    the caller: pass the England value or the percentiles (see
    :func:`~rutland_jsna.stats.quantiles.spine_percentiles`) as ``goal_lower``/``goal_upper``.

    References
    ----------
    Fingertips source ``PholioVisualisationWS/Analysis/RangeTargetComparer.cs``,
    ``SingleValueTargetComparer.cs``, ``TargetComparerFactory.cs`` and
    ``Export/SignificanceFormatter.GetTargetLabel``; docs/methods.md §5.6.

    Examples
    --------
    >>> compare_to_goal([79.9, 80.0, 89.9, 90.0], 80, 90, "High is good").tolist()
    ['Red', 'Amber', 'Amber', 'Green']
    >>> compare_to_goal([62.5, 81.0], 80, None, "High is good").tolist()
    ['Red', 'Green']
    """
    if (lower_ci is None) != (upper_ci is None):
        raise ValueError(
            "lower_ci, upper_ci: give both (compare single-threshold goals by the CI) or neither "
            "(compare by the value)"
        )
    ci_mode = lower_ci is not None
    raw = {
        "value": value,
        "goal_lower": goal_lower,
        "goal_upper": np.nan if goal_upper is None else goal_upper,
    }
    if ci_mode:
        raw |= {"lower_ci": lower_ci, "upper_ci": upper_ci}
    arrays, index, n = _prepare(**raw)
    v, gl, gu = arrays["value"], arrays["goal_lower"], arrays["goal_upper"]
    pol = as_polarity_array(polarity, n)
    with np.errstate(invalid="ignore"):
        fail_if(
            gl > gu, "goal_lower", "are greater than goal_upper", "goal_lower <= goal_upper", index
        )
    low_good = pol == Polarity.LOW_IS_GOOD

    is_range = ~np.isnan(gu)
    with np.errstate(invalid="ignore"):
        # Range goals (value only). Raw: Better = green, Same = amber, Worse = red.
        below, above = v < gl, v >= gu
        range_better = np.where(low_good, below, above)
        range_worse = np.where(low_good, above, below)
        range_code = np.select([range_better, range_worse], [_HIGHER, _LOWER], default=_SIMILAR)
        # Single threshold, value mode.
        value_better = np.where(low_good, v <= gl, v >= gl)
        single_code = np.where(value_better, _HIGHER, _LOWER)
    single_valid = np.ones(n, dtype=bool)
    if ci_mode:
        lo, up = arrays["lower_ci"], arrays["upper_ci"]
        _check_interval(lo, up, "lower_ci", "upper_ci", index)
        with np.errstate(invalid="ignore"):
            ci_above, ci_below = lo >= gl, up < gl
        ci_code = np.select(
            [ci_above & ~low_good, ci_below & ~low_good, ci_above & low_good, ci_below & low_good],
            [_HIGHER, _LOWER, _LOWER, _HIGHER],
            default=_SIMILAR,
        )
        single_code = ci_code
        single_valid = ~(np.isnan(lo) | np.isnan(up))
    code = np.where(is_range, range_code, single_code)
    valid = (
        ~np.isnan(v) & ~np.isnan(gl) & (is_range | single_valid) & (pol != Polarity.NOT_APPLICABLE)
    )
    colour = np.select(
        [~valid, code == _HIGHER, code == _LOWER],
        [GoalComparison.NOT_COMPARED.value, GoalComparison.GREEN.value, GoalComparison.RED.value],
        default=GoalComparison.AMBER.value,
    )
    return pd.Series(colour, index=index, name="goal", dtype="str")
