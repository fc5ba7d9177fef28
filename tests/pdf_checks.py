"""An accessibility check of a PDF, independent of the code that wrote it (pikepdf only).

veraPDF (the PDF/UA reference checker) is not packaged for Debian or PyPI, so this checks the
PDF/UA-1 and WCAG PDF techniques a JSNA chapter depends on, reading the file's own objects:

* tagged: ``/MarkInfo /Marked true`` and a structure tree (PDF/UA 7.1; WCAG PDF9);
* document language ``/Lang`` (PDF16) and a title shown in the window
  (``/DisplayDocTitle true`` with a non-empty ``/Title``; PDF18);
* at least one H1 and heading levels that never skip on the way down (PDF9);
* every ``/Figure`` has non-empty ``/Alt`` text (PDF1; PDF/UA 7.3);
* every ``/Table`` has rows and its first row is all ``/TH`` header cells (PDF6; PDF/UA 7.5);
* every link annotation goes somewhere: an internal destination that exists, or an
  http(s)/mailto URI, never a file on the machine that built it (PDF11);
* every page's text can be extracted (not an image of text).

:func:`problems` returns what fails, in words; an empty list means the file passes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

__all__ = ["StructSummary", "problems", "structure"]


@dataclass
class StructSummary:
    counts: Counter = field(default_factory=Counter)
    figures_alt: list[str] = field(default_factory=list)
    tables_first_row: list[list[str]] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)


def _kids(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    k = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if k is None:
        return
    items = list(k) if isinstance(k, pikepdf.Array) else [k]
    for item in items:
        if isinstance(item, pikepdf.Dictionary) and "/S" in item:
            yield item


def _tag(node: pikepdf.Dictionary) -> str:
    return str(node.get("/S", ""))[1:]


def _rows(table: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    rows = []
    for kid in _kids(table):
        t = _tag(kid)
        if t == "TR":
            rows.append(kid)
        elif t in ("THead", "TBody", "TFoot"):
            rows += [r for r in _kids(kid) if _tag(r) == "TR"]
    return rows


def structure(pdf: pikepdf.Pdf) -> StructSummary:
    out = StructSummary()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return out
    stack = list(_kids(root))
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop(0)
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        tag = _tag(node)
        out.counts[tag] += 1
        if tag == "Figure":
            out.figures_alt.append(str(node.get("/Alt", "")).strip())
        elif tag == "Table":
            rows = _rows(node)
            out.tables_first_row.append([_tag(c) for c in _kids(rows[0])] if rows else [])
        elif len(tag) == 2 and tag[0] == "H" and tag[1].isdigit():
            out.headings.append(int(tag[1]))
        stack[0:0] = list(_kids(node))
    return out


def _named_destinations(pdf: pikepdf.Pdf) -> set[str]:
    names: set[str] = set()
    dests = pdf.Root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary):
        names.update(str(k)[1:] for k in dests.keys())
    tree = pdf.Root.get("/Names", {}).get("/Dests") if "/Names" in pdf.Root else None
    if tree is not None:
        stack = [tree]
        while stack:
            node = stack.pop()
            arr = node.get("/Names")
            if arr is not None:
                names.update(str(arr[i]) for i in range(0, len(arr), 2))
            stack += list(node.get("/Kids", []))
    return names


def _link_problems(pdf: pikepdf.Pdf) -> list[str]:
    out = []
    names = _named_destinations(pdf)
    pages = {p.obj.objgen for p in pdf.pages}
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            if dest is not None:
                if isinstance(dest, pikepdf.Array):
                    ok = len(dest) > 0 and dest[0].objgen in pages
                else:
                    ok = str(dest).lstrip("/") in names
                if not ok:
                    out.append(f"page {number}: a link to {dest} goes nowhere")
            elif action is not None and action.get("/S") == "/URI":
                uri = str(action.get("/URI", ""))
                if not uri.lower().startswith(("http://", "https://", "mailto:")):
                    out.append(f"page {number}: a link points to {uri!r}, not the web")
            else:
                out.append(f"page {number}: a link has neither a destination nor a URI")
    return out


def problems(path: Path, *, text_pages: bool = True) -> list[str]:
    """Every accessibility failure found in the PDF at ``path`` (see the module docstring)."""
    out: list[str] = []
    with pikepdf.open(path) as pdf:
        mark = pdf.Root.get("/MarkInfo")
        if mark is None or not bool(mark.get("/Marked", False)):
            out.append("not marked as tagged (/MarkInfo /Marked true)")
        if "/StructTreeRoot" not in pdf.Root:
            out.append("no structure tree (untagged PDF)")
        lang = str(pdf.Root.get("/Lang", "")).strip()
        if not lang:
            out.append("no document language (/Lang)")
        prefs = pdf.Root.get("/ViewerPreferences", {})
        if not bool(prefs.get("/DisplayDocTitle", False)):
            out.append("the window does not show the document title (/DisplayDocTitle)")
        if not str(pdf.docinfo.get("/Title", "")).strip():
            out.append("no document title (/Title)")
        s = structure(pdf)
        if s.counts["H1"] == 0:
            out.append("no H1 heading")
        for before, after in zip(s.headings, s.headings[1:], strict=False):
            if after > before + 1:
                out.append(f"heading level skips from H{before} to H{after}")
                break
        missing = sum(1 for a in s.figures_alt if not a)
        if missing:
            out.append(f"{missing} of {len(s.figures_alt)} figures have no alternative text")
        for i, first in enumerate(s.tables_first_row, start=1):
            if not first:
                out.append(f"table {i} has no rows")
            elif any(c != "TH" for c in first):
                out.append(f"table {i}'s first row is not all header cells ({first})")
        out += _link_problems(pdf)
    if text_pages:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        empty = [i for i, p in enumerate(reader.pages, start=1) if not p.extract_text().strip()]
        if empty:
            out.append(f"pages without extractable text: {empty}")
    return out
