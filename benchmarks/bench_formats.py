"""Benchmark of the board-pack formats (run: python benchmarks/bench_formats.py; `make bench`).

Builds Rutland's three chapters from the demonstration data twice into a temporary reports
folder with the in-process engine: HTML only (the baseline, same run), then the same release
with ``--formats html,pdf,xlsx,docx`` (the chapters come from the cache, so the second build's
extra time is the formats'), then once more with nothing changed (every format reused). Prints,
per output, its size and render seconds, and the ratio of the formats' time to the HTML build.
Not a test: timings depend on the machine (and on what else it runs).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from rutland_jsna.release.build import build


def _run(root: Path, formats: str | None):
    start = time.perf_counter()
    result = build(release="bench", reports_root=root, progress=False, engine="inprocess",
                   formats=formats)
    return result, time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        root = Path(tmp)
        html, html_s = _run(root, None)
        full, full_s = _run(root, "html,pdf,xlsx,docx")
        again, again_s = _run(root, "html,pdf,xlsx,docx")
        print(f"HTML build (baseline): {html_s:.1f} s for {len(html.chapters)} chapters")
        print(f"{'output':24s} {'format':6s} {'size':>9s} {'render':>8s}")
        totals: dict[str, float] = {}
        for name, out in full.outputs.items():
            fmt = out["format"]
            seconds = out["seconds"]
            if fmt != "html":
                totals[fmt] = totals.get(fmt, 0.0) + seconds
            print(f"{name:24s} {fmt:6s} {out['bytes'] / 1e6:7.2f} MB {seconds:7.1f} s")
        extra = full_s
        for fmt, seconds in totals.items():
            print(f"{fmt}: {seconds:.1f} s in all, {seconds / html_s:.2f} × the HTML build")
        print(f"build adding every format to a built release: {extra:.1f} s "
              f"({extra / html_s:.2f} × the HTML build)")
        reused = all(o["reused"] for o in again.outputs.values())
        print(f"no-change rebuild in every format: {again_s:.1f} s "
              f"({'every output reused' if reused else 'SOME OUTPUT RE-RENDERED'}; "
              f"{again_s / html_s:.3f} × the HTML build)")
        return 0 if reused else 1


if __name__ == "__main__":
    sys.exit(main())
