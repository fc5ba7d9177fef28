"""A chapter's published HTML read back as a sequence of blocks for the other formats.

The Word document (and the Excel workbook's table captions) are made from the chapter's
exported HTML, not from the chapter's code, so they follow whatever the chapter renders. This
module reads that page with lxml and gives, in reading order, what a printed copy shows:

* :class:`Heading` (level 1-6), :class:`Paragraph` (runs of text, bold where the page says
  ``<strong>``/``<b>``/``<th>``), :class:`ListBlock`, :class:`Table` (caption, header rows,
  body rows, numeric columns, RAG colours) and :class:`Figure` (alternative text, caption, and
  the chart either as PNG bytes from an ``<img>`` data URI or as inline ``<svg role="img">``
  markup for the caller to rasterise);
* what print hides is skipped: :data:`PRINT_HIDDEN` lists the selectors of the chapter
  stylesheet's ``@media print`` rule that hides (skip link, site header and footer, the
  contents list, the "show the numbers" details, download links), and a test keeps the two
  the same;
* text marked ``aria-hidden`` (decorative symbols) is left out and visually hidden text
  (words for screen readers, e.g. "(small numbers)") kept, so every copy reads as a screen
  reader hears the page.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

__all__ = [
    "PRINT_HIDDEN",
    "ChapterDocument",
    "Figure",
    "Heading",
    "ListBlock",
    "Paragraph",
    "Run",
    "Table",
    "TableCell",
    "read_document",
]

#: Selectors the chapter stylesheet hides in print (``jsna.css``, ``@media print``); kept equal
#: to it by ``tests/test_formats_document.py``.
PRINT_HIDDEN: tuple[str, ...] = (
    ".skip-link", ".site-header", ".site-footer", "nav.contents", "details", ".download-link",
    ".back-link",
)
_BLOCK_TAGS = {"p", "ul", "ol", "table", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "dl",
               "div", "section", "nav", "main", "header", "footer", "article", "aside",
               "details", "figcaption", "blockquote"}
_BOLD_TAGS = {"strong", "b", "th", "dt"}
_DATA_URI = re.compile(r"^data:image/(png|jpeg);base64,(.*)$", re.S)
_BG = re.compile(r"background-color:\s*(#[0-9A-Fa-f]{6})")
_FG = re.compile(r"(?<!-)color:\s*(#[0-9A-Fa-f]{6})")


@dataclass(frozen=True)
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Heading:
    level: int
    text: str
    id: str | None = None


@dataclass
class Paragraph:
    runs: list[Run]
    #: "banner" (the demonstration warning), "note" (a table footnote or caption note) or "".
    kind: str = ""

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class ListBlock:
    items: list[list[Run]]
    ordered: bool = False
    #: Nesting level of each item (1 for the outer list).
    levels: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.levels:
            self.levels = [1] * len(self.items)


@dataclass
class TableCell:
    text: str
    header: bool = False
    numeric: bool = False
    #: Background and text colour of a RAG label in the cell (``#RRGGBB``), if any.
    fill: str | None = None
    colour: str | None = None


@dataclass
class Table:
    caption: str
    note: str
    header_rows: list[list[TableCell]]
    rows: list[list[TableCell]]
    #: File name of the table's CSV download, when the page links one beside it.
    csv_name: str | None = None

    @property
    def n_columns(self) -> int:
        return max((len(r) for r in self.header_rows + self.rows), default=0)


@dataclass
class Figure:
    alt: str
    caption: str
    png: bytes | None = None
    svg: str | None = None
    width: int | None = None
    height: int | None = None


Block = Heading | Paragraph | ListBlock | Table | Figure


@dataclass
class ChapterDocument:
    """A chapter page read back: its title, language and blocks in reading order."""

    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)
    #: Every CSV the page links (``<a download="x.csv">``), in page order, with what it holds:
    #: the caption of the table beside the link, else the link's words.
    downloads: dict[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _hidden(el: etree._Element) -> bool:
    """True for an element print hides (:data:`PRINT_HIDDEN`) or that is aria-hidden."""
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    tag = el.tag if isinstance(el.tag, str) else ""
    classes = _classes(el)
    for selector in PRINT_HIDDEN:
        name, _, cls = selector.partition(".")
        if (not name or name == tag) and (not cls or cls in classes):
            return True
    return False


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(el: etree._Element) -> str:
    """The visible, spoken text of an element (aria-hidden parts left out, ``<br>`` a space)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.get("aria-hidden") == "true":
            if node.tail:
                parts.append(node.tail)
            return
        if _local(node.tag) == "br":
            parts.append(" ")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return " ".join("".join(parts).split())


