"""Excel workbooks of a chapter's tables (and of a whole release), laid out as GSS asks.

Made from the CSV tables a chapter publishes and the captions its page gives them
(:attr:`.document.ChapterDocument.downloads`), following the Analysis Function's guidance on
releasing statistics in spreadsheets:

* a **Cover** sheet (title, area, release, data source, when built, contact, and the
  demonstration warning when the data are generated), a **Contents** sheet (one row and link
  per table) and a **Notes** sheet (what ``[c]``, ``[x]`` and ``[z]`` mean, and each table's
  notes, numbered);
* **one table per sheet**, as an Excel table with a plain header row; a title in A1 and a few
  lines of context above it, nothing beside or below it; no merged cells; the rows down to the
  header row frozen; column widths set; numbers stored as numbers (shown to the precision the
  chapter shows, stored in full); units in the headers where a table has one unit, else in its
  Unit column;
* cells without a number hold the GSS shorthand (:mod:`.shorthand`): ``[c]`` withheld for
  disclosure control (:func:`.disclosure.protect_counts` checks every count again), ``[x]``
  not available, ``[z]`` not applicable (an empty note or reason).

Written with XlsxWriter (the library gptables itself uses; see ``docs/formats.md`` for why not
gptables), read back in the tests with openpyxl.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...analysis.changes import SUMMARY_CSV_SUFFIX, read_summary_csv
from ..tables import indicator_table_csv
from .disclosure import WITHHELD_MARKS, protect_counts
from .shorthand import CONFIDENTIAL, MEANINGS, NOT_APPLICABLE, NOT_AVAILABLE

__all__ = ["SheetTable", "WorkbookInfo", "read_table", "sheet_tables", "write_workbook"]

_MAX_SHEET = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")
_SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^[a-z]+$")
_ACRONYMS = {"ci": "CI", "id": "ID", "ons": "ONS", "uda": "UDA", "nhs": "NHS", "n": "Number"}
#: Header words of columns that take the row's unit (value-like columns).
_UNIT_COLUMNS = re.compile(r"^(value|lower ci|upper ci|best/lowest|worst/highest|england|best|"
                           r"worst|previous value|goal lower|goal upper)$", re.I)
_TEXT_NOTE = re.compile(r"(note|reason)$", re.I)
_INTEGER_COLUMNS = re.compile(r"(\bid\b|\bcode\b|\brank\b|areas ranked|^order$|ranked$|"
                              r"authorities with a value)", re.I)


@dataclass
class SheetTable:
    """One table of a workbook: its sheet, title, cells and where it came from."""

    sheet: str
    title: str
    frame: pd.DataFrame
    source_file: str
    chapter: str = ""
    chapter_title: str = ""
    notes: list[str] = field(default_factory=list)
    #: Shown under the title: the unit, where the whole table has one.
    unit_line: str = ""


@dataclass(frozen=True)
class WorkbookInfo:
    """What the cover sheet says."""

    title: str
    area: str
    release: str
    source: str
    built: str
    contact: str
    is_demo: bool
    demo_warning: str = ""
    about: tuple[str, ...] = ()


def _header(name: str) -> str:
    """A readable column header: ``lower_ci`` → ``Lower CI``; other headers unchanged."""
    if not _SNAKE.match(name):
        return name
    words = [_ACRONYMS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"nan", "inf", "-inf", "infinity"}


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """A CSV download as workbook cells, and the line giving its unit (see :func:`cells`).

    A chapter's stored summary (``<chapter>_summary.csv``, the store's column names, kept for
    the next release) is read as the chapter's table of every indicator instead
    (:func:`rutland_jsna.report.tables.indicator_table_csv`, the columns of its other tables).
    """
    if path.name.endswith(SUMMARY_CSV_SUFFIX):
        frame = indicator_table_csv(read_summary_csv(path))
        return cells(pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype=str,
                                 keep_default_na=False))
    return cells(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def cells(raw: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A table of text cells (as read from a CSV) as workbook cells, and its unit line.

    Numbers become floats; withheld cells ``[c]``; missing numbers ``[x]`` (``[c]`` in a row
    whose count is withheld, where the figure is missing because of it); an empty note or
    reason ``[z]``; True/False ``Yes``/``No``. Counts are checked again
    (:func:`.disclosure.protect_counts`).
    """
    raw = protect_counts(raw)
    frame = pd.DataFrame(index=raw.index)
    withheld_row = np.zeros(len(raw), dtype=bool)
    for col in raw.columns:
        withheld_row |= raw[col].isin(WITHHELD_MARKS).to_numpy()
        if _TEXT_NOTE.search(col):
            withheld_row |= raw[col].str.contains("disclosure", case=False).to_numpy()
    unit_line = ""
    unit_col = next((c for c in raw.columns if c.lower() == "unit"), None)
    units = sorted({u for u in raw[unit_col] if u.strip()}) if unit_col else []
    single_unit = units[0] if len(units) == 1 else None
    for col in raw.columns:
        values = raw[col].str.strip()
        present = values[(values != "") & ~values.isin(WITHHELD_MARKS)]
        numeric = len(present) > 0 and present.map(_is_number).all()
        header = _header(col)
        if single_unit and _UNIT_COLUMNS.match(header):
            header = f"{header} ({single_unit})"
        if numeric:
            cells = [CONFIDENTIAL if v in WITHHELD_MARKS else
                     (CONFIDENTIAL if w else NOT_AVAILABLE) if v == "" else float(v)
                     for v, w in zip(values, withheld_row, strict=True)]
        elif values.isin(["True", "False", ""]).all() and values.ne("").any():
            cells = ["Yes" if v == "True" else "No" if v == "False" else NOT_AVAILABLE
                     for v in values]
        else:
            empty = NOT_APPLICABLE if _TEXT_NOTE.search(col) else NOT_AVAILABLE
            cells = [CONFIDENTIAL if v in WITHHELD_MARKS else empty if v == "" else v
                     for v in values]
        frame[header] = pd.Series(cells, index=raw.index, dtype=object)
    if single_unit:
        unit_line = f"Unit: {single_unit} (the value columns' headers give it too)."
    elif len(units) > 1:
        unit_line = "Units differ between rows: each row's unit is in the Unit column."
    return frame, unit_line


