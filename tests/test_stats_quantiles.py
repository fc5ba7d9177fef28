"""Fingertips quintiles and spine-chart percentiles (rutland_jsna.stats.quantiles; methods.md §7).

Expected values: the worked example of methods.md §7.1 (1..10), bounds worked out by hand with
the PERCENTILE.INC rule (written beside each case), and numpy's ``percentile(method="linear")``
— an independent implementation of the same Hyndman-Fan type-7 definition — in property tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutland_jsna.stats.labels import (
    QUINTILE_LABELS_NO_JUDGEMENT,
    QUINTILE_LABELS_RAG,
    Polarity,
)
from rutland_jsna.stats.quantiles import (
    MIN_VALUES_QUINTILES,
    QUINTILE_BOUND_COLUMNS,
    QUINTILE_COLUMNS,
    SPINE_COLUMNS,
    QuintileReason,
    quintile_bounds,
    quintiles,
    spine_percentiles,
)

HIGH, LOW, NOJ, NA = (
    Polarity.HIGH_IS_GOOD,
    Polarity.LOW_IS_GOOD,
    Polarity.NO_JUDGEMENT,
    Polarity.NOT_APPLICABLE,
)


def test_worked_example_1_to_10_no_judgement():
    # methods.md §7.1: bounds [1, 2.8, 4.6, 6.4, 8.2, 10] -> 1,1,2,2,3,3,4,4,5,5.
    got = quintiles(list(range(1, 11)), NOJ)
    assert tuple(got.columns) == QUINTILE_COLUMNS == ("quintile", "label", "reason")
    assert got["quintile"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got["label"].tolist() == [
        "Lowest",
        "Lowest",
        "Low",
        "Low",
        "Middle",
        "Middle",
        "High",
        "High",
        "Highest",
        "Highest",
    ]
    assert (got["reason"] == "").all()
    assert str(got["quintile"].dtype) == "Int64"


def test_high_is_good_reverses_so_1_is_best():
    got = quintiles(list(range(1, 11)), HIGH)
    assert got["quintile"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert got["label"].tolist()[::2] == ["Worst", "Worse", "Middle", "Better", "Best"]


def test_low_is_good_1_is_best_lowest():
    got = quintiles(list(range(1, 11)), LOW)
    assert got["quintile"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got["label"].tolist()[::2] == list(QUINTILE_LABELS_RAG)


def test_not_applicable_uses_value_order_and_no_judgement_labels():
    got = quintiles(list(range(1, 11)), NA)
    assert got["quintile"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got["label"].tolist()[::2] == list(QUINTILE_LABELS_NO_JUDGEMENT)


def test_ties_at_a_bound_fall_in_the_lower_category():
    # k = 7 sorted [1,2,2,2,3,4,5]: h = 2.2, 3.4, 4.6, 5.8 -> bounds 2, 2, 2.6, 3.8.
    # 1 and the three 2s -> 1; 3 -> 4 (above 2, 2, 2.6); 4 and 5 -> 5.
    got = quintiles([2, 1, 2, 3, 2, 5, 4], NOJ)
    assert got["quintile"].tolist() == [1, 1, 1, 4, 1, 5, 5]


def test_seven_values_differ_from_phe_quantile():
    # Fingertips bounds for 1..7: 2.2, 3.4, 4.6, 5.8 -> 1,1,2,3,4,5,5. PHEindicatormethods'
    # phe_quantile (rank-based, methods.md §7.2) gives 1,1,2,3,3,4,5 instead.
    assert quintiles(list(range(1, 8)), NOJ)["quintile"].tolist() == [1, 1, 2, 3, 4, 5, 5]


def test_integer_positions_1_to_6():
    # k = 6: h = 2, 3, 4, 5 exactly -> bounds 2, 3, 4, 5 -> 1,1,2,3,4,5.
    assert quintiles([1, 2, 3, 4, 5, 6], NOJ)["quintile"].tolist() == [1, 1, 2, 3, 4, 5]


def test_value_with_more_than_10_decimals_at_a_bound_stays_in_lower_category():
    # k = 6, the 2nd value is P(0.2) itself; bounds are rounded to 10 dp (2.123456789), the
    # value is compared at the same precision so it stays in category 1.
    got = quintiles([1, 2.123456789012, 3, 4, 5, 6], NOJ)
    assert got["quintile"].tolist() == [1, 1, 2, 3, 4, 5]


def test_missing_values_get_no_quintile_and_are_not_counted():
    # Valid values 1..10 as in the worked example, with two blanks inserted.
    values = [1, 2, np.nan, 3, 4, 5, 6, None, 7, 8, 9, 10]
    got = quintiles(values, NOJ)
    assert got["quintile"].tolist() == [1, 1, pd.NA, 2, 2, 3, 3, pd.NA, 4, 4, 5, 5]
    assert got["reason"].tolist()[2] == QuintileReason.MISSING_VALUE == "value missing"
    assert pd.isna(got["label"].iloc[2])


def test_fewer_than_5_values_not_assigned():
    got = quintiles([1.0, 2.0, 3.0, 4.0, np.nan], LOW)
    assert MIN_VALUES_QUINTILES == 5
    assert got["quintile"].isna().all()
    assert got["reason"].tolist() == ["fewer than 5 valid values in the comparison group"] * 4 + [
        "value missing"
    ]
    assert quintiles([1.0, 2.0, 3.0, 4.0, 5.0], LOW)["quintile"].tolist() == [1, 2, 3, 4, 5]


def test_groups_computed_together():
    # Group a: 1..10 (worked example); group b: only 3 values -> not assigned.
    values = list(range(1, 11)) + [5.0, 6.0, 7.0]
    by = ["a"] * 10 + ["b"] * 3
    got = quintiles(values, HIGH, by=by)
    assert got["quintile"].tolist()[:10] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert got["quintile"].iloc[10:].isna().all()
    assert (got["reason"].iloc[10:] == QuintileReason.TOO_FEW_VALUES).all()


def test_lists_arrays_series_agree_and_index_kept():
    idx = pd.Index([f"E0{i}" for i in range(10)])
    values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5]
    a = quintiles(values, LOW)
    b = quintiles(np.array(values), LOW)
    c = quintiles(pd.Series(values, index=idx), LOW)
    pd.testing.assert_frame_equal(a, b)
    assert c.index.equals(idx)
    assert c["quintile"].tolist() == a["quintile"].tolist()


_ints = st.lists(st.integers(-50, 50).map(float), min_size=5, max_size=40)


@given(_ints)
def test_property_matches_numpy_percentile_bounds(values):
    bounds = np.percentile(values, [20, 40, 60, 80], method="linear")
    expected = [1 + int(np.sum(v > bounds)) for v in values]
    assert quintiles(values, NOJ)["quintile"].tolist() == expected


@given(_ints)
def test_property_monotone_ties_share_and_high_reverses(values):
    noj = quintiles(values, NOJ)["quintile"].tolist()
    high = quintiles(values, HIGH)["quintile"].tolist()
    assert high == [6 - q for q in noj]
    pairs = sorted(zip(values, noj, strict=True))
    assert [q for _, q in pairs] == sorted(q for _, q in pairs)
    for (v, q), (w, r) in zip(pairs, pairs[1:], strict=False):
        if v == w:
            assert q == r
    assert set(noj) <= {1, 2, 3, 4, 5} and 1 in noj  # the minimum is never above P(0.2)


@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=40))
def test_property_grouped_equals_separate(values):
    by = [i % 2 for i in range(len(values))]
    together = quintiles(values, LOW, by=by)["quintile"].tolist()
    for g in (0, 1):
        members = [i for i, b in enumerate(by) if b == g]
        alone = quintiles([values[i] for i in members], LOW)["quintile"].tolist()
        assert [together[i] for i in members] == alone


def test_error_non_numeric():
    with pytest.raises(ValueError, match=r"values: 1 value is not numeric \(e.g. \['x'\]\)"):
        quintiles([1, 2, "x", 4, 5], LOW)


def test_error_unknown_polarity():
    with pytest.raises(ValueError, match="polarity: unknown polarity 'Lower is better'"):
        quintiles([1, 2, 3, 4, 5], "Lower is better")


def test_error_by_length_and_missing():
    with pytest.raises(
        ValueError, match="inputs must have the same length: values has 5, by has 4"
    ):
        quintiles([1, 2, 3, 4, 5], LOW, by=["a"] * 4)
    with pytest.raises(ValueError, match=r"by: 1 value is missing"):
        quintiles([1, 2, 3, 4, 5], LOW, by=["a", "a", np.nan, "a", "a"])


# ---- spine-chart percentiles ---------------------------------------------------------------


def test_spine_1_to_10():
    # h = 9f + 1: P5 at 1.45 -> 1.45, P25 at 3.25 -> 3.25, median 5.5, P75 7.75, P95 9.55.
    got = spine_percentiles(list(range(1, 11)))
    assert tuple(got.columns) == SPINE_COLUMNS
    assert got.iloc[0].tolist() == pytest.approx(
        [10, 1, 1.45, 3.25, 5.5, 7.75, 9.55, 10], abs=1e-12
    )


def test_spine_needs_more_than_3_values():
    four = spine_percentiles([4.0, 1.0, 3.0, 2.0])
    # k = 4: h = 3f + 1: P5 1.15 -> 1.15, P25 1.75, median 2.5, P75 3.25, P95 3.85.
    assert four.iloc[0].tolist() == pytest.approx([4, 1, 1.15, 1.75, 2.5, 3.25, 3.85, 4], abs=1e-12)
    three = spine_percentiles([1.0, 2.0, 3.0, np.nan])
    assert three["n"].iloc[0] == 3
    assert three.drop(columns="n").isna().all(axis=None)


def test_spine_by_group_index():
    got = spine_percentiles(
        [1, 2, 3, 4, 10, 20, 30, 40], by=pd.Series(list("bbbbaaaa"), name="ind")
    )
    assert got.index.tolist() == ["a", "b"] and got.index.name == "ind"
    assert got.loc["a", "median"] == 25.0 and got.loc["b", "median"] == 2.5


@given(st.lists(st.floats(-1e4, 1e4), min_size=4, max_size=60))
def test_property_spine_matches_numpy(values):
    got = spine_percentiles(values).iloc[0]
    expected = np.percentile(values, [0, 5, 25, 50, 75, 95, 100], method="linear")
    assert got.drop("n").to_numpy() == pytest.approx(expected, abs=1e-9)


def test_spine_error_non_numeric():
    with pytest.raises(ValueError, match="values: 1 value is not numeric"):
        spine_percentiles([1, 2, 3, "n/a"])


def test_docstring_examples_run():
    import doctest

    import rutland_jsna.stats.quantiles as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# --- quintile_bounds ---------------------------------------------------------------------


def test_quintile_bounds_are_excel_percentile_inc():
    # Excel PERCENTILE.INC({1..10}, 0.2) = 2.8 etc. (numpy's "linear" method is the same rule)
    b = quintile_bounds(range(1, 11))
    assert b.columns.tolist() == list(QUINTILE_BOUND_COLUMNS)
    assert b.iloc[0].tolist() == [10.0, 2.8, 4.6, 6.4, 8.2]


def test_quintile_bounds_by_group_and_too_few_values():
    values = [1, 2, 3, 4, 5, 10, 20, 30, 40, np.nan]
    b = quintile_bounds(values, by=["a"] * 5 + ["b"] * 5)
    assert b.index.tolist() == ["a", "b"]
    assert b.loc["a", "n"] == 5 and b.loc["a", ["p20", "p40", "p60", "p80"]].tolist() == [
        1.8, 2.6, 3.4, 4.2]
    assert b.loc["b", "n"] == 4 and b.loc["b", ["p20", "p80"]].isna().all()  # < 5 values


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=60))
def test_quintile_bounds_agree_with_numpy_and_with_quintiles(values):
    b = quintile_bounds(values).iloc[0]
    expected = np.percentile(np.asarray(values), [20, 40, 60, 80])
    np.testing.assert_allclose(b[["p20", "p40", "p60", "p80"]].to_numpy(float), expected,
                               rtol=1e-9, atol=1e-9)
    # the category quintiles() assigns is the band the value falls in (a bound: lower band)
    q = quintiles(values, "No judgement")["quintile"].to_numpy(dtype=int)
    bounds = b[["p20", "p40", "p60", "p80"]].to_numpy(float)
    band = 1 + (np.round(np.asarray(values), 10)[:, None] > bounds).sum(axis=1)
    assert (q == band).all()
