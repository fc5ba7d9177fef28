"""indicator_summary on small crafted tidy frames: ranks, best/worst, comparisons, reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis.summary import indicator_summary, national_codes_in
from rutland_jsna.data import columns as T
from rutland_jsna.data.catalogue_model import (
    Chapter,
    ComparisonMethod,
    IdStatus,
    Indicator,
    ValueType,
)
from rutland_jsna.stats.labels import Polarity

AREA = "E06000017"
ENG = "E92000001"
NEIGHBOURS = ["E06000055", "E06000060", "E06000056", "E06000049"]


def make_indicator(key: str, fid: int | None = 1, **kw) -> Indicator:
    base = dict(
        key=key, chapter=Chapter.OUTCOMES, section="P1", section_title="Priority 1", order=1,
        name=f"Indicator {key}", code=None, fingertips_id=fid,
        id_status=IdStatus.CONFIRMED if fid is not None else IdStatus.UNKNOWN,
        sex="Persons", age="All ages", sex_label="P", age_label="All ages",
        value_type=ValueType.PROPORTION, multiplier=100, unit="%",
        polarity=Polarity.HIGH_IS_GOOD,
    )
    base.update(kw)
    return Indicator(**base)


def tidy(rows: list[dict]) -> pd.DataFrame:
    """Tidy frame from short dicts: id, area, year, value (+ lo, hi, count, denom, note...)."""
    out = []
    for r in rows:
        year = int(r["year"])
        v = r.get("value", np.nan)
        lo = r.get("lo", v - 1 if v == v else np.nan)
        hi = r.get("hi", v + 1 if v == v else np.nan)
        out.append({
            T.INDICATOR_ID: r.get("id", 1), T.INDICATOR_NAME: "x", T.PARENT_CODE: ENG,
            T.PARENT_NAME: "England", T.AREA_CODE: r["area"], T.AREA_NAME: r.get("name", r["area"]),
            T.AREA_TYPE: "England" if r["area"] == ENG else "Counties & UAs (from Apr 2023)",
            T.SEX: r.get("sex", "Persons"), T.AGE: r.get("age", "All ages"),
            T.CATEGORY_TYPE: r.get("category_type", np.nan), T.CATEGORY: r.get("category", np.nan),
            T.TIME_PERIOD: r.get("period", str(year)), T.VALUE: v,
            T.LOWER_CI_95: lo, T.UPPER_CI_95: hi,
            T.LOWER_CI_99_8: r.get("lo998", lo - 1 if lo == lo else np.nan),
            T.UPPER_CI_99_8: r.get("hi998", hi + 1 if hi == hi else np.nan),
            T.COUNT: r.get("count", 100.0), T.DENOMINATOR: r.get("denom", 1000.0),
            T.VALUE_NOTE: r.get("note", np.nan), T.RECENT_TREND: np.nan,
            T.COMPARED_TO_ENGLAND: np.nan, T.COMPARED_TO_PARENT: np.nan,
            T.TIME_PERIOD_SORTABLE: year * 10000, T.NEW_DATA: np.nan, T.COMPARED_TO_GOAL: np.nan,
            T.TIME_PERIOD_RANGE: r.get("range", "1y"),
        })
    df = pd.DataFrame(out, columns=list(T.TIDY_COLUMNS))
    for c in (T.CATEGORY_TYPE, T.CATEGORY, T.VALUE_NOTE, T.RECENT_TREND, T.COMPARED_TO_ENGLAND,
              T.COMPARED_TO_PARENT, T.NEW_DATA, T.COMPARED_TO_GOAL):
        df[c] = df[c].astype("str").where(df[c].notna(), None) if df[c].notna().any() else pd.Series(
            [np.nan] * len(df), dtype="str")
    return df


def group_at(year, values, iid=1, **kw):
    """Rows for the area + 4 neighbours (values in that order) and England (last value)."""
    codes = [AREA, *NEIGHBOURS, ENG]
    return [dict(id=iid, area=c, year=year, value=v, **kw) for c, v in zip(codes, values, strict=True)]


def test_rank_best_worst_high_is_good_with_ties_and_missing():
    data = tidy(group_at(2021, [50.0, 60.0, 50.0, np.nan, 40.0, 55.0]))
    s = indicator_summary(data, [make_indicator("a")], AREA, NEIGHBOURS)
    row = s.iloc[0]
    assert list(s.columns) == list(C.SUMMARY_COLUMNS)
    assert row[C.RANK] == 2 and row[C.N_RANKED] == 4  # 60 > 50 = 50 > 40; NaN unranked
    assert row[C.BEST] == 60.0 and row[C.WORST] == 40.0
    assert row[C.ENGLAND] == 55.0 and row[C.PERIOD] == "2021"


def test_rank_low_is_good_and_no_polarity_lowest_first():
    data = tidy(group_at(2021, [50.0, 60.0, 45.0, 70.0, 40.0, 55.0]))
    low = make_indicator("low", polarity=Polarity.LOW_IS_GOOD)
    none = make_indicator("none", polarity=Polarity.NO_JUDGEMENT, order=2)
    data2 = tidy(group_at(2021, [50.0, 60.0, 45.0, 70.0, 40.0, 55.0], iid=2))
    s = indicator_summary(pd.concat([data, data2]), [low, make_indicator(
        "none", fid=2, polarity=Polarity.NO_JUDGEMENT, order=2)], AREA, NEIGHBOURS)
    assert none.polarity is Polarity.NO_JUDGEMENT
    for _, row in s.iterrows():
        assert row[C.RANK] == 3 and row[C.N_RANKED] == 5
        assert row[C.BEST] == 40.0 and row[C.WORST] == 70.0


def test_comparison_with_england_by_ci():
    data = tidy(group_at(2021, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0]))  # area CI 49-51 < 55
    s = indicator_summary(data, [make_indicator("a")], AREA, NEIGHBOURS)
    assert s.loc[0, C.COMPARISON] == "Worse" and s.loc[0, C.COMPARISON_BASIS] == "England"
    s = indicator_summary(data, [make_indicator("a", polarity=Polarity.LOW_IS_GOOD)], AREA, NEIGHBOURS)
    assert s.loc[0, C.COMPARISON] == "Better"
    s = indicator_summary(data, [make_indicator("a", polarity=Polarity.NO_JUDGEMENT)], AREA, NEIGHBOURS)
    assert s.loc[0, C.COMPARISON] == "Lower"
    s = indicator_summary(data, [make_indicator("a", polarity=Polarity.NOT_APPLICABLE)], AREA, NEIGHBOURS)
    assert s.loc[0, C.COMPARISON] == "Not compared"


def test_comparison_uses_998_interval_when_configured():
    rows = group_at(2021, [50.0, 60.0, 50.0, 45.0, 40.0, 51.5])  # 51.5 outside 95% (49-51)
    data = tidy(rows)  # 99.8% interval is 48-52: contains 51.5
    s95 = indicator_summary(data, [make_indicator("a")], AREA, NEIGHBOURS)
    s998 = indicator_summary(data, [make_indicator("a", comparison_confidence=0.998)], AREA, NEIGHBOURS)
    assert s95.loc[0, C.COMPARISON] == "Worse" and s95.loc[0, C.CI_LEVEL] == 0.95
    assert s998.loc[0, C.COMPARISON] == "Similar" and s998.loc[0, C.CI_LEVEL] == 0.998
    assert s998.loc[0, C.LOWER_CI] == 48.0
    s_chapter = indicator_summary(data, [make_indicator("a")], AREA, NEIGHBOURS, confidence=0.998)
    assert s_chapter.loc[0, C.COMPARISON] == "Similar"


def test_comparison_with_goal():
    data = tidy(group_at(2021, [61.2, 90.0, 85.0, 70.0, 99.0, 76.7]))
    hpv = make_indicator("hpv", comparison_method=ComparisonMethod.GOAL, goal_lower=80.0)
    s = indicator_summary(data, [hpv], AREA, NEIGHBOURS)
    assert s.loc[0, C.COMPARISON] == "Red" and s.loc[0, C.COMPARISON_BASIS] == "goal"
    assert s.loc[0, C.GOAL_LOWER] == 80.0


def test_national_quintiles():
    codes = [AREA, *NEIGHBOURS, "E10000003", "E06000001", "E08000001", "E09000001", "E10000002"]
    rows = [dict(area=c, year=2021, value=float(v)) for v, c in enumerate(codes, start=1)]
    rows.append(dict(area=ENG, year=2021, value=5.0))
    data = tidy(rows)
    ind = make_indicator("q", comparison_method=ComparisonMethod.QUINTILES)
    s = indicator_summary(data, [ind], AREA, NEIGHBOURS)
    # area has the lowest of 10 values and high is good: worst quintile
    assert s.loc[0, C.COMPARISON] == "Worst"
    assert s.loc[0, C.COMPARISON_BASIS] == "national quintiles"
    assert national_codes_in(data) == sorted(codes)


def test_missing_reasons():
    rows = group_at(2020, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0])
    rows += group_at(2021, [np.nan, 60.0, 50.0, 45.0, 40.0, 55.0])[1:]  # area absent in 2021
    rows += [dict(id=2, area=AREA, year=2021, value=np.nan,
                  note="Value suppressed for disclosure control due to small count")]
    rows += group_at(2021, [np.nan, 60.0, 50.0, 45.0, 40.0, 55.0], iid=2)[1:]
    rows += [dict(id=4, area=AREA, year=2021, value=np.nan)]
    rows += group_at(2021, [np.nan, 60.0, 50.0, 45.0, 40.0, 55.0], iid=4)[1:]
    data = tidy(rows)
    inds = [
        make_indicator("absent", fid=1, order=1),
        make_indicator("suppressed", fid=2, order=2),
        make_indicator("noid", fid=None, order=3),
        make_indicator("notstored", fid=3, order=4),
        make_indicator("blank", fid=4, order=5),
    ]
    s = indicator_summary(data, inds, AREA, NEIGHBOURS).set_index(C.KEY)
    assert s.loc["absent", C.MISSING_REASON] == "no data for this period"
    assert s.loc["absent", C.PERIOD] == "2021"
    assert s.loc["suppressed", C.MISSING_REASON] == "value suppressed for disclosure control"
    assert bool(s.loc["suppressed", C.SUPPRESSED])
    assert s.loc["noid", C.MISSING_REASON] == "no verified Fingertips indicator id"
    assert s.loc["notstored", C.MISSING_REASON] == "indicator not in the data store"
    assert s.loc["blank", C.MISSING_REASON] == "value not published for this period"
    for key in s.index:
        assert np.isnan(s.loc[key, C.VALUE])
        assert pd.isna(s.loc[key, C.RANK])
        assert s.loc[key, C.COMPARISON] == "Not compared"
        assert s.loc[key, C.TREND] == "Cannot be calculated"
    assert s.loc["absent", C.N_RANKED] == 4  # neighbours still ranked


def test_previous_period_and_same_comparison_since():
    rows = []
    # Similar in 2017, Worse from 2018 onwards
    for year, v in [(2017, 55.0), (2018, 50.0), (2019, 50.0), (2020, 49.0), (2021, 48.0)]:
        rows += group_at(year, [v, 60.0, 50.0, 45.0, 40.0, 55.0])
    s = indicator_summary(tidy(rows), [make_indicator("a")], AREA, NEIGHBOURS)
    row = s.iloc[0]
    assert row[C.PREVIOUS_PERIOD] == "2020" and row[C.PREVIOUS_VALUE] == 49.0
    assert row[C.PREVIOUS_COMPARISON] == "Worse"
    assert row[C.SAME_COMPARISON_SINCE] == "2018"


def test_trend_chi_square_on_counts_for_proportions():
    rows = []
    counts = [300, 350, 400, 450, 500]
    for year, c in zip(range(2017, 2022), counts, strict=True):
        rows += group_at(year, [c / 10, 60.0, 50.0, 45.0, 40.0, 55.0])
        rows[-6]["count"] = float(c)
    s = indicator_summary(tidy(rows), [make_indicator("a")], AREA, NEIGHBOURS)
    assert s.loc[0, C.TREND] == "Increasing and getting better"
    low = indicator_summary(tidy(rows), [make_indicator("a", polarity=Polarity.LOW_IS_GOOD)], AREA,
                            NEIGHBOURS)
    assert low.loc[0, C.TREND] == "Increasing and getting worse"


def test_trend_ci_method_for_rates_and_not_enough_points():
    rows = []
    for year, v in zip(range(2017, 2022), [10.0, 20.0, 30.0, 40.0, 50.0], strict=True):
        rows += group_at(year, [v, 60.0, 50.0, 45.0, 40.0, 55.0])
    ind = make_indicator("r", value_type=ValueType.CRUDE_RATE, polarity=Polarity.LOW_IS_GOOD)
    s = indicator_summary(tidy(rows), [ind], AREA, NEIGHBOURS)
    assert s.loc[0, C.TREND] == "Increasing and getting worse"
    short = indicator_summary(tidy(rows[6:]), [ind], AREA, NEIGHBOURS)
    assert short.loc[0, C.TREND] == "Cannot be calculated"
    assert short.loc[0, C.TREND_REASON] == "Not enough data points"


def test_three_year_periods_have_no_trend():
    rows = []
    for year in range(2015, 2021):
        rows += group_at(year, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0], range="3y",
                         period=f"{year} - {str(year + 2)[2:]}")
    s = indicator_summary(tidy(rows), [make_indicator("a")], AREA, NEIGHBOURS)
    assert s.loc[0, C.TREND] == "Cannot be calculated"
    assert s.loc[0, C.TREND_REASON] == "Time periods are not annual"
    assert s.loc[0, C.PERIOD] == "2020 - 22"


def test_small_numbers_and_count_suppression():
    rows = group_at(2021, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0])
    rows[0]["count"] = 3.0
    s = indicator_summary(tidy(rows), [make_indicator("a")], AREA, NEIGHBOURS)
    assert bool(s.loc[0, C.SMALL_NUMBERS]) and bool(s.loc[0, C.COUNT_SUPPRESSED])
    rows[0]["count"] = 8.0
    s = indicator_summary(tidy(rows), [make_indicator("a")], AREA, NEIGHBOURS)
    assert bool(s.loc[0, C.SMALL_NUMBERS]) and not bool(s.loc[0, C.COUNT_SUPPRESSED])


def test_sex_age_and_category_selection():
    rows = group_at(2021, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0], sex="Female")
    rows += group_at(2021, [10.0, 60.0, 50.0, 45.0, 40.0, 55.0], sex="Male")
    rows += [dict(area=AREA, year=2021, value=99.0, sex="Female", category_type="Deprivation",
                  category="Most deprived")]
    f = make_indicator("f", sex="Female", sex_label="F")
    m = make_indicator("m", sex="Male", sex_label="M", order=2)
    s = indicator_summary(tidy(rows), [f, m], AREA, NEIGHBOURS).set_index(C.KEY)
    assert s.loc["f", C.VALUE] == 50.0 and s.loc["m", C.VALUE] == 10.0
    assert s.loc["f", C.SEX] == "F"


def test_order_kept_and_validation():
    data = tidy(group_at(2021, [50.0, 60.0, 50.0, 45.0, 40.0, 55.0]))
    inds = [make_indicator("z", order=2), make_indicator("a", order=1)]
    s = indicator_summary(data, inds, AREA, NEIGHBOURS)
    assert list(s[C.KEY]) == ["z", "a"]
    with pytest.raises(ValueError, match=r"did you mean 0.95"):
        indicator_summary(data, inds, AREA, NEIGHBOURS, confidence=95)
    with pytest.raises(ValueError, match="duplicate keys a"):
        indicator_summary(data, [make_indicator("a"), make_indicator("a")], AREA, NEIGHBOURS)
    empty = indicator_summary(data, [], AREA, NEIGHBOURS)
    assert list(empty.columns) == list(C.SUMMARY_COLUMNS) and empty.empty
