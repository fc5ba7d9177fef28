"""The whole country's statistics computed once: slices equal the per-area summaries."""

from __future__ import annotations

import pandas as pd
import pytest

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis.national import (
    NATIONAL_COLUMNS,
    national_statistics,
    neighbour_groups,
)
from rutland_jsna.analysis.summary import area_summaries, indicator_summary, national_codes_in
from rutland_jsna.chapter import context
from rutland_jsna.chapter.context import (
    chapter_catalogue,
    load_store,
    national_summaries,
    shared_summaries,
)
from rutland_jsna.data.catalogue import load_catalogue

#: Rutland (bundled CIPFA list), Cambridgeshire, City of London and the Isles of Scilly (small
#: numbers, suppression), Sheffield, Westminster.
AREAS = ["E06000017", "E10000003", "E09000001", "E06000053", "E08000019", "E09000033"]


@pytest.fixture(scope="module")
def store():
    return load_store("demo")


@pytest.fixture(scope="module")
def indicators(store):
    return context._demo_labels(tuple(load_catalogue()))


@pytest.fixture(scope="module")
def national(store, indicators):
    return national_statistics(store.data, indicators, store.neighbours)


def test_one_row_per_area_and_indicator(store, indicators, national):
    areas = national_codes_in(store.data)
    assert len(areas) == 153
    assert list(national.columns) == list(NATIONAL_COLUMNS)
    assert len(national) == 153 * len(indicators)
    assert list(dict.fromkeys(national["area_code"])) == areas
    first = national[national["area_code"] == areas[0]]
    assert list(first[C.KEY]) == [i.key for i in indicators]  # catalogue order kept


@pytest.mark.parametrize("area", AREAS)
def test_slice_equals_indicator_summary(store, indicators, national, area):
    comparators = national.attrs["comparators"][area]
    expected = indicator_summary(store.data, indicators, area, comparators)
    got = national[national["area_code"] == area].drop(columns="area_code")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True)


def test_groups_are_the_chapters_default_comparators(store):
    groups = neighbour_groups(AREAS, store.neighbours)
    for area in AREAS:
        chosen = context.resolve_comparators(area, None, store.neighbours)
        assert tuple(groups[area]) == chosen.codes
    assert len(groups["E06000017"]) == 15  # the bundled CIPFA list


def test_ranks_use_each_areas_own_group(store, indicators):
    """Overlapping groups: the same area ranked differently in two groups is kept apart."""
    key = indicators[0].key
    table = area_summaries(store.data, indicators[:1], {
        "E10000003": ["E10000015", "E10000020"],
        "E10000015": ["E10000003", "E06000017", "E10000020", "E10000024"],
    })
    a, b = (table[table["area_code"] == x].iloc[0] for x in ("E10000003", "E10000015"))
    assert a[C.KEY] == b[C.KEY] == key
    assert a[C.N_RANKED] <= 3 and b[C.N_RANKED] <= 5


def test_chapter_context_takes_its_slice(store, monkeypatch):
    shared = national_summaries("outcomes", "demo", areas=["E10000003", "E06000017"])
    assert shared.indicators == chapter_catalogue("outcomes", store)
    own = context.load_chapter("outcomes", "E10000003").summary

    def no_recompute(*args, **kwargs):
        raise AssertionError("the shared national table should have been used")

    with shared_summaries(shared):
        monkeypatch.setattr(context, "indicator_summary", no_recompute)
        got = context.load_chapter("outcomes", "E10000003").summary
        pd.testing.assert_frame_equal(got, own, check_exact=True)
        monkeypatch.undo()
        # another comparator group than the one computed: recomputed, not sliced
        chosen = context.load_chapter("outcomes", "E10000003",
                                      comparators=["E10000015", "E10000020"])
        monkeypatch.setattr(context, "indicator_summary", no_recompute)
        with pytest.raises(AssertionError, match="shared national table"):
            _ = chosen.summary
        monkeypatch.undo()
        # another confidence level: recomputed too
        monkeypatch.setattr(context, "indicator_summary", no_recompute)
        with pytest.raises(AssertionError):
            _ = context.load_chapter("outcomes", "E10000003", confidence=0.998).summary
