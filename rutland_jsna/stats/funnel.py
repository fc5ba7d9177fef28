"""Funnel-plot control limits and outlier labels, the PHEindicatormethods method (docs/methods.md §8).

A funnel plot shows each area's value against its denominator with control limits around a
baseline (usually the average of all areas) at "2 sigma" (95%, 0.025 in each tail) and
"3 sigma" (99.8%, 0.001 in each tail). A limit is the observed value whose own confidence
interval just touches the baseline, so a point is outside a limit exactly when its interval
excludes the baseline.

* **Proportions** (PIM ``sigma_adjustment``): the observed proportion ``p`` whose Wilson score
  interval has the baseline ``a`` as an end point. The Wilson interval is the set of ``π``
  with ``(p - π)² <= z² π (1 - π) / n``, so its end point is ``a`` exactly when
  ``p = a ∓ z √(a (1 - a) / n)``. PIM writes the same quantity as the root of a quadratic;
  this closed form is algebraically identical (agreement to 1e-12 with PIM's formula and to
  printed precision with PIM's expected outputs, tests/test_stats_funnel.py) and avoids its
  cancellation for large ``n``.
* **Rates** (PIM ``poisson_funnel``): the count ``O`` whose exact Poisson interval has the
  expected count ``E = n · baseline / multiplier`` as an end point, divided by ``n``. PIM finds
  it by bisection; in the continuous case it is the chi-square closed form solved for its
  degrees of freedom: lower line ``χ²_{1-α/2}(2O + 2) / 2 = E``, upper line
  ``χ²_{α/2}(2O) / 2 = E``, i.e. ``O = chdtriv(1 - α/2, 2E) / 2 - 1`` and
  ``O = chdtriv(α/2, 2E) / 2`` (``scipy.special.chdtriv``, vectorised; agreement with PIM's
  bisection to its 1e-7 step).

Two tiers (docs/architecture.md convention 2): private array primitives (:func:`_proportion_limits`,
:func:`_poisson_limits`, :func:`_count_interval`) and the public functions, which validate.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ._common import as_float_array, broadcast_scalars, fail_if, pick_index, z_value
from ._poisson import count_limits_unchecked

__all__ = [
    "DEFAULT_MULTIPLIER",
    "FUNNEL_COLUMNS",
    "FUNNEL_KINDS",
    "FunnelSignificance",
    "funnel_axis",
    "funnel_baseline",
    "funnel_limits",
    "funnel_significance",
]

#: Output columns of :func:`funnel_limits` (docs/architecture.md convention 3).
FUNNEL_COLUMNS: tuple[str, ...] = (
    "denominator",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
)

#: The statistics a funnel can be drawn for.
FUNNEL_KINDS: tuple[str, str] = ("proportion", "rate")

#: Multiplier used when none is given: percentages and rates per 100,000.
DEFAULT_MULTIPLIER: dict[str, float] = {"proportion": 100.0, "rate": 100_000.0}

#: Counts below this use the exact Poisson interval in the significance test, at or above it
#: Byar's approximation (PIM ``funnel_ratio_significance``; docs/methods.md §2).
EXACT_COUNT_THRESHOLD = 10

_LEVELS = (0.95, 0.998)


class FunnelSignificance(StrEnum):
    """Outlier labels of :func:`funnel_significance` (PIM ``phe_funnel_significance``)."""

    HIGH_0_001 = "High (0.001)"
    HIGH_0_025 = "High (0.025)"
    LOW_0_001 = "Low (0.001)"
    LOW_0_025 = "Low (0.025)"
    NOT_SIGNIFICANT = "Not significant"


# ------------------------------------------------------------------------------------------
# Array primitives (no validation; proportions as fractions, rates per unit of denominator)
# ------------------------------------------------------------------------------------------


def _proportion_limits(
    n: np.ndarray, a: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Observed proportions whose Wilson interval ends at ``a``: ``a ∓ z √(a(1 - a)/n)``."""
    half = z_value(confidence) * np.sqrt(a * (1.0 - a) / n)
    return a - half, a + half


