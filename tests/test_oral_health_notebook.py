"""The oral health notebook under papermill (defaults and another authority), exported to HTML.

The HTML checks of the framework (tests/test_notebooks.py, tests/test_build.py) applied to this
chapter: no code in the page, the demonstration banner, every section present in order, no
tracebacks, "nan" or "None", data strings escaped (only the report's own tags in the page),
every table captioned with scoped headers, every image with alt text.
"""

from __future__ import annotations

import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from rutland_jsna.config import notebooks_dir
from rutland_jsna.report.oral_health import SECTION_ANCHORS

NOTEBOOK = notebooks_dir() / "oral_health.ipynb"
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "a", "header", "nav", "main", "footer",
    "div", "section", "h1", "h2", "h3", "h4", "p", "ul", "li", "strong", "span", "table",
    "caption", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "details",
    "summary", "dl", "dt", "dd", "sup", "br",
    # inline SVG charts (report.svg)
    "svg", "defs", "clippath", "pattern", "g", "rect", "line", "polyline", "polygon", "path",
    "circle", "text", "tspan",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _execute(tmp_path: Path, **parameters) -> tuple[nbformat.NotebookNode, str, float]:
    import papermill

    from rutland_jsna.release.build import export_html, resolve_kernel_name

    out = tmp_path / "oral_health.out.ipynb"
    start = time.perf_counter()
    with resolve_kernel_name() as kernel:
        papermill.execute_notebook(
            str(NOTEBOOK), str(out), parameters=parameters, kernel_name=kernel,
            progress_bar=False, cwd=str(tmp_path),
        )
    nb = nbformat.read(out, as_version=4)
    html = export_html(nb, title="Oral health", release="test-release", build_date="2026-03-01")
    return nb, html, time.perf_counter() - start


def _text(html: str) -> str:
    html = re.sub(r'(src|href)="data:[^"]*"', "", html)
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _check_page(nb: nbformat.NotebookNode, html: str) -> str:
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    text = _text(html)
    # no code: no cell source appears in the page
    for cell in nb.cells:
        if cell.cell_type == "code" and "oral_health." in cell.source:
            assert cell.source not in html
    assert "Demonstration data — not official statistics" in text
    positions = [html.find(f'id="{anchor}"') for anchor, _ in SECTION_ANCHORS]
    missing = [a for (a, _), p in zip(SECTION_ANCHORS, positions, strict=True) if p < 0]
    assert not missing, missing
    assert positions == sorted(positions)
    for bad in (r"\bnan\b", r"\bNaN\b", r"\bNone\b", "Traceback", r"\bmilitary\b"):
        assert not re.search(bad, text), bad
    parser = _Tags()
    parser.feed(html)
    tags = {t for t, _ in parser.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert all(a.get("alt") for t, a in parser.tags if t == "img")
    assert all(a.get("role") == "img" and a.get("aria-label") for t, a in parser.tags
               if t == "svg")
    assert html.count("<table") == html.count("<caption")
    assert all(a.get("scope") in ("col", "row") for t, a in parser.tags if t == "th")
    return text


@pytest.mark.notebook
def test_oral_health_notebook_runs_with_defaults(tmp_path):
    nb, html, seconds = _execute(tmp_path, release="test-release",
                                 output_dir=str(tmp_path / "out"))
    text = _check_page(nb, html)
    print(f"oral health chapter (Rutland): {seconds:.1f} s")
    assert "Joint Strategic Needs Assessment: Oral Health" in text
    assert "Rutland (E06000017)" in text
    # the slide's published figures, from the pinned demonstration extract
    for printed in ("22.06", "22.78", "42.49", "33.62", "17.51", "19.84", "-16.49", "-6.96"):
        assert printed in text, printed
    assert "January to June 2022" in text and "January to June 2019" in text
    assert "from 2019 to 2021 (January to June)" in text
    assert "Rutland's printed changes are inconsistent with each other" in text
    assert "were under-delivered" in text or "no month with a threshold in force" in text
    assert "682 − 440 = 242" in text
    assert (tmp_path / "out" / "oral_health_dental_access.csv").is_file()


@pytest.mark.notebook
def test_oral_health_notebook_for_another_authority(tmp_path):
    nb, html, seconds = _execute(tmp_path, area_code="E10000003", release="test-release")
    text = _check_page(nb, html)
    print(f"oral health chapter (Cambridgeshire): {seconds:.1f} s")
    assert "Cambridgeshire (E10000003)" in text
    assert "describe Rutland only" in text
    for rutland_only in ("Oakham", "302 children", "£137,000"):
        assert rutland_only not in text, rutland_only
    assert "Cambridgeshire and similar areas" in text
