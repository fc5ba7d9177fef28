"""The oral health chapter (docs/chapters.md §3): dental access, contract delivery, children's teeth.

The notebook ``notebooks/oral_health.ipynb`` calls, one per cell::

    ch = oral_health.load(area_code, comparators, source, release, confidence, output_dir,
                          access_window)
    oral_health.title_block(ch)
    oral_health.about(ch)
    oral_health.summary(ch)
    oral_health.context(ch)
    oral_health.service_landscape(ch)
    oral_health.access(ch)
    oral_health.uda_delivery(ch)
    oral_health.contract_terminations(ch)
    oral_health.children(ch)
    oral_health.initiatives(ch)
    oral_health.targeted_groups(ch)
    oral_health.future_opportunities(ch)
    oral_health.changes(ch)
    oral_health.data_notes(ch)
    oral_health.appendix(ch)

Every function returns an :class:`~rutland_jsna.report.html.Html` block. Numbers come from
:mod:`rutland_jsna.analysis.oral_health` (dental access, UDA delivery, board-paper checks) and
the indicator summary (Fingertips indicators); sentences from
:mod:`rutland_jsna.report.narrative`.

What the March 2023 board papers said (the OHNA minutes, NHS England's slides) is Rutland's:
it is attributed to those papers, never presented as current fact, and left out (with a
sentence saying so) when the chapter is built for another authority.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import columns as C
from ..analysis import dental_access as da
from ..analysis import oral_health as oh
from ..analysis.series import comparator_values, trend_series
from ..chapter.context import ChapterContext, load_chapter
from ..config import DEFAULT_AREA_CODE
from ..data.catalogue_model import Chapter, ValueType
from ..data.local import extract_spec, load_local_extract, validate_local_extract, window_label
from ..stats.labels import is_getting_better, is_getting_worse
from . import blocks, charts, narrative
from ._words import join_words, number_word
from .charts import AF_DARK_BLUE, AF_ORANGE, AF_TURQUOISE, CI_COLOUR, Figure, no_chart
from .format import ci_percent, format_count, format_number, is_missing
from .html import Html, bullet_list, details, heading, paragraph, tag
from .legend import BASIS_QUINTILES, comparison_legend, comparison_text, trend_legend
from .tables import frame_table, indicator_table

__all__ = [
    "BOARD_PAPERS",
    "BOARD_PAPERS_AREA",
    "SECTION_ANCHORS",
    "TITLE",
    "OralHealthChapter",
    "about",
    "access",
    "appendix",
    "changes",
    "children",
    "context",
    "contract_terminations",
    "data_notes",
    "future_opportunities",
    "initiatives",
    "load",
    "service_landscape",
    "summary",
    "targeted_groups",
    "title_block",
    "uda_delivery",
]

TITLE = "Joint Strategic Needs Assessment: Oral Health"
#: The area the March 2023 board papers describe (the documented default area).
BOARD_PAPERS_AREA = DEFAULT_AREA_CODE
#: How the board papers are cited.
BOARD_PAPERS = "Rutland Health and Wellbeing Board papers, 21 March 2023"
NHSE_SLIDES = (
    "NHS England – Midlands, \"NHS Primary Care Dental Services in Rutland\" (slides to the "
    + BOARD_PAPERS + ")"
)
OHNA_MINUTES = (
    "minutes of the Rutland Health and Wellbeing Board meeting of 24 January 2023, item C, "
    "Oral Health Needs Assessment (in the " + BOARD_PAPERS + ")"
)

#: Section anchors in chapter order (docs/chapters.md §3.1, then the closing sections of §0).
SECTION_ANCHORS: tuple[tuple[str, str], ...] = (
    ("about", "About this chapter"),
    ("summary", "Summary"),
    ("context", "Context: the Oral Health Needs Assessment"),
    ("services", "NHS dental services and challenges"),
    ("access", "Access to NHS dental services"),
    ("uda", "Contract delivery: units of dental activity"),
    ("terminations", "Contract terminations"),
    ("children", "Children's oral health"),
    ("initiatives", "Access initiatives and uptake"),
    ("groups", "Groups needing targeted work"),
    ("future", "Future opportunities"),
    ("changes", "Changes since the previous release"),
    ("data-notes", "Data notes"),
    ("appendix", "Appendix: comparator areas"),
)
_HEADINGS = dict(SECTION_ANCHORS)
_ACCESS_SECTION = "access"
_CHILDREN_SECTION = "children"
_EXTRACT_KINDS = ("dental_access", "uda_delivery")
_DEMO_SOURCE_WORDS = {
    "dental_access": "the demonstration snapshot's local extract (Rutland and England pinned to "
                     "the published figures; other areas invented)",
    "uda_delivery": "the demonstration snapshot's local extract (invented monthly figures: the "
                    "slides published charts, not numbers)",
}


# ------------------------------------------------------------------------------------------
# The chapter object
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class OralHealthChapter:
    """The chapter context plus the local extracts and the access window.

    Attributes
    ----------
    ctx : ChapterContext
        Area, comparators, Fingertips data, catalogue rows, provenance.
    window : AccessWindow
        The kind of dental access window every access figure uses.
    extracts : dict
        ``"dental_access"`` / ``"uda_delivery"`` → validated extract (absent when none).
    extract_sources : dict
        Where each extract came from, or why it is missing.
    thresholds : pandas.DataFrame
        The UDA delivery thresholds (:func:`~rutland_jsna.analysis.oral_health.load_uda_thresholds`).
    uda_geographies : tuple of str
        Extra geography ids of the UDA extract to show besides the area and its region.
    """

    ctx: ChapterContext
    window: da.AccessWindow
    extracts: dict[str, pd.DataFrame] = field(default_factory=dict)
    extract_sources: dict[str, str] = field(default_factory=dict)
    thresholds: pd.DataFrame = field(default_factory=oh.load_uda_thresholds)
    uda_geographies: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return self.ctx.area_name

    @property
    def is_board_area(self) -> bool:
        """True when the chapter is built for the area the March 2023 board papers describe."""
        return self.ctx.area_code == BOARD_PAPERS_AREA

    @cached_property
    def rates(self) -> pd.DataFrame:
        x = self.extracts.get("dental_access")
        if x is None:
            return pd.DataFrame(columns=list(da.ACCESS_RATE_COLUMNS))
        x = x[x["area_code"].isin([self.ctx.area_code, self.ctx.england_code])]
        return da.access_rates(x, self.window, self.ctx.confidence)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        return da.access_comparison(self.rates, self.ctx.area_code,
                                    england_code=self.ctx.england_code)

    @cached_property
    def changes(self) -> pd.DataFrame:
        return da.access_change(self.rates, confidence=self.ctx.confidence)

    @cached_property
    def latest_comparison(self) -> pd.DataFrame:
        c = self.comparison
        if c.empty:
            return c
        latest = c["window_end"].max()
        return c[c["window_end"] == latest].reset_index(drop=True)

    @cached_property
    def uda(self) -> pd.DataFrame:
        x = self.extracts.get("uda_delivery")
        if x is None:
            return pd.DataFrame(columns=list(oh.UDA_DELIVERY_COLUMNS))
        return oh.uda_delivery(x, self.thresholds)

    @cached_property
    def uda_roles(self) -> dict[str, str]:
        """geography id → role of the UDA rows shown.

        Roles: ``"area"`` (the id is the area's code), ``"region"`` (its region's code),
        ``"requested"`` (listed in ``uda_geographies``). When none of these is in the extract
        and the chapter is for the board-paper area, every geography of the extract is shown
        as ``"extract"`` (the extract was made for that board; NHS England's slides did not
        name their geographies either).
        """
        from ..data import areas

        area = areas.get_area(self.ctx.area_code)
        roles = {self.ctx.area_code: "area"}
        if area.region_code:
            roles[area.region_code] = "region"
        for g in self.uda_geographies:
            roles.setdefault(g, "requested")
        present = list(dict.fromkeys(self.uda["geography_id"]))
        found = {g: r for g, r in roles.items() if g in present}
        if not found and self.is_board_area:
            found = dict.fromkeys(present, "extract")
        return found


def _validated(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A local table as a validated extract (validated unless already derived)."""
    spec = extract_spec(kind)
    frame = frame.rename(columns=_COLUMN_ALIASES.get(kind, {}))
    if all(c in frame.columns for c in spec.output_columns):
        return frame
    return validate_local_extract(frame, kind, source=f"{kind} local table")


