"""Charts: SVG written directly, with alt text and their numbers as a table.

One style for every chart: Fingertips benchmark colours for comparisons, always with the word
beside the colour (tick labels carry the comparison), the England value as a labelled black
line, goals as a labelled dashed line, confidence intervals (95% or 99.8%, as the caller says)
as whiskers. Each function
returns a :class:`Chart` — an :class:`~rutland_jsna.report.html.Html` block with ``<figure>``,
the chart as inline ``<svg role="img">`` named by its alt text, a ``<figcaption>`` and a
``<details>`` table of the numbers — or, when there is nothing to draw, a sentence saying so
(no placeholder charts). The image sits in a named, focusable scrolling container
(``div.chart-image``): on a narrow screen the stylesheet keeps the chart at a legible minimum
width and it scrolls sideways instead of shrinking.

The figures are drawn by :mod:`rutland_jsna.report.svg` (matplotlib's look; drawing a chart
takes about a millisecond instead of the 170 ms of a tight-bbox PNG, and a whole chart function,
numbers table included, about a fortieth of its former time: ``benchmarks/bench_charts.py``), so
building a chapter never imports matplotlib; a chapter or notebook may still show its own
matplotlib figure with :func:`figure_html`.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..stats.labels import QUINTILE_LABELS_NO_JUDGEMENT, QUINTILE_LABELS_RAG, Polarity
from ..stats.quantiles import quintile_category
from .format import format_number, is_missing
from .html import Html, details, esc, scroll_region, slug, tag, text_colour_for
from .legend import BASIS_ENGLAND, comparison_colour, comparison_text
from .svg import PT, Axes, Figure
from .tables import frame_table

if TYPE_CHECKING:
    import matplotlib.figure

__all__ = [
    "Chart",
    "Figure",
    "figure_html",
    "chart_id",
    "chart_style",
    "start_page",
    "no_chart",
    "neighbour_chart",
    "trend_chart",
    "spine_chart",
    "funnel_chart",
    "grouped_bar_chart",
    "stacked_bar_chart",
    "bar_chart",
]

#: Analysis Function palette (non-benchmark series): dark blue, orange, turquoise, dark pink.
AF_DARK_BLUE = "#12436D"
AF_ORANGE = "#F46A25"
AF_TURQUOISE = "#28A197"
AF_DARK_PINK = "#801650"
#: The series colours in order (grouped bars, stacked segments).
SERIES_COLOURS = (AF_DARK_BLUE, AF_ORANGE, AF_TURQUOISE, AF_DARK_PINK)
ENGLAND_COLOUR = "#000000"
CI_COLOUR = "#444444"
GOAL_COLOUR = "#801650"
SPINE_RANGE = "#C9C9C9"
SPINE_IQR = "#8B8B8B"
_DPI = 100

#: The matplotlib style the SVG charts reproduce (:mod:`rutland_jsna.report.svg` has the
#: same sizes and colours), for matplotlib figures shown with :func:`figure_html`.
_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.edgecolor": "#666666",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
}


@contextmanager
def chart_style() -> Iterator[None]:
    """The charts' matplotlib style (a context manager), for a chapter's own matplotlib
    figure shown with :func:`figure_html`."""
    import matplotlib as mpl

    with mpl.rc_context(_STYLE):
        yield


class Chart(Html):
    """A rendered chart: figure markup plus the parts used to build it.

    ``image`` is the ``<svg>`` element (``mime`` "image/svg+xml"), or for a matplotlib figure
    the base64 PNG (``mime`` "image/png").
    """

    __slots__ = ("image", "mime", "alt", "title", "data")

    def __init__(self, markup: str, image: str, alt: str, title: str, data: pd.DataFrame,
                 *, mime: str = "image/svg+xml") -> None:
        super().__init__(markup)
        self.image = image
        self.mime = mime
        self.alt = alt
        self.title = title
        self.data = data


def _png(fig: matplotlib.figure.Figure) -> tuple[str, int, int]:
    import base64
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    raw = buffer.getvalue()
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    return base64.b64encode(raw).decode("ascii"), width, height


def figure_html(
    fig: Figure | matplotlib.figure.Figure,
    *,
    title: str,
    alt: str,
    caption: str,
    data: pd.DataFrame,
    data_caption: str,
    decimals: int | Sequence[int | None] | None = 1,
) -> Chart:
    """Any figure as a chart block, as every chart of this module is shown.

    ``<figure class="chart" id=…>`` (an id unique on the page) holding the image in a named,
    focusable scrolling region (``div.chart-image``), a ``<figcaption>`` (bold ``title`` and
    ``caption``) and a "Show the numbers in this chart" ``<details>`` with ``data`` as an
    accessible table captioned ``data_caption``. ``fig`` is a :class:`~rutland_jsna.report.
    svg.Figure` (inline ``<svg role="img" aria-label=alt>``) or a matplotlib figure (a PNG
    ``<img alt>``). Chapters that draw their own figures should use it rather than build the
    markup again.
    """
    figure_id = _page_chart_id(title, alt)
    if isinstance(fig, Figure):
        image, width, _ = fig.svg(label=alt, id_prefix=figure_id)
        mime = "image/svg+xml"
        picture = Html(image)
    else:
        image, width, height = _png(fig)
        mime = "image/png"
        picture = Html(f'<img src="data:image/png;base64,{image}" alt="{esc(alt)}" '
                       f'width="{width}" height="{height}" style="--chart-width: {width}px">')
    table = frame_table(data, caption=data_caption, decimals=decimals)
    markup = tag(
        "figure",
        [
            scroll_region(picture, f"Chart: {title}", class_="chart-image"),
            tag(
                "figcaption",
                [tag("strong", title, class_="chart-title"), Html(" "), tag("span", caption)],
            ),
            details("Show the numbers in this chart", table),
        ],
        class_="chart",
        id=figure_id,
    )
    return Chart(markup.markup, image, alt, title, data, mime=mime)


#: Characters of the title's slug kept in a chart's id (the digest makes it unique).
_ID_SLUG_CHARS = 48
#: Chart ids issued on the current page (:func:`start_page` empties it), with their counts.
_ISSUED: dict[str, int] = {}


def start_page() -> None:
    """Start a new page of chart ids (``blocks.chapter_header`` calls it for every chapter).

    A chapter may show the same chart twice (an indicator that belongs to two sections): the
    second copy's id gets a ``-2`` suffix, so ids stay unique on the page and the same on
    every build of it.
    """
    _ISSUED.clear()


def chart_id(title: str, alt: str = "") -> str:
    """The ``id`` of a chart's ``<figure>``: a readable slug of the title and a digest.

    The slug is cut to keep ids short; the 10-hex-digit SHA-1 digest of the full title and
    alt text keeps them unique on a page, where long titles often share their first words
    (duplicate ids break in-page links and assistive technology).

    Examples
    --------
    >>> chart_id("Smoking prevalence: Rutland and England over time")
    'chart-smoking-prevalence-rutland-and-england-over-time-d9baa64f09'
    """
    digest = hashlib.sha1(f"{title}\n{alt}".encode()).hexdigest()[:10]
    return f"chart-{slug(title)[:_ID_SLUG_CHARS].rstrip('-')}-{digest}"


def _page_chart_id(title: str, alt: str) -> str:
    """:func:`chart_id`, with ``-2``, ``-3`` … for repeats of the same chart on the page."""
    base = chart_id(title, alt)
    n = _ISSUED.get(base, 0) + 1
    _ISSUED[base] = n
    return base if n == 1 else f"{base}-{n}"


def no_chart(title: str, reason: str) -> Html:
    """What is shown instead of a chart when there is nothing to draw (in words)."""
    return tag(
        "p",
        [tag("strong", title), Html(": "), esc(reason)],
        class_="no-chart",
    )


def _alt_number(value: Any, decimals: int | None = 1) -> str:
    """A number for alt text: "no data" when missing."""
    if is_missing(value):
        return "no data"
    return f"{round(float(value)):,}" if decimals is None else format_number(value, decimals)


def _alt_rows(
    frame: pd.DataFrame, category: str, columns: Sequence[str], decimals: int | None
) -> str:
    """``"A: x 1.0, y no data; B: …"`` — every row's values for alt text."""
    return "; ".join(
        f"{row[category]}: " + ", ".join(f"{c} {_alt_number(row[c], decimals)}" for c in columns)
        for _, row in frame.iterrows()
    )


