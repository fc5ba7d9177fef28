"""Page blocks every chapter shares (docs/chapters.md §0): header, about, changes, notes, appendix.

Each function takes a :class:`~rutland_jsna.chapter.context.ChapterContext` and returns an
:class:`~rutland_jsna.report.html.Html` block, so a notebook cell is one call and the same call
is unit-tested.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..analysis import columns as C
from ..analysis.changes import changes_since, summary_csv_path, write_summary_csv
from ..chapter.context import ChapterContext, provenance_record
from ..config import DEMO_BANNER, SOURCE_JSON_SUFFIX
from . import charts, narrative
from .format import SUPPRESSED_NOTE, ci_percent
from .html import Html, bullet_list, esc, heading, paragraph, tag
from .legend import comparison_legend, trend_legend
from .tables import SMALL_NUMBERS_NOTE, csv_link, frame_table

__all__ = [
    "DEMO_BANNER",
    "about_chapter",
    "chapter_header",
    "changes_section",
    "comparators_appendix",
    "contents",
    "data_notes_section",
    "demo_banner",
    "provenance",
    "summary_download",
    "write_provenance",
]


def demo_banner(ctx: ChapterContext) -> Html:
    """The demonstration-data banner (empty for real data)."""
    if not ctx.source.is_demo:
        return Html()
    return tag(
        "div",
        [
            tag("strong", DEMO_BANNER),
            esc(
                "The figures in this chapter come from a generated demonstration snapshot "
                "shaped like Fingertips data. They are not official statistics and must not "
                "be quoted."
            ),
        ],
        class_="banner",
        role="note",
    )


def write_provenance(ctx: ChapterContext) -> Path:
    """Write ``<chapter>_source.json`` (:func:`~rutland_jsna.chapter.context.provenance_record`)
    into ``ctx.output_dir``; the release index reads it."""
    assert ctx.output_dir is not None
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.output_dir / f"{ctx.chapter}{SOURCE_JSON_SUFFIX}"
    path.write_text(json.dumps(provenance_record(ctx), indent=2) + "\n", encoding="utf-8")
    return path


def provenance(ctx: ChapterContext) -> Html:
    """Area, data source, release, extraction and build dates, version and checksum."""
    source = ctx.source
    kind = {
        "demo": "Demonstration snapshot (generated; not Fingertips)",
        "fingertips": "OHID Fingertips (downloaded through the Fingertips API)",
    }.get(source.source, f"Processed store {source.source}")
    items = [
        ("Area", f"{ctx.area_name} ({ctx.area_code})"),
        ("Data source", f"{kind}: {source.description}"),
        ("Data release", ctx.release),
        ("Data extracted", source.extracted[:10] if source.extracted else "not recorded"),
        ("Chapter built", ctx.build_date.isoformat()),
        ("Package version", f"rutland_jsna {ctx.version}"),
        ("Snapshot checksum (sha256)", source.checksum or "not recorded"),
    ]
    parts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return Html(f'<dl class="meta">{parts}</dl>')


def contents(entries: Sequence[tuple[str, str]]) -> Html:
    """A contents list of (anchor id, heading) pairs."""
    items = [tag("a", text, href=f"#{anchor}") for anchor, text in entries]
    return tag("nav", [heading(2, "Contents", id="contents"), bullet_list(items)],
               class_="contents", aria_labelledby="contents")


def chapter_header(
    ctx: ChapterContext,
    title: str,
    *,
    subtitle: str | None = None,
    lines: Sequence[str] = (),
    toc: Sequence[tuple[str, str]] = (),
) -> Html:
    """Title block: banner (demo data), ``<h1>``, area, extra lines, provenance, contents.

    It starts the chapter's page: chart ids are unique from here on (:func:`charts.start_page`).
    Rendered into a folder (``ctx.output_dir``), it writes the machine-readable provenance
    beside the page, as the tables write their CSV downloads (:func:`write_provenance`).
    """
    charts.start_page()
    if ctx.output_dir is not None:
        write_provenance(ctx)
    parts: list[Html | str] = [demo_banner(ctx), heading(1, title)]
    parts.append(tag("p", subtitle or f"{ctx.area_name} ({ctx.area_code})", class_="subtitle"))
    parts.extend(paragraph(line) for line in lines)
    parts.append(provenance(ctx))
    if toc:
        parts.append(contents(toc))
    return tag("div", parts, class_="chapter-header")


def about_chapter(
    ctx: ChapterContext,
    covers: str,
    *,
    level: int = 2,
    anchor: str = "about",
) -> Html:
    """What the chapter covers, the comparator set, and how to read ranks, colours and labels."""
    comparator_names = ", ".join(ctx.comparators.names) or "none"
    n = len(ctx.comparators.codes) + 1
    read = [
        f"Rank compares {ctx.area_name} with its {len(ctx.comparators.codes)} comparator areas "
        f"({n} areas in all) that have a value: 1 is the best, or the lowest when an indicator "
        f"has no polarity (no direction is better). Areas without a value are not ranked, so "
        f"the number ranked can be below {n}. Tied values share the better rank.",
        "Best/Lowest and Worst/Highest are the best and worst values in the comparator group "
        "(the lowest and highest when the indicator has no polarity).",
        "The RAG column compares the value with England (or with a goal, or places it in a "
        f"national quintile, where the table says so) using {_ci_phrase(ctx)}, as "
        "Fingertips does: Better or Worse means the difference is statistically significant; "
        "Similar means it is not. Higher and Lower are used when higher is neither better nor "
        "worse. Not compared means there is no England value or goal, or the indicator is not "
        "suited to comparison. Each result is printed as a word beside its colour.",
        "The direction of travel (DoT) is the Fingertips recent-trend test on the latest five "
        "annual points: a chi-square test for trend for proportions and a weighted regression "
        "for other values. It is Cannot be calculated when there are fewer than five annual "
        "points, the periods are not annual or a value is missing.",
        "Values are shown to one decimal place; missing values are shown as Null with the "
        "reason; counts of 1 to 4 are shown as * (disclosure control).",
    ]
    return tag(
        "section",
        [
            heading(level, "About this chapter", id=anchor),
            paragraph(covers),
            paragraph(
                f"Comparator areas: {ctx.comparators.description} — {comparator_names}. "
                f"The full list with ONS codes is in the appendix."
            ),
            heading(level + 1, "How to read the tables"),
            bullet_list(read),
            comparison_legend(),
            trend_legend(),
        ],
        aria_labelledby=anchor,
    )


def _ci_phrase(ctx: ChapterContext) -> str:
    """Which confidence interval the comparisons use: the build's level, and 99.8% for the
    indicators Fingertips benchmarks at 99.8% in a 95% build."""
    build = ci_percent(ctx.confidence)
    levels = set(ctx.summary[C.CI_LEVEL].dropna().astype(float)) if len(ctx.summary) else set()
    if ctx.confidence < 0.998 and 0.998 in levels:
        return (f"the {build} confidence interval (99.8% for the indicators Fingertips compares "
                "at 99.8%; the table header and each row say which)")
    return f"the {build} confidence interval"


def summary_download(ctx: ChapterContext) -> Html:
    """Store the chapter's summary for the next release and link it as a download."""
    name = f"{ctx.chapter}_summary.csv"
    if ctx.output_dir is not None:
        write_summary_csv(ctx.summary, summary_csv_path(ctx.output_dir, str(ctx.chapter)),
                          ctx.area_code)
        return tag("p", tag("a", "Download every indicator's figures (CSV)", href=name,
                            download=name, class_="download"), class_="download-link")
    link, _ = csv_link(ctx.summary.assign(area_code=ctx.area_code), name,
                       label="Download every indicator's figures (CSV)")
    return link


