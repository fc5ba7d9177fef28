"""The sexual health chapter: analysis tables and report blocks on a small synthetic store.

Expected ranks of the 2015 appendix are the printed ones (``tests/data/published``, copies of
``shared/reference/published``; provenance in tests/data/README.md), never recomputed by this
package. The synthetic store only has to be consistent (CIs from ``stats``); the values it
holds are made up and every expectation about them is derived from the constructed numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import sexual_health as A
from rutland_jsna.analysis.summary import NO_ID, SUPPRESSED_REASON, prepare_rows
from rutland_jsna.data import columns as T
from rutland_jsna.data.areas import sexual_health_comparators, upper_tier_areas
from rutland_jsna.data.catalogue import chapter_indicators, format_period, get_indicator
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
