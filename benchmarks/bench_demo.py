"""Benchmark of the demonstration snapshot generator (run: python benchmarks/bench_demo.py).

Generates the whole snapshot (every bulk CSV, neighbours, local extracts, manifest) into a
temporary folder a few times and prints the best and median wall time, the rows written and
rows per second, plus the time of each stage of one run. Target: the whole snapshot in under
10 seconds. Not a test: timings depend on the machine, so the target is reported, not asserted.
"""

from __future__ import annotations

import csv
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rutland_jsna.demo import snapshot as demo

REPEATS = 3
TARGET_SECONDS = 10.0


def _rows(folder: Path) -> tuple[int, int]:
    with open(folder / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bulk = sum(int(r["rows"]) for r in rows if r["kind"] == "bulk_csv")
    return bulk, sum(int(r["rows"]) for r in rows)


def _stages(folder: Path) -> list[tuple[str, float]]:
    """Time the stages of one run (catalogue and world, series, local extracts)."""
    from rutland_jsna.data.catalogue import load_catalogue
    from rutland_jsna.demo.local import write_local_extracts
    from rutland_jsna.demo.series import generate_series
    from rutland_jsna.demo.world import build_world

    out = []
    t0 = time.perf_counter()
    world = build_world(demo.DEFAULT_SEED)
    series = demo._series_list(load_catalogue(), world)
    out.append(("catalogue, world and pins", time.perf_counter() - t0))
    t0 = time.perf_counter()
    for s in series:
        generate_series(s, world, demo.DEFAULT_SEED)
    out.append(
        (f"{len(series)} series (values, CIs, comparisons, trends)", time.perf_counter() - t0)
    )
    t0 = time.perf_counter()
    folder.mkdir(exist_ok=True)
    write_local_extracts(folder, world, demo.DEFAULT_SEED)
    out.append(("local extracts", time.perf_counter() - t0))
    return out


def main() -> int:
    print(
        f"python {platform.python_version()} on {platform.machine()}, generator {demo.GENERATOR_VERSION}"
    )
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(REPEATS):
            folder = Path(tmp) / f"run{k}"
            t0 = time.perf_counter()
            demo.generate_demo_snapshot(folder)
            times.append(time.perf_counter() - t0)
        bulk_rows, all_rows = _rows(folder)
        stages = _stages(Path(tmp) / "stages")
    best, median = min(times), statistics.median(times)
    print(f"whole snapshot: best {best:.2f} s, median {median:.2f} s over {REPEATS} runs")
    print(f"rows written: {bulk_rows:,} bulk-CSV rows, {all_rows:,} rows in all files")
    print(
        f"throughput: {bulk_rows / best:,.0f} bulk rows/s, {all_rows / best:,.0f} rows/s (best run)"
    )
    for name, seconds in stages:
        print(f"  {name}: {seconds:.2f} s")
    met = best < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
