"""Benchmark of the release pipeline (run: python benchmarks/bench_pipeline.py; `make bench`).

Every measurement is printed with its target (issue 18) and whether it was met. Builds run the
real command line (``rutland-jsna build``) in a subprocess, into a temporary reports folder,
from the demonstration data in ``data/``; peak memory is the largest sum of the resident memory
of the build process and all its children (kernels, workers), sampled every 50 ms, and for a
batch also the largest resident memory of any one worker process; CPU seconds are the user and
system time of the build process and every child it waited for.

1. whole-country statistics: :func:`rutland_jsna.analysis.national.national_statistics` for
   the whole catalogue × 153 authorities (and, for scale, the same summaries one area at a
   time for a sample of areas, extrapolated);
2. store read: the verified fast path of ``read_processed`` against full re-validation;
3. cold build of Rutland's three chapters (papermill, a fresh reports folder), and the same
   in process (``--engine inprocess``);
4. no-change rebuild (every chapter reused);
5. one-area change rebuild: one input of one of the area's chapters changed (the oral-health
   notebook edited), so one chapter of three runs again;
6. all-area batch: ``--all-areas`` for a few areas, then the same release with one area
   added (only that area rendered): wall and CPU seconds per area, peak memory per worker, and
   the wall time extrapolated to all 153 areas on N workers (N cores).

The speed-ups of the incremental paths are measured against the cold build of the same run.
Not a test: timings depend on the machine, so targets are reported, not asserted. Options:
``--areas N`` (areas in the batch measurement, default 3), ``--all`` (measure the full
153-area batch too; about 15 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from rutland_jsna.config import notebooks_dir

GIB = 1024**3
MIB = 1024**2
TARGETS = {
    "national": 2.0,  # seconds, whole demonstration snapshot
    "cold": 8.0,  # seconds, three chapters, papermill
    "cold_inprocess": 4.0,  # seconds, three chapters, in process
    "rebuild": 1.0,  # seconds, no change
    "rss": 600 * MIB,  # bytes, peak of a single build's process tree
    "worker_rss": 400 * MIB,  # bytes, peak of one batch worker
    "all_areas": 300.0,  # seconds, 153 areas cold on 2 workers
    "cpu_per_area": 4.0,  # CPU seconds per area in the batch
}
N_AREAS = 153


class PeakRSS:
    """Largest total resident memory of a process and its descendants while it runs, and the
    largest of any one descendant (a batch worker, a kernel)."""

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.child_peak = 0
        #: CPU seconds of the process itself (not its children), at the last sample
        self.own_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.proc.cpu_times()
                self.own_cpu = own.user + own.system
                children = self.proc.children(recursive=True)
                total = 0
                for p in [self.proc, *children]:
                    try:
                        rss = p.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    if p is not self.proc:
                        self.child_peak = max(self.child_peak, rss)
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Run:
    """One ``rutland-jsna`` run: wall and CPU seconds, peak memory (tree, one child), stdout."""

    def __init__(self, seconds: float, cpu: float, rss: int, child_rss: int, out: str,
                 own_cpu: float = 0.0):
        self.seconds, self.cpu, self.rss, self.child_rss, self.out = (
            seconds, cpu, rss, child_rss, out)
        self.own_cpu = own_cpu  # the build process's own CPU seconds (workers apart)

    def __iter__(self):  # (wall seconds, peak RSS, stdout), as the single-build lines use it
        return iter((self.seconds, self.rss, self.out))


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cli(*args: str) -> Run:
    """Run ``rutland-jsna`` in a subprocess and measure it."""
    exe = Path(sys.executable).with_name("rutland-jsna")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "rutland_jsna.cli"]
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen([*cmd, *args, "--no-progress"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with PeakRSS(proc.pid) as peak:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"rutland-jsna {' '.join(args)} failed:\n{err[-3000:]}")
    return Run(seconds, _children_cpu() - cpu0, peak.peak, peak.child_peak, out, peak.own_cpu)


def verdict(value: float, target: float) -> str:
    return "met" if value < target else "NOT met"


def line(name: str, value: str, target: str = "", ok: str = "") -> None:
    print(f"  {name:<58} {value:>14}  {target:<16} {ok}")


def bench_national() -> None:
    from rutland_jsna.analysis.national import national_statistics
    from rutland_jsna.analysis.summary import indicator_summary, national_codes_in
    from rutland_jsna.chapter.context import _demo_labels, load_store
    from rutland_jsna.data.catalogue import load_catalogue

    store = load_store("demo")
    indicators = _demo_labels(tuple(load_catalogue()))
    national_statistics(store.data, indicators, store.neighbours)  # warm caches
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        table = national_statistics(store.data, indicators, store.neighbours)
        best = min(best, time.perf_counter() - t)
    areas = national_codes_in(store.data)
    sample = areas[:: max(1, len(areas) // 10)][:10]
    t = time.perf_counter()
    for a in sample:
        indicator_summary(store.data, indicators, a, table.attrs["comparators"][a])
    per_area = (time.perf_counter() - t) / len(sample)
    print(f"Whole-country statistics ({len(indicators)} catalogue rows x {len(areas)} "
          f"authorities = {len(table):,} summary rows)")
    line("national_statistics, best of 3", f"{best:.2f} s", f"< {TARGETS['national']:.0f} s",
         verdict(best, TARGETS["national"]))
    line("the same one area at a time (extrapolated from 10 areas)",
         f"{per_area * len(areas):.1f} s", f"speed-up x{per_area * len(areas) / best:.0f}")


def bench_store() -> None:
    from rutland_jsna.data import store as S
    from rutland_jsna.demo import DEMO_STORE_NAME

    S.read_processed(DEMO_STORE_NAME)
    t = time.perf_counter()
    df, _ = S.read_processed(DEMO_STORE_NAME)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    S.read_processed(DEMO_STORE_NAME, validate=True)
    full = time.perf_counter() - t
    print(f"Processed store read ({len(df):,} rows; sha256 checked both ways)")
    line("verified read (pickled copy keyed by sha256)", f"{fast:.2f} s")
    line("full re-validation (pandera)", f"{full:.2f} s", f"speed-up x{full / fast:.0f}")


def bench_builds(tmp: Path, n_areas: int, full: bool) -> None:
    reports = tmp / "reports"
    notebooks = tmp / "notebooks"
    shutil.copytree(notebooks_dir(), notebooks)
    common = ["--release", "2026-Q1", "--reports", str(reports), "--notebooks", str(notebooks)]

    print("Single area (Rutland, three chapters; rutland-jsna build in a subprocess)")
    run = cli("build", "--release", "2026-Q1", "--reports", str(tmp / "reports-inprocess"),
              "--notebooks", str(notebooks), "--engine", "inprocess")
    line("cold build, in process", f"{run.seconds:.1f} s",
         f"<= {TARGETS['cold_inprocess']:.0f} s", verdict(run.seconds, TARGETS["cold_inprocess"]))
    line("  CPU seconds", f"{run.cpu:.1f} s")
    line("  peak memory", f"{run.rss / MIB:.0f} MiB", f"<= {TARGETS['rss'] / MIB:.0f} MiB",
         verdict(run.rss, TARGETS["rss"]))
    cold, cold_rss, _ = run = cli("build", *common)
    line("cold build, papermill", f"{cold:.1f} s", f"<= {TARGETS['cold']:.0f} s",
         verdict(cold, TARGETS["cold"]))
    line("  CPU seconds (build and kernels)", f"{run.cpu:.1f} s")
    line("  peak memory of the build and its kernels", f"{cold_rss / MIB:.0f} MiB",
         f"<= {TARGETS['rss'] / MIB:.0f} MiB", verdict(cold_rss, TARGETS["rss"]))
    rebuild, rebuild_rss, out = run = cli("build", *common)
    reused = out.count("unchanged, reused")
    line(f"no-change rebuild ({reused} of 3 chapters reused)", f"{rebuild:.2f} s",
         f"<= {TARGETS['rebuild']:.0f} s", verdict(rebuild, TARGETS["rebuild"]))
    line("  CPU seconds", f"{run.cpu:.2f} s")
    line("  peak memory", f"{rebuild_rss / MIB:.0f} MiB")
    line("  speed-up over the cold build", f"x{cold / rebuild:.0f}")
    nb = notebooks / "oral_health.ipynb"
    raw = json.loads(nb.read_text(encoding="utf-8"))
    raw["metadata"]["bench_edit"] = time.time()  # an edit: new notebook bytes, same cells
    nb.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    change, change_rss, out = cli("build", *common)
    rerun = 3 - out.count("unchanged, reused")
    line(f"one-area change rebuild ({rerun} of 3 chapters re-run)", f"{change:.1f} s",
         f"< cold ({cold:.0f} s)", verdict(change, cold))
    line("  speed-up over the cold build", f"x{cold / change:.1f}")
    line("  peak memory", f"{change_rss / MIB:.0f} MiB", f"<= {TARGETS['rss'] / MIB:.0f} MiB",
         verdict(change_rss, TARGETS["rss"]))

    from rutland_jsna.data.areas import upper_tier_areas

    codes = [a.code for a in upper_tier_areas()]
    some = ["E06000017", *[c for c in codes if c != "E06000017"][: max(0, n_areas - 1)]]
    workers = str(min(2, os.cpu_count() or 1))
    batch = ["--release", "2026-Q2", "--reports", str(reports), "--notebooks", str(notebooks),
             "--all-areas", "--workers", workers]
    print(f"All-area batch (in-process notebooks, {workers} worker processes)")
    run = cli("build", *batch, "--areas", ",".join(some))
    t = run.seconds
    batch_report(run, len(some), int(workers), "cold")
    extra = codes[len(some) + 5]
    t2, _, out = cli("build", *batch, "--areas", ",".join([*some, extra]))
    line(f"one area added ({len(some) + 1} areas, 1 rendered)", f"{t2:.1f} s",
         f"speed-up x{t * (len(some) + 1) / len(some) / t2:.1f}")
    if full:
        run = cli("build", "--release", "2026-Q3", "--reports", str(reports),
                  "--notebooks", str(notebooks), "--all-areas", "--workers", workers)
        print("  " + run.out.strip().replace("\n", "\n  "))
        batch_report(run, N_AREAS, int(workers), "all, cold")


def batch_report(run: Run, n: int, workers: int, what: str) -> None:
    """Wall and CPU seconds per area, memory per worker, and the extrapolation to N workers.

    The extrapolation assumes one idle core per worker and the CPU seconds of this run (CPU
    seconds, unlike wall time, do not count the time other processes of a shared machine hold
    the cores): the build process's own CPU seconds (planning, national statistics,
    publishing: serial) plus the workers' CPU seconds per area shared among N workers.
    """
    national = _national_seconds(run.out)
    line(f"{n} areas, {what}, {workers} workers", f"{run.seconds:.1f} s",
         *((f"<= {TARGETS['all_areas']:.0f} s", verdict(run.seconds, TARGETS["all_areas"]))
           if n == N_AREAS else ()))
    line("  wall seconds per area", f"{run.seconds / n:.2f} s")
    per_area = (run.cpu - national) / n
    line("  CPU seconds per area (build, workers; national statistics apart)",
         f"{per_area:.2f} s", f"<= {TARGETS['cpu_per_area']:.0f} s",
         verdict(per_area, TARGETS["cpu_per_area"]))
    line("  national statistics (once)", f"{national:.1f} s")
    line("  peak memory, parent and workers", f"{run.rss / MIB:.0f} MiB")
    line("  peak memory of one worker", f"{run.child_rss / MIB:.0f} MiB",
         f"<= {TARGETS['worker_rss'] / MIB:.0f} MiB", verdict(run.child_rss, TARGETS["worker_rss"]))
    worker_per_area = max(0.0, run.cpu - run.own_cpu) / n
    line("  build process's own CPU seconds (serial)", f"{run.own_cpu:.1f} s")
    estimates = ", ".join(f"{k}: {run.own_cpu + worker_per_area * N_AREAS / k:.0f} s"
                          for k in (1, 2, 4, 8, 16, 32))
    line(f"  all {N_AREAS} areas on N workers, one idle core each (extrapolated)", "")
    print(f"    {estimates}")


def _national_seconds(out: str) -> float:
    import re

    m = re.search(r"national statistics ([0-9.]+) s", out)
    return float(m.group(1)) if m else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=3, help="areas in the batch measurement")
    parser.add_argument("--all", action="store_true", help="also build all 153 areas")
    args = parser.parse_args(argv)
    print(f"rutland_jsna pipeline benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / GIB:.0f} GiB")
    bench_national()
    bench_store()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        bench_builds(Path(tmp), args.areas, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
