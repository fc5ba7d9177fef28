"""report.svg: the SVG plotting layer against matplotlib, whose look it reproduces.

matplotlib (a dependency, no longer imported by the chapters) is the reference: the font table
against its DejaVu Sans files, the tick locator and number format against ``MaxNLocator`` and
``ScalarFormatter``, text widths and line heights against its Agg layout, and the chart boxes
against the PNG charts of the baseline (sizes within a few pixels).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutland_jsna.report import _font_metrics, charts, svg

mpl = pytest.importorskip("matplotlib")


def test_font_table_matches_the_font_files():
    chars, regular, bold = _font_metrics.measure()
    assert chars == _font_metrics.CHARS
    assert regular == _font_metrics.REGULAR and bold == _font_metrics.BOLD


@pytest.mark.parametrize("text", ["Rutland", "England 23.4", "Buckinghamshire UA (Worse)",
                                  "0-17 year olds", "Percentage of deaths that occur at home"])
@pytest.mark.parametrize("bold", [False, True])
def test_text_width_matches_matplotlib(text, bold):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=100)
    FigureCanvasAgg(fig)
    t = fig.text(0, 0, text, fontsize=10, family="DejaVu Sans",
                 fontweight="bold" if bold else "normal")
    width = t.get_window_extent(fig.canvas.get_renderer()).width
    # Agg rounds each glyph's advance to whole pixels (hinting); the SVG's text is unhinted
    assert svg.text_width(text, 10, bold) == pytest.approx(width, abs=0.6 * len(text))
    assert svg.text_width(text, 10, bold) <= width + 1


def test_text_height_matches_matplotlib():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=100)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    for lines in (1, 2, 3):
        text = "\n".join(["Hello"] * lines)
        ref = fig.text(0.5, 0.5, text, fontsize=10, va="top").get_window_extent(renderer)
        box = svg._text(0, 0, text, size=10, va="top")
        assert box.y1 - box.y0 == pytest.approx(ref.height, abs=1.0)


@given(st.floats(-1e5, 1e5), st.floats(1e-3, 1e5), st.integers(1, 9))
def test_nice_ticks_are_matplotlibs(vmin, span, nbins):
    from matplotlib.ticker import MaxNLocator

    vmax = vmin + span
    ref = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax)
    ours = svg.nice_ticks(vmin, vmax, nbins)
    assert len(ours) == len(ref)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9 * span)


@pytest.mark.parametrize("ticks", [[0, 5, 10, 15], [0, 0.5, 1.0, 1.5], [0, 2.5, 5, 7.5],
                                   [0, 500, 1000, 3500], [-25, -20, -5, 0], [70, 75, 80],
                                   [0.1, 0.2, 0.3], [0, 0.25, 0.5, 0.75]])
def test_tick_format_is_matplotlibs(ticks):
    from matplotlib.figure import Figure
    from matplotlib.ticker import ScalarFormatter

    ax = Figure().add_subplot()
    ax.set_xlim(min(ticks), max(ticks))
    fmt = ScalarFormatter()
    fmt.set_axis(ax.xaxis)
    fmt.set_locs(ticks)
    assert [svg.tick_format(ticks)(t) for t in ticks] == [fmt(t) for t in ticks]


def _chart_svg(chart) -> ET.Element:
    return ET.fromstring(chart.image)


def test_svg_is_well_formed_named_and_ids_are_prefixed():
    frame = pd.DataFrame({"Area": ["Rutland", "England & <co>"], "Home": [33.6, 28.7],
                          "Hospital": [35.5, 44.0]})
    charts.start_page()
    c = charts.stacked_bar_chart(frame, category="Area", segments=["Home", "Hospital"],
                                 title="Place of death")
    root = _chart_svg(c)
    assert root.get("role") == "img" and root.get("aria-label") == c.alt
    assert "England &amp; &lt;co&gt;" in c.image  # data escaped
    figure_id = c.markup.split('id="', 1)[1].split('"', 1)[0]
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith(figure_id + "-") for i in ids)
    refs = {r[5:-1] for e in root.iter() for r in (e.get("fill"), e.get("clip-path")) if r
            and r.startswith("url(#")}
    assert refs <= set(ids)  # every hatch and clip path used is defined
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox").split()[2:] == [str(width), str(height)]


def _mpl_png_size() -> tuple[int, int]:
    """Width and height of the same bars drawn by matplotlib as a tight PNG."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with charts.chart_style():
        fig = Figure(figsize=(8.5, 4.0), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.bar([0, 1], [3750.0, 1900.0], 0.4)
        ax.set_xticks([0, 1], ["Female", "Male"])
        ax.set_ylabel("per 100,000")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
    raw = buffer.getvalue()
    return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")


def test_cropped_size_is_matplotlibs_tight_bbox():
    """The same figure cropped to what is drawn plus 0.1 inch, as ``bbox_inches="tight"``."""
    fig = svg.Figure(8.5, 4.0)
    ax = fig.add_subplot()
    ax.bar([0, 1], [3750.0, 1900.0], 0.4)
    ax.set_xticks([0, 1], ["Female", "Male"])
    ax.set_ylabel("per 100,000")
    _, width, height = fig.svg(label="test", id_prefix="t")
    ref_w, ref_h = _mpl_png_size()
    assert abs(width - ref_w) <= 4 and abs(height - ref_h) <= 4


def test_autoscale_and_ticks_follow_matplotlib():
    from matplotlib.figure import Figure

    ref = Figure(figsize=(8.5, 4.0), dpi=100).add_subplot()
    ref.plot([0, 1, 2], [36.8, 39.3, 38.6])
    ref.axhline(44.8)
    ref.set_ylim(bottom=0)
    ours = svg.Figure(8.5, 4.0).add_subplot()
    ours.plot([0, 1, 2], [36.8, 39.3, 38.6])
    ours.axhline(44.8)
    ours.set_ylim(bottom=0)
    x0, x1, y0, y1 = ours.freeze_limits()
    assert (x0, x1) == pytest.approx(ref.get_xlim()) and (y0, y1) == pytest.approx(ref.get_ylim())
    ticks, labels, _, _ = ours._ticks("y")
    visible = [t for t in ref.get_yticks() if y0 <= t <= y1]
    assert ticks == pytest.approx(visible)
    assert labels == ["0", "10", "20", "30", "40"]


def test_bars_below_zero_and_log_axis():
    fig = svg.Figure(8.5, 4.0)
    ax = fig.add_subplot()
    bars = ax.bar([0, 1], [-16.5, -7.0], 0.4)
    assert bars[0].get_height() == -16.5 and bars[0].get_y() == 0.0
    _, _, y0, y1 = ax.freeze_limits()
    assert y1 == 0.0 and y0 < -16.5  # the margin never crosses the bars' zero
    log = svg.Figure(8.5, 4.8).add_subplot()
    log.set_xscale("log")
    log.scatter([230, 4300, 190_000], [1300, 2800, 1800])
    log.x_formatter = lambda v: f"{v:,.0f}"
    ticks, labels, minor, _ = log._ticks("x")
    assert labels == ["1,000", "10,000", "100,000"] and len(minor) > 10
    assert all(math.log10(t).is_integer() for t in ticks)


def test_unknown_step_and_marker_are_refused():
    ax = svg.Figure(4, 3).add_subplot()
    with pytest.raises(ValueError, match="only 'post'"):
        ax.step([0, 1], [1, 2], where="mid")
    with pytest.raises(ValueError, match="unknown marker"):
        svg._marker("*", 0, 0, 6, "#000", "#000", 1)