def _poisson_limits(
    n: np.ndarray, rate: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts per unit of denominator whose exact Poisson interval ends at ``n · rate``.

    The lower line has no solution with ``O >= 0`` when ``E < χ²_{1-α/2}(2)/2`` (e.g.
    ``E < 3.689`` at 95%): the limit is then 0.
    """
    tail = (1.0 - confidence) / 2.0
    doubled = 2.0 * n * rate
    lower = special.chdtriv(1.0 - tail, doubled) / 2.0 - 1.0
    upper = special.chdtriv(tail, doubled) / 2.0
    return np.maximum(lower, 0.0) / n, upper / n


def _count_interval(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Poisson limits of an observed count: exact (chi-square) below 10, Byar's from 10.

    The shared implementation of :func:`rutland_jsna.stats._poisson.poisson_count_limits`
    (``count = 0`` has lower limit 0, as in R).
    """
    return count_limits_unchecked(np.asarray(count, dtype=np.float64), confidence)


# ------------------------------------------------------------------------------------------
# Validation helpers
# ------------------------------------------------------------------------------------------


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in FUNNEL_KINDS:
        raise ValueError(f"kind: expected 'proportion' or 'rate', got {kind!r}")
    return kind


def _check_multiplier(multiplier: Any, kind: str) -> float:
    if multiplier is None:
        return DEFAULT_MULTIPLIER[kind]
    if isinstance(multiplier, bool) or not isinstance(
        multiplier, int | float | np.integer | np.floating
    ):
        raise ValueError(f"multiplier: expected a number > 0, got {multiplier!r}")
    value = float(multiplier)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"multiplier: expected a number > 0, got {multiplier!r}")
    return value


def _check_baseline(
    baseline: np.ndarray, kind: str, multiplier: float, index: pd.Index | None
) -> None:
    with np.errstate(invalid="ignore"):
        if kind == "proportion":
            fail_if(
                (baseline < 0) | (baseline > multiplier),
                "baseline",
                "are outside 0 to the multiplier",
                f"0 <= baseline <= {multiplier:g} (a proportion times the multiplier)",
                index,
            )
        else:
            fail_if(baseline <= 0, "baseline", "are not positive", "baseline > 0", index)


def _check_denominator(denominator: np.ndarray, index: pd.Index | None) -> None:
    with np.errstate(invalid="ignore"):
        fail_if(denominator <= 0, "denominator", "are not positive", "denominator > 0", index)


def _signif_floor(x: float) -> float:
    """PIM ``signif.floor``: 95% of ``x`` rounded down to its leading digit."""
    if x == 0:
        return 0.0
    scaled = math.floor(x * 0.95)
    power = len(str(abs(int(scaled)))) - 1
    return math.floor(x * 0.95 / 10**power) * 10**power


def _signif_ceiling(x: float) -> float:
    """PIM ``signif.ceiling``: 105% of ``x`` rounded up to its two leading digits."""
    if x == 0:
        return 0.0
    scaled = math.ceil(x * 1.05)
    power = len(str(abs(int(scaled)))) - 2
    return math.ceil(x * 1.05 / 10.0**power) * 10.0**power


# ------------------------------------------------------------------------------------------
# Public functions
# ------------------------------------------------------------------------------------------


