"""The all-area batch: workers, per-area errors, national page, incremental runs, Dask."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from release_helpers import tiny_notebooks

from rutland_jsna.release.batch import BatchError, build_all_areas
from rutland_jsna.release.index import read_manifest

AREAS = ["E06000017", "E10000003", "E06000053"]  # Rutland, Cambridgeshire, Isles of Scilly


def _batch(tmp_path, areas=AREAS, **kwargs):
    kwargs.setdefault("workers", 2)
    return build_all_areas(release="2026-Q1", areas=areas, notebooks=tmp_path / "nb",
                           reports_root=tmp_path / "reports", progress=False, **kwargs)


def test_one_broken_area_does_not_stop_the_others(tmp_path):
    tiny_notebooks(tmp_path / "nb", fail_areas=["E06000053"])
    result = _batch(tmp_path)
    assert list(result.failed) == ["E06000053"]
    assert "broken area E06000053" in result.failed["E06000053"]
    assert "outcomes.ipynb failed at cell" in result.failed["E06000053"]
    for code in ("E06000017", "E10000003"):
        folder = result.folder / "areas" / code
        assert (folder / "outcomes.html").is_file() and (folder / "index.html").is_file()
        assert code in (folder / "oral_health_table.csv").read_text()
        assert read_manifest(folder).area_code == code
    assert not (result.folder / "areas" / "E06000053").exists()
    manifest = read_manifest(result.folder)
    assert manifest.kind == "all-areas" and manifest.areas == AREAS
    assert list(manifest.failed_areas) == ["E06000053"]
    national = (result.folder / "national.html").read_text()
    assert "broken area E06000053" in national and 'href="areas/E10000003/outcomes.html"' in national
    failed = list((tmp_path / "reports" / "_failed").glob("2026-Q1-*/areas/E06000053/*.ipynb"))
    assert failed, "the failing area's partial notebook is kept"
    index = (tmp_path / "reports" / "index.html").read_text()
    assert "All 3 upper-tier authorities (1 failed)" in index
    assert 'href="2026-Q1/national.html"' in index


def test_every_area_failing_publishes_nothing(tmp_path):
    tiny_notebooks(tmp_path / "nb", fail_areas=["E06000017", "E10000003"])
    with pytest.raises(BatchError, match="every area failed"):
        _batch(tmp_path, areas=["E06000017", "E10000003"])
    assert not (tmp_path / "reports" / "2026-Q1").exists()


def test_second_run_reuses_every_area_and_a_changed_chapter_is_rendered_again(tmp_path):
    tiny_notebooks(tmp_path / "nb")
    first = _batch(tmp_path)
    assert first.rendered == 9 and first.national_seconds > 0
    again = _batch(tmp_path)
    assert again.rendered == 0 and again.national_seconds == 0 and not again.failed
    from release_helpers import tiny_chapter

    tiny_chapter(tmp_path / "nb", "oral_health", "v2")
    third = _batch(tmp_path)
    assert third.rendered == 3
    assert all([c.chapter for c in a.chapters if not c.reused] == ["oral_health"]
               for a in third.areas)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_national_page_is_accessible_and_links_every_area(tmp_path):
    tiny_notebooks(tmp_path / "nb")
    result = _batch(tmp_path, areas=["E06000017", "E10000003"])
    html = (result.folder / "national.html").read_text()
    assert (result.folder / "index.html").read_text() == html
    p = _Parser()
    p.feed(html)
    tags = [t for t, _ in p.tags]
    attrs = {t: a for t, a in p.tags}
    assert attrs["html"]["lang"] == "en-GB"
    assert p.tags[tags.index("a")][1]["href"] == "#main"  # skip link first
    assert tags.count("h1") == 1 and "main" in tags and "caption" in tags
    scopes = [a.get("scope") for t, a in p.tags if t == "th"]
    assert "col" in scopes and scopes.count("row") == 2
    for code in ("E06000017", "E10000003"):
        assert f'href="areas/{code}/index.html"' in html
        for chapter in ("outcomes", "sexual_health", "oral_health"):
            assert f'href="areas/{code}/{chapter}.html"' in html
    assert "Demonstration data" in html
    area_index = (result.folder / "areas" / "E06000017" / "index.html").read_text()
    assert 'href="../../national.html"' in area_index


def test_dask_executor_runs_the_same_batch(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    tiny_notebooks(tmp_path / "nb")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        result = _batch(tmp_path, areas=["E06000017", "E10000003"],
                        executor=client.get_executor())
    assert not result.failed and result.rendered == 6 and result.workers == 0
    for code in ("E06000017", "E10000003"):
        text = (result.folder / "areas" / code / "outcomes.html").read_text()
        assert re.search(rf"<p>{code}</p>", text)
