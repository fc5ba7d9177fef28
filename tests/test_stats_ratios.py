"""rate_ratio_ci (log method) and observed_expected_ci (O/E, exact below 10 / Byar's).

Expected values: statsmodels (an independent implementation of the same log-method formulas),
numbers worked out by hand below, and the PHEindicatormethods ISR vectors of methods.md §4.2
(testdata_DSR_ISR.xlsx, sheet testresults_ISR).
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.rates import confint_poisson, confint_poisson_2indep

import rutland_jsna.stats.ratios as ratios_module
from rutland_jsna.stats import observed_expected_ci, rate_ratio_ci

RTOL = 1e-10
COLUMNS = ["ratio", "lower_ci", "upper_ci"]


# --- rate_ratio_ci: independent values -----------------------------------------------------------


@pytest.fixture(scope="module")
def random_pairs():
    rng = np.random.default_rng(42)
    n1 = rng.integers(50, 200_000, 300).astype(float)
    n2 = rng.integers(50, 200_000, 300).astype(float)
    x1 = rng.binomial(n1.astype(int), rng.uniform(0.01, 0.9, 300)).astype(float)
    x2 = rng.binomial(n2.astype(int), rng.uniform(0.01, 0.9, 300)).astype(float)
    assert (x1 > 0).all() and (x2 > 0).all()
    return x1, n1, x2, n2


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_poisson_method_matches_statsmodels_wald_log(random_pairs, confidence):
    x1, n1, x2, n2 = random_pairs
    lower, upper = confint_poisson_2indep(
        x1, n1, x2, n2, method="wald-log", compare="ratio", alpha=1 - confidence
    )
    got = rate_ratio_ci(x1, n1, x2, n2, confidence=confidence)
    np.testing.assert_allclose(got["ratio"], (x1 / n1) / (x2 / n2), rtol=RTOL)
    np.testing.assert_allclose(got["lower_ci"], lower, rtol=RTOL)
    np.testing.assert_allclose(got["upper_ci"], upper, rtol=RTOL)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_binomial_method_matches_statsmodels_log(random_pairs, confidence):
    x1, n1, x2, n2 = random_pairs
    lower, upper = confint_proportions_2indep(
        x1, n1, x2, n2, method="log", compare="ratio", alpha=1 - confidence
    )
    got = rate_ratio_ci(x1, n1, x2, n2, confidence=confidence, method="binomial")
    np.testing.assert_allclose(got["lower_ci"], lower, rtol=RTOL)
    np.testing.assert_allclose(got["upper_ci"], upper, rtol=RTOL)


def test_relative_change_in_dental_access_worked_by_hand():
    # Jan-Jun 2022: 9,000 of 41,000 seen; Jan-Jun 2019: 12,000 of 40,000 (reference period).
    # ratio = (9000/41000) / (12000/40000) = 0.2195122 / 0.3 = 0.7317073
    # Poisson: SE = sqrt(1/9000 + 1/12000) = 0.0139443; exp(±1.959964 × SE) = 1.0277072^±1
    #   -> (0.7119803, 0.7519809); relative change -26.8% (-28.8%, -24.8%)
    # Binomial: SE = sqrt(1/9000 - 1/41000 + 1/12000 - 1/40000) = 0.0120438
    #   -> (0.7146373, 0.7491851)
    got = rate_ratio_ci(9000, 41000, 12000, 40000).iloc[0]
    assert got["ratio"] == pytest.approx(0.7317073170731707, rel=1e-12)
    assert got["lower_ci"] == pytest.approx(0.7119802711374564, rel=1e-9)
    assert got["upper_ci"] == pytest.approx(0.7519809460493505, rel=1e-9)
    change = got - 1
    assert round(change["ratio"] * 100, 1) == -26.8
    assert round(change["lower_ci"] * 100, 1) == -28.8
    assert round(change["upper_ci"] * 100, 1) == -24.8
    got = rate_ratio_ci(9000, 41000, 12000, 40000, method="binomial").iloc[0]
    assert got["lower_ci"] == pytest.approx(0.7146372645497644, rel=1e-9)
    assert got["upper_ci"] == pytest.approx(0.7491851102891023, rel=1e-9)


def test_binomial_is_narrower_than_poisson_for_proportions():
    poisson = rate_ratio_ci(9000, 41000, 12000, 40000).iloc[0]
    binomial = rate_ratio_ci(9000, 41000, 12000, 40000, method="binomial").iloc[0]
    assert binomial["upper_ci"] - binomial["lower_ci"] < poisson["upper_ci"] - poisson["lower_ci"]


# --- rate_ratio_ci: edge cases -------------------------------------------------------------------


def test_zero_counts_give_nan_limits():
    got = rate_ratio_ci([0, 5, 0], [100, 100, 100], [5, 0, 0], [100, 100, 100])
    assert got["ratio"].iloc[0] == 0.0
    assert np.isnan(got["ratio"].iloc[1]) and np.isnan(got["ratio"].iloc[2])
    assert got[["lower_ci", "upper_ci"]].isna().all().all()


def test_nan_inputs_give_nan_rows_only():
    got = rate_ratio_ci([10, np.nan], [100, 100], [20, 20], [100, 100])
    assert got.iloc[1].isna().all()
    assert got.iloc[0].notna().all()


def test_binomial_accepts_x_equal_to_n():
    got = rate_ratio_ci(50, 50, 40, 50, method="binomial").iloc[0]
    # SE = sqrt(0 + 1/40 - 1/50) = sqrt(0.005); ratio 1.25
    assert got["ratio"] == pytest.approx(1.25)
    assert got["upper_ci"] == pytest.approx(1.25 * np.exp(1.959963984540054 * np.sqrt(0.005)))


def test_scalars_broadcast_and_columns_fixed():
    got = rate_ratio_ci([10, 20, 30], 1000, 15, 1000)
    assert got.columns.tolist() == COLUMNS
    assert got["ratio"].tolist() == pytest.approx([10 / 15, 20 / 15, 30 / 15])


# --- rate_ratio_ci: validation ------------------------------------------------------------------


def test_negative_numerator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"numerator_2: 1 value is negative \(rule: numerator_2 >= 0\) at positions \[1\]",
    ):
        rate_ratio_ci([1, 2], 10, [1, -2], 10)


def test_non_positive_denominator_is_an_error():
    with pytest.raises(
        ValueError, match=r"denominator_1: 1 value is zero or negative \(rule: denominator_1 > 0\)"
    ):
        rate_ratio_ci(1, 0, 1, 10)


def test_binomial_numerator_above_denominator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"numerator_1: 1 value is greater than denominator_1 "
        r"\(rule: numerator_1 <= denominator_1 for method='binomial'\)",
    ):
        rate_ratio_ci(11, 10, 1, 10, method="binomial")
    # the Poisson method has no such rule
    assert rate_ratio_ci(11, 10, 1, 10)["ratio"].iloc[0] == pytest.approx(11.0)


def test_unknown_method_is_an_error():
    with pytest.raises(
        ValueError, match=r"method: expected one of \['poisson', 'binomial'\], got 'log'"
    ):
        rate_ratio_ci(1, 10, 1, 10, method="log")


def test_rate_ratio_lengths_and_confidence_are_checked():
    with pytest.raises(
        ValueError, match=r"numerator_1 has 2, denominator_1 has 2, numerator_2 has 3"
    ):
        rate_ratio_ci([1, 2], [10, 10], [1, 2, 3], 10)
    with pytest.raises(ValueError, match=r"confidence=0\.95"):
        rate_ratio_ci(1, 10, 1, 10, confidence=95)


def test_rate_ratio_non_numeric_is_an_error():
    with pytest.raises(ValueError, match=r"denominator_2: 1 value is not numeric"):
        rate_ratio_ci(1, 10, 1, "ten")


# --- observed_expected_ci ------------------------------------------------------------------------

REF_RATE = 9349.8830922110192  # methods.md §4.2 (testresults_ISR)


@pytest.mark.parametrize(
    "confidence, expected_value, lower, upper",
    [(0.95, 10011.137622091057, 9365.91600297888, 10689.097582910616)],
)
def test_isr_vector_byar(confidence, expected_value, lower, upper):
    got = observed_expected_ci(895, 835.88356123117433, confidence=confidence).iloc[0]
    assert got["ratio"] == pytest.approx(expected_value / REF_RATE, rel=1e-8)
    assert got["lower_ci"] == pytest.approx(lower / REF_RATE, rel=1e-8)
    assert got["upper_ci"] == pytest.approx(upper / REF_RATE, rel=1e-8)


def test_isr_vector_exact_below_ten():
    # methods.md §4.2: O = 9 -> value 100.6706576523123, 95% (46.033035133078933,
    # 191.10426659054028) on the rate scale; the limits relative to the value do not depend on E
    got = observed_expected_ci(9, 4.5).iloc[0]
    assert got["ratio"] == 2.0
    assert got["lower_ci"] / got["ratio"] == pytest.approx(
        46.033035133078933 / 100.6706576523123, rel=1e-8
    )
    assert got["upper_ci"] / got["ratio"] == pytest.approx(
        191.10426659054028 / 100.6706576523123, rel=1e-8
    )


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_branch_matches_statsmodels(confidence):
    observed = np.array([0, 1, 4, 9, 2.5])
    expected = np.array([3.0, 2.0, 7.5, 12.0, 1.25])
    lower, upper = confint_poisson(observed, expected, method="exact-c", alpha=1 - confidence)
    got = observed_expected_ci(observed, expected, confidence=confidence)
    np.testing.assert_allclose(got["lower_ci"], lower, rtol=1e-12)
    np.testing.assert_allclose(got["upper_ci"], upper, rtol=1e-12)
    assert got["lower_ci"].iloc[0] == 0.0


def test_byar_from_ten():
    # methods.md §2: Byar at 10, 99.8%: (2.916318374695686, 24.193724927880535)
    got = observed_expected_ci(10, 2.0, confidence=0.998).iloc[0]
    assert got["lower_ci"] == pytest.approx(2.916318374695686 / 2, rel=1e-10)
    assert got["upper_ci"] == pytest.approx(24.193724927880535 / 2, rel=1e-10)


def test_observed_expected_nan_and_index():
    index = pd.Index(["E06000017", "E06000016"], name="area_code")
    got = observed_expected_ci(pd.Series([np.nan, 20.0], index=index), 10.0)
    assert got.index.equals(index)
    assert got.iloc[0].isna().all()
    assert got.columns.tolist() == COLUMNS


def test_observed_expected_validation():
    with pytest.raises(ValueError, match=r"observed: 1 value is negative \(rule: observed >= 0\)"):
        observed_expected_ci([-1, 3], [1, 1])
    with pytest.raises(
        ValueError, match=r"expected: 2 values are zero or negative \(rule: expected > 0\)"
    ):
        observed_expected_ci([1, 3], [0, -1])
    with pytest.raises(ValueError, match=r"observed has 2, expected has 3"):
        observed_expected_ci([1, 3], [1, 1, 1])
    with pytest.raises(ValueError, match=r"confidence: expected 0\.95 or 0\.998"):
        observed_expected_ci(1, 1, confidence=0.99)
    with pytest.raises(ValueError, match=r"expected: 1 value is not numeric"):
        observed_expected_ci(1, "one")


# --- properties ---------------------------------------------------------------------------------

pairs = st.tuples(
    st.integers(1, 10**6), st.integers(1, 10**7), st.integers(1, 10**6), st.integers(1, 10**7)
)


@given(pairs)
def test_rate_ratio_bounds_nest_and_invert(p):
    x1, n1, x2, n2 = p
    ci95 = rate_ratio_ci(x1, n1, x2, n2).iloc[0]
    ci998 = rate_ratio_ci(x1, n1, x2, n2, confidence=0.998).iloc[0]
    assert ci95["lower_ci"] <= ci95["ratio"] <= ci95["upper_ci"]
    assert ci998["lower_ci"] <= ci95["lower_ci"] and ci998["upper_ci"] >= ci95["upper_ci"]
    swapped = rate_ratio_ci(x2, n2, x1, n1).iloc[0]
    assert swapped["lower_ci"] == pytest.approx(1 / ci95["upper_ci"], rel=1e-12)


@given(st.integers(0, 10**6), st.floats(0.01, 1e6))
def test_observed_expected_bounds_nest(o, e):
    ci95 = observed_expected_ci(o, e).iloc[0]
    ci998 = observed_expected_ci(o, e, confidence=0.998).iloc[0]
    assert 0 <= ci95["lower_ci"] <= ci95["ratio"] <= ci95["upper_ci"]
    assert ci998["lower_ci"] <= ci95["lower_ci"] and ci998["upper_ci"] >= ci95["upper_ci"]


@settings(max_examples=30)
@given(st.lists(pairs, min_size=1, max_size=10))
def test_list_array_series_give_identical_results(rows):
    cols = [list(c) for c in zip(*rows, strict=True)]
    index = pd.RangeIndex(10, 10 + len(rows))
    from_list = rate_ratio_ci(*cols)
    pd.testing.assert_frame_equal(from_list, rate_ratio_ci(*[np.array(c) for c in cols]))
    from_series = rate_ratio_ci(*[pd.Series(c, index=index) for c in cols])
    assert from_series.index.equals(index)
    np.testing.assert_array_equal(from_series.to_numpy(), from_list.to_numpy())
    oe_list = observed_expected_ci(cols[0], cols[1])
    oe_series = observed_expected_ci(
        pd.Series(cols[0], index=index), pd.Series(cols[1], index=index)
    )
    np.testing.assert_array_equal(oe_series.to_numpy(), oe_list.to_numpy())
    assert oe_series.index.equals(index)


def test_docstring_examples_run():
    result = doctest.testmod(ratios_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_read_only_inputs_are_not_written():
    arrays = [np.array([10.0, 0.0]), np.array([100.0, 100.0]), np.array([0.0, 5.0])]
    for a in arrays:
        a.flags.writeable = False
    got = rate_ratio_ci(arrays[0], arrays[1], arrays[2], arrays[1])
    assert got["ratio"].iloc[1] == 0.0
    got = observed_expected_ci(arrays[0], arrays[1])
    assert got["ratio"].tolist() == [0.1, 0.0]
