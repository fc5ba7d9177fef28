"""Poisson confidence limits for a count: exact (chi-square) and Byar's approximation.

Private primitives shared by the crude-rate (:mod:`.rates`), directly standardised rate
(:mod:`.dsr`) and ratio (:mod:`.ratios`) families, and by funnel-plot control limits. They work
on the **count scale**: divide by the denominator (and multiply by the multiplier) to get limits
for a rate.

* :func:`poisson_count_limits` — the Fingertips rule: exact limits for counts below 10, Byar's
  for counts of 10 or more (docs/methods.md §2; PHEindicatormethods ``phe_rate``).
* :func:`byar_count_limits` — Byar's approximation for every count (Dobson DSR limits use it
  whatever the count; docs/methods.md §3.1).
* :func:`exact_count_limits` — the exact chi-square limits for every count.

Also home to the output-column names and the frame builder shared by the CI families, so
that every family returns the same columns (docs/architecture.md convention 3).

References
----------
.. [1] Office for Health Improvement and Disparities, Fingertips Public Health Technical
   Guidance, "Rates": counts of 10 or greater (Byar's method) and of less than 10 (exact).
   https://fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Basic_statistics/Rates.html
.. [2] PHEindicatormethods (R), ``R/utils.R`` functions ``byars_lower``/``byars_upper`` and
   ``R/Rates.R`` (``phe_rate``).
.. [3] Breslow NE, Day NE. Statistical Methods in Cancer Research, Volume II: The Design and
   Analysis of Cohort Studies. IARC Scientific Publications No. 82, Lyon, 1987 (Byar's
   approximation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from ._common import (
    CONFIDENCE_LEVELS,
    as_float_array,
    broadcast_scalars,
    check_confidence,
    fail_if,
    z_value,
)

#: Counts below this use the exact (chi-square) limits in :func:`poisson_count_limits`.
EXACT_BELOW = 10

#: Output columns of the CI families (docs/architecture.md convention 3).
VALUE = "value"
RATIO = "ratio"
LOWER_CI = "lower_ci"
UPPER_CI = "upper_ci"


def _chi2_half_ppf(q: float, half_df: np.ndarray) -> np.ndarray:
    """``chi2.ppf(q, 2 * half_df) / 2``, bit for bit: SciPy's chi-square quantile is
    ``2 * gammaincinv(df / 2, q)``, so half of it is ``gammaincinv(half_df, q)`` exactly.

    Called through :mod:`scipy.special` because importing :mod:`scipy.stats` costs about half a
    second per process (issue 18); ``half_df = 0`` gives NaN, as ``chi2.ppf(q, 0)`` does.
    """
    with np.errstate(invalid="ignore"):
        return gammaincinv(half_df, q)


def _exact_table(confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits for the integer counts 0 .. EXACT_BELOW - 1 (lower of 0 is 0, not NaN)."""
    alpha = 1.0 - confidence
    k = np.arange(EXACT_BELOW, dtype=np.float64)
    lower = _chi2_half_ppf(alpha / 2.0, k)
    lower[0] = 0.0  # SciPy returns NaN for 0 degrees of freedom; R's qchisq returns 0.
    upper = _chi2_half_ppf(1.0 - alpha / 2.0, k + 1.0)
    return lower, upper


#: Exact limits for the integer counts 0..9 at each confidence level, computed once.
_EXACT_TABLE: dict[float, tuple[np.ndarray, np.ndarray]] = {
    c: _exact_table(c) for c in CONFIDENCE_LEVELS
}


def _as_count_array(count: object) -> np.ndarray:
    arr = np.asarray(count, dtype=np.float64)
    return arr.reshape(1) if arr.ndim == 0 else arr


def _byar(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits, unchecked (x = 0 gives NaN lower; negative lower left as is)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))
        lower = x * t * t * t
        x1 = x + 1.0
        t = 1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))
        upper = x1 * t * t * t
    return lower, upper


