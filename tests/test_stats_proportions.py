"""proportion_ci: Wilson score intervals.

Expected values come from PHEindicatormethods (tests/data/pheindicatormethods/proportion_wilson.csv,
see tests/data/README.md), from the vectors written out in methods.md §1 (PIM
testdata_Byars_Wilson.xlsx), and from statsmodels' independent Wilson implementation.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

import rutland_jsna.stats.proportions as proportions_module
from rutland_jsna.stats import proportion_ci

DATA = Path(__file__).parent / "data" / "pheindicatormethods"
RTOL, ATOL = 1e-8, 1e-12
COLUMNS = ["value", "lower_ci", "upper_ci"]


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(DATA / "proportion_wilson.csv")


# --- conformance ------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence, suffix", [(0.95, "95"), (0.998, "99_8")])
def test_matches_pheindicatormethods_reference(reference, confidence, suffix):
    got = proportion_ci(
        reference["numerator"], reference["denominator"], confidence=confidence, multiplier=1
    )
    assert len(got) == 2000
    np.testing.assert_allclose(got["value"], reference["value"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        got["lower_ci"], reference[f"lower_ci_{suffix}"], rtol=RTOL, atol=ATOL
    )
    np.testing.assert_allclose(
        got["upper_ci"], reference[f"upper_ci_{suffix}"], rtol=RTOL, atol=ATOL
    )


def test_reference_covers_the_edge_cases(reference):
    # a conformance file without x = 0 and x = n rows would not test the exact edges
    assert (reference["numerator"] == 0).sum() > 10
    assert (reference["numerator"] == reference["denominator"]).sum() > 10


# methods.md §1 (PIM testdata_B_W): x, n, confidence, lower, upper (multiplier 1)
METHODS_VECTORS = [
    (65, 100, 0.95, 0.55254443296887967, 0.73635751756902468),
    (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
    (0.445, 1, 0.95, 0.043817447720588223, 0.93346212769791559),
    (65, 100, 0.998, 0.49549465740704313, 0.77835406140896968),
    (1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    (0.445, 1, 0.998, 0.019347006132900975, 0.97022599470195414),
]


@pytest.mark.parametrize("x, n, confidence, lower, upper", METHODS_VECTORS)
def test_methods_md_vectors(x, n, confidence, lower, upper):
    got = proportion_ci(x, n, confidence=confidence, multiplier=1)
    assert got["value"].iloc[0] == pytest.approx(x / n, rel=RTOL)
    assert got["lower_ci"].iloc[0] == pytest.approx(lower, rel=RTOL, abs=ATOL)
    assert got["upper_ci"].iloc[0] == pytest.approx(upper, rel=RTOL, abs=ATOL)


def test_agrees_with_statsmodels_wilson():
    rng = np.random.default_rng(20240601)
    n = rng.integers(1, 100_000, 500)
    x = rng.integers(0, n + 1)
    lower, upper = proportion_confint(x, n, alpha=0.05, method="wilson")
    got = proportion_ci(x, n, multiplier=1)
    np.testing.assert_allclose(got["lower_ci"], lower, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(got["upper_ci"], upper, rtol=1e-10, atol=1e-14)


# --- edge cases -------------------------------------------------------------------------------


def test_zero_numerator_gives_lower_exactly_zero():
    # methods.md §1: n = 100 -> (0, 0.0369935); n = 1 -> (0, 0.7934507)
    got = proportion_ci([0, 0], [100, 1], multiplier=1)
    assert (got["lower_ci"] == 0.0).all()
    np.testing.assert_allclose(got["upper_ci"], [0.0369935, 0.7934507], atol=5e-8)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("multiplier", [1, 100, 1000])
def test_numerator_equal_to_denominator_gives_upper_exactly_multiplier(confidence, multiplier):
    n = np.array([1, 3, 7, 100, 12345, 999_999, 0.3, 2.7])
    got = proportion_ci(n, n, confidence=confidence, multiplier=multiplier)
    assert (got["upper_ci"] == multiplier).all()
    assert (got["value"] == multiplier).all()


def test_numerator_equal_to_denominator_lower_limit():
    # methods.md §1: n = 100 -> lower 0.9630065
    got = proportion_ci(100, 100, multiplier=1)
    assert got["lower_ci"].iloc[0] == pytest.approx(0.9630065, abs=5e-8)


def test_multiplier_scales_every_column():
    got = proportion_ci(65, 100, multiplier=100)
    assert got.iloc[0].tolist() == pytest.approx([65.0, 55.254443296887967, 73.635751756902468])


def test_nan_inputs_give_nan_rows_only():
    got = proportion_ci([65, np.nan, 65, None], [100, 100, np.nan, 100])
    assert got.iloc[1:].isna().all().all()
    assert got.iloc[0].notna().all()


def test_pandas_missing_values_give_nan():
    x = pd.Series([65, pd.NA], dtype="Int64")
    got = proportion_ci(x, 100)
    assert got.iloc[1].isna().all()
    assert got["upper_ci"].iloc[0] == pytest.approx(73.635751756902468)


def test_numeric_strings_are_accepted():
    got = proportion_ci(["65"], ["100"])
    assert got["lower_ci"].iloc[0] == pytest.approx(55.254443296887967)


def test_scalar_broadcasts_against_array():
    got = proportion_ci([0, 65, 100], 100, multiplier=1)
    assert len(got) == 3
    assert got["lower_ci"].iloc[1] == pytest.approx(0.55254443296887967)


def test_empty_input_gives_empty_frame():
    got = proportion_ci([], [])
    assert got.columns.tolist() == COLUMNS
    assert len(got) == 0


def test_output_columns_and_dtypes_are_fixed():
    got = proportion_ci([1, 2], [10, 10], confidence=0.998, multiplier=1)
    assert got.columns.tolist() == COLUMNS
    assert (got.dtypes == np.float64).all()


def test_inputs_are_not_modified():
    x = np.array([0.0, 5.0, 10.0])
    n = np.array([10.0, 10.0, 10.0])
    x.flags.writeable = False  # a write into an input would raise
    n.flags.writeable = False
    proportion_ci(x, n)
    assert x.tolist() == [0.0, 5.0, 10.0]
    assert n.tolist() == [10.0, 10.0, 10.0]


# --- validation: one test per message ----------------------------------------------------------


def test_negative_numerator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"numerator: 1 value is negative \(rule: numerator >= 0\) at positions \[1\]",
    ):
        proportion_ci([1, -1, 2], [10, 10, 10])


def test_non_positive_denominator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"denominator: 2 values are zero or negative \(rule: denominator > 0\) "
        r"at positions \[0, 2\]",
    ):
        proportion_ci([0, 1, 0], [0, 10, -5])


def test_numerator_above_denominator_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"numerator: 1 value is greater than the denominator "
        r"\(rule: numerator <= denominator\) at positions \[2\]",
    ):
        proportion_ci([1, 10, 11], [10, 10, 10])


def test_error_names_series_index_labels():
    x = pd.Series([1, 11], index=["E06000017", "E06000016"])
    with pytest.raises(ValueError, match=r"at index labels \['E06000016'\]"):
        proportion_ci(x, 10)


def test_non_numeric_input_is_an_error():
    with pytest.raises(ValueError, match=r"numerator: 1 value is not numeric \(e\.g\. \['ten'\]\)"):
        proportion_ci([1, "ten"], [10, 10])


def test_mismatched_lengths_are_an_error():
    with pytest.raises(
        ValueError, match=r"inputs must have the same length: numerator has 3, denominator has 2"
    ):
        proportion_ci([1, 2, 3], [10, 10])


def test_series_with_different_indexes_are_an_error():
    x = pd.Series([1, 2], index=["a", "b"])
    n = pd.Series([10, 10], index=["b", "a"])
    with pytest.raises(
        ValueError, match=r"denominator: its index differs from the index of numerator"
    ):
        proportion_ci(x, n)


def test_confidence_as_percentage_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match=r"give the level as a fraction, e\.g\. confidence=0\.95"):
        proportion_ci(1, 10, confidence=95)


def test_other_confidence_levels_are_rejected():
    with pytest.raises(ValueError, match=r"confidence: expected 0\.95 or 0\.998 \(the two levels"):
        proportion_ci(1, 10, confidence=0.9)


@pytest.mark.parametrize("multiplier", [0, -100, np.nan, "100", True])
def test_invalid_multiplier_is_an_error(multiplier):
    with pytest.raises(ValueError, match=r"multiplier: expected a positive number"):
        proportion_ci(1, 10, multiplier=multiplier)


# --- properties ---------------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=10**7).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(counts)
def test_bounds_contain_the_value(xn):
    x, n = xn
    got = proportion_ci(x, n).iloc[0]
    assert 0.0 <= got["lower_ci"] <= got["value"] <= got["upper_ci"] <= 100.0


@given(counts)
def test_99_8_interval_contains_the_95_interval(xn):
    x, n = xn
    ci95 = proportion_ci(x, n, confidence=0.95).iloc[0]
    ci998 = proportion_ci(x, n, confidence=0.998).iloc[0]
    assert ci998["lower_ci"] <= ci95["lower_ci"]
    assert ci998["upper_ci"] >= ci95["upper_ci"]


@given(counts, st.sampled_from([0.95, 0.998]))
def test_symmetric_under_complement(xn, confidence):
    x, n = xn
    got = proportion_ci([x, n - x], n, confidence=confidence, multiplier=1)
    assert got["lower_ci"].iloc[0] == pytest.approx(1.0 - got["upper_ci"].iloc[1], abs=1e-12)
    assert got["upper_ci"].iloc[0] == pytest.approx(1.0 - got["lower_ci"].iloc[1], abs=1e-12)


@given(counts, st.integers(min_value=2, max_value=100))
def test_interval_narrows_as_denominator_grows(xn, factor):
    x, n = xn
    got = proportion_ci([x, x * factor], [n, n * factor], multiplier=1)
    width = got["upper_ci"] - got["lower_ci"]
    assert width.iloc[1] < width.iloc[0]


@settings(max_examples=50)
@given(st.lists(counts, min_size=1, max_size=20))
def test_list_array_series_give_identical_results_and_keep_the_index(pairs):
    x = [p[0] for p in pairs]
    n = [p[1] for p in pairs]
    index = pd.Index([f"area{i}" for i in range(len(x))], name="area_code")
    from_list = proportion_ci(x, n)
    from_array = proportion_ci(np.array(x), np.array(n))
    from_series = proportion_ci(pd.Series(x, index=index), pd.Series(n, index=index))
    pd.testing.assert_frame_equal(from_list, from_array)
    assert from_series.index.equals(index)
    np.testing.assert_array_equal(from_series.to_numpy(), from_list.to_numpy())


def test_one_series_input_lends_its_index():
    index = pd.Index([10, 20, 30])
    got = proportion_ci(pd.Series([1, 2, 3], index=index), [10, 10, 10])
    assert got.index.equals(index)


def test_docstring_example_runs():
    result = doctest.testmod(proportions_module)
    assert result.attempted > 0
    assert result.failed == 0
