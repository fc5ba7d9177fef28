"""Benchmark of the CI families against a bare numpy/scipy floor (run: python benchmarks/bench_stats.py).

For each job it prints the best of a few repeats in seconds, rows per second, and the ratio to
a bare implementation of the same formula written below (no validation, no pandas, no edge
cases) timed in the same run, then whether each target is met:

* ``proportion_ci`` and ``rate_ci`` on 10^6 rows: within 2x of the bare floor (for ``rate_ci``
  the stricter of two floors: Byar's plus a lookup table for integer counts < 10; the plain
  floor calling ``chi2.ppf`` on the rows < 10 is printed beside it);
* ``dsr_ci`` on 10^6 rows (19 age bands per group): under 0.1 s.

For scale, PHEindicatormethods (R) takes about 0.10 s, 1.9 s and 19 s for the three 10^6-row
jobs (phe_proportion, phe_rate, calculate_dsr). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2

from rutland_jsna.stats import ESP2013, dsr_ci, proportion_ci, rate_ci

SIZES = (10**4, 10**5, 10**6)
REPEATS = 7
CONFIDENCE = 0.95
Z = float(ndtri(1 - (1 - CONFIDENCE) / 2))
RATIO_TARGET = 2.0
DSR_TARGET_SECONDS = 0.1
R_SECONDS = {"proportion_ci": 0.10, "rate_ci": 1.9, "dsr_ci": 19.0}


def best_of(function: Callable[[], object], repeats: int = REPEATS) -> float:
    function()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


# --- bare floors: the same formulas, written plainly -------------------------------------------


def bare_wilson(x: np.ndarray, n: np.ndarray, multiplier: float = 100.0):
    z2 = Z * Z
    root = Z * np.sqrt(z2 + 4 * x * (1 - x / n))
    denominator = 2 * (n + z2) / multiplier
    centre = 2 * x + z2
    return x / n * multiplier, (centre - root) / denominator, (centre + root) / denominator


def bare_rate(x: np.ndarray, n: np.ndarray, multiplier: float = 100_000.0):
    alpha = 1 - CONFIDENCE
    with np.errstate(divide="ignore", invalid="ignore"):
        t = 1 - 1 / (9 * x) - Z / (3 * np.sqrt(x))
        lower = x * t * t * t
        x1 = x + 1
        t = 1 - 1 / (9 * x1) + Z / (3 * np.sqrt(x1))
        upper = x1 * t * t * t
    small = x < 10
    xs = x[small]
    lower[small] = np.where(xs == 0, 0.0, chi2.ppf(alpha / 2, 2 * xs) / 2)
    upper[small] = chi2.ppf(1 - alpha / 2, 2 * xs + 2) / 2
    scale = multiplier / n
    return x * scale, lower * scale, upper * scale


_ALPHA = 1 - CONFIDENCE
_TABLE_LOWER = np.r_[0.0, chi2.ppf(_ALPHA / 2, 2 * np.arange(1, 10)) / 2]
_TABLE_UPPER = chi2.ppf(1 - _ALPHA / 2, 2 * np.arange(10) + 2) / 2


def bare_rate_table(x: np.ndarray, n: np.ndarray, multiplier: float = 100_000.0):
    """The lean floor: Byar's for every row, then integer counts < 10 from a lookup table."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = 1 - 1 / (9 * x) - Z / (3 * np.sqrt(x))
        lower = x * t * t * t
        x1 = x + 1
        t = 1 - 1 / (9 * x1) + Z / (3 * np.sqrt(x1))
        upper = x1 * t * t * t
    small = x < 10
    k = x[small].astype(np.intp)
    lower[small] = _TABLE_LOWER[k]
    upper[small] = _TABLE_UPPER[k]
    scale = multiplier / n
    return x * scale, lower * scale, upper * scale


def bare_dsr(data: pd.DataFrame, multiplier: float = 100_000.0):
    codes, uniques = pd.factorize(data["group"], sort=True)
    g = len(uniques)
    w = ESP2013.to_numpy()[ESP2013.index.get_indexer(data["age_band"])]
    x = data["count"].to_numpy(dtype=float)
    n = data["population"].to_numpy(dtype=float)
    o = np.bincount(codes, x, g)
    sw = np.bincount(codes, w, g)
    dsr = np.bincount(codes, w * x / n, g) / sw
    var = np.bincount(codes, x * (w / n) ** 2, g) / sw**2
    t = 1 - 1 / (9 * o) - Z / (3 * np.sqrt(o))
    o_lower = o * t**3
    t = 1 - 1 / (9 * (o + 1)) + Z / (3 * np.sqrt(o + 1))
    o_upper = (o + 1) * t**3
    half = np.sqrt(var / o)
    return (
        dsr * multiplier,
        (dsr + half * (o_lower - o)) * multiplier,
        (dsr + half * (o_upper - o)) * multiplier,
    )


