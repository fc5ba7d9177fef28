"""Ranking areas among their comparators, the Fingertips convention (docs/methods.md §7.3).

Rank 1 is the best area: for "High is good" the highest value; for every other polarity ("Low
is good", "No judgement", "Not applicable") the lowest value. Ties share the minimum rank
(competition ranking: 1, 2, 2, 4) and missing values are not ranked. This is Fingertips'
``AreaRankBuilder``; it is *not* fingertipsR's ``rank = TRUE`` (plain ascending ranks with
average ties), which would give different numbers (docs/methods.md §7.3, §10).

:func:`rank_areas` ranks every value (within groups if ``by`` is given) and
:func:`rank_summary` gives, per group, what a report prints beside the rank: how many areas
were ranked and the best and worst values ("rank 3 of 16; best 98.3, worst 61.2").

Both are vectorised over any number of groups (one pandas ``groupby`` call, no Python loop
per group), so a whole-country table of many indicators is ranked at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._common import as_float_array, as_polarity_array, fail_if
from .labels import Polarity

__all__ = ["RANK_SUMMARY_COLUMNS", "rank_areas", "rank_summary"]

#: Output columns of :func:`rank_summary` (docs/architecture.md convention 3).
RANK_SUMMARY_COLUMNS: tuple[str, str, str] = ("n_ranked", "best", "worst")


def _group_codes(by: Any, n: int, name: str = "by") -> tuple[np.ndarray, pd.Index]:
    """Integer group codes (0..G-1, groups sorted by label) and the sorted group labels.

    ``by`` is one label per row (list, array or Series) or a DataFrame whose columns together
    label the groups (e.g. indicator and period); the labels come back as an Index or a
    MultiIndex. Missing labels are an error: a row that belongs to no group cannot be compared.
    """
    if isinstance(by, pd.DataFrame):
        if len(by) != n:
            raise ValueError(
                f"inputs must have the same length: values has {n}, {name} has {len(by)}"
            )
        fail_if(
            by.isna().any(axis=1).to_numpy(),
            name,
            "are missing",
            "every row needs a group label",
            by.index,
        )
        codes, labels = pd.MultiIndex.from_frame(by).factorize(sort=True)
        labels = (
            labels.set_names(list(by.columns))
            if len(by.columns) > 1
            else pd.Index(labels.get_level_values(0), name=by.columns[0])
        )
        return np.asarray(codes, dtype=np.int64), labels
    if np.isscalar(by) or by is None:
        raise ValueError(f"{name}: expected one group label per value, got {by!r}")
    if isinstance(by, pd.Series):
        series = by
    else:
        labels_array = np.asarray(by, dtype=object)
        if labels_array.ndim != 1:
            raise ValueError(
                f"{name}: expected a one-dimensional array-like of group labels (or a DataFrame "
                f"of label columns), got shape {labels_array.shape}"
            )
        series = pd.Series(labels_array)
    if len(series) != n:
        raise ValueError(
            f"inputs must have the same length: values has {n}, {name} has {len(series)}"
        )
    fail_if(
        series.isna().to_numpy(), name, "are missing", "every row needs a group label", series.index
    )
    codes, labels = series.factorize(sort=True)
    return np.asarray(codes, dtype=np.int64), pd.Index(labels, name=series.name)


def _single_polarity_per_group(pol: np.ndarray, codes: np.ndarray, index: pd.Index | None) -> None:
    """Raise if a group mixes polarities: ranking "best" needs one direction per group."""
    pol_codes = pd.Series(pol.astype(str)).groupby(codes).transform("nunique").to_numpy()
    fail_if(
        pol_codes > 1,
        "polarity",
        "are in groups with more than one polarity",
        "polarity must be the same for every value ranked together",
        index,
    )


def _prepare(
    values: Any, polarity: Any, by: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None, pd.Index]:
    v, index = as_float_array(values, "values")
    n = len(v)
    pol = as_polarity_array(polarity, n)
    if by is None:
        codes, labels = np.zeros(n, dtype=np.int64), pd.RangeIndex(1)
    else:
        codes, labels = _group_codes(by, n)
    _single_polarity_per_group(pol, codes, index)
    return v, pol, codes, index, labels


def rank_areas(values: Any, polarity: Any, by: Any = None) -> pd.Series:
    """Rank values, 1 = best, the Fingertips way; optionally within groups.

    Parameters
    ----------
    values : array-like of float
        One value per area (NaN for a missing or suppressed value). Lists, arrays and Series
        give the same result.
    polarity : Polarity, str or array-like
        One polarity for all values, or one per value (constant within each group).
        "High is good" ranks descending (1 = highest); "Low is good", "No judgement" and
        "Not applicable" rank ascending (1 = lowest).
    by : array-like or DataFrame, optional
        Group labels, one per value (e.g. indicator id), or a DataFrame whose columns together
        label the groups (e.g. indicator and period). Ranks restart at 1 in every group.

    Returns
    -------
    pandas.Series
        Named ``"rank"``, nullable ``Int64``; ``<NA>`` for missing values. The index of
        ``values`` if it is a Series.

    Raises
    ------
    ValueError
        If values are not numeric, ``by`` or ``polarity`` has the wrong length, a polarity is
        unknown, a group label is missing, or a group mixes polarities.

    Notes
    -----
    Ties share the minimum rank (1, 2, 2, 4). Values are compared exactly as given, so values
    rounded for publication may tie where the unrounded ones would not (Fingertips ranks the
    stored values). The number of ranked areas is the largest possible rank; see
    :func:`rank_summary`.

    References
    ----------
    Fingertips source ``PholioVisualisationWS/DataConstruction/AreaRankBuilder.cs`` and
    ``RankDataList.cs`` (``ukhsa-collaboration/fingertips-open``); docs/methods.md §7.3.

    Examples
    --------
    >>> rank_areas([24.9, 17.8, None, 23.2, 24.9], "High is good").tolist()
    [1, 4, <NA>, 3, 1]
    >>> rank_areas([5.0, 1.0, 7.0, 2.0], "Low is good", by=["a", "a", "b", "b"]).tolist()
    [2, 1, 2, 1]
    """
    v, pol, codes, index, _ = _prepare(values, polarity, by)
    key = np.where(pol == Polarity.HIGH_IS_GOOD, -v, v)
    ranks = pd.Series(key).groupby(codes).rank(method="min", na_option="keep")
    return pd.Series(ranks.to_numpy(), index=index, name="rank").astype("Int64")


def rank_summary(values: Any, polarity: Any, by: Any = None) -> pd.DataFrame:
    """Per group: how many values were ranked, and the best and worst of them.

    ``best`` is the value ranked 1 by :func:`rank_areas` and ``worst`` the value ranked last:
    the highest and lowest for "High is good", the lowest and highest for "Low is good". For
    "No judgement" and "Not applicable" there is no best, so ``best`` is the **lowest** value
    and ``worst`` the **highest** (rank 1 and rank n, as Fingertips' area-rank display shows
    them).

    Parameters
    ----------
    values, polarity, by
        As for :func:`rank_areas`.

    Returns
    -------
    pandas.DataFrame
        Columns ``n_ranked`` (``Int64``), ``best``, ``worst`` (float; NaN when nothing was
        ranked). One row per group, indexed by the sorted group labels (an Index named like
        ``by``, or a MultiIndex for a DataFrame ``by``); a single row with index ``0`` when
        ``by`` is None.

    Raises
    ------
    ValueError
        As for :func:`rank_areas`.

    References
    ----------
    Fingertips source ``DataConstruction/AreaRankBuilder.cs`` (min/max and count of ranked
    values); docs/methods.md §7.3.

    Examples
    --------
    >>> rank_summary([24.9, 17.8, None, 23.2], "High is good")
       n_ranked  best  worst
    0         3  24.9   17.8
    """
    v, pol, codes, _, labels = _prepare(values, polarity, by)
    n_groups = len(labels)
    frame = pd.DataFrame({"v": v, "code": codes})
    stats = frame.groupby("code")["v"].agg(["count", "min", "max"]).reindex(range(n_groups))
    high_good = np.zeros(n_groups, dtype=bool)
    high_good[codes] = pol == Polarity.HIGH_IS_GOOD
    lo, hi = stats["min"].to_numpy(), stats["max"].to_numpy()
    out = pd.DataFrame(
        {
            "n_ranked": pd.array(stats["count"].fillna(0).to_numpy(), dtype="Int64"),
            "best": np.where(high_good, hi, lo),
            "worst": np.where(high_good, lo, hi),
        },
        index=labels,
        columns=list(RANK_SUMMARY_COLUMNS),
    )
    return out