def funnel_axis(denominator: Any, *, n_points: int = 100) -> np.ndarray:
    """Denominators at which to draw funnel lines: PIM's geometric axis (docs/methods.md §8 "Axis").

    The axis runs from 0 (if the largest denominator is more than twice the smallest, else the
    smallest rounded down to its leading digit after taking 95%) — but never below 1 — to the
    largest rounded up to two leading digits after adding 5%. Points are spaced geometrically
    and rounded to whole numbers, each at least one more than the last.

    Parameters
    ----------
    denominator : array-like of float
        The areas' denominators (NaN ignored); only the smallest and largest matter.
    n_points : int, keyword-only
        Number of axis points (PIM uses 100).

    Returns
    -------
    numpy.ndarray
        ``n_points`` increasing whole numbers (float64).

    Raises
    ------
    ValueError
        If denominators are not numeric or not positive, none is given, or ``n_points`` is
        not an integer >= 2.

    Notes
    -----
    Each point depends on the rounded previous one (a recurrence over the ``n_points`` plot
    positions, not over data rows), so it is computed in a short loop as PIM does. PIM scales
    the axis of rate funnels by ``years_of_data`` and draws them by event count; here every
    funnel is drawn against the denominator, with this same axis.

    References
    ----------
    PHEindicatormethods ``R/Funnels.R`` (``phe_funnels``: ``signif.floor``,
    ``signif.ceiling`` and the 100-point loop); docs/methods.md §8.

    Examples
    --------
    >>> funnel_axis([16386, 30929])[[0, 1, 2, -1]].tolist()
    [10000.0, 10121.0, 10244.0, 33000.0]
    """
    d, index = as_float_array(denominator, "denominator")
    _check_denominator(d, index)
    if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer) or n_points < 2:
        raise ValueError(f"n_points: expected an integer >= 2, got {n_points!r}")
    valid = d[~np.isnan(d)]
    if valid.size == 0:
        raise ValueError("denominator: no non-missing denominators to build an axis from")
    lo, hi = float(valid.min()), float(valid.max())
    axis_min = 0.0 if hi > 2 * lo else _signif_floor(lo)
    axis_max = _signif_ceiling(hi)
    points = np.empty(int(n_points))
    points[0] = max(1.0, axis_min)
    for j in range(2, int(n_points) + 1):  # recurrence over plot points, not data rows
        prev = points[j - 2]
        step = (axis_max / prev) ** (1.0 / (n_points + 1 - j)) * prev
        points[j - 1] = max(float(np.round(step)), prev + 1.0)
    return points


def funnel_baseline(
    numerator: Any, denominator: Any, *, multiplier: float | None = None, kind: str = "proportion"
) -> float:
    """The funnel baseline: total numerator over total denominator, times the multiplier.

    Parameters
    ----------
    numerator, denominator : array-like of float
        Counts and denominators (population, or derived denominator ``count × multiplier /
        rate`` for a directly standardised rate) of every area in the plot. Rows where either
        is missing are left out.
    multiplier : float, keyword-only
        Defaults to 100 for proportions and 100,000 for rates (:data:`DEFAULT_MULTIPLIER`).
    kind : {"proportion", "rate"}, keyword-only
        Only selects the default multiplier.

    Returns
    -------
    float
        ``Σ numerator / Σ denominator × multiplier``.

    Raises
    ------
    ValueError
        For non-numeric input, unequal lengths, negative numerators, non-positive
        denominators, an unknown kind or a bad multiplier.

    References
    ----------
    PHEindicatormethods ``R/Funnels.R`` (``av``, ``average``, ``weighted_average``).

    Examples
    --------
    >>> funnel_baseline([30, 50], [100, 100])
    40.0
    """
    kind = _check_kind(kind)
    m = _check_multiplier(multiplier, kind)
    x, ix = as_float_array(numerator, "numerator")
    d, idn = as_float_array(denominator, "denominator")
    if len(x) != len(d):
        raise ValueError(
            f"inputs must have the same length: numerator has {len(x)}, denominator has {len(d)}"
        )
    index = pick_index(ix, idn)
    with np.errstate(invalid="ignore"):
        fail_if(x < 0, "numerator", "are negative", "numerator >= 0", index)
    _check_denominator(d, index)
    ok = ~(np.isnan(x) | np.isnan(d))
    if not ok.any():
        raise ValueError("numerator, denominator: no row has both a numerator and a denominator")
    return float(x[ok].sum() / d[ok].sum() * m)


