"""Fingertips ranks (rutland_jsna.stats.ranking; methods.md §7.3).

Expected ranks are worked out by hand beside each case; the property tests compare with the
definition of competition ranking (rank = 1 + number of strictly better values), written out
in the test. The published appendix is checked in tests/test_appendix_ranks.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutland_jsna.stats.labels import Polarity
from rutland_jsna.stats.ranking import RANK_SUMMARY_COLUMNS, rank_areas, rank_summary

HIGH, LOW, NOJ, NA = (
    Polarity.HIGH_IS_GOOD,
    Polarity.LOW_IS_GOOD,
    Polarity.NO_JUDGEMENT,
    Polarity.NOT_APPLICABLE,
)


def test_competition_ranking_with_ties_high_is_good():
    # Descending: 9 -> 1; the two 7s share rank 2; 5 -> 4 (not 3); 1 -> 5.
    got = rank_areas([7.0, 9.0, 1.0, 7.0, 5.0], HIGH)
    assert got.tolist() == [2, 1, 5, 2, 4]
    assert got.name == "rank"
    assert str(got.dtype) == "Int64"


@pytest.mark.parametrize("polarity", [LOW, NOJ, NA])
def test_every_other_polarity_ranks_ascending(polarity):
    # Ascending: 1 -> 1, 5 -> 2, the two 7s -> 3, 9 -> 5.
    assert rank_areas([7.0, 9.0, 1.0, 7.0, 5.0], polarity).tolist() == [3, 5, 1, 3, 2]


def test_missing_values_are_not_ranked_and_do_not_take_a_place():
    got = rank_areas([3.0, None, 1.0, np.nan, 2.0], LOW)
    assert got.tolist() == [3, pd.NA, 1, pd.NA, 2]


def test_zero_and_negative_values():
    # A rate of 0.00 is a value (ranked), not a blank; negative values (e.g. a gap) rank too.
    assert rank_areas([0.0, -1.5, 2.0, -0.0], LOW).tolist() == [2, 1, 4, 2]


def test_ranks_within_groups():
    values = [10.0, 30.0, 20.0, 5.0, 1.0, np.nan]
    by = ["A", "A", "A", "B", "B", "B"]
    assert rank_areas(values, HIGH, by=by).tolist() == [3, 1, 2, 1, 2, pd.NA]


def test_ranks_within_groups_per_group_polarity():
    values = [10.0, 30.0, 20.0, 5.0, 1.0, 3.0]
    by = pd.Series([92254, 92254, 92254, 20401, 20401, 20401])
    polarity = [HIGH] * 3 + [LOW] * 3
    assert rank_areas(values, polarity, by=by).tolist() == [3, 1, 2, 3, 1, 2]


def test_ranks_within_dataframe_groups():
    by = pd.DataFrame({"indicator": ["x", "x", "x", "x"], "period": [2022, 2022, 2023, 2023]})
    assert rank_areas([1.0, 2.0, 4.0, 3.0], LOW, by=by).tolist() == [1, 2, 2, 1]


def test_lists_arrays_series_agree_and_index_kept():
    idx = pd.Index(["E06000017", "E06000016", "E10000018"], name="area_code")
    values = [17.8, 24.9, 20.1]
    a = rank_areas(values, HIGH)
    b = rank_areas(np.array(values), HIGH)
    c = rank_areas(pd.Series(values, index=idx), HIGH)
    assert a.tolist() == b.tolist() == c.tolist() == [3, 1, 2]
    assert c.index.equals(idx)


# ---- properties ------------------------------------------------------------------------------

_values = st.lists(
    st.one_of(st.none(), st.integers(-5, 5).map(float), st.floats(-1e3, 1e3)),
    min_size=1,
    max_size=30,
)


@given(_values, st.sampled_from([HIGH, LOW, NOJ]), st.randoms(use_true_random=False))
def test_property_invariant_to_input_order(values, polarity, rnd):
    order = list(range(len(values)))
    rnd.shuffle(order)
    ranks = rank_areas(values, polarity).tolist()
    shuffled = rank_areas([values[i] for i in order], polarity).tolist()
    assert [ranks[i] for i in order] == shuffled


@given(_values, st.sampled_from([HIGH, LOW, NOJ]))
def test_property_definition_bounds_and_ties(values, polarity):
    ranks = rank_areas(values, polarity).tolist()
    valid = [v for v in values if v is not None]
    n = len(valid)
    for v, r in zip(values, ranks, strict=True):
        if v is None:
            assert r is pd.NA
            continue
        better = sum((w > v) if polarity is HIGH else (w < v) for w in valid)
        assert r == 1 + better  # competition ranking, ties share the minimum rank
        assert 1 <= r <= n
    for v, r in zip(values, ranks, strict=True):
        for w, s in zip(values, ranks, strict=True):
            if v is not None and w is not None and v == w:
                assert r == s


@given(_values, st.sampled_from([HIGH, LOW, NOJ]))
def test_property_grouped_equals_separate_calls(values, polarity):
    by = [i % 3 for i in range(len(values))]
    grouped = rank_areas(values, polarity, by=by).tolist()
    for g in set(by):
        members = [i for i, b in enumerate(by) if b == g]
        alone = rank_areas([values[i] for i in members], polarity).tolist()
        assert [grouped[i] for i in members] == alone


# ---- rank_summary --------------------------------------------------------------------------


def test_summary_high_is_good():
    got = rank_summary([24.9, 17.8, None, 23.2], HIGH)
    assert tuple(got.columns) == RANK_SUMMARY_COLUMNS == ("n_ranked", "best", "worst")
    assert got.loc[0].tolist() == [3, 24.9, 17.8]
    assert str(got["n_ranked"].dtype) == "Int64"


def test_summary_low_is_good_and_no_judgement_by_group():
    values = [5.0, 1.0, 3.0, 8.0, 2.0, np.nan, np.nan]
    by = pd.Series(["low", "low", "low", "noj", "noj", "empty", "empty"], name="indicator")
    polarity = [LOW] * 3 + [NOJ] * 2 + [HIGH] * 2
    got = rank_summary(values, polarity, by=by)
    assert got.index.tolist() == ["empty", "low", "noj"]
    assert got.index.name == "indicator"
    assert got.loc["low"].tolist() == [3, 1.0, 5.0]
    # No judgement: best = lowest (rank 1), worst = highest (rank n).
    assert got.loc["noj"].tolist() == [2, 2.0, 8.0]
    assert got.loc["empty", "n_ranked"] == 0
    assert np.isnan(got.loc["empty", "best"]) and np.isnan(got.loc["empty", "worst"])


def test_summary_best_and_worst_are_rank_1_and_rank_n():
    values = [61.2, 98.3, 76.7, 80.0]
    ranks = rank_areas(values, HIGH).tolist()
    summary = rank_summary(values, HIGH).loc[0]
    assert values[ranks.index(1)] == summary["best"] == 98.3
    assert values[ranks.index(summary["n_ranked"])] == summary["worst"] == 61.2


# ---- errors ----------------------------------------------------------------------------------


def test_error_mixed_polarity_without_groups():
    with pytest.raises(
        ValueError,
        match=r"polarity: 3 values are in groups with more than one polarity \(rule: polarity must be the same for every value ranked together\)",
    ):
        rank_areas([1.0, 2.0, 3.0], [HIGH, LOW, HIGH])


def test_error_mixed_polarity_within_a_group():
    with pytest.raises(
        ValueError,
        match=r"polarity: 2 values are in groups with more than one polarity .* at positions \[2, 3\]",
    ):
        rank_summary([1.0, 2.0, 3.0, 4.0], [HIGH, HIGH, LOW, HIGH], by=["a", "a", "b", "b"])


def test_error_by_length():
    with pytest.raises(
        ValueError, match="inputs must have the same length: values has 3, by has 2"
    ):
        rank_areas([1.0, 2.0, 3.0], HIGH, by=["a", "b"])


def test_error_by_missing_label():
    with pytest.raises(
        ValueError,
        match=r"by: 1 value is missing \(rule: every row needs a group label\) at positions \[1\]",
    ):
        rank_areas([1.0, 2.0, 3.0], HIGH, by=["a", None, "b"])


def test_error_by_scalar():
    with pytest.raises(ValueError, match="by: expected one group label per value"):
        rank_areas([1.0, 2.0], HIGH, by="indicator")


def test_error_non_numeric_values():
    with pytest.raises(ValueError, match=r"values: 1 value is not numeric \(e.g. \['\*'\]\)"):
        rank_areas([1.0, "*", 3.0], HIGH)


def test_error_unknown_polarity():
    with pytest.raises(ValueError, match="polarity: unknown polarity 'H'; expected one of"):
        rank_areas([1.0, 2.0], "H")


def test_error_polarity_length():
    with pytest.raises(
        ValueError, match="inputs must have the same length: values has 2, polarity has 3"
    ):
        rank_areas([1.0, 2.0], [HIGH, HIGH, HIGH])


def test_docstring_examples_run():
    import doctest

    import rutland_jsna.stats.ranking as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


def test_error_by_two_dimensional():
    with pytest.raises(
        ValueError,
        match=r"by: expected a one-dimensional array-like of group labels \(or a DataFrame of label columns\), got shape \(2, 2\)",
    ):
        rank_areas([1.0, 2.0], HIGH, by=[["a", 1], ["b", 2]])


def test_error_by_dataframe_length_and_missing():
    with pytest.raises(
        ValueError, match="inputs must have the same length: values has 3, by has 2"
    ):
        rank_areas([1.0, 2.0, 3.0], HIGH, by=pd.DataFrame({"i": ["a", "b"]}))
    by = pd.DataFrame({"i": ["a", "a", "b"], "p": [2023, None, 2023]})
    with pytest.raises(
        ValueError,
        match=r"by: 1 value is missing \(rule: every row needs a group label\) at positions \[1\]",
    ):
        rank_summary([1.0, 2.0, 3.0], HIGH, by=by)
