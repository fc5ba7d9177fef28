"""A Word document of a chapter, from its published HTML (:mod:`.document`).

What a committee-report writer needs from it:

* real headings (Word's *Heading 1* … *Heading 6*, so the navigation pane and a table of
  contents work), paragraphs, bulleted and numbered lists;
* tables with their caption above (style *Caption*), the header row marked to repeat at the
  top of every page (``w:tblHeader``), the table's alternative-text title and description set
  from the caption, the RAG labels' colours as cell shading beside their words;
* charts as pictures with alternative text (``descr`` and ``title`` of the drawing, what
  Word's *Alt Text* pane shows), their caption below; a chart drawn as inline SVG is
  rasterised by the caller's ``rasterise`` (chromium; Word needs a bitmap);
* document language (en-GB) and title in the core properties; A4 with page numbers; the
  demonstration banner in the page header of every page when the data are generated;
* optionally the council's own template (``template=council.docx``): its page set-up, headers,
  footers and styles are kept and its body emptied; each role below is given the template's
  style of that name (:class:`DocxStyles`, overridable), and a missing heading style is added
  so headings stay real headings.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .document import ChapterDocument, Figure, Heading, ListBlock, Paragraph, Run, Table

__all__ = ["DocxStyles", "write_docx"]

#: Width of a chart in the document (A4 portrait less 2 cm margins each side).
_MAX_IMAGE_CM = 16.5
#: Turns charts drawn as SVG into PNG bytes (one call for all the charts of a document).
Rasteriser = Callable[[list[str]], list[bytes]]


@dataclass(frozen=True)
class DocxStyles:
    """The style name used for each role (a council template's styles, by name)."""

    heading: str = "Heading {level}"
    body: str = "Normal"
    caption: str = "Caption"
    note: str = "Normal"
    banner: str = "Intense Quote"
    bullet: str = "List Bullet"
    number: str = "List Number"
    table: str = "Table Grid"

    @classmethod
    def parse(cls, pairs: list[str] | None) -> DocxStyles:
        """``["heading=Council Heading {level}", "body=Council Body"]`` → styles."""
        styles = cls()
        known = {f.name for f in fields(cls)}
        for pair in pairs or []:
            role, sep, name = pair.partition("=")
            role = role.strip()
            if not sep or role not in known or not name.strip():
                raise ValueError(f"docx style: {pair!r} is not ROLE=STYLE NAME with ROLE one of "
                                 f"{', '.join(sorted(known))}")
            styles = replace(styles, **{role: name.strip()})
        return styles


def _set_language(doc, lang: str) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.oxml.shared import OxmlElement

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.append(el)
    el.set(qn("w:val"), lang)


class _Writer:
    def __init__(self, doc, styles: DocxStyles) -> None:  # type: ignore[no-untyped-def]
        self.doc = doc
        self.styles = styles
        self.names = {s.name for s in doc.styles}
        self.missing: set[str] = set()
        #: PNG of each SVG chart, by ``id`` of its :class:`Figure`.
        self.rasters: dict[int, bytes] = {}

    def style(self, name: str, *, heading_level: int | None = None) -> str | None:
        """The style ``name`` if the document has it (a heading style is added if missing)."""
        if name in self.names:
            return name
        if heading_level is not None:
            from docx.enum.style import WD_STYLE_TYPE
            from docx.oxml.ns import qn
            from docx.oxml.shared import OxmlElement
            from docx.shared import Pt

            style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.doc.styles["Normal"]
            style.font.bold = True
            style.font.size = Pt(max(11, 20 - 2 * heading_level))
            style.paragraph_format.keep_with_next = True
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(heading_level - 1))
            style.element.get_or_add_pPr().append(outline)
            self.names.add(name)
            return name
        self.missing.add(name)
        return None

    def paragraph(self, runs: list[Run], style: str | None = None):  # type: ignore[no-untyped-def]
        p = self.doc.add_paragraph(style=self.style(style) if style else None)
        for r in runs:
            run = p.add_run(r.text)
            run.bold = r.bold or None
            run.italic = r.italic or None
        return p

    def heading(self, block: Heading) -> None:
        name = self.styles.heading.format(level=block.level)
        self.doc.add_paragraph(block.text, style=self.style(name, heading_level=block.level))

    def banner(self, block: Paragraph) -> None:
        style = self.style(self.styles.banner)
        p = self.doc.add_paragraph(style=style)
        for i, r in enumerate(block.runs):
            run = p.add_run(r.text)
            run.bold = r.bold or None
            if i == 0 and len(block.runs) > 1:
                run.add_break()

    def list(self, block: ListBlock) -> None:
        base = self.styles.number if block.ordered else self.styles.bullet
        for item, level in zip(block.items, block.levels, strict=True):
            nested = f"{base} {min(level, 3)}"
            self.paragraph(item, nested if level > 1 and nested in self.names else base)

    def table(self, block: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.oxml.shared import OxmlElement
        from docx.shared import Pt, RGBColor

        ncol = block.n_columns
        if ncol == 0:
            return
        if block.caption:
            cap = self.paragraph([Run(block.caption, bold=True)], self.styles.caption)
            cap.paragraph_format.keep_with_next = True
        rows = block.header_rows + block.rows
        table = self.doc.add_table(rows=len(rows), cols=ncol)
        style = self.style(self.styles.table)
        if style:
            table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        tbl_pr = table._tbl.tblPr
        for tag, value in (("w:tblCaption", block.caption), ("w:tblDescription", block.note)):
            if value:
                el = OxmlElement(tag)
                el.set(qn("w:val"), value[:255])
                tbl_pr.append(el)
        size = Pt(7 if ncol > 8 else 9)
        margins = OxmlElement("w:tblCellMar")  # narrow cell margins: wide tables fit A4
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), "40" if ncol > 8 else "80")
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        tbl_pr.append(margins)
        for r, cells in enumerate(rows):
            row = table.rows[r]
            header_row = r < len(block.header_rows)
            tr_pr = row._tr.get_or_add_trPr()
            if header_row:
                el = OxmlElement("w:tblHeader")
                el.set(qn("w:val"), "true")
                tr_pr.append(el)
            no_split = OxmlElement("w:cantSplit")
            tr_pr.append(no_split)
            for c in range(ncol):
                cell = row.cells[c]
                data = cells[c] if c < len(cells) else None
                p = cell.paragraphs[0]
                if data is None:
                    continue
                run = p.add_run(data.text)
                run.font.size = size
                run.bold = (data.header or header_row) or None
                if data.numeric:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if data.fill:
                    shd = OxmlElement("w:shd")
                    shd.set(qn("w:val"), "clear")
                    shd.set(qn("w:color"), "auto")
                    shd.set(qn("w:fill"), data.fill.lstrip("#"))
                    cell._tc.get_or_add_tcPr().append(shd)
                    if data.colour:
                        run.font.color.rgb = RGBColor.from_string(data.colour.lstrip("#"))
        self._widths(table, rows, ncol)
        self.doc.add_paragraph()

    def _widths(self, table, rows, ncol: int) -> None:  # type: ignore[no-untyped-def]
        """Column widths from the text: each column at least as wide as its longest word,
        the rest of the text width shared in proportion to how long its cells run."""
        from docx.shared import Emu

        section = self.doc.sections[-1]
        total = int(section.page_width - section.left_margin - section.right_margin)
        least, wants = [1.0] * ncol, [1.0] * ncol
        for c in range(ncol):
            texts = [cells[c].text for cells in rows if c < len(cells)]
            words = [len(w) for t in texts for w in t.split()] or [1]
            lengths = sorted(len(t) for t in texts) or [1]
            least[c] = min(max(words), 12) + 0.5
            wants[c] = max(least[c], min(lengths[int(0.9 * (len(lengths) - 1))], 60))
        spare = max(0.0, 1.0 - sum(least) / sum(wants))
        shares = [lo + spare * (w - lo) for lo, w in zip(least, wants, strict=True)]
        scale = total / sum(shares)
        table.autofit = False
        for c in range(ncol):
            width = Emu(int(shares[c] * scale))
            table.columns[c].width = width
            for row in table.rows:
                row.cells[c].width = width

    def figure(self, block: Figure) -> None:
        from docx.shared import Cm

        png = block.png if block.png is not None else self.rasters.get(id(block))
        if png is None:
            self.paragraph([Run("Chart: ", bold=True), Run(block.alt)], self.styles.body)
            return
        width = Cm(_MAX_IMAGE_CM)
        if block.width:
            width = min(width, Cm(block.width / 96 * 2.54))
        self.doc.add_picture(io.BytesIO(png), width=width)
        pic_par = self.doc.paragraphs[-1]
        pic_par.paragraph_format.keep_with_next = True
        inline = pic_par._p.xpath(".//wp:inline | .//wp:anchor")[0]
        doc_pr = inline.xpath("./wp:docPr")[0]
        doc_pr.set("descr", block.alt)
        doc_pr.set("title", (block.caption or block.alt)[:250])
        if block.caption:
            self.paragraph([Run(block.caption)], self.styles.caption)


