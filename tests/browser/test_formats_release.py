"""The demonstration release in every format, each file opened with an independent reader.

The release is the one ``make reports`` builds (conftest: ``--formats html,pdf,xlsx,docx``).
What each chapter page shows in print (headings, tables, charts; lxml on the HTML, not the
package's reader) is what its PDF and Word document must hold; the workbooks follow the GSS
rules; no format shows a count of 1 to 4. Pages of each PDF are drawn as PNG (pdftoppm) into
``test-artifacts/formats/`` with the sizes and render times of every output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from browser_support import ARTIFACTS, CHAPTERS, RELEASE
from lxml import html as lxml_html
from pdf_checks import problems, structure
from pypdf import PdfReader

from rutland_jsna.release.outputs import RELEASE_WORKBOOK

pytestmark = pytest.mark.browser
OUT = ARTIFACTS / "formats"
BANNER = "Demonstration data — not official statistics"
SHORTHAND = {"[c]", "[x]", "[z]"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HIDDEN = ("ancestor::details or ancestor::nav[contains(@class,'contents')] or "
           "ancestor::*[@aria-hidden='true']")


@pytest.fixture(scope="module")
def folder(release_home: Path) -> Path:
    return release_home / "reports" / RELEASE


@pytest.fixture(scope="module")
def manifest(folder: Path) -> dict:
    return json.loads((folder / "release.json").read_text(encoding="utf-8"))


def _page(folder: Path, chapter: str):
    return lxml_html.parse(str(folder / f"{chapter}.html")).getroot()


def _charts(root) -> int:
    return len(root.xpath(f"//main//figure[contains(@class,'chart')][not({_HIDDEN})]"
                          "[.//img[@alt] or .//*[local-name()='svg'][@role='img']]"))


def _tables(root) -> int:
    return len(root.xpath(f"//main//table[not({_HIDDEN})]"))


def _headings(root, level: int) -> int:
    return len(root.xpath(f"//main//h{level}[not(ancestor::details)]"))


def test_release_lists_every_format(folder, manifest, record_property):
    assert manifest["formats"] == ["html", "pdf", "xlsx", "docx"]
    names = {f"{c}.{e}" for c in CHAPTERS for e in ("html", "pdf", "xlsx", "docx")}
    assert set(manifest["outputs"]) == names | {RELEASE_WORKBOOK}
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = {n: {k: o[k] for k in ("format", "bytes", "seconds")}
             for n, o in manifest["outputs"].items()}
    (OUT / "sizes.json").write_text(json.dumps(sizes, indent=2) + "\n")
    for name, o in sizes.items():
        record_property(name, f"{o['bytes'] / 1e6:.2f} MB in {o['seconds']:.1f} s")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_pdf_is_accessible_and_whole(folder, chapter, record_property):
    path = folder / f"{chapter}.pdf"
    assert problems(path) == []
    root = _page(folder, chapter)
    with pikepdf.open(path) as pdf:
        n = len(pdf.pages)
        assert 5 <= n <= 60, f"{n} pages"
        s = structure(pdf)
        assert len(s.figures_alt) == _charts(root) and all(s.figures_alt)
        assert s.counts["Table"] == _tables(root)
        assert s.counts["H1"] == 1
        assert s.counts["H2"] == _headings(root, 2)
        assert s.counts["H3"] == _headings(root, 3)
        contents = len(root.xpath("//nav[contains(@class,'contents')]//a[@href]"))
        links = [a for a in pdf.pages[1].get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert len(links) >= contents, "the contents page does not link every section"
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(path)).pages]
    assert all(BANNER in t for t in texts), "a page lacks the demonstration banner"
    assert all(f"Page {i} of {n}" in t for i, t in enumerate(texts, start=1))
    assert "Contents" in texts[1]
    record_property(f"{chapter}.pdf pages", n)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_pdf_pages_as_png(folder, chapter):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: run `make browser-deps` (Debian poppler-utils)"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob(f"{chapter}-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-r", "45", "-png", "-f", "1", "-l", "8",
                    str(folder / f"{chapter}.pdf"), str(OUT / chapter)], check=True, timeout=300)
    from PIL import Image

    pngs = sorted(OUT.glob(f"{chapter}-*.png"))
    assert len(pngs) == 8
    for png in pngs:
        with Image.open(png) as im:
            assert im.size[1] / im.size[0] == pytest.approx(297 / 210, rel=0.02)
            assert im.convert("L").getextrema()[0] < 100, f"{png.name} is blank"


def _sheet_table(ws):
    (table,) = ws.tables.values()
    first = int(re.sub(r"\D", "", table.ref.split(":")[0]))
    headers = [c.value for c in ws[first]]
    return first, headers


def _check_workbook(path: Path, csv_names: list[str]) -> None:
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    assert len(wb.sheetnames) == 3 + len(csv_names)
    cover = [c for (c,) in wb["Cover"].iter_rows(values_only=True) if c]
    assert any(BANNER in c for c in cover)
    notes = {r[0] for r in wb["Notes"].iter_rows(min_row=5, values_only=True)}
    assert {"[c]", "[x]", "[z]"} <= notes
    listed = [r[-1] for r in wb["Contents"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert sorted(listed) == sorted(csv_names)
    numeric = 0
    for ws in wb.worksheets[3:]:
        assert not ws.merged_cells.ranges
        first, headers = _sheet_table(ws)
        assert ws.freeze_panes == f"A{first + 1}"
        assert all(isinstance(h, str) and h.strip() for h in headers)
        for col, header in enumerate(headers, start=1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
            values = [ws.cell(r, col).value for r in range(first + 1, ws.max_row + 1)]
            assert None not in values, f"{ws.title}!{header} has a blank cell"
            text = [v for v in values if isinstance(v, str) and v not in SHORTHAND]
            numeric += sum(1 for v in values if not isinstance(v, str))
            # a column of numbers is stored as numbers (labels such as a period or an
            # age band may look like a number beside other labels)
            assert not text or not all(re.fullmatch(r"-?[\d,]+(\.\d+)?", v) for v in text), \
                f"{ws.title}!{header}: numbers stored as text {text[:3]}"
            if re.match(r"(?i)^(count|denominator)\b", header):
                shown = [v for v in values if isinstance(v, int | float)]
                assert not any(1 <= v <= 4 for v in shown), f"{ws.title}!{header} shows 1-4"
    assert numeric > 50


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_workbook_follows_gss(folder, chapter):
    csvs = sorted(p.name for p in folder.glob(f"{chapter}_*.csv"))
    _check_workbook(folder / f"{chapter}.xlsx", csvs)


def test_release_workbook_holds_every_table(folder):
    csvs = sorted(p.name for c in CHAPTERS for p in folder.glob(f"{c}_*.csv"))
    _check_workbook(folder / RELEASE_WORKBOOK, csvs)
    wb = openpyxl.load_workbook(folder / RELEASE_WORKBOOK, read_only=True)
    header = next(wb["Contents"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert "Chapter" in header


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_word_document(folder, chapter):
    import docx

    d = docx.Document(str(folder / f"{chapter}.docx"))
    root = _page(folder, chapter)
    for level in (1, 2, 3):
        expected = len(root.xpath(f"//main//h{level}[not({_HIDDEN})]"))
        got = sum(1 for p in d.paragraphs if p.style.name == f"Heading {level}")
        assert got == expected, f"Heading {level}: {got} in Word, {expected} on the page"
    shapes = list(d.inline_shapes)
    assert len(shapes) == _charts(root)
    assert all(s._inline.docPr.get("descr") for s in shapes)
    assert len(d.tables) == _tables(root)
    for t in d.tables:
        assert t.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
        headers = [c.text for c in t.rows[0].cells]
        for col, h in enumerate(headers):
            if h.strip().lower() == "count":
                for row in t.rows[1:]:
                    assert row.cells[col].text.strip() not in {"1", "2", "3", "4"}
    assert BANNER in "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert d.core_properties.language == "en-GB"


def test_release_index_links_every_format(open_page, folder):
    page = open_page("release_index")
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    for c in CHAPTERS:
        for ext in ("pdf", "xlsx", "docx"):
            assert f"{c}.{ext}" in hrefs
    assert RELEASE_WORKBOOK in hrefs
    for href in hrefs:
        if not href.startswith(("#", "http", "../")):
            assert (folder / href).is_file(), f"{href} is linked but not published"