#: Column names the demonstration snapshot used before the template's (workaround, see report).
_COLUMN_ALIASES = {"uda_delivery": {"geography_code": "geography_id"}}


def _load_file(path: Path, kind: str) -> pd.DataFrame:
    """:func:`load_local_extract`, accepting the known older column names of a kind."""
    return load_local_extract(path, kind, renames=_COLUMN_ALIASES.get(kind))


def load(
    area_code: str = DEFAULT_AREA_CODE,
    comparators: Sequence[str] | None = None,
    source: str | os.PathLike[str] = "demo",
    release: str | None = None,
    confidence: float = 0.95,
    output_dir: str | os.PathLike[str] | None = None,
    access_window: str = da.DEFAULT_ACCESS_WINDOW,
    *,
    dental_access: str | os.PathLike[str] | None = None,
    uda_delivery: str | os.PathLike[str] | None = None,
    uda_geographies: Sequence[str] = (),
    reports_root: str | os.PathLike[str] | None = None,
    ctx: ChapterContext | None = None,
) -> OralHealthChapter:
    """Load the oral health chapter: Fingertips indicators plus the two local extracts.

    Parameters
    ----------
    area_code, comparators, source, release, confidence, output_dir
        As :func:`~rutland_jsna.chapter.context.load_chapter`.
    access_window : str
        The kind of dental access window (:data:`~rutland_jsna.analysis.oral_health.ACCESS_WINDOWS`):
        ``"jan-jun"`` (the NHS England slide's January-to-June window, default),
        ``"12-months"``, ``"24-months"`` or ``"nhs-standard"`` (children 12 months, adults
        24 months).
    dental_access, uda_delivery : path, optional
        Analysts' extracts (CSV/XLSX in the templates of :mod:`rutland_jsna.data.local`).
        Default: the data source's local tables (the demonstration snapshot ships both), else
        ``data/raw/local/<kind>.csv`` or ``.xlsx`` when present.
    uda_geographies : sequence of str
        Geography ids of the UDA extract to show besides the area's own and its region's
        (e.g. an ICB code).
    reports_root : path, optional
        As :func:`~rutland_jsna.chapter.context.load_chapter`.
    ctx : ChapterContext, optional
        A pre-loaded chapter context (tests).

    Raises
    ------
    DataValidationError
        When an extract breaks its template's rules (file, rows, column and rule named).
    ValueError
        For an unknown ``access_window``.
    """
    window = da.access_window(access_window)
    if ctx is None:
        ctx = load_chapter(
            Chapter.ORAL_HEALTH, area_code, comparators, source, release, confidence,
            output_dir=output_dir, reports_root=reports_root,
        )
    given = {"dental_access": dental_access, "uda_delivery": uda_delivery}
    extracts: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for kind in _EXTRACT_KINDS:
        path = given[kind]
        if path is not None:
            extracts[kind] = _load_file(Path(path), kind)
            sources[kind] = f"local extract {Path(path).name}"
        elif kind in ctx.local_tables:
            extracts[kind] = _validated(ctx.local_tables[kind], kind)
            sources[kind] = (_DEMO_SOURCE_WORDS[kind] if ctx.source.is_demo
                             else "the data source's local extract")
        elif (found := ctx.local_extracts.get(kind)) is not None:
            extracts[kind] = _load_file(found, kind)
            sources[kind] = f"local extract {found.name}"
        else:
            sources[kind] = "no extract was supplied"
    return OralHealthChapter(ctx, window, extracts, sources,
                             uda_geographies=tuple(uda_geographies))


# ------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------


def _section(anchor: str, parts: Sequence[Html | str], title: str | None = None) -> Html:
    return tag("section", [heading(2, title or _HEADINGS[anchor], id=anchor), *parts],
               aria_labelledby=anchor)


def _attribution(source: str) -> Html:
    return tag("p", f"Source: {source}. These statements describe the position the board was "
                    "given in early 2023; they are not current facts.", class_="source-note")


def _not_board_area(ch: OralHealthChapter, what: str) -> Html:
    return paragraph(
        f"This section reports {what} from the {BOARD_PAPERS}, which describe Rutland only. "
        f"There is no equivalent source for {ch.area} in this package, so Rutland's "
        f"statements are not repeated here; add {ch.area}'s own needs assessment and NHS "
        "England briefing to this section."
    )


def _pct(value: object, decimals: int = 2) -> str:
    return "Null" if is_missing(value) else f"{format_number(value, decimals)}%"


def _ci(lower: object, upper: object, decimals: int = 2) -> str:
    if is_missing(lower) or is_missing(upper):
        return "Null"
    return f"{format_number(lower, decimals)} to {format_number(upper, decimals)}"


def _age_label(group: str) -> str:
    return da.AGE_GROUP_LABELS.get(group, group)


def _level(ch: OralHealthChapter) -> str:
    return f"{ch.ctx.confidence * 100:g}%"


# ------------------------------------------------------------------------------------------
# Title, about, summary
# ------------------------------------------------------------------------------------------


def _toc() -> list[tuple[str, str]]:
    return list(SECTION_ANCHORS)


def title_block(ch: OralHealthChapter) -> Html:
    """Title, area, banner (demonstration data), provenance and contents."""
    ctx = ch.ctx
    lines = [
        f"Dental access figures use the window \"{ch.window.label}\" "
        f"(access_window = \"{ch.window.name}\"). Dental access extract: "
        f"{ch.extract_sources.get('dental_access', 'none')}. UDA delivery extract: "
        f"{ch.extract_sources.get('uda_delivery', 'none')}.",
    ]
    return blocks.chapter_header(ctx, TITLE, subtitle=f"{ctx.area_name} ({ctx.area_code})",
                                 lines=lines, toc=_toc())


def about(ch: OralHealthChapter) -> Html:
    """What the chapter covers, the comparators, how to read it, and the access window."""
    covers = (
        f"This chapter brings together the evidence on oral health for {ch.area}: access to NHS "
        "dental services (from a local extract of patients seen, because Fingertips does not "
        "carry it), the delivery of NHS dental contracts against the thresholds NHS England "
        f"set, and {len(ch.ctx.indicators)} Fingertips oral-health indicators (tooth decay in "
        "young children, hospital tooth extractions, oral cancer and the GP Patient Survey's "
        "dental appointment measure), each compared with England and ranked among similar "
        "areas. It answers the questions the Health and Wellbeing Board asked: is access worse "
        "than England, for whom, and is it recovering; are contracts delivering; and how much "
        "decay do young children have."
    )
    block = blocks.about_chapter(ch.ctx, covers)
    window = tag(
        "section",
        [heading(3, "The dental access window used in this chapter"),
         paragraph(ch.window.description),
         paragraph("Every dental access table and sentence names its window. The chapter never "
                   "sets rates of different windows side by side as if they were one measure: "
                   "the NHS England slide's January-to-June rate, the NHS Dental Statistics "
                   "24-month (adults) and 12-month (children) rates and the GP Patient Survey's "
                   "\"successfully obtained an appointment in the last two years\" are different "
                   "measures.")],
        class_="window-note",
    )
    return block + window


def _access_bullets(ch: OralHealthChapter) -> list[str]:
    lc = ch.latest_comparison
    if lc.empty:
        return [f"No dental access figures for {ch.area} are available "
                f"({ch.extract_sources.get('dental_access', 'no extract')})."]
    out = []
    label = lc["window_label"].iloc[0]
    parts, worse, better = [], [], []
    for _, r in lc.iterrows():
        words = r["plain_comparison"] or "not comparable with"
        parts.append(f"{_age_label(r['age_group']).lower()} {_pct(r['value'])} "
                     f"({words} England's {_pct(r['england_value'])})")
        if r["significance"] == "Worse":
            worse.append(_age_label(r["age_group"]).lower())
        elif r["significance"] == "Better":
            better.append(_age_label(r["age_group"]).lower())
    out.append(f"Dental access rate, {label} (patients seen in the window as a percentage of "
               f"the population): " + "; ".join(parts) + ".")
    if worse or better:
        bits = []
        if worse:
            bits.append(f"significantly lower than England for {join_words(worse)}")
        if better:
            bits.append(f"significantly higher than England for {join_words(better)}")
        out.append(f"Taking chance into account ({_level(ch)} confidence intervals), access in "
                   f"{ch.area} is {' and '.join(bits)}.")
    else:
        out.append(f"None of these differences from England is statistically significant at "
                   f"{_level(ch)} confidence.")
    return out