# --- data ------------------------------------------------------------------------------------


def proportion_data(size: int, rng: np.random.Generator):
    n = rng.integers(1, 100_000, size).astype(float)
    x = rng.binomial(n.astype(np.int64), rng.uniform(0, 1, size)).astype(float)
    return x, n


def rate_data(size: int, rng: np.random.Generator):
    n = rng.integers(1_000, 1_000_000, size).astype(float)
    rate = np.exp(rng.uniform(np.log(1e-6), np.log(1e-2), size))
    x = rng.poisson(n * rate).astype(float)
    return x, n


def dsr_data(size: int, rng: np.random.Generator) -> pd.DataFrame:
    groups = -(-size // len(ESP2013))  # at least `size` rows
    rows = groups * len(ESP2013)
    return pd.DataFrame(
        {
            "group": np.repeat(np.arange(groups), len(ESP2013)),
            "age_band": np.tile(ESP2013.index.to_numpy(dtype=object), groups),
            "population": rng.integers(50, 20_000, rows).astype(float),
            "count": rng.poisson(rng.uniform(0, 40, rows)).astype(float),
        }
    )


# --- report ----------------------------------------------------------------------------------


def line(job: str, size: int, seconds: float, floor: float) -> str:
    return (
        f"{job:<14} {size:>9,} rows  {seconds:9.6f} s  {size / seconds:13,.0f} rows/s  "
        f"bare floor {floor:9.6f} s  ratio {seconds / floor:5.2f}x"
    )


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main() -> int:
    rng = np.random.default_rng(2024)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{platform.machine()}; best of {REPEATS} repeats; confidence {CONFIDENCE}"
    )
    results: dict[tuple[str, int], tuple[float, float]] = {}

    for size in SIZES:
        x, n = proportion_data(size, rng)
        got = proportion_ci(x, n)
        np.testing.assert_allclose(got.to_numpy().T, bare_wilson(x, n), rtol=1e-9, atol=1e-9)
        results["proportion_ci", size] = (
            best_of(lambda x=x, n=n: proportion_ci(x, n)),
            best_of(lambda x=x, n=n: bare_wilson(x, n)),
        )
        print(line("proportion_ci", size, *results["proportion_ci", size]))

    for size in SIZES:
        x, n = rate_data(size, rng)
        got = rate_ci(x, n)
        np.testing.assert_allclose(got.to_numpy().T, bare_rate(x, n), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got.to_numpy().T, bare_rate_table(x, n), rtol=1e-9, atol=1e-9)
        seconds = best_of(lambda x=x, n=n: rate_ci(x, n))
        results["rate_ci", size] = (seconds, best_of(lambda x=x, n=n: bare_rate_table(x, n)))
        plain = best_of(lambda x=x, n=n: bare_rate(x, n))
        print(
            line("rate_ci", size, *results["rate_ci", size]),
            f"(lookup-table floor; plain chi2.ppf floor {plain:.6f} s, ratio {seconds / plain:.2f}x;"
            f" {np.mean(x < 10):.0%} of counts < 10)",
        )

    size = SIZES[-1]
    data = dsr_data(size, rng)
    got = dsr_ci(data, "count", "population", "group")
    floor_value, floor_lower, floor_upper = bare_dsr(data)
    keep = got["total_count"].to_numpy() >= 10
    np.testing.assert_allclose(got["value"].to_numpy()[keep], floor_value[keep], rtol=1e-9)
    np.testing.assert_allclose(got["lower_ci"].to_numpy()[keep], floor_lower[keep], rtol=1e-9)
    np.testing.assert_allclose(got["upper_ci"].to_numpy()[keep], floor_upper[keep], rtol=1e-9)
    results["dsr_ci", size] = (
        best_of(lambda: dsr_ci(data, "count", "population", "group")),
        best_of(lambda: bare_dsr(data)),
    )
    print(
        line("dsr_ci", len(data), *results["dsr_ci", size]),
        f"({len(data) // len(ESP2013):,} groups x {len(ESP2013)} bands)",
    )

    print("\ntargets (10^6 rows):")
    for job in ("proportion_ci", "rate_ci"):
        seconds, floor = results[job, size]
        ratio = seconds / floor
        print(
            f"  {job:<14} within {RATIO_TARGET:g}x of the bare floor: {ratio:.2f}x -> "
            f"{verdict(ratio <= RATIO_TARGET)}   (R PHEindicatormethods ~{R_SECONDS[job]:g} s; "
            f"ours {seconds:.3f} s)"
        )
    seconds, _ = results["dsr_ci", size]
    print(
        f"  {'dsr_ci':<14} under {DSR_TARGET_SECONDS:g} s: {seconds:.3f} s -> "
        f"{verdict(seconds < DSR_TARGET_SECONDS)}   (R PHEindicatormethods ~{R_SECONDS['dsr_ci']:g} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