def _sheet_name(stem: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", stem)[:_MAX_SHEET] or "Table"
    name, i = base, 2
    while name.lower() in taken or name.lower() == "history":
        suffix = f"_{i}"
        name = base[: _MAX_SHEET - len(suffix)] + suffix
        i += 1
    taken.add(name.lower())
    return name


def sheet_tables(
    files: Sequence[Path],
    captions: dict[str, str],
    *,
    chapter: str,
    chapter_title: str,
    notes: dict[str, str] | None = None,
    prefix: str = "",
    taken: set[str] | None = None,
) -> list[SheetTable]:
    """The tables of one chapter, in the order its page links them (then by file name).

    ``captions`` maps a CSV file name to the caption its page gives the table; ``notes`` to
    the table's caption note.
    """
    taken = set() if taken is None else taken
    notes = notes or {}
    order = {name: i for i, name in enumerate(captions)}
    out = []
    for path in sorted(files, key=lambda p: (order.get(p.name, len(order)), p.name)):
        stem = path.stem[len(chapter) + 1:] if path.stem.startswith(f"{chapter}_") else path.stem
        frame, unit_line = read_table(path)
        if frame.empty or len(frame.columns) == 0:
            continue
        title = captions.get(path.name) or stem.replace("_", " ").capitalize()
        out.append(SheetTable(
            sheet=_sheet_name(f"{prefix}{stem}", taken), title=title, frame=frame,
            source_file=path.name, chapter=chapter, chapter_title=chapter_title,
            notes=[notes[path.name]] if notes.get(path.name) else [], unit_line=unit_line,
        ))
    return out


def _table_name(sheet: str, taken: set[str]) -> str:
    name = "table_" + re.sub(r"[^A-Za-z0-9_]", "_", sheet)
    base, i = name, 2
    while name.lower() in taken:
        name = f"{base}_{i}"
        i += 1
    taken.add(name.lower())
    return name


def _number_format(header: str, values: list[object]) -> str:
    numbers = [v for v in values if isinstance(v, float)]
    if header.lower().startswith("ci level") and all(0 < v < 1 for v in numbers):
        return "0.0%"
    if _INTEGER_COLUMNS.search(header) or all(float(v).is_integer() for v in numbers):
        return "0" if re.search(r"\b(id|code)\b", header, re.I) else "#,##0"
    return "#,##0.0"


def _width(header: str, values: list[object], fmt: str) -> float:
    def shown(v: object) -> int:
        if isinstance(v, float):
            return len(f"{v:,.1f}") if fmt == "#,##0.0" else len(f"{v:,.0f}")
        return len(str(v))

    longest = max([len(header) * 0.9, *(shown(v) for v in values)], default=8)
    return float(min(max(longest + 2, 9), 60))


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = h or "Column"
        key = h.lower()
        if key in seen:
            seen[key] += 1
            h = f"{h} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(h)
    return out


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters needs for ``text`` (for its row height:
    spreadsheet programs do not always fit wrapped rows themselves)."""
    per_line = max(1, int(width * 1.1) - 1)
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def _height(lines: int, font_pt: float = 11) -> float:
    return round(lines * font_pt * 1.35 + 2, 1)


def _sheet(wb, name: str, title: str, intro: str, title_fmt):  # type: ignore[no-untyped-def]
    """A sheet with its title in A1 (row sized for it) and one line saying what it holds."""
    ws = wb.add_worksheet(name)
    ws.hide_gridlines(2)
    ws.write_string(0, 0, title, title_fmt)
    ws.set_row(0, _height(1, 15))
    ws.write_string(1, 0, intro)
    return ws


def write_workbook(path: Path, tables: Sequence[SheetTable], info: WorkbookInfo) -> Path:
    """Write the workbook (cover, contents, notes, one sheet per table) to ``path``."""
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False,
                                         "strings_to_numbers": False,
                                         "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": info.title, "subject": f"{info.area}, release {info.release}",
                       "author": info.contact or "rutland_jsna",
                       "comments": "Built by rutland_jsna", "keywords": "JSNA, Fingertips"})
    title_fmt = wb.add_format({"bold": True, "font_size": 15})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    warn = wb.add_format({"bold": True, "font_color": "#A50000", "text_wrap": True})
    link = wb.add_format({"font_color": "#0B0C9C", "underline": 1})
    header_fmt = wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                "bottom": 1})
    right = wb.add_format({"align": "right"})
    formats: dict[str, object] = {}
    table_names: set[str] = set()

    # -- notes: shorthand first, then each table's notes, numbered
    note_numbers: dict[str, int] = {}
    for t in tables:
        for n in t.notes:
            note_numbers.setdefault(n, len(note_numbers) + 1)

    # -- Cover
    cover = wb.add_worksheet("Cover")
    cover.set_column(0, 0, 100, wrap)
    cover.hide_gridlines(2)
    row = 0
    cover.write_string(row, 0, info.title, title_fmt)
    cover.set_row(row, _height(_lines(info.title, 100 * 11 / 15), 15))
    row += 1
    if info.is_demo and info.demo_warning:
        cover.write_string(row, 0, info.demo_warning, warn)
        cover.set_row(row, _height(_lines(info.demo_warning, 100)))
        row += 1
    lines = [
        ("Area", info.area),
        ("Release", info.release),
        ("Data source", info.source),
        ("Built", info.built),
        ("Contact", info.contact),
    ]
    for label, text in lines:
        row += 1
        cover.write_string(row, 0, label, bold)
        row += 1
        cover.write_string(row, 0, text or NOT_AVAILABLE)
        cover.set_row(row, _height(_lines(text or NOT_AVAILABLE, 100)))
    row += 1
    cover.write_string(row + 1, 0, "About these tables", bold)
    row += 2
    about = [
        *info.about,
        f"This workbook has {len(tables)} tables, one on each sheet after the Notes sheet. "
        "The Contents sheet lists them with a link to each.",
        "Cells without a number hold a shorthand: [c] confidential (withheld for disclosure "
        "control), [x] not available, [z] not applicable. The Notes sheet explains each and "
        "lists the tables' notes.",
        "Numbers are stored in full and shown to one decimal place, as in the chapter.",
    ]
    for text in about:
        cover.write_string(row, 0, text)
        cover.set_row(row, _height(_lines(text, 100)))
        row += 1

    # -- Contents
    contents = _sheet(wb, "Contents", "Contents", "This worksheet contains one table: one row "
                      "per table in this workbook, with a link to its sheet.", title_fmt)
    multi = len({t.chapter for t in tables}) > 1
    headers = ["Sheet name", "Table title", *(["Chapter"] if multi else []), "CSV file"]
    first = 3
    contents.add_table(first, 0, first + max(len(tables), 1), len(headers) - 1, {
        "name": _table_name("contents", table_names), "autofilter": False,
        "style": "Table Style Light 1", "columns": [{"header": h} for h in headers],
    })
    for i, t in enumerate(tables, start=first + 1):
        contents.write_url(i, 0, f"internal:'{t.sheet}'!A1", link, string=t.sheet)
        contents.write_string(i, 1, t.title, wrap)
        contents.set_row(i, _height(_lines(t.title, 80)))
        col = 2
        if multi:
            contents.write_string(i, col, t.chapter_title)
            col += 1
        contents.write_string(i, col, t.source_file)
    if not tables:
        contents.write_string(first + 1, 0, NOT_APPLICABLE)
    contents.set_column(0, 0, max(14, *(len(t.sheet) + 2 for t in tables)) if tables else 14)
    contents.set_column(1, 1, 80, wrap)
    contents.set_column(2, len(headers) - 1, 36)
    contents.freeze_panes(first + 1, 0)

    # -- Notes
    notes = _sheet(wb, "Notes", "Notes", "This worksheet contains one table: the shorthand "
                   "used in cells without a number, then the notes of the tables.", title_fmt)
    rows = [(mark, meaning) for mark, meaning in MEANINGS.items()]
    rows += [(f"[note {n}]", text) for text, n in note_numbers.items()]
    notes.add_table(3, 0, 3 + len(rows), 1, {
        "name": _table_name("notes", table_names), "autofilter": False,
        "style": "Table Style Light 1",
        "columns": [{"header": "Shorthand or note"}, {"header": "Meaning"}],
    })
    for i, (mark, meaning) in enumerate(rows, start=4):
        notes.write_string(i, 0, mark)
        notes.write_string(i, 1, meaning, wrap)
        notes.set_row(i, _height(_lines(meaning, 100)))
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 100, wrap)
    notes.freeze_panes(4, 0)

    # -- one sheet per table
    for t in tables:
        refs = " ".join(f"[note {note_numbers[n]}]" for n in t.notes)
        context = [
            "This worksheet contains one table. Cells marked [c], [x] or [z] are explained "
            "on the Notes sheet" + (f"; so are this table's notes ({refs})." if refs else "."),
            f"{t.chapter_title}: {info.area}, release {info.release}. Source: {info.source}. "
            f"Also published as {t.source_file}.",
            *([t.unit_line] if t.unit_line else []),
        ]
        ws = _sheet(wb, t.sheet, t.title + (f" {refs}" if refs else ""), context[0], title_fmt)
        for r, text in enumerate(context[1:], start=2):
            ws.write_string(r, 0, text)
        header_row = len(context) + 2
        frame = t.frame
        headers = _unique_headers([str(c) for c in frame.columns])
        n = len(frame)
        ws.add_table(header_row, 0, header_row + max(n, 1), len(headers) - 1, {
            "name": _table_name(t.sheet, table_names), "autofilter": False,
            "style": "Table Style Light 1",
            "columns": [{"header": h, "header_format": header_fmt} for h in headers],
        })
        widths: list[float] = []
        for c, col in enumerate(frame.columns):
            values = list(frame[col])
            fmt_code = _number_format(headers[c], values)
            fmt = formats.setdefault(fmt_code, wb.add_format({"num_format": fmt_code}))
            # shorthand in a column of numbers is right-aligned with them
            numeric = any(isinstance(v, float) for v in values)
            text_fmt = right if numeric else None
            for r, v in enumerate(values, start=header_row + 1):
                if isinstance(v, float) and np.isfinite(v):
                    ws.write_number(r, c, v, fmt)
                else:
                    ws.write_string(r, c, str(v), text_fmt)
            widths.append(_width(headers[c], values, fmt_code))
            ws.set_column(c, c, widths[-1])
        ws.set_row(header_row, _height(max(_lines(h, w) for h, w in zip(headers, widths,
                                                                         strict=True))))
        if n == 0:
            ws.write_string(header_row + 1, 0, NOT_APPLICABLE)
        ws.freeze_panes(header_row + 1, 0)
    wb.close()
    return path
