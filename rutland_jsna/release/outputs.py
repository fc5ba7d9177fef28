"""The formats a release is published in besides HTML: rendered, cached and recorded.

:func:`render_chapter_outputs` runs after the chapters (before the release is assembled): for
each chapter and each format asked for (:data:`rutland_jsna.report.formats.FORMATS`) it makes
``<chapter>.pdf``, ``<chapter>.xlsx`` and ``<chapter>.docx`` beside the chapter's HTML and
CSV files, from those files alone (:mod:`rutland_jsna.report.formats`).
:func:`render_release_outputs` then makes the release workbook :data:`RELEASE_WORKBOOK` (every
chapter's tables) in the assembled staging folder. Everything is published with the release
in its one atomic swap, or not at all.

Caching: a format's **key** is the sha256 of the chapter's build key (which already covers the
notebook, parameters, package source, library versions and inputs), the format, the versions
of the libraries that write it and its options (the Word template's sha256 and style names,
the contact on the workbook's cover, the chromium version for PDF). Outputs live in the chapter
cache (``reports/_cache/chapters/<chapter>.<format>/<key>/``; the release workbook under
``_release.xlsx``), so a rebuild with nothing changed renders no format, and adding a format
renders only that one.

Each output is recorded in ``release.json`` (``outputs``: file → format, chapter, sha256,
bytes, seconds to render, reused, key).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..report.formats import EXTENSIONS, FORMATS, parse_formats
from .build import _sha256_file, cache_lookup, cache_restore, cache_store
from .index import CHAPTER_TITLES

__all__ = [
    "RELEASE_WORKBOOK",
    "FormatError",
    "OutputOptions",
    "check_output_options",
    "html_records",
    "output_key",
    "render_chapter_outputs",
    "render_release_outputs",
]

#: The workbook of every table of a release.
RELEASE_WORKBOOK = "all_chapters.xlsx"
_RELEASE_NAMESPACE = "_release"
_LIBRARIES = {"pdf": ("playwright",), "xlsx": ("xlsxwriter", "pandas"),
              "docx": ("python-docx", "lxml", "playwright")}
_DEMO_BANNER = "Demonstration data — not official statistics"


class FormatError(RuntimeError):
    """A format could not be rendered; nothing was published."""


@dataclass(frozen=True)
class OutputOptions:
    """Which formats to publish, and their options."""

    formats: tuple[str, ...] = ("html",)
    #: The council's Word template (styles mapped by name).
    docx_template: Path | None = None
    #: ``ROLE=STYLE`` pairs overriding the template's style names
    #: (:class:`rutland_jsna.report.formats.docx.DocxStyles`).
    docx_styles: tuple[str, ...] = ()
    #: Contact printed on the workbook's cover (default ``$RUTLAND_JSNA_CONTACT``).
    contact: str | None = None

    @classmethod
    def make(cls, formats: str | Sequence[str] | None = None, *,
             docx_template: str | os.PathLike[str] | None = None,
             docx_styles: Sequence[str] = (), contact: str | None = None) -> OutputOptions:
        return check_output_options(cls(
            parse_formats(formats if formats is None or isinstance(formats, str)
                          else list(formats)),
            Path(docx_template) if docx_template is not None else None,
            tuple(docx_styles), contact))

    @property
    def extra_formats(self) -> tuple[str, ...]:
        return tuple(f for f in self.formats if f != "html")

    def contact_text(self) -> str:
        from ..config import CONTACT_ENV

        text = self.contact if self.contact is not None else os.environ.get(CONTACT_ENV, "")
        return text.strip()


def check_output_options(options: OutputOptions) -> OutputOptions:
    """Refuse options that cannot work, before any chapter runs."""
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats: unknown {', '.join(unknown)}")
    if options.docx_template is not None:
        path = options.docx_template
        if "docx" not in options.formats:
            raise ValueError("--docx-template needs docx in --formats")
        if not path.is_file():
            raise FileNotFoundError(f"docx template: {path} does not exist")
        if path.suffix.lower() not in (".docx", ".dotx"):
            raise ValueError(f"docx template: {path} is not a Word document (.docx)")
    if options.docx_styles:
        from ..report.formats.docx import DocxStyles

        DocxStyles.parse(list(options.docx_styles))
    if "pdf" in options.formats:
        from ..report.formats.browser import chromium_path

        if not chromium_path().exists():
            raise FileNotFoundError(
                f"PDF output needs Debian's chromium at {chromium_path()} (apt-get install "
                "chromium, as make reports does)")
    return options


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


@functools.lru_cache(maxsize=1)
def _chromium() -> str:
    from ..report.formats.browser import chromium_version

    return chromium_version()


def _options_record(fmt: str, options: OutputOptions) -> dict[str, Any]:
    record: dict[str, Any] = {lib: _version(lib) for lib in _LIBRARIES.get(fmt, ())}
    if fmt in ("pdf", "docx"):
        record["chromium"] = _chromium()
    if fmt == "docx":
        template = options.docx_template
        record["template"] = _sha256_file(template) if template is not None else None
        record["styles"] = list(options.docx_styles)
    if fmt == "xlsx":
        record["contact"] = options.contact_text()
    return record


def output_key(base_key: str, fmt: str, options: OutputOptions) -> str:
    """The cache key of one output (see the module docstring)."""
    record = {"base": base_key, "format": fmt, "options": _options_record(fmt, options)}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


@dataclass
class _Chapter:
    chapter: str
    key: str
    folder: Path
    source: dict[str, Any]

    @property
    def html(self) -> Path:
        return self.folder / f"{self.chapter}.html"

    @functools.cached_property
    def document(self) -> Any:
        from ..report.formats.document import read_document

        return read_document(self.html)

    @property
    def title(self) -> str:
        return CHAPTER_TITLES.get(self.chapter, self.chapter.replace("_", " ").capitalize())

    @property
    def csv_files(self) -> list[Path]:
        return sorted(p for p in self.folder.glob(f"{self.chapter}_*.csv") if p.is_file())


def _source(folder: Path, chapter: str) -> dict[str, Any]:
    from .build import SOURCE_JSON_SUFFIX

    path = folder / f"{chapter}{SOURCE_JSON_SUFFIX}"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _workbook_info(title: str, chapters: Sequence[_Chapter], release: str,
                   options: OutputOptions) -> Any:
    from ..report.formats.xlsx import WorkbookInfo

    src = chapters[0].source if chapters else {}
    is_demo = any(bool(c.source.get("is_demo")) for c in chapters)
    area = src.get("area_name", "")
    code = src.get("area_code", "")
    return WorkbookInfo(
        title=title, area=f"{area} ({code})" if code else area, release=release,
        source=("Demonstration snapshot (generated; not official statistics): "
                if is_demo else "OHID Fingertips: ") + str(src.get("description", "")),
        built=str(src.get("build_date", "")),
        contact=options.contact_text() or "Not recorded (set RUTLAND_JSNA_CONTACT when "
                                          "building the release)",
        is_demo=is_demo,
        demo_warning=f"{_DEMO_BANNER}. Every figure in this workbook comes from generated "
                     "demonstration data and must not be quoted." if is_demo else "",
        about=(f"The tables of the JSNA release {release} for {area}, as published with "
               "the chapters (each is also a CSV file beside them).",),
    )


def _render(fmt: str, ch: _Chapter, out: Path, options: OutputOptions, browser: Any,
            release: str) -> None:
    banner = _DEMO_BANNER if ch.source.get("is_demo") else None
    if fmt == "pdf":
        from ..report.formats.pdf import render_pdf

        render_pdf(ch.html, out, browser=browser, banner=banner)
    elif fmt == "xlsx":
        from ..report.formats.xlsx import sheet_tables, write_workbook

        doc = ch.document
        notes = {t.csv_name: t.note for t in doc.tables if t.csv_name and t.note}
        tables = sheet_tables(ch.csv_files, doc.downloads, chapter=ch.chapter,
                              chapter_title=ch.title, notes=notes)
        write_workbook(out, tables, _workbook_info(f"{ch.title}: tables", [ch], release,
                                                   options))
    elif fmt == "docx":
        from ..report.formats.docx import DocxStyles, write_docx

        write_docx(ch.document, out, template=options.docx_template,
                   styles=DocxStyles.parse(list(options.docx_styles)), banner=banner,
                   rasterise=browser.rasterise_svgs,
                   subject=f"{ch.source.get('area_name', '')}, release {release}")
    else:  # pragma: no cover - parse_formats refuses it
        raise ValueError(fmt)


def _produce(root: Path, namespace: str, key: str, name: str, folder: Path, *,
             incremental: bool, render: Any) -> dict[str, Any]:
    """Restore ``name`` into ``folder`` from the cache, or render and cache it."""
    cached = cache_lookup(root, namespace, key) if incremental else None
    if cached is not None:
        cache_restore(root, namespace, key, cached, folder)
        seconds, reused = float(cached.get("seconds", 0.0)), True
    else:
        start = time.perf_counter()
        path = folder / name
        tmp = path.with_name(f".{name}.tmp")
        try:
            render(tmp)
            os.replace(tmp, path)
        except Exception as exc:
            tmp.unlink(missing_ok=True)
            raise FormatError(f"{name}: {type(exc).__name__}: {exc}") from exc
        seconds, reused = time.perf_counter() - start, False
        cache_store(root, namespace, key, folder,
                    {"files": {name: _sha256_file(path)}, "seconds": round(seconds, 3),
                     "key": key, "namespace": namespace})
    path = folder / name
    return {"sha256": _sha256_file(path), "bytes": path.stat().st_size,
            "seconds": round(seconds, 3), "reused": reused, "key": key}


def render_chapter_outputs(
    root: Path,
    chapters: Sequence[tuple[str, str, Path]],
    options: OutputOptions,
    *,
    release: str,
    incremental: bool = True,
) -> dict[str, dict[str, Any]]:
    """Make each chapter's PDF, workbook and Word document in its folder.

    ``chapters``: (chapter, build key, folder holding its HTML and CSV files). Returns the
    records of the outputs by file name.
    """
    from ..report.formats.browser import Browser

    records: dict[str, dict[str, Any]] = {}
    if not options.extra_formats:
        return records
    with Browser() as browser:
        for chapter, key, folder in chapters:
            ch = _Chapter(chapter, key, folder, _source(folder, chapter))
            for fmt in options.extra_formats:
                name = f"{chapter}{EXTENSIONS[fmt]}"
                record = _produce(
                    root, f"{chapter}.{fmt}", output_key(key, fmt, options), name, folder,
                    incremental=incremental,
                    render=lambda out, fmt=fmt, ch=ch: _render(fmt, ch, out, options, browser,
                                                               release))
                records[name] = {"format": fmt, "chapter": chapter, **record}
    return records


def render_release_outputs(
    root: Path,
    staging: Path,
    chapters: Sequence[tuple[str, str]],
    options: OutputOptions,
    *,
    release: str,
    incremental: bool = True,
) -> dict[str, dict[str, Any]]:
    """Make the release workbook (every chapter's tables) in the assembled ``staging`` folder.

    ``chapters``: (chapter, build key) in release order.
    """
    if "xlsx" not in options.formats or not chapters:
        return {}
    key = output_key("|".join(k for _, k in chapters), "xlsx", options)

    def render(out: Path) -> None:
        from ..report.formats.xlsx import sheet_tables, write_workbook

        items = [_Chapter(c, k, staging, _source(staging, c)) for c, k in chapters]
        tables, taken = [], set()
        for ch in items:
            doc = ch.document
            notes = {t.csv_name: t.note for t in doc.tables if t.csv_name and t.note}
            prefix = "".join(w[0] for w in ch.chapter.split("_")).upper() + "_"
            tables += sheet_tables(ch.csv_files, doc.downloads, chapter=ch.chapter,
                                   chapter_title=ch.title, notes=notes, prefix=prefix,
                                   taken=taken)
        area = items[0].source.get("area_name", "")
        write_workbook(out, tables, _workbook_info(
            f"JSNA release {release} for {area}: every table", items, release, options))

    record = _produce(root, _RELEASE_NAMESPACE + ".xlsx", key, RELEASE_WORKBOOK, staging,
                      incremental=incremental, render=render)
    return {RELEASE_WORKBOOK: {"format": "xlsx", "chapter": None, **record}}


def html_records(staging: Path, builds: Mapping[str, Mapping[str, Any]]) -> dict[str, dict]:
    """The chapters' HTML pages as output records (their build seconds and reuse)."""
    out = {}
    for chapter, build in builds.items():
        name = f"{chapter}.html"
        path = staging / name
        if path.is_file():
            out[name] = {"format": "html", "chapter": chapter,
                         "sha256": build.get("files", {}).get(name) or _sha256_file(path),
                         "bytes": path.stat().st_size, "seconds": build.get("seconds", 0.0),
                         "reused": bool(build.get("reused")), "key": build.get("key", "")}
    return out
