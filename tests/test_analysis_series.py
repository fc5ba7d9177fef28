"""Chart series: comparator values, trend series and spine rows agree with the summary."""

from __future__ import annotations

import numpy as np
from test_analysis_summary import AREA, ENG, NEIGHBOURS, group_at, make_indicator, tidy

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis.series import (
    COMPARATOR_VALUE_COLUMNS,
    comparator_values,
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