def _header_footer(doc, banner: str | None) -> None:  # type: ignore[no-untyped-def]
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.oxml.shared import OxmlElement

    for section in doc.sections:
        if banner:
            p = section.header.add_paragraph()
            run = p.add_run(banner)
            run.bold = True
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = section.footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run("Page ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        p._p.append(field)


def write_docx(
    document: ChapterDocument,
    path: Path,
    *,
    template: Path | None = None,
    styles: DocxStyles | None = None,
    banner: str | None = None,
    rasterise: Rasteriser | None = None,
    subject: str = "",
) -> list[str]:
    """Write ``document`` as a Word file at ``path``.

    Returns the style names the template lacked (those roles fell back to Word's defaults).
    """
    from docx import Document
    from docx.shared import Cm

    styles = styles or DocxStyles()
    doc = Document(str(template)) if template is not None else Document()
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    if template is None:
        for section in doc.sections:
            section.page_width, section.page_height = Cm(21.0), Cm(29.7)
            for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
                setattr(section, side, Cm(2.0))
    props = doc.core_properties
    props.title = document.title
    props.language = document.lang
    props.subject = subject
    props.author = "rutland_jsna"
    props.comments = "Built by rutland_jsna from the chapter's published HTML."
    _set_language(doc, document.lang)
    _header_footer(doc, banner)
    writer = _Writer(doc, styles)
    drawn = [f for f in document.figures if f.png is None and f.svg is not None]
    if drawn and rasterise is not None:
        pngs = rasterise([f.svg for f in drawn if f.svg is not None])
        writer.rasters = {id(f): png for f, png in zip(drawn, pngs, strict=True)}
    for block in document.blocks:
        if isinstance(block, Heading):
            writer.heading(block)
        elif isinstance(block, Paragraph):
            if block.kind == "banner":
                writer.banner(block)
            else:
                writer.paragraph(block.runs, styles.note if block.kind == "note" else None)
        elif isinstance(block, ListBlock):
            writer.list(block)
        elif isinstance(block, Table):
            writer.table(block)
            if block.note:
                writer.paragraph([Run(block.note, italic=True)], styles.note)
        elif isinstance(block, Figure):
            writer.figure(block)
    doc.save(str(path))
    return sorted(writer.missing)
