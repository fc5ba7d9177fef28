"""Ratios with confidence intervals: two rates (or proportions), and observed / expected.

Public: :func:`rate_ratio_ci` (ratio of two independent rates or proportions, log method) and
:func:`observed_expected_ci` (indirectly standardised ratio O/E, exact below 10 / Byar's).
Both return the fixed columns ``ratio, lower_ci, upper_ci``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import check_confidence, fail_if, z_value
from ._poisson import RATIO, ci_frame, coerce_inputs, count_limits_unchecked

__all__ = ["observed_expected_ci", "rate_ratio_ci"]

#: Accepted ``method`` words of :func:`rate_ratio_ci` (matched exactly).
RATE_RATIO_METHODS: tuple[str, str] = ("poisson", "binomial")


def rate_ratio_ci(
    numerator_1: object,
    denominator_1: object,
    numerator_2: object,
    denominator_2: object,
    confidence: float = 0.95,
    *,
    method: str = "poisson",
) -> pd.DataFrame:
    """Ratio of two independent rates or proportions (group 1 over group 2), log method.

    For a relative change from period 2 to period 1 (e.g. dental access Jan–Jun 2019 →
    Jan–Jun 2022), the change is ``ratio − 1`` with limits ``lower_ci − 1``, ``upper_ci − 1``.

    Parameters
    ----------
    numerator_1, denominator_1 : array-like or scalar
        Count (>= 0) and denominator (> 0) of group 1 (the numerator of the ratio).
    numerator_2, denominator_2 : array-like or scalar
        Count and denominator of group 2 (the reference).
    confidence : {0.95, 0.998}
        Two-sided confidence level.
    method : {"poisson", "binomial"}, keyword-only, default "poisson"
        Variance of the log ratio:

        * ``"poisson"`` — rates (events per population or person-time):
          ``SE² = 1/x₁ + 1/x₂`` (Wald interval on the log scale, "wald-log");
        * ``"binomial"`` — proportions (people with the outcome out of ``n``; needs
          ``x ≤ n``): ``SE² = 1/x₁ − 1/n₁ + 1/x₂ − 1/n₂`` (Katz et al. 1978).

        For a proportion the binomial form is the narrower, correct one; the Poisson form is
        conservative when the proportions are small and wider when they are large.

    Returns
    -------
    pandas.DataFrame
        Columns ``ratio, lower_ci, upper_ci``, one row per input row; a Series input's index is
        kept (Series inputs must share one index); scalars broadcast.

    Raises
    ------
    ValueError
        ``confidence`` not 0.95/0.998; ``method`` not one of the two words; non-numeric values;
        inputs of different lengths; Series inputs with different indexes; any numerator < 0
        or denominator <= 0; with ``method="binomial"`` any numerator > its denominator.

    Notes
    -----
    ``ratio = (x₁/n₁) / (x₂/n₂)``, limits ``ratio · exp(∓ z · SE)``. The log method is undefined
    when a count is 0: then ``lower_ci`` and ``upper_ci`` are NaN, and ``ratio`` is 0 when
    ``x₁ = 0`` and NaN when ``x₂ = 0``. Missing inputs give NaN.

    References
    ----------
    .. [1] Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the
       risk ratio in cohort studies. Biometrics 34:469-474.
    .. [2] Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14
       (rate ratio, Wald interval on the log scale).
    .. [3] statsmodels ``stats.rates.confint_poisson_2indep(method="wald-log",
       compare="ratio")`` and ``stats.proportion.confint_proportions_2indep(method="log",
       compare="ratio")`` (same formulas, used as an independent check in the tests).

    Examples
    --------
    >>> rate_ratio_ci(30, 1000, 20, 1500).round(4)
       ratio  lower_ci  upper_ci
    0   2.25    1.2778    3.9619
    """
    conf = check_confidence(confidence)
    if not isinstance(method, str) or method not in RATE_RATIO_METHODS:
        raise ValueError(f"method: expected one of {list(RATE_RATIO_METHODS)}, got {method!r}")
    arrays, index = coerce_inputs(
        numerator_1=numerator_1,
        denominator_1=denominator_1,
        numerator_2=numerator_2,
        denominator_2=denominator_2,
    )
    x1, n1 = arrays["numerator_1"], arrays["denominator_1"]
    x2, n2 = arrays["numerator_2"], arrays["denominator_2"]
    for name, x in (("numerator_1", x1), ("numerator_2", x2)):
        fail_if(x < 0, name, "are negative", f"{name} >= 0", index)
    for name, n in (("denominator_1", n1), ("denominator_2", n2)):
        fail_if(n <= 0, name, "are zero or negative", f"{name} > 0", index)
    if method == "binomial":
        for k, x, n in (("1", x1, n1), ("2", x2, n2)):
            fail_if(
                x > n,
                f"numerator_{k}",
                f"are greater than denominator_{k}",
                f"numerator_{k} <= denominator_{k} for method='binomial'",
                index,
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (x1 / n1) / (x2 / n2)
        variance = 1.0 / x1 + 1.0 / x2
        if method == "binomial":
            variance -= 1.0 / n1 + 1.0 / n2
        spread = np.exp(z_value(conf) * np.sqrt(variance))
        lower = ratio / spread
        upper = ratio * spread
    ratio[x2 == 0] = np.nan
    undefined = (x1 == 0) | (x2 == 0)
    lower[undefined] = np.nan
    upper[undefined] = np.nan
    return ci_frame(ratio, lower, upper, index, first_name=RATIO)


def observed_expected_ci(
    observed: object,
    expected: object,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratio O/E (e.g. an SMR, or observed vs expected deaths).

    Parameters
    ----------
    observed : array-like or scalar
        Observed counts ``O`` (>= 0; non-integers allowed).
    expected : array-like or scalar
        Expected counts ``E`` (> 0), e.g. ``Σ reference rate × local population``.
    confidence : {0.95, 0.998}
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``ratio, lower_ci, upper_ci`` (ratio = ``O/E``; multiply all three by 100 for
        the "SMR × 100" convention, or by a reference rate for an indirectly standardised
        rate; ``ratio − 1`` is the relative excess). A Series input's index is kept.

    Raises
    ------
    ValueError
        ``confidence`` not 0.95/0.998; non-numeric values; inputs of different lengths;
        Series inputs with different indexes; any observed < 0 or expected <= 0.

    Notes
    -----
    Limits ``O_L / E`` and ``O_U / E`` with the Poisson limits of ``O``: exact chi-square limits
    for ``O < 10`` (lower 0 when ``O = 0``), Byar's approximation otherwise — the rule of
    PHEindicatormethods ``calculate_ISRatio``/``calculate_ISRate`` (docs/methods.md §4.1–4.2).
    ``E`` is treated as fixed (its sampling error is ignored, as in Fingertips). Missing
    inputs give NaN.

    References
    ----------
    .. [1] Fingertips Public Health Technical Guidance, "Indirectly standardised ratios".
    .. [2] PHEindicatormethods (R) ``calculate_ISRatio``, ``R/ISRatio.R``; ``calculate_ISRate``,
       ``R/ISRate.R``.
    .. [3] Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, Vol. II. IARC
       Scientific Publications No. 82 (SMR and Byar's approximation).

    Examples
    --------
    >>> observed_expected_ci([895, 9], [835.88356123117433, 9.0]).round(4)
        ratio  lower_ci  upper_ci
    0  1.0707    1.0017    1.1432
    1  1.0000    0.4573    1.8983
    """
    conf = check_confidence(confidence)
    arrays, index = coerce_inputs(observed=observed, expected=expected)
    o, e = arrays["observed"], arrays["expected"]
    fail_if(o < 0, "observed", "are negative", "observed >= 0", index)
    fail_if(e <= 0, "expected", "are zero or negative", "expected > 0", index)
    lower, upper = count_limits_unchecked(o, conf)
    lower /= e
    upper /= e
    return ci_frame(o / e, lower, upper, index, first_name=RATIO)
