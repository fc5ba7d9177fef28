"""The outcomes chapter: the Joint Health and Wellbeing Strategy Outcomes Summary Report.

docs/chapters.md §1. The notebook ``notebooks/outcomes.ipynb`` calls, one per cell::

    ctx = outcomes.load(area_code, comparators, source, release, confidence, output_dir)
    outcomes.title_block(ctx)
    outcomes.purpose(ctx)
    outcomes.about(ctx)
    outcomes.overview(ctx)
    outcomes.priority(ctx, "P1") … outcomes.priority(ctx, "CC2")
    outcomes.covid_recovery(ctx)
    outcomes.changes(ctx)
    outcomes.data_notes(ctx)
    outcomes.appendix(ctx)

Every function returns an :class:`~rutland_jsna.report.html.Html` block. Generated sentences
come from :mod:`rutland_jsna.report.narrative`; numbers from :mod:`rutland_jsna.analysis`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

import pandas as pd

from ..analysis import columns as C
from ..analysis.covid import PANDEMIC_START, CovidSummary, covid_summary
from ..analysis.series import comparator_values, quintile_bands, spine_rows, trend_series
from ..chapter.context import ChapterContext, load_chapter
from ..config import DEFAULT_AREA_CODE
from ..data.catalogue_model import Chapter
from ..stats.labels import is_getting_worse
from . import blocks, charts, narrative
from .format import ci_percent, format_count, format_number, is_missing
from .html import Html, heading, paragraph, tag
from .legend import comparison_chip, comparison_colour, comparison_legend, trend_legend
from .tables import indicator_table

__all__ = [
    "PRIORITY_SECTIONS",
    "SOURCE_FOOTER",
    "TITLE",
    "about",
    "appendix",
    "changes",
    "covid_recovery",
    "data_notes",
    "load",
    "overview",
    "priority",
    "purpose",
    "title_block",
]

TITLE = "Joint Health and Wellbeing Strategy 2022-2025: Outcomes Summary Report"
PRODUCER = "Produced with rutland_jsna from OHID Fingertips indicators"
SOURCE_FOOTER = "Source: *NHS Outcomes Framework ** Office for National Statistics (ONS)"
#: Sections with an indicator table, in order (docs/chapters.md §1.1).
PRIORITY_SECTIONS: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5", "P6", "CC1", "CC2")
COVID_SECTION = "CC3"
_DEFAULT_SOURCE_AREA = "Rutland"  # the area named in the printed headings


def load(
    area_code: str = DEFAULT_AREA_CODE,
    comparators: Sequence[str] | None = None,
    source: str | os.PathLike[str] = "demo",
    release: str | None = None,
    confidence: float = 0.95,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    reports_root: str | os.PathLike[str] | None = None,
) -> ChapterContext:
    """Load the outcomes chapter's context (see :func:`~rutland_jsna.chapter.context.load_chapter`)."""
    return load_chapter(
        Chapter.OUTCOMES, area_code, comparators, source, release, confidence,
        output_dir=output_dir, reports_root=reports_root,
    )


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def _anchor(code: str) -> str:
    return code.lower()


def _heading_text(ctx: ChapterContext, code: str) -> str:
    return ctx.section(code).heading.replace(_DEFAULT_SOURCE_AREA, ctx.area_name)


def _table_title(ctx: ChapterContext, code: str) -> str:
    section = ctx.section(code)
    title = (section.table_title or section.heading).replace(_DEFAULT_SOURCE_AREA, ctx.area_name)
    return f"{ctx.area_name} Joint Health and Wellbeing Strategy - {title}"


def _topic(ctx: ChapterContext, code: str) -> str:
    """ "the enabling the best start in life priority" (docs/chapters.md §1.5)."""
    heading_text = ctx.section(code).heading
    name = heading_text.split(": ", 1)[1] if ": " in heading_text else heading_text
    kind = "priority" if code.startswith("P") else "theme"
    lowered = name.lower().replace(_DEFAULT_SOURCE_AREA.lower(), ctx.area_name)
    return f"the {lowered} {kind}"


