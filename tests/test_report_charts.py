"""Charts: inline SVG named by its alt text, alt text from the data, numbers as a table,
words not placeholders."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

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


def _is_svg(chart) -> bool:
    """The chart is an inline ``<svg role="img">`` whose accessible name is its alt text."""
    svg = chart.image
    return (chart.mime == "image/svg+xml" and svg.startswith("<svg ") and svg.endswith("</svg>")
            and 'role="img"' in svg and f'aria-label="{charts.esc(chart.alt)}"' in svg
            and svg in chart.markup)


def test_neighbour_chart_figure_alt_and_table():
    c = charts.neighbour_chart(neighbours(), area_code="A", indicator="HPV", period="2021/22",
                               unit="%", england=45.0, goal=80.0)
    assert isinstance(c, charts.Chart) and _is_svg(c)
    assert c.alt.startswith("Bar chart of HPV in 2021/22 for 3 areas")
    assert "Alpha: 30.0% (Worse compared with England)" in c.alt
    assert "Goal 80.0%" in c.alt and "England 45.0%" in c.alt
    assert "<figure" in c.markup and "<figcaption>" in c.markup and "<details>" in c.markup
    assert 'aria-label="Bar chart' in c.markup
    assert "&lt;script&gt;" in c.markup and "<script>" not in c.markup
    assert list(c.data["Area"]) == ["Beta <script>", "Delta", "Alpha", "Gamma"]
    assert "Null" in c.markup  # Gamma's value in the numbers table


def test_neighbour_chart_without_values_says_so():
    empty = neighbours().assign(value=np.nan)
    out = charts.neighbour_chart(empty, area_code="A", indicator="HPV", period="2021/22")
    assert not isinstance(out, charts.Chart)
    assert "no area in the comparator group has a value" in out.markup
    assert "<svg" not in out.markup


def test_trend_chart():
    s = pd.DataFrame({"period": ["2017", "2018", "2019"], "value": [1.0, np.nan, 3.0],
                      "lower_ci": [0.5, np.nan, 2.0], "upper_ci": [2.0, np.nan, 4.0]})
    e = pd.DataFrame({"period": ["2016", "2017", "2018", "2019"], "value": [2.0, 2.0, 2.5, 3.5]})
    c = charts.trend_chart(s, area_name="Rutland", indicator="X", unit="%", england=e, goal=4)
    assert _is_svg(c)
    assert c.alt == ("Line chart of X for Rutland from 2017 to 2019: from 1.0% to 3.0%. "
                     "England 3.5% in 2019. Goal 4.0%.")
    assert list(c.data.columns) == ["Period", "Rutland", "Lower CI", "Upper CI", "England"]
    none = charts.trend_chart(s.assign(value=np.nan), area_name="Rutland", indicator="X")
    assert "has no values over time" in none.markup


@pytest.mark.parametrize(("rutland", "england"), [(0.30, 0.34), (0.34, 0.30), (0.3, 0.3)])
def test_trend_chart_end_labels_never_overlap(monkeypatch, rutland, england):
    """Regression: Rutland's end label went above its point and England's below, so they
    overprinted when Rutland was just below England (oral health, dmft in three year olds)."""
    figures = []
    real = charts.figure_html

    def spy(fig, **kw):
        figures.append(fig)
        return real(fig, **kw)

    monkeypatch.setattr(charts, "figure_html", spy)
    s = pd.DataFrame({"period": ["2017", "2019"], "value": [0.3, rutland],
                      "lower_ci": [0.1, rutland / 2], "upper_ci": [0.7, rutland * 1.5]})
    e = pd.DataFrame({"period": ["2017", "2019"], "value": [0.36, england]})
    charts.trend_chart(s, area_name="Rutland", indicator="dmft", unit="teeth", england=e)
    fig = figures[0]
    labels = {t.text.split()[0]: t for t in fig.texts
              if t.text.startswith(("Rutland ", "England "))}
    assert set(labels) == {"Rutland", "England"}
    assert not labels["Rutland"].overlaps(labels["England"])
    higher = "Rutland" if rutland >= england else "England"
    lower = "England" if higher == "Rutland" else "Rutland"
    assert labels[higher].y1 <= labels[lower].y0  # the higher line's label on top (y down)


def test_trend_chart_end_label_of_a_zero_stays_above_the_period_labels(monkeypatch):
    """Regression: 'Rutland 0.0' was drawn below its point, over the x axis' period labels."""
    figures = []
    real = charts.figure_html
    monkeypatch.setattr(charts, "figure_html",
                        lambda fig, **kw: figures.append(fig) or real(fig, **kw))
    s = pd.DataFrame({"period": ["2018", "2019", "2020"], "value": [2.0, 0.0, 0.0],
                      "lower_ci": [0.5, 0.0, 0.0], "upper_ci": [9.0, 9.0, 9.0]})
    e = pd.DataFrame({"period": ["2018", "2019", "2020"], "value": [6.0, 6.5, 7.0]})
    charts.trend_chart(s, area_name="Rutland", indicator="Syphilis", england=e)
    fig = figures[0]
    ax = fig.axes[0]
    label = next(t for t in fig.texts if t.text == "Rutland 0.0")
    assert label.y1 <= ax.bottom + 0.5  # above the x axis (y down)


