"""Integer counts and denominators that reproduce a pinned value (private to the demo generator).

A published value is printed to one or two decimals; the demonstration data must contain
whole counts and denominators whose value rounds to it. These helpers search small grids of
candidate integers (vectorised; a pinned cell is tuned once, so they are not a hot path).
"""

from __future__ import annotations

import numpy as np

__all__ = ["TuneError", "dsr_value", "tune_dsr", "tune_ratio"]


class TuneError(ValueError):
    """No integer count/denominator pair reproduces a pinned value near the wanted size."""


def tune_ratio(
    target: float,
    multiplier: float,
    expected_denominator: float,
    tol: float,
    *,
    proportion: bool,
    min_denominator: int = 1,
) -> tuple[int, int]:
    """Whole ``(count, denominator)`` with ``|count/denominator × multiplier − target| <= tol``.

    The denominator is kept as close as possible (on a log scale) to ``expected_denominator``.
    For a proportion ``count <= denominator``. ``target == 0`` gives count 0.
    """
    d0 = max(float(expected_denominator), float(min_denominator))
    if target < 0:
        raise TuneError(f"target {target} is negative")
    if target == 0:
        return 0, int(round(d0))
    if proportion and target > multiplier + tol:
        raise TuneError(f"proportion target {target} exceeds the multiplier {multiplier}")
    x0 = target * d0 / multiplier
    for widen in (0.25, 1.0, 4.0, 16.0):
        # a few hundred candidate counts are plenty for large counts (the denominator varies)
        half = max(4.0, min(widen * max(x0, 1.0), 400.0 * (1.0 + 4.0 * widen)))
        lo = max(1, int(np.floor(x0 - half)))
        hi = int(np.ceil(x0 + half))
        x = np.arange(lo, hi + 1, dtype=float)
        if x.size > 200_000:
            x = np.unique(np.round(np.geomspace(lo, hi, 200_000)))
        d_exact = x * multiplier / target
        d = np.concatenate([np.floor(d_exact), np.ceil(d_exact)])
        xx = np.concatenate([x, x])
        ok = d >= max(min_denominator, 1)
        if proportion:
            ok &= xx <= d
        if not ok.any():
            continue
        xx, d = xx[ok], d[ok]
        err = np.abs(xx / d * multiplier - target)
        good = err <= tol
        if good.any():
            cand_x, cand_d = xx[good], d[good]
            dist = np.abs(np.log(cand_d / d0))
            best = np.lexsort((err[good], dist))[0]
            return int(cand_x[best]), int(cand_d[best])
    raise TuneError(
        f"no whole count/denominator gives {target} ± {tol} (× {multiplier}) near denominator {d0:.0f}"
    )


def dsr_value(
    counts: np.ndarray, pops: np.ndarray, weights: np.ndarray, multiplier: float
) -> np.ndarray:
    """DSR of the last axis: ``Σ w x / n / Σ w × M`` (vectorised over leading axes)."""
    return (weights * counts / pops).sum(axis=-1) / weights.sum() * multiplier


def tune_dsr(
    target: float,
    rates_shape: np.ndarray,
    pops: np.ndarray,
    weights: np.ndarray,
    multiplier: float,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Band counts and populations (whole numbers) whose DSR is within ``tol`` of ``target``.

    ``rates_shape`` gives the relative age-specific rates; the counts are the expected counts
    scaled to the target, rounded, and two bands' populations are then searched so that the
    DSR of the whole numbers lands within the tolerance.
    """
    pops = np.maximum(np.round(np.asarray(pops, dtype=float)), 1.0)
    shape = np.asarray(rates_shape, dtype=float)
    w = np.asarray(weights, dtype=float)
    if target <= 0:
        return np.zeros_like(pops), pops
    base = dsr_value(shape, np.ones_like(shape), w, multiplier)  # DSR of the shape as rates
    rates = shape * (target / base)  # per person
    expected = rates * pops
    counts = np.floor(expected)
    unit = w / pops / w.sum() * multiplier  # DSR added by one more event in each band
    # Round up the bands with the largest remainders while that keeps the DSR <= target, so
    # that the populations below only need to absorb less than one event's worth.
    for _ in range(pops.size):
        gap = target - dsr_value(counts, pops, w, multiplier)
        frac = np.where(unit <= gap + 1e-12, expected - counts, -np.inf)
        i = int(np.argmax(frac))
        if not np.isfinite(frac[i]) or frac[i] <= 0:
            break
        counts[i] += 1.0
    if counts.sum() == 0:
        counts[np.argmax(expected)] = 1.0
    order = np.argsort(-(w * counts / pops))  # bands contributing most first
    wsum = w.sum()
    for j in order[:4]:
        if counts[j] == 0:
            continue
        rest = dsr_value(np.delete(counts, j), np.delete(pops, j), np.delete(w, j), multiplier) * (
            np.delete(w, j).sum() / wsum
        )
        need = target - rest  # contribution band j must give
        if need <= 0:
            continue
        nj = w[j] * counts[j] / wsum * multiplier / need
        for k in order[:6]:
            if k == j:
                continue
            dj = np.arange(-6, 7, dtype=float)
            dk = np.arange(-6, 7, dtype=float)
            gj, gk = np.meshgrid(np.round(nj) + dj, pops[k] + dk, indexing="ij")
            gj, gk = gj.ravel(), gk.ravel()
            valid = (gj >= 1) & (gk >= 1) & (gj >= counts[j]) & (gk >= counts[k])
            trial = np.broadcast_to(pops, (gj.size, pops.size)).copy()
            trial[:, j] = gj
            trial[:, k] = gk
            val = dsr_value(counts, trial, w, multiplier)
            err = np.where(valid, np.abs(val - target), np.inf)
            best = int(np.argmin(err))
            if err[best] <= tol:
                return counts, trial[best]
    raise TuneError(f"no whole band counts/populations give a DSR of {target} ± {tol}")