def _recovery_bullets(ch: OralHealthChapter) -> list[str]:
    c = ch.changes
    area = c[(c["area_code"] == ch.ctx.area_code) & c["change_pct"].notna()]
    if area.empty:
        return [f"The change in access since {da.BASE_YEAR} cannot be given: the extract has "
                f"no {ch.window.label} window ending in {da.BASE_YEAR} for {ch.area}."]
    eng = c[c["area_code"] == ch.ctx.england_code].set_index("age_group")["change_pct"]
    r0 = area.iloc[0]
    parts = []
    below = []
    for _, r in area.iterrows():
        e = eng.get(r["age_group"], np.nan)
        parts.append(f"{_age_label(r['age_group']).lower()} {format_number(r['change_pct'], 2)}% "
                     f"(England {format_number(e, 2)}%)")
        if r["ratio_upper_ci"] < 1:
            below.append(_age_label(r["age_group"]).lower())
    text = (f"Relative change in the access rate from {r0['base_label']} to "
            f"{r0['current_label']}: " + "; ".join(parts) + ".")
    if below:
        text += (f" Access has not recovered to its {r0['base_label']} level for "
                 f"{join_words(below)} (the {_level(ch)} confidence interval of the change is "
                 "entirely below zero).")
    return [text]


def _uda_bullets(ch: OralHealthChapter) -> list[str]:
    s = oh.under_delivered_summary(ch.uda[ch.uda["geography_id"].isin(list(ch.uda_roles))])
    if s.empty:
        return ["No UDA delivery figures for this area or its region are in the extract."]
    out = []
    for _, r in s.iterrows():
        n, k = int(r["months_with_threshold"]), int(r["months_under"])
        months = join_words(r["under_months"]) if k else ""
        tail = f": {months}" if k else ""
        out.append(f"UDA delivery, {r['geography_name']}: {k} of {n} months with a delivery "
                   f"threshold in force were below it{tail}.")
    return out


def _children_bullets(ch: OralHealthChapter) -> list[str]:
    table = ch.ctx.section_summary(_CHILDREN_SECTION)
    if table.empty:
        return []
    labels = list(narrative.indicator_labels(table))
    worse = narrative.significantly_worse_rows(table)
    bottom = narrative.bottom_three_rows(table)
    lab = dict(zip(table[C.KEY], labels, strict=True))
    out = []
    if len(worse):
        out.append(f"{ch.area} is significantly worse than England for "
                   f"{join_words([lab[k] for k in worse[C.KEY]])}.")
    else:
        out.append(f"{ch.area} is not significantly worse than England for any of the "
                   f"{len(table)} children's oral health and oral cancer indicators.")
    if len(bottom):
        out.append(f"{ch.area} is in the bottom three of its similar areas for "
                   f"{join_words([lab[k] for k in bottom[C.KEY]])}.")
    return out


def _trend_bullets(ch: OralHealthChapter) -> list[str]:
    table = ch.ctx.section_summary(_CHILDREN_SECTION)
    if table.empty:
        return []
    lab = dict(zip(table[C.KEY], narrative.indicator_labels(table), strict=True))
    worse = [lab[k] for k in table.loc[table[C.TREND].map(is_getting_worse).astype(bool), C.KEY]]
    better = [lab[k] for k in table.loc[table[C.TREND].map(is_getting_better).astype(bool), C.KEY]]
    out = []
    if worse:
        out.append(f"Getting worse over the latest periods: {join_words(worse)}.")
    if better:
        out.append(f"Getting better over the latest periods: {join_words(better)}.")
    if not worse and not better:
        out.append("No indicator shows a significant improvement or worsening over the latest "
                   "periods (or the trend cannot be calculated).")
    return out


def _groups_bullet(ch: OralHealthChapter) -> str:
    ctx = ch.ctx
    ineq = oh.inequality_rows(ctx.data, ctx.indicators, [ctx.area_code, ctx.england_code])
    if len(ineq):
        names = join_words(list(dict.fromkeys(ineq["indicator"])))
        return (f"The Fingertips data break down {names} by group; see Groups needing targeted "
                "work. The dental access extract has no breakdown by group.")
    return ("Neither the Fingertips data nor the dental access extract has a breakdown by "
            "deprivation or by the groups the board named (children with special educational "
            "needs or an EHCP, children in care, older people and care home residents, armed "
            "forces families), so unmet need by group cannot be measured here; see Groups "
            "needing targeted work.")


def summary(ch: OralHealthChapter) -> Html:
    """Generated answers to the chapter's questions (docs/chapters.md §3.7)."""
    items = [
        tag("li", [tag("strong", "Is access lower than England, and for whom? "),
                   " ".join(_access_bullets(ch))]),
        tag("li", [tag("strong", "Is access recovering? "), " ".join(_recovery_bullets(ch))]),
        tag("li", [tag("strong", "Are dental contracts delivering? "),
                   " ".join(_uda_bullets(ch))]),
        tag("li", [tag("strong", "How much tooth decay do young children have, and is it "
                                 "improving? "),
                   " ".join(_children_bullets(ch) + _trend_bullets(ch))
                   or "No indicators are available."]),
        tag("li", [tag("strong", "Which groups have the greatest unmet need? "),
                   _groups_bullet(ch)]),
    ]
    if ch.is_board_area:
        items.append(tag("li", [
            tag("strong", "What did the board papers say about capacity? "),
            "As NHS England reported in March 2023: one contract in Oakham was handed back; "
            "66% of its activity was placed with four providers within 15 miles on an interim, "
            "non-recurrent basis; there was no uptake in Rutland of the initiatives to increase "
            "access, the main reason appearing to be practice capacity; and the LLR ICB took over dental commissioning from "
            "1 April 2023 (see Contract terminations and Access initiatives).",
        ]))
    # Every chapter stores its indicator summary: the release index counts it and the next
    # release's "changes since the previous release" compares with it.
    return _section("summary", [tag("ul", items, class_="summary"),
                                blocks.summary_download(ch.ctx)])


# ------------------------------------------------------------------------------------------
# Context, services, terminations, initiatives, groups, future (board papers)
# ------------------------------------------------------------------------------------------


def context(ch: OralHealthChapter) -> Html:
    """The OHNA and its context, as the January 2023 minutes record (Rutland only)."""
    if not ch.is_board_area:
        return _section("context", [_not_board_area(ch, "the Oral Health Needs Assessment "
                                                        "discussion")])
    items = [
        "On 24 January 2023 the Health and Wellbeing Board approved publication of the Oral "
        "Health Needs Assessment (OHNA) for the Rutland JSNA and endorsed its recommendations "
        "for the Integrated Delivery Group to consider and progress.",
        "The minutes record that \"the data detailed in the report was from 2021\", so the "
        "then-current problems with access to dental services were not in the report.",
        "They record that \"there was currently no oral health promotion service in Rutland\".",
        "Promotion of good oral health among young children and the elderly, and of fluoride "
        "varnish and toothpaste, had been carried out, \"though the fluoridisation of Rutland's "
        "water was still to be resolved\".",
        "The board asked that dental access issues also be investigated for children with "
        "special or additional needs and for the groups on page 58 of the OHNA.",
        "NHS England's slides record that the Leicester, Leicestershire and Rutland (LLR) "
        "Integrated Care Board would take delegated responsibility for dental services "
        "(primary, secondary and community) from 1 April 2023.",
    ]
    return _section("context", [
        paragraph("As recorded in the board papers (Rutland):"),
        bullet_list(items),
        _attribution(f"{OHNA_MINUTES}; {NHSE_SLIDES}"),
    ])


_SERVICES = (
    "6 NHS General Dental Practices",
    "1 Extended Out of Hours and Unplanned Urgent Care site, providing unscheduled dental care "
    "\"8:8, 365 days of the year\"",
    "20 Community Dental Service sites providing community and specialised services, located "
    "within Leicestershire",
    "Secondary care at University Hospitals of Leicester NHS Trust, with a General Anaesthetic "
    "pathway for children and special-care adults",
    "Orthodontic services: 1 practice in Uppingham and 1 Orthodontic Specialist Pathway "
    "Practice in Oakham",
    "Intermediate Minor Oral Surgery (IMOS): services located within Leicestershire",
)
_CHALLENGES = (
    ("National", "Challenges for NHS dentistry existed before the pandemic"),
    ("National", "Access issues"),
    ("National", "Profession discontent with the current contract"),
    ("Rutland", "Access to services – general and orthodontics"),
    ("Rutland", "Vulnerable groups"),
    ("Rutland", "Contract hand back in Oakham"),
    ("Rutland", "2022/23 contracts at risk of low delivery"),
)