def funnel_limits(
    denominator: Any,
    baseline: Any,
    *,
    kind: str = "proportion",
    multiplier: float | None = None,
    n_points: int | None = None,
) -> pd.DataFrame:
    """95% and 99.8% funnel-plot control limits around a baseline, one row per denominator.

    Parameters
    ----------
    denominator : array-like of float
        Denominators at which to compute the limits (the areas' own denominators, or any axis).
        For a rate, the denominator the rate is per (e.g. person-years of a 3-year period).
    baseline : float or array-like of float
        The baseline in the units of the plotted values (e.g. 80.6 for 80.6%, or a rate per
        100,000), usually :func:`funnel_baseline` or England's value. One value, or one per
        row.
    kind : {"proportion", "rate"}, keyword-only
        Proportion: Wilson-score limits. Rate (crude or directly standardised): exact Poisson
        limits.
    multiplier : float, keyword-only
        Scale of the values: default 100 for proportions (percentages) and 100,000 for rates.
    n_points : int, keyword-only, optional
        If given, ``denominator`` only sets the range and the limits are computed on
        :func:`funnel_axis` (``n_points`` rows) for drawing the lines.

    Returns
    -------
    pandas.DataFrame
        Columns ``denominator, lower_95, upper_95, lower_99_8, upper_99_8`` (in the units of
        ``baseline``). One row per denominator with the index of ``denominator`` if it is a
        Series (RangeIndex for an axis). NaN denominators give NaN limits.

    Raises
    ------
    ValueError
        If inputs are not numeric, lengths differ, a denominator is not positive, a
        proportion baseline is outside ``[0, multiplier]`` or a rate baseline is not positive,
        ``kind`` is unknown, or ``multiplier``/``n_points`` are invalid.

    Notes
    -----
    Proportion limits are clipped to ``[0, multiplier]``. PIM clips with ``max(0, ·)`` and
    ``min(100, ·)`` whatever the multiplier, which is the same for percentages. Rate limits are
    clipped below at 0: for small expected counts (``E < 3.689`` at 95%, ``E < 6.908`` at 99.8%)
    no observed count is low enough to be significant. A limit is where a point's
    interval just touches the baseline, so :func:`funnel_significance` agrees with the
    drawn lines for proportions. For rates it agrees for counts below 10, and to within Byar's
    approximation (< 0.2% at 95%) from 10 up.

    References
    ----------
    PHEindicatormethods ``R/Funnels.R`` (``sigma_adjustment``, ``phe_funnels``) and
    ``R/utils.R`` (``poisson_funnel``, ``poisson_cis``), ``ukhsa-collaboration/PHEindicatormethods``;
    Fingertips Public Health Technical Guidance, funnel plots; Spiegelhalter (2005), "Funnel
    plots for comparing institutional performance", Statistics in Medicine 24:1185–1202;
    docs/methods.md §8.

    Examples
    --------
    >>> funnel_limits([100], 80.0).round(2).iloc[0].tolist()
    [100.0, 72.16, 87.84, 67.64, 92.36]
    """
    kind = _check_kind(kind)
    m = _check_multiplier(multiplier, kind)
    if n_points is not None:
        d = funnel_axis(denominator, n_points=n_points)
        index = None
    else:
        d, index = as_float_array(denominator, "denominator")
        _check_denominator(d, index)
    b, _ = as_float_array(baseline, "baseline")
    if len(b) not in (1, len(d)):
        raise ValueError(
            f"inputs must have the same length: denominator has {len(d)}, baseline has {len(b)}"
        )
    b = broadcast_scalars(denominator=d, baseline=b)["baseline"] if len(d) else b[:0]
    _check_baseline(b, kind, m, index)
    columns: dict[str, np.ndarray] = {"denominator": d}
    for confidence, suffix in zip(_LEVELS, ("95", "99_8"), strict=True):
        if kind == "proportion":
            lo, up = _proportion_limits(d, b / m, confidence)
            lo, up = np.clip(lo, 0.0, 1.0), np.clip(up, 0.0, 1.0)
        else:
            with np.errstate(invalid="ignore"):
                lo, up = _poisson_limits(d, b / m, confidence)
        columns[f"lower_{suffix}"] = lo * m
        columns[f"upper_{suffix}"] = up * m
    return pd.DataFrame(columns, index=index, columns=list(FUNNEL_COLUMNS))


