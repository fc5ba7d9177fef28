"""Private helpers shared by every statistical family: input coercion and validation.

Validation happens once, at the public boundary (docs/architecture.md convention 5). Messages name the
argument, the rule broken, how many values break it and the first few positions, e.g.::

    numerator: 2 values are greater than the denominator (rule: numerator <= denominator)
    at positions [3, 17]

NaN is never an error: it passes through to NaN in the output, with a reason where the
function reports one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .labels import Polarity

#: The two confidence levels Fingertips uses. Anything else is rejected (docs/architecture.md convention 4).
CONFIDENCE_LEVELS: tuple[float, float] = (0.95, 0.998)

#: How many offending positions an error message lists.
MAX_POSITIONS_SHOWN = 5


def check_confidence(confidence: Any) -> float:
    """Return ``confidence`` as a float if it is exactly 0.95 or 0.998, else raise ValueError."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating | np.integer):
        raise ValueError(
            f"confidence: expected 0.95 or 0.998, got {confidence!r} (type {type(confidence).__name__})"
        )
    conf = float(confidence)
    if conf in CONFIDENCE_LEVELS:
        return conf
    if conf in (95.0, 99.8):
        raise ValueError(
            f"confidence: expected 0.95 or 0.998, got {confidence!r}; did you mean "
            f"{conf / 100:g}? (give the level as a fraction, e.g. confidence={conf / 100:g})"
        )
    raise ValueError(
        f"confidence: expected 0.95 or 0.998 (the two levels Fingertips publishes), got {confidence!r}"
    )


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile, Φ⁻¹(1 − α/2), for a checked confidence level.

    0.95 → 1.959963984540054, 0.998 → 3.090232306167813 (docs/methods.md §0).
    """
    conf = check_confidence(confidence)
    return float(ndtri(1.0 - (1.0 - conf) / 2.0))


def positions_text(mask: np.ndarray, index: pd.Index | None = None) -> str:
    """Describe the first few True positions of ``mask`` (index labels if an index is given)."""
    where = np.flatnonzero(mask)
    shown = where[:MAX_POSITIONS_SHOWN]
    if index is not None and not isinstance(index, pd.RangeIndex):
        labels = [index[i] for i in shown]
        text = f"index labels {labels}"
    else:
        text = f"positions {[int(i) for i in shown]}"
    if where.size > MAX_POSITIONS_SHOWN:
        text += f" (first {MAX_POSITIONS_SHOWN} of {where.size})"
    return text


def fail_if(mask: np.ndarray, name: str, problem: str, rule: str, index: pd.Index | None = None) -> None:
    """Raise ValueError if any element of ``mask`` is True.

    ``problem`` is a plural predicate ("are negative"), ``rule`` the rule in words.
    """
    mask = np.asarray(mask, dtype=bool)
    n_bad = int(mask.sum())
    if n_bad:
        noun = "value is" if n_bad == 1 else "values are"
        problem_text = problem.removeprefix("are ").removeprefix("is ")
        raise ValueError(
            f"{name}: {n_bad} {noun} {problem_text} (rule: {rule}) at {positions_text(mask, index)}"
        )


def as_float_array(values: Any, name: str) -> tuple[np.ndarray, pd.Index | None]:
    """Coerce an array-like of numbers to a 1-D float64 array, keeping a pandas index if any.

    ``None``/NaN/pd.NA become NaN. Strings that are not numbers, booleans and other objects
    raise a ValueError naming the offending positions.
    """
    index = values.index if isinstance(values, pd.Series) else None
    if np.isscalar(values) or values is None:
        values = [values]
    if isinstance(values, pd.Series):
        series = values
    else:
        arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"{name}: expected a one-dimensional array-like, got shape {arr.shape}")
        series = pd.Series(arr)
    if series.dtype.kind in "fiu":
        return series.to_numpy(dtype=np.float64, na_value=np.nan), index
    if series.dtype.kind == "b":
        raise ValueError(f"{name}: expected numbers, got booleans")
    coerced = pd.to_numeric(series, errors="coerce")
    bad = coerced.isna().to_numpy() & ~series.isna().to_numpy()
    if bad.any():
        first = series[bad].iloc[:MAX_POSITIONS_SHOWN].tolist()
        fail_if(bad, name, f"are not numeric (e.g. {first!r})", "values must be numbers or missing", index)
    is_bool = series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
    fail_if(is_bool, name, "are booleans", "values must be numbers or missing", index)
    return coerced.to_numpy(dtype=np.float64, na_value=np.nan), index


def check_same_length(**arrays: np.ndarray) -> int:
    """Raise ValueError unless all arrays have the same length; return that length."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {v}" for k, v in lengths.items())
        raise ValueError(f"inputs must have the same length: {detail}")
    return next(iter(lengths.values())) if lengths else 0


