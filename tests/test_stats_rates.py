"""rate_ci and the shared Poisson count limits (exact below 10, Byar's from 10).

Expected values come from PHEindicatormethods (tests/data/pheindicatormethods/rate_byar_exact.csv,
see tests/data/README.md), the vectors written out in methods.md §2 (PIM testdata_B_W and
testdata_Rate.xlsx), and statsmodels' independent exact Poisson interval (``exact-c``).
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.rates import confint_poisson

import rutland_jsna.stats._poisson as poisson_module
import rutland_jsna.stats.rates as rates_module
from rutland_jsna.stats import rate_ci
from rutland_jsna.stats._poisson import (
    byar_count_limits,
    exact_count_limits,
    poisson_count_limits,
)

DATA = Path(__file__).parent / "data" / "pheindicatormethods"
RTOL, ATOL = 1e-8, 1e-12
COLUMNS = ["value", "lower_ci", "upper_ci"]


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(DATA / "rate_byar_exact.csv")


# --- conformance ------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence, suffix", [(0.95, "95"), (0.998, "99_8")])
def test_matches_pheindicatormethods_reference(reference, confidence, suffix):
    got = rate_ci(reference["numerator"], reference["denominator"], confidence=confidence)
    assert len(got) == 2000
    np.testing.assert_allclose(got["value"], reference["value"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        got["lower_ci"], reference[f"lower_ci_{suffix}"], rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        got["upper_ci"], reference[f"upper_ci_{suffix}"], rtol=RTOL, atol=ATOL
    )


def test_reference_covers_both_sides_of_the_threshold(reference):
    counts = reference["numerator"]
    assert (counts == 0).sum() > 10
    for k in (9, 10):
        assert (counts == k).any(), k


# methods.md §2 phe_rate rows (multiplier 100): x, n, confidence, value, lower, upper
PHE_RATE_ROWS = [
    (1, 100, 0.95, 1.0, 0.025317807984289897, 5.571643390938898),
    (1, 100, 0.998, 1.0, 0.0010005003335835344, 9.2334134764515845),
    (5, 100, 0.95, 5.0, 1.62348639011842, 11.668332079322669),
    (20, 100, 0.95, 20.0, 12.211428834875937, 30.889880369197066),
    (9856, 12345, 0.95, 79.837991089509913, 78.269490589767571, 81.430016542721404),
]


@pytest.mark.parametrize("x, n, confidence, value, lower, upper", PHE_RATE_ROWS)
def test_methods_md_phe_rate_rows(x, n, confidence, value, lower, upper):
    got = rate_ci(x, n, confidence=confidence, multiplier=100).iloc[0]
    assert got["value"] == pytest.approx(value, rel=RTOL)
    assert got["lower_ci"] == pytest.approx(lower, rel=RTOL, abs=ATOL)
    assert got["upper_ci"] == pytest.approx(upper, rel=RTOL, abs=ATOL)


# methods.md §2 Byar vectors (count scale): x, confidence, lower (None = NA), upper
BYAR_VECTORS = [
    (65, 0.95, 50.163187710459454, 82.849138545939837),
    (1045, 0.95, 982.59320180733255, 1110.3312129856499),
    (1, 0.95, 0.013072132901504351, 5.5637555824752605),
    (65, 0.998, 42.880261471480203, 94.000290844318016),
    (10, 0.998, 2.916318374695686, 24.193724927880535),
    (1, 0.998, None, 9.362180217908362),
]


@pytest.mark.parametrize("x, confidence, lower, upper", BYAR_VECTORS)
def test_byar_count_limits_methods_md_vectors(x, confidence, lower, upper):
    got_lower, got_upper = byar_count_limits([x], confidence)
    if lower is None:
        assert np.isnan(got_lower[0])  # negative Byar lower limit -> NA, as byars_lower
    else:
        assert got_lower[0] == pytest.approx(lower, rel=RTOL)
    assert got_upper[0] == pytest.approx(upper, rel=RTOL)


def test_threshold_is_ten_byar_at_ten_exact_below():
    # methods.md §2: x = 10 at 95%: Byar lower 4.787450 vs exact 4.795389
    lower, _ = poisson_count_limits([10], 0.95)
    assert lower[0] == pytest.approx(4.787450, abs=5e-7)
    # x = 10 at 99.8%: Byar (2.916318374695686, 24.193724927880535), exact would be 2.960520
    lower, upper = poisson_count_limits([10], 0.998)
    assert lower[0] == pytest.approx(2.916318374695686, rel=RTOL)
    assert upper[0] == pytest.approx(24.193724927880535, rel=RTOL)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_counts_below_ten_match_statsmodels_exact(confidence):
    # integer counts (lookup table) and non-integer counts (chi2 on those rows) alike
    x = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0.2, 0.5, 2.5, 9.5, 9.999])
    exp_lower, exp_upper = confint_poisson(x, 1.0, method="exact-c", alpha=1 - confidence)
    lower, upper = poisson_count_limits(x, confidence)
    np.testing.assert_allclose(lower, exp_lower, rtol=1e-12, atol=0)
    np.testing.assert_allclose(upper, exp_upper, rtol=1e-12, atol=0)
    lower, upper = exact_count_limits(x, confidence)
    np.testing.assert_allclose(lower, exp_lower, rtol=1e-12, atol=0)
    np.testing.assert_allclose(upper, exp_upper, rtol=1e-12, atol=0)


def test_exact_branch_only_below_ten_in_mixed_input():
    # a mixed column must give, row by row, what each count gives on its own
    x = np.array([25.0, 3.0, 10.0, 9.0, 0.0, 9.5, 100.0, np.nan])
    lower, upper = poisson_count_limits(x, 0.95)
    for i, xi in enumerate(x):
        li, ui = poisson_count_limits([xi], 0.95)
        np.testing.assert_array_equal([lower[i], upper[i]], [li[0], ui[0]])
    exp_lower, exp_upper = confint_poisson(np.array([3.0, 9.0, 0.0, 9.5]), 1.0, method="exact-c")
    np.testing.assert_allclose(lower[[1, 3, 4, 5]], exp_lower, rtol=1e-12)
    np.testing.assert_allclose(upper[[1, 3, 4, 5]], exp_upper, rtol=1e-12)


def test_zero_count_upper_limits():
    # methods.md §2: x = 0 upper 3.6888794541139354 (95%), 6.907755 (99.8%); lower exactly 0
    lower, upper = poisson_count_limits([0], 0.95)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(3.6888794541139354, rel=RTOL)
    lower, upper = poisson_count_limits([0], 0.998)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(6.907755, abs=5e-7)


# --- edge cases -------------------------------------------------------------------------------


def test_zero_count_rate_has_lower_exactly_zero():
    got = rate_ci([0, 0], [740, 8235], confidence=0.998)
    assert (got["lower_ci"] == 0.0).all()
    assert (got["value"] == 0.0).all()


def test_nan_inputs_give_nan_rows_only():
    got = rate_ci([5, np.nan, 5, 50], [1000, 1000, np.nan, 1000])
    assert got.iloc[1:3].isna().all().all()
    assert got.iloc[[0, 3]].notna().all().all()


def test_rate_can_exceed_multiplier():
    # no numerator <= denominator rule for rates (e.g. repeat events per person-year)
    got = rate_ci(30, 10, multiplier=1).iloc[0]
    assert got["value"] == 3.0
    assert got["lower_ci"] < 3.0 < got["upper_ci"]


def test_scalar_broadcasts_against_array():
    got = rate_ci([1, 5, 20], 100, multiplier=100)
    assert got["upper_ci"].tolist() == pytest.approx(
        [5.571643390938898, 11.668332079322669, 30.889880369197066], rel=RTOL
    )


def test_output_columns_and_dtypes_are_fixed():
    got = rate_ci([1, 20], [10, 10])
    assert got.columns.tolist() == COLUMNS
    assert (got.dtypes == np.float64).all()


def test_empty_input_gives_empty_frame():
    got = rate_ci([], [])
    assert got.columns.tolist() == COLUMNS and len(got) == 0


def test_inputs_are_not_modified():
    x = np.array([0.0, 5.0, 50.0])
    n = np.array([10.0, 10.0, 10.0])
    x.flags.writeable = False  # a write into an input would raise
    n.flags.writeable = False
    rate_ci(x, n)
    assert x.tolist() == [0.0, 5.0, 50.0] and n.tolist() == [10.0, 10.0, 10.0]


# --- validation: one test per message ----------------------------------------------------------


def test_negative_numerator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"numerator: 1 value is negative \(rule: numerator >= 0\) at positions \[0\]",
    ):
        rate_ci([-1, 2], [10, 10])


def test_non_positive_denominator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"denominator: 1 value is zero or negative \(rule: denominator > 0\) at positions \[1\]",
    ):
        rate_ci([1, 2], [10, 0])


def test_non_numeric_input_is_an_error():
    with pytest.raises(ValueError, match=r"denominator: 1 value is not numeric"):
        rate_ci([1, 2], [10, "many"])


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match=r"numerator has 2, denominator has 3"):
        rate_ci([1, 2], [10, 10, 10])


def test_series_with_different_indexes_are_an_error():
    with pytest.raises(ValueError, match=r"its index differs from the index of numerator"):
        rate_ci(pd.Series([1, 2]), pd.Series([10, 10], index=[5, 6]))


def test_confidence_as_percentage_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match=r"e\.g\. confidence=0\.998"):
        rate_ci(1, 10, confidence=99.8)


def test_invalid_multiplier_is_an_error():
    with pytest.raises(ValueError, match=r"multiplier: expected a positive number"):
        rate_ci(1, 10, multiplier=0)


def test_count_limits_reject_negative_counts():
    with pytest.raises(ValueError, match=r"count: 1 value is negative \(rule: count >= 0\)"):
        poisson_count_limits([3, -2], 0.95)
    with pytest.raises(ValueError, match=r"count: 1 value is negative"):
        byar_count_limits([-2], 0.95)
    with pytest.raises(ValueError, match=r"count: 1 value is negative"):
        exact_count_limits([-2], 0.95)


def test_count_limits_reject_bad_confidence_and_shape():
    with pytest.raises(ValueError, match=r"confidence: expected 0\.95 or 0\.998"):
        poisson_count_limits([3], 0.9)
    with pytest.raises(ValueError, match=r"count: expected a one-dimensional array-like"):
        poisson_count_limits([[3]], 0.95)


# --- properties ---------------------------------------------------------------------------------

count_pop = st.tuples(
    st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**8)
)


@given(count_pop, st.sampled_from([0.95, 0.998]))
def test_bounds_contain_the_value(xn, confidence):
    x, n = xn
    got = rate_ci(x, n, confidence=confidence).iloc[0]
    assert 0.0 <= got["lower_ci"] <= got["value"] <= got["upper_ci"]


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_subnormal=False))
def test_99_8_limits_contain_the_95_limits(x):
    l95, u95 = poisson_count_limits([x], 0.95)
    l998, u998 = poisson_count_limits([x], 0.998)
    assert l998[0] <= l95[0] and u998[0] >= u95[0]


@given(count_pop, st.integers(min_value=2, max_value=100))
def test_interval_narrows_as_denominator_grows(xn, factor):
    x, n = xn
    got = rate_ci([x, x * factor], [n, n * factor])
    width = got["upper_ci"] - got["lower_ci"]
    assert width.iloc[1] < width.iloc[0]


@settings(max_examples=50)
@given(st.lists(count_pop, min_size=1, max_size=20))
def test_list_array_series_give_identical_results_and_keep_the_index(pairs):
    x = [p[0] for p in pairs]
    n = [p[1] for p in pairs]
    index = pd.Index(range(100, 100 + len(x)), name="row")
    from_list = rate_ci(x, n)
    pd.testing.assert_frame_equal(from_list, rate_ci(np.array(x), np.array(n)))
    from_series = rate_ci(pd.Series(x, index=index), pd.Series(n, index=index))
    assert from_series.index.equals(index)
    np.testing.assert_array_equal(from_series.to_numpy(), from_list.to_numpy())


@pytest.mark.parametrize("module", [rates_module, poisson_module])
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
