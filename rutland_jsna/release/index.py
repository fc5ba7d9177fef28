"""Release pages: ``reports/<release>/index.html`` and ``reports/index.html``.

Each release folder holds a ``release.json`` manifest (release, area, source, demo flag,
checksum, build time, package version, chapters) written by the build. The release index links
every chapter and summarises it from its stored summary CSV (how many indicators are better,
similar, worse, lower, higher or not compared); the reports index lists the releases.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis import columns as C
from ..analysis.releases import release_sort_key, summary_csv_path
from ..config import DEMO_BANNER
from ..report.html import Html, data_table, esc, heading, paragraph, tag
from ..report.legend import COMPARISON_LEGEND_ORDER, rag_group

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALL_AREAS",
    "CHAPTER_TITLES",
    "MANIFEST",
    "ReleaseManifest",
    "chapter_counts",
    "summary_counts",
    "page",
    "list_releases",
    "read_manifest",
    "release_index_html",
    "reports_index_html",
    "write_atomic",
    "write_manifest",
]

MANIFEST = "release.json"
#: ``ReleaseManifest.kind`` of an all-area release.
ALL_AREAS = "all-areas"
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "report" / "templates"
CSS_PATH = TEMPLATES_DIR / "jsna" / "jsna.css"

#: Chapter titles for links and page titles.
CHAPTER_TITLES: dict[str, str] = {
    "outcomes": "Joint Health and Wellbeing Strategy 2022-2025: Outcomes Summary Report",
    "sexual_health": "Sexual health",
    "oral_health": "Oral health",
}
_COUNT_ORDER = ("Better", "Similar", "Worse", "Lower", "Higher", "Not compared")


@dataclass(frozen=True)
class ReleaseManifest:
    """What a release folder holds (``release.json``).

    Besides the provenance shown on the release page, it records how to reproduce the
    release: the build ``parameters`` (area_code, comparators, source, release, confidence),
    the sha256 of every input file (``input_checksums``: the processed store and its sidecar,
    the snapshot's files, local extracts), the sha256 of the package's source files
    (``package_source_sha256``) and the library versions (``environment``), and per chapter
    (``chapter_builds``) its build key, build time in seconds, whether it was reused from an
    identical earlier build, and the sha256 of every file it wrote; and every output by
    format (``formats``, ``outputs``: the HTML, PDF, Excel and Word files with their sha256,
    size and render time; :mod:`rutland_jsna.release.outputs`). An all-area release
    (``kind`` "all-areas") lists its ``areas`` and the areas that failed (``failed_areas``,
    code → error); each area's own folder holds an ``area`` manifest.
    """

    release: str
    area_code: str
    area_name: str
    source: str
    source_description: str
    is_demo: bool
    checksum: str
    built_at: str
    package_version: str
    chapters: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    input_checksums: dict[str, str] = field(default_factory=dict)
    package_source_sha256: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    chapter_builds: dict[str, dict[str, Any]] = field(default_factory=dict)
    kind: str = "area"
    areas: list[str] = field(default_factory=list)
    failed_areas: dict[str, str] = field(default_factory=dict)
    engine: str = ""
    seconds: float = 0.0
    #: Formats published (``html`` always; ``pdf``, ``xlsx``, ``docx`` when asked for).
    formats: list[str] = field(default_factory=lambda: ["html"])
    #: Every published output: file name → format, chapter (None for the release workbook),
    #: sha256, bytes, seconds to render, reused from the cache, cache key.
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def is_all_areas(self) -> bool:
        return self.kind == ALL_AREAS


def write_atomic(path: Path, text: str) -> Path:
    """Write a text file through a temporary file and ``os.replace`` (never half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_manifest(folder: Path, manifest: ReleaseManifest) -> Path:
    return write_atomic(Path(folder) / MANIFEST, json.dumps(asdict(manifest), indent=2) + "\n")


def read_manifest(folder: Path) -> ReleaseManifest | None:
    """The manifest of a release folder, or None (absent or unreadable). Keys a newer
    version added are ignored, keys an older version lacked take their defaults."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(ReleaseManifest)}
        return ReleaseManifest(**{k: v for k, v in raw.items() if k in known})
    except (ValueError, TypeError):
        return None


def page(title: str, body: Html | str, *, home: str | None = None,
         home_label: str = "All releases") -> str:
    """A complete accessible page: lang, skip link, landmarks, the chapter CSS inlined."""
    css = CSS_PATH.read_text(encoding="utf-8")
    nav = (
        f'<header class="site-header"><nav aria-label="Reports navigation">'
        f'<a href="{esc(home)}">{esc(home_label)}</a></nav></header>'
        if home
        else '<header class="site-header"><p>rutland_jsna reports</p></header>'
    )
    inner = body.markup if isinstance(body, Html) else esc(body)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        '<a class="skip-link" href="#main">Skip to main content</a>\n'
        f'{nav}\n<main id="main" tabindex="-1">\n{inner}\n</main>\n'
        '<footer class="site-footer"><p>Data: OHID Fingertips, &copy; Crown copyright, Open '
        "Government Licence v3.0.</p></footer>\n</body>\n</html>\n"
    )


def chapter_counts(summary: pd.DataFrame) -> dict[str, int]:
    """Indicators per legend group (Better, Similar, Worse, Lower, Higher, Not compared)."""
    return _count(zip(summary[C.COMPARISON], summary[C.COMPARISON_BASIS], strict=True))


def summary_counts(path: Path) -> dict[str, int]:
    """:func:`chapter_counts` of a stored summary CSV, read with the standard library (the
    release pages of a no-change rebuild are written without importing pandas)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        return _count((r.get(C.COMPARISON) or "", r.get(C.COMPARISON_BASIS) or "")
                      for r in rows)


def _count(pairs: Any) -> dict[str, int]:
    counts = {k: 0 for k in _COUNT_ORDER}
    for label, basis in pairs:
        group = rag_group(label, basis)
        counts[group if group in counts else "Not compared"] += 1
    return counts


def _banner(is_demo: bool) -> Html:
    if not is_demo:
        return Html()
    return tag("div", [tag("strong", DEMO_BANNER),
                       esc("Every chapter of this release is built from generated demonstration "
                           "data.")], class_="banner", role="note")


def release_index_html(folder: Path, manifest: ReleaseManifest, *,
                       home: str = "../index.html", home_label: str = "All releases") -> str:
    """The release page: links to each chapter with its comparison counts.

    ``home`` is the link back (the reports index; an area of an all-area release links to
    its national summary page).
    """
    rows = []
    formats = _other_formats(manifest)
    for chapter in manifest.chapters:
        title = CHAPTER_TITLES.get(chapter, chapter.replace("_", " ").capitalize())
        link = tag("a", title, href=f"{chapter}.html")
        path = summary_csv_path(folder, chapter)
        if path.is_file():
            counts = summary_counts(path)
            cells = [str(sum(counts.values()))] + [str(counts[k]) for k in _COUNT_ORDER]
        else:
            cells = ["not recorded"] * (len(_COUNT_ORDER) + 1)
        rows.append([link, *cells, *([_format_links(manifest, chapter, title)] if formats
                                     else [])])
    body = [
        _banner(manifest.is_demo),
        heading(1, f"JSNA chapters for {manifest.area_name}: release {manifest.release}"),
        paragraph(
            f"{manifest.area_name} ({manifest.area_code}). Built {manifest.built_at[:10]} with "
            f"rutland_jsna {manifest.package_version} from {manifest.source_description} "
            f"(snapshot checksum {manifest.checksum[:12] or 'not recorded'})."
        ),
        heading(2, "Chapters"),
    ]
    if rows:
        body.append(data_table(
            ["Chapter", "Indicators", *_COUNT_ORDER, *(["Other formats"] if formats else [])],
            rows,
            caption=(f"Chapters in release {manifest.release}, with the number of indicators "
                     "in each comparison group (compared with England or a goal)"
                     + (" and the chapter as PDF, Excel workbook or Word document"
                        if formats else "")),
            numeric=[False] + [True] * (len(_COUNT_ORDER) + 1) + ([False] if formats else []),
            class_="release-table",
        ))
        workbook = [(n, o) for n, o in manifest.outputs.items()
                    if o.get("chapter") is None and o.get("format") == "xlsx"]
        for name, out in workbook:
            body.append(paragraph(Html(
                "Every table of this release in one Excel workbook: "
                + tag("a", f"all tables (Excel workbook, {_size(out)})", href=name).markup
                + ".")))
    else:
        body.append(paragraph("This release has no chapters."))
    body.append(paragraph(
        "Comparison groups: " + ", ".join(COMPARISON_LEGEND_ORDER) + ". Each chapter explains "
        "how they are decided and gives every table as a CSV download."
    ))
    return page(f"JSNA release {manifest.release}: {manifest.area_name}",
                Html("\n".join(b.markup for b in body)), home=home, home_label=home_label)


#: How the release page names each format in its links.
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel workbook", "docx": "Word document"}


def _other_formats(manifest: ReleaseManifest) -> list[str]:
    return [f for f in manifest.formats if f in FORMAT_LABELS]


def _size(out: dict[str, Any]) -> str:
    n = int(out.get("bytes", 0))
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def _format_links(manifest: ReleaseManifest, chapter: str, title: str) -> Html:
    """Links to a chapter's other formats: "PDF, 1.9 MB", named with the chapter for
    screen readers' link lists."""
    links = []
    for name, out in manifest.outputs.items():
        fmt = out.get("format")
        if out.get("chapter") == chapter and fmt in FORMAT_LABELS:
            links.append(tag("a", [FORMAT_LABELS[fmt] + f", {_size(out)}",
                                   tag("span", f" ({title})", class_="visually-hidden")],
                             href=name))
    return Html("<br>".join(link.markup for link in links)) if links else Html("none")


def list_releases(root: Path) -> list[ReleaseManifest]:
    """Every published release under ``root`` (folders with a manifest), newest first.

    Newest means the label that sorts last (:func:`~rutland_jsna.analysis.changes.release_sort_key`,
    the order "changes since the previous release" uses), then the later build time.
    """
    releases = []
    if Path(root).is_dir():
        for d in Path(root).iterdir():
            if d.is_dir() and not d.name.startswith((".", "_")):
                m = read_manifest(d)
                if m is not None and m.release == d.name:
                    releases.append(m)
    return sorted(releases, key=lambda m: (release_sort_key(m.release), m.built_at),
                  reverse=True)


def _areas_cell(m: ReleaseManifest) -> Html | str:
    if m.is_all_areas:
        n = len(m.areas)
        failed = f" ({len(m.failed_areas)} failed)" if m.failed_areas else ""
        return tag("a", f"All {n} upper-tier authorities{failed}",
                   href=f"{m.release}/national.html")
    return f"{m.area_name} ({m.area_code})"


def reports_index_html(root: Path) -> str:
    """The reports page: every release with a manifest, newest first (see :func:`list_releases`),
    with its build date, data source, area(s) and chapters."""
    releases = list_releases(root)
    body = [heading(1, "Joint Strategic Needs Assessment: releases")]
    if releases:
        rows = [
            [tag("a", m.release, href=f"{m.release}/index.html"), m.built_at[:10],
             "Demonstration data" if m.is_demo else m.source_description, _areas_cell(m),
             ", ".join(CHAPTER_TITLES.get(c, c) for c in m.chapters) or "none"]
            for m in releases
        ]
        body.append(data_table(["Release", "Built", "Data", "Area(s)", "Chapters"], rows,
                               caption="Releases in this reports folder, newest first",
                               class_="release-table"))
        body.append(paragraph(
            "Each chapter's \"changes since the previous release\" compares it with the "
            "latest earlier release of the same chapter for the same area listed here."
        ))
    else:
        body.append(paragraph("No release has been built yet."))
    return page("JSNA releases", Html("\n".join(b.markup for b in body)))