def changes_section(ctx: ChapterContext, *, level: int = 2, anchor: str = "changes") -> Html:
    """Changes since the previous release: values, comparisons and directions of travel."""
    parts: list[Html | str] = [heading(level, "Changes since the previous release", id=anchor)]
    previous = ctx.previous_summary
    if previous is None:
        parts.append(paragraph(
            f"This is the first release of this chapter for {ctx.area_name} in this reports "
            "folder, so there is nothing to compare with yet."
        ))
    else:
        label, table = previous
        changes = changes_since(table, ctx.summary)
        if changes.empty:
            parts.append(paragraph(
                f"No value, comparison or direction of travel has changed since release {label}."
            ))
        else:
            n_ind = changes["key"].nunique()
            parts.append(paragraph(
                f"Compared with release {label}, {n_ind} indicator"
                f"{'s have' if n_ind != 1 else ' has'} a new period, value, comparison or "
                "direction of travel."
            ))
            shown = changes.assign(
                Indicator=changes["indicator"] + " (" + changes["sex"] + ", " + changes["age"] + ")"
            )[["Indicator", "change", "previous", "current"]].rename(
                columns={"change": "What changed", "previous": f"Release {label}",
                         "current": f"Release {ctx.release}"}
            )
            shown = shown.replace("", "none")
            parts.append(frame_table(shown, caption=f"Changes since release {label}",
                                     csv_name=f"{ctx.chapter}_changes", output_dir=ctx.output_dir))
    return tag("section", parts, aria_labelledby=anchor)


