"""Proportions with Wilson score confidence intervals (Fingertips / PHEindicatormethods).

Public: :func:`proportion_ci`. Private primitive: :func:`_wilson` (vectorised, unchecked).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import check_confidence, fail_if, z_value
from ._poisson import check_multiplier, ci_frame, coerce_inputs

__all__ = ["proportion_ci"]


def _wilson(
    x: np.ndarray, n: np.ndarray, z: float, multiplier: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value and Wilson score limits (no continuity correction), scaled by ``multiplier``.

    Unchecked: the caller guarantees 0 <= x <= n and n > 0 (NaN passes through).
    """
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        root = 4.0 * x
        root *= 1.0 - p
        root += z2
        np.sqrt(root, out=root)
        root *= z
        centre = 2.0 * x
        centre += z2
        scale = n + z2
        np.divide(multiplier / 2.0, scale, out=scale)
        lower = centre - root
        lower *= scale
        centre += root
        centre *= scale
        upper = centre
        p *= multiplier
    # Closed-form edge cases made exact (rounding could leave 1 ulp): x = 0 -> lower 0,
    # x = n -> upper 1 x multiplier; then clamp to [0, multiplier] (NaN stays NaN).
    np.copyto(lower, 0.0, where=x == 0.0)
    np.copyto(upper, multiplier, where=x == n)
    np.maximum(lower, 0.0, out=lower)
    np.minimum(upper, multiplier, out=upper)
    return p, lower, upper


def proportion_ci(
    numerator: object,
    denominator: object,
    confidence: float = 0.95,
    multiplier: float = 100,
) -> pd.DataFrame:
    """Proportion with its Wilson score confidence interval (Fingertips method).

    Parameters
    ----------
    numerator : array-like or scalar
        Numerators ``x`` (>= 0). Non-integer values are allowed (e.g. weighted counts).
    denominator : array-like or scalar
        Denominators ``n`` (> 0, >= numerator).
    confidence : {0.95, 0.998}
        Two-sided confidence level (95 and 99.8 are rejected with a hint).
    multiplier : float, default 100
        Scale of the output: 100 for a percentage, 1 for a proportion, 1000 for "per 1,000".

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower_ci, upper_ci``, one row per input row. If an input is a
        pandas Series its index is kept (Series inputs must share one index). A scalar is
        broadcast against an array.

    Raises
    ------
    ValueError
        ``confidence`` not 0.95/0.998; ``multiplier`` not a positive number; non-numeric
        values; inputs of different lengths; Series inputs with different indexes; any
        numerator < 0, denominator <= 0 or numerator > denominator (the message names the
        argument, the rule, the count and the first positions).

    Notes
    -----
    ``value = x/n × M`` and, with ``z = Φ⁻¹(1 − α/2)``,
    ``(2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²)) × M``; no continuity correction.
    ``x = 0`` gives lower exactly 0 and ``x = n`` upper exactly ``M``; limits are clamped
    to ``[0, M]``. A missing numerator or denominator gives NaN in all three columns.

    References
    ----------
    .. [1] Fingertips Public Health Technical Guidance, "Proportions".
       https://fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Basic_statistics/Proportions.html
    .. [2] PHEindicatormethods (R) ``phe_proportion``, ``R/Proportions.R`` and
       ``wilson_lower``/``wilson_upper`` in ``R/utils.R``.
    .. [3] Wilson EB (1927). Probable inference, the law of succession, and statistical
       inference. J Am Stat Assoc 22:209-212.

    Examples
    --------
    >>> proportion_ci([65, 0], [100, 100]).round(4)
       value  lower_ci  upper_ci
    0   65.0   55.2544   73.6358
    1    0.0    0.0000    3.6993
    """
    conf = check_confidence(confidence)
    mult = check_multiplier(multiplier)
    arrays, index = coerce_inputs(numerator=numerator, denominator=denominator)
    x, n = arrays["numerator"], arrays["denominator"]
    fail_if(x < 0, "numerator", "are negative", "numerator >= 0", index)
    fail_if(n <= 0, "denominator", "are zero or negative", "denominator > 0", index)
    fail_if(
        x > n, "numerator", "are greater than the denominator", "numerator <= denominator", index
    )
    value, lower, upper = _wilson(x, n, z_value(conf), mult)
    return ci_frame(value, lower, upper, index)