def service_landscape(ch: OralHealthChapter) -> Html:
    """NHS dental services for Rutland and the challenges, as NHS England's slides listed them."""
    if not ch.is_board_area:
        return _section("services", [_not_board_area(ch, "the NHS dental services and "
                                                         "challenges NHS England listed")])
    services = pd.DataFrame({"Service": [s.split(":")[0] if ":" in s else s for s in _SERVICES]})
    challenges = pd.DataFrame(list(_CHALLENGES), columns=["Level", "Challenge (as listed)"])
    return _section("services", [
        paragraph("NHS England's slide \"Location of NHS Dental Services\" listed these "
                  "services for Rutland's residents (March 2023):"),
        bullet_list(_SERVICES),
        paragraph(f"That is {len(services)} kinds of service; the six general dental practices "
                  "and the two orthodontic practices (Uppingham and Oakham) are in or near "
                  "Rutland, while community, secondary and IMOS services are in Leicestershire."),
        frame_table(challenges, caption="Challenges for NHS dentistry as listed by NHS England, "
                                        "March 2023 (national and Rutland)"),
        _attribution(NHSE_SLIDES),
    ])


def contract_terminations(ch: OralHealthChapter) -> Html:
    """The Oakham contract hand-back and its recommissioning (one paragraph, five points)."""
    if not ch.is_board_area:
        return _section("terminations", [_not_board_area(ch, "contract terminations")])
    text = (
        "NHS England reported that \"as at March 2023, there has been one contract hand-back and "
        "termination in Oakham\", and that the dental activity from a terminated contract \"will "
        "not be lost\". The activity was first offered to providers within Rutland, but no "
        "interest was received. A second expression of interest covered providers within a "
        "15-mile radius, and \"four providers were awarded 66% of the activity on an interim "
        "non recurrent basis\" while a full procurement plan was developed. On these figures, "
        "about a third (34%) of the terminated contract's activity had not been placed by March "
        "2023, and the 66% placed was interim and spread over a wider area than Rutland, so "
        "local capacity had not been restored."
    )
    return _section("terminations", [paragraph(text), _attribution(NHSE_SLIDES)])


def initiatives(ch: OralHealthChapter) -> Html:
    """LLR access initiatives as printed, with the IMOS arithmetic checked."""
    if not ch.is_board_area:
        return _section("initiatives", [_not_board_area(ch, "the LLR dental access "
                                                            "initiatives")])
    parts: list[Html | str] = [paragraph(
        "NHS England – Midlands listed these Leicester, Leicestershire and Rutland (LLR) primary "
        "care dental initiatives. The figures are for LLR as a whole, not Rutland alone, and are "
        "printed as on the slides."
    )]
    for init in oh.INITIATIVES:
        frame = pd.DataFrame([[v for _, v in init.figures]], columns=[h for h, _ in init.figures])
        parts.append(heading(3, init.scheme))
        parts.append(paragraph(init.purpose))
        parts.append(frame_table(frame, caption=f"{init.scheme} (as printed)", decimals=None))
        if init.note:
            parts.append(paragraph(init.note))
    checks = oh.initiative_checks()
    shown = checks.assign(
        agrees=["yes" if a is True else ("no" if a is False else "nothing printed to check")
                for a in checks["agrees"].astype("object").where(checks["agrees"].notna(), None)]
    ).rename(columns={"check": "Check", "printed": "As printed", "computed": "Recomputed",
                      "agrees": "Agrees"})
    parts.append(heading(3, "Arithmetic of the printed figures"))
    parts.append(frame_table(shown, caption="The initiative figures recomputed from the printed "
                                            "numbers"))
    ok = checks["agrees"].dropna().all()
    parts.append(paragraph(
        "The printed IMOS reduction (242 patients, 35%) " + (
            "agrees with the printed waiting numbers: 682 − 440 = 242, and 242 / 682 = 35.5%, "
            "printed as 35%." if ok else "does not agree with the printed waiting numbers.")
    ))
    parts.append(paragraph(tag("strong",
        "\"Overall, unfortunately there was no uptake of initiatives to increase access for "
        "patients in Rutland in comparison to other systems in the Midlands region … at present "
        "the main reason appears to be the practice capacity.\"")))
    parts.append(_attribution(NHSE_SLIDES))
    return _section("initiatives", parts)


def targeted_groups(ch: OralHealthChapter) -> Html:
    """Inequalities in the data, and the groups the board named for targeted work."""
    ctx = ch.ctx
    parts: list[Html | str] = [heading(3, "Inequalities in the data")]
    ineq = oh.inequality_rows(ctx.data, ctx.indicators, [ctx.area_code, ctx.england_code])
    if ineq.empty:
        parts.append(paragraph(
            f"Neither the Fingertips data for this chapter's indicators nor the dental access "
            f"extract has a breakdown for {ch.area} by deprivation quintile or by group (children "
            "in care, children with special educational needs and disabilities), so rates for "
            "these groups cannot be shown. The dental access extract template would need a "
            "group column to carry them."
        ))
    else:
        for _key, g in ineq.groupby("key", sort=False):
            frame = g[["area_name", "category_type", "category", "period", "value", "lower_ci",
                       "upper_ci", "count"]].rename(columns={
                "area_name": "Area", "category_type": "Breakdown", "category": "Group",
                "period": "Period", "value": "Value", "lower_ci": "Lower 95% CI",
                "upper_ci": "Upper 95% CI", "count": "Count"})
            parts.append(frame_table(frame, caption=f"{g['indicator'].iloc[0]} by group",
                                     decimals=[None, None, None, None, 1, 1, 1, None],
                                     csv_name=f"oral_health_inequalities_{len(parts)}",
                                     output_dir=ctx.output_dir))
    parts.append(heading(3, "Groups the board named"))
    groups = [
        "Children with special or additional needs"
        + (" (the Strategic Director of Children and Families reported \"approximately 302 "
           "children in Rutland with an Education Health and Care Plan (EHCP)\", with more "
           "children identified as in need or with additional needs)" if ch.is_board_area
           else ""),
        "The groups on page 58 of the Oral Health Needs Assessment (the OHNA is not part of "
        "this package's sources, so they are not listed here)",
        "Older people and care home residents",
        "Armed forces families",
        "Children in care",
    ]
    parts.append(bullet_list(groups))
    if ch.is_board_area:
        parts.append(_attribution(OHNA_MINUTES))
    return _section("groups", parts)


_FUTURE = (
    ("Leicester, Leicestershire and Rutland Oral Health Steering Group",
     "supports the planning and completion of local Oral Health Needs Assessments and the "
     "inclusion of oral health in the JSNA programme"),
    ("Integrated Care Systems",
     "LLR ICB assumed delegated responsibility for dental services (primary, secondary and "
     "community) from 1 April 2023"),
    ("NHS Communications Team",
     "stakeholder briefings on NHS dental services for partners and the public; engagement "
     "with local Healthwatch"),
    ("Consultants in Dental Public Health",
     "strategic leadership in oral health and reducing health inequalities"),
    ("LLR Local Dental Network (LDN) Chair",
     "works with Managed Clinical Networks, the ICS, commissioners and Health Education "
     "England for optimum provision of care"),
    ("Primary Care – Getting it right first time (GIRFT)",
     "finds and shares best practice and reduces unwarranted variation in primary care"),
)


def future_opportunities(ch: OralHealthChapter) -> Html:
    """The actors NHS England named for future work (Rutland's papers)."""
    if not ch.is_board_area:
        return _section("future", [_not_board_area(ch, "the future opportunities NHS England "
                                                       "named")])
    frame = pd.DataFrame(list(_FUTURE), columns=["Who", "Role, as NHS England described it"])
    return _section("future", [
        frame_table(frame, caption="Future opportunities and solutions named by NHS England, "
                                   "March 2023"),
        paragraph("With delegated commissioning from April 2023, the LLR ICB holds the contracts "
                  "whose delivery is shown above; the board asked NHS England to report on "
                  "access to dentistry in Rutland."),
        _attribution(NHSE_SLIDES),
    ])


