"""99.8% limits where Fingertips publishes none: computed from the count and denominator.

Many real downloads carry 95% limits only (the FingertipsNext extract, website downloads of
indicators benchmarked at 95%). A chapter built at 99.8% must not then print "Not compared"
without saying why, nor compare at 95% while saying 99.8%.

:func:`fill_998_limits` computes the missing 99.8% interval of a row from its count and
denominator with the indicator's confidence-interval method, where the catalogue's metadata
allow it — a proportion with Wilson score limits (:func:`~rutland_jsna.stats.proportion_ci`)
or a crude rate with exact Poisson / Byar's limits (:func:`~rutland_jsna.stats.rate_ci`) —
and only if the same method reproduces the row's published value and 95% interval from the
same count and denominator (so rounded counts, modelled values or another method never
yield invented limits). Every other row keeps its missing 99.8% interval, and the reason is
recorded (:data:`LIMITS_NOTE` column) for the chapter's data notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import columns as T
from ..stats.proportions import proportion_ci
from ..stats.rates import rate_ci

__all__ = ["LIMITS_NOTE", "fill_998_limits", "limits_note"]

#: Column added to the rows: how the 99.8% interval of the row was obtained, or why not.
LIMITS_NOTE = "limits_note"
#: Tolerance of the reproduction check (published values are rounded to about 4 decimals;
#: numbers printed to fewer decimals are compared to half a unit of their last decimal).
ABS_TOL, REL_TOL = 0.0051, 1e-3
_METHODS = {("proportion", "wilson"): (proportion_ci, "Wilson score method"),
            ("crude_rate", "byar"): (rate_ci, "exact Poisson / Byar's method")}
COMPUTED = "computed"


def limits_note(kind: str, method: str = "", value_type: str = "") -> str:
    """The sentence a chapter prints for an indicator's 99.8% interval (see the module)."""
    if kind == COMPUTED:
        return (f"Fingertips publishes no 99.8% limits for this indicator; they were computed "
                f"from the count and denominator with the {method}, which reproduces the "
                "published 95% interval.")
    if kind == "not_reproduced":
        return ("Not compared at 99.8%: Fingertips publishes no 99.8% limits for this "
                "indicator, and the published count and denominator do not reproduce its 95% "
                "interval, so 99.8% limits cannot be computed reliably.")
    what = value_type.replace("_", " ") if value_type else "this kind of indicator"
    return ("Not compared at 99.8%: Fingertips publishes no 99.8% limits for this indicator, "
            f"and they cannot be computed from the count and denominator for a {what} "
            "(the method needs more than the published figures).")


def _decimals(b: np.ndarray) -> np.ndarray:
    """The decimal places each published number is given to (0 to 6; 6 = full precision)."""
    out = np.full(b.shape, 6)
    for d in range(5, -1, -1):
        out = np.where(np.abs(b - np.round(b, d)) < 1e-9, d, out)
    return out


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Ours ``a`` reproduces the published ``b``: within the tolerance of a 4-decimal file, or
    within half a unit of the last decimal the publisher printed (10.9, 15.63)."""
    diff = np.abs(a - b)
    printed = 0.5 * 10.0 ** (-_decimals(b)) + 1e-9
    return (diff <= ABS_TOL) | (diff <= REL_TOL * np.abs(b)) | (diff <= printed)


def fill_998_limits(rows: pd.DataFrame, lower: str, upper: str) -> pd.DataFrame:
    """Fill ``lower``/``upper`` of 99.8% rows whose 99.8% limits are not published.

    ``rows`` are :func:`~rutland_jsna.analysis.select.indicator_rows` rows with the catalogue
    columns ``ci_level``, ``value_type``, ``ci_method`` and ``multiplier``. Returns ``rows``
    with the limits filled where they can be computed and reproduced, and :data:`LIMITS_NOTE`
    set on every 99.8% row whose published 99.8% interval is missing (blank elsewhere).
    """
    out = rows.copy()
    out[LIMITS_NOTE] = ""
    high = out["ci_level"].to_numpy() > 0.95
    gap = (high & out[T.VALUE].notna().to_numpy() & out[lower].isna().to_numpy()
           & out[upper].isna().to_numpy())
    if not gap.any():
        return out
    value_type = out["value_type"].astype("str").to_numpy()
    method = out["ci_method"].astype("str").to_numpy()
    notes = np.array([limits_note("cannot", value_type=v) for v in value_type], dtype=object)
    for (vt, cm), (function, label) in _METHODS.items():
        mask = gap & (value_type == vt) & (method == cm)
        if not mask.any():
            continue
        sub = out.loc[mask]
        count = sub[T.COUNT].to_numpy(dtype=float)
        denom = sub[T.DENOMINATOR].to_numpy(dtype=float)
        usable = np.isfinite(count) & np.isfinite(denom) & (denom > 0) & (count >= 0)
        if vt == "proportion":
            usable &= count <= denom
        idx = sub.index[usable]
        notes[np.flatnonzero(mask)[~usable]] = limits_note("not_reproduced")
        if len(idx) == 0:
            continue
        part = out.loc[idx]
        mult = part["multiplier"].to_numpy(dtype=float)
        got95, got998 = [], []
        for m in np.unique(mult):
            at = part.index[mult == m]
            c = part.loc[at, T.COUNT].to_numpy(dtype=float)
            d = part.loc[at, T.DENOMINATOR].to_numpy(dtype=float)
            got95.append(function(c, d, confidence=0.95, multiplier=m).set_axis(at))
            got998.append(function(c, d, confidence=0.998, multiplier=m).set_axis(at))
        r95 = pd.concat(got95).loc[idx]
        r998 = pd.concat(got998).loc[idx]
        ok = (_close(r95["value"].to_numpy(), part[T.VALUE].to_numpy(dtype=float))
              & _close(r95["lower_ci"].to_numpy(), part[T.LOWER_CI_95].to_numpy(dtype=float))
              & _close(r95["upper_ci"].to_numpy(), part[T.UPPER_CI_95].to_numpy(dtype=float)))
        good = idx[ok]
        out.loc[good, lower] = r998.loc[good, "lower_ci"].to_numpy()
        out.loc[good, upper] = r998.loc[good, "upper_ci"].to_numpy()
        positions = out.index.get_indexer(idx)
        notes[positions[ok]] = limits_note(COMPUTED, label)
        notes[positions[~ok]] = limits_note("not_reproduced")
    out.loc[gap, LIMITS_NOTE] = notes[gap]
    return out
