"""Chart series: comparator values, trend series and spine rows agree with the summary."""

from __future__ import annotations

import numpy as np
from test_analysis_summary import AREA, ENG, NEIGHBOURS, group_at, make_indicator, tidy

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis.series import (
    COMPARATOR_VALUE_COLUMNS,
    QUINTILE_BAND_COLUMNS,
    comparator_values,
    quintile_bands,
    spine_rows,
    trend_series,
)
from rutland_jsna.analysis.summary import indicator_summary, prepare_rows


def data():
    rows = []
    for year in (2019, 2020, 2021):
        rows += group_at(year, [50.0 + year - 2019, 60.0, 50.0, np.nan, 40.0, 55.0])
    rows[-5]["note"] = "Value suppressed for disclosure control"  # a neighbour in 2021
    rows[-5]["value"] = np.nan
    rows += [dict(area=c, year=2021, value=v) for c, v in
             [("E10000003", 30.0), ("E06000001", 70.0), ("E08000001", 45.0)]]
    return tidy(rows)


def test_comparator_values_every_area_with_reason():
    ind = make_indicator("a")
    rows = prepare_rows(data(), [ind])
    out = comparator_values(rows, "a", [AREA, *NEIGHBOURS], {AREA: "Rutland"})
    assert list(out.columns) == list(COMPARATOR_VALUE_COLUMNS)
    assert list(out["area_code"]) == [AREA, *NEIGHBOURS]
    assert out.loc[0, "area_name"] == "Rutland" and out.loc[0, "value"] == 52.0
    assert out.loc[0, "comparison"] == "Worse"
    reasons = dict(zip(out["area_code"], out["missing_reason"], strict=True))
    assert reasons[NEIGHBOURS[0]] == "value suppressed for disclosure control"
    assert reasons[NEIGHBOURS[2]] == "value not published"
    assert out.loc[1, "comparison"] == "Not compared"


def test_comparator_values_area_absent():
    rows = prepare_rows(data(), [make_indicator("a")])
    out = comparator_values(rows, "a", ["E09000999"])
    assert out.loc[0, "missing_reason"] == "no data for this period"
    assert np.isnan(out.loc[0, "value"]) and out.loc[0, "area_name"] == "E09000999"


def test_trend_series_in_time_order():
    rows = prepare_rows(data(), [make_indicator("a")])
    s = trend_series(rows, "a", AREA)
    assert list(s["period"]) == ["2019", "2020", "2021"]
    assert list(s["value"]) == [50.0, 51.0, 52.0]
    e = trend_series(rows, "a", ENG)
    assert list(e["value"]) == [55.0, 55.0, 55.0]
    assert trend_series(rows, "a", "E09000999").empty


def test_spine_rows_national_range():
    ind = make_indicator("a")
    d = data()
    rows = prepare_rows(d, [ind])
    summary = indicator_summary(d, [ind], AREA, NEIGHBOURS, prepared=rows)
    spine = spine_rows(rows, summary)
    r = spine.iloc[0]
    assert r["value"] == 52.0 and r["england"] == 55.0
    assert r["minimum"] == 30.0 and r["maximum"] == 70.0
    assert r["comparison"] == summary.loc[0, C.COMPARISON]


def test_quintile_bands_per_period_over_the_upper_tier_authorities():
    rows = prepare_rows(data(), [make_indicator("a")])
    b = quintile_bands(rows, "a")
    assert list(b.columns) == list(QUINTILE_BAND_COLUMNS)
    assert list(b["period"]) == ["2019", "2020", "2021"]
    # 2019 and 2020: four authorities with a value (one missing, England not counted) -> none
    assert list(b["n"]) == [4, 4, 6] and b.loc[:1, ["p20", "p80"]].isna().all().all()
    # 2021: 30, 40, 45, 50, 52, 70 (the suppressed neighbour left out); PERCENTILE.INC
    assert b.loc[2, ["p20", "p40", "p60", "p80"]].tolist() == [40.0, 45.0, 50.0, 52.0]
    only = quintile_bands(rows, "a", national_codes=[AREA])
    assert list(only["n"]) == [1, 1, 1]
    assert quintile_bands(rows, "missing-key").empty
