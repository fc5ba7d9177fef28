"""Benchmark of chart drawing (run: python benchmarks/bench_charts.py; `make bench`).

Every chart the three chapters draw for Rutland (from the demonstration data) is recorded once
— the chart function and its arguments — by building the chapters in this process, then
replayed through each route side by side, in the same run:

* **baseline**: the chart functions of commit ``BASELINE`` (matplotlib, PNG with
  ``bbox_inches="tight"``), loaded from git, as the chapters drew them before issue 18;
* the same matplotlib figures saved as **PNG with fixed margins** (no tight bounding box),
* and as **SVG with text kept as text** (``svg.fonttype = "none"``) and fixed margins;
* **this checkout**: the chart functions of the working tree, as the chapters draw them now
  (SVG written directly by :mod:`rutland_jsna.report.svg`, text kept as text).

For each route: seconds for all the charts (best of ``--repeat`` runs), milliseconds per chart,
the bytes of chart markup they add to the chapters' HTML, and the ratio to the baseline. Each
chart function also builds its alt text and numbers table; those costs are shared by every
route.

**Drawing against the floor.** Of this checkout's time, the part spent drawing (the
:mod:`~rutland_jsna.report.svg` calls: laying out ticks, text and legends and writing the SVG)
is timed on its own and set against a floor: the same SVG elements, with their numbers,
written out by f-strings with every coordinate already known — what any direct writer of the
same picture must at least do. Target: drawing within 2x of the floor.

Not a test: timings depend on the machine, so targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import copy
import functools
import importlib.util
import io
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

#: The last commit before issue 18 (charts drawn by matplotlib as tight-bbox PNG).
BASELINE = "3f887dd"
REPO = Path(__file__).resolve().parent.parent
#: The chart functions the chapters call (rutland_jsna.report.charts).
KINDS = ("neighbour_chart", "trend_chart", "spine_chart", "funnel_chart", "grouped_bar_chart",
         "stacked_bar_chart", "bar_chart")

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def record_calls() -> list[Call]:
    """Build Rutland's three chapters in this process, recording every chart call."""
    from rutland_jsna.release import build as build_module
    from rutland_jsna.report import charts

    calls: list[Call] = []
    originals = {k: getattr(charts, k) for k in KINDS}

    def recorder(kind: str) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            calls.append((kind, copy.deepcopy(args), copy.deepcopy(kwargs)))
            return originals[kind](*args, **kwargs)

        return wrapped

    try:
        for k in KINDS:
            setattr(charts, k, recorder(k))
        with tempfile.TemporaryDirectory(prefix="bench-charts-") as tmp:
            build_module.build(reports_root=tmp, release="2026-Q1", progress=False,
                               incremental=False, engine="inprocess")
    finally:
        for k, f in originals.items():
            setattr(charts, k, f)
    return calls


def baseline_module() -> ModuleType | None:
    """``rutland_jsna/report/charts.py`` of :data:`BASELINE`, imported beside the package."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:rutland_jsna/report/charts.py"], cwd=REPO,
            check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  (baseline not available: git show {BASELINE} failed: {exc})")
        return None
    name = "rutland_jsna.report._bench_baseline_charts"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    module.__package__ = "rutland_jsna.report"
    try:
        exec(compile(source, f"{BASELINE}:charts.py", "exec"), module.__dict__)
    except ImportError as exc:
        print(f"  (baseline charts of {BASELINE} no longer import here: {exc})")
        return None
    return module


def _fixed_margin_png(module: ModuleType) -> Callable[[Any], tuple[str, int, int]]:
    import base64

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def png(fig: Any) -> tuple[str, int, int]:
        FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.subplots_adjust(left=0.3, right=0.97, bottom=0.15, top=0.95)
        fig.savefig(buffer, format="png", dpi=100)
        raw = buffer.getvalue()
        w, h = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
        return base64.b64encode(raw).decode("ascii"), w, h

    return png


def _svg_text(module: ModuleType) -> Callable[[Any], tuple[str, int, int]]:
    import base64

    import matplotlib as mpl
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    def svg(fig: Any) -> tuple[str, int, int]:
        FigureCanvasSVG(fig)
        buffer = io.BytesIO()
        fig.subplots_adjust(left=0.3, right=0.97, bottom=0.15, top=0.95)
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "bench"}):
            fig.savefig(buffer, format="svg", dpi=100)
        w, h = fig.get_size_inches() * 100
        # inline SVG is not base64-encoded: return it as is (the markup size is its length)
        return buffer.getvalue().decode("utf-8"), int(w), int(h)

    del base64
    return svg


def run_route(functions: dict[str, Callable[..., Any]], calls: list[Call]) -> tuple[float, int]:
    """Seconds and markup bytes for every recorded call through ``functions``."""
    start = time.perf_counter()
    size = 0
    for kind, args, kwargs in calls:
        size += len(functions[kind](*args, **kwargs).markup)
    return time.perf_counter() - start, size


def best_of(repeat: int, functions: dict[str, Callable[..., Any]],
            calls: list[Call]) -> tuple[float, int]:
    runs = [run_route(functions, calls) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[0][1]


class DrawTimer:
    """Seconds spent inside :mod:`rutland_jsna.report.svg` (figure building and writing)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._depth = 0
        self._saved: list[tuple[type, str, Any]] = []

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self._depth -= 1

        return timed

    def __enter__(self) -> DrawTimer:
        from rutland_jsna.report import svg

        for cls in (svg.Figure, svg.Axes):
            for name, member in list(vars(cls).items()):
                if callable(member) and not name.startswith("_"):
                    self._saved.append((cls, name, member))
                    setattr(cls, name, self._wrap(member))
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, name, member in self._saved:
            setattr(cls, name, member)


