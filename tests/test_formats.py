"""The board-pack formats, each file opened with an independent reader.

Excel with openpyxl (the workbooks are written with XlsxWriter), Word with python-docx's
reader of the saved file, the page model against the chapter stylesheet. The PDF and the
rasterised SVG charts need chromium: ``test_formats_pdf.py`` and ``tests/browser``.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from formats_fixtures import ALT_PNG, ALT_SVG, BANNER, make_chapter, png_bytes

from rutland_jsna.release.index import CSS_PATH
from rutland_jsna.report.formats import FORMATS, parse_formats
from rutland_jsna.report.formats.disclosure import protect_counts
from rutland_jsna.report.formats.document import (
    PRINT_HIDDEN,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Table,
    read_document,
)
from rutland_jsna.report.formats.docx import DocxStyles, write_docx
from rutland_jsna.report.formats.shorthand import MEANINGS
from rutland_jsna.report.formats.xlsx import WorkbookInfo, cells, sheet_tables, write_workbook

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------------------------------
# formats, shorthand, disclosure
# ------------------------------------------------------------------------------------------


def test_parse_formats():
    assert parse_formats(None) == ("html",)
    assert parse_formats("docx, PDF") == ("html", "pdf", "docx")
    assert parse_formats("all") == FORMATS
    assert parse_formats(["xlsx"]) == ("html", "xlsx")
    with pytest.raises(ValueError, match="unknown odt"):
        parse_formats("pdf,odt")


def test_shorthand_is_the_gss_set():
    assert list(MEANINGS) == ["[c]", "[x]", "[z]"]
    assert "confidential" in MEANINGS["[c]"] and "not available" in MEANINGS["[x]"]
    assert "not applicable" in MEANINGS["[z]"]


def test_protect_counts_withholds_small_and_flagged_counts_and_their_denominators():
    raw = pd.DataFrame({
        "Count": ["3", "*", "10", "", "0", "5", "1.0"],
        "denominator": ["100", "200", "300", "5", "7", "8", "9"],
        "count_suppressed": ["False", "False", "True", "False", "False", "False", "False"],
        "Value": ["1", "2", "3", "4", "5", "6", "7"],
    })
    out = protect_counts(raw)
    assert list(out["Count"]) == ["[c]", "[c]", "[c]", "", "0", "5", "[c]"]
    assert list(out["denominator"]) == ["[c]", "[c]", "[c]", "5", "7", "8", "[c]"]
    assert list(out["Value"]) == list(raw["Value"])  # a value alone reveals no count


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_protect_counts_catches_counts_inside_text(count):
    raw = pd.DataFrame({"Patients seen / population": [f"{count} / 1,200", "9,043 / 40,999"]})
    assert list(protect_counts(raw)["Patients seen / population"]) == ["[c]", "9,043 / 40,999"]


def test_cells_numbers_as_numbers_and_shorthand():
    raw = pd.DataFrame({
        "Indicator": ["A", "B", "C"], "Value": ["25.29", "", ""], "Count": ["43", "*", ""],
        "Unit": ["%", "%", "%"], "Missing reason": ["", "value suppressed for disclosure "
                                                        "control", "no data"],
        "is_subject": ["True", "False", "True"],
    })
    frame, unit_line = cells(raw)
    assert list(frame.columns) == ["Indicator", "Value (%)", "Count", "Unit", "Missing reason",
                                   "Is subject"]
    assert frame["Value (%)"].tolist() == [25.29, "[c]", "[x]"]
    assert frame["Count"].tolist() == [43.0, "[c]", "[x]"]
    assert frame["Missing reason"].tolist()[0] == "[z]"
    assert frame["Is subject"].tolist() == ["Yes", "No", "Yes"]
    assert "%" in unit_line


# ------------------------------------------------------------------------------------------
# the page read back
# ------------------------------------------------------------------------------------------


def test_print_hidden_matches_the_stylesheet():
    css = CSS_PATH.read_text(encoding="utf-8")
    block = css[css.index("@media print"):]
    rule = re.search(r"\n\s*([^{}]+)\{\s*display:\s*none !important;", block)
    assert rule, "the print stylesheet has no rule hiding the navigation chrome"
    selectors = tuple(s.strip() for s in rule.group(1).split(","))
    assert selectors == PRINT_HIDDEN


def test_read_document_gives_what_print_shows(tmp_path):
    make_chapter(tmp_path)
    doc = read_document(tmp_path / "oral_health.html")
    assert doc.title == "Oral health: Rutland" and doc.lang == "en-GB"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds[0] == "Paragraph" and doc.blocks[0].kind == "banner"
    assert [h.text for h in doc.headings] == ["Oral health", "Children", "Dental contracts"]
    # the contents list, the chart's "show the numbers" table and download links are not read
    assert len(doc.tables) == 2
    assert all("Download" not in b.text for b in doc.blocks if isinstance(b, Paragraph))
    table = doc.tables[0]
    assert table.caption == "Children's oral health" and table.note == "Rank 1 is the best."
    assert table.csv_name == "oral_health_children.csv"
    assert [c.text for c in table.header_rows[0]][:3] == ["Indicator", "Period", "Value"]
    assert table.rows[0][0].header and table.rows[0][2].numeric
    assert table.rows[0][5].fill == "#FFC000"
    (fig,) = doc.figures
    assert fig.alt == ALT_PNG and fig.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.caption.startswith("Decay in 5 year olds")
    assert doc.downloads == {"oral_health_children.csv": "Children's oral health",
                             "oral_health_uda.csv": "Monthly UDA delivery against the threshold"}


def test_read_document_takes_an_inline_svg_chart(tmp_path):
    make_chapter(tmp_path, svg=True)
    (fig,) = read_document(tmp_path / "oral_health.html").figures
    assert fig.alt == ALT_SVG and fig.png is None
    assert fig.svg.startswith("<svg") and "viewbox" in fig.svg.lower()
    assert (fig.width, fig.height) == (320, 160)


# ------------------------------------------------------------------------------------------
# Excel
# ------------------------------------------------------------------------------------------


def _workbook(tmp_path, **kw):
    folder = make_chapter(tmp_path / "chapter", **kw)
    doc = read_document(folder / "oral_health.html")
    tables = sheet_tables(sorted(folder.glob("*.csv")), doc.downloads, chapter="oral_health",
                          chapter_title="Oral health",
                          notes={t.csv_name: t.note for t in doc.tables if t.note})
    info = WorkbookInfo(title="Oral health: tables", area="Rutland (E06000017)",
                        release="2026-Q1", source="demonstration snapshot", built="2026-12-04",
                        contact="jsna@example.org", is_demo=True,
                        demo_warning=BANNER + ". Must not be quoted.")
    path = write_workbook(tmp_path / "oral_health.xlsx", tables, info)
    return openpyxl.load_workbook(path), path


def test_workbook_cover_contents_notes_then_one_table_per_sheet(tmp_path):
    wb, _ = _workbook(tmp_path)
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "children", "uda"]
    cover = [c for (c,) in wb["Cover"].iter_rows(values_only=True) if c]
    assert cover[0] == "Oral health: tables"
    assert BANNER + ". Must not be quoted." in cover
    for label, value in [("Area", "Rutland (E06000017)"), ("Release", "2026-Q1"),
                         ("Contact", "jsna@example.org")]:
        assert cover[cover.index(label) + 1] == value
    contents = list(wb["Contents"].iter_rows(min_row=4, values_only=True))
    assert contents[0] == ("Sheet name", "Table title", "CSV file")
    assert contents[1] == ("children", "Children's oral health", "oral_health_children.csv")
    link = wb["Contents"]["A5"].hyperlink
    assert link is not None and "children" in (link.location or link.target or "")
    notes = dict(wb["Notes"].iter_rows(min_row=5, values_only=True))
    assert set(MEANINGS) <= set(notes) and notes["[note 1]"] == "Rank 1 is the best."


def test_workbook_sheets_follow_the_gss_rules(tmp_path):
    wb, path = _workbook(tmp_path)
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, f"{ws.title} has merged cells"
        if ws.title != "Cover":
            assert ws.freeze_panes, f"{ws.title} has no frozen header row"
            assert len(ws.tables) == 1, f"{ws.title} should hold exactly one table"
        assert all(d.width for d in ws.column_dimensions.values())
    ws = wb["children"]
    assert ws["A1"].value.startswith("Children's oral health")
    (table,) = ws.tables.values()
    top_left = table.ref.split(":")[0]
    header_row = int(re.sub(r"\D", "", top_left))
    assert ws.freeze_panes == f"A{header_row + 1}"
    headers = [c.value for c in ws[header_row]]
    assert headers[:4] == ["Indicator", "Period", "Value (%)", "Lower CI (%)"]
    assert all(isinstance(h, str) and h for h in headers)
    rows = list(ws.iter_rows(min_row=header_row + 1, values_only=True))
    value, count = headers.index("Value (%)"), headers.index("Count")
    assert rows[0][value] == pytest.approx(25.294117647058822)  # full precision, a number
    assert ws.cell(header_row + 1, value + 1).data_type == "n"
    assert ws.cell(header_row + 1, value + 1).number_format == "#,##0.0"
    assert rows[1][count] == "[c]" and rows[0][count] == 43
    reason = headers.index("Missing reason")
    assert rows[0][reason] == "[z]"
    with zipfile.ZipFile(path) as z:
        assert not any("mergeCell" in z.read(n).decode("utf-8", "ignore")
                       for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_workbook_never_shows_a_count_of_1_to_4(tmp_path):
    folder = tmp_path / "chapter"
    make_chapter(folder)
    pd.DataFrame({"area": ["A", "B", "C"], "count": [3, 12, 0], "denominator": [40, 50, 60],
                  "value": [7.5, 24.0, 0.0]}).to_csv(folder / "oral_health_ranking.csv",
                                                     index=False)
    doc = read_document(folder / "oral_health.html")
    tables = sheet_tables(sorted(folder.glob("*.csv")), doc.downloads, chapter="oral_health",
                          chapter_title="Oral health")
    info = WorkbookInfo("t", "Rutland", "2026-Q1", "s", "d", "", False)
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "w.xlsx", tables, info))
    ws = wb["ranking"]
    (table,) = ws.tables.values()
    header_row = int(re.sub(r"\D", "", table.ref.split(":")[0]))
    headers = [c.value for c in ws[header_row]]
    rows = list(ws.iter_rows(min_row=header_row + 1, values_only=True))
    assert [r[headers.index("Count")] for r in rows] == ["[c]", 12, 0]
    assert [r[headers.index("Denominator")] for r in rows] == ["[c]", 50, 60]


# ------------------------------------------------------------------------------------------
# Word
# ------------------------------------------------------------------------------------------


def _docx(tmp_path, template=None, styles=None, **kw):
    import docx

    make_chapter(tmp_path / "chapter", **kw)
    doc = read_document(tmp_path / "chapter" / "oral_health.html")
    path = tmp_path / "oral_health.docx"
    missing = write_docx(doc, path, template=template, styles=styles, banner=BANNER,
                         rasterise=lambda svgs: [png_bytes() for _ in svgs])
    return docx.Document(str(path)), missing


def test_word_document_headings_tables_and_alt_text(tmp_path):
    d, missing = _docx(tmp_path)
    assert missing == []
    headings = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "Oral health"), ("Heading 2", "Children"),
                        ("Heading 3", "Dental contracts")]
    assert d.core_properties.title == "Oral health: Rutland"
    assert d.core_properties.language == "en-GB"
    section = d.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert BANNER in "\n".join(p.text for p in section.header.paragraphs)
    assert 'w:instr="PAGE"' in section.footer._element.xml
    assert [p.style.name for p in d.paragraphs if p.text == "First point"] == ["List Bullet"]
    assert len(d.tables) == 2
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells][:3] == ["Indicator", "Period", "Value"]
    assert t.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # repeats on every page
    assert all(r._tr.trPr.find(f"{W}tblHeader") is None for r in t.rows[1:])
    assert t.rows[2].cells[4].text == "*"
    assert t._tbl.tblPr.find(f"{W}tblCaption").get(f"{W}val") == "Children's oral health"
    shading = t.rows[1].cells[5]._tc.tcPr.find(f"{W}shd")
    assert shading.get(f"{W}fill") == "FFC000" and t.rows[1].cells[5].text == "Similar"
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert "Children's oral health" in captions
    (shape,) = d.inline_shapes
    doc_pr = shape._inline.docPr
    assert doc_pr.get("descr") == ALT_PNG and doc_pr.get("title")


def test_word_document_rasterises_an_svg_chart(tmp_path):
    d, _ = _docx(tmp_path, svg=True)
    (shape,) = d.inline_shapes
    assert shape._inline.docPr.get("descr") == ALT_SVG


def test_word_document_on_a_council_template(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    template = docx.Document()
    template.sections[0].header.paragraphs[0].text = "Rutland County Council"
    for level in (1, 2, 3):
        template.styles.add_style(f"Council Heading {level}", WD_STYLE_TYPE.PARAGRAPH)
    template.add_paragraph("Sample text the council's template carries")
    template.save(tmp_path / "council.docx")
    styles = DocxStyles.parse(["heading=Council Heading {level}", "banner=No Such Style"])
    d, missing = _docx(tmp_path, template=tmp_path / "council.docx", styles=styles)
    assert missing == ["No Such Style"]
    assert [p.style.name for p in d.paragraphs if p.text == "Children"] == ["Council Heading 2"]
    assert "Sample text" not in "\n".join(p.text for p in d.paragraphs)
    header = "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert "Rutland County Council" in header and BANNER in header
    with pytest.raises(ValueError, match="ROLE=STYLE"):
        DocxStyles.parse(["colour=red"])


def test_document_blocks_are_the_known_kinds(tmp_path):
    make_chapter(tmp_path)
    doc = read_document(tmp_path / "oral_health.html")
    assert all(isinstance(b, Heading | Paragraph | ListBlock | Table | Figure)
               for b in doc.blocks)


def test_list_items_nested_lists_and_block_spans(tmp_path):
    from rutland_jsna.report.formats.document import block_classes

    css = "ul.overview .tile-name { display: block; }\n.polarity, .reason { display: block; }"
    assert block_classes(css) == {"tile-name", "polarity", "reason"}
    page = (
        f"<html lang='en-GB'><head><title>t</title><style>{css}</style></head><body><main>"
        "<ul><li>There are areas:<ul><li><strong>C28d</strong> ranked 16<sup>th</sup></li>"
        "</ul></li><li><p>First para.</p><p><strong>A&amp;E</strong> second.</p></li></ul>"
        "<ul class='overview'><li><span class='tile-name'>C04 - Low birth weight</span>"
        "<span class='rag'>Similar</span> 2.4</li></ul></main></body></html>")
    doc = read_document(page)
    first, tiles = [b for b in doc.blocks if isinstance(b, ListBlock)]
    texts = ["".join(r.text for r in item) for item in first.items]
    assert texts == ["There are areas:", "C28d ranked 16th", "First para.\nA&E second."]
    assert first.levels == [1, 2, 1]
    assert first.items[1][0].bold and not first.items[1][1].bold
    assert ["".join(r.text for r in i) for i in tiles.items] == [
        "C04 - Low birth weight\nSimilar 2.4"]
