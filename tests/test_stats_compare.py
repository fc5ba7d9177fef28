"""Benchmark and goal comparisons (rutland_jsna.stats.compare; methods.md §5).

Expected labels are worked out by hand from the Fingertips rules and written beside each case,
or taken from Fingertips' own unit tests (file named at each test) and the published outcomes
report (tests/data/README.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutland_jsna.stats.compare import (
    COMPARISON_COLUMNS,
    compare_to_benchmark,
    compare_to_benchmark_two_levels,
    compare_to_goal,
)
from rutland_jsna.stats.labels import Comparison, GoalComparison, Polarity

HIGH, LOW, NOJ, NA = (
    Polarity.HIGH_IS_GOOD,
    Polarity.LOW_IS_GOOD,
    Polarity.NO_JUDGEMENT,
    Polarity.NOT_APPLICABLE,
)
BETTER, SIMILAR, WORSE = Comparison.BETTER, Comparison.SIMILAR, Comparison.WORSE
LOWER, HIGHER, NOT_COMPARED = Comparison.LOWER, Comparison.HIGHER, Comparison.NOT_COMPARED

# ------------------------------------------------------------------------------------------
# Method 1: benchmark value inside the local CI
# ------------------------------------------------------------------------------------------

# Local value 12 (CI 11-13) is above a benchmark of 10; 9 (8-9.8) is below; 10.5 (9.5-11.5)
# contains it; CIs touching the benchmark at either end count as containing it (inclusive).
VALUES = [12.0, 9.0, 10.5, 11.0, 9.0]
LOWERS = [11.0, 8.0, 9.5, 10.0, 8.0]
UPPERS = [13.0, 9.8, 11.5, 12.0, 10.0]


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (HIGH, [BETTER, WORSE, SIMILAR, SIMILAR, SIMILAR]),
        (LOW, [WORSE, BETTER, SIMILAR, SIMILAR, SIMILAR]),
        (NOJ, [HIGHER, LOWER, SIMILAR, SIMILAR, SIMILAR]),
        (NA, [NOT_COMPARED] * 5),
    ],
)
def test_method1_each_polarity(polarity, expected):
    got = compare_to_benchmark(VALUES, LOWERS, UPPERS, 10.0, polarity)
    assert got.tolist() == [e.value for e in expected]
    assert got.name == "comparison"


def test_polarity_given_as_string_value():
    assert compare_to_benchmark([12.0], [11.0], [13.0], 10.0, "Low is good").tolist() == ["Worse"]


def test_missing_anything_is_not_compared():
    nan = np.nan
    got = compare_to_benchmark(
        [nan, 12.0, 12.0, 12.0, 12.0],
        [11.0, nan, 11.0, 11.0, 11.0],
        [13.0, 13.0, nan, 13.0, 13.0],
        [10.0, 10.0, 10.0, nan, 10.0],
        HIGH,
    )
    assert got.tolist() == ["Not compared"] * 4 + ["Better"]


def test_per_row_benchmark_and_polarity():
    # A whole-country table: two indicators with different benchmarks and polarities.
    got = compare_to_benchmark(
        [12.0, 12.0, 30.0, 30.0],
        [11.0, 11.0, 25.0, 29.0],
        [13.0, 13.0, 35.0, 31.0],
        [10.0, 10.0, 33.0, 33.0],
        [HIGH, LOW, LOW, NOJ],
    )
    assert got.tolist() == ["Better", "Worse", "Similar", "Lower"]


def test_value_outside_own_ci_is_judged_by_the_value():
    # Inconsistent data: CI (11, 13) entirely above the benchmark 10 but the value is 9.
    # Fingertips decides the direction from the value (methods.md §10).
    assert compare_to_benchmark([9.0], [11.0], [13.0], 10.0, HIGH).tolist() == ["Worse"]


def test_lists_arrays_and_series_agree_and_index_is_kept():
    idx = pd.Index(["E06000017", "E06000016", "E10000018"], name="area_code")
    v, lo, up = [12.0, 9.0, 10.5], [11.0, 8.0, 9.5], [13.0, 9.8, 11.5]
    from_lists = compare_to_benchmark(v, lo, up, 10.0, HIGH)
    from_arrays = compare_to_benchmark(np.array(v), np.array(lo), np.array(up), 10.0, HIGH)
    from_series = compare_to_benchmark(
        pd.Series(v, index=idx), pd.Series(lo, index=idx), pd.Series(up, index=idx), 10.0, HIGH
    )
    assert from_lists.tolist() == from_arrays.tolist() == from_series.tolist()
    assert from_series.index.equals(idx)
    assert isinstance(from_lists.index, pd.RangeIndex)


def test_similar_exactly_when_benchmark_inside_interval_property():
    @given(
        st.floats(-1e6, 1e6),
        st.floats(0, 1e3),
        st.floats(0, 1e3),
        st.floats(-1e6, 1e6),
        st.sampled_from([HIGH, LOW, NOJ]),
    )
    def check(value, below, above, benchmark, polarity):
        lower, upper = value - below, value + above
        got = compare_to_benchmark([value], [lower], [upper], benchmark, polarity).iloc[0]
        assert (got == "Similar") == (lower <= benchmark <= upper)

    check()


def test_high_and_low_is_good_mirror_each_other_property():
    swap = {
        "Better": "Worse",
        "Worse": "Better",
        "Similar": "Similar",
        "Not compared": "Not compared",
    }

    @given(
        st.lists(
            st.tuples(st.floats(0, 100), st.floats(0, 5), st.floats(0, 5)), min_size=1, max_size=20
        ),
        st.floats(0, 100),
    )
    def check(rows, benchmark):
        v = [r[0] for r in rows]
        lo = [r[0] - r[1] for r in rows]
        up = [r[0] + r[2] for r in rows]
        high = compare_to_benchmark(v, lo, up, benchmark, HIGH).tolist()
        low = compare_to_benchmark(v, lo, up, benchmark, LOW).tolist()
        assert [swap[h] for h in high] == low

    check()


def test_error_non_numeric_value():
    with pytest.raises(ValueError, match=r"value: 1 value is not numeric .* at positions \[1\]"):
        compare_to_benchmark([1.0, "high"], [0.0, 0.0], [2.0, 2.0], 1.0, HIGH)


def test_error_lengths_differ():
    with pytest.raises(
        ValueError, match="inputs must have the same length: value has 3, lower_ci has 2"
    ):
        compare_to_benchmark([1.0, 2.0, 3.0], [0.0, 0.0], [2.0, 3.0, 4.0], 1.0, HIGH)


def test_error_benchmark_length_differs():
    with pytest.raises(ValueError, match="benchmark has 2"):
        compare_to_benchmark([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [1.0, 2.0], HIGH)


def test_error_unknown_polarity_lists_allowed_words():
    with pytest.raises(
        ValueError,
        match=r"polarity: unknown polarity 'RAG - High is good'.*'High is good', 'Low is good', 'No judgement', 'Not applicable'",
    ):
        compare_to_benchmark([1.0], [0.0], [2.0], 1.0, "RAG - High is good")


def test_error_unknown_polarity_per_row():
    with pytest.raises(
        ValueError, match=r"polarity: 1 value is not a known polarity \(e.g. \['H'\]\)"
    ):
        compare_to_benchmark([1.0, 2.0], [0.0, 1.0], [2.0, 3.0], 1.0, [HIGH, "H"])


def test_error_lower_ci_above_upper_ci():
    with pytest.raises(
        ValueError,
        match=r"lower_ci: 1 value is greater than upper_ci \(rule: lower_ci <= upper_ci\) at positions \[2\]",
    ):
        compare_to_benchmark([1.0, 2.0, 3.0], [0.0, 1.0, 4.0], [2.0, 3.0, 3.5], 1.0, HIGH)


# ------------------------------------------------------------------------------------------
# Method 17: two CI levels, five outcomes
# ------------------------------------------------------------------------------------------

# Fingertips unit test AnalysisTest/SingleOverlappingCIsForTwoCILevelsComparerTest.cs
# (fingertips-open): L998 2.3, L95 2.5, V 2.6, U95 2.7, U998 2.9 with benchmarks 3.0 ... 2.2.
FT_BENCHMARKS = [3.0, 2.8, 2.6, 2.4, 2.2]
FT_LOW_IS_GOOD = [
    ("Better", "99.8%"),
    ("Better", "95%"),
    ("Similar", ""),
    ("Worse", "95%"),
    ("Worse", "99.8%"),
]
FT_HIGH_IS_GOOD = [
    ("Worse", "99.8%"),
    ("Worse", "95%"),
    ("Similar", ""),
    ("Better", "95%"),
    ("Better", "99.8%"),
]


@pytest.mark.parametrize(("polarity", "expected"), [(LOW, FT_LOW_IS_GOOD), (HIGH, FT_HIGH_IS_GOOD)])
def test_method17_fingertips_unit_test_vector(polarity, expected):
    n = len(FT_BENCHMARKS)
    got = compare_to_benchmark_two_levels(
        [2.6] * n, [2.5] * n, [2.7] * n, [2.3] * n, [2.9] * n, FT_BENCHMARKS, polarity
    )
    assert tuple(got.columns) == COMPARISON_COLUMNS == ("comparison", "level")
    assert list(got.itertuples(index=False, name=None)) == expected


def test_method17_no_judgement_and_not_applicable():
    got = compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.9, [3.0, 2.4, 2.6], NOJ)
    assert list(got.itertuples(index=False, name=None)) == [
        ("Lower", "99.8%"),
        ("Higher", "95%"),
        ("Similar", ""),
    ]
    got = compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.9, [3.0, 2.6], NA)
    assert list(got.itertuples(index=False, name=None)) == [("Not compared", "")] * 2


def test_method17_missing_998_limits_not_compared():
    got = compare_to_benchmark_two_levels(
        [2.6, 2.6], [2.5, 2.5], [2.7, 2.7], [np.nan, 2.3], [2.9, np.nan], 3.0, HIGH
    )
    assert list(got.itertuples(index=False, name=None)) == [("Not compared", "")] * 2


def test_method17_series_index_kept():
    idx = pd.Index([10, 20])
    got = compare_to_benchmark_two_levels(
        pd.Series([2.6, 2.6], index=idx), 2.5, 2.7, 2.3, 2.9, [3.0, 2.6], HIGH
    )
    assert got.index.equals(idx)


def test_method17_agrees_with_method1_on_direction_property():
    @given(
        st.floats(0, 100),
        st.floats(0.01, 5),
        st.floats(0.01, 5),
        st.floats(0, 100),
        st.sampled_from([HIGH, LOW, NOJ]),
    )
    def check(value, half95, extra, benchmark, polarity):
        l95, u95 = value - half95, value + half95
        l998, u998 = l95 - extra, u95 + extra
        two = compare_to_benchmark_two_levels(value, l95, u95, l998, u998, benchmark, polarity)
        one = compare_to_benchmark(value, l95, u95, benchmark, polarity)
        assert two["comparison"].iloc[0] == one.iloc[0]
        one_998 = compare_to_benchmark(value, l998, u998, benchmark, polarity).iloc[0]
        assert (two["level"].iloc[0] == "99.8%") == (one_998 != "Similar")

    check()


def test_method17_error_limits_do_not_nest():
    with pytest.raises(
        ValueError,
        match=r"lower_998: 1 value is greater than lower_95 \(rule: lower_998 <= lower_95\)",
    ):
        compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.55, 2.9, 3.0, HIGH)
    with pytest.raises(ValueError, match=r"upper_95: 1 value is greater than upper_998"):
        compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.65, 3.0, HIGH)
    with pytest.raises(ValueError, match=r"lower_95: 1 value is greater than upper_95"):
        compare_to_benchmark_two_levels(2.6, 2.8, 2.7, 2.3, 2.9, 3.0, HIGH)


def test_method17_error_lengths_and_polarity():
    with pytest.raises(ValueError, match="inputs must have the same length"):
        compare_to_benchmark_two_levels([2.6, 2.6], [2.5, 2.5, 2.5], 2.7, 2.3, 2.9, 3.0, HIGH)
    with pytest.raises(ValueError, match="polarity: unknown polarity 'up'"):
        compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.9, 3.0, "up")
    with pytest.raises(ValueError, match="benchmark: 1 value is not numeric"):
        compare_to_benchmark_two_levels(2.6, 2.5, 2.7, 2.3, 2.9, ["England"], HIGH)


# ------------------------------------------------------------------------------------------
# Goals
# ------------------------------------------------------------------------------------------


def test_range_goal_80_90_boundaries_high_is_good():
    # methods.md §5.6: 79.9 red, 80.0 and 89.9 amber, 90.0 green.
    got = compare_to_goal([79.9, 80.0, 89.9, 90.0], 80, 90, HIGH)
    assert got.tolist() == ["Red", "Amber", "Amber", "Green"]
    assert got.name == "goal"


def test_range_goal_low_is_good_mirrored():
    # RangeTargetComparer, low is good: V < lower green, lower <= V < upper amber, V >= upper red.
    got = compare_to_goal([79.9, 80.0, 89.9, 90.0], 80, 90, LOW)
    assert got.tolist() == ["Green", "Amber", "Amber", "Red"]


def test_range_goal_uses_value_even_when_cis_given():
    # CI (70, 95) straddles both limits; the range comparer looks only at the value 85.
    got = compare_to_goal([85.0], 80, 90, HIGH, lower_ci=[70.0], upper_ci=[95.0])
    assert got.tolist() == ["Amber"]


def test_single_goal_hpv_and_shingles_published_rows():
    # Outcomes report (published/outcomes_report_rutland.csv): HPV one dose 61.2% (females) and
    # 62.5% (males) against the 80% goal, shingles 31.4% against 50%: all below their goal.
    got = compare_to_goal([61.2, 62.5, 31.4], [80, 80, 50], None, HIGH)
    assert got.tolist() == ["Red", "Red", "Red"]


def test_single_goal_value_mode_is_two_colours():
    # At or above the goal is green (>=), below red; no amber in value mode.
    got = compare_to_goal([79.99, 80.0, 80.01, 50.0, 49.9], [80, 80, 80, 50, 50], np.nan, HIGH)
    assert got.tolist() == ["Red", "Green", "Green", "Green", "Red"]


def test_single_goal_low_is_good_fingertips_unit_test():
    # AnalysisTest/SingleValueTargetComparerTest.cs TestCompareRagLowIsGood, limit 10:
    # 9 -> Better, 10.0 -> Better, 11 -> Worse.
    assert compare_to_goal([9, 10.0, 11], 10, None, LOW).tolist() == ["Green", "Green", "Red"]


def test_single_goal_ci_mode():
    # Goal 80, high is good: lower CI >= 80 green; upper CI < 80 red; otherwise amber.
    lower = [81.0, 80.0, 78.0, 70.0, 70.0]
    upper = [85.0, 84.0, 82.0, 80.0, 79.9]
    value = [83.0, 82.0, 80.0, 75.0, 75.0]
    high = compare_to_goal(value, 80, None, HIGH, lower_ci=lower, upper_ci=upper)
    assert high.tolist() == ["Green", "Green", "Amber", "Amber", "Red"]
    low = compare_to_goal(value, 80, None, LOW, lower_ci=lower, upper_ci=upper)
    assert low.tolist() == ["Red", "Red", "Amber", "Amber", "Green"]


def test_single_goal_ci_mode_missing_ci_not_compared():
    got = compare_to_goal(
        [83.0, 83.0], 80, None, HIGH, lower_ci=[np.nan, 81.0], upper_ci=[85.0, 85.0]
    )
    assert got.tolist() == ["Not compared", "Green"]


def test_goal_not_compared_cases():
    got = compare_to_goal(
        [np.nan, 85.0, 85.0, 85.0],
        [80.0, np.nan, 80.0, 80.0],
        [90.0, np.nan, 90.0, np.nan],
        [HIGH, HIGH, NA, HIGH],
    )
    assert got.tolist() == ["Not compared", "Not compared", "Not compared", "Green"]
    assert set(got) <= {g.value for g in GoalComparison}


def test_goal_no_judgement_is_judged_as_high_is_good():
    # Fingertips' target comparers only special-case "low is good".
    assert compare_to_goal([79.0, 81.0], 80, None, NOJ).tolist() == ["Red", "Green"]


def test_goal_series_index_kept_and_lists_agree():
    idx = pd.Index(["a", "b"])
    s = compare_to_goal(pd.Series([79.9, 90.0], index=idx), 80, 90, HIGH)
    assert s.index.equals(idx)
    assert s.tolist() == compare_to_goal(np.array([79.9, 90.0]), 80, 90, HIGH).tolist()


def test_goal_error_lower_above_upper():
    with pytest.raises(
        ValueError,
        match=r"goal_lower: 1 value is greater than goal_upper \(rule: goal_lower <= goal_upper\)",
    ):
        compare_to_goal([85.0], 90, 80, HIGH)


def test_goal_error_only_one_ci():
    with pytest.raises(ValueError, match="lower_ci, upper_ci: give both"):
        compare_to_goal([85.0], 80, None, HIGH, lower_ci=[84.0])


def test_goal_error_ci_order():
    with pytest.raises(ValueError, match="lower_ci: 1 value is greater than upper_ci"):
        compare_to_goal([85.0], 80, None, HIGH, lower_ci=[86.0], upper_ci=[84.0])


def test_goal_error_non_numeric_and_polarity_and_length():
    with pytest.raises(ValueError, match="goal_lower: 1 value is not numeric"):
        compare_to_goal([85.0], ["80%"], None, HIGH)
    with pytest.raises(ValueError, match="polarity: unknown polarity 'Higher is better'"):
        compare_to_goal([85.0], 80, None, "Higher is better")
    with pytest.raises(ValueError, match="inputs must have the same length"):
        compare_to_goal([85.0, 86.0, 87.0], [80, 80], None, HIGH)


def test_docstring_examples_run():
    import doctest

    import rutland_jsna.stats.compare as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