_BREAK = "\x00"
_BLOCK_ELEMENTS = {"p", "div", "ul", "ol", "li", "table", "section", "figure", "blockquote",
                   "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "figcaption"}
_DISPLAY_BLOCK = re.compile(r"([^{}]+)\{[^}]*\bdisplay:\s*block")
_LAST_CLASS = re.compile(r"\.([A-Za-z0-9_-]+)\s*$")


def block_classes(css: str) -> frozenset[str]:
    """Classes the page's stylesheet shows as blocks (``.tile-name { display: block }``):
    their text starts on a line of its own."""
    out = set()
    for selectors in _DISPLAY_BLOCK.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for selector in selectors.split(","):
            m = _LAST_CLASS.search(selector.strip())
            if m:
                out.add(m.group(1))
    return frozenset(out)


def _runs(el: etree._Element, bold: bool = False, italic: bool = False, *,
          blocks: frozenset[str] = frozenset(), skip_lists: bool = False) -> list[Run]:
    """Inline runs of an element, merged where the emphasis is the same.

    Text of block elements (``<p>`` inside a list item) and of classes the stylesheet shows
    as blocks starts on a new line ("\\n"), as does text after ``<br>``. ``skip_lists``
    leaves out nested lists (read as items of their own).
    """
    out: list[Run] = []

    def add(text: str | None, b: bool, i: bool) -> None:
        if not text:
            return
        text = re.sub(r"[ \t\r\n\f\v]+", " ", text)
        if out and out[-1].bold == b and out[-1].italic == i:
            out[-1] = Run(out[-1].text + text, b, i)
        else:
            out.append(Run(text, b, i))

    def walk(node: etree._Element, b: bool, i: bool) -> None:
        tag = _local(node.tag)
        if tag == "br":
            add(_BREAK, b, i)
            return
        if node.get("aria-hidden") == "true" or _hidden(node):
            return
        if skip_lists and node is not el and tag in ("ul", "ol"):
            return
        block = node is not el and (tag in _BLOCK_ELEMENTS or bool(_classes(node) & blocks))
        if block:
            add(_BREAK, b, i)
        b2 = b or tag in _BOLD_TAGS
        i2 = i or tag in {"em", "i"}
        add(node.text, b2, i2)
        for child in node:
            walk(child, b2, i2)
            add(child.tail, b2, i2)
        if block:
            add(_BREAK, b, i)

    walk(el, bold, italic)
    # breaks: none at the ends, one between blocks, no spaces around them
    cleaned: list[Run] = []
    for r in out:
        t = re.sub(r" ?\x00[ \x00]*", _BREAK, r.text)
        cleaned.append(Run(t, r.bold, r.italic))
    while cleaned and not cleaned[0].text.strip(" " + _BREAK):
        cleaned.pop(0)
    while cleaned and not cleaned[-1].text.strip(" " + _BREAK):
        cleaned.pop()
    if not cleaned:
        return []
    cleaned[0] = Run(cleaned[0].text.lstrip(" " + _BREAK), cleaned[0].bold, cleaned[0].italic)
    cleaned[-1] = Run(cleaned[-1].text.rstrip(" " + _BREAK), cleaned[-1].bold,
                      cleaned[-1].italic)
    merged: list[Run] = []
    for r in cleaned:
        t = r.text.replace(_BREAK, "\n")
        if merged and merged[-1].text.endswith("\n") and t.startswith("\n"):
            t = t.lstrip("\n")
        if t:
            merged.append(Run(t, r.bold, r.italic))
    return merged


def _cell(el: etree._Element) -> TableCell:
    fill = colour = None
    for span in el.iter():
        if "rag" in _classes(span):
            style = span.get("style") or ""
            bg, fg = _BG.search(style), _FG.search(style)
            fill = bg.group(1).upper() if bg else None
            colour = fg.group(1).upper() if fg else None
            break
    return TableCell(_text(el), header=_local(el.tag) == "th", numeric="num" in _classes(el),
                     fill=fill, colour=colour)


def _download_name(el: etree._Element) -> str | None:
    """The CSV file linked in (or right after) a table's wrapper, if any."""
    wrap = el
    while wrap is not None and "table-wrap" not in _classes(wrap):
        wrap = wrap.getparent()
    if wrap is None:
        return None
    for a in wrap.iter("a"):
        name = a.get("download")
        if name and name.endswith(".csv"):
            return name
    return None


def _table(el: etree._Element) -> Table:
    caption_el = next((c for c in el if _local(c.tag) == "caption"), None)
    caption, note = "", ""
    if caption_el is not None:
        title = [s for s in caption_el.iter() if "table-title" in _classes(s)]
        notes = [s for s in caption_el.iter() if "table-note" in _classes(s)]
        caption = _text(title[0]) if title else _text(caption_el)
        note = _text(notes[0]) if notes else ""
    header_rows: list[list[TableCell]] = []
    rows: list[list[TableCell]] = []
    for section in el:
        tag = _local(section.tag)
        trs = [section] if tag == "tr" else [t for t in section if _local(t.tag) == "tr"]
        for tr in trs:
            cells = [_cell(c) for c in tr if _local(c.tag) in ("th", "td")]
            if tag == "thead" or (not header_rows and not rows and cells
                                  and all(c.header for c in cells) and tag != "tbody"):
                header_rows.append(cells)
            else:
                rows.append(cells)
    return Table(caption, note, header_rows, rows, _download_name(el))


def _figure(el: etree._Element) -> Figure | None:
    caption_el = next((c for c in el.iter() if _local(c.tag) == "figcaption"), None)
    caption = _text(caption_el) if caption_el is not None else ""
    for node in el.iter():
        tag = _local(node.tag)
        if tag == "img" and node.get("aria-hidden") != "true":
            src = node.get("src") or ""
            m = _DATA_URI.match(src)
            png = base64.b64decode(m.group(2)) if m else None
            return Figure(node.get("alt") or "", caption, png=png,
                          width=_int(node.get("width")), height=_int(node.get("height")))
        if tag == "svg" and node.get("role") == "img":
            svg = etree.tostring(node, encoding="unicode", method="html")
            return Figure(node.get("aria-label") or _svg_title(node), caption, svg=svg,
                          width=_int(node.get("width")), height=_int(node.get("height")))
    return None


def _svg_title(node: etree._Element) -> str:
    for child in node:
        if _local(child.tag) == "title":
            return _text(child)
    return ""


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


def _list_items(el: etree._Element, level: int, blocks: frozenset[str]
                ) -> Iterator[tuple[int, list[Run]]]:
    for li in el:
        if _local(li.tag) != "li" or _hidden(li):
            continue
        runs = _runs(li, blocks=blocks, skip_lists=True)
        if runs:
            yield level, runs
        for child in li.iter("ul", "ol"):
            if child.getparent() is not None and _nearest_li(child) is li and not _hidden(child):
                yield from _list_items(child, level + 1, blocks)


def _nearest_li(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and _local(parent.tag) != "li":
        parent = parent.getparent()
    return parent


def _blocks(el: etree._Element, blocks: frozenset[str]) -> Iterator[Block]:
    for child in el:
        if not isinstance(child.tag, str) or _hidden(child):
            continue
        tag = _local(child.tag)
        classes = _classes(child)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            yield Heading(int(tag[1]), _text(child), child.get("id"))
        elif tag == "p":
            kind = "note" if classes & {"table-footnote", "legend-title"} else ""
            runs = _runs(child, blocks=blocks)
            if runs:
                yield Paragraph(runs, kind)
        elif tag in ("ul", "ol"):
            pairs = list(_list_items(child, 1, blocks))
            if pairs:
                yield ListBlock([r for _, r in pairs], ordered=tag == "ol",
                                levels=[lv for lv, _ in pairs])
        elif tag == "table":
            yield _table(child)
        elif tag in ("figure", "img") or (tag == "svg" and child.get("role") == "img"):
            fig = _figure(child)
            if fig is not None:
                yield fig
            elif tag == "figure":
                yield from _blocks(child, blocks)
        elif tag == "dl":
            term: list[Run] = []
            for item in child:
                if _local(item.tag) == "dt":
                    term = _runs(item, bold=True, blocks=blocks)
                elif _local(item.tag) == "dd":
                    yield Paragraph([*term, Run(": "), *_runs(item, blocks=blocks)])
        elif "banner" in classes:
            yield Paragraph(_runs(child, blocks=blocks), "banner")
        elif tag in ("div", "section", "main", "article", "aside", "header", "footer", "nav",
                     "blockquote", "span", "a", "strong"):
            if any(isinstance(c.tag, str) and _local(c.tag) in _BLOCK_TAGS for c in child):
                yield from _blocks(child, blocks)
            else:
                runs = _runs(child, blocks=blocks)
                if runs:
                    yield Paragraph(runs)


def read_document(source: str | Path) -> ChapterDocument:
    """Read a chapter page (HTML text or the path of the file) into a :class:`ChapterDocument`.

    Only ``<main>`` is read (the page's header, skip link and footer are navigation).
    """
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    root = lxml_html.document_fromstring(text)
    title_el = root.find(".//title")
    title = _text(title_el) if title_el is not None else ""
    lang = root.get("lang") or "en-GB"
    main = root.find(".//main")
    body = main if main is not None else root
    css = "\n".join(_text_of_style(st) for st in root.iter("style"))
    blocks = list(_blocks(body, block_classes(css)))
    return ChapterDocument(title, lang, blocks, _downloads(body))


def _text_of_style(el: etree._Element) -> str:
    return el.text or ""


def _downloads(body: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for a in body.iter("a"):
        name = a.get("download") or ""
        if not name.endswith(".csv") or name in out:
            continue
        wrap = a
        while wrap is not None and "table-wrap" not in _classes(wrap):
            wrap = wrap.getparent()
        caption = next(iter(wrap.iter("caption")), None) if wrap is not None else None
        if caption is not None:
            out[name] = _table(caption.getparent()).caption
        else:
            words = re.sub(r"^download\s+|\s*\(csv\)$", "", _text(a), flags=re.I)
            out[name] = words[:1].upper() + words[1:]
    return out