def funnel_significance(
    value: Any,
    denominator: Any,
    baseline: Any,
    *,
    kind: str = "proportion",
    multiplier: float | None = None,
) -> pd.Series:
    """Is each point outside the 95% or 99.8% funnel limits, and on which side?

    Labels (:class:`FunnelSignificance`): "High (0.001)" / "Low (0.001)" outside the 99.8%
    limits, "High (0.025)" / "Low (0.025)" outside the 95% limits only, else "Not
    significant".

    Parameters
    ----------
    value : array-like of float
        The areas' values (percentages, rates per ``multiplier``...).
    denominator : array-like of float
        The areas' denominators. For a directly standardised rate pass the derived denominator
        ``count × multiplier / value``, so that ``value × denominator / multiplier`` is the
        event count (PIM ``denominator_derived``).
    baseline : float or array-like of float
        As for :func:`funnel_limits`.
    kind, multiplier
        As for :func:`funnel_limits`.

    Returns
    -------
    pandas.Series
        Named ``"significance"``; string labels, missing where the value or denominator is
        missing. The index of the first Series given.

    Raises
    ------
    ValueError
        As for :func:`funnel_limits`, and for negative values (or proportions above the
        multiplier).

    Notes
    -----
    Proportions: ``value`` is compared with the (unclipped) limits of :func:`funnel_limits`.
    Rates: the event count ``O = value × denominator / multiplier`` (rounded to 6 decimals to
    drop floating-point noise) gets its own Poisson interval (exact below 10 events, Byar's
    from 10), divided by the denominator, which is compared with the baseline, as PIM does.
    PIM labels DSRs with fewer than 10 events "Not applicable for events less than 10 for
    dsrs"; here such DSRs are missing (``dsr_ci`` suppresses them) and so get no label.

    References
    ----------
    PHEindicatormethods ``R/Funnels.R`` (``phe_funnel_significance``) and ``R/utils.R``
    (``funnel_ratio_significance``); docs/methods.md §8.

    Examples
    --------
    >>> funnel_significance([60.0, 79.0, 90.0], [100, 100, 100], 80.0).tolist()
    ['Low (0.001)', 'Not significant', 'High (0.025)']
    """
    kind = _check_kind(kind)
    m = _check_multiplier(multiplier, kind)
    arrays: dict[str, np.ndarray] = {}
    indexes = []
    for name, raw in (("value", value), ("denominator", denominator), ("baseline", baseline)):
        arrays[name], idx = as_float_array(raw, name)
        indexes.append(idx)
    if len(arrays["value"]) != len(arrays["denominator"]):
        raise ValueError(
            "inputs must have the same length: "
            f"value has {len(arrays['value'])}, denominator has {len(arrays['denominator'])}"
        )
    arrays = broadcast_scalars(**arrays)
    v, d, b = arrays["value"], arrays["denominator"], arrays["baseline"]
    n = len(v)
    index = pick_index(*[i for i in indexes if i is not None and len(i) == n])
    _check_denominator(d, index)
    _check_baseline(b, kind, m, index)
    with np.errstate(invalid="ignore"):
        fail_if(v < 0, "value", "are negative", "value >= 0", index)
        if kind == "proportion":
            fail_if(
                v > m,
                "value",
                "are above the multiplier",
                f"value <= {m:g} for a proportion",
                index,
            )

    high: dict[float, np.ndarray] = {}
    low: dict[float, np.ndarray] = {}
    with np.errstate(invalid="ignore"):
        if kind == "proportion":
            p, a = v / m, b / m
            for confidence in _LEVELS:
                lo, up = _proportion_limits(d, a, confidence)
                high[confidence], low[confidence] = p > up, p < lo
        else:
            count = np.round(v * d / m, 6)
            average = b / m
            for confidence in _LEVELS:
                lo, up = _count_interval(count, confidence)
                high[confidence], low[confidence] = average < lo / d, average > up / d
    missing = np.isnan(v) | np.isnan(d) | np.isnan(b)
    labels = np.select(
        [missing, high[0.998], high[0.95], low[0.998], low[0.95]],
        [
            None,
            FunnelSignificance.HIGH_0_001.value,
            FunnelSignificance.HIGH_0_025.value,
            FunnelSignificance.LOW_0_001.value,
            FunnelSignificance.LOW_0_025.value,
        ],
        default=FunnelSignificance.NOT_SIGNIFICANT.value,
    )
    return pd.Series(labels, index=index, name="significance", dtype="str")
