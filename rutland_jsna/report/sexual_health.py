"""The sexual health chapter: the SHNA executive summary rebuilt from Fingertips indicators.

docs/chapters.md §2. The notebook ``notebooks/sexual_health.ipynb`` calls, one per cell::

    ctx = sexual_health.load(area_code, comparators, source, release, confidence, output_dir)
    sexual_health.title_block(ctx)
    sexual_health.about(ctx)
    sexual_health.summary(ctx)
    sexual_health.dashboard(ctx)
    sexual_health.introduction(ctx)
    sexual_health.context(ctx)
    sexual_health.section(ctx, "sti") … sexual_health.section(ctx, "vaccination")
    sexual_health.comparator_table(ctx)
    sexual_health.appendix_2015(ctx)
    sexual_health.changes(ctx)
    sexual_health.data_notes(ctx)
    sexual_health.appendix(ctx)

Every function returns an :class:`~rutland_jsna.report.html.Html` block. Numbers come from
:mod:`rutland_jsna.analysis` (the indicator summary and :mod:`rutland_jsna.analysis.sexual_health`),
sentences from :mod:`rutland_jsna.report.narrative`; nothing here computes a statistic.
Figures quoted from the 2015-16 board papers are shown only in the chapter of the area they
describe (Rutland), always with their source and year.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

import pandas as pd

from ..analysis import columns as C
from ..analysis import sexual_health as A
from ..analysis.breakdowns import count_changes, sex_breakdown
from ..analysis.comparators import comparator_ranking, ranking_polarity, subject_ranks
from ..analysis.funnel import funnel_data
from ..analysis.goals import goal_comparison
from ..analysis.series import comparator_values, trend_series
from ..analysis.summary import NO_ID, SUPPRESSED_REASON
from ..chapter.context import ChapterContext, ComparatorSet, LoadedStore, load_chapter
from ..config import DEFAULT_AREA_CODE
from ..data.catalogue_model import Chapter
from ..stats.disclosure import SMALL_NUMBER_EVENTS
from ..stats.labels import Comparison, Polarity, TrendLabel, is_getting_worse
from . import blocks, charts, narrative
from ._words import ordinal_text
from .format import MISSING, ci_percent, format_count, format_number, is_missing, missing_html
from .html import Html, bullet_list, esc, heading, paragraph, tag
from .legend import comparison_chip, comparison_colour, comparison_text, trend_html
from .tables import csv_link, frame_table, indicator_table

__all__ = [
    "COMPARATORS_2015",
    "COMPARATORS_CIPFA",
    "DETECTION_GOAL",
    "SECTION_ORDER",
    "TITLE",
    "about",
    "appendix",
    "appendix_2015",
    "changes",
    "chlamydia_by_sex",
    "chlamydia_funnel",
    "comparator_table",
    "context",
    "dashboard",
    "data_notes",
    "introduction",
    "load",
    "section",
    "summary",
    "title_block",
]

TITLE = "Joint Strategic Needs Assessment: Sexual and Reproductive Health"
#: ``comparators`` values naming a comparator set.
COMPARATORS_2015 = "2015"
COMPARATORS_CIPFA = "cipfa"
#: The sections with data, in the order of the SHNA executive summary (docs/chapters.md §2.1);
#: HPV vaccination, in the 2015 appendix but not in the summary, comes last.
SECTION_ORDER: tuple[str, ...] = (
    "sti", "chlamydia", "hiv", "contraception", "teenage_pregnancy", "abortion", "sexual_abuse",
    "vaccination",
)
#: The chlamydia detection goal (per 100,000 aged 15-24), shown as a goal line, never as RAG.
DETECTION_GOAL = 2300.0
DETECTION_GOAL_SOURCE = (
    "the PHOF 3.02 chlamydia detection rate benchmark of at least 2,300 per 100,000 people aged "
    "15 to 24 used by Fingertips from 2015 (indicator metadata for PHOF 3.02; not confirmed "
    "against the current metadata, which sets a different level for females from 2021)"
)
#: The area the 2015-16 board papers describe: their figures are quoted only in its chapter.
PAPERS_AREA = DEFAULT_AREA_CODE
STRATEGY = "draft Rutland Sexual Health Strategy 2016-2019 (Health and Wellbeing Board, January 2016)"
SHNA = "Sexual Health Needs Assessment executive summary for Rutland (October 2015)"
SHNA_SHORT = "SHNA (October 2015)"

K = "sexual_health."
KEY_STI = K + "sti.all_new_sti_excl_chlamydia_under25"
KEY_SCREENED = K + "chlamydia.chlamydia_screened_15_24_persons"
KEY_SCREENED_F = K + "chlamydia.chlamydia_screened_15_24_female"
KEY_DETECT = K + "chlamydia.chlamydia_detection_15_24_persons"
KEY_DETECT_F = K + "chlamydia.chlamydia_detection_15_24_female"
KEY_DETECT_M = K + "chlamydia.chlamydia_detection_15_24_male"
KEY_HIV_PREV = K + "hiv.hiv_diagnosed_prevalence_15_59"
KEY_HIV_LATE = K + "hiv.hiv_late_diagnosis"
KEY_HIV_TEST = K + "hiv.hiv_testing_uptake"
KEY_LARC = K + "contraception.total_prescribed_larc"
KEY_GP_LARC = K + "contraception.gp_prescribed_larc"
KEY_U18 = K + "teenage_pregnancy.under18_conception_rate"
KEY_U18_ABORTION = K + "teenage_pregnancy.under18_conceptions_abortion"
KEY_UNDER_10 = K + "abortion.abortions_under_10_weeks"
KEY_REPEAT = K + "abortion.under25_repeat_abortions"

#: Per indicator: (verb, measure, events) for the SHNA-style sentence
#: "In 2014 Rutland screened a significantly lower percentage of 15-24 year olds for chlamydia
#: (18.9%) than England (23.9%)".
MEASURES: dict[str, tuple[str, str, str]] = {
    KEY_STI: ("had", "rate of new STI diagnoses (excluding chlamydia in under 25s)", "diagnoses"),
    K + "sti.chlamydia_diagnostic_rate": ("had", "rate of chlamydia diagnoses", "diagnoses"),
    K + "sti.gonorrhoea_diagnostic_rate": ("had", "rate of gonorrhoea diagnoses", "diagnoses"),
    K + "sti.syphilis_diagnostic_rate": ("had", "rate of syphilis diagnoses", "diagnoses"),
    K + "sti.genital_warts_diagnostic_rate": ("had", "rate of genital warts diagnoses", "diagnoses"),
    K + "sti.genital_herpes_diagnostic_rate": ("had", "rate of genital herpes diagnoses", "diagnoses"),
    K + "vaccination.hpv_coverage_appendix": ("vaccinated", "percentage of girls against HPV", "girls vaccinated"),
    KEY_SCREENED: ("screened", "percentage of 15-24 year olds for chlamydia", "people screened"),
    KEY_SCREENED_F: ("screened", "percentage of females aged 15-24 for chlamydia", "women screened"),
    KEY_DETECT: ("had", "chlamydia detection rate among 15-24 year olds", "diagnoses"),
    KEY_DETECT_F: ("had", "chlamydia detection rate among females aged 15-24", "diagnoses"),
    KEY_DETECT_M: ("had", "chlamydia detection rate among males aged 15-24", "diagnoses"),
    K + "chlamydia.chlamydia_positivity_15_24": ("had", "chlamydia positivity among 15-24 year olds", "positive tests"),
    KEY_HIV_TEST: ("had", "percentage of eligible GUM attendees tested for HIV", "tests"),
    K + "hiv.new_hiv_diagnosis_rate_15_plus": ("had", "rate of new HIV diagnoses among people aged 15 and over", "diagnoses"),
    KEY_HIV_PREV: ("had", "diagnosed HIV prevalence among 15-59 year olds", "people diagnosed"),
    KEY_HIV_LATE: ("had", "percentage of HIV diagnoses made at a late stage of infection", "diagnoses"),
    KEY_LARC: ("had", "rate of prescribed long-acting reversible contraception (LARC, excluding injections)", "prescriptions"),
    KEY_GP_LARC: ("had", "rate of GP-prescribed LARC (excluding injections)", "prescriptions"),
    KEY_U18: ("had", "conception rate among females aged under 18", "conceptions"),
    KEY_U18_ABORTION: ("had", "percentage of under 18 conceptions leading to abortion", "conceptions"),
    KEY_UNDER_10: ("had", "percentage of abortions under 10 weeks", "abortions"),
    KEY_REPEAT: ("had", "percentage of abortions in under 25s that were repeat abortions", "abortions"),
    K + "sexual_abuse.sexual_offences_rate": ("had", "rate of sexual offences", "offences"),
}

_HEADINGS = {
    "sti": "Sexually transmitted infections",
    "chlamydia": "Chlamydia screening and detection (15-24 year olds)",
    "hiv": "HIV",
    "contraception": "Contraception",
    "teenage_pregnancy": "Teenage pregnancy",
    "abortion": "Abortion",
    "sexual_abuse": "Sexual abuse",
    "vaccination": "HPV vaccination",
}

# Figures the board papers give, quoted with source and year (Rutland's chapter only).
_PAPER_FIGURES: dict[str, tuple[tuple[str, str], ...]] = {
    "sti": (
        ("In 2014 there were 193 new STIs diagnosed in residents of Rutland (62% male and 38% "
         "female), a rate of 515.9 per 100,000, significantly lower than England's 796.1 per "
         "100,000.", SHNA),
        ("The highest rate of STI diagnoses was in the 20-24 age band; across Leicestershire "
         "and Rutland the number of over-45s presenting with STIs rose by 59% between 2010 and "
         "2014.", SHNA),
        ("The proportion of new STIs among men who have sex with men rose from 5.5% (n=6) in "
         "2010 to 7.6% (n=8) in 2013.", SHNA),
        ("Syphilis was higher than in comparator authorities 'but this is not significant due "
         "to the rate in Rutland fluctuating due to small numbers'; for genital herpes 'Rutland "
         "rates fluctuate due to small numbers involved'.", SHNA),
    ),
    "chlamydia": (
        ("In 2014 Rutland screened a significantly lower percentage of 15-24 year olds for "
         "chlamydia (18.9%) than England (23.9%); the detection rate was 1,390 per 100,000 "
         "(England 1,978) and positivity 7.8% (England 8.3%).", SHNA),
        ("Detection was higher in females (2,054 per 100,000 females aged 15-24) than in males "
         "(888 per 100,000 males aged 15-24).", SHNA),
        ("The strategy proposed decommissioning opportunistic chlamydia screening and "
         "converting the programme into an online full STI screening service.", STRATEGY),
    ),
    "hiv": (
        ("In 2013 diagnosed HIV prevalence was 0.73 per 1,000 aged 15-59 (England 2.1); 15 "
         "adults received HIV-related care and there were no new diagnoses in 2013.", SHNA),
        ("In 2011-13, 67% of HIV diagnoses in Rutland were made at a late stage of infection "
         "(England 45%), most of them heterosexual.", SHNA),
        ("HIV testing uptake at GUM clinics was 79.4% (England 80%); uptake by men was lower "
         "than the England average.", SHNA),
    ),
    "contraception": (
        ("In 2013 the GP-prescribed LARC rate was 76.1 per 1,000 women aged 15-44 (England "
         "52.7); LARC was 46% of contraception from specialist services and 15% from general "
         "practice.", SHNA),
        ("In 2014/15 there were 157 implant insertions, 104 implant removals and 183 IUD/IUS "
         "fits in general practice; 190 emergency hormonal contraception consultations took "
         "place in Rutland's 5 providing pharmacies.", SHNA),
    ),
    "teenage_pregnancy": (
        ("In 2013 the under 18 conception rate was 9.2 per 1,000 females aged 15-17 (England "
         "24.3), a 45.6% fall since 1998 (England 47.9%).", SHNA),
        ("The proportion of under 18 conceptions leading to abortion 'is not published due to "
         "small numbers'.", STRATEGY),
        ("From a local source, the percentage of under 18 conceptions leading to abortion fell "
         "from 50.0% in 2008-10 to 30.0% in 2011-13.", SHNA),
    ),
    "abortion": (
        ("There were 55 abortions for Rutland residents in 2014, a rate of 9.5 per 1,000 women "
         "(England 16.5); 21.4% of women had had a previous abortion (England 27.0%).", SHNA),
        ("85.2% of abortions were under 10 weeks' gestation in 2014 (England 80.4%; the text "
         "says 'Leicestershire women' but cites the Rutland appendix row); 8% were at 13 weeks "
         "or more (England 9%).", SHNA),
    ),
    "sexual_abuse": (
        ("There were 14 reported sexual offences in Rutland in 2013/14; the rate of 0.38 per "
         "1,000 is printed for 'Leicestershire' (England 1.01). Referrals to the LLR child "
         "sexual exploitation team rose from 54 in 2012/13 to 165 in 2014/15.", SHNA),
    ),
}

# The SHNA recommendations (§11) that bear on each section, quoted by number.
_RECOMMENDATIONS: dict[str, tuple[tuple[int, str], ...]] = {
    "sti": ((15, "Explore more innovative models of ISHS service delivery to improve access "
                 "particularly in more rural areas"),),
    "chlamydia": ((14, "Increase chlamydia screening as part of the core ISHS"),),
    "hiv": ((19, "Increase access to community and home based HIV testing for specific groups "
                 "at higher risk of HIV"),),
    "contraception": ((7, "Undertake an audit of LARC retention rates in primary care and ISHS"),
                      (22, "Improve information and access to range of contraception methods "
                           "to young women aged 15-25years")),
    "teenage_pregnancy": ((8, "Consider locality priorities to address the differing trends in "
                              "teenage pregnancy"),),
    "abortion": ((23, "Increase access to abortion services by developing a single point of "
                      "access for LLR"),),
    "sexual_abuse": ((26, "All sexual health services should support the LLR CSE strategy"),),
}

_IMPLICATIONS_STYLE = (
    "border-left:0.5rem solid #12436D;background:#F3F2F1;padding:0.5rem 1rem;margin:1rem 0"
)


# ------------------------------------------------------------------------------------------
# Loading: the comparator set
# ------------------------------------------------------------------------------------------


def _set_2015(area_code: str) -> list[str]:
    from ..data import areas

    codes = [PAPERS_AREA, *[a.code for a in areas.sexual_health_comparators()]]
    return [c for c in codes if c != area_code]


def _2015_description(area_name: str) -> str:
    return (
        "the 10 comparator authorities of the 2015 Rutland Sexual Health Needs Assessment "
        "(Appendix 1), with today's ONS codes (Buckinghamshire E06000060 since April 2020, "
        "North Yorkshire E06000065 since April 2023)"
        + ("" if area_name == "Rutland" else ", together with Rutland, for whom they were chosen")
    )


def load(
    area_code: str = DEFAULT_AREA_CODE,
    comparators: str | Sequence[str] | None = None,
    source: str | os.PathLike[str] = "demo",
    release: str | None = None,
    confidence: float = 0.95,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    store: LoadedStore | None = None,
    build_date: date | None = None,
    reports_root: str | os.PathLike[str] | None = None,
) -> ChapterContext:
    """Load the sexual health chapter's context.

    Parameters
    ----------
    area_code : str
        Upper-tier authority (default Rutland, E06000017).
    comparators : {None, "2015", "cipfa"} or sequence of str
        ``"2015"``: the 10 comparator authorities of the 2015 appendix with today's codes (for
        continuity with the strategy); ``"cipfa"``: the CIPFA nearest neighbours (the outcomes
        chapter's set); a list (or comma-separated string) of area codes; ``None``: the 2015
        set for Rutland, the CIPFA neighbours for every other authority (the 2015 set was
        chosen for Rutland).
    source, release, confidence, output_dir
        As for :func:`~rutland_jsna.chapter.context.load_chapter`.
    store, build_date, reports_root : optional, keyword-only
        A pre-loaded store (tests, custom data), the build date and the releases folder
        (default: the parent of ``output_dir``), passed to ``load_chapter``.

    Returns
    -------
    ChapterContext
    """
    from ..data import areas

    area = areas.get_area(area_code)
    choice = comparators
    if choice is None:
        choice = COMPARATORS_2015 if area.code == PAPERS_AREA else COMPARATORS_CIPFA
    if isinstance(choice, str) and choice.strip().lower() in (COMPARATORS_2015, COMPARATORS_CIPFA):
        choice = choice.strip().lower()
        codes = _set_2015(area.code) if choice == COMPARATORS_2015 else None
    else:
        codes = choice
    ctx = load_chapter(
        Chapter.SEXUAL_HEALTH, area.code, codes, source, release, confidence,
        output_dir=output_dir, reports_root=reports_root, store=store, build_date=build_date,
    )
    if choice == COMPARATORS_2015:
        names = tuple(ctx.name_of(c) for c in ctx.comparators.codes)
        ctx.comparators = ComparatorSet(ctx.comparators.codes, names,
                                        _2015_description(ctx.area_name))
    elif choice == COMPARATORS_CIPFA:
        ctx.comparators = ComparatorSet(
            ctx.comparators.codes, ctx.comparators.names,
            ctx.comparators.description + " (the set the outcomes chapter uses)",
        )
    return ctx


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def _is_papers_area(ctx: ChapterContext) -> bool:
    return ctx.area_code == PAPERS_AREA


def _uses_2015_set(ctx: ChapterContext) -> bool:
    return set(ctx.group_codes) >= {PAPERS_AREA, *_set_2015(PAPERS_AREA)}


def _labels(table: pd.DataFrame) -> dict[str, str]:
    if table.empty:
        return {}
    return dict(zip(table[C.KEY], narrative.indicator_labels(table), strict=True))


def _measure(key: str, default: str) -> tuple[str, str, str]:
    return MEASURES.get(key, ("had", default, "events"))


def _heading(ctx: ChapterContext, code: str) -> str:
    return _HEADINGS.get(code) or ctx.section(code).heading


def _toc(ctx: ChapterContext) -> list[tuple[str, str]]:
    entries = [("about", "About this chapter"), ("summary", "Summary"),
               ("dashboard", "Summary dashboard"), ("introduction", "Introduction and methodology"),
               ("context", "Demography and groups at high risk")]
    entries += [(f"section-{code}", _heading(ctx, code)) for code in _codes(ctx)]
    entries += [("comparator-table", "Comparator ranking table"),
                ("appendix-2015", "The 2015 comparator table reproduced"),
                ("changes", "Changes since the previous release"), ("data-notes", "Data notes"),
                ("appendix", "Appendix: comparator areas")]
    return entries


def _codes(ctx: ChapterContext) -> list[str]:
    known = {s.code for s in ctx.sections}
    return [c for c in SECTION_ORDER if c in known]


def _attributed(items: Sequence[tuple[str, str]]) -> Html:
    return bullet_list([Html(f"{esc(text)} <cite>({esc(src)})</cite>") for text, src in items])


def _rank_phrase(rank: object, n: object) -> str:
    if is_missing(rank) or is_missing(n):
        return ""
    return f"ranked {ordinal_text(int(rank))} of {int(n)}"


def _trend_sentence(row: pd.Series, area: str, measure: str) -> str:
    label = str(row.get(C.TREND) or TrendLabel.CANNOT_BE_CALCULATED.value)
    if label == TrendLabel.CANNOT_BE_CALCULATED.value:
        reason = row.get(C.TREND_REASON)
        why = f" ({str(reason)[0].lower()}{str(reason)[1:]})" if not is_missing(reason) else ""
        return f"The recent trend in the {measure} cannot be calculated{why}."
    if label == TrendLabel.NO_CHANGE.value:
        return (f"Over the latest five periods the {measure} in {area} has shown no "
                "significant change.")
    return f"Over the latest five periods the {measure} in {area} is {label.lower()}."


def _count_sentence(row: pd.Series, events: str) -> str | None:
    if not is_missing(row.get(C.VALUE)) and bool(row.get(C.COUNT_SUPPRESSED)):
        return (f"The number of {events} behind this value is fewer than five and is not "
                "published due to small numbers.")
    return None


def _indicator_sentences(ctx: ChapterContext, row: pd.Series, *, with_rank: bool = True) -> Html:
    """The SHNA-style sentences for one indicator (comparison, rank, trend, small numbers)."""
    verb, measure, events = _measure(str(row[C.KEY]), str(row[C.INDICATOR]).lower())
    area = ctx.area_name
    if row[C.MISSING_REASON] == NO_ID:
        return Html(esc(
            f"No data: no verified Fingertips indicator id for {row[C.INDICATOR]}; the "
            "indicator is listed so that the gap is visible."
        ))
    polarity = Polarity(str(row[C.POLARITY]))
    comparators = (
        "areas in its comparator group"
        if with_rank and polarity.is_rag and not is_missing(row[C.N_RANKED])
        and int(row[C.N_RANKED]) >= 3 else None
    )
    first = narrative.england_comparison_sentence(
        row, area, verb=verb, measure=measure, comparators=comparators, events=events
    )
    parts = [first.html]
    if not is_missing(row[C.VALUE]):
        extra = _count_sentence(row, events)
        if extra:
            parts.append(esc(extra))
        goal = _goal_sentence(row)
        if goal:
            parts.append(esc(goal))
        parts.append(esc(_trend_sentence(row, area, measure)))
    return Html(" ".join(parts))


_GOAL_WORDS = {"Green": "above", "Red": "below", "Amber": "not significantly different from"}


def _goal_sentence(row: pd.Series) -> str | None:
    """The detection rate against the 2,300 per 100,000 goal (its CI against the goal)."""
    if _goal_for(str(row[C.KEY])) is None or is_missing(row[C.VALUE]):
        return None
    label = goal_comparison(row[C.VALUE], row[C.LOWER_CI], row[C.UPPER_CI], DETECTION_GOAL)
    return (f"It is {_GOAL_WORDS.get(label, 'not compared with')} the detection goal of 2,300 "
            "per 100,000.")


def _neighbour_chart(ctx: ChapterContext, row: pd.Series, label: str, goal: float | None) -> Html:
    values = comparator_values(ctx.rows, row[C.KEY], ctx.group_codes, ctx.area_names,
                               england_code=ctx.england_code)
    rank = _rank_phrase(row[C.RANK], row[C.N_RANKED])
    period = row[C.PERIOD] if not is_missing(row[C.PERIOD]) else "latest period"
    title = f"{label}: {ctx.area_name} and its comparator areas, {period}"
    if rank and Polarity(str(row[C.POLARITY])).is_rag:
        title += f" ({ctx.area_name} {rank})"
    elif rank:
        title += f" ({ctx.area_name} {rank}, ranked from the lowest)"
    return charts.neighbour_chart(
        values, area_code=ctx.area_code, indicator=label, period=period, unit=row[C.UNIT],
        england=None if is_missing(row[C.ENGLAND]) else float(row[C.ENGLAND]), goal=goal,
        title=title, ci_label=ci_percent(row[C.CI_LEVEL]),
    )


def _trend_chart(ctx: ChapterContext, row: pd.Series, label: str, goal: float | None) -> Html:
    area = trend_series(ctx.rows, row[C.KEY], ctx.area_code)
    england = trend_series(ctx.rows, row[C.KEY], ctx.england_code)
    return charts.trend_chart(
        area, area_name=ctx.area_name, indicator=label, unit=row[C.UNIT],
        england=england[["period", "value"]] if len(england) else None, goal=goal,
        title=f"{label}: {ctx.area_name} and England over time",
        ci_label=ci_percent(row[C.CI_LEVEL]),
    )


def _goal_for(key: str) -> float | None:
    return DETECTION_GOAL if key == KEY_DETECT else None


def _row(ctx: ChapterContext, key: str) -> pd.Series | None:
    s = ctx.summary
    hit = s[s[C.KEY] == key]
    return None if hit.empty else hit.iloc[0]


# ------------------------------------------------------------------------------------------
# Title and about
# ------------------------------------------------------------------------------------------


def title_block(ctx: ChapterContext) -> Html:
    """Title, area, banner (demonstration data), provenance and contents."""
    lines = [
        f"{ctx.build_date.strftime('%B %Y')}. A chapter of the {ctx.area_name} Joint Strategic "
        "Needs Assessment, rebuilt from the OHID Fingertips Sexual and Reproductive Health "
        f"Profiles (rutland_jsna {ctx.version}).",
    ]
    if _is_papers_area(ctx):
        lines.append(
            f"It follows the structure of the {SHNA}, which the board heard would 'form a chapter "
            "of the Rutland Joint Strategic Needs Assessment'."
        )
    return blocks.chapter_header(ctx, TITLE, subtitle=f"{ctx.area_name} ({ctx.area_code})",
                                 lines=lines, toc=_toc(ctx))


def _polarity_table(ctx: ChapterContext) -> Html:
    rows = []
    for ind in ctx.indicators:
        used, source = ranking_polarity(ind, "appendix")
        if source != "2015 appendix" or used == ind.polarity:
            continue
        rows.append({
            "Indicator": ind.display_name,
            "2015 appendix polarity": str(used),
            "Current Fingertips polarity": str(ind.polarity),
            "England comparison (section tables)": (
                "Not compared" if ind.polarity is Polarity.NOT_APPLICABLE else str(ind.polarity)),
            "Comparator ranking table": f"{used} (the 2015 appendix)",
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return paragraph("No indicator's 2015 polarity differs from current Fingertips.")
    return frame_table(frame, caption="Indicators whose 2015 polarity differs from current "
                                      "Fingertips, and which polarity this chapter uses where")


def about(ctx: ChapterContext) -> Html:
    """About this chapter: coverage, comparator set, polarity choices, how to read it."""
    n_no_id = sum(1 for i in ctx.indicators if not i.has_data_id)
    covers = (
        f"This chapter presents {len(ctx.indicators)} sexual and reproductive health indicators "
        f"for {ctx.area_name}: sexually transmitted infections, chlamydia screening and "
        "detection, HIV, contraception, teenage pregnancy, abortion, sexual offences and HPV "
        "vaccination. Each is compared with England and ranked among the comparator areas, with "
        f"a bar chart, a trend chart and sentences. {n_no_id} indicators have no verified "
        "Fingertips indicator id; they are listed as 'no data' rather than dropped."
    )
    base = blocks.about_chapter(ctx, covers)
    alternative = (
        "The alternative is the CIPFA nearest neighbours (the set the outcomes chapter uses); "
        "build with comparators=\"cipfa\" to use it."
        if _uses_2015_set(ctx) else
        "The alternative is the 2015 sexual health comparator set chosen for Rutland; build "
        "with comparators=\"2015\" to use it."
    )
    extra = tag(
        "section",
        [
            heading(3, "Comparator set and polarity", id="about-comparators"),
            paragraph(f"Comparator set used: {ctx.comparators.description}. {alternative}"),
            paragraph(
                "Three indicators of the 2015 comparator table (Appendix 1) carry a polarity "
                "that differs from current Fingertips. The section tables compare with England "
                "and rank using the current Fingertips polarity (an indicator Fingertips does "
                "not judge is Not compared, and ranked lowest first); the comparator ranking "
                "table uses the 2015 appendix's polarity, so that its ranks continue the "
                "strategy's."
            ),
            _polarity_table(ctx),
            paragraph(
                "The chlamydia detection rate is not judged against England. Its charts show "
                f"the detection goal of 2,300 per 100,000 as a dashed line: {DETECTION_GOAL_SOURCE}."
                " The 2015-16 board papers set no numeric goals."
            ),
        ],
        aria_labelledby="about-comparators",
    )
    return base + extra


# ------------------------------------------------------------------------------------------
# Summary and dashboard
# ------------------------------------------------------------------------------------------


def _q(question: str, answers: Sequence[Html | str]) -> Html:
    return tag("li", [tag("strong", question), bullet_list(answers)])


def _sentence(ctx: ChapterContext, key: str) -> Html | None:
    row = _row(ctx, key)
    return None if row is None else _indicator_sentences(ctx, row)


def _not_in_data(what: str) -> str:
    return f"{what} are not in this chapter's data source (OHID Fingertips profiles)."


def summary(ctx: ChapterContext) -> Html:
    """Generated answers to the chapter's questions (docs/chapters.md §2.6)."""
    area = ctx.area_name
    papers = _is_papers_area(ctx)
    items: list[Html] = []
    # 1. STI, HIV and under-18 conceptions against England and the comparators.
    items.append(_q(
        "Are STI, HIV and under-18 conception rates still lower than England's and the "
        "comparators'?",
        [s for s in (_sentence(ctx, k) for k in (KEY_STI, KEY_HIV_PREV, KEY_U18)) if s],
    ))
    # 2. Are STI diagnoses still rising, and for whom?
    answers: list[Html | str] = []
    changes_ = count_changes(ctx.rows, KEY_STI, ctx.area_code)
    if changes_ is None:
        answers.append(f"{area} has too few periods with a count of new STI diagnoses to say.")
    else:
        first, last = changes_.first, changes_.latest
        run = (f"; they have risen in each of the last {changes_.run_to_latest} years"
               if changes_.run_to_latest >= 2 else "")
        answers.append(
            f"New STI diagnoses (excluding chlamydia in under 25s) in {area} rose in "
            f"{changes_.n_rises} of the {changes_.n_compared} year-on-year changes from "
            f"{first['period']} to {last['period']} (from {format_count(first['count'])} to "
            f"{format_count(last['count'])}){run}."
        )
    answers.append(_not_in_data("STI diagnoses by age band (20-24s, over-45s) and among men who "
                                "have sex with men"))
    if papers:
        answers.append(Html(esc("The SHNA found the highest rate in 20-24 year olds, a 59% rise "
                                "in over-45s presenting with STIs across Leicestershire and "
                                "Rutland in 2010-2014, and a rising share among men who have "
                                "sex with men ") + f"<cite>({esc(SHNA)})</cite>."))
    items.append(_q("Are STI diagnoses still rising year on year, and for whom?", answers))
    # 3. Chlamydia screening.
    answers = [s for s in (_sentence(ctx, k) for k in (KEY_SCREENED, KEY_SCREENED_F)) if s]
    det = _row(ctx, KEY_DETECT)
    if det is not None and not is_missing(det[C.VALUE]):
        goal = goal_comparison(det[C.VALUE], det[C.LOWER_CI], det[C.UPPER_CI], DETECTION_GOAL)
        answers.append(
            f"The chlamydia detection rate among 15-24 year olds in {det[C.PERIOD]} was "
            f"{format_number(det[C.VALUE])} per 100,000, "
            f"{_GOAL_WORDS.get(goal, 'not compared with')} the 2,300 per 100,000 detection goal."
        )
    answers.append(
        "Whether opportunistic screening has been replaced by online testing is a service "
        "question the indicators cannot answer"
        + (f"; the {STRATEGY} proposed it." if papers else ".")
    )
    items.append(_q("Is chlamydia screening reaching 15-24 year olds?", answers))
    # 4. HIV.
    answers = [s for s in (_sentence(ctx, k) for k in (KEY_HIV_LATE, KEY_HIV_TEST)) if s]
    answers.append(_not_in_data("Late diagnosis by route of infection (heterosexual residents) "
                                "and HIV testing uptake among men"))
    items.append(_q("Is HIV being diagnosed late? Is HIV testing uptake adequate?", answers))
    # 5. Contraception.
    answers = [s for s in (_sentence(ctx, k) for k in (KEY_LARC, KEY_GP_LARC)) if s]
    answers.append(_not_in_data("LARC retention, LARC by age (women under 35) and emergency "
                                "contraception provision"))
    items.append(_q("Is LARC accessible and retained? Is there enough emergency contraception?",
                    answers))
    # 6. Abortion.
    answers = [s for s in (_sentence(ctx, k) for k in (KEY_UNDER_10, KEY_REPEAT)) if s]
    items.append(_q("Are women reaching abortion services early? How common are repeat "
                    "abortions?", answers))
    # 7. Travel and out-of-area use.
    answers = [_not_in_data("Travel times and use of services out of area")]
    if papers:
        answers.append(Html(esc(
            "In 2015, 40% of residents lived within a 10-minute drive of an integrated sexual "
            "health service site and 19% faced a 20-30 minute drive; the new service reduced "
            "out-of-area GUM use by 10% between 2013 and 2014, and Peterborough was the second "
            "most used clinic ") + f"<cite>({esc(SHNA)})</cite>."))
    items.append(_q("How far do residents travel, or use services out of area?", answers))
    # 8. Armed forces.
    answers = [_not_in_data("Indicators for the armed forces population")]
    if papers:
        answers.append(Html(esc(
            "Recommendation 11 asked commissioners to consider the sexual health needs of the "
            "armed forces barrack populations in Rutland as part of a wider health needs "
            "assessment ") + f"<cite>({esc(SHNA)})</cite>."))
    items.append(_q("What are the sexual health needs of the armed forces population?", answers))
    # 9. Small numbers.
    items.append(_q("Where do small numbers make a comparison or trend unreliable?",
                    _small_numbers_answers(ctx)))
    return tag(
        "section",
        [heading(2, "Summary", id="summary"),
         paragraph(f"Answers to the questions this chapter asks of the latest data for {area}. "
                   "Each sentence gives the period it relates to."),
         tag("ol", items, class_="questions")],
        aria_labelledby="summary",
    )


def _small_numbers_answers(ctx: ChapterContext) -> list[Html | str]:
    s = ctx.summary
    labels = _labels(s)
    small = s[s[C.SMALL_NUMBERS].astype(bool)]
    withheld = s[s[C.SUPPRESSED].astype(bool)]
    counts = s[s[C.COUNT_SUPPRESSED].astype(bool) & s[C.VALUE].notna()]
    out: list[Html | str] = []
    if len(small):
        out.append(
            f"Values based on fewer than {SMALL_NUMBER_EVENTS} events (comparisons and trends unreliable): "
            + "; ".join(labels[k] for k in small[C.KEY]) + "."
        )
    if len(withheld):
        out.append(
            "Not published due to small numbers (value suppressed, never ranked): "
            + "; ".join(labels[k] for k in withheld[C.KEY]) + "."
        )
    if len(counts):
        out.append(
            "Counts of 1 to 4 not published due to small numbers (shown as *): "
            + "; ".join(labels[k] for k in counts[C.KEY]) + "."
        )
    if not out:
        out.append(f"No indicator with a value rests on fewer than {SMALL_NUMBER_EVENTS} events, and none is "
                   "suppressed.")
    out.append("Due to small numbers in many indicators values can fluctuate widely across "
               "years, making trends more difficult to interpret.")
    return out


def _tile(row: pd.Series, label: str) -> Html:
    basis = row[C.COMPARISON_BASIS]
    colour = comparison_colour(row[C.COMPARISON], basis)
    if is_missing(row[C.VALUE]):
        reason = row[C.MISSING_REASON]
        if reason == NO_ID:
            body: list[Html | str] = [tag("span", "No data: no verified Fingertips indicator id",
                                          class_="tile-rank")]
        elif reason == SUPPRESSED_REASON:
            body = [tag("span", f"{row[C.PERIOD]}: not published due to small numbers",
                        class_="tile-rank")]
        else:
            body = [tag("span", f"No data: {reason}", class_="tile-rank")]
    else:
        unit = "" if is_missing(row[C.UNIT]) else (
            "%" if row[C.UNIT] == "%" else f" {row[C.UNIT]}")
        england = (MISSING if is_missing(row[C.ENGLAND]) else format_number(row[C.ENGLAND]))
        flag = " †" if bool(row[C.SMALL_NUMBERS]) else ""
        body = [
            tag("span", f"{row[C.PERIOD]}: {format_number(row[C.VALUE])}{unit}{flag} "
                        f"(England {england})", class_="tile-rank"),
            Html("<br>"),
            comparison_chip(row[C.COMPARISON], basis),
            Html(" "),
            trend_html(row[C.TREND]),
        ]
    return tag("li", [tag("span", label, class_="tile-name"), *body],
               style=f"border-left-color:{colour}")


def dashboard(ctx: ChapterContext) -> Html:
    """The summary dashboard (the SHNA's Appendix 2 analogue): one tile per indicator."""
    s = ctx.summary
    labels = _labels(s)
    parts: list[Html | str] = [
        heading(2, "Summary dashboard", id="dashboard"),
        paragraph(
            f"One tile per indicator: {ctx.area_name}'s latest value and period, England's "
            "value, the comparison with England (word and colour) and the direction of travel "
            f"(symbol and words). † marks a value based on fewer than {SMALL_NUMBER_EVENTS} events."
        ),
    ]
    for code in _codes(ctx):
        rows = s[s[C.SECTION] == code]
        if rows.empty:
            continue
        parts.append(heading(3, _heading(ctx, code)))
        parts.append(tag("ul", [_tile(r, labels[r[C.KEY]]) for _, r in rows.iterrows()],
                         class_="overview"))
    parts.append(blocks.summary_download(ctx))
    return tag("section", parts, aria_labelledby="dashboard")


# ------------------------------------------------------------------------------------------
# Introduction and context
# ------------------------------------------------------------------------------------------


def introduction(ctx: ChapterContext) -> Html:
    """Introduction (WHO definition, cost case, attributed) and methodology."""
    cite = f"<cite>({esc(STRATEGY)}; {esc(SHNA)})</cite>"
    parts: list[Html | str] = [
        heading(2, "Introduction and methodology", id="introduction"),
        paragraph(Html(
            esc("Sexual health is 'a state of physical, emotional, mental and social well-being "
                "in relation to sexuality' (World Health Organization, 2002), as quoted by the "
                "2015-16 papers ") + cite + "."
        )),
        paragraph(Html(
            esc("The same papers make the cost case for investing in sexual health: every £1 "
                "invested in contraception saves £11.09 in averted negative outcomes; more use "
                "of long-acting reversible contraception could save £102 million; and more HIV "
                "testing among men who have sex with men and black Africans in England would "
                "prevent 3,500 cases of HIV transmission within five years and save £18 million "
                "in treatment costs per year ") + cite + "."
        )),
        heading(3, "Methodology"),
        paragraph(
            "The indicators come from the OHID Fingertips Sexual and Reproductive Health "
            "Profiles (profile 45), the source the 2016 strategy names for monitoring it, and "
            f"are compared with England ({ci_percent(ctx.confidence)} confidence intervals, "
            "Fingertips methods) and "
            "ranked among the comparator areas. Local service data (clinic attendances, "
            "pharmacy consultations, travel times, engagement findings) are not part of this "
            "source; where the 2015 needs assessment quoted them they are shown as quotations "
            "with their source and year, never as this chapter's own figures."
        ),
        paragraph(
            "Sections follow the needs assessment: sexually transmitted infections (with "
            "chlamydia screening), HIV, sexual and reproductive health (contraception, teenage "
            "pregnancy, abortion), sexual abuse, and HPV vaccination from the comparator table. "
            "Each section has its indicator table, charts and sentences, and ends with "
            "'Implications for sexual health services' where the data support a statement."
        ),
    ]
    if _is_papers_area(ctx):
        parts.append(paragraph(Html(
            esc("The strategy's mission: 'Empowering the population of Rutland to make "
                "informed, positive choices about their relationships and sexual health.' ")
            + f"<cite>({esc(STRATEGY)})</cite>"
        )))
    return tag("section", parts, aria_labelledby="introduction")


def context(ctx: ChapterContext) -> Html:
    """Demography and groups at high risk: the needs assessment's figures, attributed."""
    parts: list[Html | str] = [heading(2, "Demography and groups at high risk", id="context")]
    if not _is_papers_area(ctx):
        parts.append(paragraph(
            f"The 2015 needs assessment described Rutland only; no demographic or high-risk "
            f"group figures are held for {ctx.area_name}, and the Fingertips indicators in this "
            "chapter do not cover them."
        ))
        return tag("section", parts, aria_labelledby="context")
    parts.append(paragraph(
        "These figures are quoted from the needs assessment; they are not in this chapter's "
        "data source and have not been updated."
    ))
    parts.append(heading(3, "Demography of Rutland"))
    parts.append(_attributed([
        ("Rutland has an older population than the England average, expected to grow by 6.8% "
         "by 2028, most among people aged over 75.", SHNA),
        ("97% of the population is White; applying the national 1.6% who define themselves as "
         "gay, lesbian or bisexual gives about 600 people in Rutland.", SHNA),
        ("Over half of the population lives in the least deprived 20% of areas in England, "
         "with pockets of deprivation.", SHNA),
    ]))
    parts.append(heading(3, "Groups at high risk of poor sexual health"))
    parts.append(_attributed([
        ("0.7% of the population was diagnosed with a mental health condition in 2013/14 "
         "(England 0.9%); an estimated 12.0% of 16-64 year olds had a moderate to severe "
         "physical disability in 2012 (England 11.1%); 0.4% (122) of adults were registered "
         "with a learning disability in 2013/14.", SHNA),
        ("27 households were statutory homeless in 2013/14; the rate of looked after children "
         "was 45.1 per 10,000 (England 59.8) in 2013/14.", SHNA),
        ("No saunas, parlours or street sex work were known to operate in Rutland; men who "
         "have sex with men made up 14% of GUM attendees in 2014.", SHNA),
    ]))
    parts.append(_implications(
        pd.DataFrame(), "context", papers=True,
        statements=["These groups are small in number in Rutland, so the Fingertips indicators "
                    "cannot describe them separately; services should regularly complete an "
                    "equality impact assessment (recommendation 12 of the SHNA, October 2015)."],
    ))
    return tag("section", parts, aria_labelledby="context")


# ------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------


def _implication_statements(ctx: ChapterContext, table: pd.DataFrame) -> list[str]:
    labels = _labels(table)
    out = []
    for _, row in table.iterrows():
        if is_missing(row[C.VALUE]) or not Polarity(str(row[C.POLARITY])).is_rag:
            continue
        label = labels[row[C.KEY]]
        words = comparison_text(row[C.COMPARISON], row[C.COMPARISON_BASIS])
        if words == Comparison.BETTER.value:
            text = f"{label}: significantly better than England in {row[C.PERIOD]}."
        elif words == Comparison.WORSE.value:
            text = (f"{label}: significantly worse than England in {row[C.PERIOD]}, a priority "
                    "for improvement.")
        elif words == Comparison.SIMILAR.value:
            text = f"{label}: similar to England in {row[C.PERIOD]}."
        else:
            continue
        n = row[C.N_RANKED]
        rank = row[C.RANK]
        if not is_missing(rank) and not is_missing(n) and int(n) >= 4 and int(rank) > int(n) - 3:
            text += (f" It is {_rank_phrase(rank, n)} among its comparator areas (bottom "
                     "three).")
        if is_getting_worse(row[C.TREND]):
            text += " Its recent trend is getting worse."
        if bool(row[C.SMALL_NUMBERS]):
            text += f" It rests on fewer than {SMALL_NUMBER_EVENTS} events, so this is uncertain."
        out.append(text)
    return out


def _implications(table: pd.DataFrame, code: str, *, papers: bool,
                  statements: Sequence[str] | None = None) -> Html:
    items: list[Html | str] = list(statements or [])
    if papers:
        for number, text in _RECOMMENDATIONS.get(code, ()):
            items.append(Html(esc(f"Recommendation {number}: '{text}' ")
                              + f"<cite>({esc(SHNA_SHORT)})</cite>."))
    if not items:
        body: Html = paragraph(
            "The data in this section do not support a statement on implications for services: "
            "no indicator has a value that is compared with England."
        )
    else:
        body = bullet_list(items)
    return tag("aside", [tag("h3", "Implications for sexual health services"), body],
               class_="implications", style=_IMPLICATIONS_STYLE)


def section(ctx: ChapterContext, code: str) -> Html:
    """One theme: 2015 context (Rutland), table, charts, sentences, implications.

    Charts: a comparator bar chart (with CIs and England) and a trend chart for every
    indicator with data; the chlamydia section adds detection by sex and the funnel plot.
    """
    anchor = f"section-{code}"
    title = _heading(ctx, code)
    table = ctx.section_summary(code)
    labels = _labels(table)
    papers = _is_papers_area(ctx)
    parts: list[Html | str] = [heading(2, title, id=anchor)]
    if papers and code in _PAPER_FIGURES:
        parts.append(heading(3, "What the 2015 needs assessment found"))
        parts.append(_attributed(_PAPER_FIGURES[code]))
    parts.append(indicator_table(
        table, title=f"{ctx.area_name} sexual and reproductive health - {title}",
        csv_name=f"sexual_health_{code}", output_dir=ctx.output_dir,
    ))
    with_data = table[table[C.VALUE].notna() | table[C.SUPPRESSED].astype(bool)]
    if len(with_data):
        parts.append(heading(3, "Charts"))
        for _, row in table.iterrows():
            if row[C.MISSING_REASON] in (NO_ID,) or (
                    is_missing(row[C.VALUE]) and row[C.MISSING_REASON] != SUPPRESSED_REASON
                    and is_missing(row[C.PERIOD])):
                continue
            label = labels[row[C.KEY]]
            goal = _goal_for(str(row[C.KEY]))
            parts.append(_neighbour_chart(ctx, row, label, goal))
            parts.append(_trend_chart(ctx, row, label, goal))
        if code == "chlamydia":
            parts.append(chlamydia_by_sex(ctx))
            parts.append(chlamydia_funnel(ctx))
    else:
        parts.append(paragraph(
            "No indicator in this section has data for any area, so there are no charts."
        ))
    parts.append(heading(3, f"What the data show for {ctx.area_name}"))
    sentences = [
        Html(f"<strong>{esc(labels[row[C.KEY]])}</strong> - ") + _indicator_sentences(ctx, row)
        for _, row in table.iterrows()
    ]
    parts.append(bullet_list(sentences))
    parts.append(_implications(table, code, papers=papers,
                               statements=_implication_statements(ctx, table)))
    return tag("section", parts, aria_labelledby=anchor)


def chlamydia_by_sex(ctx: ChapterContext) -> Html:
    """Chlamydia detection among 15-24 year olds by sex, with small counts withheld."""
    keys = {"Female": KEY_DETECT_F, "Male": KEY_DETECT_M, "Persons": KEY_DETECT}
    split = sex_breakdown(ctx.rows, keys, ctx.area_code, england_code=ctx.england_code)
    title = f"Chlamydia detection rate per 100,000 aged 15 to 24 by sex: {ctx.area_name} and England"
    parts: list[Html | str] = [heading(4, "Chlamydia detection by sex")]
    if split["value"].notna().sum() == 0:
        parts.append(charts.no_chart(title, f"{ctx.area_name} has no detection rate by sex in "
                                            "the data."))
        return tag("div", parts)
    periods = ", ".join(dict.fromkeys(p for p in split["period"] if p))
    frame = pd.DataFrame({"Sex": split["sex"], ctx.area_name: split["value"],
                          "England": split["england"]})
    parts.append(charts.grouped_bar_chart(
        frame, category="Sex", series=[ctx.area_name, "England"], unit="per 100,000",
        title=f"{title}, {periods}",
        caption="Detection rate per 100,000 people aged 15 to 24 of each sex. Source: OHID "
                "Fingertips.",
        decimals=1,
    ))
    counts = pd.DataFrame({
        "Sex": split["sex"],
        "Period": split["period"].fillna(MISSING),
        "Value": split["value"],
        "Lower CI": split["lower_ci"],
        "Upper CI": split["upper_ci"],
        "Diagnoses": [
            "*" if sup else format_count(c)
            for sup, c in zip(split["count_suppressed"], split["count"], strict=True)
        ],
        "Population aged 15 to 24": split["denominator"],
    })
    level = ci_percent(ctx.summary[C.CI_LEVEL].max()) if len(ctx.summary) else "95%"
    parts.append(frame_table(counts, caption=f"Chlamydia detection by sex in {ctx.area_name}: "
                                             f"values, {level} confidence intervals and counts",
                             decimals=[None, None, 1, 1, 1, None, None]))
    notes = []
    if split["count_suppressed"].any():
        notes.append("* Not published due to small numbers: a count of 1 to 4, or a count that "
                     "would reveal one through the published total.")
    small = split[split["small_numbers"]]
    for _, r in small.iterrows():
        notes.append(f"{r['sex']}: based on fewer than {SMALL_NUMBER_EVENTS} diagnoses; small numbers make this "
                     "value unreliable.")
    if notes:
        parts.append(bullet_list(notes))
    return tag("div", parts)


def chlamydia_funnel(ctx: ChapterContext) -> Html:
    """Funnel plot of chlamydia detection against population aged 15-24, all authorities."""
    key = KEY_DETECT
    fd = funnel_data(ctx.rows, key, ctx.area_code, national_codes=ctx.national_codes,
                       england_code=ctx.england_code, names=ctx.area_names)
    if fd is None:
        key = KEY_DETECT_F
        fd = funnel_data(ctx.rows, key, ctx.area_code, national_codes=ctx.national_codes,
                           england_code=ctx.england_code, names=ctx.area_names)
    title = "Chlamydia detection rate per 100,000 aged 15 to 24: funnel plot of all authorities"
    parts: list[Html | str] = [heading(4, "Funnel plot of chlamydia detection")]
    if fd is None:
        parts.append(charts.no_chart(title, "no authority has both a detection rate and a "
                                            "population in the data."))
        return tag("div", parts)
    who = "people" if key == KEY_DETECT else "females"
    parts.append(charts.funnel_chart(
        fd.points, fd.limits, area_code=ctx.area_code,
        indicator=f"Chlamydia detection rate per 100,000 {who} aged 15 to 24",
        benchmark=fd.baseline, unit="per 100,000",
        denominator_label=f"Population aged 15 to 24 ({who})",
        title=f"{title}, {fd.period}",
    ))
    n = len(fd.points)
    if fd.subject_position is None:
        where = f"{ctx.area_name} has no detection rate in {fd.period}, so it is not plotted."
    else:
        v = fd.points.loc[fd.points["is_subject"], "value"].iloc[0]
        where = (
            f"In {fd.period} {ctx.area_name}'s detection rate ({format_number(v)} per 100,000) "
            f"lies {fd.subject_position} around England ({format_number(fd.baseline)} per "
            "100,000)"
            + (", so its difference from England is within what chance would explain."
               if fd.subject_significance == "Not significant" else ".")
        )
    parts.append(paragraph(
        f"{where} Of the {n} authorities plotted, {fd.n_outside_95} lie outside the 95% limits "
        f"and {fd.n_outside_998} outside the 99.8% limits. Each point's population is the "
        "denominator of its rate; the limits are exact Poisson control limits around England."
    ))
    return tag("div", parts)


# ------------------------------------------------------------------------------------------
# Comparator tables
# ------------------------------------------------------------------------------------------

_LETTER = {"High is good": "H", "Low is good": "L"}


def _polarity_cell(row: pd.Series) -> str:
    used = str(row["polarity"])
    letter = _LETTER.get(used, "none (1 = lowest)")
    text = f"{letter} ({row['polarity_source']})"
    if row["polarity_source"] == "2015 appendix" and used != row["fingertips_polarity"]:
        text += f"; current Fingertips: {row['fingertips_polarity']}"
    return text


_SHORT_REASON = {
    NO_ID: "no verified id",
    SUPPRESSED_REASON: "suppressed",
    "no data for this period": "no data",
    "indicator not in the data store": "not in data",
    "value not published for this period": "not published",
}


def _value_cell(value: float, reason: str, decimals: int = 2) -> Html:
    if is_missing(value):
        return missing_html(_SHORT_REASON.get(reason, reason or None))
    return Html(esc(format_number(value, decimals)))


def comparator_table(ctx: ChapterContext, *, period: str | None = None,
                     polarity: str = "appendix") -> Html:
    """The comparator ranking table (Appendix 1 analogue) at each indicator's latest period.

    Rows are the chapter's indicators; columns the subject area and its comparators in
    alphabetical order, then the subject's rank (1 = best) and the polarity used.
    """
    ranking = comparator_ranking(ctx.rows, ctx.indicators, ctx.area_code, ctx.comparators.codes,
                                   names=ctx.area_names, polarity=polarity, period=period)
    order = sorted(ctx.group_codes, key=lambda c: ctx.name_of(c))
    area_names = {c: ctx.name_of(c) for c in order}
    header = ["Indicator", "Period"]
    header += [f"{area_names[c]} (subject area)" if c == ctx.area_code else area_names[c]
               for c in order]
    header += [f"{ctx.area_name} rank (1 best)", "Polarity (is L or H good)"]
    labels = _labels(ctx.summary)
    body = []
    for key, group in ranking.groupby("key", sort=False):
        g = group.set_index("area_code")
        subj = g.loc[ctx.area_code]
        no_id = subj["missing_reason"] == NO_ID
        cells: list[Html | str] = [labels.get(key, str(subj["indicator"]))]
        if no_id:
            cells.append(Html('<span class="missing">No data</span> '
                              '<span class="reason">(no verified Fingertips indicator id)</span>'))
            cells += [missing_html() for _ in order]
        else:
            cells.append(MISSING if subj["period"] is None else str(subj["period"]))
            cells += [_value_cell(g.loc[c, "value"], g.loc[c, "missing_reason"]) for c in order]
        if is_missing(subj["rank"]):
            why = _SHORT_REASON.get(subj["missing_reason"], subj["missing_reason"]) or "no value"
            cells.append(Html(f'<span class="missing">Not ranked</span> '
                              f'<span class="reason">({esc(why)})</span>'))
        else:
            cells.append(f"{int(subj['rank'])} of {int(subj['n_ranked'])}")
        cells.append(_polarity_cell(subj))
        body.append(cells)
    from .html import data_table

    numeric = [False, False, *[True] * len(order), True, False]
    when = f"in {period}" if period else "at each indicator's latest period"
    caption = Html(
        f'<span class="table-title">{esc(ctx.area_name)} sexual and reproductive health '
        f"performance compared to comparator local authorities, {esc(when)}</span>"
        f'<span class="table-note">{esc("Rank: 1 is the best by the polarity shown; tied values share the lowest rank; missing values are shown as Null with the reason and are not ranked. Values to two decimal places, as in the 2015 appendix.")}</span>'
    )
    table = data_table(header, body, caption=caption, numeric=numeric, class_="comparators")
    link, _ = csv_link(ranking, "sexual_health_comparator_ranking", ctx.output_dir)
    subj = subject_ranks(ranking)
    ranked = subj[subj["rank"].notna()]
    best = ranked[(ranked["rank"] == 1) & ranked["polarity"].isin(list(_LETTER))]
    lines = [
        f"{ctx.area_name} has a rank for {len(ranked)} of {len(subj)} indicators; the others "
        "have no value (no verified Fingertips indicator id, no data or suppressed).",
    ]
    if len(best):
        lines.append(f"{ctx.area_name} ranks 1st (best) among its comparator group for: "
                     + "; ".join(labels[k] for k in best["key"]) + ".")
    bottom = ranked[(ranked["n_ranked"] >= 4) & (ranked["rank"] > ranked["n_ranked"] - 3)
                    & ranked["polarity"].isin(list(_LETTER))]
    if len(bottom):
        lines.append(f"{ctx.area_name} is in the bottom three of its comparator group for: "
                     + "; ".join(f"{labels[k]} ({_rank_phrase(r, n)})" for k, r, n in
                                 zip(bottom["key"], bottom["rank"], bottom["n_ranked"],
                                     strict=True)) + ".")
    return tag("section", [
        heading(2, "Comparator ranking table", id="comparator-table"),
        paragraph(
            "Every indicator of the chapter against each comparator area, as in Appendix 1 of "
            f"the 2015 needs assessment. Comparator set: {ctx.comparators.description}."
        ),
        tag("div", [table, link], class_="table-wrap"),
        bullet_list(lines),
    ], aria_labelledby="comparator-table")


def appendix_2015(ctx: ChapterContext) -> Html:
    """The 2015 Appendix 1 as printed, re-ranked by the rule, with the unsupported rows."""
    anchor = "appendix-2015"
    parts: list[Html | str] = [heading(2, "The 2015 comparator table reproduced", id=anchor)]
    if not _is_papers_area(ctx):
        parts.append(paragraph(
            f"The 2015 comparator table (Appendix 1 of the needs assessment) ranked Rutland; "
            f"it is reproduced in Rutland's chapter only, not in {ctx.area_name}'s."
        ))
        return tag("section", parts, aria_labelledby=anchor)
    published = A.published_appendix()
    check = A.reproduce_printed_ranks(published, area_code=PAPERS_AREA)
    wide = published.pivot_table(index="indicator", columns="area_name", values="value",
                                 aggfunc="first", dropna=False, sort=False)
    wide = wide.reindex(index=check["indicator"], columns=sorted(published["area_name"].unique()))
    frame = wide.reset_index().rename(columns={"indicator": "Indicator"})
    frame["Polarity"] = check["polarity"].to_numpy()
    frame["Printed rank"] = check["printed_rank"].to_numpy()
    frame["Recomputed rank"] = check["recomputed_rank"].to_numpy()
    frame["Check"] = [
        "not reproducible (see note)" if pd.isna(a) else ("agrees" if a else "differs")
        for a in check["agrees"]
    ]
    decimals = [None, *[2] * wide.shape[1], None, None, None, None]
    n_ok = int(check["agrees"].fillna(False).sum())
    n_checked = int(check["agrees"].notna().sum())
    parts += [
        paragraph(Html(
            esc("Appendix 1 'Rutland Sexual and Reproductive Health performance compared to "
                "comparator local authorities' (PHE Sexual and Reproductive Health profiles, "
                "data as of November 2015) ")
            + f"<cite>({esc(SHNA)})</cite>. "
            + esc(f"Re-ranked here by the rule (1 = best by the printed polarity, ties share "
                  f"the lowest rank, blanks not ranked): {n_ok} of the {n_checked} printed "
                  "Rutland ranks that can be checked are reproduced.")
        )),
        frame_table(frame, caption="The 2015 comparator table as printed (Null: blank in the "
                                   "published appendix), with Rutland's printed and recomputed "
                                   "ranks", decimals=decimals,
                    csv_name="sexual_health_appendix1_2015", output_dir=ctx.output_dir),
        heading(3, "Rows the published data cannot support"),
        bullet_list([
            Html(f"<strong>{esc(name)}</strong> - {esc(note)}")
            for name, note in A.APPENDIX_UNSUPPORTED.items()
        ]),
    ]
    return tag("section", parts, aria_labelledby=anchor)


# ------------------------------------------------------------------------------------------
# Closing sections
# ------------------------------------------------------------------------------------------


def changes(ctx: ChapterContext) -> Html:
    """Changes since the previous release."""
    return blocks.changes_section(ctx)


def data_notes(ctx: ChapterContext) -> Html:
    """Missing values, suppression, small numbers and definitions."""
    no_id = [i.display_name for i in ctx.indicators if not i.has_data_id]
    definitions = [
        "Counts of 1 to 4 are not published due to small numbers (shown as *), as the board "
        "papers do for under 18 conceptions leading to abortion; a value whose count is withheld "
        "for disclosure control is shown as Null and is never ranked.",
        f"Comparator set: {ctx.comparators.description}.",
        "Polarity: the section tables use current Fingertips polarity; the comparator ranking "
        "table uses the 2015 appendix's (sexual offences L, under 18 conceptions leading to "
        "abortion L, chlamydia detection H).",
        f"Chlamydia detection goal: {DETECTION_GOAL_SOURCE}. It is drawn on the charts and "
        "described in words; it does not colour the RAG column.",
        "HIV late diagnosis is published for 3-year periods; its direction of travel cannot be "
        "calculated from annual points.",
        "Figures quoted from the 2015-16 board papers are shown with their source and year and "
        "are not recomputed.",
    ]
    if no_id:
        definitions.append(
            "No data: no verified Fingertips indicator id for " + "; ".join(no_id) + ". These "
            "indicators stay in the tables so that the gap is visible."
        )
    return blocks.data_notes_section(ctx, definitions=definitions)


def appendix(ctx: ChapterContext) -> Html:
    """Appendix: the comparator areas by name and ONS code (with the 2015 code where changed)."""
    published = A.published_appendix()
    changed = published[published["code_2015"] != published["area_code"]]
    code_2015 = dict(zip(changed["area_code"], changed["code_2015"], strict=True))
    codes = [ctx.area_code, *ctx.comparators.codes]
    frame = pd.DataFrame({
        "Area": [ctx.name_of(c) for c in codes],
        "ONS code": codes,
        "Code in 2015 (if different)": [code_2015.get(c, "same") for c in codes],
        "Role": ["Subject area", *["Comparator"] * len(ctx.comparators.codes)],
    })
    return tag("section", [
        heading(2, "Appendix: comparator areas", id="appendix"),
        paragraph(f"The comparator areas are {ctx.comparators.description}."),
        frame_table(frame, caption=f"{ctx.area_name} and its comparator areas"),
    ], aria_labelledby="appendix")
