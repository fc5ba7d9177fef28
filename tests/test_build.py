"""The build: papermill + HTML export, atomic publish, failures leave the previous release."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import nbformat
import pytest

from rutland_jsna.chapter.context import default_release_label
from rutland_jsna.release.build import (
    BuildError,
    _publish,
    available_chapters,
    build,
    export_html,
)
from rutland_jsna.release.index import (
    ReleaseManifest,
    release_index_html,
    reports_index_html,
    write_manifest,
)

PARAMS = (
    'area_code = "E06000017"\ncomparators = None\nsource = "demo"\nrelease = None\n'
    "confidence = 0.95\noutput_dir = None"
)


def tiny_notebook(folder: Path, marker: str, *, fail: bool = False) -> Path:
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from rutland_jsna.report.html import Html"),
        nbformat.v4.new_code_cell(f'Html("<h1>{marker}</h1><p>" + area_code + "</p>")'),
    ]
    if fail:
        nb.cells.append(nbformat.v4.new_code_cell('int("boom in the chapter")'))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "outcomes.ipynb"
    nbformat.write(nb, path)
    return path


def test_default_release_label():
    from datetime import date

    assert default_release_label(date(2026, 1, 1)) == "2026-Q1"
    assert default_release_label(date(2026, 12, 31)) == "2026-Q4"


def test_available_chapters(tmp_path):
    assert available_chapters(tmp_path) == []
    tiny_notebook(tmp_path, "x")
    (tmp_path / "oral_health.ipynb").write_text("{}")
    assert available_chapters(tmp_path) == ["outcomes", "oral_health"]


def test_unknown_or_absent_chapters_are_refused(tmp_path):
    tiny_notebook(tmp_path / "nb", "x")
    with pytest.raises(ValueError, match="unknown dental"):
        build(chapters=["dental"], notebooks=tmp_path / "nb", reports_root=tmp_path / "r")
    with pytest.raises(ValueError, match="no notebook for sexual_health"):
        build(chapters=["sexual_health"], notebooks=tmp_path / "nb", reports_root=tmp_path / "r")
    with pytest.raises(ValueError, match="not a usable folder name"):
        build(release="../x", notebooks=tmp_path / "nb", reports_root=tmp_path / "r")


def test_publish_replaces_only_at_the_end(tmp_path):
    final = tmp_path / "2026-Q1"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging = tmp_path / ".2026-Q1.building-x"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    _publish(staging, final)
    assert (final / "new.txt").read_text() == "new" and not (final / "old.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-Q1"]


def test_build_error_message_names_notebook_cell_and_error(tmp_path):
    err = BuildError("outcomes.ipynb", "ValueError", "bad value", cell_index=7, exec_count=6,
                     cell_source='outcomes.priority(ctx, "P1")\n', partial=tmp_path / "p.ipynb",
                     release="2026-Q1")
    text = str(err)
    assert "outcomes.ipynb failed at cell 7 (execution count 6)" in text
    assert '`outcomes.priority(ctx, "P1")`' in text and "ValueError: bad value" in text
    assert "previous release '2026-Q1' is untouched" in text and "p.ipynb" in text


def test_export_html_has_no_code_prompts_or_scripts():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("secret_code_here()")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/html": "<p>shown</p>",
                                                  "text/plain": "<Html>"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# analyst note"), cell]
    html = export_html(nb, title="T <x>", release="R", build_date="2026-01-01")
    assert "<p>shown</p>" in html
    for bad in ("secret_code_here", "analyst note", "UserWarning", "In&nbsp;[", "<script",
                "jp-InputArea", "&lt;Html&gt;"):
        assert bad not in html, bad
    assert '<html lang="en-GB">' in html and 'href="#main"' in html and '<main id="main"' in html
    assert "<title>T &lt;x&gt;</title>" in html and "@media print" in html


def test_release_and_reports_index(tmp_path):
    folder = tmp_path / "2026-Q1"
    folder.mkdir()
    m = ReleaseManifest("2026-Q1", "E06000017", "Rutland", "demo", "demo snapshot", True,
                        "ab" * 32, "2026-01-01T00:00:00", "0.1.0", ["outcomes"])
    write_manifest(folder, m)
    page = release_index_html(folder, m)
    assert "Demonstration data — not official statistics" in page
    assert 'href="outcomes.html"' in page and "not recorded" in page
    root = reports_index_html(tmp_path)
    assert 'href="2026-Q1/index.html"' in root and "Rutland (E06000017)" in root


@pytest.mark.notebook
def test_failed_build_leaves_previous_release_untouched(tmp_path):
    notebooks = tmp_path / "notebooks"
    reports = tmp_path / "reports"
    tiny_notebook(notebooks, "First build")
    first = build(release="2026-Q1", notebooks=notebooks, reports_root=reports, progress=False)
    html = (first.folder / "outcomes.html").read_text()
    assert "First build" in html and "E06000017" in html
    assert "from rutland_jsna" not in html and "Html(" not in html
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}

    tiny_notebook(notebooks, "Second build", fail=True)
    with pytest.raises(BuildError) as info:
        build(release="2026-Q1", notebooks=notebooks, reports_root=reports, progress=False)
    err = info.value
    assert err.notebook == "outcomes.ipynb" and err.ename == "ValueError"
    assert "boom in the chapter" in err.evalue and err.cell_index is not None
    assert 'int("boom in the chapter")' in str(err)
    assert "untouched" in str(err)
    assert err.partial is not None and err.partial.is_file()  # kept for debugging
    assert "_failed" in err.partial.parts
    after = {p.name: p.read_bytes() for p in (reports / "2026-Q1").iterdir()}
    assert after == before
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]

    tiny_notebook(notebooks, "Third build")
    third = build(release="2026-Q1", notebooks=notebooks, reports_root=reports, progress=False)
    assert "Third build" in (third.folder / "outcomes.html").read_text()
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]
    assert 'href="2026-Q1/index.html"' in (reports / "index.html").read_text()


@pytest.mark.notebook
def test_outcomes_build_html(tmp_path):
    from rutland_jsna.config import notebooks_dir

    result = build(release="2026-Q1", reports_root=tmp_path, chapters=["outcomes"],
                   notebooks=notebooks_dir(), progress=False)
    html = (result.folder / "outcomes.html").read_text()
    text = unescape(re.sub(r"<[^>]+>", " ", re.sub(r'(src|href)="data:[^"]*"', "", html)))
    assert "Demonstration data — not official statistics" in text
    for heading in ("Purpose of Report", "About this chapter", "Overview of all indicators",
                    "Priority 1: Enabling the best start in life",
                    "Priority 6: Ensuring people are well supported in the last phase of their lives",
                    "Cross Cutting Themes: Supporting Mental Health", "Reducing Health Inequalities",
                    "Covid Recovery", "Changes since the previous release", "Data notes",
                    "Appendix 1 – Similar areas to Rutland"):
        assert heading in text, heading
    for bad in (r"\bnan\b", r"\bNone\b", "Traceback", "outcomes.load", "from rutland_jsna",
                r"\bmilitary\b"):
        assert not re.search(bad, text), bad
    assert "<script" not in html and 'lang="en-GB"' in html
    assert len(re.findall(r'<svg [^>]*role="img" aria-label="[^"]{20,}"', html)) >= 10
    assert (result.folder / "outcomes_p1.csv").is_file()
    assert (result.folder / "outcomes_summary.csv").is_file()
    index = (result.folder / "index.html").read_text()
    assert 'href="outcomes.html"' in index and "Better" in index
