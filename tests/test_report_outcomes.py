"""The outcomes chapter's blocks on a small synthetic store (no demo generator needed)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import columns as C
from rutland_jsna.chapter.context import LoadedStore, SourceInfo, load_chapter
from rutland_jsna.data import columns as T
from rutland_jsna.data.areas import cipfa_neighbours, upper_tier_areas
from rutland_jsna.data.catalogue import chapter_indicators, format_period
from rutland_jsna.report import outcomes

RUTLAND = "E06000017"
CAMBS = "E10000003"
ENGLAND = "E92000001"


def synthetic_tidy(seed: int = 7, years: range = range(2016, 2022)) -> pd.DataFrame:
    """Every outcomes indicator with an id, for all UTLAs and England, six periods."""
    rng = np.random.default_rng(seed)
    areas = [(a.code, a.name) for a in upper_tier_areas()] + [(ENGLAND, "England")]
    records = []
    seen = set()
    for ind in chapter_indicators("outcomes", with_id_only=True):
        if (ind.fingertips_id, ind.sex, ind.age) in seen:
            continue
        seen.add((ind.fingertips_id, ind.sex, ind.age))
        ptype = ind.period_type
        rng_label = ind.extra.get("time_period_range") or "1y"
        base = float(rng.uniform(20, 80))
        for code, name in areas:
            level = base * float(rng.uniform(0.7, 1.3))
            slope = float(rng.normal(0, 0.03))
            for k, year in enumerate(years):
                v = level * (1 + slope * k)
                count = float(rng.integers(3, 400))
                half = v * 0.08
                records.append({
                    T.INDICATOR_ID: ind.fingertips_id, T.INDICATOR_NAME: ind.name,
                    T.PARENT_CODE: ENGLAND, T.PARENT_NAME: "England", T.AREA_CODE: code,
                    T.AREA_NAME: name,
                    T.AREA_TYPE: "England" if code == ENGLAND else "Counties & UAs (from Apr 2023)",
                    T.SEX: ind.sex, T.AGE: ind.age, T.CATEGORY_TYPE: None, T.CATEGORY: None,
                    T.TIME_PERIOD: format_period(ptype, year), T.VALUE: v,
                    T.LOWER_CI_95: v - half, T.UPPER_CI_95: v + half,
                    T.LOWER_CI_99_8: v - 1.6 * half, T.UPPER_CI_99_8: v + 1.6 * half,
                    T.COUNT: count, T.DENOMINATOR: count * 100 / v, T.VALUE_NOTE: None,
                    T.RECENT_TREND: None, T.COMPARED_TO_ENGLAND: None,
                    T.COMPARED_TO_PARENT: None, T.TIME_PERIOD_SORTABLE: year * 10000,
                    T.NEW_DATA: None, T.COMPARED_TO_GOAL: None, T.TIME_PERIOD_RANGE: rng_label,
                })
    df = pd.DataFrame.from_records(records, columns=list(T.TIDY_COLUMNS))
    return df


COVID = {
    "covid_vaccination": pd.DataFrame({
        "area_code": [RUTLAND] * 3 + [ENGLAND] * 3, "area_name": ["Rutland"] * 3 + ["England"] * 3,
        "age_group": "12+", "dose": ["Dose 1", "Dose 2", "Booster/Dose 3"] * 2,
        "date": "2023-03-02", "vaccinated": 1, "population": 1,
        "uptake_pct": [90.8, 86.9, 80.4, 92.1, 88.0, 71.2],
    }),
    "covid_deaths_by_place": pd.DataFrame({
        "area_code": RUTLAND, "area_name": "Rutland",
        "place_of_death": ["Hospital", "Care home", "Other"], "deaths": [57, 43, 10],
        "as_of_year": 2023, "as_of_week": 7,
    }),
    "covid_excess_deaths": pd.DataFrame({
        "area_code": RUTLAND, "area_name": "Rutland", "iso_year": [2020, 2021, 2023],
        "iso_week": [12, 30, 7], "week_start": "x", "observed_deaths": [600, 600, 62],
        "expected_deaths": [500, 500, 119], "baseline": "2015-19",
    }),
}


@pytest.fixture(scope="module")
def store() -> LoadedStore:
    info = SourceInfo("demo", "synthetic test store", True, "ab" * 32, "2026-01-02T03:04:05")
    neighbours = pd.DataFrame({
        "area_code": [CAMBS] * 5,
        "neighbour_code": ["E10000015", "E10000020", "E10000024", "E10000032", "E10000034"],
        "position": [1, 2, 3, 4, 5],
    })
    return LoadedStore(synthetic_tidy(), info, neighbours, COVID)


@pytest.fixture(scope="module")
def ctx(store, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    return load_chapter("outcomes", RUTLAND, store=store, release="2026-Q1",
                        output_dir=root / "2026-Q1", reports_root=root,
                        build_date=date(2026, 3, 1))


def test_context(ctx):
    assert ctx.area_name == "Rutland"
    assert ctx.comparators.codes == tuple(a.code for a in cipfa_neighbours(RUTLAND))
    assert len(ctx.summary) == len(chapter_indicators("outcomes"))
    assert list(ctx.summary.columns) == list(C.SUMMARY_COLUMNS)


def test_title_block_banner_and_provenance(ctx):
    html = outcomes.title_block(ctx).markup
    assert "Demonstration data — not official statistics" in html
    assert "<h1>Joint Health and Wellbeing Strategy 2022-2025: Outcomes Summary Report</h1>" in html
    for text in ("Rutland", "E06000017", "2026-Q1", "2026-03-01", "abab", "2026-01-02",
                 "March 2026", 'href="#p1"', 'href="#appendix-1"'):
        assert text in html, text


def test_purpose_and_about(ctx):
    purpose = unescape(outcomes.purpose(ctx).markup)
    assert "updated on a quarterly basis" in purpose and "A RAG rating of 'green'" in purpose
    about = outcomes.about(ctx).markup
    assert "Bedford" in about and "Better" in about and "Cannot be calculated" in about


def test_priority_section(ctx):
    html = outcomes.priority(ctx, "P1").markup
    assert '<h2 id="p1">Priority 1: Enabling the best start in life</h2>' in html
    assert "Performance Summary" in html
    assert "Rutland Joint Health and Wellbeing Strategy - Priority 1: The best start for life" in html
    assert "Download this table (CSV)" in html and (ctx.output_dir / "outcomes_p1.csv").is_file()
    assert outcomes.SOURCE_FOOTER in html
    assert "Statistical Significance compared to England or Benchmark" in html
    assert "<svg" in html  # spine chart at least
    assert "no verified Fingertips indicator id" in html  # HPV rows have no id


def test_every_section_renders_without_nan(ctx):
    parts = [outcomes.title_block(ctx), outcomes.purpose(ctx), outcomes.about(ctx),
             outcomes.overview(ctx)]
    parts += [outcomes.priority(ctx, code) for code in outcomes.PRIORITY_SECTIONS]
    parts += [outcomes.covid_recovery(ctx), outcomes.changes(ctx), outcomes.data_notes(ctx),
              outcomes.appendix(ctx)]
    html = "".join(p.markup for p in parts)
    text = re.sub(r'(src|href)="data:[^"]*"', "", html)
    text = re.sub(r"<[^>]+>", " ", text)
    for bad in (r"\bnan\b", r"\bNone\b", r"<NA>", "Traceback", r"\bmilitary\b"):
        found = re.search(bad, text)
        assert not found, (bad, text[max(0, found.start() - 300):found.end() + 100])
    assert "military" not in html.lower()
    ids = re.findall(r'<h([1-6])', html)
    levels = [int(i) for i in ids]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_covid_recovery(ctx):
    html = unescape(outcomes.covid_recovery(ctx).markup)
    assert "As of week 7 in 2023, there have been a total of 110 Covid-19 deaths in Rutland." in html
    assert "57 (51.8%) were in a hospital setting and 43 (39.1%) were in a care home setting" in html
    assert "an excess of 143 deaths" in html and "1,262" in html and "1,119" in html
    assert "confidence interval" in html
    assert "higher than England for booster/dose 3 for those aged 12 and over, as of 2 March 2023" in html


def test_covid_absent_is_said_in_words(store):
    bare = LoadedStore(store.data, store.info, store.neighbours, {})
    c = load_chapter("outcomes", RUTLAND, store=bare, release="x")
    html = outcomes.covid_recovery(c).markup
    assert "not part of this data source" in html and "<svg" not in html


def test_other_area_changes_names_and_neighbours(store):
    c = load_chapter("outcomes", CAMBS, store=store, release="x")
    assert c.area_name == "Cambridgeshire"
    assert c.comparators.codes[0] == "E10000015"
    html = outcomes.title_block(c).markup + outcomes.appendix(c).markup
    assert "Cambridgeshire" in html and "E10000015" in html
    p4 = outcomes.priority(c, "P4").markup
    assert "all Cambridgeshire residents" in p4 and "Rutland" not in p4


def test_changes_since_previous_release(store, tmp_path):
    first = tmp_path / "2026-Q1"
    c1 = load_chapter("outcomes", RUTLAND, store=store, release="2026-Q1", output_dir=first,
                      reports_root=tmp_path)
    outcomes.overview(c1)  # writes outcomes_summary.csv
    assert (first / "outcomes_summary.csv").is_file()
    assert "first release" in outcomes.changes(c1).markup
    changed = store.data.copy()
    mask = (changed[T.AREA_CODE] == RUTLAND) & (changed[T.INDICATOR_ID] == 20101)
    changed.loc[mask, T.VALUE] = changed.loc[mask, T.VALUE] + 0.5
    later = LoadedStore(changed, store.info, store.neighbours, store.local_tables)
    c2 = load_chapter("outcomes", RUTLAND, store=later, release="2026-Q2",
                      output_dir=tmp_path / "2026-Q2", reports_root=tmp_path)
    html = outcomes.changes(c2).markup
    assert "Compared with release 2026-Q1" in html and "Low birth weight" in html


def test_p4_dental_trend_drawn_over_national_quintiles(ctx):
    html = outcomes.priority(ctx, "P4").markup
    assert "with national quintiles" in html
    assert re.search(r"Shaded bands show the national quintiles of upper-tier authorities; in "
                     r"\S+ Rutland is in the (best|better|middle|worse|worst) quintile", html)
    assert "Quintile bound 20%" in html


def test_place_of_death_chart_in_p6(ctx):
    html = outcomes.priority(ctx, "P6").markup
    assert "Place of death in Rutland and England" in html
    # A stacked bar of the places (chapters.md §1.8, P6); a place without data is named, and the
    # remainder of 100% is not invented for a bar with a place missing.
    assert "Stacked bar chart of home, care home, hospital" in html
    assert re.search(r"Rutland: Home [0-9.]+, Care home no data, Hospital [0-9.]+, Elsewhere "
                     r"\(hospice and other places\) no data", html)
