"""dsr_ci: directly standardised rates, Dobson limits on Byar's count limits.

Expected values come from PHEindicatormethods (tests/data/pheindicatormethods/dsr_dobson.csv on
dsr_input.csv, see tests/data/README.md) and the vectors written out in methods.md §2–§3
(PIM testdata_DSR_ISR.xlsx and testdata_B_W).
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rutland_jsna.stats.dsr as dsr_module
from rutland_jsna.stats import ESP2013, dsr_ci

DATA = Path(__file__).parent / "data" / "pheindicatormethods"
RTOL, ATOL = 1e-8, 1e-12
OUT_COLUMNS = ["total_count", "total_population", "value", "lower_ci", "upper_ci", "reason"]
SUPPRESSED = "total count < 10: value not calculated"
BANDS = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
]  # fmt: skip


@pytest.fixture(scope="module")
def dsr_input() -> pd.DataFrame:
    return pd.read_csv(DATA / "dsr_input.csv")


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(DATA / "dsr_dobson.csv")


def assert_close(actual, expected):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=RTOL, atol=ATOL
    )


# --- ESP2013 ----------------------------------------------------------------------------------


def test_esp2013_weights():
    # methods.md §3.2 table, typed in
    expected = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
                7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]  # fmt: skip
    assert ESP2013.index.tolist() == BANDS
    assert ESP2013.tolist() == expected
    assert ESP2013.sum() == 100_000


# --- conformance ------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence, suffix", [(0.95, "95"), (0.998, "99_8")])
def test_matches_pheindicatormethods_reference(dsr_input, reference, confidence, suffix):
    got = dsr_ci(dsr_input, "count", "population", "group", confidence=confidence)
    assert got.columns.tolist() == ["group", *OUT_COLUMNS]
    assert got["group"].tolist() == reference["group"].tolist()
    assert_close(got["total_count"], reference["total_count"])
    assert_close(got["total_population"], reference["total_population"])
    # NaN positions must agree too (assert_allclose treats NaN == NaN)
    assert_close(got["value"], reference["value"])
    assert_close(got["lower_ci"], reference[f"lower_ci_{suffix}"])
    assert_close(got["upper_ci"], reference[f"upper_ci_{suffix}"])
    suppressed = reference["value"].isna()
    assert suppressed.sum() > 0
    assert (got.loc[suppressed.to_numpy(), "reason"] == SUPPRESSED).all()
    assert (got.loc[~suppressed.to_numpy(), "reason"] == "").all()


def test_negative_dobson_lower_limit_is_returned_as_is(dsr_input, reference):
    negative = reference["lower_ci_99_8"] < 0
    assert negative.sum() > 0  # the reference has such groups
    got = dsr_ci(dsr_input, "count", "population", "group", confidence=0.998)
    assert (got.loc[negative.to_numpy(), "lower_ci"] < 0).all()


def test_reference_has_zero_count_bands_and_small_groups(dsr_input, reference):
    assert (dsr_input["count"] == 0).sum() > 0
    assert (reference["total_count"] < 10).sum() > 0


# methods.md §3.4 testdata_big (19 bands, ESP2013)
BIG_X = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
BIG_N = [
    636,
    558,
    609,
    543,
    384,
    594,
    669,
    843,
    660,
    576,
    606,
    522,
    426,
    273,
    300,
    288,
    153,
    123,
    207,
]


@pytest.mark.parametrize(
    "confidence, lower, upper",
    [
        (0.95, 9717.709067985681, 11178.94091547925),
        (0.998, 9323.2878802199029, 11620.595999522058),
    ],
)
def test_methods_md_testdata_big(confidence, lower, upper):
    data = pd.DataFrame({"age_band": BANDS, "population": BIG_N, "count": BIG_X})
    got = dsr_ci(data, "count", "population", by=None, confidence=confidence)
    assert len(got) == 1
    row = got.iloc[0]
    assert row["total_count"] == 895
    assert row["value"] == pytest.approx(10430.247991469423, rel=RTOL)
    assert row["lower_ci"] == pytest.approx(lower, rel=RTOL)
    assert row["upper_ci"] == pytest.approx(upper, rel=RTOL)
    assert row["reason"] == ""


# --- the 9 / 10 threshold, Byar's (never exact) limits ----------------------------------------


def one_stratum(count, population=1000.0):
    # with one stratum the DSR is the crude rate and the Dobson limits are Byar's limits / n
    return pd.DataFrame({"g": ["a"], "x": [count], "n": [population], "w": [1.0]})


def test_total_count_of_ten_is_calculated_with_byar_limits():
    got = dsr_ci(one_stratum(10), "x", "n", "g", standard="w", confidence=0.998).iloc[0]
    # methods.md §2: Byar at x = 10, 99.8%: (2.916318374695686, 24.193724927880535)
    assert got["value"] == pytest.approx(1000.0)
    assert got["lower_ci"] == pytest.approx(2.916318374695686 * 100, rel=RTOL)
    assert got["upper_ci"] == pytest.approx(24.193724927880535 * 100, rel=RTOL)
    got95 = dsr_ci(one_stratum(10), "x", "n", "g", standard="w").iloc[0]
    # methods.md §2: Byar lower 4.787450 at x = 10, 95% (the exact one would be 4.795389)
    assert got95["lower_ci"] == pytest.approx(478.7450, abs=5e-5)


def test_total_count_of_nine_is_suppressed():
    got = dsr_ci(one_stratum(9), "x", "n", "g", standard="w").iloc[0]
    assert got["total_count"] == 9
    assert np.isnan([got["value"], got["lower_ci"], got["upper_ci"]]).all()
    assert got["reason"] == SUPPRESSED


def test_group_with_all_zero_counts_is_suppressed(dsr_input):
    data = dsr_input[dsr_input["group"] <= 2].copy()
    data.loc[data["group"] == 2, "count"] = 0
    got = dsr_ci(data, "count", "population", "group")
    assert got["total_count"].tolist() == [336, 0]
    assert np.isnan(got.loc[1, ["value", "lower_ci", "upper_ci"]].to_numpy(dtype=float)).all()
    assert got.loc[1, "reason"] == SUPPRESSED


# --- standard population alignment ------------------------------------------------------------


@pytest.fixture(scope="module")
def expected_95(dsr_input) -> pd.DataFrame:
    return dsr_ci(dsr_input, "count", "population", "group")


def test_row_order_does_not_matter(dsr_input, reference):
    shuffled = dsr_input.sample(frac=1.0, random_state=7)
    got = dsr_ci(shuffled, "count", "population", "group")
    assert got["group"].tolist() == reference["group"].tolist()
    assert_close(got["lower_ci"], reference["lower_ci_95"])


def test_standard_as_column_name(dsr_input, reference):
    data = dsr_input.assign(esp=dsr_input["age_band"].map(dict(zip(BANDS, ESP2013, strict=True))))
    got = dsr_ci(data.drop(columns="age_band"), "count", "population", "group", standard="esp")
    assert_close(got["value"], reference["value"])
    assert_close(got["upper_ci"], reference["upper_ci_95"])


def test_standard_as_array_aligned_with_rows(dsr_input, reference):
    weights = dsr_input["age_band"].map(dict(zip(BANDS, ESP2013, strict=True))).to_numpy()
    got = dsr_ci(dsr_input, "count", "population", "group", standard=list(weights))
    assert_close(got["lower_ci"], reference["lower_ci_95"])


def test_standard_as_dict_and_custom_band_column(dsr_input, reference):
    data = dsr_input.rename(columns={"age_band": "ageband"})
    standard = dict(zip(BANDS, ESP2013, strict=True))
    got = dsr_ci(data, "count", "population", "group", standard=standard, age_band="ageband")
    assert_close(got["lower_ci"], reference["lower_ci_95"])


def test_standard_series_in_another_order(dsr_input, reference):
    got = dsr_ci(dsr_input, "count", "population", "group", standard=ESP2013.iloc[::-1])
    assert_close(got["value"], reference["value"])


def test_groups_with_fewer_bands_sum_their_own_weights():
    # two bands only: DSR = (5000 * 20/1000 + 5500 * 30/2000) / 10500 * 1e5, by hand
    data = pd.DataFrame({"g": [1, 1], "age_band": ["0-4", "5-9"], "n": [1000, 2000], "x": [20, 30]})
    got = dsr_ci(data, "x", "n", "g").iloc[0]
    assert got["value"] == pytest.approx((100.0 + 82.5) / 10500 * 1e5, rel=1e-12)


def test_missing_counts_are_zero(dsr_input, expected_95):
    data = dsr_input.copy()
    data["count"] = data["count"].astype(float)
    zero = data["count"] == 0
    assert zero.sum() > 0
    data.loc[zero, "count"] = np.nan
    got = dsr_ci(data, "count", "population", "group")
    pd.testing.assert_frame_equal(got, expected_95)


def test_several_by_columns(dsr_input, reference):
    data = dsr_input.assign(
        region=np.where(dsr_input["group"] % 2 == 0, "even", "odd"), period=2023
    )
    got = dsr_ci(data, "count", "population", ["region", "group", "period"])
    assert got.columns.tolist()[:3] == ["region", "group", "period"]
    assert got["region"].tolist() == sorted(got["region"].tolist())
    merged = got.merge(reference, on="group")
    assert len(merged) == len(reference)
    assert_close(merged["upper_ci"], merged["upper_ci_95"])


def test_missing_group_key_forms_its_own_group(dsr_input, reference):
    data = dsr_input.assign(area=dsr_input["group"].astype(float))
    data.loc[data["group"] == 1, "area"] = np.nan
    got = dsr_ci(data, "count", "population", "area")
    assert np.isnan(got["area"].iloc[-1])
    assert got["lower_ci"].iloc[-1] == pytest.approx(reference["lower_ci_95"].iloc[0], rel=RTOL)


def test_no_by_gives_one_group(dsr_input, reference):
    one = dsr_input[dsr_input["group"] == 1]
    got = dsr_ci(one, "count", "population", by=None)
    assert got.columns.tolist() == OUT_COLUMNS
    assert len(got) == 1
    assert_close(got[["value", "lower_ci"]].iloc[0], reference[["value", "lower_ci_95"]].iloc[0])
    assert dsr_ci(one, "count", "population", by=[]).equals(got)


def test_bands_repeated_across_groups_need_by(dsr_input):
    with pytest.raises(ValueError, match=r"age_band: 5700 values are duplicates"):
        dsr_ci(dsr_input, "count", "population", by=None)


def test_empty_data_gives_empty_frame():
    empty = pd.DataFrame({"g": [], "age_band": [], "n": [], "x": []})
    got = dsr_ci(empty, "x", "n", "g")
    assert got.columns.tolist() == ["g", *OUT_COLUMNS] and len(got) == 0


def test_input_frame_is_not_modified(dsr_input):
    data = dsr_input.copy()
    data["count"] = data["count"].astype(float)
    data.loc[0, "count"] = np.nan
    before = data.copy()
    dsr_ci(data, "count", "population", "group")
    pd.testing.assert_frame_equal(data, before)


# --- validation: one test per message ----------------------------------------------------------


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {"g": [1, 1, 2], "age_band": ["0-4", "5-9", "0-4"], "n": [100, 200, 300], "x": [5, 6, 7]}
    )


def test_data_must_be_a_dataframe():
    with pytest.raises(ValueError, match=r"data: expected a pandas DataFrame, got dict"):
        dsr_ci({"x": [1]}, "x", "n", "g")


def test_missing_column_is_an_error(small):
    with pytest.raises(ValueError, match=r"count: data has no column named 'deaths'"):
        dsr_ci(small, "deaths", "n", "g")


def test_missing_by_column_is_an_error(small):
    with pytest.raises(ValueError, match=r"by: data has no column named 'area'"):
        dsr_ci(small, "x", "n", ["g", "area"])


def test_column_argument_must_be_a_name(small):
    with pytest.raises(ValueError, match=r"population: expected a column name \(a string\), got 3"):
        dsr_ci(small, "x", 3, "g")


def test_repeated_by_columns_are_an_error(small):
    with pytest.raises(ValueError, match=r"by: column names repeat"):
        dsr_ci(small, "x", "n", ["g", "g"])


def test_negative_count_is_an_error(small):
    small.loc[2, "x"] = -1
    with pytest.raises(
        ValueError, match=r"count: 1 value is negative \(rule: count >= 0\) at positions \[2\]"
    ):
        dsr_ci(small, "x", "n", "g")


def test_non_numeric_count_is_an_error(small):
    small["x"] = ["5", "six", "7"]
    with pytest.raises(ValueError, match=r"count: 1 value is not numeric"):
        dsr_ci(small, "x", "n", "g")


def test_missing_population_is_an_error(small):
    small["n"] = [100, np.nan, 300]
    with pytest.raises(
        ValueError,
        match=r"population: 1 value is missing \(rule: every row needs a population\) at positions \[1\]",
    ):
        dsr_ci(small, "x", "n", "g")


def test_non_positive_population_is_an_error(small):
    small["n"] = [0, -1, 300]
    with pytest.raises(
        ValueError, match=r"population: 2 values are zero or negative \(rule: population > 0\)"
    ):
        dsr_ci(small, "x", "n", "g")


def test_unknown_band_is_an_error(small):
    small.loc[1, "age_band"] = "05-09"
    with pytest.raises(
        ValueError,
        match=r"age_band: 1 value is not in the standard population \(e\.g\. \['05-09'\]\)",
    ):
        dsr_ci(small, "x", "n", "g")


def test_missing_band_column_is_an_error(small):
    with pytest.raises(ValueError, match=r"age_band: data has no column named 'band'"):
        dsr_ci(small, "x", "n", "g", age_band="band")


def test_repeated_band_within_a_group_is_an_error(small):
    small.loc[1, "age_band"] = "0-4"
    with pytest.raises(
        ValueError,
        match=r"age_band: 2 values are duplicates of a band already given for their group "
        r"\(rule: one row per group and age band\) at positions \[0, 1\]",
    ):
        dsr_ci(small, "x", "n", "g")


def test_missing_weight_column_value_is_an_error(small):
    small["w"] = [1.0, np.nan, 1.0]
    with pytest.raises(
        ValueError, match=r"standard: 1 value is missing \(rule: every row needs a weight\)"
    ):
        dsr_ci(small, "x", "n", "g", standard="w")


def test_negative_weight_is_an_error(small):
    with pytest.raises(ValueError, match=r"standard: 1 value is negative \(rule: weights >= 0\)"):
        dsr_ci(small, "x", "n", "g", standard=[1.0, -1.0, 1.0])


def test_weight_array_of_wrong_length_is_an_error(small):
    with pytest.raises(
        ValueError, match=r"standard: expected one weight per row of data \(3\), got 2"
    ):
        dsr_ci(small, "x", "n", "g", standard=[1.0, 1.0])


def test_band_table_with_missing_weight_is_an_error(small):
    table = pd.Series({"0-4": 5000.0, "5-9": np.nan})
    with pytest.raises(
        ValueError,
        match=r"standard: 1 value is missing \(rule: every band needs a weight\) at index labels \['5-9'\]",
    ):
        dsr_ci(small, "x", "n", "g", standard=table)


def test_band_table_with_negative_weight_is_an_error(small):
    table = pd.Series({"0-4": 5000.0, "5-9": -1.0})
    with pytest.raises(ValueError, match=r"standard: 1 value is negative \(rule: weights >= 0\)"):
        dsr_ci(small, "x", "n", "g", standard=table)


def test_band_table_with_repeated_labels_is_an_error(small):
    table = pd.Series([5000.0, 5500.0, 1.0], index=["0-4", "5-9", "5-9"])
    with pytest.raises(
        ValueError,
        match=r"standard: band labels repeat \(rule: one weight per band\), e\.g\. \['5-9'\]",
    ):
        dsr_ci(small, "x", "n", "g", standard=table)


def test_confidence_and_multiplier_are_checked(small):
    with pytest.raises(ValueError, match=r"confidence=0\.95"):
        dsr_ci(small, "x", "n", "g", confidence=95)
    with pytest.raises(ValueError, match=r"multiplier: expected a positive number"):
        dsr_ci(small, "x", "n", "g", multiplier=-1)


# --- properties ---------------------------------------------------------------------------------

strata = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 10**6)), min_size=19, max_size=19)


def frame(rows):
    return pd.DataFrame({"age_band": BANDS, "x": [r[0] for r in rows], "n": [r[1] for r in rows]})


@settings(max_examples=60, deadline=None)
@given(strata)
def test_limits_bracket_the_value_and_99_8_contains_95(rows):
    data = frame(rows)
    ci95 = dsr_ci(data, "x", "n", None).iloc[0]
    ci998 = dsr_ci(data, "x", "n", None, confidence=0.998).iloc[0]
    if ci95["total_count"] < 10:
        assert np.isnan(ci95["value"]) and ci95["reason"] == SUPPRESSED
        return
    assert ci95["lower_ci"] <= ci95["value"] <= ci95["upper_ci"]
    assert ci998["lower_ci"] <= ci95["lower_ci"] and ci998["upper_ci"] >= ci95["upper_ci"]


@settings(max_examples=60, deadline=None)
@given(strata, st.integers(2, 50))
def test_interval_narrows_as_population_grows_at_fixed_rates(rows, factor):
    data = frame(rows)
    bigger = data.assign(x=data["x"] * factor, n=data["n"] * factor)
    small_ci = dsr_ci(data, "x", "n", None).iloc[0]
    big_ci = dsr_ci(bigger, "x", "n", None).iloc[0]
    if small_ci["total_count"] < 10:
        return
    assert big_ci["value"] == pytest.approx(small_ci["value"], rel=1e-12)
    assert big_ci["upper_ci"] - big_ci["lower_ci"] < small_ci["upper_ci"] - small_ci["lower_ci"]


def test_docstring_example_runs():
    result = doctest.testmod(dsr_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_band_table_with_non_numeric_weight_is_an_error(small):
    with pytest.raises(
        ValueError, match=r"standard: 1 value is not numeric \(e\.g\. \['heavy'\]\)"
    ):
        dsr_ci(small, "x", "n", "g", standard={"0-4": 5000, "5-9": "heavy"})