def _exact(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact chi-square limits, unchecked; count 0 gives lower 0."""
    alpha = 1.0 - confidence
    lower = _chi2_half_ppf(alpha / 2.0, x)
    upper = _chi2_half_ppf(1.0 - alpha / 2.0, x + 1.0)
    lower = np.where(x == 0.0, 0.0, lower)
    return lower, upper


def _check_counts(x: np.ndarray, name: str) -> None:
    fail_if(x < 0, name, "are negative", f"{name} >= 0")


def byar_count_limits(count: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson limits for a count, whatever its size.

    Parameters
    ----------
    count : array-like of float
        Observed counts, >= 0 (non-integers allowed). NaN gives NaN.
    confidence : {0.95, 0.998}
        Two-sided confidence level.

    Returns
    -------
    lower, upper : ndarray
        Limits on the count scale, same length as ``count``.

    Raises
    ------
    ValueError
        If ``confidence`` is not 0.95 or 0.998, or a count is negative.

    Notes
    -----
    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3``, ``upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``
    with ``z`` the standard normal quantile. As in PHEindicatormethods ``byars_lower``, a
    negative lower limit (only for tiny counts at high confidence, e.g. x = 1 at 99.8%) and the
    undefined lower limit at x = 0 are returned as NaN. Fingertips uses these limits only for
    counts of 10 or more (:func:`poisson_count_limits`) and for Dobson DSR limits.

    References
    ----------
    Fingertips technical guidance "Rates"; PHEindicatormethods ``R/utils.R``; Breslow & Day
    (1987).

    Examples
    --------
    >>> lower, upper = byar_count_limits([65])
    >>> print(f"{lower[0]:.6f} {upper[0]:.6f}")
    50.163188 82.849139
    """
    conf = check_confidence(confidence)
    x = _as_count_array(count)
    _check_counts(x, "count")
    lower, upper = _byar(x, z_value(conf))
    lower[~(lower >= 0)] = np.nan
    return lower, upper


def exact_count_limits(count: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (chi-square) Poisson limits for a count, whatever its size.

    ``lower = chi2.ppf(alpha/2, 2x) / 2`` (0 when x = 0), ``upper = chi2.ppf(1 - alpha/2, 2x + 2) / 2``.
    Same parameters, returns and errors as :func:`byar_count_limits`.

    Examples
    --------
    >>> lower, upper = exact_count_limits([0, 1])
    >>> print(lower.round(6), upper.round(6))
    [0.       0.025318] [3.688879 5.571643]
    """
    conf = check_confidence(confidence)
    x = _as_count_array(count)
    _check_counts(x, "count")
    return _exact(x, conf)


def count_limits_unchecked(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`poisson_count_limits` on a float64 array already validated by the caller.

    Byar's limits are computed for every row in one vectorised pass, then the rows with a count
    below 10 are overwritten: integer counts from a precomputed table, non-integer ones with
    ``chi2.ppf`` on just those rows.
    """
    lower, upper = _byar(x, z_value(confidence))
    small = np.flatnonzero(x < EXACT_BELOW)  # NaN compares False: stays NaN
    if small.size:
        xs = x[small]
        k = xs.astype(np.int64)
        is_int = k == xs
        table_lower, table_upper = _EXACT_TABLE[confidence]
        lo = table_lower[k.clip(0, EXACT_BELOW - 1)]
        up = table_upper[k.clip(0, EXACT_BELOW - 1)]
        if not is_int.all():
            frac = ~is_int
            lo[frac], up[frac] = _exact(xs[frac], confidence)
        lower[small] = lo
        upper[small] = up
    return lower, upper


def poisson_count_limits(count: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for a Poisson count: exact below 10, Byar's from 10 up.

    The Fingertips / PHEindicatormethods rule for crude rates and indirectly standardised
    ratios, vectorised: funnel-plot limits and the rate, DSR and ratio families reuse it.

    Parameters
    ----------
    count : array-like of float
        Observed counts, >= 0. Non-integer counts are allowed (the chi-square quantile is
        evaluated at ``2x`` degrees of freedom). NaN gives NaN limits.
    confidence : {0.95, 0.998}
        Two-sided confidence level.

    Returns
    -------
    lower, upper : ndarray
        Limits on the count scale (divide by a denominator for a rate), same length as
        ``count``.

    Raises
    ------
    ValueError
        If ``confidence`` is not 0.95 or 0.998 (95 is rejected with a hint), or a count is
        negative.

    Notes
    -----
    * ``x < 10``: exact limits ``chi2.ppf(alpha/2, 2x)/2`` and ``chi2.ppf(1 - alpha/2, 2x + 2)/2``;
      for ``x = 0`` the lower limit is exactly 0 (SciPy's ``chi2.ppf(q, 0)`` is NaN, R's
      ``qchisq`` is 0).
    * ``x >= 10``: Byar's approximation (:func:`byar_count_limits`).
    * Threshold 10 as in PHEindicatormethods and the technical guidance (docs/methods.md §10 notes
      an older spreadsheet that used 389).

    References
    ----------
    Fingertips technical guidance "Rates"; PHEindicatormethods ``R/Rates.R`` and ``R/utils.R``;
    Breslow & Day (1987).

    Examples
    --------
    >>> lower, upper = poisson_count_limits([0, 5, 65])
    >>> print(lower.round(4), upper.round(4))
    [ 0.      1.6235 50.1632] [ 3.6889 11.6683 82.8491]
    """
    conf = check_confidence(confidence)
    x = _as_count_array(count)
    if x.ndim != 1:
        raise ValueError(f"count: expected a one-dimensional array-like, got shape {x.shape}")
    _check_counts(x, "count")
    return count_limits_unchecked(x, conf)


def output_index(n: int, **inputs: object) -> pd.Index | None:
    """The index for an output of length ``n``: that of the Series inputs of length ``n``.

    Raises ValueError if two Series inputs of that length have different indexes (they would
    be paired by position, not label, which is rarely what the caller meant).
    """
    chosen: tuple[str, pd.Index] | None = None
    for name, value in inputs.items():
        if isinstance(value, pd.Series) and len(value) == n:
            if chosen is None:
                chosen = (name, value.index)
            elif not value.index.equals(chosen[1]):
                raise ValueError(
                    f"{name}: its index differs from the index of {chosen[0]} "
                    "(rule: Series inputs must share one index; align them first, "
                    "or pass arrays to pair values by position)"
                )
    return None if chosen is None else chosen[1]


def ci_frame(
    first: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    index: pd.Index | None,
    first_name: str = VALUE,
) -> pd.DataFrame:
    """Build the fixed ``[value|ratio, lower_ci, upper_ci]`` output frame without copying."""
    return pd.DataFrame(
        {first_name: first, LOWER_CI: lower, UPPER_CI: upper}, index=index, copy=False
    )


def check_multiplier(multiplier: object) -> float:
    """Return ``multiplier`` as a float if it is a positive finite number, else raise ValueError."""
    ok = isinstance(multiplier, int | float | np.integer | np.floating) and not isinstance(
        multiplier, bool
    )
    if not ok or not np.isfinite(float(multiplier)) or float(multiplier) <= 0:
        raise ValueError(
            f"multiplier: expected a positive number (e.g. 100 for a percentage), got {multiplier!r}"
        )
    return float(multiplier)


def _float_view(value: object, name: str) -> np.ndarray:
    """A 1-D float64 array for ``value``: a view of float64 input (no copy), else coerced.

    The fast path only skips a copy; it accepts exactly what ``as_float_array`` accepts
    (float64 data are numbers or NaN). Callers never write into the returned array.
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64 and value.ndim == 1:
        return value
    if isinstance(value, pd.Series) and value.dtype == np.float64:
        return value.to_numpy()
    return as_float_array(value, name)[0]


def coerce_inputs(**values: object) -> tuple[dict[str, np.ndarray], pd.Index | None]:
    """Coerce named array-likes to float64 arrays, broadcast scalars, pick the output index.

    Non-numeric values and mismatched lengths raise ValueError naming the argument
    (``_common.as_float_array`` / ``_common.broadcast_scalars``).
    """
    arrays = {name: _float_view(value, name) for name, value in values.items()}
    arrays = broadcast_scalars(**arrays)
    n = len(next(iter(arrays.values())))
    return arrays, output_index(n, **values)
