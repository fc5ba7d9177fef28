"""Charts: embedded PNG, alt text from the data, numbers as a table, words not placeholders."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from rutland_jsna.report import charts


def neighbours() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D"],
            "area_name": ["Alpha", "Beta <script>", "Gamma", "Delta"],
            "value": [30.0, 50.0, np.nan, 40.0],
            "lower_ci": [25.0, 45.0, np.nan, 35.0],
            "upper_ci": [35.0, 55.0, np.nan, 45.0],
            "comparison": ["Worse", "Similar", "Not compared", "Better"],
            "missing_reason": ["", "", "value suppressed for disclosure control", ""],
        }
    )


def _is_png(chart) -> bool:
    return base64.b64decode(chart.png_base64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_neighbour_chart_figure_alt_and_table():
    c = charts.neighbour_chart(neighbours(), area_code="A", indicator="HPV", period="2021/22",
                               unit="%", england=45.0, goal=80.0)
    assert isinstance(c, charts.Chart) and _is_png(c)
    assert c.alt.startswith("Bar chart of HPV in 2021/22 for 3 areas")
    assert "Alpha: 30.0% (Worse compared with England)" in c.alt
    assert "Goal 80.0%" in c.alt and "England 45.0%" in c.alt
    assert "<figure" in c.markup and "<figcaption>" in c.markup and "<details>" in c.markup
    assert 'alt="Bar chart' in c.markup
    assert "&lt;script&gt;" in c.markup and "<script>" not in c.markup
    assert list(c.data["Area"]) == ["Beta <script>", "Delta", "Alpha", "Gamma"]
    assert "Null" in c.markup  # Gamma's value in the numbers table


def test_neighbour_chart_without_values_says_so():
    empty = neighbours().assign(value=np.nan)
    out = charts.neighbour_chart(empty, area_code="A", indicator="HPV", period="2021/22")
    assert not isinstance(out, charts.Chart)
    assert "no area in the comparator group has a value" in out.markup
    assert "<img" not in out.markup


def test_trend_chart():
    s = pd.DataFrame({"period": ["2017", "2018", "2019"], "value": [1.0, np.nan, 3.0],
                      "lower_ci": [0.5, np.nan, 2.0], "upper_ci": [2.0, np.nan, 4.0]})
    e = pd.DataFrame({"period": ["2016", "2017", "2018", "2019"], "value": [2.0, 2.0, 2.5, 3.5]})
    c = charts.trend_chart(s, area_name="Rutland", indicator="X", unit="%", england=e, goal=4)
    assert _is_png(c)
    assert c.alt == ("Line chart of X for Rutland from 2017 to 2019: from 1.0% to 3.0%. "
                     "England 3.5% in 2019. Goal 4.0%.")
    assert list(c.data.columns) == ["Period", "Rutland", "Lower CI", "Upper CI", "England"]
    none = charts.trend_chart(s.assign(value=np.nan), area_name="Rutland", indicator="X")
    assert "has no values over time" in none.markup


def test_spine_chart():
    rows = pd.DataFrame({
        "indicator": ["A", "B", "C"], "value": [10.0, 5.0, np.nan], "england": [12.0, 5.0, 3.0],
        "minimum": [2.0, 1.0, 1.0], "p25": [8.0, 4.0, 2.0], "p75": [14.0, 6.0, 4.0],
        "maximum": [30.0, 9.0, 5.0], "comparison": ["Worse", "Lower", "Not compared"],
        "comparison_basis": ["England"] * 3,
        "polarity": ["High is good", "No judgement", "Low is good"],
    })
    c = charts.spine_chart(rows, area_name="Rutland")
    assert _is_png(c) and "Spine chart of 3 indicators" in c.alt and "1 worse" in c.alt
    assert len(c.data) == 3
    none = charts.spine_chart(rows.assign(england=np.nan), area_name="Rutland")
    assert "no indicator has an England value" in none.markup


def test_funnel_chart():
    pts = pd.DataFrame({"area_code": ["A", "B", "C"], "area_name": ["Alpha", "Beta", "Gamma"],
                        "denominator": [100, 1000, 5000], "value": [10.0, 12.0, 11.0]})
    d = np.array([50.0, 500.0, 5000.0])
    lim = pd.DataFrame({"denominator": d, "lower_95": 11 - 30 / np.sqrt(d),
                        "upper_95": 11 + 30 / np.sqrt(d), "lower_998": 11 - 45 / np.sqrt(d),
                        "upper_998": 11 + 45 / np.sqrt(d)})
    c = charts.funnel_chart(pts, lim, area_code="A", indicator="Screening", benchmark=11.0, unit="%")
    assert _is_png(c) and "Alpha 10.0%" in c.alt and "England 11.0%" in c.alt


def test_bar_charts():
    f = pd.DataFrame({"Dose": ["Dose 1", "Dose 2"], "Rutland": [80.0, 75.0], "England": [82.0, np.nan]})
    c = charts.grouped_bar_chart(f, category="Dose", series=["Rutland", "England"], title="Uptake",
                                 unit="%")
    assert _is_png(c) and "Dose 2: Rutland 75.0, England no data" in c.alt
    b = charts.bar_chart(pd.DataFrame({"Place": ["Hospital", "Care home"], "Deaths": [57, 43]}),
                         category="Place", value="Deaths", title="Deaths", decimals=None)
    assert _is_png(b) and "Hospital 57; Care home 43" in b.alt