def test_spine_chart():
    rows = pd.DataFrame({
        "indicator": ["A", "B", "C"], "value": [10.0, 5.0, np.nan], "england": [12.0, 5.0, 3.0],
        "minimum": [2.0, 1.0, 1.0], "p25": [8.0, 4.0, 2.0], "p75": [14.0, 6.0, 4.0],
        "maximum": [30.0, 9.0, 5.0], "comparison": ["Worse", "Lower", "Not compared"],
        "comparison_basis": ["England"] * 3,
        "polarity": ["High is good", "No judgement", "Low is good"],
    })
    c = charts.spine_chart(rows, area_name="Rutland")
    assert _is_svg(c) and "Spine chart of 3 indicators" in c.alt and "1 worse" in c.alt
    assert len(c.data) == 3
    none = charts.spine_chart(rows.assign(england=np.nan), area_name="Rutland")
    assert "no indicator has an England value" in none.markup


def _funnel_inputs():
    pts = pd.DataFrame({"area_code": ["A", "B", "C"], "area_name": ["Alpha", "Beta", "Gamma"],
                        "denominator": [100, 1000, 5000], "value": [10.0, 12.0, 11.0]})
    d = np.geomspace(1, 20_000, 60)
    lim = pd.DataFrame({"denominator": d, "lower_95": 11 - 30 / np.sqrt(d),
                        "upper_95": 11 + 30 / np.sqrt(d), "lower_99_8": 11 - 45 / np.sqrt(d),
                        "upper_99_8": 11 + 45 / np.sqrt(d)})
    return pts, lim


def test_funnel_chart():
    pts, lim = _funnel_inputs()
    c = charts.funnel_chart(pts, lim, area_code="A", indicator="Screening", benchmark=11.0, unit="%")
    assert _is_svg(c) and "Alpha 10.0%" in c.alt and "England 11.0%" in c.alt


def test_funnel_chart_draws_the_stats_limit_columns_over_the_plotted_range(monkeypatch):
    """Regression: the chart read lower_998/upper_998, which stats.funnel_limits never returns
    (so the 99.8% limits were silently missing), and drew limits from denominator 1."""
    pts, lim = _funnel_inputs()
    drawn = []
    real_plot = charts.Figure.add_subplot

    def spy_subplot(fig, *a, **k):
        ax = real_plot(fig, *a, **k)
        original = ax.plot

        def plot(x, y, *pa, **pk):
            drawn.append((np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                          pk.get("label")))
            return original(x, y, *pa, **pk)

        ax.plot = plot
        return ax

    monkeypatch.setattr(charts.Figure, "add_subplot", spy_subplot)
    charts.funnel_chart(pts, lim, area_code="A", indicator="Screening", benchmark=11.0)
    assert len(drawn) == 4  # two lines for each of 95% and 99.8%
    assert [lab for _, _, lab in drawn if lab] == ["95% limits", "99.8% limits"]
    for x, y, _ in drawn:
        assert x.min() == 100 and x.max() == 5000  # the points' range, not the grid's
        assert np.isfinite(y).all()
    x998, y998, _ = drawn[2]
    assert y998[0] == pytest.approx(11 - 45 / np.sqrt(100), rel=1e-3)  # interpolated end


def test_funnel_chart_ignores_old_limit_names():
    pts, lim = _funnel_inputs()
    old = lim.rename(columns={"lower_99_8": "lower_998", "upper_99_8": "upper_998"})
    c = charts.funnel_chart(pts, old, area_code="A", indicator="Screening", benchmark=11.0)
    assert _is_svg(c)  # draws the 95% limits; the 99.8% ones need the stats names


def test_numbers_table_is_markup_not_escaped_text():
    """Regression: html.details escaped its content twice, so every chart's "Show the numbers"
    table appeared as raw markup text."""
    c = charts.neighbour_chart(neighbours(), area_code="A", indicator="HPV", period="2021/22")
    inner = c.markup.split("<details>", 1)[1]
    assert "<table>" in inner and "<caption>" in inner and "&lt;table" not in inner
    assert "Beta &lt;script&gt;" in inner and "&amp;lt;" not in inner  # data escaped once


def test_chart_ids_are_unique_for_titles_sharing_their_first_words():
    """Regression: ids were the title's slug cut at 60 characters, so long titles repeated."""
    stem = "Chlamydia detection rate per 100,000 aged 15 to 24 compared with similar areas"
    ids = set()
    for suffix in ("2019", "2020", "2021"):
        c = charts.neighbour_chart(neighbours(), area_code="A", indicator="HPV",
                                   period=suffix, title=f"{stem}, {suffix}")
        chart_id = re.search(r'<figure class="chart" id="([^"]+)"', c.markup).group(1)
        assert re.fullmatch(r"chart-[a-z0-9-]+-[0-9a-f]{10}", chart_id)
        ids.add(chart_id)
    assert len(ids) == 3
    assert charts.chart_id("T", "a") == charts.chart_id("T", "a") != charts.chart_id("T", "b")


