"""The PDF format, read back with pikepdf/pypdf and looked at as PNG pages (pdftoppm).

Needs Debian chromium (marker ``browser``, installed by ``make test``) and poppler-utils.
The accessibility check (:mod:`pdf_checks`) is shown to fail on PDFs that lack what it checks.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from formats_fixtures import ALT_PNG, ALT_SVG, BANNER, make_chapter
from pdf_checks import problems, structure
from pypdf import PdfReader

from rutland_jsna.report.formats.browser import Browser
from rutland_jsna.report.formats.pdf import render_pdf

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "formats"


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def _texts(path: Path) -> list[str]:
    """Each page's text, ligatures undone (chromium's fonts print "ﬃ" for "ffi")."""
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(path)).pages]


def _pdf(tmp_path, browser, **kw) -> Path:
    folder = make_chapter(tmp_path / "chapter", **kw)
    out = tmp_path / "oral_health.pdf"
    render_pdf(folder / "oral_health.html", out, browser=browser,
               banner=BANNER if kw.get("is_demo", True) else None)
    return out


def test_pdf_is_tagged_a4_and_passes_the_accessibility_check(tmp_path, browser):
    path = _pdf(tmp_path, browser)
    assert problems(path) == []
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == "Oral health: Rutland"
        box = [float(x) for x in pdf.pages[0].MediaBox]
        assert box[2] == pytest.approx(595.3, abs=1) and box[3] == pytest.approx(841.9, abs=1)
        s = structure(pdf)
        assert s.figures_alt == [ALT_PNG]  # one Figure per chart, no empty wrapper
        assert s.counts["H1"] == 1 and s.counts["H2"] == 2 and s.counts["H3"] == 1
        assert s.counts["Table"] == 2 and all(set(r) == {"TH"} for r in s.tables_first_row)
        assert "/Outlines" in pdf.Root


def test_pdf_pages_banner_numbers_contents_links(tmp_path, browser):
    path = _pdf(tmp_path, browser)
    texts = _texts(path)
    n = len(texts)
    assert 2 <= n <= 6
    for i, text in enumerate(texts, start=1):
        assert BANNER in text, f"page {i} has no demonstration banner"
        assert f"Page {i} of {n}" in text
    contents = next(i for i, t in enumerate(texts) if "Contents" in t)
    assert contents == 1, "the contents list is on a page of its own after the title page"
    with pikepdf.open(path) as pdf:
        links = [a for a in pdf.pages[contents].get("/Annots", [])
                 if a.get("/Subtype") == "/Link"]
        assert links, "the contents page has no links"
        uris = [str(a.A.URI) for p in pdf.pages for a in p.get("/Annots", [])
                if "/A" in a and a.A.get("/S") == "/URI"]
        assert not any(u.startswith("file:") for u in uris)  # other files became plain text
    assert "the outcomes chapter" in "".join(texts)
    assert "Download" not in "".join(texts)


def test_pdf_without_demo_data_has_no_banner(tmp_path, browser):
    path = _pdf(tmp_path, browser, is_demo=False)
    assert not any(BANNER in t for t in _texts(path))


def test_pdf_svg_chart_keeps_its_alt_text(tmp_path, browser):
    path = _pdf(tmp_path, browser, svg=True)
    with pikepdf.open(path) as pdf:
        assert structure(pdf).figures_alt == [ALT_SVG]
    assert problems(path) == []


def test_pdf_pages_as_images(tmp_path, browser):
    """pdftoppm draws each page: A4 in shape, not blank; kept in test-artifacts to look at."""
    path = _pdf(tmp_path, browser)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: run `make browser-deps` (Debian poppler-utils)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([pdftoppm, "-r", "40", "-png", str(path), str(ARTIFACTS / "fixture")],
                   check=True, timeout=120)
    from PIL import Image

    pngs = sorted(ARTIFACTS.glob("fixture-*.png"))
    assert len(pngs) == len(PdfReader(str(path)).pages)
    for png in pngs:
        with Image.open(png) as im:
            w, h = im.size
            assert h / w == pytest.approx(297 / 210, rel=0.02)
            assert im.convert("L").getextrema()[0] < 100, f"{png.name} is blank"


@pytest.mark.parametrize("fault", ["untagged", "no-alt", "no-header-row", "file-link"])
def test_accessibility_check_fails_what_it_should(tmp_path, browser, fault):
    """The check is not a formality: each fault below makes it fail."""
    folder = make_chapter(tmp_path / "chapter")
    html = folder / "oral_health.html"
    text = html.read_text(encoding="utf-8")
    if fault == "no-alt":
        text = text.replace(f'alt="{ALT_PNG}"', "")
    elif fault == "no-header-row":
        text = text.replace("<thead>", "<tbody>").replace("</thead>", "</tbody>")
        text = text.replace('<th scope="col"', "<td").replace('<th scope="row"', "<td")
    elif fault == "file-link":
        text = text.replace("</main>", '<p><a href="file:///etc/passwd">a file</a></p></main>')
    html.write_text(text, encoding="utf-8")
    out = tmp_path / "x.pdf"
    if fault == "untagged":
        def untagged(page):
            page.goto(html.as_uri())
            page.pdf(path=str(out), format="A4", tagged=False)

        browser.call(untagged)
    else:
        render_pdf(html, out, browser=browser)
        if fault == "file-link":  # render_pdf unlinks local files: put one back as a URI
            with pikepdf.open(out, allow_overwriting_input=True) as pdf:
                annot = pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                    Rect=[0, 0, 10, 10],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI="file:///etc/passwd"))
                pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([annot]))
                pdf.save(out)
    found = problems(out, text_pages=False)
    expected = {"untagged": "untagged", "no-alt": "alternative text",
                "no-header-row": "not all header cells", "file-link": "not the web"}[fault]
    assert any(expected in p for p in found), found


def test_pdf_inside_a_running_event_loop_and_beside_another_playwright(tmp_path):
    """A Jupyter kernel runs an asyncio loop, and the browser tests hold a playwright open in
    the same process: the formats' chromium lives in a thread of its own, so both work."""
    import asyncio

    from playwright.sync_api import sync_playwright

    folder = make_chapter(tmp_path / "chapter")

    async def in_a_loop() -> None:
        with Browser() as b:
            render_pdf(folder / "oral_health.html", tmp_path / "loop.pdf", browser=b)

    asyncio.run(in_a_loop())
    with sync_playwright():  # another playwright active in this thread
        with Browser() as b:
            render_pdf(folder / "oral_health.html", tmp_path / "beside.pdf", browser=b)
    assert problems(tmp_path / "loop.pdf") == [] and problems(tmp_path / "beside.pdf") == []
