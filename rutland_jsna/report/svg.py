"""Charts written directly as SVG: a small plotting layer with the look of the matplotlib charts.

The chapters' charts (:mod:`rutland_jsna.report.charts`) were drawn with matplotlib and saved as
PNG with a tight bounding box: about 170 ms a chart, most of a chapter's build, and 80 kB of
base64 each. This module draws the same elements — bars, whiskers, lines with markers, shaded
bands, reference lines, hatched segments, tick labels, legends — straight into SVG markup with
the same geometry: figure sizes in inches at 100 dpi, matplotlib's default subplot box, tick
lengths and paddings in points, its tick locator (:func:`nice_ticks`, after
``matplotlib.ticker.MaxNLocator``) and number format, its "best" legend placement, and the
figure cropped to what is drawn plus 0.1 inch, as ``bbox_inches="tight"`` did. Text stays text
(DejaVu Sans, measured by :mod:`rutland_jsna.report._font_metrics`), so the chart is sharp at
any zoom, its words can be found on the page, and it costs about a millisecond to draw.

The API follows matplotlib's where the charts used it (``Figure.add_subplot``, ``Axes.barh``,
``errorbar``, ``plot``, ``legend`` …), so a chart reads as it did; only what the charts need is
here. :meth:`Figure.svg` returns the ``<svg>`` element, ``role="img"`` with the chart's alt text
as its accessible name (WCAG 1.1.1).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _font_metrics as _fm
from .html import esc

__all__ = ["Axes", "Bar", "Figure", "TextBox", "nice_ticks", "text_width", "tick_format"]

DPI = 100.0
#: Pixels per typographic point at the charts' resolution.
PT = DPI / 72.0
FONT_FAMILY = "DejaVu Sans, Bitstream Vera Sans, Verdana, sans-serif"
#: Vertical metrics (em) of one line as matplotlib lays out DejaVu Sans: ascent and descent,
#: and for text of several lines the first line's extra leading and the line pitch.
ASCENT, DESCENT = 0.792, 0.240
LEADING, PITCH = 0.131, 1.169
#: Height (em) of a legend entry's text box.
LEGEND_ROW = 1.12
#: Clearance (em) a "best" legend keeps from what is drawn (matplotlib's test has none; a
#: whisker cap a pixel below a legend counted as clear there).
LEGEND_CLEARANCE = 0.25
#: The charts' style (the matplotlib rc of the PNG charts), sizes in points.
FONT_SIZE = 10.0
SPINE_COLOUR, SPINE_WIDTH = "#666666", 0.8
TICK_COLOUR, TICK_LENGTH, TICK_WIDTH, TICK_PAD = "#222222", 3.5, 0.8, 3.5
MINOR_TICK_LENGTH, MINOR_TICK_WIDTH = 2.0, 0.6
GRID_COLOUR, GRID_WIDTH = "#DDDDDD", 0.6
LABEL_PAD, TITLE_PAD = 4.0, 6.0
#: Autoscale margin (fraction of the data range) and the tight-crop padding (pixels).
MARGIN, CROP_PAD = 0.05, 0.1 * DPI
_ADV = {False: dict(zip(_fm.CHARS, _fm.REGULAR, strict=True)),
        True: dict(zip(_fm.CHARS, _fm.BOLD, strict=True))}
#: Dash patterns (in line widths) of matplotlib's line styles.
_DASHES = {"-": None, "--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}


def _n(v: float) -> str:
    """A coordinate: two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _advance(ch: str, bold: bool) -> int:
    adv = _ADV[bold].get(ch)
    if adv is not None:
        return adv
    return 1000 if unicodedata.east_asian_width(ch) in ("W", "F") else _fm.DEFAULT_ADVANCE


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in pixels of the widest line of ``text`` in DejaVu Sans at ``size_pt`` points."""
    return max(sum(_advance(c, bold) for c in line) for line in str(text).split("\n")) \
        * size_pt * PT / 1000.0


# ------------------------------------------------------------------------------------------
# Ticks
# ------------------------------------------------------------------------------------------

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ticks(vmin: float, vmax: float, nbins: int) -> list[float]:
    """Tick values covering ``[vmin, vmax]`` with at most ``nbins`` intervals.

    The algorithm of matplotlib's ``MaxNLocator`` (steps 1, 2, 2.5, 5, 10; at least two ticks
    inside the range): the smallest "nice" step at least ``(vmax - vmin) / nbins``, ticks at its
    multiples. Ticks just outside the range are included (the caller drops them).
    """
    if vmax < vmin:
        vmin, vmax = vmax, vmin
    if vmax - vmin < 1e-12 * max(1.0, abs(vmin), abs(vmax)):
        pad = abs(vmin) * 0.001 or 0.001
        vmin, vmax = vmin - pad, vmax + pad
    nbins = max(1, int(nbins))
    dv = vmax - vmin
    meanv = (vmax + vmin) / 2
    offset = 0.0 if abs(meanv) / dv < 100 else math.copysign(
        10 ** math.floor(math.log10(abs(meanv))), meanv)
    scale = 10 ** math.floor(math.log10(dv / nbins))
    lo, hi = vmin - offset, vmax - offset
    steps = [s * scale for s in (0.1, 0.2, 0.25, 0.5, *_STEPS, 20.0)]
    raw = (hi - lo) / nbins
    large = [i for i, s in enumerate(steps) if s >= raw]
    istep = large[0] if large else len(steps) - 1
    ticks: list[float] = []
    for step in reversed(steps[: istep + 1]):
        best = math.floor(lo / step) * step
        tol = _edge_tolerance(step, offset)
        low = _edge_le(lo - best, step, tol)
        high = _edge_ge(hi - best, step, tol)
        ticks = [k * step + best for k in range(int(low), int(high) + 1)]
        if sum(1 for t in ticks if lo <= t <= hi) >= 2:
            break
    return [t + offset for t in ticks]


def _edge_tolerance(step: float, offset: float) -> float:
    """How near a multiple of ``step`` counts as on it (more slop under a large offset)."""
    if offset == 0:
        return 1e-10
    return min(0.4999, max(1e-10, 10 ** (math.log10(abs(offset) / step) - 12)))


def _edge_le(x: float, step: float, tol: float) -> float:
    """The largest n with n * step <= x."""
    d, m = divmod(x, step)
    return d + 1 if abs(m / step - 1) < tol else d


def _edge_ge(x: float, step: float, tol: float) -> float:
    """The smallest n with n * step >= x."""
    d, m = divmod(x, step)
    return d if abs(m / step) < tol else d + 1


def tick_format(ticks: Sequence[float]) -> Callable[[float], str]:
    """matplotlib's ``ScalarFormatter`` for these ticks: the fewest decimals that tell them
    apart, the same for every tick, and a true minus sign."""
    locs = list(ticks)
    span = (max(locs) - min(locs)) if len(locs) > 1 else 0.0
    if span == 0:
        span = max((abs(v) for v in locs), default=0.0) or 1.0
    oom = math.floor(math.log10(span))
    sigfigs = max(0, 3 - oom)
    thresh = 1e-3 * 10 ** oom
    while sigfigs >= 0:
        if max(abs(v - round(v, sigfigs)) for v in locs) < thresh:
            sigfigs -= 1
        else:
            break
    decimals = sigfigs + 1

    def fmt(v: float) -> str:
        s = f"{v:.{decimals}f}"
        if float(s) == 0:
            s = s.lstrip("-")
        return s.replace("-", "\u2212")

    return fmt


def _log_ticks(vmin: float, vmax: float) -> tuple[list[float], list[float]]:
    """Decades (major) and 2…9 × decades (minor) of a logarithmic axis."""
    lo, hi = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
    major = [10.0**e for e in range(lo, hi + 1)]
    minor = [k * 10.0**e for e in range(lo, hi + 1) for k in range(2, 10)]
    return major, minor


# ------------------------------------------------------------------------------------------
# Text
# ------------------------------------------------------------------------------------------


@dataclass
class TextBox:
    """A laid-out text: its SVG element, its pixel bounding box (y down) and the text."""

    markup: str
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""

    def overlaps(self, other: TextBox) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 \
            and other.y0 < self.y1


def _text(x: float, y: float, text: str, *, size: float = FONT_SIZE, colour: str = "#000000",
          ha: str = "left", va: str = "baseline", rotation: float = 0.0,
          rotation_mode: str = "default", bold: bool = False, italic: bool = False,
          background: str | None = None, background_pad: float = 0.0) -> TextBox:
    """Lay out ``text`` at pixel ``(x, y)`` (y down) the way matplotlib aligns text.

    ``ha``/``va`` align the (rotated, with ``rotation_mode="default"``) bounding box to the
    point; lines of a multi-line text are aligned like ``ha``. ``background`` fills the box
    grown by ``background_pad`` em (matplotlib's ``bbox=`` with a square box style).
    """
    lines = str(text).split("\n")
    em = size * PT
    widths = [text_width(line, size, bold) for line in lines]
    w = max(widths)
    n = len(lines)
    lead = LEADING * em if n > 1 else 0.0
    h = (ASCENT + DESCENT) * em + (2 * lead if n > 1 else 0) + (n - 1) * PITCH * em
    first = lead + ASCENT * em  # first baseline below the box top
    # text coordinates: origin at the box's top-left, y down
    align = {"left": 0.0, "center": 0.5, "right": 1.0}[ha]
    baselines = [(align * (w - lw), first + i * PITCH * em) for i, lw in enumerate(widths)]
    theta = math.radians(rotation)
    c, s = math.cos(theta), math.sin(theta)

    def rot(px: float, py: float) -> tuple[float, float]:  # counter-clockwise on screen
        return px * c + py * s, -px * s + py * c

    corners = [rot(px, py) for px, py in ((0, 0), (w, 0), (w, h), (0, h))]
    if rotation_mode == "anchor":
        ax_ = align * w
        ay = {"top": 0.0, "bottom": h, "center": h / 2, "baseline": first + (n - 1) * PITCH * em,
              "center_baseline": first / 2 + lead / 2}[va]
        ox, oy = rot(ax_, ay)
    else:
        xs = [p[0] for p in corners]
        ys = [p[1] for p in corners]
        ox = {"left": min(xs), "center": (min(xs) + max(xs)) / 2, "right": max(xs)}[ha]
        if rotation == 0 and va in ("baseline", "center_baseline"):
            last = first + (n - 1) * PITCH * em  # the last line's baseline
            oy = last if va == "baseline" else last / 2
        else:
            oy = {"top": min(ys), "bottom": max(ys), "center": (min(ys) + max(ys)) / 2,
                  "baseline": max(ys), "center_baseline": (min(ys) + max(ys)) / 2}[va]
    tx, ty = x - ox, y - oy
    xs = [tx + p[0] for p in corners]
    ys = [ty + p[1] for p in corners]
    attrs = [f'font-size="{_n(em)}"']
    if colour.upper() != "#000000":
        attrs.append(f'fill="{colour}"')
    if bold:
        attrs.append('font-weight="bold"')
    if italic:
        attrs.append('font-style="italic"')
    if rotation:
        attrs.append(f'transform="translate({_n(tx)} {_n(ty)}) rotate({_n(-rotation)})"')
        x_of = [bx for bx, _ in baselines]
        y_of = [by for _, by in baselines]
    else:
        x_of = [tx + bx for bx, _ in baselines]
        y_of = [ty + by for _, by in baselines]
    if n == 1:
        body = f'<text x="{_n(x_of[0])}" y="{_n(y_of[0])}" {" ".join(attrs)}>{esc(lines[0])}</text>'
    else:
        spans = "".join(f'<tspan x="{_n(lx)}" y="{_n(ly)}">{esc(line)}</tspan>'
                        for lx, ly, line in zip(x_of, y_of, lines, strict=True))
        body = f'<text {" ".join(attrs)}>{spans}</text>'
    if background is not None:
        pad = background_pad * em
        body = (f'<rect x="{_n(min(xs) - pad)}" y="{_n(min(ys) - pad)}" '
                f'width="{_n(max(xs) - min(xs) + 2 * pad)}" '
                f'height="{_n(max(ys) - min(ys) + 2 * pad)}" fill="{background}"/>' + body)
    return TextBox(body, min(xs), min(ys), max(xs), max(ys), str(text))


# ------------------------------------------------------------------------------------------
# Artists
# ------------------------------------------------------------------------------------------


@dataclass
class Bar:
    """One drawn bar in data coordinates: ``(x, y)`` its corner at the baseline, ``width``
    and ``height`` (negative for a bar below zero), as matplotlib's bar rectangles."""

    x: float
    y: float
    width: float
    height: float

    def get_x(self) -> float:
        return self.x

    def get_y(self) -> float:
        return self.y

    def get_width(self) -> float:
        return self.width

    def get_height(self) -> float:
        return self.height


@dataclass
class _Handle:
    """What a legend entry shows: a patch, a line (with or without marker) or a marker."""

    label: str
    kind: str  # "patch", "line", "marker"
    colour: str = "#000000"
    edge: str | None = None
    edge_width: float = 0.0
    hatch: str = ""
    width: float = 1.5
    style: str = "-"
    marker: str | None = None
    marker_size: float = 6.0
    marker_face: str | None = None
    marker_edge: str | None = None
    marker_edge_width: float = 1.0
    alpha: float = 1.0


@dataclass
class _Artist:
    zorder: float
    draw: Callable[[Axes], str]
    clip: bool = True
    #: the artist's outline in pixels, for "best" legend placement: ("lines", [[(x, y)…]]),
    #: ("boxes", [(x0, y0, x1, y1)…]), ("points", [(x, y)…]) or ("texts", [box…])
    hit: Callable[[Axes], tuple[str, list[Any]]] | None = None


def _dash(style: str, width_pt: float) -> str:
    pattern = _DASHES.get(style)
    if not pattern:
        return ""
    return f' stroke-dasharray="{",".join(_n(p * width_pt * PT) for p in pattern)}"'


def _marker(kind: str, x: float, y: float, size_pt: float, face: str, edge: str,
            edge_pt: float, alpha: float = 1.0) -> str:
    """A marker centred at pixel ``(x, y)``, ``size_pt`` across (matplotlib's markersize)."""
    r = size_pt * PT / 2
    common = f'fill="{face}" stroke="{edge}" stroke-width="{_n(edge_pt * PT)}"'
    if alpha < 1:
        common += f' fill-opacity="{_n(alpha)}" stroke-opacity="{_n(alpha)}"'
    if kind == "o":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {common}/>'
    if kind == "s":
        return (f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" '
                f'height="{_n(2 * r)}" {common}/>')
    if kind == "X":  # a filled cross, matplotlib's "X"
        a, b = r, r * 0.4
        pts = [(-a + b, -a), (0, -b), (a - b, -a), (a, -a + b), (b, 0), (a, a - b), (a - b, a),
               (0, b), (-a + b, a), (-a, a - b), (-b, 0), (-a, -a + b)]
        d = " ".join(f"{_n(x + px)},{_n(y + py)}" for px, py in pts)
        return f'<polygon points="{d}" {common} stroke-linejoin="round"/>'
    raise ValueError(f"unknown marker {kind!r}")


def _polyline(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


# Hatches: (spacing in pixels, path of one tile) of matplotlib's patterns at density 6.
_HATCH_TILE = DPI / 12


def _hatch_path(hatch: str, t: float) -> str:
    parts = []
    if "/" in hatch or "x" in hatch:
        parts.append(f"M0,{_n(t)} L{_n(t)},0 M{_n(-t / 2)},{_n(t / 2)} L{_n(t / 2)},{_n(-t / 2)} "
                     f"M{_n(t / 2)},{_n(3 * t / 2)} L{_n(3 * t / 2)},{_n(t / 2)}")
    if "\\" in hatch or "x" in hatch:
        parts.append(f"M0,0 L{_n(t)},{_n(t)} M{_n(-t / 2)},{_n(t / 2)} L{_n(t / 2)},{_n(3 * t / 2)} "
                     f"M{_n(t / 2)},{_n(-t / 2)} L{_n(3 * t / 2)},{_n(t / 2)}")
    return " ".join(parts)


class Axes:
    """A plotting area: artists in data coordinates, axes, ticks, labels and legends."""

    def __init__(self, fig: Figure, box: tuple[float, float, float, float]) -> None:
        self.figure = fig
        #: pixel box (left, top, right, bottom), y down
        self.left, self.top, self.right, self.bottom = box
        self._artists: list[_Artist] = []
        self._xdata: list[float] = []
        self._ydata: list[float] = []
        self._sticky_x: set[float] = set()
        self._sticky_y: set[float] = set()
        self._xlim: list[float | None] = [None, None]
        self._ylim: list[float | None] = [None, None]
        self._frozen: tuple[float, float, float, float] | None = None
        self._margins = [MARGIN, MARGIN]
        self.xscale = "linear"
        self.x_formatter: Callable[[float], str] | None = None
        self._xticks: dict[str, Any] | None = None
        self._yticks: dict[str, Any] | None = None
        self._grid = {"x": False, "y": False}
        self._axis_below = False
        self._tick_length = {"x": TICK_LENGTH, "y": TICK_LENGTH}
        self._xlabel = self._ylabel = self._title = ""
        self._title_size = 11.0
        self._legends: list[dict[str, Any]] = []
        self._handles: list[_Handle] = []
        self._twin_of: Axes | None = None
        self.spines = {"left": True, "bottom": True}

    # ---- coordinates ---------------------------------------------------------------------

    def _limits(self) -> tuple[float, float, float, float]:
        if self._frozen is not None:
            return self._frozen
        x0, x1 = self._auto(self._xdata, self._xlim, self._sticky_x, self._margins[0],
                            self.xscale == "log")
        if self._twin_of is not None:
            x0, x1 = self._twin_of._limits()[:2]
        y0, y1 = self._auto(self._ydata, self._ylim, self._sticky_y, self._margins[1], False)
        return x0, x1, y0, y1

    @staticmethod
    def _auto(data: list[float], fixed: list[float | None], sticky: set[float], margin: float,
              log: bool) -> tuple[float, float]:
        vals = [v for v in data if math.isfinite(v) and (v > 0 or not log)]
        if fixed[0] is not None and fixed[1] is not None:
            return fixed[0], fixed[1]  # type: ignore[return-value]
        lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
        if log:
            a, b = math.log10(lo), math.log10(hi)
            if b - a == 0:
                a, b = a - 1, b + 1
            d = (b - a) * margin
            lo2, hi2 = 10 ** (a - d), 10 ** (b + d)
        else:
            if hi - lo == 0:
                pad = abs(lo) * 0.05 if lo else 0.055
                lo, hi = lo - pad, hi + pad
                lo2, hi2 = lo, hi
            else:
                d = (hi - lo) * margin
                lo2, hi2 = lo - d, hi + d
            # sticky edges (bars from zero): the margin never crosses them
            for s in sticky:
                if lo2 < s <= lo:
                    lo2 = s
                if hi <= s < hi2:
                    hi2 = s
        return (fixed[0] if fixed[0] is not None else lo2,
                fixed[1] if fixed[1] is not None else hi2)

    def freeze_limits(self) -> tuple[float, float, float, float]:
        """Fix the axis limits now (like reading ``get_xlim``/``get_ylim`` in matplotlib):
        what is drawn afterwards no longer changes them; :meth:`px` is valid from here."""
        self._frozen = self._limits()
        return self._frozen

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Pixel position of data point ``(x, y)`` (limits frozen first)."""
        return self._px_x(x), self._px_y(y)

    def _px_x(self, x: float) -> float:
        x0, x1, _, _ = self._frozen or self.freeze_limits()
        if self.xscale == "log":
            if x <= 0:
                return self.left - 1e4
            fx = (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))
        else:
            fx = (x - x0) / (x1 - x0)
        return self.left + fx * (self.right - self.left)

    def _px_y(self, y: float) -> float:
        _, _, y0, y1 = self._frozen or self.freeze_limits()
        return self.bottom - (y - y0) / (y1 - y0) * (self.bottom - self.top)

    def _add(self, zorder: float, draw: Callable[[Axes], str], *, clip: bool = True,
             hit: Callable[[Axes], tuple[str, list[Any]]] | None = None) -> None:
        self._artists.append(_Artist(zorder, draw, clip, hit))

    def _data(self, xs: Sequence[float] = (), ys: Sequence[float] = ()) -> None:
        self._xdata.extend(float(v) for v in xs)
        self._ydata.extend(float(v) for v in ys)

    # ---- artists -------------------------------------------------------------------------

    def _bars(self, rects: list[Bar], colours: Sequence[str], edges: Sequence[str | None],
              widths: Sequence[float], hatch: str, label: str | None) -> list[Bar]:
        pattern = self.figure._pattern(hatch, edges[0] or "#000000") if hatch else None

        def draw(ax: Axes) -> str:
            out = []
            for r, fill, edge, lw in zip(rects, colours, edges, widths, strict=True):
                (xa, ya), (xb, yb) = ax.px(r.x, r.y), ax.px(r.x + r.width, r.y + r.height)
                box = (f'x="{_n(min(xa, xb))}" y="{_n(min(ya, yb))}" '
                       f'width="{_n(abs(xb - xa))}" height="{_n(abs(yb - ya))}"')
                stroke = (f' stroke="{edge}" stroke-width="{_n(lw * PT)}"'
                          if edge and lw > 0 else "")
                out.append(f'<rect {box} fill="{fill}"{stroke}/>')
                if pattern:
                    out.append(f'<rect {box} fill="url(#{pattern})"/>')
            return "".join(out)

        def hit(ax: Axes) -> tuple[str, list[Any]]:
            boxes = []
            for r in rects:
                (xa, ya), (xb, yb) = ax.px(r.x, r.y), ax.px(r.x + r.width, r.y + r.height)
                boxes.append((min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))
            return "boxes", boxes

        self._add(1.0, draw, hit=hit)
        if label is not None and not label.startswith("_"):
            self._handles.append(_Handle(label, "patch", colours[0], edges[0],
                                         widths[0], hatch))
        return rects

    def barh(self, y: Sequence[float], width: Sequence[float], height: float = 0.8, *,
             left: Sequence[float] | float = 0.0, color: str | Sequence[str] = "#12436D",
             edgecolor: str | Sequence[str] | None = None,
             linewidth: float | Sequence[float] = 0.0, hatch: str = "",
             label: str | None = None) -> list[Bar]:
        """Horizontal bars (``y`` centres, ``width`` lengths from ``left``)."""
        ys, ws = _floats(y), _floats(width)
        n = len(ys)
        lefts = _floats(left) * n if isinstance(left, int | float) else _floats(left)
        rects = [Bar(lf, yc - height / 2, w, height)
                 for yc, w, lf in zip(ys, ws, lefts, strict=True)]
        self._data([v for r in rects for v in (r.x, r.x + r.width)],
                   [v for r in rects for v in (r.y, r.y + r.height)])
        self._sticky_x.update(lefts)
        return self._bars(rects, _each(color, n), _each(edgecolor, n),
                          _each(linewidth, n), hatch, label)

    def bar(self, x: Sequence[float], height: Sequence[float], width: float = 0.8, *,
            color: str | Sequence[str] = "#12436D", edgecolor: str | Sequence[str] | None = None,
            linewidth: float | Sequence[float] = 0.0, label: str | None = None) -> list[Bar]:
        """Vertical bars from zero (``x`` centres)."""
        xs, hs = _floats(x), _floats(height)
        n = len(xs)
        rects = [Bar(xc - width / 2, 0.0, width, h)
                 for xc, h in zip(xs, hs, strict=True)]
        self._data([v for r in rects for v in (r.x, r.x + r.width)],
                   [v for r in rects for v in (r.y, r.y + r.height)])
        self._sticky_y.add(0.0)
        return self._bars(rects, _each(color, n), _each(edgecolor, n),
                          _each(linewidth, n), "", label)

    def errorbar(self, x: Sequence[float], y: Sequence[float], *,
                 xerr: Sequence[Sequence[float]] | None = None,
                 yerr: Sequence[Sequence[float]] | None = None, ecolor: str = "#444444",
                 elinewidth: float = 1.0, capsize: float = 3.0) -> None:
        """Whiskers (``xerr``/``yerr`` = [below, above]) with caps ``2 * capsize`` points long."""
        xs, ys = [float(v) for v in x], [float(v) for v in y]
        segs = []
        if xerr is not None:
            for xi, yi, a, b in zip(xs, ys, xerr[0], xerr[1], strict=True):
                segs.append(((xi - float(a), yi), (xi + float(b), yi), "x"))
        if yerr is not None:
            for xi, yi, a, b in zip(xs, ys, yerr[0], yerr[1], strict=True):
                segs.append(((xi, yi - float(a)), (xi, yi + float(b)), "y"))
        self._data([p[0] for s in segs for p in s[:2]], [p[1] for s in segs for p in s[:2]])
        cap = capsize * PT

        def draw(ax: Axes) -> str:
            d = []
            for p, q, axis in segs:
                (xa, ya), (xb, yb) = ax.px(*p), ax.px(*q)
                d.append(f"M{_n(xa)},{_n(ya)}L{_n(xb)},{_n(yb)}")
                for cx, cy in ((xa, ya), (xb, yb)):
                    if axis == "x":
                        d.append(f"M{_n(cx)},{_n(cy - cap)}V{_n(cy + cap)}")
                    else:
                        d.append(f"M{_n(cx - cap)},{_n(cy)}H{_n(cx + cap)}")
            return (f'<path d="{"".join(d)}" fill="none" stroke="{ecolor}" '
                    f'stroke-width="{_n(elinewidth * PT)}"/>')

        def caps(ax: Axes) -> tuple[str, list[Any]]:  # matplotlib's caps are line vertices
            return "points", [ax.px(*p) for s in segs for p in s[:2]]

        self._add(2.0, draw, hit=caps)

    def plot(self, x: Sequence[float], y: Sequence[float], *, color: str = "#12436D",
             linewidth: float = 1.5, linestyle: str = "-", marker: str | None = None,
             markersize: float = 6.0, markerfacecolor: str | None = None,
             markeredgecolor: str | None = None, markeredgewidth: float = 1.0,
             label: str | None = None, zorder: float = 2.0) -> None:
        """A line through the points (broken at missing values), with optional markers."""
        pts = list(zip(_floats(x), _floats(y), strict=True))
        self._data([p[0] for p in pts if math.isfinite(p[1])],
                   [p[1] for p in pts if math.isfinite(p[0])])
        face = markerfacecolor or color
        edge = markeredgecolor or color

        def runs(ax: Axes) -> list[list[tuple[float, float]]]:
            out: list[list[tuple[float, float]]] = [[]]
            for a, b in pts:
                if math.isfinite(a) and math.isfinite(b):
                    out[-1].append(ax.px(a, b))
                elif out[-1]:
                    out.append([])
            return [r for r in out if r]

        def draw(ax: Axes) -> str:
            parts = []
            if linestyle not in ("", "none", "None") and linewidth > 0:
                for run in runs(ax):
                    if len(run) > 1:
                        parts.append(
                            f'<polyline points="{_polyline(run)}" fill="none" stroke="{color}" '
                            f'stroke-width="{_n(linewidth * PT)}"{_dash(linestyle, linewidth)} '
                            'stroke-linecap="butt" stroke-linejoin="round"/>')
            if marker:
                for run in runs(ax):
                    parts.extend(_marker(marker, px, py, markersize, face, edge,
                                         markeredgewidth) for px, py in run)
            return "".join(parts)

        self._add(zorder, draw, hit=lambda ax: ("lines", runs(ax)))
        if label is not None:
            self._handles.append(_Handle(label, "line", color, width=linewidth,
                                         style=linestyle, marker=marker,
                                         marker_size=markersize, marker_face=face,
                                         marker_edge=edge, marker_edge_width=markeredgewidth))

    def step(self, x: Sequence[float], y: Sequence[float], *, where: str = "post",
             **kwargs: Any) -> None:
        """A step line: each value holds until the next ``x`` (matplotlib's ``where="post"``,
        the only kind drawn)."""
        if where != "post":
            raise ValueError(f"step(where={where!r}): only 'post' steps are drawn")
        xs, ys = [float(v) for v in x], [float(v) for v in y]
        sx, sy = [], []
        for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
            sx.append(a)
            sy.append(b)
            if i + 1 < len(xs):
                sx.append(xs[i + 1])
                sy.append(b)
        self.plot(sx, sy, **kwargs)

    def scatter(self, x: Sequence[float], y: Sequence[float], *, s: float = 36.0,
                color: str = "#12436D", marker: str = "o", alpha: float = 1.0,
                edgecolor: str | None = None, linewidth: float = 1.5, zorder: float = 1.0,
                label: str | None = None) -> None:
        """Markers of area ``s`` (points squared); the edge is the face colour by default."""
        pts = list(zip(_floats(x), _floats(y), strict=True))
        self._data([p[0] for p in pts], [p[1] for p in pts])
        size = math.sqrt(s)
        edge = edgecolor or color

        def draw(ax: Axes) -> str:
            return "".join(_marker(marker, *ax.px(a, b), size, color, edge, linewidth, alpha)
                           for a, b in pts if math.isfinite(a) and math.isfinite(b))

        self._add(zorder, draw, hit=lambda ax: ("points", [ax.px(a, b) for a, b in pts]))
        if label is not None:
            self._handles.append(_Handle(label, "marker", color, marker=marker,
                                         marker_size=size, marker_face=color,
                                         marker_edge=edge, marker_edge_width=linewidth,
                                         alpha=alpha))

    def _ref_line(self, axis: str, v: float, color: str, linewidth: float, linestyle: str,
                  label: str | None) -> None:
        (self._data(xs=[v]) if axis == "x" else self._data(ys=[v]))

        def ends(ax: Axes) -> list[tuple[float, float]]:
            if axis == "x":
                x = ax._px_x(v)
                return [(x, ax.top), (x, ax.bottom)]
            y = ax._px_y(v)
            return [(ax.left, y), (ax.right, y)]

        def draw(ax: Axes) -> str:
            (xa, ya), (xb, yb) = ends(ax)
            return (f'<line x1="{_n(xa)}" y1="{_n(ya)}" x2="{_n(xb)}" y2="{_n(yb)}" '
                    f'stroke="{color}" stroke-width="{_n(linewidth * PT)}"'
                    f'{_dash(linestyle, linewidth)}/>')

        self._add(2.0, draw, hit=lambda ax: ("lines", [ends(ax)]))
        if label is not None:
            self._handles.append(_Handle(label, "line", color, width=linewidth,
                                         style=linestyle))

    def axvline(self, x: float, *, color: str = "#000000", linewidth: float = 1.5,
                linestyle: str = "-", label: str | None = None) -> None:
        """A vertical line across the plotting area at data ``x``."""
        self._ref_line("x", float(x), color, linewidth, linestyle, label)

    def axhline(self, y: float, *, color: str = "#000000", linewidth: float = 1.5,
                linestyle: str = "-", label: str | None = None) -> None:
        """A horizontal line across the plotting area at data ``y``."""
        self._ref_line("y", float(y), color, linewidth, linestyle, label)

    def fill_between(self, x: Sequence[float], y1: Sequence[float], y2: Sequence[float], *,
                     color: str, zorder: float = 1.0, label: str | None = None) -> _Handle:
        """The area between two lines (no outline)."""
        xs, a, b = [float(v) for v in x], [float(v) for v in y1], [float(v) for v in y2]
        self._data(xs + xs, a + b)

        def poly(ax: Axes) -> list[tuple[float, float]]:
            return ([ax.px(u, v) for u, v in zip(xs, a, strict=True)]
                    + [ax.px(u, v) for u, v in zip(xs[::-1], b[::-1], strict=True)])

        def draw(ax: Axes) -> str:
            return f'<polygon points="{_polyline(poly(ax))}" fill="{color}"/>'

        self._add(zorder, draw, hit=lambda ax: ("lines", [poly(ax)]))
        return _Handle(label or "", "patch", color)

    def text(self, x: float, y: float, s: str, *, fontsize: float = FONT_SIZE,
             color: str = "#000000", ha: str = "left", va: str = "baseline",
             fontweight: str = "normal", style: str = "normal", rotation: float = 0.0,
             background: str | None = None, background_pad: float = 0.0,
             offset: tuple[float, float] = (0.0, 0.0)) -> None:
        """Text at data ``(x, y)``, moved by ``offset`` points (right, up); not clipped."""

        def box(ax: Axes) -> TextBox:
            px, py = ax.px(x, y)
            return _text(px + offset[0] * PT, py - offset[1] * PT, s, size=fontsize,
                         colour=color, ha=ha, va=va, rotation=rotation,
                         bold=fontweight == "bold", italic=style == "italic",
                         background=background, background_pad=background_pad)

        self._add(3.0, lambda ax: box(ax).markup, clip=False,
                  hit=lambda ax: ("texts", [box(ax)]))

    def annotate(self, s: str, xy: tuple[float, float], *, xytext: tuple[float, float],
                 **kwargs: Any) -> None:
        """Text offset from data point ``xy`` by ``xytext`` points (matplotlib's
        ``textcoords="offset points"``)."""
        self.text(xy[0], xy[1], s, offset=xytext, **kwargs)

    # ---- axes ----------------------------------------------------------------------------

    def set_xlim(self, left: float | None = None, right: float | None = None) -> None:
        self._xlim = [left if left is not None else self._xlim[0],
                      right if right is not None else self._xlim[1]]

    def set_ylim(self, bottom: float | None = None, top: float | None = None) -> None:
        if bottom is None and top is None:
            return
        if top is None and self._ylim[1] is None:  # keep the autoscaled top (matplotlib)
            top = self._limits()[3]
        if bottom is None and self._ylim[0] is None:
            bottom = self._limits()[2]
        self._ylim = [bottom if bottom is not None else self._ylim[0],
                      top if top is not None else self._ylim[1]]

    def margins(self, y: float) -> None:
        self._margins[1] = y

    def set_xscale(self, scale: str) -> None:
        self.xscale = scale

    def set_xticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None, *,
                   rotation: float = 0.0, ha: str = "center", fontsize: float = FONT_SIZE,
                   bold: Sequence[bool] | None = None) -> None:
        self._xticks = {"ticks": [float(t) for t in ticks], "labels": labels,
                        "rotation": rotation, "ha": ha, "size": fontsize, "bold": bold}

    def set_yticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None, *,
                   fontsize: float = FONT_SIZE, bold: Sequence[bool] | None = None) -> None:
        self._yticks = {"ticks": [float(t) for t in ticks], "labels": labels,
                        "rotation": 0.0, "ha": None, "size": fontsize, "bold": bold}

    def tick_params(self, axis: str, length: float) -> None:
        for a in ("x", "y") if axis == "both" else (axis,):
            self._tick_length[a] = length

    def grid(self, axis: str) -> None:
        """Grid lines at the major ticks of ``axis`` ("x" or "y")."""
        self._grid[axis] = True

    def set_axisbelow(self, below: bool = True) -> None:
        self._axis_below = below

    def set_xlabel(self, text: str) -> None:
        self._xlabel = text

    def set_ylabel(self, text: str) -> None:
        self._ylabel = text

    def set_title(self, text: str, fontsize: float = 11.0) -> None:
        self._title, self._title_size = text, fontsize

    def twinx(self) -> Axes:
        """A second y axis on the right sharing this x axis (labels only: no spine)."""
        twin = Axes(self.figure, (self.left, self.top, self.right, self.bottom))
        twin._twin_of = self
        twin.spines = {}
        self.figure.axes.append(twin)
        return twin

    def legend(self, *, loc: str = "best", bbox_to_anchor: tuple[float, float] | None = None,
               fontsize: float = FONT_SIZE, ncols: int = 1, title: str | None = None,
               title_fontsize: float | None = None, handles: Sequence[_Handle] | None = None,
               borderaxespad: float = 0.5) -> None:
        """A legend of the labelled artists (or ``handles``), placed like matplotlib's."""
        self._legends.append({
            "loc": loc, "anchor": bbox_to_anchor, "size": fontsize, "ncols": ncols,
            "title": title, "title_size": title_fontsize or fontsize,
            "handles": list(handles) if handles is not None else list(self._handles),
            "pad": borderaxespad})

    # ---- rendering -----------------------------------------------------------------------

    def _ticks(self, axis: str) -> tuple[list[float], list[str], list[float], dict[str, Any]]:
        x0, x1, y0, y1 = self._limits()
        lo, hi = (x0, x1) if axis == "x" else (y0, y1)
        spec = self._xticks if axis == "x" else self._yticks
        if spec is None and self._twin_of is not None and axis == "x":
            return [], [], [], {}
        minor: list[float] = []
        if spec is not None:
            ticks = spec["ticks"]
            labels = list(spec["labels"]) if spec["labels"] is not None else \
                [tick_format(ticks)(t) for t in ticks]
        elif axis == "x" and self.xscale == "log":
            ticks, minor = _log_ticks(lo, hi)
            fmt = self.x_formatter or (lambda v: f"{v:g}")
            labels = [fmt(t) for t in ticks]
            spec = {}
        else:
            length = (self.right - self.left) if axis == "x" else (self.bottom - self.top)
            per = FONT_SIZE * (3 if axis == "x" else 2)
            nbins = min(9, max(1, math.floor(length / PT / per)))
            ticks = nice_ticks(lo, hi, nbins)
            fmt = tick_format(ticks)
            labels = [fmt(t) for t in ticks]
            spec = {}
        a, b = min(lo, hi), max(lo, hi)
        tol = (b - a) * 1e-10
        keep = [i for i, t in enumerate(ticks) if a - tol <= t <= b + tol]
        bold = spec.get("bold") if spec else None
        spec = dict(spec or {})
        spec["bold"] = [bool(bold[i]) for i in keep] if bold is not None else None
        return ([ticks[i] for i in keep], [labels[i] for i in keep],
                [t for t in minor if a - tol <= t <= b + tol], spec)

    def _render(self, pattern_defs: list[str]) -> tuple[list[tuple[float, int, str, bool]],
                                                         list[TextBox]]:
        """(zorder, order, markup, clipped) of everything drawn, and the boxes of text."""
        self.freeze_limits()
        items: list[tuple[float, int, str, bool]] = []
        texts: list[TextBox] = []
        seq = 0

        def add(z: float, markup: str, clip: bool = False) -> None:
            nonlocal seq
            seq += 1
            items.append((z, seq, markup, clip))

        for art in self._artists:
            seq += 1
            markup = art.draw(self)
            items.append((art.zorder, seq, markup, art.clip))
            if not art.clip and art.hit is not None:
                texts.extend(art.hit(self)[1])
        axis_z = 0.5 if self._axis_below else 1.5
        right_side = self._twin_of is not None
        for axis in ("x", "y"):
            ticks, labels, minor, spec = self._ticks(axis)
            if axis == "x" and self._twin_of is not None:
                continue
            size = spec.get("size", FONT_SIZE) if spec else FONT_SIZE
            length = self._tick_length[axis] * PT
            grid, marks = [], []
            for i, t in enumerate(ticks):
                if axis == "x":
                    x = self._px_x(t)
                    if self._grid["x"]:
                        grid.append(f"M{_n(x)},{_n(self.top)}V{_n(self.bottom)}")
                    if length:
                        marks.append(f"M{_n(x)},{_n(self.bottom)}v{_n(length)}")
                    rot = spec.get("rotation", 0.0) if spec else 0.0
                    ha = spec.get("ha", "center") if spec and rot else "center"
                    box = _text(x, self.bottom + length + TICK_PAD * PT, labels[i], size=size,
                                colour=TICK_COLOUR, ha=ha or "center", va="top", rotation=rot,
                                bold=bool(spec.get("bold") and spec["bold"][i]))
                else:
                    y = self._px_y(t)
                    if self._grid["y"]:
                        grid.append(f"M{_n(self.left)},{_n(y)}H{_n(self.right)}")
                    edge = self.right if right_side else self.left
                    if length:
                        marks.append(f"M{_n(edge)},{_n(y)}h{_n(length if right_side else -length)}")
                    gap = length + TICK_PAD * PT
                    box = _text(edge + gap if right_side else edge - gap, y, labels[i],
                                size=size, colour=TICK_COLOUR,
                                ha="left" if right_side else "right", va="center_baseline",
                                bold=bool(spec.get("bold") and spec["bold"][i]))
                add(axis_z, box.markup)
                texts.append(box)
            for t in minor:
                x = self._px_x(t)
                marks.append(f"M{_n(x)},{_n(self.bottom)}v{_n(MINOR_TICK_LENGTH * PT)}")
            if grid:
                add(axis_z - 0.01, f'<path d="{"".join(grid)}" stroke="{GRID_COLOUR}" '
                                   f'stroke-width="{_n(GRID_WIDTH * PT)}"/>')
            if marks:
                add(axis_z, f'<path d="{"".join(marks)}" stroke="{TICK_COLOUR}" '
                            f'stroke-width="{_n(TICK_WIDTH * PT)}"/>')
        spines = []
        if self.spines.get("left"):
            spines.append(f"M{_n(self.left)},{_n(self.top)}V{_n(self.bottom)}")
        if self.spines.get("bottom"):
            spines.append(f"M{_n(self.left)},{_n(self.bottom)}H{_n(self.right)}")
        if spines:
            add(2.5, f'<path d="{"".join(spines)}" stroke="{SPINE_COLOUR}" '
                     f'stroke-width="{_n(SPINE_WIDTH * PT)}" fill="none" '
                     'stroke-linecap="square"/>')
        tick_boxes = list(texts)
        if self._xlabel:
            below = max([self.bottom] + [b.y1 for b in tick_boxes if b.y0 >= self.bottom - 1])
            box = _text((self.left + self.right) / 2, below + LABEL_PAD * PT, self._xlabel,
                        ha="center", va="top")
            add(3.0, box.markup)
            texts.append(box)
        if self._ylabel:
            left_of = min([self.left] + [b.x0 for b in tick_boxes if b.x1 <= self.left + 1])
            box = _text(left_of - LABEL_PAD * PT, (self.top + self.bottom) / 2, self._ylabel,
                        ha="center", va="bottom", rotation=90, rotation_mode="anchor")
            add(3.0, box.markup)
            texts.append(box)
        if self._title:
            box = _text((self.left + self.right) / 2, self.top - TITLE_PAD * PT, self._title,
                        size=self._title_size, ha="center", va="baseline")
            add(3.0, box.markup)
            texts.append(box)
        for spec in self._legends:
            markup, box = self._legend(spec, pattern_defs)
            add(5.0, markup)
            texts.append(box)
        return items, texts

    def _legend(self, spec: dict[str, Any], pattern_defs: list[str]) -> tuple[str, TextBox]:
        size = spec["size"]
        em = size * PT
        handles: list[_Handle] = spec["handles"]
        ncols = max(1, min(spec["ncols"], len(handles)))
        nrows = math.ceil(len(handles) / ncols)
        columns = [handles[c * nrows:(c + 1) * nrows] for c in range(ncols)]
        row_h = LEGEND_ROW * em
        hl, htp, ls, bp, cs = 2.0 * em, 0.8 * em, 0.5 * em, 0.4 * em, 2.0 * em
        col_w = [hl + htp + max(text_width(h.label, size) for h in col) for col in columns]
        body_w = sum(col_w) + cs * (ncols - 1)
        body_h = nrows * row_h + (nrows - 1) * ls
        title_h = 0.0
        title_w = 0.0
        if spec["title"]:
            title_h = (LEGEND_ROW + 0.3) * spec["title_size"] * PT
            title_w = text_width(spec["title"], spec["title_size"])
        w = max(body_w, title_w) + 2 * bp
        h = body_h + title_h + 2 * bp
        x, y = self._legend_position(spec, w, h)
        out = []
        if spec["title"]:
            out.append(_text(x + w / 2, y + bp, spec["title"], size=spec["title_size"],
                             ha="center", va="top").markup)
        cx = x + bp + (w - 2 * bp - body_w) / 2
        for col, cw in zip(columns, col_w, strict=True):
            for r, hd in enumerate(col):
                top = y + bp + title_h + r * (row_h + ls)
                mid = top + row_h / 2
                out.append(self._legend_handle(hd, cx, mid, hl, em, pattern_defs))
                out.append(_text(cx + hl + htp, mid, hd.label, size=size, va="center").markup)
            cx += cw + cs
        return "".join(out), TextBox("", x, y, x + w, y + h)

    def _legend_handle(self, hd: _Handle, x: float, mid: float, hl: float, em: float,
                       pattern_defs: list[str]) -> str:
        if hd.kind == "patch":
            hh = 0.7 * em
            box = f'x="{_n(x)}" y="{_n(mid - hh / 2)}" width="{_n(hl)}" height="{_n(hh)}"'
            stroke = (f' stroke="{hd.edge}" stroke-width="{_n(hd.edge_width * PT)}"'
                      if hd.edge and hd.edge_width else "")
            out = f'<rect {box} fill="{hd.colour}"{stroke}/>'
            if hd.hatch:
                out += f'<rect {box} fill="url(#{self.figure._pattern(hd.hatch, hd.edge or "#000000")})"/>'
            return out
        out = ""
        if hd.kind == "line" and hd.style not in ("", "none", "None"):
            out += (f'<line x1="{_n(x)}" y1="{_n(mid)}" x2="{_n(x + hl)}" y2="{_n(mid)}" '
                    f'stroke="{hd.colour}" stroke-width="{_n(hd.width * PT)}"'
                    f'{_dash(hd.style, hd.width)}/>')
        if hd.marker:
            out += _marker(hd.marker, x + hl / 2, mid, hd.marker_size, hd.marker_face or hd.colour,
                           hd.marker_edge or hd.colour, hd.marker_edge_width, hd.alpha)
        return out

    #: matplotlib's legend location codes in its "best" search order.
    _LOCS = ("upper right", "upper left", "lower left", "lower right", "right", "center left",
             "center right", "lower center", "upper center", "center")

    def _anchored(self, loc: str, w: float, h: float, box: tuple[float, float, float, float],
                  pad: float) -> tuple[float, float]:
        left, top, right, bottom = box[0] + pad, box[1] + pad, box[2] - pad, box[3] - pad
        vert, _, horiz = loc.partition(" ") if " " in loc else (loc, "", loc)
        if loc == "right":
            vert, horiz = "center", "right"
        if loc == "center":
            vert, horiz = "center", "center"
        x = {"left": left, "right": right - w, "center": (left + right - w) / 2}[horiz]
        y = {"upper": top, "lower": bottom - h, "center": (top + bottom - h) / 2}[vert]
        return x, y

    def _legend_position(self, spec: dict[str, Any], w: float, h: float) -> tuple[float, float]:
        pad = spec["pad"] * spec["size"] * PT
        if spec["anchor"] is not None:  # a point in axes fractions; the pad moves away from it
            ax_, ay = spec["anchor"]
            px = self.left + ax_ * (self.right - self.left)
            py = self.bottom - ay * (self.bottom - self.top)
            return self._anchored(spec["loc"], w, h, (px, py, px, py), pad)
        box = (self.left, self.top, self.right, self.bottom)
        if spec["loc"] != "best":
            return self._anchored(spec["loc"], w, h, box, pad)
        hits = [a.hit(self) for a in self._artists if a.hit is not None]
        best: tuple[int, int, tuple[float, float]] | None = None
        for i, loc in enumerate(self._LOCS):
            x, y = self._anchored(loc, w, h, box, pad)
            m = LEGEND_CLEARANCE * spec["size"] * PT  # keep clear of data just outside it
            bad = _badness((x - m, y - m, x + w + m, y + h + m), hits)
            if best is None or (bad, i) < best[:2]:
                best = (bad, i, (x, y))
            if bad == 0:
                break
        assert best is not None
        return best[2]


def _badness(box: tuple[float, float, float, float], hits: list[tuple[str, list[Any]]]) -> int:
    """matplotlib's count for "best" legend placement: vertices and points inside the box,
    boxes and texts overlapping it, lines crossing it."""
    x0, y0, x1, y1 = box

    def inside(p: tuple[float, float]) -> bool:
        return x0 < p[0] < x1 and y0 < p[1] < y1

    bad = 0
    for kind, items in hits:
        if kind == "points":
            bad += sum(1 for p in items if inside(p))
        elif kind == "boxes":
            bad += sum(1 for b in items if b[0] < x1 and b[2] > x0 and b[1] < y1 and b[3] > y0)
        elif kind == "texts":
            bad += sum(1 for b in items if b.x0 < x1 and b.x1 > x0 and b.y0 < y1 and b.y1 > y0)
        else:
            for line in items:
                bad += sum(1 for p in line if inside(p))
                if any(_segment_hits(p, q, box) for p, q in zip(line, line[1:], strict=False)) \
                        or any(inside(p) for p in line):
                    bad += 1
    return bad


def _segment_hits(p: tuple[float, float], q: tuple[float, float],
                  box: tuple[float, float, float, float]) -> bool:
    """Whether segment ``pq`` meets the rectangle (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def _floats(values: Any) -> list[float]:
    """A number or a sequence of numbers as a list of floats."""
    if isinstance(values, int | float):
        return [float(values)]
    return [float(v) for v in values]


def _each(value: Any, n: int) -> list[Any]:
    if isinstance(value, str) or value is None or isinstance(value, int | float):
        return [value] * n
    values = list(value)
    return values if len(values) == n else [values[0]] * n


@dataclass
class Figure:
    """A chart of ``width`` × ``height`` inches holding one or more :class:`Axes`."""

    width: float
    height: float
    axes: list[Axes] = field(default_factory=list)
    #: every text laid out by the last :meth:`svg` (labels, ticks, legends), for tests
    texts: list[TextBox] = field(default_factory=list)
    _patterns: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_subplot(self, nrows: int = 1, ncols: int = 1, index: int = 1) -> Axes:
        """An axes in matplotlib's default subplot grid (left 0.125, right 0.9, bottom 0.11,
        top 0.88 of the figure; 0.2 of an axes width between columns)."""
        w, h = self.width * DPI, self.height * DPI
        left, right, top, bottom = 0.125 * w, 0.9 * w, 0.12 * h, 0.89 * h
        col = (index - 1) % ncols
        cell = (right - left) / (ncols + 0.2 * (ncols - 1))
        x0 = left + col * cell * 1.2
        ax = Axes(self, (x0, top, x0 + cell, bottom))
        self.axes.append(ax)
        return ax

    def _pattern(self, hatch: str, colour: str) -> str:
        key = (hatch, colour)
        if key not in self._patterns:
            self._patterns[key] = f"h{len(self._patterns)}"
        return self._patterns[key]

    def svg(self, *, label: str, id_prefix: str) -> tuple[str, int, int]:
        """The ``<svg>`` element (cropped to what is drawn plus 0.1 inch), its width and height.

        ``label`` (the alt text) is the image's accessible name (``role="img"``,
        ``aria-label``); ``id_prefix`` keeps the ids of clip paths and hatch patterns unique on
        the page.
        """
        pattern_defs: list[str] = []
        layers: list[tuple[float, int, str, bool, int]] = []
        boxes: list[tuple[float, float, float, float]] = []
        self.texts = []
        for k, ax in enumerate(self.axes):
            items, texts = ax._render(pattern_defs)
            self.texts.extend(texts)
            layers.extend((z, s + 10_000 * k, m, c, k) for z, s, m, c in items)
            boxes.append((ax.left, ax.top, ax.right, ax.bottom))
            boxes.extend((b.x0, b.y0, b.x1, b.y1) for b in texts)
        x0 = min(b[0] for b in boxes) - CROP_PAD
        y0 = min(b[1] for b in boxes) - CROP_PAD
        x1 = max(b[2] for b in boxes) + CROP_PAD
        y1 = max(b[3] for b in boxes) + CROP_PAD
        width, height = math.ceil(x1 - x0), math.ceil(y1 - y0)
        defs = []
        for k, ax in enumerate(self.axes):
            defs.append(f'<clipPath id="{id_prefix}-c{k}"><rect x="{_n(ax.left)}" '
                        f'y="{_n(ax.top)}" width="{_n(ax.right - ax.left)}" '
                        f'height="{_n(ax.bottom - ax.top)}"/></clipPath>')
        t = _HATCH_TILE
        for (hatch, colour), pid in self._patterns.items():
            if "." in hatch:
                dots = "".join(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(t * 0.12)}"/>'
                               for cx, cy in ((t / 4, t / 4), (3 * t / 4, 3 * t / 4)))
                body = f'<g fill="{colour}">{dots}</g>'
            else:
                body = (f'<path d="{_hatch_path(hatch, t)}" stroke="{colour}" '
                        f'stroke-width="{_n(PT)}"/>')
            defs.append(f'<pattern id="{id_prefix}-{pid}" patternUnits="userSpaceOnUse" '
                        f'width="{_n(t)}" height="{_n(t)}">{body}</pattern>')
        layers.sort(key=lambda item: (item[0], item[1]))
        body_parts: list[str] = []
        open_clip: int | None = None
        for _, _, markup, clip, k in layers:
            if not markup:
                continue
            want = k if clip else None
            if want != open_clip:
                if open_clip is not None:
                    body_parts.append("</g>")
                if want is not None:
                    body_parts.append(f'<g clip-path="url(#{id_prefix}-c{want})">')
                open_clip = want
            body_parts.append(markup)
        if open_clip is not None:
            body_parts.append("</g>")
        body = "".join(body_parts)
        for pid in self._patterns.values():
            body = body.replace(f"url(#{pid})", f"url(#{id_prefix}-{pid})")
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
               f'aria-label="{esc(label)}" width="{width}" height="{height}" '
               f'viewBox="{_n(x0)} {_n(y0)} {width} {height}" '
               f'style="--chart-width: {width}px; white-space: pre" xml:space="preserve" '
               f'font-family="{FONT_FAMILY}">'
               f'<defs>{"".join(defs)}</defs>'
               f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{width}" height="{height}" '
               f'fill="#FFFFFF"/>{body}</svg>')
        return svg, width, height