def test_bar_charts():
    f = pd.DataFrame({"Dose": ["Dose 1", "Dose 2"], "Rutland": [80.0, 75.0], "England": [82.0, np.nan]})
    c = charts.grouped_bar_chart(f, category="Dose", series=["Rutland", "England"], title="Uptake",
                                 unit="%")
    assert _is_svg(c) and "Dose 2: Rutland 75.0, England no data" in c.alt
    b = charts.bar_chart(pd.DataFrame({"Place": ["Hospital", "Care home"], "Deaths": [57, 43]}),
                         category="Place", value="Deaths", title="Deaths", decimals=None)
    assert _is_svg(b) and "Hospital 57; Care home 43" in b.alt


def test_trend_chart_over_national_quintile_bands():
    series = pd.DataFrame({"period": ["2019/20", "2020/21", "2021/22"],
                           "value": [94.6, 77.7, 80.0], "lower_ci": [90.0, 72.0, 75.0],
                           "upper_ci": [97.0, 82.0, 84.0]})
    bands = pd.DataFrame({"period": ["2018/19", "2019/20", "2020/21", "2021/22"],
                          "p20": [90.0, 93.1, 74.8, 80.0], "p40": [91.0, 93.8, 76.9, 81.0],
                          "p60": [92.0, 94.2, 78.3, 82.0], "p80": [93.0, 94.9, 79.9, 83.0]})
    c = charts.trend_chart(series, area_name="Rutland", indicator="Dental", unit="%",
                           bands=bands, polarity="High is good")
    assert _is_svg(c)
    # 80.0 is the 2021/22 20% bound itself: the lower band, the worst for high is good
    assert "in 2021/22 Rutland is in the worst quintile" in c.alt
    assert c.data["Quintile bound 60%"].tolist() == [94.2, 78.3, 82.0]  # the area's periods
    assert "Shaded bands" in c.markup
    low = charts.trend_chart(series, area_name="Rutland", indicator="Dental", unit="%",
                             bands=bands, polarity="Low is good")
    assert "in 2021/22 Rutland is in the best quintile" in low.alt
    nj = charts.trend_chart(series, area_name="Rutland", indicator="Dental", unit="%",
                            bands=bands, polarity="No judgement")
    assert "in 2021/22 Rutland is in the lowest quintile" in nj.alt
    # bands without usable bounds: the plain chart, no band columns
    plain = charts.trend_chart(series, area_name="Rutland", indicator="Dental", unit="%",
                               bands=bands.assign(p20=np.nan), polarity="High is good")
    assert "quintile" not in plain.alt and "Quintile bound 20%" not in plain.data


def test_stacked_bar_chart_remainder_missing_segments_and_no_data():
    f = pd.DataFrame({"Area": ["Rutland", "England", "Elsewhere"],
                      "Home": [33.6, 28.7, 30.0], "Hospital": [35.5, 44.0, np.nan]})
    c = charts.stacked_bar_chart(f, category="Area", segments=["Home", "Hospital"], title="Place",
                                 remainder="Other places", unit="% of deaths")
    assert _is_svg(c)
    # the remainder is 100 minus the segments, for complete bars only
    assert c.data["Other places"].round(1).tolist()[:2] == [30.9, 27.3]
    assert np.isnan(c.data["Other places"].iloc[2])
    assert "Rutland: Home 33.6, Hospital 35.5, Other places 30.9" in c.alt
    assert "Elsewhere: Home 30.0, Hospital no data, Other places no data" in c.alt
    assert "<th" in c.markup and "Other places" in c.markup  # the numbers as a table
    # segments above the total leave no negative remainder
    over = charts.stacked_bar_chart(pd.DataFrame({"A": ["X"], "s": [70.0], "t": [40.0]}),
                                    category="A", segments=["s", "t"], title="Over")
    assert over.data["Elsewhere"].tolist() == [0.0]
    none = charts.stacked_bar_chart(pd.DataFrame({"A": ["X"], "s": [np.nan]}), category="A",
                                    segments=["s"], title="Empty")
    assert "no values are available" in none.markup and not hasattr(none, "image")


def test_a_chart_shown_twice_on_a_page_gets_a_second_id():
    """Regression: an indicator in two sections of a chapter drew the same chart twice, with
    the same id."""
    charts.start_page()
    ids = [re.search(r'id="([^"]+)"', charts.neighbour_chart(
        neighbours(), area_code="A", indicator="HPV", period="2021/22").markup).group(1)
        for _ in range(3)]
    assert ids[1] == f"{ids[0]}-2" and ids[2] == f"{ids[0]}-3"
    charts.start_page()  # the next chapter starts again
    again = charts.neighbour_chart(neighbours(), area_code="A", indicator="HPV", period="2021/22")
    assert f'id="{ids[0]}"' in again.markup