# ------------------------------------------------------------------------------------------
# Access
# ------------------------------------------------------------------------------------------


def _access_table(ch: OralHealthChapter) -> Html:
    lc = ch.latest_comparison
    label = lc["window_label"].iloc[0]
    changes = ch.changes.set_index(["area_code", "age_group"])
    area_code, eng_code = ch.ctx.area_code, ch.ctx.england_code
    base = ch.changes.loc[ch.changes["base_label"].notna(), "base_label"]
    base_label = base.iloc[0] if len(base) else f"{ch.window.label} {da.BASE_YEAR}"
    level = _level(ch)
    rows = []
    for _, r in lc.iterrows():
        g = r["age_group"]
        a = changes.loc[(area_code, g)] if (area_code, g) in changes.index else None
        e = changes.loc[(eng_code, g)] if (eng_code, g) in changes.index else None
        rows.append({
            "Age group": _age_label(g),
            f"{ch.area} access rate, {label} (%)": r["value"],
            f"{ch.area} {level} CI": _ci(r["lower_ci"], r["upper_ci"]),
            "Patients seen / population": f"{format_count(r['patients_seen'])} / "
                                          f"{format_count(r['population'])}",
            f"England, {label} (%)": r["england_value"],
            f"{ch.area} vs England": r["plain_comparison"] or "not compared",
            f"Significance ({level} CI)": r["significance"],
            f"{ch.area} relative change since {base_label} (%)":
                np.nan if a is None else a["change_pct"],
            f"{ch.area} change {level} CI": "Null" if a is None else _ci(
                a["change_lower_pct"], a["change_upper_pct"]),
            "England relative change (%)": np.nan if e is None else e["change_pct"],
        })
    frame = pd.DataFrame(rows)
    return frame_table(
        frame,
        caption=f"Dental access rate by age group, {label}: {ch.area} and England, and the "
                f"relative change since {base_label} (window: {ch.window.label})",
        decimals=2,
        csv_name="oral_health_dental_access",
        output_dir=ch.ctx.output_dir,
    )


def _access_sentences(ch: OralHealthChapter) -> list[Html]:
    out = []
    eng_changes = ch.changes[ch.changes["area_code"] == ch.ctx.england_code].set_index(
        "age_group")
    area_changes = ch.changes[ch.changes["area_code"] == ch.ctx.area_code].set_index("age_group")
    for _, r in ch.latest_comparison.iterrows():
        g = r["age_group"]
        who = _age_label(g)
        first = narrative.plain_comparison_sentence(
            r["value"], r["england_value"], period=r["window_label"],
            measure="dental access rate", population=who.lower())
        sig = {
            "Better": "significantly higher than England's",
            "Worse": "significantly lower than England's",
            "Similar": "not significantly different from England's",
        }.get(r["significance"], "not compared with England's")
        second = (f" Taking chance into account, the rate ({ch.area} {_pct(r['value'])}, "
                  f"{_level(ch)} CI {_ci(r['lower_ci'], r['upper_ci'])}%) is {sig}.")
        third = ""
        if g in area_changes.index and not is_missing(area_changes.loc[g, "change_pct"]):
            a = area_changes.loc[g]
            e = eng_changes["change_pct"].get(g, np.nan)
            periods = f"{a['base_label']} to {a['current_label']}"
            third = " " + narrative.relative_change_sentence(
                a["change_pct"], e, periods=periods,
                measure="dental access rates", population=who.lower()).html[:-1] + (
                f"; {_level(ch)} CI of {ch.area}'s change {_ci(a['change_lower_pct'], a['change_upper_pct'])}%.")
        elif g in area_changes.index:
            third = f" The relative change cannot be given: {area_changes.loc[g, 'reason']}."
        out.append(tag("p", [Html(first.html), second, Html(third)]))
    return out