_ELEMENT = re.compile(r"<(/?)([a-zA-Z]+)((?:\s+[^\s=>]+=\"[^\"]*\")*)\s*(/?)>|([^<]+)")
_ATTR = re.compile(r'([^\s=]+)="([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def floor_elements(svg_markup: str) -> list[tuple[Any, ...]]:
    """The SVG's elements, each as what a writer needs: its tag, and per attribute its name,
    the literal text between its numbers and the numbers themselves (as floats)."""
    out: list[tuple[Any, ...]] = []
    for close, name, attrs, selfclose, text in _ELEMENT.findall(svg_markup):
        if text:
            out.append(("text", text))
        elif close:
            out.append(("close", name))
        else:
            parsed = []
            for k, v in _ATTR.findall(attrs):
                numbers = [float(m) for m in _NUMBER.findall(v)]
                parsed.append((k, _NUMBER.split(v), numbers))
            out.append(("open", name, "/" if selfclose else "", parsed))
    return out


def write_floor(elements: list[list[tuple[Any, ...]]]) -> int:
    """Write every element again with f-strings, its numbers formatted as coordinates."""
    size = 0
    for chart in elements:
        parts = []
        for item in chart:
            if item[0] == "text":
                parts.append(item[1])
            elif item[0] == "close":
                parts.append(f"</{item[1]}>")
            else:
                attrs = []
                for k, literal, numbers in item[3]:
                    if numbers:
                        v = literal[0] + "".join(f"{x:.2f}{t}" for x, t in
                                                 zip(numbers, literal[1:], strict=True))
                    else:
                        v = literal[0]
                    attrs.append(f'{k}="{v}"')
                parts.append(f"<{item[1]} {' '.join(attrs)}{item[2]}>")
        size += len("".join(parts))
    return size


def bench_drawing(calls: list[Call], repeat: int) -> None:
    """This checkout's drawing time against the floor of writing the same SVG."""
    from rutland_jsna.report import charts

    images: list[str] = []
    best_total = best_draw = float("inf")
    for _ in range(repeat):
        images = []
        with DrawTimer() as timer:
            start = time.perf_counter()
            for kind, args, kwargs in calls:
                out = getattr(charts, kind)(*args, **kwargs)
                if getattr(out, "mime", "") == "image/svg+xml":
                    images.append(out.image)
            total = time.perf_counter() - start
        best_total, best_draw = min(best_total, total), min(best_draw, timer.seconds)
    if not images:
        print("  (this checkout draws no SVG: no drawing floor to compare with)")
        return
    elements = [floor_elements(i) for i in images]
    floor = float("inf")
    for _ in range(max(repeat, 3)):
        start = time.perf_counter()
        write_floor(elements)
        floor = min(floor, time.perf_counter() - start)
    n = sum(len(e) for e in elements)
    print(f"\nDrawing ({len(images)} SVG charts, {n:,} elements)")
    print(f"  {'chart functions, everything (alt text, numbers tables)':<58} {best_total:7.3f} s")
    print(f"  {'of which drawing (report.svg: layout and writing)':<58} {best_draw:7.3f} s")
    print(f"  {'floor: the same elements written by f-strings':<58} {floor:7.3f} s")
    ratio = best_draw / floor
    print(f"  {'drawing / floor':<58} {ratio:7.2f}   target <= 2: "
          f"{'met' if ratio <= 2 else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per route (best is kept)")
    args = parser.parse_args(argv)
    print(f"rutland_jsna chart benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}")
    t0 = time.perf_counter()
    calls = record_calls()
    counts = {k: sum(1 for c in calls if c[0] == k) for k in KINDS}
    print(f"{len(calls)} charts recorded from Rutland's three chapters in "
          f"{time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{n} {k.removesuffix('_chart')}" for k, n in counts.items() if n))

    from rutland_jsna.report import charts

    routes: list[tuple[str, dict[str, Callable[..., Any]]]] = []
    base = baseline_module()
    if base is not None:
        routes.append((f"baseline {BASELINE}: matplotlib PNG, tight bbox",
                       {k: getattr(base, k) for k in KINDS}))
    routes.append(("this checkout", {k: getattr(charts, k) for k in KINDS}))

    results: list[tuple[str, float, int]] = []
    for name, functions in routes:
        seconds, size = best_of(args.repeat, functions, calls)
        results.append((name, seconds, size))
    if base is not None:
        real_png = base._png
        for name, patch in (("matplotlib PNG, fixed margins", _fixed_margin_png),
                            ("matplotlib SVG, text as text, fixed margins", _svg_text)):
            base._png = patch(base)
            try:
                seconds, size = best_of(args.repeat, {k: getattr(base, k) for k in KINDS},
                                        calls)
            finally:
                base._png = real_png
            results.append((name, seconds, size))

    reference = results[0][1]
    print(f"\n  {'route':<50} {'seconds':>8} {'ms/chart':>9} {'markup MB':>10} {'ratio':>7}")
    for name, seconds, size in results:
        print(f"  {name:<50} {seconds:8.2f} {1000 * seconds / len(calls):9.1f} "
              f"{size / 1e6:10.2f} {seconds / reference:7.3f}")
    bench_drawing(calls, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