def broadcast_scalars(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    """Broadcast length-1 arrays against the others (a scalar benchmark for a column of values)."""
    n = max((len(a) for a in arrays.values()), default=0)
    out = {}
    for name, a in arrays.items():
        out[name] = np.repeat(a, n) if len(a) == 1 and n != 1 else a
    check_same_length(**out)
    return out


def pick_index(*indexes: pd.Index | None) -> pd.Index | None:
    """The first non-None index (inputs given as Series keep their index in the output)."""
    for idx in indexes:
        if idx is not None:
            return idx
    return None


def as_polarity_array(polarity: Any, n: int, name: str = "polarity") -> np.ndarray:
    """Coerce a scalar or per-row polarity to an object array of :class:`Polarity` members.

    Accepts :class:`Polarity` members or their exact values ("High is good", "Low is good",
    "No judgement", "Not applicable"). Anything else raises ValueError listing the allowed words.
    """
    allowed = [p.value for p in Polarity]

    def one(p: Any) -> Polarity | None:
        if isinstance(p, Polarity):
            return p
        if isinstance(p, str) and p in allowed:
            return Polarity(p)
        return None

    if isinstance(polarity, Polarity | str):
        p = one(polarity)
        if p is None:
            raise ValueError(f"{name}: unknown polarity {polarity!r}; expected one of {allowed}")
        return np.full(n, p, dtype=object)
    values = polarity if isinstance(polarity, pd.Series) else pd.Series(list(polarity), dtype=object)
    if len(values) != n:
        raise ValueError(f"inputs must have the same length: values has {n}, {name} has {len(values)}")
    lookup: dict[Any, Polarity] = {p.value: p for p in Polarity} | {p: p for p in Polarity}
    mapped = values.map(lambda v: lookup.get(v) if isinstance(v, str) else None)
    bad = mapped.isna().to_numpy()
    if bad.any():
        first = values[bad].iloc[:MAX_POSITIONS_SHOWN].tolist()
        fail_if(bad, name, f"not a known polarity (e.g. {first!r})", f"one of {allowed}")
    return mapped.to_numpy(dtype=object)


def key_group_codes(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, int]:
    """Dense group codes 0..G-1 of the rows of ``data`` by the key columns ``by``, groups in
    sorted key order, a missing key forming its own group (sorted last); ``(codes, G)``.

    Vectorised (one ``pandas.factorize`` per key column); used wherever a method aggregates by
    groups with ``np.bincount`` (DSRs, recent trends).
    """
    n = len(data)
    if not by:
        return np.zeros(n, dtype=np.intp), int(n > 0)
    codes, uniques = pd.factorize(data[by[0]], sort=True, use_na_sentinel=False)
    for name in by[1:]:
        more, more_uniques = pd.factorize(data[name], sort=True, use_na_sentinel=False)
        combined = codes.astype(np.int64) * len(more_uniques) + more
        codes, uniques = pd.factorize(combined, sort=True)
    return codes.astype(np.intp, copy=False), len(uniques)
