"""The sexual health chapter: analysis tables and report blocks on a small synthetic store.

Expected ranks of the 2015 appendix are the printed ones (``tests/data/published``, copies of
``shared/reference/published``; provenance in tests/data/README.md), never recomputed by this
package. The synthetic store only has to be consistent (CIs from ``stats``); the values it
holds are made up and every expectation about them is derived from the constructed numbers.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import sexual_health as A
from rutland_jsna.analysis.summary import NO_ID, SUPPRESSED_REASON, prepare_rows
from rutland_jsna.chapter.context import LoadedStore, SourceInfo
from rutland_jsna.data import columns as T
from rutland_jsna.data.areas import sexual_health_comparators, upper_tier_areas
from rutland_jsna.data.catalogue import chapter_indicators, format_period, get_indicator
from rutland_jsna.report import sexual_health as S
from rutland_jsna.stats import Polarity, proportion_ci, rate_ci

DATA = Path(__file__).parent / "data" / "published"
RUTLAND = "E06000017"
ENGLAND = "E92000001"
WEST_BERKS = "E06000037"
COMPARATORS = [a.code for a in sexual_health_comparators()]
K = "sexual_health."
STI = K + "sti.all_new_sti_excl_chlamydia_under25"
SCREENED = K + "chlamydia.chlamydia_screened_15_24_persons"
DETECT = K + "chlamydia.chlamydia_detection_15_24_persons"
DETECT_F = K + "chlamydia.chlamydia_detection_15_24_female"
DETECT_M = K + "chlamydia.chlamydia_detection_15_24_male"
LATE = K + "hiv.hiv_late_diagnosis"
U18 = K + "teenage_pregnancy.under18_conception_rate"
U18_ABORTION = K + "teenage_pregnancy.under18_conceptions_abortion"
OFFENCES = K + "sexual_abuse.sexual_offences_rate"


# ------------------------------------------------------------------------------------------
# A synthetic store: every sexual-health indicator with an id, all UTLAs and England
# ------------------------------------------------------------------------------------------


def synthetic_store(seed: int = 11, years: range = range(2014, 2023)) -> pd.DataFrame:
    """Counts and denominators drawn at random; values and CIs from ``stats``."""
    rng = np.random.default_rng(seed)
    areas = [(a.code, a.name) for a in upper_tier_areas()] + [(ENGLAND, "England")]
    n_areas, n_years = len(areas), len(years)
    parts = []
    seen = set()
    for ind in chapter_indicators("sexual_health", with_id_only=True):
        series = (ind.fingertips_id, ind.sex, ind.age)
        if series in seen:
            continue
        seen.add(series)
        three = ind.extra.get("time_period_range") == "3y"
        proportion = str(ind.value_type) == "proportion"
        pop = rng.uniform(20_000, 400_000, n_areas)
        pop[[i for i, (c, _) in enumerate(areas) if c == RUTLAND]] = 6_000.0
        pop[-1] = 40_000_000.0
        rate = (0.25 if proportion else 0.004) * rng.uniform(0.6, 1.4, n_areas)
        den = np.repeat(pop / (40 if proportion else 1), n_years)
        growth = np.tile(1 + 0.02 * np.arange(n_years), n_areas)
        count = np.round(np.repeat(rate, n_years) * growth * den)
        if proportion:
            ci95 = proportion_ci(count, den)
            ci998 = proportion_ci(count, den, confidence=0.998)
        else:
            ci95 = rate_ci(count, den, multiplier=ind.multiplier)
            ci998 = rate_ci(count, den, confidence=0.998, multiplier=ind.multiplier)
        year = np.tile(np.array(list(years)), n_areas)
        period = [
            f"{y - 2} - {str(y)[2:]}" if three else format_period(ind.period_type, int(y))
            for y in year
        ]
        codes = np.repeat([c for c, _ in areas], n_years)
        parts.append(pd.DataFrame({
            T.INDICATOR_ID: ind.fingertips_id, T.INDICATOR_NAME: ind.name,
            T.PARENT_CODE: ENGLAND, T.PARENT_NAME: "England", T.AREA_CODE: codes,
            T.AREA_NAME: np.repeat([n for _, n in areas], n_years),
            T.AREA_TYPE: np.where(codes == ENGLAND, "England", "Counties & UAs (from Apr 2023)"),
            T.SEX: ind.sex, T.AGE: ind.age, T.CATEGORY_TYPE: None, T.CATEGORY: None,
            T.TIME_PERIOD: period, T.VALUE: ci95["value"].to_numpy(),
            T.LOWER_CI_95: ci95["lower_ci"].to_numpy(), T.UPPER_CI_95: ci95["upper_ci"].to_numpy(),
            T.LOWER_CI_99_8: ci998["lower_ci"].to_numpy(),
            T.UPPER_CI_99_8: ci998["upper_ci"].to_numpy(),
            T.COUNT: count, T.DENOMINATOR: den, T.VALUE_NOTE: None, T.RECENT_TREND: None,
            T.COMPARED_TO_ENGLAND: None, T.COMPARED_TO_PARENT: None,
            T.TIME_PERIOD_SORTABLE: year * 10000, T.NEW_DATA: None, T.COMPARED_TO_GOAL: None,
            T.TIME_PERIOD_RANGE: "3y" if three else "1y",
        }))
    return pd.concat(parts, ignore_index=True)[list(T.TIDY_COLUMNS)]


def _mask(df: pd.DataFrame, key: str, code: str, period: str | None = None) -> pd.Series:
    ind = get_indicator(key)
    m = (df[T.INDICATOR_ID] == ind.fingertips_id) & (df[T.SEX] == ind.sex) & (
        df[T.AGE] == ind.age) & (df[T.AREA_CODE] == code)
    if period is not None:
        m &= df[T.TIME_PERIOD] == period
    return m


def set_value(df: pd.DataFrame, key: str, code: str, period: str, value: float,
              count: float | None = None, half: float = 1.0) -> None:
    m = _mask(df, key, code, period)
    assert m.sum() == 1
    df.loc[m, [T.VALUE, T.LOWER_CI_95, T.UPPER_CI_95, T.LOWER_CI_99_8, T.UPPER_CI_99_8]] = [
        value, value - half, value + half, value - 2 * half, value + 2 * half]
    if count is not None:
        df.loc[m, T.COUNT] = count


def suppress(df: pd.DataFrame, key: str, code: str, period: str) -> None:
    m = _mask(df, key, code, period)
    assert m.sum() == 1
    df.loc[m, [T.VALUE, T.LOWER_CI_95, T.UPPER_CI_95, T.LOWER_CI_99_8, T.UPPER_CI_99_8,
               T.COUNT]] = np.nan
    df.loc[m, T.VALUE_NOTE] = "Value suppressed for disclosure control due to small count"


@pytest.fixture(scope="module")
def base_store() -> pd.DataFrame:
    return synthetic_store()


@pytest.fixture(scope="module")
def store(base_store) -> pd.DataFrame:
    """The synthetic store with the cases the tests look for planted in it."""
    df = base_store.copy()
    # HIV late diagnosis: Rutland suppressed in the latest period (never ranked).
    suppress(df, LATE, RUTLAND, "2020 - 22")
    # Under-18 conceptions: Rutland ties with West Berkshire (ties share the lowest rank).
    for code in (RUTLAND, WEST_BERKS):
        set_value(df, U18, code, "2022", 3.0, count=12)
    # Chlamydia detection by sex: male count 3 (primary), female protected (secondary).
    set_value(df, DETECT_M, RUTLAND, "2022", 100.0, count=3, half=80.0)
    return df


@pytest.fixture(scope="module")
def rows(store) -> pd.DataFrame:
    return prepare_rows(store, chapter_indicators("sexual_health"))


@pytest.fixture(scope="module")
def ranking(rows) -> pd.DataFrame:
    return A.comparator_ranking(rows, chapter_indicators("sexual_health"), RUTLAND, COMPARATORS)


# ------------------------------------------------------------------------------------------
# Polarity
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "appendix", "fingertips"),
    [
        (DETECT, Polarity.HIGH_IS_GOOD, Polarity.NOT_APPLICABLE),
        (OFFENCES, Polarity.LOW_IS_GOOD, Polarity.NOT_APPLICABLE),
        (U18_ABORTION, Polarity.LOW_IS_GOOD, Polarity.NOT_APPLICABLE),
        (STI, Polarity.LOW_IS_GOOD, Polarity.LOW_IS_GOOD),
        (DETECT_F, Polarity.NOT_APPLICABLE, Polarity.NOT_APPLICABLE),  # not in the appendix
    ],
)
def test_ranking_polarity_appendix_or_fingertips(key, appendix, fingertips):
    ind = get_indicator(key)
    assert A.ranking_polarity(ind, "appendix")[0] is appendix
    assert A.ranking_polarity(ind, "fingertips") == (fingertips, "current Fingertips")


def test_ranking_polarity_names_the_source_and_rejects_unknown_choices():
    assert A.ranking_polarity(get_indicator(DETECT))[1] == "2015 appendix"
    assert A.ranking_polarity(get_indicator(DETECT_F))[1] == "current Fingertips"
    with pytest.raises(ValueError, match="polarity: expected 'appendix' or 'fingertips'"):
        A.ranking_polarity(get_indicator(DETECT), "2015")


# ------------------------------------------------------------------------------------------
# Comparator table
# ------------------------------------------------------------------------------------------


def test_comparator_ranking_shape_and_order(ranking):
    inds = chapter_indicators("sexual_health")
    assert list(ranking.columns) == list(A.COMPARATOR_RANKING_COLUMNS)
    assert len(ranking) == len(inds) * 11
    assert ranking["key"].drop_duplicates().tolist() == [i.key for i in inds]
    first = ranking.drop_duplicates("key")
    assert (first["area_code"] == RUTLAND).all() and first["is_subject"].all()
    assert ranking.loc[ranking["key"] == STI, "area_code"].tolist() == [RUTLAND, *COMPARATORS]


def test_comparator_ranking_every_indicator_without_an_id_is_listed_as_no_data(ranking):
    no_id = [i.key for i in chapter_indicators("sexual_health") if not i.has_data_id]
    assert len(no_id) == 11
    got = ranking[ranking["key"].isin(no_id)]
    assert (got["missing_reason"] == NO_ID).all()
    assert got["value"].isna().all() and got["rank"].isna().all()
    assert (got["n_ranked"] == 0).all()


def test_comparator_ranking_ranks_by_polarity_with_rank_1_best(ranking):
    sti = ranking[ranking["key"] == STI].set_index("area_code")
    expected = sti["value"].rank(method="min", ascending=True).astype(int)  # low is good
    assert (sti["rank"].astype(int) == expected).all()
    assert (sti["n_ranked"] == 11).all()
    det = ranking[ranking["key"] == DETECT].set_index("area_code")  # 2015 polarity H
    expected = det["value"].rank(method="min", ascending=False).astype(int)
    assert (det["rank"].astype(int) == expected).all()
    assert set(det["polarity_source"]) == {"2015 appendix"}


def test_comparator_ranking_fingertips_polarity_ranks_detection_lowest_first(rows):
    r = A.comparator_ranking(rows, [get_indicator(DETECT)], RUTLAND, COMPARATORS,
                             polarity="fingertips").set_index("area_code")
    expected = r["value"].rank(method="min", ascending=True).astype(int)
    assert (r["rank"].astype(int) == expected).all()
    assert set(r["polarity"]) == {"Not applicable"}
    with pytest.raises(ValueError, match="polarity: expected"):
        A.comparator_ranking(rows, [get_indicator(DETECT)], RUTLAND, COMPARATORS, polarity="H")


def test_comparator_ranking_ties_share_the_lowest_rank(ranking):
    u18 = ranking[ranking["key"] == U18].set_index("area_code")
    assert u18.loc[RUTLAND, "value"] == u18.loc[WEST_BERKS, "value"] == 3.0
    below = int((u18["value"] < 3.0).sum())
    assert u18.loc[RUTLAND, "rank"] == u18.loc[WEST_BERKS, "rank"] == below + 1
    assert (u18["rank"] == below + 2).sum() == 0  # the next rank is skipped


def test_comparator_ranking_never_ranks_a_suppressed_value(ranking):
    late = ranking[ranking["key"] == LATE].set_index("area_code")
    assert pd.isna(late.loc[RUTLAND, "value"]) and pd.isna(late.loc[RUTLAND, "rank"])
    assert late.loc[RUTLAND, "missing_reason"] == SUPPRESSED_REASON
    assert late.loc[RUTLAND, "period"] == "2020 - 22"
    assert (late["n_ranked"] == 10).all()
    assert sorted(late["rank"].dropna().astype(int)) == list(range(1, 11))


def test_comparator_ranking_at_a_chosen_period(rows):
    inds = [get_indicator(STI), get_indicator(LATE)]
    r = A.comparator_ranking(rows, inds, RUTLAND, COMPARATORS, period="2015")
    sti = r[r["key"] == STI]
    assert (sti["period"] == "2015").all() and sti["value"].notna().all()
    late = r[r["key"] == LATE]  # 3-year periods have no "2015"
    assert (late["missing_reason"] == "no data for this period").all()
    assert late["rank"].isna().all()


def test_comparator_ranking_flags_small_and_disclosive_counts(ranking):
    m = ranking[(ranking["key"] == DETECT_M) & (ranking["area_code"] == RUTLAND)].iloc[0]
    assert m["count"] == 3 and m["count_suppressed"] and m["small_numbers"]
    big = ranking[(ranking["key"] == STI) & (ranking["area_code"] != RUTLAND)]
    assert not big["count_suppressed"].any()


def test_subject_ranks_is_one_row_per_indicator(ranking):
    s = A.subject_ranks(ranking)
    assert len(s) == len(chapter_indicators("sexual_health")) and s["is_subject"].all()


# ------------------------------------------------------------------------------------------
# The 2015 appendix as published: the printed Rutland ranks reproduced
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return A.published_appendix(DATA / "sexual_health_appendix1.csv")


@pytest.fixture(scope="module")
def printed() -> pd.DataFrame:
    return pd.read_csv(DATA / "sexual_health_appendix1_ranks.csv")


def test_published_appendix_long_form_with_todays_codes(published):
    assert list(published.columns) == list(A.PUBLISHED_APPENDIX_COLUMNS)
    assert len(published) == 176 and published["indicator"].nunique() == 16
    bucks = published[published["area_name"] == "Buckinghamshire"]
    assert set(bucks["code_2015"]) == {"E10000002"} and set(bucks["area_code"]) == {"E06000060"}
    ny = published[published["area_name"] == "North Yorkshire"]
    assert set(ny["area_code"]) == {"E06000065"}
    blank = published[published["value"].isna()]
    assert (blank["missing_reason"] == "blank in the published appendix").all()


def test_printed_rutland_ranks_reproduced(published, printed):
    got = A.reproduce_printed_ranks(published, printed)
    assert list(got.columns) == list(A.PRINTED_RANK_COLUMNS)
    supported = got[got["agrees"].notna()]
    assert len(supported) == 14 and supported["agrees"].all()
    expected = printed.set_index("indicator")["rutland_rank_printed"]
    for _, row in supported.iterrows():
        assert int(row["recomputed_rank"]) == int(expected[row["indicator"]]), row["indicator"]
    n = printed.set_index("indicator")["n_areas_with_value"]
    assert (got.set_index("indicator")["n_ranked"].astype(int) == n.loc[got["indicator"]].to_numpy()).all()


def test_rows_the_appendix_data_cannot_support_are_documented_not_ranked(published, printed):
    got = A.reproduce_printed_ranks(published, printed).set_index("indicator")
    unsupported = got[got["agrees"].isna()]
    assert set(unsupported.index) == set(A.APPENDIX_UNSUPPORTED)
    assert unsupported["recomputed_rank"].isna().all()
    assert unsupported["subject_value"].isna().all()
    late = unsupported.loc["HIV late diagnosis (%) (PHOF indicator 3.04)"]
    assert late["printed_rank"] == 1 and "cannot be reproduced" in late["note"]
    assert "not published due to small numbers" in unsupported.iloc[1]["note"]


def test_bundled_appendix_equals_the_test_copy(published):
    assert A.published_appendix().equals(published)


def test_rank_published_appendix_rejects_unknown_polarity_letters():
    bad = pd.DataFrame({"indicator": ["x"], "polarity": ["B"], "value": [1.0]})
    with pytest.raises(ValueError, match="every row needs H or L"):
        A.rank_published_appendix(bad)


def test_published_appendix_rejects_unknown_polarity_letters(tmp_path, published):
    frame = pd.read_csv(DATA / "sexual_health_appendix1.csv")
    frame.loc[3, "polarity"] = "X"
    frame.to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(ValueError, match=r"polarity: 1 rows are not H or L .*first file rows \[5\]"):
        A.published_appendix(tmp_path / "a.csv")


# ------------------------------------------------------------------------------------------
# Funnel
# ------------------------------------------------------------------------------------------


def test_funnel_data_all_authorities_and_limits(rows):
    f = A.funnel_data(rows, DETECT, RUTLAND)
    assert f is not None and f.period == "2022"
    assert len(f.points) == 153 and f.points["is_subject"].sum() == 1
    assert list(f.points.columns) == list(A.FUNNEL_POINT_COLUMNS)
    assert list(f.limits.columns) == ["denominator", "lower_95", "upper_95", "lower_99_8",
                                      "upper_99_8"]
    assert len(f.limits) == 100
    d = f.points["denominator"]
    assert f.limits["denominator"].iloc[0] == pytest.approx(0.9 * d.min())
    assert f.limits["denominator"].iloc[-1] == pytest.approx(1.05 * d.max())
    eng = rows[(rows["key"] == DETECT) & (rows[T.AREA_CODE] == ENGLAND)
               & (rows[T.TIME_PERIOD] == "2022")][T.VALUE].iloc[0]
    assert f.baseline == pytest.approx(eng)
    assert (f.limits["lower_99_8"] <= f.limits["lower_95"]).all()
    assert (f.limits["upper_95"] <= f.limits["upper_99_8"]).all()
    assert f.subject_position == A.FUNNEL_POSITION_WORDS[f.subject_significance]


@pytest.mark.parametrize(
    ("factor", "words"),
    [(0.05, "below the lower 99.8% limit"), (1.0, "within the 95% limits"),
     (4.0, "above the upper 99.8% limit")],
)
def test_funnel_position_in_words(base_store, factor, words):
    df = base_store.copy()
    eng = df.loc[_mask(df, DETECT, ENGLAND, "2022"), T.VALUE].iloc[0]
    m = _mask(df, DETECT, RUTLAND, "2022")
    den = df.loc[m, T.DENOMINATOR].iloc[0]
    value = eng * factor
    df.loc[m, [T.VALUE, T.COUNT]] = [value, value * den / 100_000]
    rows = prepare_rows(df, [get_indicator(DETECT)])
    f = A.funnel_data(rows, DETECT, RUTLAND)
    assert f.subject_position == words
    assert words in A.FUNNEL_POSITION_WORDS.values()


def test_funnel_data_none_without_points(rows):
    assert A.funnel_data(rows, "no.such.key", RUTLAND) is None


# ------------------------------------------------------------------------------------------
# Sex breakdown and goal
# ------------------------------------------------------------------------------------------


def test_sex_breakdown_withholds_small_counts_and_protects_the_other_sex(rows):
    keys = {"Female": DETECT_F, "Male": DETECT_M, "Persons": DETECT}
    frame = A.sex_breakdown(rows, keys, RUTLAND)
    assert list(frame.columns) == list(A.SEX_BREAKDOWN_COLUMNS)
    s = frame.set_index("sex")
    assert s.loc["Male", "count_suppressed"] and pd.isna(s.loc["Male", "count"])
    assert s.loc["Male", "count_reason"].startswith("primary")
    assert s.loc["Female", "count_suppressed"]
    assert s.loc["Female", "count_reason"].startswith("secondary")
    assert not s.loc["Persons", "count_suppressed"] and s.loc["Persons", "count"] > 0
    assert s.loc["Male", "small_numbers"] and s.loc["Male", "value"] == 100.0
    assert s["england"].notna().all() and (s["period"] == "2022").all()


def test_sex_breakdown_unknown_key_is_missing_with_a_reason(rows):
    s = A.sex_breakdown(rows, {"Male": "no.such.key"}, RUTLAND)
    assert pd.isna(s.loc[0, "value"]) and s.loc[0, "missing_reason"] == "indicator not in the data store"


@pytest.mark.parametrize(
    ("value", "lo", "hi", "label"),
    [(1390.0, 1200.0, 1600.0, "Red"), (2400.0, 2000.0, 2800.0, "Amber"),
     (3000.0, 2500.0, 3500.0, "Green"), (np.nan, np.nan, np.nan, "Not compared")],
)
def test_goal_comparison(value, lo, hi, label):
    assert A.goal_comparison(value, lo, hi, 2300.0) == label


def test_count_changes_counts_rises_and_the_run_to_the_latest_period(rows):
    c = A.count_changes(rows, STI, RUTLAND)
    assert list(c.table.columns) == list(A.COUNT_CHANGE_COLUMNS)
    assert c.table["period"].tolist() == ["2018", "2019", "2020", "2021", "2022"]
    diffs = np.diff(c.table["count"].to_numpy())
    assert c.n_compared == 4 and c.n_rises == int((diffs > 0).sum())
    frame = pd.DataFrame({"key": "k", "area_code": "A",
                          "time_period": ["2018", "2019", "2020", "2021", "2022"],
                          "time_period_sortable": [20180000, 20190000, 20200000, 20210000, 20220000],
                          "latest_sortable": 20220000, "count": [5.0, 9.0, 7.0, 8.0, 11.0]})
    c = A.count_changes(frame, "k", "A")
    assert (c.n_rises, c.n_compared, c.run_to_latest) == (3, 4, 2)
    assert c.first["count"] == 5 and c.latest["period"] == "2022"
    frame.loc[3, "count"] = np.nan
    c = A.count_changes(frame, "k", "A")
    assert (c.n_rises, c.n_compared, c.run_to_latest) == (1, 2, 0)
    assert A.count_changes(frame, "nope", "A") is None
    with pytest.raises(ValueError, match="periods: expected an integer >= 2"):
        A.count_changes(frame, "k", "A", periods=1)



# ------------------------------------------------------------------------------------------
# Report blocks
# ------------------------------------------------------------------------------------------


def _neighbour_table() -> pd.DataFrame:
    """A made-up group of 10 neighbours for every authority (the next ten in the list)."""
    codes = [a.code for a in upper_tier_areas()]
    n = len(codes)
    return pd.DataFrame(
        [(codes[i], codes[(i + k) % n], k) for i in range(n) for k in range(1, 11)],
        columns=["area_code", "neighbour_code", "position"],
    )


def _loaded(df: pd.DataFrame) -> LoadedStore:
    info = SourceInfo("demo", "synthetic test store", True, "cd" * 32, "2026-01-02T03:04:05")
    return LoadedStore(df, info, _neighbour_table(), {})


@pytest.fixture(scope="module")
def ctx(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "2026-Q1"
    out.mkdir()
    return S.load(RUTLAND, release="2026-Q1", output_dir=out, store=_loaded(store),
                  build_date=date(2026, 3, 1))


@pytest.fixture(scope="module")
def chapter(ctx) -> dict[str, str]:
    """Every block of the chapter, by name (the notebook's cells)."""
    blocks = {"title": S.title_block(ctx), "about": S.about(ctx), "summary": S.summary(ctx),
              "dashboard": S.dashboard(ctx), "introduction": S.introduction(ctx),
              "context": S.context(ctx)}
    blocks.update({f"section-{c}": S.section(ctx, c) for c in S.SECTION_ORDER})
    blocks.update({"comparator-table": S.comparator_table(ctx), "appendix-2015": S.appendix_2015(ctx),
                   "changes": S.changes(ctx), "data-notes": S.data_notes(ctx),
                   "appendix": S.appendix(ctx)})
    return {k: v.markup for k, v in blocks.items()}


def _text(markup: str) -> str:
    text = re.sub(r'(src|href)="data:[^"]*"', "", markup)
    return unescape(re.sub(r"<[^>]+>", " ", text))


def test_load_uses_the_2015_set_with_todays_codes_for_rutland(ctx):
    assert ctx.comparators.codes == tuple(COMPARATORS)
    assert "2015 Rutland Sexual Health Needs Assessment" in ctx.comparators.description
    assert "E06000060" in ctx.comparators.description
    assert ctx.summary["key"].tolist() == [i.key for i in chapter_indicators("sexual_health")]


def test_load_comparator_choices(store):
    loaded = _loaded(store)
    cipfa = S.load(RUTLAND, "cipfa", store=loaded)
    assert len(cipfa.comparators.codes) == 15 and "CIPFA" in cipfa.comparators.description
    listed = S.load(RUTLAND, ["E10000003", "E06000054"], store=loaded)
    assert listed.comparators.codes == ("E10000003", "E06000054")
    other = S.load("E06000054", "2015", store=loaded)  # Wiltshire with the 2015 set
    assert RUTLAND in other.comparators.codes and "E06000054" not in other.comparators.codes
    assert len(other.comparators.codes) == 10


def test_every_block_renders_without_nan_none_or_tracebacks(chapter):
    for name, markup in chapter.items():
        text = _text(markup)
        for bad in (r"\bnan\b", r"\bNone\b", r"<NA>", "Traceback", r"\bmilitary\b"):
            assert not re.search(bad, text), (name, bad)


def test_sections_present_in_shna_order_with_headings(chapter):
    html = "".join(chapter.values())
    positions = [html.index(f'id="section-{c}"') for c in S.SECTION_ORDER]
    assert positions == sorted(positions)
    for anchor in ("about", "summary", "dashboard", "introduction", "context",
                   "comparator-table", "appendix-2015", "changes", "data-notes", "appendix"):
        assert f'id="{anchor}"' in html, anchor
    title = chapter["title"]
    assert "Demonstration data — not official statistics" in title
    for anchor in ("section-sti", "comparator-table", "appendix"):
        assert f'href="#{anchor}"' in title


def test_about_states_comparator_set_and_polarity_choices(chapter):
    about = _text(chapter["about"])
    assert "Comparator set used: the 10 comparator authorities of the 2015" in about
    assert 'comparators="cipfa"' in about
    for name in ("Chlamydia detection rate per 100,000 aged 15 to 24",
                 "Under 18s conceptions leading to abortion (%)",
                 "Violent crime - sexual offences per 1,000 population"):
        assert name in about
    assert "2,300 per 100,000" in about


def test_section_has_table_charts_sentences_and_implications(chapter, ctx):
    sti = chapter["section-sti"]
    assert sti.index("<table") < sti.index("<figure") < sti.index("What the data show for")
    assert "Implications for sexual health services" in sti
    assert sti.count("<figure") == 6  # 3 indicators with data x (bar + trend)
    assert (ctx.output_dir / "sexual_health_sti.csv").is_file()
    text = _text(sti)
    assert "No data: no verified Fingertips indicator id for Gonorrhoea diagnostic rate" in text
    assert "Recommendation 15:" in text and "(SHNA (October 2015))" in text
    for fig in re.findall(r"<figure.*?</figure>", sti, flags=re.S):
        assert re.search(r'<svg [^>]*role="img" aria-label="[^"]{20,}"', fig)
        assert "<caption>" in fig and 'scope="col"' in fig  # the numbers as a table


def test_sentences_in_the_board_papers_style(ctx):
    row = ctx.summary.set_index("key").loc[SCREENED]
    html = S.section(ctx, "chlamydia").markup
    text = _text(html)
    period = row["period"]
    assert re.search(rf"In {period} Rutland screened a (significantly (lower|higher) )?percentage "
                     r"of 15-24 year olds for chlamydia \(\d+\.\d%\)", text)
    assert "areas in its comparator group, where 1 is the best" in text
    assert re.search(r"(above|below|not significantly different from) the detection goal of "
                     r"2,300 per 100,000", text)


def test_chlamydia_section_has_goal_sex_split_and_funnel(chapter):
    html = chapter["section-chlamydia"]
    text = _text(html)
    assert "Goal 2,300.0 per 100,000." in html  # alt text of the charts with the goal line
    assert "Chlamydia detection by sex" in text
    assert "Not published due to small numbers" in text  # male count 3, female protected
    assert "Funnel plot of chlamydia detection" in text
    assert re.search(r"lies (within the 95% limits|above the upper|below the lower)", text)
    assert "Of the 153 authorities plotted" in text


def test_suppressed_value_says_not_published_due_to_small_numbers(chapter):
    text = _text(chapter["section-hiv"])
    assert "is not published due to small numbers" in text
    notes = _text(chapter["data-notes"])
    assert "not published due to small numbers" in notes


def test_summary_answers_the_chapters_questions(chapter):
    text = _text(chapter["summary"])
    for q in ("Are STI, HIV and under-18 conception rates still lower",
              "Are STI diagnoses still rising year on year", "Is chlamydia screening reaching",
              "Is HIV being diagnosed late", "Is LARC accessible",
              "Are women reaching abortion services early", "How far do residents travel",
              "armed forces population", "Where do small numbers"):
        assert q in text, q
    assert "year-on-year changes from 2018 to 2022" in text
    assert "Recommendation 11" in text and "armed forces barrack populations" in text


def test_dashboard_one_tile_per_indicator(chapter, ctx):
    html = chapter["dashboard"]
    assert html.count("<li") == len(ctx.indicators)
    assert html.count("No data: no verified Fingertips indicator id") == 11
    assert "not published due to small numbers" in html  # HIV late diagnosis tile


def test_comparator_table_wide_with_ranks_and_polarity(chapter, ctx):
    html = chapter["comparator-table"]
    assert re.search(r'<th scope="col"[^>]*>Rutland \(subject area\)</th>', html)
    assert re.search(r'<th scope="col"[^>]*>Rutland rank \(1 best\)</th>', html)
    assert "H (2015 appendix); current Fingertips: Not applicable" in html
    assert html.count("<tr>") == len(ctx.indicators) + 1
    assert "(no verified Fingertips indicator id)" in html
    assert (ctx.output_dir / "sexual_health_comparator_ranking.csv").is_file()
    hiv_late = re.search(r"HIV late diagnosis \(%\)</th>.*?</tr>", html, flags=re.S).group(0)
    assert "Not ranked" in hiv_late and "suppressed" in hiv_late


def test_appendix_2015_reproduced_for_rutland_only(chapter, store):
    text = _text(chapter["appendix-2015"])
    assert "14 of the 14 printed Rutland ranks that can be checked are reproduced" in text
    assert "Printed rank 1 cannot be reproduced" in text
    other = S.load("E06000054", store=_loaded(store))
    assert "reproduced in Rutland's chapter only" in _text(S.appendix_2015(other).markup)


def test_papers_figures_only_in_rutlands_chapter(store):
    other = S.load("E10000003", store=_loaded(store))  # Cambridgeshire: CIPFA by default
    assert "CIPFA" in other.comparators.description
    text = _text(S.section(other, "sti").markup) + _text(S.context(other).markup)
    assert "193 new STIs" not in text and "SHNA" not in text
    assert "described Rutland only" in text


def test_appendix_lists_comparators_with_2015_codes(chapter):
    text = _text(chapter["appendix"])
    for code in COMPARATORS:
        assert code in text
    assert "E10000002" in text and "E10000023" in text


def test_data_strings_are_escaped(store):
    df = store.copy()
    df.loc[df[T.AREA_CODE] == "E10000003", T.AREA_NAME] = "Cambs <script>alert(1)</script>"
    m = _mask(df, STI, RUTLAND, "2022")
    df.loc[m, T.VALUE_NOTE] = "<b>note</b>"
    ctx = S.load(RUTLAND, ["E10000003"], store=_loaded(df))
    ctx.area_names = {**ctx.area_names, "E10000003": "Cambs <script>"}
    html = S.section(ctx, "sti").markup + S.comparator_table(ctx).markup + S.data_notes(ctx).markup
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>note</b>" not in html


def test_ids_are_unique_and_chart_numbers_are_real_tables(chapter):
    html = "".join(chapter.values())
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    details = re.findall(r"<details>.*?</details>", html, flags=re.S)
    assert details and all("<table" in d and "&lt;table" not in d for d in details)