def _wrap(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _unit_suffix(unit: str | None) -> str:
    if not unit or is_missing(unit):
        return ""
    return "%" if unit == "%" else f" {unit}"


# ------------------------------------------------------------------------------------------
# Neighbour bar chart
# ------------------------------------------------------------------------------------------


def neighbour_chart(
    values: pd.DataFrame,
    *,
    area_code: str,
    indicator: str,
    period: str,
    unit: str = "",
    england: float | None = None,
    goal: float | None = None,
    basis: str = BASIS_ENGLAND,
    title: str | None = None,
    ci_label: str = "95%",
) -> Html:
    """Horizontal bars of the area and its comparators with CI whiskers (``ci_label``, the
    level of the values' interval: "95%" or "99.8%").

    Parameters
    ----------
    values : pandas.DataFrame
        One row per area: ``area_code``, ``area_name``, ``value``, ``lower_ci``,
        ``upper_ci``, ``comparison`` (label vs England), ``missing_reason`` ("" when present).
    area_code : str
        The subject area, highlighted (black outline, bold label, "selected area").
    indicator, period, unit : str
        Used in the title, axis label, alt text and caption.
    england, goal : float, optional
        Drawn as a labelled solid (England) or dashed (goal) vertical line.

    Returns
    -------
    Chart or Html
        The chart; or a sentence when no area has a value.
    """
    title = title or f"{indicator}: {period}, compared with similar areas"
    frame = values.copy()
    if "missing_reason" not in frame:
        frame["missing_reason"] = ""
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    if frame["value"].notna().sum() == 0:
        return no_chart(title, f"no area in the comparator group has a value for {period}.")
    present = frame[frame["value"].notna()].sort_values("value", ascending=True)
    absent = frame[frame["value"].isna()]
    ordered = pd.concat([absent, present])  # drawn bottom to top: highest value at the top
    n = len(ordered)
    suffix = _unit_suffix(unit)
    fig = Figure(8.5, 0.34 * n + 1.4)
    ax = fig.add_subplot()
    y = np.arange(n)
    vals = ordered["value"].to_numpy(dtype=float)
    colours = [comparison_colour(c, BASIS_ENGLAND) for c in ordered.get("comparison", [None] * n)]
    is_area = (ordered["area_code"] == area_code).to_numpy()
    ax.barh(
        y,
        np.nan_to_num(vals),
        color=colours,
        edgecolor=["#000000" if a else "#666666" for a in is_area],
        linewidth=[2.2 if a else 0.5 for a in is_area],
        height=0.7,
    )
    lo = pd.to_numeric(ordered.get("lower_ci"), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(ordered.get("upper_ci"), errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(lo) & ~np.isnan(hi) & ~np.isnan(vals)
    if ok.any():
        ax.errorbar(
            vals[ok],
            y[ok],
            xerr=[vals[ok] - lo[ok], hi[ok] - vals[ok]],
            ecolor=CI_COLOUR,
            elinewidth=1,
            capsize=3,
        )
    xmax = np.nanmax(np.concatenate([vals, hi[ok] if ok.any() else [], [england or 0, goal or 0]]))
    xmax = float(xmax) if np.isfinite(xmax) and xmax > 0 else 1.0
    for yi, (v, reason) in enumerate(zip(vals, ordered["missing_reason"], strict=True)):
        if np.isnan(v):
            word = str(reason) if not is_missing(reason) and str(reason) else "no data"
            ax.text(xmax * 0.01, yi, word, va="center", ha="left", fontsize=9, style="italic")
    labels = []
    for name, code, comp in zip(
        ordered["area_name"], ordered["area_code"], ordered.get("comparison", [None] * n),
        strict=True,
    ):
        text = f"{name} ({comparison_text(comp)})"
        labels.append(f"{text} - selected area" if code == area_code else text)
    ax.set_yticks(y, labels, bold=is_area)
    if england is not None and not is_missing(england):
        ax.axvline(float(england), color=ENGLAND_COLOUR, linewidth=1.5)
        ax.text(float(england), n - 0.3, f" England {format_number(england)}", fontsize=9,
                va="bottom", ha="left")
    if goal is not None and not is_missing(goal):
        ax.axvline(float(goal), color=GOAL_COLOUR, linewidth=1.5, linestyle="--")
        ax.text(float(goal), -0.9, f" Goal {format_number(goal)}", fontsize=9,
                color=GOAL_COLOUR, va="top", ha="left")
    ax.set_ylim(-1.2 if goal is not None else -0.6, n + 0.2)
    ax.set_xlim(0, xmax * 1.08)
    ax.set_xlabel(f"{indicator} ({unit})" if unit else indicator)
    ax.grid("x")
    ax.set_axisbelow(True)
    data = pd.DataFrame(
        {
            "Area": ordered["area_name"].iloc[::-1].to_numpy(),
            "Value": vals[::-1],
            "Lower CI": lo[::-1],
            "Upper CI": hi[::-1],
            "Compared with England": [
                comparison_text(c) for c in ordered.get("comparison", [None] * n)
            ][::-1],
        }
    )
    area_row = frame[frame["area_code"] == area_code]
    alt = _neighbour_alt(area_row, present, indicator, period, suffix, england, goal)
    caption = (
        f"{indicator} ({unit or 'value'}), {period}. Bars show each area's value, whiskers its "
        f"{ci_label} confidence interval; bar colour and the word in brackets give the comparison "
        f"with England. Source: OHID Fingertips."
    )
    return figure_html(
        fig, title=title, alt=alt, caption=caption, data=data,
        data_caption=f"{indicator}, {period}: values for the comparator group",
    )


def _neighbour_alt(
    area_row: pd.DataFrame,
    present: pd.DataFrame,
    indicator: str,
    period: str,
    suffix: str,
    england: float | None,
    goal: float | None,
) -> str:
    parts = [f"Bar chart of {indicator} in {period} for {len(present)} areas with a value."]
    if len(area_row):
        row = area_row.iloc[0]
        if is_missing(row["value"]):
            parts.append(f"{row['area_name']} has no value.")
        else:
            parts.append(
                f"{row['area_name']}: {format_number(row['value'])}{suffix} "
                f"({comparison_text(row.get('comparison'))} compared with England)."
            )
    top, bottom = present.iloc[-1], present.iloc[0]
    parts.append(
        f"Highest {top['area_name']} {format_number(top['value'])}{suffix}; "
        f"lowest {bottom['area_name']} {format_number(bottom['value'])}{suffix}."
    )
    if england is not None and not is_missing(england):
        parts.append(f"England {format_number(england)}{suffix}.")
    if goal is not None and not is_missing(goal):
        parts.append(f"Goal {format_number(goal)}{suffix}.")
    return " ".join(parts)


# ------------------------------------------------------------------------------------------
# Trend chart
# ------------------------------------------------------------------------------------------


#: Type size of a line's end label, and the least distance between two labels' centres.
_END_LABEL_SIZE = 9
_END_LABEL_GAP = 12.0


def _end_labels(ax: Axes, ends: Sequence[tuple[str, float, float, str]]) -> None:
    """Label each line at its last point, to the right, never overprinting one another.

    ``ends`` holds ``(text, x, y, colour)`` in data coordinates; call it once the axis limits
    are final. Labels closer than :data:`_END_LABEL_GAP` points are pushed apart about their
    midpoint (the higher value's label on top), and a label is kept above the x axis (not
    over the period labels).
    """
    ax.freeze_limits()  # the autoscaled limits, before reading positions
    ys = [-ax.px(x, y)[1] / PT for _, x, y, _ in ends]  # points, upwards
    targets = list(ys)
    if len(ends) == 2 and abs(ys[0] - ys[1]) < _END_LABEL_GAP:
        mid = (ys[0] + ys[1]) / 2
        hi = 0 if ys[0] >= ys[1] else 1
        targets[hi], targets[1 - hi] = mid + _END_LABEL_GAP / 2, mid - _END_LABEL_GAP / 2
    floor = -ax.bottom / PT + _END_LABEL_GAP / 2
    lift = max(0.0, floor - min(targets))
    for (text, x, y, colour), y0, target in zip(ends, ys, targets, strict=True):
        ax.annotate(text, (x, y), xytext=(7, target + lift - y0), va="center", ha="left",
                    color=colour, fontsize=_END_LABEL_SIZE)


def trend_chart(
    series: pd.DataFrame,
    *,
    area_name: str,
    indicator: str,
    unit: str = "",
    england: pd.DataFrame | None = None,
    goal: float | None = None,
    title: str | None = None,
    bands: pd.DataFrame | None = None,
    polarity: str | None = None,
    ci_label: str = "95%",
) -> Html:
    """The area's values over time with CI whiskers (at ``ci_label``), England as a line, goal
    dashed.

    Parameters
    ----------
    series : pandas.DataFrame
        The area's series in time order: ``period`` (label), ``value``, ``lower_ci``,
        ``upper_ci``.
    england : pandas.DataFrame, optional
        England's ``period`` and ``value``, aligned on the period label.
    bands : pandas.DataFrame, optional
        National quintile bounds per period (``period``, ``p20``, ``p40``, ``p60``, ``p80``;
        :func:`~rutland_jsna.analysis.series.quintile_bands`), drawn as five shaded bands behind
        the lines, named by ``polarity`` (Best … Worst, or Lowest … Highest) in a legend that
        lists them top to bottom; the bounds join the chart's numbers table, and the alt text
        says which quintile the latest value is in.
    polarity : str, optional
        The indicator's polarity, for the band names.
    """
    title = title or f"{indicator}: {area_name} and England over time"
    area = series.copy()
    area["value"] = pd.to_numeric(area["value"], errors="coerce")
    if area["value"].notna().sum() == 0:
        return no_chart(title, f"{area_name} has no values over time for this indicator.")
    periods = list(dict.fromkeys(area["period"].astype(str).tolist()))
    if england is not None and len(england):
        for p in england["period"].astype(str):
            if p not in periods:
                periods.append(p)
        # keep the area's order; England-only periods go in England's order
        eng_order = england["period"].astype(str).tolist()
        periods = sorted(periods, key=lambda p: (eng_order.index(p) if p in eng_order else -1,
                                                  periods.index(p)))
    x_of = {p: i for i, p in enumerate(periods)}
    x = np.array([x_of[p] for p in area["period"].astype(str)])
    v = area["value"].to_numpy(dtype=float)
    lo = pd.to_numeric(area.get("lower_ci"), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(area.get("upper_ci"), errors="coerce").to_numpy(dtype=float)
    suffix = _unit_suffix(unit)
    fig = Figure(8.5, 4.0)
    ax = fig.add_subplot()
    ok = ~np.isnan(lo) & ~np.isnan(hi) & ~np.isnan(v)
    ax.plot(x, v, color=AF_DARK_BLUE, marker="o", linewidth=2, label=area_name)
    if ok.any():
        ax.errorbar(x[ok], v[ok], yerr=[v[ok] - lo[ok], hi[ok] - v[ok]], ecolor=AF_DARK_BLUE, elinewidth=1, capsize=3)
    last = np.flatnonzero(~np.isnan(v))[-1]
    eng_last = None
    eng_v = None
    if england is not None and len(england):
        ex = np.array([x_of[p] for p in england["period"].astype(str)])
        eng_v = pd.to_numeric(england["value"], errors="coerce").to_numpy(dtype=float)
        ax.plot(ex, eng_v, color=ENGLAND_COLOUR, linestyle="--", marker="s", markersize=4,
                linewidth=1.5, label="England")
        if (~np.isnan(eng_v)).any():
            eng_last = np.flatnonzero(~np.isnan(eng_v))[-1]
    if goal is not None and not is_missing(goal):
        ax.axhline(float(goal), color=GOAL_COLOUR, linestyle=":", linewidth=1.5)
        ax.text(0, float(goal), f"Goal {format_number(goal)}", color=GOAL_COLOUR,
                fontsize=9, va="bottom")
    ax.set_xticks(range(len(periods)), periods, rotation=45 if len(periods) > 6 else 0,
                  ha="right" if len(periods) > 6 else "center")
    ax.set_ylabel(unit or "value")
    ax.grid("y")
    ax.set_axisbelow(True)
    ax.legend(loc="best", fontsize=9)
    bottom = np.nanmin(np.concatenate([lo[ok] if ok.any() else v, v]))
    band_frame = _usable_bands(bands, x_of)
    if band_frame is None:
        ax.set_ylim(bottom=min(0.0, float(bottom)) if np.isfinite(bottom) else 0.0)
    else:
        _draw_quintile_bands(ax, band_frame, x_of, polarity,
                             [v, lo, hi, eng_v if eng_v is not None else v])
    ends = [(f"{area_name} {format_number(v[last])}", x[last], v[last], AF_DARK_BLUE)]
    if eng_last is not None:
        ends.append((f"England {format_number(eng_v[eng_last])}", ex[eng_last],
                     eng_v[eng_last], "#000000"))
    _end_labels(ax, ends)
    eng_map = (
        dict(zip(england["period"].astype(str), pd.to_numeric(england["value"], errors="coerce"),
                 strict=True))
        if england is not None and len(england) else {}
    )
    data = pd.DataFrame(
        {
            "Period": area["period"].astype(str).to_numpy(),
            area_name: v,
            "Lower CI": lo,
            "Upper CI": hi,
            "England": [eng_map.get(p, np.nan) for p in area["period"].astype(str)],
        }
    )
    if band_frame is not None:
        by_period = band_frame.set_index("period")
        for col, name in zip(_BAND_BOUNDS, _BAND_BOUND_NAMES, strict=True):
            data[name] = [by_period[col].get(p, np.nan) for p in data["Period"]]
    present = data[~np.isnan(v)]
    first, latest = present.iloc[0], present.iloc[-1]
    alt = (
        f"Line chart of {indicator} for {area_name} from {first['Period']} to "
        f"{latest['Period']}: from {format_number(first[area_name])}{suffix} to "
        f"{format_number(latest[area_name])}{suffix}."
    )
    if not is_missing(latest["England"]):
        alt += f" England {format_number(latest['England'])}{suffix} in {latest['Period']}."
    if goal is not None and not is_missing(goal):
        alt += f" Goal {format_number(goal)}{suffix}."
    caption = (
        f"{indicator} ({unit or 'value'}). Solid line: {area_name} with {ci_label} confidence "
        f"intervals; dashed line: England."
    )
    if band_frame is not None:
        names = _band_names(polarity)
        latest_band = _band_of(latest[area_name], [latest[n] for n in _BAND_BOUND_NAMES])
        if latest_band is not None:
            alt += (f" Shaded bands show the national quintiles of upper-tier authorities; in "
                    f"{latest['Period']} {area_name} is in the {names[latest_band].lower()} "
                    "quintile.")
        caption += (" Shaded bands: the quintiles of all upper-tier authorities in each period "
                    "(a value on a bound belongs to the lower band).")
    caption += " Source: OHID Fingertips."
    return figure_html(fig, title=title, alt=alt, caption=caption, data=data,
                        data_caption=f"{indicator}: {area_name} and England by period")


_BAND_BOUNDS = ("p20", "p40", "p60", "p80")
_BAND_BOUND_NAMES = ("Quintile bound 20%", "Quintile bound 40%", "Quintile bound 60%",
                     "Quintile bound 80%")
#: Band fills from the lowest values to the highest: pale grey to mid blue, each at least 4:1
#: against the area's line colour (dark blue), with white bounds between them.
_BAND_FILLS = ("#F7F7F7", "#DDE6F0", "#C2D3E6", "#A4BDD9", "#8FAED2")


def _band_names(polarity: str | None) -> tuple[str, ...]:
    """Names of the five bands from the lowest values up (Fingertips quintile words)."""
    if polarity == Polarity.HIGH_IS_GOOD.value:
        return tuple(reversed(QUINTILE_LABELS_RAG))
    if polarity == Polarity.LOW_IS_GOOD.value:
        return QUINTILE_LABELS_RAG
    return QUINTILE_LABELS_NO_JUDGEMENT


def _band_of(value: Any, bounds: Sequence[Any]) -> int | None:
    """Index (0 = lowest values) of the band holding ``value``, by
    :func:`~rutland_jsna.stats.quantiles.quintile_category` (a value on a bound is in the lower
    band)."""
    if is_missing(value) or any(is_missing(b) for b in bounds):
        return None
    return int(quintile_category(value, bounds)[0]) - 1


def _usable_bands(bands: pd.DataFrame | None, x_of: Mapping[str, int]) -> pd.DataFrame | None:
    if bands is None or not len(bands):
        return None
    b = bands.assign(period=bands["period"].astype(str))
    b = b[b["period"].isin(list(x_of))].dropna(subset=list(_BAND_BOUNDS))
    return b if len(b) else None


def _draw_quintile_bands(
    ax: Axes,
    bands: pd.DataFrame,
    x_of: Mapping[str, int],
    polarity: str | None,
    drawn: Sequence[np.ndarray],
) -> None:
    """Five step bands behind the lines, the y range fitted to lines and bounds."""
    bounds = bands[list(_BAND_BOUNDS)].to_numpy(dtype=float)
    values = np.concatenate([np.asarray(a, dtype=float) for a in drawn] + [bounds.ravel()])
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.08 * (high - low) if high > low else 1.0
    ylo, yhi = low - pad, high + pad
    xs = np.array([x_of[p] for p in bands["period"]], dtype=float)
    order = np.argsort(xs)
    xs, bounds = xs[order], bounds[order]
    x_steps = np.column_stack([xs - 0.5, xs + 0.5]).ravel()
    edges = np.column_stack([np.full(len(xs), ylo), bounds, np.full(len(xs), yhi)])
    names = _band_names(polarity)
    handles = []
    for i in range(5):
        handles.append(ax.fill_between(
            x_steps, np.repeat(edges[:, i], 2), np.repeat(edges[:, i + 1], 2),
            color=_BAND_FILLS[i], zorder=0, label=f"{names[i]} quintile"))
    for j in range(1, 5):  # white bounds between the bands
        ax.plot(x_steps, np.repeat(edges[:, j], 2), color="white", linewidth=1, zorder=0.5)
    ax.set_ylim(ylo, yhi)
    ax.set_xlim(-0.5, len(x_of) - 0.5)
    below = -0.3 if len(x_of) > 6 else -0.14  # under rotated period labels
    ax.legend(handles=handles[::-1], loc="upper center", bbox_to_anchor=(0.5, below),
              ncols=5, fontsize=8,
              title="National quintiles, top band to bottom band", title_fontsize=8)


# ------------------------------------------------------------------------------------------
# Spine chart
# ------------------------------------------------------------------------------------------


def spine_chart(
    rows: pd.DataFrame,
    *,
    area_name: str,
    title: str | None = None,
) -> Html:
    """Fingertips-style spine chart: the area against the range of all upper-tier authorities.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per indicator: ``indicator``, ``value``, ``england``, ``minimum``, ``p25``,
        ``p75``, ``maximum``, ``comparison``, ``comparison_basis``, ``polarity``.

    Notes
    -----
    Each row is scaled so England sits in the middle and the further extreme at the edge.
    For indicators with a polarity the worst end is on the left and the best on the right;
    for the others the lowest values are on the left.
    """
    title = title or f"{area_name} compared with the range of English authorities"
    frame = rows.copy()
    for col in ("value", "england", "minimum", "p25", "p75", "maximum"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    usable = frame["england"].notna() & frame["minimum"].notna() & frame["maximum"].notna()
    if not usable.any():
        return no_chart(title, "no indicator has an England value and a national range.")
    frame = frame[usable].reset_index(drop=True)
    n = len(frame)
    fig = Figure(10.0, 0.6 * n + 1.3)
    ax = fig.add_subplot()
    for i, r in frame.iterrows():
        y = n - 1 - i
        e = r["england"]
        spread = max(abs(r["minimum"] - e), abs(r["maximum"] - e)) or 1.0
        flip = str(r.get("polarity")) == Polarity.LOW_IS_GOOD.value

        def pos(v: float, e: float = e, spread: float = spread, flip: bool = flip) -> float:
            x = 0.5 + (v - e) / spread * 0.5
            return 1 - x if flip else x

        a, b = sorted((pos(r["minimum"]), pos(r["maximum"])))
        ax.barh(y, b - a, left=a, color=SPINE_RANGE, height=0.6)
        if not (np.isnan(r["p25"]) or np.isnan(r["p75"])):
            a2, b2 = sorted((pos(r["p25"]), pos(r["p75"])))
            ax.barh(y, b2 - a2, left=a2, color=SPINE_IQR, height=0.6)
        if not np.isnan(r["value"]):
            colour = comparison_colour(r.get("comparison"), r.get("comparison_basis"))
            ax.plot(pos(r["value"]), y, marker="o", markersize=9, color=colour,
                    markeredgecolor="#000000", markeredgewidth=1.2)
    ax.axvline(0.5, color=ENGLAND_COLOUR, linewidth=1.5)
    labels = [_wrap(t, 44) for t in frame["indicator"]]
    ax.set_yticks(range(n - 1, -1, -1), labels, fontsize=9.5)
    right = [
        ("no value" if np.isnan(v) else format_number(v)) + f"  {comparison_text(c, b)}"
        for v, c, b in zip(frame["value"], frame.get("comparison"),
                           frame.get("comparison_basis", [BASIS_ENGLAND] * n), strict=True)
    ]
    ax2 = ax.twinx()
    ax2.set_ylim(-0.6, n - 0.4)
    ax2.set_yticks(range(n - 1, -1, -1), right, fontsize=9.5)
    ax2.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks([0.0, 0.5, 1.0], ["Worst / lowest", "England", "Best / highest"])
    ax.tick_params(axis="y", length=0)
    data = pd.DataFrame(
        {
            "Indicator": frame["indicator"],
            area_name: frame["value"],
            "England": frame["england"],
            "Lowest authority": frame["minimum"],
            "25th percentile": frame["p25"],
            "75th percentile": frame["p75"],
            "Highest authority": frame["maximum"],
            "Compared with England": [
                comparison_text(c, b)
                for c, b in zip(frame.get("comparison"),
                                frame.get("comparison_basis", [BASIS_ENGLAND] * n), strict=True)
            ],
        }
    )
    worse = sum(1 for t in data["Compared with England"] if t.startswith("Worse"))
    better = sum(1 for t in data["Compared with England"] if t.startswith("Better"))
    alt = (
        f"Spine chart of {n} indicators for {area_name} against the range of English "
        f"upper-tier authorities, England in the middle. {better} better and {worse} worse "
        f"than England; the table below gives every value."
    )
    caption = (
        f"Each bar spans all upper-tier authorities (light grey: lowest to highest; dark grey: "
        f"25th to 75th percentile); the vertical line is England; the circle is {area_name}, "
        f"coloured by its comparison with England (words on the right). For indicators with a "
        f"polarity, worse is on the left. Source: OHID Fingertips."
    )
    return figure_html(fig, title=title, alt=alt, caption=caption, data=data,
                        data_caption=f"Values behind the spine chart for {area_name}")


# ------------------------------------------------------------------------------------------
# Funnel plot
# ------------------------------------------------------------------------------------------


#: Denominators spanning more than this factor are drawn on a logarithmic axis.
_FUNNEL_LOG_RATIO = 20.0


def _clip_limit(
    limits: pd.DataFrame, column: str, dmin: float, dmax: float
) -> tuple[np.ndarray, np.ndarray]:
    """One limit line restricted to ``[dmin, dmax]``, interpolated at the two ends."""
    lim = limits[["denominator", column]].apply(pd.to_numeric, errors="coerce").dropna()
    lim = lim.sort_values("denominator")
    d = lim["denominator"].to_numpy(dtype=float)
    y = lim[column].to_numpy(dtype=float)
    if len(d) == 0 or d[-1] < dmin or d[0] > dmax:
        return np.array([]), np.array([])
    lo, hi = max(dmin, d[0]), min(dmax, d[-1])
    inside = (d > lo) & (d < hi)
    xs = np.concatenate([[lo], d[inside], [hi]])
    if d[0] > 0:  # limits vary with 1/sqrt(denominator): interpolate on a log axis
        return xs, np.interp(np.log(xs), np.log(d), y)
    return xs, np.interp(xs, d, y)


def funnel_chart(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    area_code: str,
    indicator: str,
    benchmark: float,
    unit: str = "",
    denominator_label: str = "Denominator",
    title: str | None = None,
) -> Html:
    """Funnel plot: each area's value against its denominator, with control limits.

    Parameters
    ----------
    points : pandas.DataFrame
        ``area_code``, ``area_name``, ``denominator``, ``value``.
    limits : pandas.DataFrame
        ``denominator`` grid and ``lower_95``, ``upper_95``, ``lower_99_8``, ``upper_99_8``
        (the columns of :func:`rutland_jsna.stats.funnel_limits`, via
        ``rutland_jsna.analysis``). The limits are drawn only across the plotted range of
        denominators (smallest to largest point), interpolated at its ends.
    benchmark : float
        The centre line (e.g. England's value).

    Notes
    -----
    When the denominators span more than a factor of 20 the denominator axis is logarithmic,
    so that small areas (such as Rutland) are not crowded against the axis.
    """
    title = title or f"{indicator}: funnel plot"
    pts = points.copy()
    pts["value"] = pd.to_numeric(pts["value"], errors="coerce")
    pts["denominator"] = pd.to_numeric(pts["denominator"], errors="coerce")
    pts = pts[pts["value"].notna() & pts["denominator"].notna()]
    if pts.empty:
        return no_chart(title, "no area has both a value and a denominator.")
    fig = Figure(8.5, 4.8)
    ax = fig.add_subplot()
    dmin, dmax = float(pts["denominator"].min()), float(pts["denominator"].max())
    log_axis = dmin > 0 and dmax / dmin > _FUNNEL_LOG_RATIO
    for lo_col, hi_col, style, label in (
        ("lower_95", "upper_95", "--", "95% limits"),
        ("lower_99_8", "upper_99_8", ":", "99.8% limits"),
    ):
        if lo_col in limits and hi_col in limits:
            d, lo_line = _clip_limit(limits, lo_col, dmin, dmax)
            _, hi_line = _clip_limit(limits, hi_col, dmin, dmax)
            if len(d):
                ax.plot(d, lo_line, color=CI_COLOUR, linestyle=style, linewidth=1.2,
                        label=label)
                ax.plot(d, hi_line, color=CI_COLOUR, linestyle=style, linewidth=1.2)
    if log_axis:
        ax.set_xscale("log")
        ax.x_formatter = lambda v: f"{v:,.0f}"
    ax.axhline(benchmark, color=ENGLAND_COLOUR, linewidth=1.5, label="England")
    is_area = (pts["area_code"] == area_code).to_numpy()
    ax.scatter(pts.loc[~is_area, "denominator"], pts.loc[~is_area, "value"], s=22,
               color=AF_DARK_BLUE, alpha=0.8, label="Other areas")
    if is_area.any():
        r = pts[is_area].iloc[0]
        ax.scatter([r["denominator"]], [r["value"]], s=90, color=AF_ORANGE,
                   edgecolor="#000000", linewidth=1.5, zorder=5, label=r["area_name"])
        ax.annotate(str(r["area_name"]), (r["denominator"], r["value"]), xytext=(8, 6),
                    fontsize=9, fontweight="bold")
    ax.set_xlabel(denominator_label)
    ax.set_ylabel(unit or "value")
    # beside the plot, never over the points
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.grid("y")
    data = pd.DataFrame(
        {"Area": pts["area_name"].to_numpy(), denominator_label: pts["denominator"].to_numpy(),
         "Value": pts["value"].to_numpy()}
    )
    alt = f"Funnel plot of {indicator} for {len(pts)} areas against {denominator_label.lower()}."
    if is_area.any():
        r = pts[is_area].iloc[0]
        alt += f" {r['area_name']} {format_number(r['value'])}{_unit_suffix(unit)}."
    alt += f" England {format_number(benchmark)}{_unit_suffix(unit)}."
    caption = (
        "Points outside the dashed (95%) or dotted (99.8%) control limits differ from England "
        "by more than chance would explain. Source: OHID Fingertips."
    )
    return figure_html(fig, title=title, alt=alt, caption=caption, data=data,
                        data_caption=f"{indicator}: values and denominators",
                        decimals=[None, None, 1])


# ------------------------------------------------------------------------------------------
# Simple bar charts (Covid recovery, place of death)
# ------------------------------------------------------------------------------------------


def grouped_bar_chart(
    data: pd.DataFrame,
    *,
    category: str,
    series: Sequence[str],
    title: str,
    unit: str = "",
    caption: str = "",
    alt: str | None = None,
    decimals: int = 1,
) -> Html:
    """Bars of ``series`` columns side by side for each ``category`` value, labelled directly."""
    frame = data[[category, *series]].copy()
    if frame[list(series)].apply(pd.to_numeric, errors="coerce").notna().sum().sum() == 0:
        return no_chart(title, "no values are available.")
    k = len(series)
    fig = Figure(8.5, 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(frame))
    width = 0.8 / k
    for j, s in enumerate(series):
        vals = pd.to_numeric(frame[s], errors="coerce").to_numpy(dtype=float)
        bars = ax.bar(x + (j - (k - 1) / 2) * width, np.nan_to_num(vals), width,
                      color=SERIES_COLOURS[j % len(SERIES_COLOURS)], label=s)
        for rect, v in zip(bars, vals, strict=True):
            ax.text(rect.get_x() + rect.get_width() / 2, rect.get_height(),
                    "no data" if np.isnan(v) else format_number(v, decimals),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [_wrap(c, 18) for c in frame[category].astype(str)])
    ax.set_ylabel(unit or "value")
    ax.legend(fontsize=9)
    ax.grid("y")
    ax.set_axisbelow(True)
    alt = alt or (
        f"Bar chart of {', '.join(series)} by {category.lower()}: "
        + _alt_rows(frame, category, series, decimals) + "."
    )
    return figure_html(fig, title=title, alt=alt, caption=caption or "", data=frame,
                        data_caption=title, decimals=decimals)


#: Hatches that tell the segments of a stacked bar apart without colour (WCAG 1.4.1).
_SEGMENT_HATCHES = ("", "//", "..", "xx", "\\\\")
_REMAINDER_COLOUR = "#BFBFBF"


def stacked_bar_chart(
    data: pd.DataFrame,
    *,
    category: str,
    segments: Sequence[str],
    title: str,
    total: float = 100.0,
    remainder: str | None = "Elsewhere",
    unit: str = "%",
    caption: str = "",
    decimals: int = 1,
) -> Html:
    """Horizontal stacked bars: one bar per ``category`` value (e.g. an area and England), its
    ``segments`` columns (shares of ``total``, e.g. percentages of deaths) end to end.

    Each segment has its own colour *and* hatch and is labelled with its value where it is wide
    enough; the legend names the segments in stacking order. With ``remainder`` set, the part of
    ``total`` not in the segments is drawn last in grey under that name, and its value is added
    to the numbers table. A missing segment is left out of its bar (the known segments keep their
    true widths), the bar is labelled "no data for …" after its last segment, and its remainder,
    which cannot be known, is neither drawn nor computed.
    """
    frame = data[[category, *segments]].copy()
    vals = frame[list(segments)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if np.isnan(vals).all():
        return no_chart(title, "no values are available.")
    complete = ~np.isnan(vals).any(axis=1)
    names = list(segments)
    if remainder:
        rest = np.where(complete, np.clip(total - np.nansum(vals, axis=1), 0, None), np.nan)
        vals = np.column_stack([vals, rest])
        frame[remainder] = rest
        names.append(remainder)
    fills = [SERIES_COLOURS[j % len(SERIES_COLOURS)] for j in range(len(segments))]
    if remainder:
        fills.append(_REMAINDER_COLOUR)
    labels = [_wrap(c, 22) for c in frame[category].astype(str)]
    fig = Figure(8.5, 0.9 * len(frame) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(frame))[::-1]
    left = np.zeros(len(frame))
    for j, name in enumerate(names):
        width = np.nan_to_num(vals[:, j])
        bars = ax.barh(y, width, 0.6, left=left, color=fills[j], label=name,
                       hatch=_SEGMENT_HATCHES[j % len(_SEGMENT_HATCHES)],
                       edgecolor="white", linewidth=0.8)
        text_colour = text_colour_for(fills[j])
        for rect, v in zip(bars, vals[:, j], strict=True):
            if not np.isnan(v) and v >= 0.07 * total:
                ax.text(rect.get_x() + rect.get_width() / 2, rect.get_y() + rect.get_height() / 2,
                        format_number(v, decimals), ha="center", va="center", fontsize=9,
                        color=text_colour, background=fills[j], background_pad=0.15)
        left = left + width
    for yy, ok, row, end in zip(y, complete, vals, left, strict=True):
        if not ok:
            missing = [n for n, v in zip(segments, row, strict=False) if np.isnan(v)]
            ax.text(end + total * 0.01, yy, "no data for " + ", ".join(m.lower() for m in missing),
                    va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, total)
    ax.set_xlabel(unit or "share")
    ax.grid("x")
    ax.set_axisbelow(True)
    ax.legend(ncols=min(len(names), 4), loc="upper center", bbox_to_anchor=(0.5, -0.28),
              fontsize=9)
    alt = (
        f"Stacked bar chart of {', '.join(n.lower() for n in names)} ({unit}) for "
        + _alt_rows(frame, category, names, decimals) + "."
    )
    return figure_html(fig, title=title, alt=alt, caption=caption, data=frame,
                        data_caption=title, decimals=decimals)


def bar_chart(
    data: pd.DataFrame,
    *,
    category: str,
    value: str,
    title: str,
    unit: str = "",
    caption: str = "",
    alt: str | None = None,
    decimals: int | None = 1,
    extra_columns: Sequence[str] = (),
) -> Html:
    """A single series of labelled vertical bars."""
    frame = data[[category, value, *extra_columns]].copy()
    vals = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    if np.isnan(vals).all():
        return no_chart(title, "no values are available.")
    fig = Figure(7.5, 3.8)
    ax = fig.add_subplot()
    x = np.arange(len(frame))
    bars = ax.bar(x, np.nan_to_num(vals), 0.6, color=AF_DARK_BLUE)
    for rect, v in zip(bars, vals, strict=True):
        text = "no data" if np.isnan(v) else (
            f"{round(v):,}" if decimals is None else format_number(v, decimals)
        )
        ax.text(rect.get_x() + rect.get_width() / 2, rect.get_height(), text,
                ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, [_wrap(c, 18) for c in frame[category].astype(str)])
    ax.set_ylabel(unit or value)
    ax.grid("y")
    ax.set_axisbelow(True)
    alt = alt or (
        f"Bar chart of {value.lower()} by {category.lower()}: "
        + "; ".join(
            f"{c} {('no data' if np.isnan(v) else (f'{round(v):,}' if decimals is None else format_number(v, decimals)))}"
            for c, v in zip(frame[category], vals, strict=True)
        )
        + "."
    )
    dec: Any = decimals
    return figure_html(fig, title=title, alt=alt, caption=caption, data=frame,
                        data_caption=title, decimals=dec)