def _toc(ctx: ChapterContext) -> list[tuple[str, str]]:
    entries = [("purpose", "Purpose of Report"), ("about", "About this chapter"),
               ("overview", "Overview of all indicators")]
    for code in (*PRIORITY_SECTIONS, COVID_SECTION):
        try:
            entries.append((_anchor(code), _heading_text(ctx, code)))
        except KeyError:
            continue
    entries += [("changes", "Changes since the previous release"), ("data-notes", "Data notes"),
                ("appendix-1", f"Appendix 1 – Similar areas to {ctx.area_name}")]
    return entries


def _labels(table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    return list(narrative.indicator_labels(table))


# ------------------------------------------------------------------------------------------
# Title, purpose, about
# ------------------------------------------------------------------------------------------


def title_block(ctx: ChapterContext) -> Html:
    """Title, area, month and year, producer, disclaimer, provenance and contents."""
    month_year = ctx.build_date.strftime("%B %Y")
    disclaimer = (
        "Disclaimer: the figures are taken from published indicators and the methods of OHID "
        "Fingertips. Values for small areas rest on small numbers and can change between "
        "releases as the publishers revise their data."
    )
    return blocks.chapter_header(
        ctx,
        TITLE,
        subtitle=ctx.area_name,
        lines=[f"{month_year}. {PRODUCER} (rutland_jsna {ctx.version}).",
               disclaimer],
        toc=_toc(ctx),
    )


def purpose(ctx: ChapterContext) -> Html:
    """Purpose of Report (docs/chapters.md §1.1 item 2)."""
    n_priorities = sum(1 for code in PRIORITY_SECTIONS if code.startswith("P"))
    text = [
        f"This report monitors the outcome indicators linked to each priority of the {ctx.area_name} "
        "Joint Health and Wellbeing Strategy 2022-2025. It is backed by the indicator data "
        "published on OHID Fingertips and is updated on a quarterly basis, with each release "
        "kept so that changes can be followed.",
        "A RAG rating of 'green' shows those that are performing better than the England value "
        "or benchmark and 'red' indicates worse than the England value or benchmark. 'Amber' "
        "shows those that are statistically similar to the England value or benchmark.",
        f"The strategy has {narrative_number(n_priorities)} priority areas for action, with three "
        "cross cutting themes: supporting mental health, reducing health inequalities and Covid "
        "recovery.",
        f"Each indicator is also ranked against the areas most similar to {ctx.area_name}; "
        "Appendix 1 lists them.",
    ]
    return tag("section", [heading(2, "Purpose of Report", id="purpose"),
                           *[paragraph(t) for t in text]], aria_labelledby="purpose")


def narrative_number(n: int) -> str:
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def about(ctx: ChapterContext) -> Html:
    """About this chapter: coverage, comparators, how to read ranks, colours and labels."""
    return blocks.about_chapter(
        ctx,
        f"This chapter presents {len(ctx.indicators)} outcome indicators for {ctx.area_name} "
        "across the six priorities and the cross-cutting themes of the Joint Health and "
        "Wellbeing Strategy, each compared with England (or with its goal) and ranked among "
        "similar areas, with charts for the indicators that need attention.",
    )


# ------------------------------------------------------------------------------------------
# Overview
# ------------------------------------------------------------------------------------------


def _tile(row: pd.Series, label: str) -> Html:
    basis = row[C.COMPARISON_BASIS]
    colour = comparison_colour(row[C.COMPARISON], basis)
    rank = (
        f"rank {int(row[C.RANK])}/{int(row[C.N_RANKED])}"
        if not is_missing(row[C.RANK]) and not is_missing(row[C.N_RANKED])
        else "not ranked"
    )
    value = "Null" if is_missing(row[C.VALUE]) else format_number(row[C.VALUE])
    return tag(
        "li",
        [
            tag("span", label, class_="tile-name"),
            comparison_chip(row[C.COMPARISON], basis),
            Html(" "),
            tag("span", f"{value} · {rank}", class_="tile-rank"),
        ],
        style=f"border-left-color:{colour}",
    )


def overview(ctx: ChapterContext) -> Html:
    """Board summary sentences and a one-page strip of every indicator by comparison and rank."""
    s = ctx.summary
    labels = {code: _heading_text(ctx, code).split(":")[0] for code in PRIORITY_SECTIONS
              if any(sec.code == code for sec in ctx.sections)}
    previous = ctx.previous_summary
    board = narrative.board_summary(
        s, ctx.area_name, section_labels=labels,
        previous=previous[1] if previous is not None else None,
    )
    counts = narrative.counts_bullet(s, "this report")
    parts: list[Html | str] = [
        heading(2, "Overview of all indicators", id="overview"),
        heading(3, "Summary for the Health and Wellbeing Board"),
        Html(board.html),
        heading(3, "Every indicator at a glance"),
        paragraph(
            "Each tile shows an indicator's comparison (word and colour), its latest value and "
            f"its rank among {ctx.area_name} and its comparators."
        ),
    ]
    if counts is not None:
        parts.append(tag("p", Html(counts.html)))
    all_labels = _labels(s)
    for code in PRIORITY_SECTIONS:
        rows = s[s[C.SECTION] == code]
        if rows.empty:
            continue
        tiles = [_tile(row, all_labels[i]) for i, row in rows.iterrows()]
        parts.append(heading(4, _heading_text(ctx, code)))
        parts.append(tag("ul", tiles, class_="overview"))
    parts.append(blocks.summary_download(ctx))
    return tag("section", parts, aria_labelledby="overview")


# ------------------------------------------------------------------------------------------
# Priority sections
# ------------------------------------------------------------------------------------------


def _neighbour_chart(ctx: ChapterContext, row: pd.Series, label: str) -> Html:
    values = comparator_values(ctx.rows, row[C.KEY], ctx.group_codes, ctx.area_names,
                               england_code=ctx.england_code)
    goal = row[C.GOAL_LOWER] if row[C.COMPARISON_BASIS] == C.BASIS_GOAL else None
    return charts.neighbour_chart(
        values, area_code=ctx.area_code, indicator=label,
        period=row[C.PERIOD] if not is_missing(row[C.PERIOD]) else "latest period",
        unit=row[C.UNIT], england=row[C.ENGLAND],
        goal=None if is_missing(goal) else float(goal),
        title=f"{label}: {ctx.area_name} and similar areas, {row[C.PERIOD]}",
        ci_label=ci_percent(row[C.CI_LEVEL]),
    )


def _trend_chart(ctx: ChapterContext, row: pd.Series, label: str) -> Html:
    area = trend_series(ctx.rows, row[C.KEY], ctx.area_code)
    england = trend_series(ctx.rows, row[C.KEY], ctx.england_code)
    goal = row[C.GOAL_LOWER] if row[C.COMPARISON_BASIS] == C.BASIS_GOAL else None
    quintiled = row[C.COMPARISON_BASIS] == C.BASIS_QUINTILES
    return charts.trend_chart(
        area, area_name=ctx.area_name, indicator=label, unit=row[C.UNIT],
        england=england[["period", "value"]] if len(england) else None,
        goal=None if is_missing(goal) else float(goal),
        title=f"{label}: {ctx.area_name} and England over time"
        + (", with national quintiles" if quintiled else ""),
        bands=(quintile_bands(ctx.rows, row[C.KEY], national_codes=ctx.national_codes)
               if quintiled else None),
        polarity=row[C.POLARITY],
        ci_label=ci_percent(row[C.CI_LEVEL]),
    )


def _worse_or_bottom(table: pd.DataFrame) -> list[str]:
    keys = set(narrative.significantly_worse_rows(table)[C.KEY])
    keys |= set(narrative.bottom_three_rows(table)[C.KEY])
    return [k for k in table[C.KEY] if k in keys]


def _red_or_worsening(table: pd.DataFrame) -> list[str]:
    """Keys that get a trend chart: worse than England or its goal, getting worse, or compared
    in national quintiles (their trend is drawn over the quintile bands, docs/chapters.md §1.8)."""
    keys = set(narrative.significantly_worse_rows(table)[C.KEY])
    worsening = table[table[C.TREND].map(is_getting_worse).astype(bool)]
    keys |= set(worsening[C.KEY])
    keys |= set(table.loc[table[C.COMPARISON_BASIS] == C.BASIS_QUINTILES, C.KEY])
    return [k for k in table[C.KEY] if k in keys]


def priority(ctx: ChapterContext, code: str) -> Html:
    """One priority or cross-cutting section: Performance Summary, table, legends, charts.

    Charts: a neighbour bar chart for every indicator that is significantly worse than England
    (or its goal) or in the bottom three; a trend chart for every one that is worse or getting
    worse; a spine chart of the section against the range of English authorities.
    """
    anchor = _anchor(code)
    table = ctx.section_summary(code)
    title = _heading_text(ctx, code)
    parts: list[Html | str] = [heading(2, title, id=anchor)]
    parts.append(heading(3, "Performance Summary"))
    parts.append(Html(narrative.performance_summary(table, ctx.area_name, _topic(ctx, code)).html))
    parts.append(indicator_table(
        table, title=_table_title(ctx, code), csv_name=f"outcomes_{anchor}",
        output_dir=ctx.output_dir,
    ))
    parts.append(comparison_legend())
    parts.append(trend_legend())
    parts.append(tag("p", SOURCE_FOOTER, class_="source-note"))
    labels = dict(zip(table[C.KEY], _labels(table), strict=True))
    by_key = table.set_index(C.KEY, drop=False)
    neighbour_keys = _worse_or_bottom(table)
    trend_keys = _red_or_worsening(table)
    if neighbour_keys or trend_keys:
        parts.append(heading(3, "Indicators that need attention"))
        parts.append(paragraph(
            f"Neighbour charts for the indicators where {ctx.area_name} is significantly worse "
            "than England or its goal, or in the bottom three of its similar areas; trend "
            "charts for those that are worse or getting worse, and for those compared in "
            "national quintiles, drawn over the quintile bands."
        ))
        for key in neighbour_keys:
            parts.append(_neighbour_chart(ctx, by_key.loc[key], labels[key]))
        for key in trend_keys:
            parts.append(_trend_chart(ctx, by_key.loc[key], labels[key]))
    else:
        parts.append(paragraph(
            "No indicator in this section is significantly worse than England or its goal, in "
            "the bottom three of similar areas, or getting worse, so no charts are needed."
        ))
    if code == "P6":
        parts.append(place_of_death_chart(ctx, table))
    spine = spine_rows(ctx.rows, table, national_codes=ctx.national_codes)
    spine = spine.assign(indicator=[labels[k] for k in spine["key"]])
    parts.append(heading(3, f"{ctx.area_name} against the range of English authorities"))
    parts.append(charts.spine_chart(spine, area_name=ctx.area_name,
                                    title=f"{title}: {ctx.area_name} against all authorities"))
    return tag("section", parts, aria_labelledby=anchor)


#: P6 indicators shown together in the place-of-death chart (key suffix → place).
PLACE_OF_DEATH = {
    "deaths_at_home": "Home",
    "deaths_in_care_homes": "Care home",
    "deaths_in_hospital": "Hospital",
}


def place_of_death_chart(ctx: ChapterContext, table: pd.DataFrame) -> Html:
    """Percentage of deaths at home, in care homes and in hospital: the area against England."""
    rows = table[table[C.KEY].str.rsplit(".", n=1).str[-1].isin(list(PLACE_OF_DEATH))]
    title = f"Place of death in {ctx.area_name} and England"
    if rows.empty:
        return charts.no_chart(title, "the place-of-death indicators are not in this chapter.")
    places = [PLACE_OF_DEATH[k.rsplit(".", 1)[-1]] for k in rows[C.KEY]]
    periods = sorted({str(p) for p in rows[C.PERIOD] if not is_missing(p)})
    frame = pd.DataFrame(
        [rows[C.VALUE].to_numpy(dtype=float), rows[C.ENGLAND].to_numpy(dtype=float)],
        columns=places,
    )
    frame.insert(0, "Area", [ctx.area_name, "England"])
    return charts.stacked_bar_chart(
        frame, category="Area", segments=places, unit="% of deaths", title=title,
        remainder="Elsewhere (hospice and other places)",
        caption=(f"Percentage of all deaths by place of death, {', '.join(periods) or 'latest period'}"
                 ". Elsewhere is the rest of 100%. A bar with a missing place is not drawn."),
    )


# ------------------------------------------------------------------------------------------
# Covid recovery
# ------------------------------------------------------------------------------------------


def _long_date(text: str) -> str:
    """``"2023-03-02"`` → ``"2 March 2023"`` (other text unchanged)."""
    try:
        d = date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{d.day} {d.strftime('%B %Y')}"


def _pct(x: float) -> str:
    return f"{format_number(x)}%"


def vaccination_sentence(cs: CovidSummary, area: str) -> str:
    """Which doses the area's uptake is higher or lower than England's (docs/chapters.md §1.1)."""
    v = cs.vaccination
    if v is None or v.empty:
        return ""
    higher = [d for d, a, e in zip(v["dose"], v["area"], v["england"], strict=True) if a > e]
    lower = [d for d, a, e in zip(v["dose"], v["area"], v["england"], strict=True) if a < e]
    same = [d for d, a, e in zip(v["dose"], v["area"], v["england"], strict=True)
            if not (a > e or a < e)]

    def words(items: list[str]) -> str:
        items = [i.lower() for i in items]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    parts = []
    if higher:
        parts.append(f"The Covid-19 vaccination uptake in {area} is higher than England for "
                     f"{words(higher)} for those aged 12 and over, as of "
                     f"{_long_date(cs.vaccination_date)}.")
    if lower:
        parts.append(f"The percentage uptake for {words(lower)} in {area} is lower in comparison "
                     f"to the national average for those aged 12 and over.")
    if same:
        parts.append(f"Uptake for {words(same)} equals, or cannot be compared with, England's.")
    return " ".join(parts)


def deaths_sentence(cs: CovidSummary, area: str) -> str:
    """ "As of week {w} in {yyyy}, there have been a total of {n} Covid-19 deaths in …" """
    d = cs.deaths
    if d is None or d.empty:
        return ""
    sentence = (f"As of {cs.deaths_as_of}, there have been a total of "
                f"{format_count(cs.deaths_total)} Covid-19 deaths in {area}.")
    by_place = dict(zip(d["place"].str.lower(), zip(d["deaths"], d["percent"], strict=True),
                        strict=True))
    settings = [(p, by_place[p]) for p in ("hospital", "care home") if p in by_place]
    if settings:
        sentence += f" Of the total deaths involving Covid-19 in {area}, " + " and ".join(
            f"{format_count(n)} ({_pct(pct)}) were in a {place} setting"
            for place, (n, pct) in settings
        ) + "."
    return sentence


def excess_sentence(cs: CovidSummary, area: str) -> str:
    """Observed, expected and excess deaths, with the observed/expected ratio and its CI."""
    e = cs.excess
    if e is None:
        return ""
    excess = float(e["excess"])  # type: ignore[arg-type]
    word = "an excess" if excess >= 0 else "a deficit"
    level = f"{float(e['confidence']) * 100:g}%"  # type: ignore[arg-type]
    return (
        f"Since the beginning of the pandemic ({PANDEMIC_START}) there have been a total of "
        f"{format_count(e['observed'])} deaths (all causes) in {area}. Based on the average "
        f"mortality data for {e['baseline']}, we would expect {format_count(e['expected'])} "
        f"deaths in {area} for this period. This reveals {word} of {format_count(abs(excess))} "
        f"deaths from any cause in {area} during this period: observed deaths were "
        f"{format_number(e['ratio'], 2)} times those expected ({level} confidence interval "
        f"{format_number(e['lower_ci'], 2)} to {format_number(e['upper_ci'], 2)})."
    )


def covid_recovery(ctx: ChapterContext) -> Html:
    """Covid Recovery: vaccination uptake by dose, deaths by place, excess deaths (O/E)."""
    anchor = _anchor(COVID_SECTION)
    parts: list[Html | str] = [heading(2, "Covid Recovery", id=anchor)]
    cs = covid_summary(ctx.local_tables, ctx.area_code, ctx.england_code, ctx.confidence)
    if cs is None:
        parts.append(paragraph(
            "Covid-19 vaccination uptake, deaths by place of death and excess deaths are local "
            "data that are not part of this data source, so this section has no figures for "
            f"{ctx.area_name}. Add the local extracts to the data store to show them."
        ))
        return tag("section", parts, aria_labelledby=anchor)
    # vaccination uptake by dose
    parts.append(heading(3, "Covid-19 vaccination uptake (12+)"))
    vacc = cs.vaccination
    if vacc is None or vacc.empty:
        parts.append(paragraph("Vaccination uptake data are not available."))
    else:
        area_col, eng_col = ctx.area_name, "England"
        frame = vacc.rename(columns={"area": area_col, "england": eng_col, "dose": "Dose"})
        parts.append(charts.grouped_bar_chart(
            frame, category="Dose", series=[area_col, eng_col], unit="% uptake",
            title=f"Covid-19 vaccination uptake (12+) in {ctx.area_name} and England, "
                  f"as of {_long_date(cs.vaccination_date)}",
            caption=f"Percentage of people aged 12 and over vaccinated, by dose, as of "
                    f"{_long_date(cs.vaccination_date)}.",
        ))
        parts.append(paragraph(vaccination_sentence(cs, ctx.area_name)))
    # deaths by place
    parts.append(heading(3, "Covid-19 deaths by place of death"))
    if cs.deaths is None or cs.deaths.empty:
        parts.append(paragraph("Covid-19 deaths by place of death are not available."))
    else:
        parts.append(charts.bar_chart(
            cs.deaths.rename(columns={"place": "Place of death", "deaths": "Deaths",
                                      "percent": "Percentage of deaths"}),
            category="Place of death", value="Deaths", decimals=None,
            extra_columns=["Percentage of deaths"],
            title=f"Deaths involving Covid-19 in {ctx.area_name} by place of death",
            caption=f"Deaths involving Covid-19 registered up to {cs.deaths_as_of}.",
            unit="deaths",
        ))
        parts.append(paragraph(deaths_sentence(cs, ctx.area_name)))
    # excess deaths
    parts.append(heading(3, "Excess deaths"))
    if cs.excess is None:
        parts.append(paragraph("Observed and expected deaths are not available."))
    else:
        e = cs.excess
        frame = pd.DataFrame({"Deaths": ["Observed", "Expected"],
                              "Number": [e["observed"], e["expected"]]})
        parts.append(charts.bar_chart(
            frame, category="Deaths", value="Number", decimals=None, unit="deaths",
            title=f"Observed and expected deaths (all causes) in {ctx.area_name}, {e['period']}",
            caption=f"Expected deaths from the average mortality of {e['baseline']}.",
        ))
        parts.append(paragraph(excess_sentence(cs, ctx.area_name)))
    return tag("section", parts, aria_labelledby=anchor)


# ------------------------------------------------------------------------------------------
# Closing sections
# ------------------------------------------------------------------------------------------


def changes(ctx: ChapterContext) -> Html:
    """Changes since the previous release."""
    return blocks.changes_section(ctx)


def data_notes(ctx: ChapterContext) -> Html:
    """Data notes: missing values, suppression, small numbers, definitions."""
    return blocks.data_notes_section(ctx, definitions=[
        "Indicators compared with a goal (HPV vaccination 80%, shingles vaccination 50%) show "
        "Better, Similar or Worse than goal in place of the England comparison.",
        "The NHS dental appointment indicator is placed in national quintiles of all upper-tier "
        "authorities (best, 2nd best, middle, 2nd worst, worst quintile).",
    ])


def appendix(ctx: ChapterContext) -> Html:
    """Appendix 1 – Similar areas (names and ONS codes)."""
    return blocks.comparators_appendix(
        ctx,
        f"Appendix 1 – Similar areas to {ctx.area_name}",
        intro=(
            "Chartered Institute of Public Finance and Accountancy (CIPFA) nearest neighbours "
            "group local authorities that are statistically similar in their demographic and "
            f"socio-economic characteristics. Nearest neighbours to {ctx.area_name} used in "
            "this report include:"
        ),
        anchor="appendix-1",
    )

