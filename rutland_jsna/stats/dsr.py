"""Directly standardised rates (DSR) with Dobson confidence limits on Byar's count limits.

Public: :func:`dsr_ci` and :data:`ESP2013`, the 2013 European Standard Population (19 bands).

How the standard population is lined up with the rows (argument ``standard``):

* a pandas Series (the default, :data:`ESP2013`) or a dict: a table *band label → weight*,
  matched **exactly** on the ``age_band`` column of ``data`` (no prefix or format guessing);
  every band in the data must be in the table, and a group may not repeat a band;
* a string: the name of a column of ``data`` holding each row's weight;
* any other array-like (list, ndarray): one weight per row of ``data``, by position.

A Series is always read as a band table: to pass per-row weights held in a Series, pass its
column name or ``series.to_numpy()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import (
    MAX_POSITIONS_SHOWN,
    as_float_array,
    check_confidence,
    fail_if,
    key_group_codes,
    z_value,
)
from ._poisson import LOWER_CI, UPPER_CI, VALUE, _byar, check_multiplier

__all__ = ["ESP2013", "dsr_ci"]

#: Output columns after the ``by`` columns (docs/architecture.md convention 3).
TOTAL_COUNT = "total_count"
TOTAL_POPULATION = "total_population"
REASON = "reason"
DSR_COLUMNS: tuple[str, ...] = (TOTAL_COUNT, TOTAL_POPULATION, VALUE, LOWER_CI, UPPER_CI, REASON)

#: Groups with fewer events than this are not given a value (docs/methods.md §3.1; Morris 2018).
MIN_TOTAL_COUNT = 10

#: ``reason`` strings (empty string when a value is given).
REASON_TOTAL_COUNT_BELOW_10 = "total count < 10: value not calculated"
REASON_ZERO_STANDARD = "standard population of the group sums to 0: value not calculated"


def _load_esp2013() -> pd.Series:
    table = pd.read_csv(Path(__file__).with_name("esp2013.csv"))
    weights = pd.Series(
        table["weight"].to_numpy(dtype=np.float64),
        index=pd.Index(table["age_band"], name="age_band"),
        name="weight",
    )
    if len(weights) != 19 or weights.sum() != 100_000:  # pragma: no cover - packaging guard
        raise RuntimeError("esp2013.csv is damaged: expected 19 bands summing to 100,000")
    return weights


#: European Standard Population 2013: 19 bands "0-4", "5-9", …, "85-89", "90+" → weights
#: summing to 100,000 (PHEindicatormethods ``esp2013``; docs/methods.md §3.2).
ESP2013: pd.Series = _load_esp2013()


def _column(data: pd.DataFrame, name: object, argument: str) -> pd.Series:
    if not isinstance(name, str):
        raise ValueError(f"{argument}: expected a column name (a string), got {name!r}")
    if name not in data.columns:
        raise ValueError(
            f"{argument}: data has no column named {name!r} (columns: {list(data.columns)})"
        )
    return data[name]


def _by_columns(data: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    for name in names:
        _column(data, name, "by")
    if len(set(names)) != len(names):
        raise ValueError(f"by: column names repeat ({names!r})")
    return names


def _weights(
    data: pd.DataFrame,
    standard: object,
    age_band: str,
    codes: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """One standard-population weight per row of ``data`` (see the module docstring)."""
    n = len(data)
    if isinstance(standard, Mapping) and not isinstance(standard, pd.Series):
        standard = pd.Series(dict(standard))
    if isinstance(standard, pd.Series):
        table, _ = as_float_array(standard, "standard")
        fail_if(
            np.isnan(table), "standard", "are missing", "every band needs a weight", standard.index
        )
        fail_if(table < 0, "standard", "are negative", "weights >= 0", standard.index)
        if standard.index.has_duplicates:
            dup = standard.index[standard.index.duplicated()].tolist()[:MAX_POSITIONS_SHOWN]
            raise ValueError(
                f"standard: band labels repeat (rule: one weight per band), e.g. {dup!r}"
            )
        bands = _column(data, age_band, "age_band")
        band_codes = standard.index.get_indexer(bands)
        unknown = band_codes < 0
        if unknown.any():
            examples = pd.unique(bands[unknown])[:MAX_POSITIONS_SHOWN].tolist()
            fail_if(
                unknown,
                "age_band",
                f"are not in the standard population (e.g. {examples!r})",
                f"each band must be one of {standard.index.tolist()!r}; to give one weight "
                "per row, pass standard= a column name or an array",
                data.index,
            )
        n_bands = len(standard)
        cell = codes.astype(np.int64) * n_bands + band_codes
        repeats = np.bincount(cell, minlength=n_groups * n_bands)[cell] > 1
        fail_if(
            repeats,
            "age_band",
            "are duplicates of a band already given for their group",
            "one row per group and age band",
            data.index,
        )
        return table[band_codes]
    if isinstance(standard, str):
        weights, _ = as_float_array(_column(data, standard, "standard"), "standard")
    else:
        weights, _ = as_float_array(standard, "standard")
        if len(weights) != n:
            raise ValueError(
                f"standard: expected one weight per row of data ({n}), got {len(weights)} "
                "(or pass a Series indexed by age band)"
            )
    fail_if(np.isnan(weights), "standard", "are missing", "every row needs a weight", data.index)
    fail_if(weights < 0, "standard", "are negative", "weights >= 0", data.index)
    return weights


def dsr_ci(
    data: pd.DataFrame,
    count: str,
    population: str,
    by: str | Sequence[str] | None,
    standard: pd.Series | Mapping[str, float] | str | Sequence[float] | np.ndarray = ESP2013,
    confidence: float = 0.95,
    multiplier: float = 100_000,
    *,
    age_band: str = "age_band",
) -> pd.DataFrame:
    """Directly standardised rate per group with Dobson confidence limits.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per stratum (usually a five-year age band) per group.
    count : str
        Column of event counts ``x_i`` (>= 0; missing counts are treated as 0).
    population : str
        Column of populations ``n_i`` (> 0; missing is an error).
    by : str, list of str or None
        Column(s) defining the groups (area, period, sex, …); ``None`` or ``[]`` for a single
        group of all rows.
    standard : Series, dict, str or array-like, default :data:`ESP2013`
        Standard population weights ``w_i``: a Series/dict *band → weight* matched exactly on
        the ``age_band`` column; or the name of a column of per-row weights; or an array of
        per-row weights (by position).
    confidence : {0.95, 0.998}
        Two-sided confidence level (95 and 99.8 are rejected with a hint).
    multiplier : float, default 100_000
        Rate per ``multiplier`` population.
    age_band : str, default "age_band"
        Column holding the band labels; used only when ``standard`` is a Series or dict.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by the ``by`` columns (missing keys last), with the ``by``
        columns then ``total_count, total_population, value, lower_ci, upper_ci, reason``.
        ``reason`` is ``""`` when a value is given, else why not
        (``"total count < 10: value not calculated"``).

    Raises
    ------
    ValueError
        ``data`` not a DataFrame; a named column missing; ``confidence`` not 0.95/0.998;
        ``multiplier`` not positive; non-numeric, negative counts; missing, zero or negative
        populations; missing or negative weights; a band not in the standard; a band repeated
        within a group; per-row weights of the wrong length.

    Notes
    -----
    Per group, with ``W = Σ w_i`` and ``O = Σ x_i``:
    ``DSR = Σ(w_i x_i / n_i) / W × M``, ``Var = Σ x_i (w_i / n_i)² / W²`` and the Dobson limits
    ``DSR + √(Var/O) (O_L − O) M`` and ``DSR + √(Var/O) (O_U − O) M``, where ``O_L``, ``O_U``
    are **Byar's** limits for ``O`` (never the exact branch). Where ``O < 10`` the value and
    limits are NaN with a reason. Zero-count strata contribute 0 to the rate and the variance.
    With very uneven age-specific rates the Dobson lower limit can be **negative**; it is
    returned as is, as PHEindicatormethods does (the rate itself is never negative).
    Groups may have different numbers of strata; ``W`` is summed over the group's own rows.
    Vectorised with group codes and ``np.bincount`` (no per-group loop). Only independent
    events are supported (not the non-independent-events variance of PHEindicatormethods 2.1).

    References
    ----------
    .. [1] Fingertips Public Health Technical Guidance, "Directly standardised rates", and
       APHO Technical Briefing 3, "Commonly used public health statistics and their confidence
       intervals" (listed at https://fingertips.phe.org.uk/profile/guidance).
    .. [2] PHEindicatormethods (R) ``calculate_dsr``/``phe_dsr``, ``R/DSR.R``; ``esp2013`` in
       ``R/data.R``.
    .. [3] Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted
       sums of Poisson parameters. Stat Med 10:457-462.
    .. [4] Eurostat (2013). Revision of the European Standard Population.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "area": ["A"] * 19,
    ...     "age_band": ESP2013.index,
    ...     "population": [1000.0] * 19,
    ...     "deaths": [1.0] * 19,
    ... })
    >>> out = dsr_ci(data, "deaths", "population", by="area")
    >>> out[["area", "total_count", "value"]]
      area  total_count  value
    0    A         19.0  100.0
    >>> bool(out.loc[0, "lower_ci"] < 100 < out.loc[0, "upper_ci"])
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    conf = check_confidence(confidence)
    mult = check_multiplier(multiplier)
    by_names = _by_columns(data, by)
    x, _ = as_float_array(_column(data, count, "count"), "count")
    n, _ = as_float_array(_column(data, population, "population"), "population")
    fail_if(x < 0, "count", "are negative", "count >= 0", data.index)
    fail_if(np.isnan(n), "population", "are missing", "every row needs a population", data.index)
    fail_if(n <= 0, "population", "are zero or negative", "population > 0", data.index)
    x = np.where(np.isnan(x), 0.0, x)  # missing counts are zero events

    codes, n_groups = key_group_codes(data, by_names)
    w = _weights(data, standard, age_band, codes, n_groups)

    w_over_n = w / n
    weighted = x * w_over_n
    total_count = np.bincount(codes, weights=x, minlength=n_groups)
    total_pop = np.bincount(codes, weights=n, minlength=n_groups)
    total_w = np.bincount(codes, weights=w, minlength=n_groups)
    sum_weighted = np.bincount(codes, weights=weighted, minlength=n_groups)
    weighted *= w_over_n
    sum_var = np.bincount(codes, weights=weighted, minlength=n_groups)

    with np.errstate(divide="ignore", invalid="ignore"):
        value = sum_weighted / total_w
        half = np.sqrt(sum_var / (total_count * total_w * total_w)) * mult
        value *= mult
        o_lower, o_upper = _byar(total_count, z_value(conf))
        lower = value + half * (o_lower - total_count)
        upper = value + half * (o_upper - total_count)

    too_few = total_count < MIN_TOTAL_COUNT
    zero_w = (total_w == 0) & ~too_few
    suppressed = too_few | zero_w
    for arr in (value, lower, upper):
        arr[suppressed] = np.nan
    reason = np.full(n_groups, "", dtype=object)
    reason[too_few] = REASON_TOTAL_COUNT_BELOW_10
    reason[zero_w] = REASON_ZERO_STANDARD

    if by_names:
        first = np.empty(n_groups, dtype=np.intp)
        first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
        out = data[by_names].iloc[first].reset_index(drop=True)
    else:
        out = pd.DataFrame(index=pd.RangeIndex(n_groups))
    out[TOTAL_COUNT] = total_count
    out[TOTAL_POPULATION] = total_pop
    out[VALUE] = value
    out[LOWER_CI] = lower
    out[UPPER_CI] = upper
    out[REASON] = pd.array(reason, dtype="str")
    return out