def _access_chart(ch: OralHealthChapter) -> Html:
    rates = ch.comparison
    title = (f"Dental access rate ({ch.window.label}) by age group, {ch.area} and England, "
             "with the relative change")
    if rates.empty:
        return no_chart(title, "no access figures are available.")
    latest_end = rates["window_end"].max()
    base = ch.changes[ch.changes["area_code"] == ch.ctx.area_code]
    base_labels = set(base["base_label"].dropna())
    shown = rates[(rates["window_end"] == latest_end) | rates["window_label"].isin(base_labels)]
    windows = list(dict.fromkeys(shown.sort_values("window_end")["window_label"]))
    groups = [g for g in da.AGE_GROUPS if g in set(shown["age_group"])]
    series = [(w, who) for w in windows for who in (ch.area, "England")]
    colours = [AF_DARK_BLUE, "#7FA1C0", AF_ORANGE, "#F9B592"] if len(windows) == 2 else [
        AF_DARK_BLUE, AF_ORANGE]
    data_rows = []
    ch_rows = ch.changes
    has_change = ch_rows["change_pct"].notna().any()
    fig = Figure(11, 5.0)
    ax = fig.add_subplot(1, 2 if has_change else 1, 1)
    x = np.arange(len(groups))
    width = 0.8 / len(series)
    for j, (w, who) in enumerate(series):
        sub = shown[shown["window_label"] == w].set_index("age_group")
        col = "value" if who == ch.area else "england_value"
        lo = "lower_ci" if who == ch.area else "england_lower_ci"
        hi = "upper_ci" if who == ch.area else "england_upper_ci"
        v = np.array([sub[col].get(g, np.nan) for g in groups], dtype=float)
        lo_v = np.array([sub[lo].get(g, np.nan) for g in groups], dtype=float)
        hi_v = np.array([sub[hi].get(g, np.nan) for g in groups], dtype=float)
        pos = x + (j - (len(series) - 1) / 2) * width
        ax.bar(pos, np.nan_to_num(v), width, color=colours[j % len(colours)],
               label=f"{who}, {w}", edgecolor="#000000" if who == ch.area else "none",
               linewidth=0.8)
        ok = ~np.isnan(v) & ~np.isnan(lo_v)
        if ok.any():
            ax.errorbar(pos[ok], v[ok], yerr=[v[ok] - lo_v[ok], hi_v[ok] - v[ok]],
                        ecolor=CI_COLOUR, elinewidth=1, capsize=2)
        for p, val, top in zip(pos, v, hi_v, strict=True):
            y = 0 if np.isnan(val) else (val if np.isnan(top) else top)
            ax.text(p, y, "no data" if np.isnan(val) else format_number(val, 1),
                    ha="center", va="bottom", fontsize=7, rotation=90)
        for g, val, lv, hv in zip(groups, v, lo_v, hi_v, strict=True):
            data_rows.append({"Age group": _age_label(g), "Area": who, "Window": w,
                              "Access rate (%)": val, "Lower CI": lv, "Upper CI": hv})
    ax.set_xticks(x, [_age_label(g).replace(" (", "\n(") for g in groups], fontsize=8)
    ax.set_ylabel(f"% of population seen ({ch.window.label})")
    ax.set_title("Access rate", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    ax.margins(y=0.15)
    ax.grid("y")
    ax.set_axisbelow(True)
    if has_change:
        ax2 = fig.add_subplot(1, 2, 2)
        for j, (code, who, colour) in enumerate(
            ((ch.ctx.area_code, ch.area, AF_DARK_BLUE),
             (ch.ctx.england_code, "England", AF_TURQUOISE))):
            sub = ch_rows[ch_rows["area_code"] == code].set_index("age_group")
            v = np.array([sub["change_pct"].get(g, np.nan) for g in groups], dtype=float)
            lo_v = np.array([sub["change_lower_pct"].get(g, np.nan) for g in groups], float)
            hi_v = np.array([sub["change_upper_pct"].get(g, np.nan) for g in groups], float)
            pos = x + (j - 0.5) * 0.38
            ax2.bar(pos, np.nan_to_num(v), 0.38, color=colour, label=who)
            ok = ~np.isnan(v) & ~np.isnan(lo_v)
            if ok.any():
                ax2.errorbar(pos[ok], v[ok], yerr=[v[ok] - lo_v[ok], hi_v[ok] - v[ok]],
                             ecolor=CI_COLOUR, elinewidth=1, capsize=2)
            for p, val, low in zip(pos, v, lo_v, strict=True):
                y = 0 if np.isnan(val) else (val if np.isnan(low) else min(val, low))
                ax2.text(p, y, "no data" if np.isnan(val) else f"{format_number(val, 1)}%",
                         ha="center", va="top" if y <= 0 else "bottom", fontsize=7)
            for g, val, lv, hv in zip(groups, v, lo_v, hi_v, strict=True):
                data_rows.append({"Age group": _age_label(g), "Area": who,
                                  "Window": "relative change (%)", "Access rate (%)": val,
                                  "Lower CI": lv, "Upper CI": hv})
        ax2.axhline(0, color="#000000", linewidth=0.8)
        ax2.set_xticks(x, [_age_label(g).replace(" (", "\n(") for g in groups], fontsize=8)
        ax2.set_ylabel("relative change in access rate (%)")
        first = base["base_label"].dropna()
        ax2.set_title(f"Relative change since {first.iloc[0] if len(first) else 'base'}",
                      fontsize=10)
        ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
        ax2.margins(y=0.12)
        ax2.grid("y")
        ax2.set_axisbelow(True)
    data = pd.DataFrame(data_rows).rename(columns={"Access rate (%)": "Value (%)"})
    lc = ch.latest_comparison
    alt = (f"Bar charts of the dental access rate ({ch.window.label}) by age group for "
           f"{ch.area} and England. " + " ".join(
               f"{_age_label(r['age_group'])}, {r['window_label']}: {ch.area} "
               f"{_pct(r['value'])}, England {_pct(r['england_value'])}."
               for _, r in lc.iterrows()))
    caption = (f"Patients seen by NHS dental services in the window ({ch.window.label}) as a "
               f"percentage of the population; whiskers are {_level(ch)} confidence intervals "
               "(Wilson for rates; log method for the ratio of two rates behind the relative "
               f"change). Source: {ch.extract_sources.get('dental_access')}.")
    return charts.figure_html(fig, title=title, alt=alt, caption=caption, data=data,
                              data_caption=f"The numbers in the chart: {title}", decimals=2)


def _published_block(ch: OralHealthChapter) -> list[Html | str]:
    """The slide's figures as printed, checked against the rebuild (Rutland only)."""
    if not ch.is_board_area:
        return []
    pub = oh.published_access_figures()
    parts: list[Html | str] = [heading(3, "The figures NHS England presented in March 2023")]
    frame = pd.DataFrame({
        "Area": pub["area_name"],
        "Age group (as printed)": pub["age_group_printed"],
        "Access rate period (as printed)": pub["rate_period"],
        "Access rate (%)": pub["rate_pct"],
        "Relative change period (as printed)": pub["change_period"].str.replace(
            " [as printed]", "", regex=False),
        "Relative change (%)": pub["change_pct"],
    })
    parts.append(frame_table(frame, caption="Dental access as printed on NHS England's slide "
                                            "\"Dental Access – This is Rutland\" (window: "
                                            "January to June, not defined further)", decimals=2))
    notes = [
        "The slide labels the adults' relative change \"from 2019 to 2021 (January to June)\", "
        "while the total population and 0-17 figures are \"from 2019 to 2022\". The adult "
        "figures may therefore compare a different year; they are shown as printed.",
    ]
    for check in oh.published_change_consistency(pub):
        if check.consistent is False:
            notes.append(
                f"{check.area_name}'s printed changes are inconsistent with each other: the total "
                f"population's change ({format_number(check.all_ages, 2)}%) lies outside the "
                f"range of the two age groups' changes ({format_number(check.high, 2)}% and "
                f"{format_number(check.low, 2)}%). For the same pair of periods the whole "
                "population's change is a mix of its age groups' changes, barring a large shift "
                "in population structure, so either the adult figure compares a different year "
                "or one of the figures is wrong. The figures are not corrected here."
            )
        elif check.consistent:
            notes.append(
                f"{check.area_name}'s printed changes are consistent with each other: the total "
                f"population's change ({format_number(check.all_ages, 2)}%) lies between the age "
                f"groups' ({format_number(check.low, 2)}% and {format_number(check.high, 2)}%)."
            )
    parts.append(bullet_list(notes))
    if ch.window.name == "jan-jun" and not ch.comparison.empty:
        cmp = oh.compare_with_published(ch.rates, ch.ctx.area_code, pub,
                                        england_code=ch.ctx.england_code,
                                        confidence=ch.ctx.confidence)
        if len(cmp):
            known = cmp[cmp["agrees"].notna()]
            n_ok = int(known["agrees"].sum())
            parts.append(paragraph(
                f"Rebuilt from the extract for the periods as printed, {n_ok} of the "
                f"{len(cmp)} printed figures are reproduced to two decimal places, "
                f"{len(known) - n_ok} {'differs' if len(known) - n_ok == 1 else 'differ'} and "
                f"{len(cmp) - len(known)} cannot be compared (no window for the printed period "
                "in the extract). The adults' printed change is "
                "rebuilt from January to June 2019 to January to June 2021, as its label says; "
                "the table above gives every age group's change to the latest window."
            ))
            shown = cmp.assign(
                agrees=["yes" if a is True else ("no" if a is False else "no rebuilt value")
                        for a in cmp["agrees"].astype("object").where(cmp["agrees"].notna(),
                                                                        None)],
                age_group=cmp["age_group"].map(_age_label),
            )[["area_name", "age_group", "measure", "printed_period", "printed",
               "rebuilt_period", "rebuilt", "agrees", "note"]].rename(columns={
                   "area_name": "Area", "age_group": "Age group", "measure": "Measure",
                   "printed_period": "Printed period", "printed": "Printed (%)",
                   "rebuilt_period": "Rebuilt period", "rebuilt": "Rebuilt (%)",
                   "agrees": "Agrees to 2 decimal places", "note": "Note"})
            shown["Note"] = shown["Note"].replace("", "none")
            shown["Printed period"] = shown["Printed period"].str.replace(" [as printed]", "",
                                                                          regex=False)
            parts.append(details("Show the printed and rebuilt figures side by side",
                                 frame_table(shown, caption="Printed and rebuilt dental access "
                                             "figures", decimals=2)))
    parts.append(_attribution(NHSE_SLIDES))
    return parts


def _consistency_notes(ch: OralHealthChapter) -> list[str]:
    out = []
    for check in da.changes_consistency(ch.changes):
        if check.consistent is False:
            out.append(
                f"{check.area_name}: the total population's relative change "
                f"({format_number(check.all_ages, 2)}%) lies outside the range of the 0-17 and "
                f"adult changes ({format_number(check.children, 2)}% and "
                f"{format_number(check.adults, 2)}%). That can only happen if the population's age "
                "structure changed a lot between the windows, or if the extract's all-ages and "
                "age-group figures do not describe the same people; check the extract. The "
                "figures are shown as supplied."
            )
    add = da.additivity_check(ch.rates)
    for _, r in add.iterrows():
        what = "patients seen" if r["measure"] == "patients_seen" else "population"
        out.append(
            f"{r['area_name']}, {r['window_label']}: the all-ages {what} "
            f"({format_count(r['all_ages'])}) is not the sum of the 0-17 and 18+ {what} "
            f"({format_count(r['age_groups_sum'])})."
        )
    return out


def _gp_survey(ch: OralHealthChapter) -> list[Html | str]:
    table = ch.ctx.section_summary(_ACCESS_SECTION)
    if table.empty:
        return []
    parts: list[Html | str] = [heading(3, "A different measure: GP Patient Survey, successfully "
                                          "obtained an NHS dental appointment")]
    parts.append(paragraph(
        "This Fingertips indicator is the percentage of adults responding to the GP Patient "
        "Survey who tried to get an NHS dental appointment in the last two years and succeeded. "
        "It is a survey of people who tried, over 24 months, not a count of patients seen, so it "
        "is not comparable with the access rates above."
    ))
    parts.append(indicator_table(table, title=f"{ch.area}: access to NHS dental services (GP "
                                              "Patient Survey)",
                                 csv_name="oral_health_gp_survey", output_dir=ch.ctx.output_dir))
    parts.extend(_indicator_charts_and_words(ch, table, single=True))
    row = table.iloc[0]
    hist = oh.quintile_history(ch.ctx.rows, row[C.KEY], ch.ctx.area_code, ch.ctx.national_codes,
                               england_code=ch.ctx.england_code)
    if len(hist):
        shown = pd.DataFrame({
            "Period": hist["period"],
            f"{ch.area} (%)": hist["value"],
            "England (%)": hist["england"],
            "National quintile": [comparison_text(lab, BASIS_QUINTILES) if lab else "Not compared"
                                  for lab in hist["label"]],
            "Authorities with a value": hist["areas"],
        })
        parts.append(frame_table(
            shown, caption=f"{ch.area}'s national quintile for successfully obtaining an NHS "
                           "dental appointment (GP Patient Survey), by period",
            decimals=[None, 1, 1, None, None], csv_name="oral_health_gp_survey_quintiles",
            output_dir=ch.ctx.output_dir))
    return parts


def access(ch: OralHealthChapter) -> Html:
    """Access to NHS dental services: the rebuilt table, chart, sentences and caveats."""
    parts: list[Html | str] = [paragraph(ch.window.description)]
    if ch.latest_comparison.empty:
        reason = ch.extract_sources.get("dental_access", "no extract was supplied")
        if "dental_access" in ch.extracts:
            reason = (f"the extract has no {ch.window.label} windows for {ch.area} "
                      "(or none for England to compare with)")
        parts.append(paragraph(f"No dental access rates can be shown for {ch.area}: {reason}. "
                               "Fingertips does not publish this measure; supply a local extract "
                               "in the dental_access template."))
    else:
        parts.append(_access_table(ch))
        parts.append(_access_chart(ch))
        parts.extend(_access_sentences(ch))
        notes = _consistency_notes(ch)
        if notes:
            parts.append(heading(3, "Checks on the extract"))
            parts.append(bullet_list(notes))
        parts.append(paragraph(
            "The comparison words (higher than, lower than) compare the values as printed, as "
            "the NHS England slide did; the significance column and sentences add the test of "
            f"whether England's rate lies outside {ch.area}'s {_level(ch)} confidence interval "
            "(Wilson score). The relative change is the ratio of the two windows' rates minus "
            "one, with the log-method confidence interval for a ratio of two proportions."
        ))
    parts.extend(_published_block(ch))
    if ch.is_board_area:
        parts.append(paragraph(
            "NHS England's slides also reported that \"the number of unique patients seen in "
            "last 12 months is currently around 96% of pre-pandemic levels\". That is a "
            "12-month measure, probably for LLR or the Midlands rather than Rutland alone, and "
            "is not comparable with the January-to-June rates."
        ))
    parts.extend(_gp_survey(ch))
    return _section("access", parts)


# ------------------------------------------------------------------------------------------
# UDA delivery
# ------------------------------------------------------------------------------------------


def _uda_chart(ch: OralHealthChapter, g: pd.DataFrame, name: str) -> Html:
    title = (f"Scheduled monthly percentage of usual annual contracted UDAs delivered, scaled up "
             f"to 12 months: {name}")
    if g["pct_delivered"].notna().sum() == 0:
        return no_chart(title, "no months have a delivery figure.")
    x = np.arange(len(g))
    v = g["pct_delivered"].to_numpy(dtype=float)
    t = g["threshold_pct"].to_numpy(dtype=float)
    under = g["under_delivered"].fillna(False).astype(bool).to_numpy()
    fig = Figure(9, 4.0)
    ax = fig.add_subplot()
    ax.plot(x, v, color=AF_DARK_BLUE, marker="o", linewidth=2, label="UDAs delivered (%)")
    if under.any():
        ax.scatter(x[under], v[under], marker="X", s=90, color=AF_ORANGE,
                   edgecolor="#000000", zorder=5, label="Below the threshold in force")
    ax.step(np.append(x, x[-1] + 1) - 0.5, np.append(t, t[-1]), where="post",
            color="#000000", linestyle="--", linewidth=1.5, label="Delivery threshold")
    for xi, val in zip(x, v, strict=True):
        if not np.isnan(val):
            ax.annotate(format_number(val, 0), (xi, val), xytext=(0, 6),
                        ha="center", fontsize=7)
    ax.set_xticks(x, [m[:3] + " " + m[-2:] for m in g["month_label"]], rotation=45,
                  ha="right", fontsize=8)
    ax.set_ylabel("% of annual contract (scaled to 12 months)")
    top = np.nanmax(np.concatenate([v, t[~np.isnan(t)] if (~np.isnan(t)).any() else [0]]))
    ax.set_ylim(0, max(100.0, float(top) * 1.1))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid("y")
    ax.set_axisbelow(True)
    data = pd.DataFrame({
        "Month": g["month_label"].to_numpy(),
        "UDAs delivered, scaled to 12 months (%)": v,
        "Threshold in force (%)": t,
        "Below threshold": ["yes" if u else ("no threshold in force" if np.isnan(th) else "no")
                            for u, th in zip(under, t, strict=True)],
    })
    under_months = g.loc[under, "month_label"].tolist()
    alt = (f"Line chart of monthly UDA delivery for {name} from {g['month_label'].iloc[0]} to "
           f"{g['month_label'].iloc[-1]}, from {format_number(v[0], 1)}% to "
           f"{format_number(v[-1], 1)}%, against a step line of thresholds "
           f"({', '.join(format_number(th, 0) + '%' for th in dict.fromkeys(t[~np.isnan(t)]))}). "
           + (f"Below the threshold in: {', '.join(under_months)}." if under_months
              else "No month was below the threshold in force."))
    caption = ("Each month's UDAs delivered × 12 ÷ the usual annual contracted UDAs; the dashed "
               "step line is the delivery threshold NHS England set for the period; crosses "
               "mark months below it. Source: " + str(ch.extract_sources.get("uda_delivery")))
    return charts.figure_html(fig, title=title, alt=alt, caption=caption, data=data,
                              data_caption=f"The numbers in the chart: {title}", decimals=1)


def uda_delivery(ch: OralHealthChapter) -> Html:
    """Monthly UDA delivery against the thresholds in force, under-delivered months in words."""
    th = ch.thresholds
    th_frame = pd.DataFrame({
        "Period": [window_label(s, e) for s, e in zip(th["period_start"], th["period_end"],
                                                    strict=True)],
        "Printed as": th["period_as_printed"],
        "Threshold (%)": th["threshold_pct"],
    })
    parts: list[Html | str] = [
        paragraph("A unit of dental activity (UDA) measures the work in an NHS dental contract. "
                  "During the pandemic recovery NHS England set minimum delivery thresholds: the "
                  "percentage of the usual annual contracted UDAs a contract had to deliver, "
                  "with each month's delivery scaled up to 12 months. A month counts as "
                  "under-delivered when its scaled-up percentage is below the threshold in "
                  "force."),
        frame_table(th_frame, caption="UDA delivery thresholds in force (NHS England, as printed "
                                      "on the March 2023 slides; years of Oct-Dec and Jan-Mar "
                                      "inferred from the sequence)", decimals=0),
    ]
    d = ch.uda
    roles = ch.uda_roles
    if d.empty:
        parts.append(paragraph(
            f"No UDA delivery figures are available "
            f"({ch.extract_sources.get('uda_delivery', 'no extract was supplied')})."))
    elif not roles:
        names = join_words(sorted(set(d["geography_name"])))
        parts.append(paragraph(
            f"The UDA delivery extract has no rows for {ch.area}'s contracts or its region; it "
            f"covers {names}. Those figures are not shown for {ch.area}. Give the geography ids "
            "to show (uda_geographies) or add the area's contracts to the extract."
        ))
    else:
        role_words = {"area": f"{ch.area}'s contracts", "region": "the region",
                      "requested": "a geography chosen for this build",
                      "extract": "as named in the extract"}
        if set(roles.values()) == {"extract"}:
            parts.append(paragraph(
                f"The extract has no rows for {ch.area}'s own contracts or its region; it gives "
                f"{join_words(sorted(set(d['geography_name'])))}, which serve {ch.area} among "
                "other areas. They are shown as the extract names them."))
        for gid, role in roles.items():
            g = d[d["geography_id"] == gid].reset_index(drop=True)
            name = g["geography_name"].iloc[0]
            parts.append(heading(3, f"{name} ({role_words[role]})"))
            parts.append(_uda_chart(ch, g, name))
            s = oh.under_delivered_summary(g).iloc[0]
            k, n = int(s["months_under"]), int(s["months_with_threshold"])
            if k:
                text = (f"In {name}, {number_word(k)} of the {n} months with a threshold in force "
                        f"were under-delivered: {join_words(s['under_months'])}. The largest "
                        f"shortfall was {format_number(s['largest_shortfall_pct_points'], 1)} "
                        "percentage points below the threshold.")
            else:
                text = (f"In {name}, no month with a threshold in force was under-delivered "
                        f"({n} months).")
            outside = len(g) - n
            if outside:
                text += (f" {number_word(outside, capitalise=True)} month"
                         f"{'s' if outside != 1 else ''} fall outside the threshold periods and "
                         "are not judged.")
            parts.append(paragraph(text))
            table = g[["month_label", "pct_delivered", "threshold_pct", "under_delivered"]].copy()
            table["under_delivered"] = [
                "yes" if u is True else ("no threshold in force" if u is pd.NA or u is None
                                         else "no")
                for u in g["under_delivered"].astype("object").where(
                    g["under_delivered"].notna(), None)]
            parts.append(details(
                "Show the monthly figures",
                frame_table(table.rename(columns={
                    "month_label": "Month", "pct_delivered": "Delivered, scaled to 12 months (%)",
                    "threshold_pct": "Threshold in force (%)",
                    "under_delivered": "Under-delivered"}),
                    caption=f"Monthly UDA delivery against the threshold: {name}",
                    csv_name=f"oral_health_uda_{gid}", output_dir=ch.ctx.output_dir)))
    if ch.is_board_area:
        parts.append(paragraph(
            "NHS England's two charts covered \"the 1206 GDS/PDS/PDS+ contracts\" and \"the 141 "
            "GDS/PDS/PDS+ contracts\" without naming the geographies (probably the Midlands "
            "region and LLR), and listed \"2022/23 contracts at risk of low delivery\" among "
            "Rutland's challenges, with recruitment and the care needs of higher-needs "
            "patients affecting delivery."
        ))
        parts.append(_attribution(NHSE_SLIDES))
    return _section("uda", parts)


# ------------------------------------------------------------------------------------------
# Fingertips indicators (children's oral health, oral cancer, GP survey)
# ------------------------------------------------------------------------------------------


def _measure(row: pd.Series) -> str:
    name = str(row[C.INDICATOR])
    low = name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name
    if low.startswith(("percentage", "proportion", "mortality rate", "rate")):
        return low
    vt = str(row[C.VALUE_TYPE])
    if vt in (ValueType.CRUDE_RATE.value, ValueType.DSR.value):
        return f"rate of {low}"
    if vt == ValueType.MEAN.value:
        return f"mean {low}"
    return f"value for {low}"


def _trend_sentence(ch: OralHealthChapter, row: pd.Series) -> str:
    parts = []
    if not is_missing(row[C.PREVIOUS_VALUE]) and not is_missing(row[C.VALUE]):
        unit = "%" if row[C.UNIT] == "%" else f" {row[C.UNIT]}"
        parts.append(f"In {row[C.PREVIOUS_PERIOD]} the value for {ch.area} was "
                     f"{format_number(row[C.PREVIOUS_VALUE])}{unit}.")
    trend = str(row[C.TREND])
    if trend == "Cannot be calculated":
        reason = row[C.TREND_REASON]
        parts.append("The direction of travel cannot be calculated"
                     + (f" ({str(reason).lower()})." if not is_missing(reason) else "."))
    else:
        parts.append(f"Direction of travel over the latest periods: {trend}.")
    return " ".join(parts)


def _indicator_charts_and_words(ch: OralHealthChapter, table: pd.DataFrame,
                                *, single: bool = False) -> list[Html | str]:
    ctx = ch.ctx
    labels = list(narrative.indicator_labels(table)) if len(table) else []
    parts: list[Html | str] = []
    for (_, row), label in zip(table.iterrows(), labels, strict=True):
        if not single:
            parts.append(heading(3, label))
        period = row[C.PERIOD] if not is_missing(row[C.PERIOD]) else "latest period"
        if is_missing(row[C.PERIOD]):
            parts.append(no_chart(f"{label}: charts",
                                  f"there are no data for this indicator "
                                  f"({row[C.MISSING_REASON] or 'reason not recorded'})."))
        else:
            values = comparator_values(ctx.rows, row[C.KEY], ctx.group_codes, ctx.area_names,
                                       england_code=ctx.england_code)
            parts.append(charts.neighbour_chart(
                values, area_code=ctx.area_code, indicator=label, period=period,
                unit=row[C.UNIT], england=row[C.ENGLAND],
                title=f"{label}: {ctx.area_name} and similar areas, {period}",
                ci_label=ci_percent(row[C.CI_LEVEL])))
            area = trend_series(ctx.rows, row[C.KEY], ctx.area_code)
            england = trend_series(ctx.rows, row[C.KEY], ctx.england_code)
            parts.append(charts.trend_chart(
                area, area_name=ctx.area_name, indicator=label, unit=row[C.UNIT],
                england=england[["period", "value"]] if len(england) else None,
                title=f"{label}: {ctx.area_name} and England over time",
                ci_label=ci_percent(row[C.CI_LEVEL])))
        if single:
            bullets = narrative.single_indicator_bullets(
                table, ctx.area_name, "access to NHS dental services",
                measures={row[C.KEY]: "percentage of adults who successfully obtained an NHS "
                                      "dental appointment in the last two years"})
            parts.append(Html("".join(f"<p>{b.html}</p>" for b in bullets)))
        else:
            sentence = narrative.england_comparison_sentence(
                row, ctx.area_name, verb="had", measure=_measure(row),
                comparators="similar areas")
            parts.append(tag("p", [Html(sentence.html), " ",
                                   _trend_sentence(ch, row) if not is_missing(row[C.VALUE])
                                   else ""]))
    return parts


def children(ch: OralHealthChapter) -> Html:
    """Children's oral health and oral cancer: table, then per indicator charts and words."""
    ctx = ch.ctx
    table = ctx.section_summary(_CHILDREN_SECTION)
    parts: list[Html | str] = []
    if table.empty:
        parts.append(paragraph("No children's oral health indicators are in the catalogue."))
        return _section("children", parts)
    parts.append(heading(3, "Performance Summary"))
    parts.append(Html(narrative.performance_summary(
        table, ctx.area_name, "the children's oral health and oral cancer section").html))
    if ch.is_board_area:
        parts.append(paragraph(
            "The board's March 2023 Outcomes Summary Report gave Rutland's percentage of 5 year "
            "olds with experience of visually obvious dental decay as 25.3% in 2018/19, ranked "
            "10th of 11 similar areas (England 23.4%), in the bottom three."
        ))
    parts.append(indicator_table(
        table, title=f"{ctx.area_name}: children's oral health and oral cancer indicators",
        csv_name="oral_health_children", output_dir=ctx.output_dir))
    parts.append(comparison_legend())
    parts.append(trend_legend())
    parts.append(tag("p", "Source: OHID Fingertips (oral health indicators).",
                     class_="source-note"))
    parts.extend(_indicator_charts_and_words(ch, table))
    return _section("children", parts)


# ------------------------------------------------------------------------------------------
# Closing sections
# ------------------------------------------------------------------------------------------


def changes(ch: OralHealthChapter) -> Html:
    """Changes since the previous release (Fingertips indicators)."""
    return blocks.changes_section(ch.ctx)


def data_notes(ch: OralHealthChapter) -> Html:
    """Missing values, suppression, small numbers and the definitions of this chapter."""
    w = ch.window
    return blocks.data_notes_section(ch.ctx, definitions=[
        f"Dental access rate (this chapter's window, \"{w.label}\"): {w.description}",
        "Confidence intervals of access rates are Wilson score intervals; the relative change "
        "is the ratio of two rates minus one, with the log-method (Katz) interval for a ratio "
        "of two proportions, treating the two windows as independent.",
        "UDA: unit of dental activity. Monthly delivery is scaled up to 12 months and compared "
        "with the threshold NHS England set for the period; below it, the month is "
        "under-delivered.",
        "The GP Patient Survey indicator (successfully obtained an NHS dental appointment in "
        "the last two years) is placed in national quintiles of all upper-tier authorities.",
        "Statements from the board papers of March 2023 are attributed to them and describe "
        "the position at that time.",
    ])


def appendix(ch: OralHealthChapter) -> Html:
    """The comparator areas by name and ONS code."""
    return blocks.comparators_appendix(ch.ctx, _HEADINGS["appendix"], anchor="appendix")
