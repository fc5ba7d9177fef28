"""Crude rates with exact Poisson (counts < 10) or Byar's (counts >= 10) confidence limits.

Public: :func:`rate_ci`. The count-scale limits are the shared primitive
:func:`rutland_jsna.stats._poisson.poisson_count_limits`.
"""

from __future__ import annotations

import pandas as pd

from ._common import check_confidence, fail_if
from ._poisson import check_multiplier, ci_frame, coerce_inputs, count_limits_unchecked

__all__ = ["rate_ci"]


def rate_ci(
    numerator: object,
    denominator: object,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate with exact Poisson (count < 10) or Byar's (count >= 10) confidence limits.

    Parameters
    ----------
    numerator : array-like or scalar
        Event counts ``x`` (>= 0; non-integers allowed).
    denominator : array-like or scalar
        Populations or person-years ``n`` (> 0). There is no ``x <= n`` rule.
    confidence : {0.95, 0.998}
        Two-sided confidence level (95 and 99.8 are rejected with a hint).
    multiplier : float, default 100_000
        Scale of the output ("per 100,000").

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower_ci, upper_ci``, one row per input row; a Series input's index
        is kept (Series inputs must share one index); a scalar is broadcast.

    Raises
    ------
    ValueError
        ``confidence`` not 0.95/0.998; ``multiplier`` not a positive number; non-numeric
        values; inputs of different lengths; Series inputs with different indexes; any
        numerator < 0 or denominator <= 0.

    Notes
    -----
    ``value = x/n × M``; limits are count limits ``O_L, O_U`` divided by ``n`` times ``M``:

    * ``x < 10``: exact, ``O_L = χ²_{α/2}(2x)/2`` (0 when ``x = 0``),
      ``O_U = χ²_{1−α/2}(2x + 2)/2``;
    * ``x >= 10``: Byar's, ``O_L = x(1 − 1/(9x) − z/(3√x))³``,
      ``O_U = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³``.

    The exact branch is evaluated only for the rows below 10 (integer counts from a table
    computed once per confidence level). Missing inputs give NaN.

    References
    ----------
    .. [1] Fingertips Public Health Technical Guidance, "Rates".
       https://fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Basic_statistics/Rates.html
    .. [2] PHEindicatormethods (R) ``phe_rate``, ``R/Rates.R``; ``byars_lower``/``byars_upper``
       in ``R/utils.R``.
    .. [3] Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, Vol. II.
       IARC Scientific Publications No. 82 (Byar's approximation).

    Examples
    --------
    >>> rate_ci([1, 20], [100, 100], multiplier=100).round(4)
       value  lower_ci  upper_ci
    0    1.0    0.0253    5.5716
    1   20.0   12.2114   30.8899
    """
    conf = check_confidence(confidence)
    mult = check_multiplier(multiplier)
    arrays, index = coerce_inputs(numerator=numerator, denominator=denominator)
    x, n = arrays["numerator"], arrays["denominator"]
    fail_if(x < 0, "numerator", "are negative", "numerator >= 0", index)
    fail_if(n <= 0, "denominator", "are zero or negative", "denominator > 0", index)
    lower, upper = count_limits_unchecked(x, conf)
    scale = mult / n
    lower *= scale
    upper *= scale
    scale *= x
    return ci_frame(scale, lower, upper, index)
