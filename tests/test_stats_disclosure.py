"""Small-number suppression (rutland_jsna.stats.disclosure; ecosystem.md §4).

Every expected outcome is worked out by hand from the rule and written beside the case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutland_jsna.stats.disclosure import (
    DISCLOSURE_COLUMNS,
    SECONDARY_REASON,
    SUPPRESSION_MARK,
    ZERO_REASON,
    primary_reason,
    suppress_small_counts,
)

P14 = "primary: count between 1 and 4"


def _as_lists(out: pd.DataFrame) -> tuple[list, list, list]:
    return (
        [None if np.isnan(x) else x for x in out["count"]],
        out["suppressed"].tolist(),
        out["reason"].tolist(),
    )


def test_primary_1_to_4_zero_shown_missing_left_alone():
    out = suppress_small_counts([0, 1, 4, 5, np.nan, 4.5])
    assert tuple(out.columns) == DISCLOSURE_COLUMNS == ("count", "suppressed", "reason")
    counts, suppressed, reasons = _as_lists(out)
    assert counts == [0.0, None, None, 5.0, None, 4.5]
    assert suppressed == [False, True, True, False, False, False]
    assert reasons == ["", P14, P14, "", "", ""]
    assert primary_reason(1, 4) == P14
    assert SUPPRESSION_MARK == "*"


@pytest.mark.parametrize(
    ("upper", "expected"),
    [
        (7, [False, True, True, True, False, False]),  # NHS England / HES: 1-7
        (9, [False, True, True, True, True, False]),  # "fewer than 10"
    ],
)
def test_configurable_upper_bound(upper, expected):
    out = suppress_small_counts([0, 1, 5, 7, 9, 10], upper=upper)
    assert out["suppressed"].tolist() == expected
    assert out["reason"].iloc[1] == f"primary: count between 1 and {upper}"


def test_show_zero_false_suppresses_zeros():
    out = suppress_small_counts([0, 2, 6], show_zero=False)
    counts, suppressed, reasons = _as_lists(out)
    assert counts == [None, None, 6.0]
    assert suppressed == [True, True, False]
    assert reasons == [ZERO_REASON, P14, ""]


def test_secondary_suppresses_smallest_other_nonzero_cell():
    counts = [
        3, 10, 12,  # a: one primary -> also the smallest other (10)
        2, 4, 10,  # b: two primaries protect each other -> no secondary
        3, 0, 8,  # c: one primary; zero is not chosen while a non-zero cell exists -> 8
        20, 30,  # d: nothing small
        3, 7, 7,  # e: tie between the 7s -> the first one
    ]  # fmt: skip
    groups = ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 2 + ["e"] * 3
    out = suppress_small_counts(counts, groups=groups)
    assert out["suppressed"].tolist() == [
        True, True, False,
        True, True, False,
        True, False, True,
        False, False,
        True, True, False,
    ]  # fmt: skip
    S = SECONDARY_REASON
    assert out["reason"].tolist() == [
        P14, S, "",
        P14, P14, "",
        P14, "", S,
        "", "",
        P14, S, "",
    ]  # fmt: skip


def test_secondary_falls_back_to_a_zero_when_only_zeros_remain():
    # Male 3, female 0, total 3 published: showing the 0 would reveal the 3.
    out = suppress_small_counts([3, 0], groups=["E06000017 2023", "E06000017 2023"])
    assert out["suppressed"].tolist() == [True, True]
    assert out["reason"].tolist() == [P14, SECONDARY_REASON]


def test_missing_cells_neither_protect_nor_are_chosen():
    # Group with one primary (2), one missing cell and 9: the 9 is withheld.
    out = suppress_small_counts([2, np.nan, 9], groups=[1, 1, 1])
    assert out["suppressed"].tolist() == [True, False, True]


def test_single_cell_group_cannot_be_protected_by_others():
    out = suppress_small_counts([2, 50, 60], groups=["x", "y", "y"])
    assert out["suppressed"].tolist() == [True, False, False]


def test_zero_primary_counts_towards_exactly_one():
    # show_zero=False: the zero is a primary cell, so with the 3 the group has two primaries.
    out = suppress_small_counts([0, 3, 40], groups=["g"] * 3, show_zero=False)
    assert out["suppressed"].tolist() == [True, True, False]


def test_groups_as_dataframe_and_series_index_kept():
    idx = pd.Index(["m", "f", "m2", "f2"])
    groups = pd.DataFrame({"area": ["E1", "E1", "E2", "E2"], "period": [2023] * 4}, index=idx)
    out = suppress_small_counts(pd.Series([3, 15, 20, 25], index=idx), groups=groups)
    assert out.index.equals(idx)
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_lists_arrays_series_agree():
    values = [3, 10, 12, 0, 25]
    groups = ["a", "a", "a", "b", "b"]
    a = suppress_small_counts(values, groups=groups)
    b = suppress_small_counts(np.array(values), groups=np.array(groups))
    c = suppress_small_counts(pd.Series(values), groups=pd.Series(groups))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


_cells = st.lists(
    st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 30))),
    min_size=1,
    max_size=40,
)


@given(_cells)
def test_property_no_group_left_with_exactly_one_suppressed_cell(cells):
    groups = [g for g, _ in cells]
    counts = [np.nan if c is None else float(c) for _, c in cells]
    out = suppress_small_counts(counts, groups=groups)
    per_group = pd.DataFrame({"g": groups, "s": out["suppressed"], "ok": ~np.isnan(counts)})
    for _, grp in per_group.groupby("g"):
        n_suppressed, n_available = int(grp["s"].sum()), int(grp["ok"].sum())
        assert n_suppressed != 1 or n_available == 1
    # Primary cells are exactly the 1-4 counts; only the count column changes.
    for value, row in zip(counts, out.itertuples(), strict=True):
        if 1 <= value <= 4:
            assert row.suppressed and row.reason == P14
        if not row.suppressed:
            assert row.count == value or (np.isnan(row.count) and np.isnan(value))


@given(_cells)
def test_property_grouped_equals_separate_calls(cells):
    groups = [g for g, _ in cells]
    counts = [np.nan if c is None else float(c) for _, c in cells]
    together = suppress_small_counts(counts, groups=groups)["suppressed"].tolist()
    for g in set(groups):
        members = [i for i, x in enumerate(groups) if x == g]
        alone = suppress_small_counts([counts[i] for i in members], groups=[g] * len(members))
        assert [together[i] for i in members] == alone["suppressed"].tolist()


def test_error_negative_counts():
    with pytest.raises(
        ValueError, match=r"counts: 1 value is negative \(rule: counts >= 0\) at positions \[1\]"
    ):
        suppress_small_counts([1, -2, 3])


def test_error_non_numeric_counts():
    with pytest.raises(ValueError, match=r"counts: 1 value is not numeric \(e.g. \['<5'\]\)"):
        suppress_small_counts([1, "<5", 3])


def test_error_lower_not_positive():
    with pytest.raises(
        ValueError,
        match=r"lower: expected a finite number > 0 \(zero counts are controlled by show_zero\), got 0",
    ):
        suppress_small_counts([1, 2], lower=0)


def test_error_bound_not_a_number():
    with pytest.raises(ValueError, match="upper: expected a number, got '4'"):
        suppress_small_counts([1, 2], upper="4")


def test_error_upper_below_lower():
    with pytest.raises(ValueError, match="upper: expected upper >= lower, got lower=5, upper=4"):
        suppress_small_counts([1, 2], lower=5)


def test_error_show_zero_not_bool():
    with pytest.raises(ValueError, match="show_zero: expected True or False, got 'no'"):
        suppress_small_counts([1, 2], show_zero="no")


def test_error_groups_length_and_missing():
    with pytest.raises(
        ValueError, match="inputs must have the same length: values has 3, groups has 2"
    ):
        suppress_small_counts([1, 2, 3], groups=["a", "b"])
    with pytest.raises(
        ValueError, match=r"groups: 1 value is missing \(rule: every row needs a group label\)"
    ):
        suppress_small_counts([1, 2, 3], groups=["a", None, "b"])


def test_docstring_examples_run():
    import doctest

    import rutland_jsna.stats.disclosure as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
