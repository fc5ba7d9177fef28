"""Release pages: ``reports/<release>/index.html`` and ``reports/index.html``.

Each release folder holds a ``release.json`` manifest (release, area, source, demo flag,
checksum, build time, package version, chapters) written by the build. The release index links
every chapter and summarises it from its stored summary CSV (how many indicators are better,
similar, worse, lower, higher or not compared); the reports index lists the releases.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import columns as C
from ..analysis.changes import read_summary_csv, summary_csv_path
from .html import Html, data_table, esc, heading, paragraph, tag
from .legend import COMPARISON_LEGEND_ORDER, rag_group

__all__ = [
    "CHAPTER_TITLES",
    "MANIFEST",
    "ReleaseManifest",
    "chapter_counts",
    "page",
    "read_manifest",
    "release_index_html",
    "reports_index_html",
    "write_manifest",
]

MANIFEST = "release.json"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSS_PATH = TEMPLATES_DIR / "jsna" / "jsna.css"

#: Chapter titles for links and page titles.
CHAPTER_TITLES: dict[str, str] = {
    "outcomes": "Joint Health and Wellbeing Strategy 2022-2025: Outcomes Summary Report",
    "sexual_health": "Sexual health",
    "oral_health": "Oral health",
}
_DEMO_BANNER = "Demonstration data — not official statistics"
_COUNT_ORDER = ("Better", "Similar", "Worse", "Lower", "Higher", "Not compared")


@dataclass(frozen=True)
class ReleaseManifest:
    """What a release folder holds (``release.json``)."""

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


def write_manifest(folder: Path, manifest: ReleaseManifest) -> Path:
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> ReleaseManifest | None:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ReleaseManifest(**raw)
    except (ValueError, TypeError):
        return None


def page(title: str, body: Html | str, *, home: str | None = None) -> str:
    """A complete accessible page: lang, skip link, landmarks, the chapter CSS inlined."""
    css = CSS_PATH.read_text(encoding="utf-8")
    nav = (
        f'<header class="site-header"><nav aria-label="Reports navigation">'
        f'<a href="{esc(home)}">All releases</a></nav></header>'
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
    counts = {k: 0 for k in _COUNT_ORDER}
    for label, basis in zip(summary[C.COMPARISON], summary[C.COMPARISON_BASIS], strict=True):
        group = rag_group(label, basis)
        counts[group if group in counts else "Not compared"] += 1
    return counts


def _banner(is_demo: bool) -> Html:
    if not is_demo:
        return Html()
    return tag("div", [tag("strong", _DEMO_BANNER),
                       esc("Every chapter of this release is built from generated demonstration "
                           "data.")], class_="banner", role="note")


def release_index_html(folder: Path, manifest: ReleaseManifest) -> str:
    """The release page: links to each chapter with its comparison counts."""
    rows = []
    for chapter in manifest.chapters:
        title = CHAPTER_TITLES.get(chapter, chapter.replace("_", " ").capitalize())
        link = tag("a", title, href=f"{chapter}.html")
        path = summary_csv_path(folder, chapter)
        if path.is_file():
            counts = chapter_counts(read_summary_csv(path))
            cells = [str(sum(counts.values()))] + [str(counts[k]) for k in _COUNT_ORDER]
        else:
            cells = ["not recorded"] * (len(_COUNT_ORDER) + 1)
        rows.append([link, *cells])
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
            ["Chapter", "Indicators", *_COUNT_ORDER], rows,
            caption=(f"Chapters in release {manifest.release}, with the number of indicators "
                     "in each comparison group (compared with England or a goal)"),
            numeric=[False] + [True] * (len(_COUNT_ORDER) + 1),
            class_="release-table",
        ))
    else:
        body.append(paragraph("This release has no chapters."))
    body.append(paragraph(
        "Comparison groups: " + ", ".join(COMPARISON_LEGEND_ORDER) + ". Each chapter explains "
        "how they are decided and gives every table as a CSV download."
    ))
    return page(f"JSNA release {manifest.release}: {manifest.area_name}",
                Html("\n".join(b.markup for b in body)), home="../index.html")


def reports_index_html(root: Path) -> str:
    """The reports page: every release folder with a manifest, newest label first."""
    releases = []
    for d in sorted(Path(root).iterdir(), reverse=True) if Path(root).is_dir() else []:
        if d.is_dir() and not d.name.startswith((".", "_")):
            m = read_manifest(d)
            if m is not None:
                releases.append(m)
    body = [heading(1, "Joint Strategic Needs Assessment: releases")]
    if releases:
        rows = [
            [tag("a", m.release, href=f"{m.release}/index.html"), f"{m.area_name} ({m.area_code})",
             ", ".join(CHAPTER_TITLES.get(c, c) for c in m.chapters) or "none",
             m.built_at[:10], "Demonstration data" if m.is_demo else m.source_description]
            for m in releases
        ]
        body.append(data_table(["Release", "Area", "Chapters", "Built", "Data"], rows,
                               caption="Releases in this reports folder, newest first",
                               class_="release-table"))
    else:
        body.append(paragraph("No release has been built yet."))
    return page("JSNA releases", Html("\n".join(b.markup for b in body)))