def data_notes_section(
    ctx: ChapterContext,
    *,
    level: int = 2,
    anchor: str = "data-notes",
    definitions: Sequence[str] = (),
) -> Html:
    """Missing values, suppression, small numbers and definitions (docs/chapters.md §0 item 5)."""
    s = ctx.summary
    parts: list[Html | str] = [heading(level, "Data notes", id=anchor)]
    notes = narrative.data_notes(s, ctx.area_name)
    parts.append(heading(level + 1, "Missing values, suppression and small numbers"))
    if notes is None:
        parts.append(paragraph("Every indicator has a value for the latest period."))
    else:
        parts.append(Html(notes.html))
    missing = s[s[C.VALUE].isna()]
    if len(missing):
        reasons = missing[C.MISSING_REASON].value_counts()
        parts.append(paragraph(
            "Values shown as Null: "
            + "; ".join(f"{reason} ({count})" for reason, count in reasons.items())
            + "."
        ))
    quality = data_quality_notes(ctx)
    if quality:
        parts.append(heading(level + 1, "Data quality: rows left out or flagged"))
        parts.append(paragraph(
            "Fingertips downloads can carry rows the chapter cannot use or rows that are odd "
            "but published. Rows that break a rule were left out, odd rows are used as "
            "published; the full list, with file, row and column, is the data report "
            "(<store>.issues.csv beside the processed data)."))
        parts.append(bullet_list(quality))
    general = [
        SUPPRESSED_NOTE.lstrip("* "),
        SMALL_NUMBERS_NOTE.lstrip("† "),
        "Due to small numbers in many indicators (especially for smaller authorities) values "
        "can fluctuate widely across years, making trends more difficult to interpret.",
        *definitions,
    ]
    parts.append(heading(level + 1, "Definitions"))
    parts.append(bullet_list(general))
    return tag("section", parts, aria_labelledby=anchor)


def data_quality_notes(ctx: ChapterContext) -> list[str]:
    """One line per chapter indicator the store's data report mentions (rows left out or
    flagged, a polarity that differs from the catalogue's), for the data notes."""
    if ctx.issues is None or ctx.issues.empty:
        return []
    from ..data.quality import indicator_notes

    ids = [int(i.fingertips_id) for i in ctx.indicators if i.has_data_id]
    notes = indicator_notes(ctx.issues, ids)
    out = []
    for ind in ctx.indicators:
        if not ind.has_data_id or int(ind.fingertips_id) not in notes:
            continue
        text = "; ".join(notes[int(ind.fingertips_id)])
        line = f"{ind.display_name} (Fingertips {ind.fingertips_id}): {text}."
        if line not in out:
            out.append(line)
    return out


def comparators_appendix(
    ctx: ChapterContext,
    title: str,
    *,
    intro: str = "",
    level: int = 2,
    anchor: str = "appendix",
) -> Html:
    """The comparator areas by name and ONS code."""
    frame = pd.DataFrame(
        {"Area": [ctx.area_name, *ctx.comparators.names],
         "ONS code": [ctx.area_code, *ctx.comparators.codes],
         "Role": ["Subject area", *["Comparator"] * len(ctx.comparators.codes)]}
    )
    parts: list[Html | str] = [heading(level, title, id=anchor)]
    if intro:
        parts.append(paragraph(intro))
    parts.append(paragraph(f"The comparator areas are {ctx.comparators.description}."))
    parts.append(frame_table(frame, caption=f"{ctx.area_name} and its comparator areas"))
    return tag("section", parts, aria_labelledby=anchor)
