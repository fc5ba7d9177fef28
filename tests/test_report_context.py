"""ChapterContext: stores, comparators, provenance, and the shared page blocks."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from test_report_outcomes import synthetic_tidy

from rutland_jsna.chapter.context import (
    LoadedStore,
    SourceInfo,
    load_chapter,
    load_store,
    resolve_comparators,
)
from rutland_jsna.data import columns as T
from rutland_jsna.data.areas import cipfa_neighbours, get_area, upper_tier_areas
from rutland_jsna.data.store import write_processed
from rutland_jsna.report import blocks

RUTLAND, CAMBS = "E06000017", "E10000003"


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return synthetic_tidy(years=range(2019, 2022))


def test_resolve_comparators():
    bundled = resolve_comparators(RUTLAND, None)
    assert bundled.codes == tuple(a.code for a in cipfa_neighbours(RUTLAND))
    assert "March 2023" in bundled.description
    given = resolve_comparators(RUTLAND, ["E06000055", "E06000017", "Cambridgeshire"])
    assert given.codes == ("E06000055", CAMBS) and given.names[1] == "Cambridgeshire"
    assert resolve_comparators(RUTLAND, "E06000055,E06000056").codes == ("E06000055", "E06000056")
    # no group for the area anywhere: an explicit fallback to its region, said in the text
    fallback = resolve_comparators(CAMBS, None)
    east = [a.code for a in upper_tier_areas()
            if a.region_code == get_area(CAMBS).region_code and a.code != CAMBS]
    assert list(fallback.codes) == east and len(east) >= 5
    assert fallback.description.startswith("the other upper-tier authorities of the East")
    assert "no neighbour table" in fallback.description
    other = pd.DataFrame({"area_code": [RUTLAND], "neighbour_code": ["E06000055"],
                          "position": [1]})
    listed_elsewhere = resolve_comparators(CAMBS, None, other)
    assert listed_elsewhere.codes == fallback.codes
    assert "lists no nearest neighbours for Cambridgeshire" in listed_elsewhere.description
    table = pd.DataFrame({"area_code": [CAMBS], "neighbour_code": ["E10000015"], "position": [1]})
    demo = resolve_comparators(CAMBS, None, table)
    assert demo.codes == ("E10000015",) and "demonstration" in demo.description


def test_load_store_from_processed_path(tmp_path, tidy):
    small = tidy[tidy[T.AREA_CODE].isin([RUTLAND, "E92000001"]) & (tidy[T.INDICATOR_ID] == 20601)]
    path = write_processed(small, "fingertips", {"source": "test extract", "is_demo": False},
                           directory=tmp_path)
    for source in (tmp_path, path):
        loaded = load_store(source)
        assert len(loaded.data) == len(small)
        assert loaded.info.description == "test extract" and not loaded.info.is_demo
        assert len(loaded.info.checksum) == 64 and loaded.info.extracted
    with pytest.raises(FileNotFoundError, match="neither 'demo', 'fingertips'"):
        load_store(tmp_path / "nothing.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no processed table"):
        load_store(tmp_path / "empty")


def test_load_chapter_validates(tidy):
    store = LoadedStore(tidy, SourceInfo("x", "x", False, "", ""))
    with pytest.raises(ValueError, match="not an upper-tier"):
        load_chapter("outcomes", "E12000004", store=store)
    with pytest.raises(ValueError, match="did you mean 0.95"):
        load_chapter("outcomes", RUTLAND, store=store, confidence=95)


def test_source_json_and_real_data_has_no_banner(tmp_path, tidy):
    info = SourceInfo("fingertips", "Fingertips API 2026-01-02", False, "cd" * 32, "2026-01-02")
    ctx = load_chapter("outcomes", RUTLAND, store=LoadedStore(tidy, info), release="2026-Q1",
                       output_dir=tmp_path, build_date=date(2026, 2, 3))
    assert not (tmp_path / "outcomes_source.json").exists()  # loading writes nothing
    blocks.chapter_header(ctx, "Title")
    record = json.loads((tmp_path / "outcomes_source.json").read_text())
    assert record["is_demo"] is False and record["checksum"] == "cd" * 32
    assert record["comparators"][0] == "E06000055"
    assert blocks.demo_banner(ctx).markup == ""
    header = blocks.chapter_header(ctx, "Title <b>").markup
    assert "Demonstration data" not in header and "Title &lt;b&gt;" in header
    assert "Fingertips API 2026-01-02" in header and "2026-02-03" in header


def test_blocks(tmp_path, tidy):
    info = SourceInfo("demo", "demo", True, "", "")
    ctx = load_chapter("outcomes", RUTLAND, store=LoadedStore(tidy, info), release="2026-Q1",
                       output_dir=tmp_path / "2026-Q1", reports_root=tmp_path)
    assert "Demonstration data — not official statistics" in blocks.demo_banner(ctx).markup
    assert "not recorded" in blocks.provenance(ctx).markup
    appendix = blocks.comparators_appendix(ctx, "Appendix").markup
    assert "E06000055" in appendix and "Subject area" in appendix
    notes = blocks.data_notes_section(ctx, definitions=["A definition."]).markup
    assert "Definitions" in notes and "A definition." in notes
    assert "no verified Fingertips indicator id" in notes
    link = blocks.summary_download(ctx).markup
    assert 'href="outcomes_summary.csv"' in link
    assert (tmp_path / "2026-Q1" / "outcomes_summary.csv").is_file()
    embedded = load_chapter("outcomes", RUTLAND, store=LoadedStore(tidy, info), release="x")
    assert "data:text/csv" in blocks.summary_download(embedded).markup
