"""Comparator tables: every indicator × the subject area and its comparators, ranked.

:func:`comparator_ranking` is the table behind an "Appendix 1" comparator table: each
indicator's value for the subject area and each comparator at the latest (or a chosen) period,
with the polarity used to rank (the catalogue's, or a historical one recorded in the catalogue,
:func:`ranking_polarity`), ranks (1 = best; ties share the lowest rank; docs/methods.md §7.3)
and the reason a value is missing. A missing or suppressed value is never ranked.
:func:`subject_ranks` keeps the subject area's rows. Ranks come from
:func:`rutland_jsna.stats.rank_areas`; this module only selects and joins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import columns as T
from ..data.catalogue_model import Indicator
from ..stats.disclosure import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS
from ..stats.labels import Polarity
from ..stats.ranking import rank_areas, rank_summary
from . import columns as C
from .select import ROW_LOWER, ROW_UPPER
from .summary import (
    _SUPPRESSION_NOTE,
    NO_DATA_PERIOD,
    NO_ID,
    NOT_IN_STORE,
    NOT_PUBLISHED,
    SUPPRESSED_REASON,
)

__all__ = [
    "APPENDIX_POLARITY",
    "COMPARATOR_RANKING_COLUMNS",
    "POLARITY_CHOICES",
    "comparator_ranking",
    "missing_reasons",
    "ranking_polarity",
    "subject_ranks",
]

_SORT = T.TIME_PERIOD_SORTABLE


#: The polarity letters printed in the appendix's "Polarity (is L or H good)" column.
APPENDIX_POLARITY: dict[str, Polarity] = {"H": Polarity.HIGH_IS_GOOD, "L": Polarity.LOW_IS_GOOD}


#: Which polarity ranks the comparator table: the 2015 appendix's (H/L, where the appendix has
#: the indicator) or the current Fingertips one from the catalogue.
POLARITY_CHOICES: tuple[str, str] = ("appendix", "fingertips")


POLARITY_SOURCE_APPENDIX = "2015 appendix"


POLARITY_SOURCE_FINGERTIPS = "current Fingertips"


COMPARATOR_RANKING_COLUMNS: tuple[str, ...] = (
    "key", "indicator", "appendix_name", "period", "polarity", "polarity_source",
    "fingertips_polarity", "area_code", "area_name", "is_subject", "value", "lower_ci",
    "upper_ci", "count", "count_suppressed", "small_numbers", "missing_reason", "rank",
    "n_ranked",
)


def ranking_polarity(indicator: Indicator, choice: str = "appendix") -> tuple[Polarity, str]:
    """The polarity that ranks an indicator in the comparator table, and where it comes from.

    Parameters
    ----------
    indicator : Indicator
        A catalogue row; ``extra["appendix_polarity"]`` holds the 2015 appendix letter (H/L)
        where the appendix has the indicator.
    choice : {"appendix", "fingertips"}
        ``"appendix"``: the 2015 appendix polarity where there is one (it differs from current
        Fingertips for sexual offences, under-18 conceptions leading to abortion and chlamydia
        detection), else the catalogue's; ``"fingertips"``: always the catalogue's.

    Returns
    -------
    (Polarity, str)
        The polarity and ``"2015 appendix"`` or ``"current Fingertips"``.

    Raises
    ------
    ValueError
        For an unknown ``choice`` or appendix letter.

    Examples
    --------
    >>> from rutland_jsna.data.catalogue import get_indicator
    >>> ranking_polarity(get_indicator("sexual_health.chlamydia.chlamydia_detection_15_24_persons"))
    (<Polarity.HIGH_IS_GOOD: 'High is good'>, '2015 appendix')
    """
    if choice not in POLARITY_CHOICES:
        raise ValueError(f"polarity: expected 'appendix' or 'fingertips', got {choice!r}")
    letter = str(indicator.extra.get("appendix_polarity", "") or "").strip()
    if choice == "appendix" and letter:
        if letter not in APPENDIX_POLARITY:
            raise ValueError(
                f"appendix_polarity: {indicator.key} has {letter!r} (rule: H or L)"
            )
        return APPENDIX_POLARITY[letter], POLARITY_SOURCE_APPENDIX
    return Polarity(str(indicator.polarity)), POLARITY_SOURCE_FINGERTIPS


def missing_reasons(value: pd.Series, note: pd.Series, present: pd.Series) -> np.ndarray:
    """Why each value is missing: no data for the period, suppressed, or not published."""
    note = note.astype("object").where(note.notna(), "").astype("str")
    return np.select(
        [~present, value.isna() & note.str.contains(_SUPPRESSION_NOTE), value.isna()],
        [NO_DATA_PERIOD, SUPPRESSED_REASON, NOT_PUBLISHED],
        default="",
    )


def comparator_ranking(
    rows: pd.DataFrame,
    indicators: Sequence[Indicator],
    area_code: str,
    comparators: Iterable[str],
    *,
    names: Mapping[str, str] | None = None,
    polarity: str = "appendix",
    period: str | None = None,
) -> pd.DataFrame:
    """Every indicator × the subject area and its comparators, with values and ranks.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output for ``indicators``.
    indicators : sequence of Indicator
        The chapter's catalogue rows, in display order (kept in the output). Rows without a
        verified Fingertips id are kept, with ``missing_reason`` "no verified Fingertips
        indicator id" for every area.
    area_code : str
        The subject area.
    comparators : iterable of str
        Comparator area codes (the subject area is dropped from them if present).
    names : mapping, optional
        Area code → display name (default: the store's names, else the code).
    polarity : {"appendix", "fingertips"}
        Which polarity ranks the values (:func:`ranking_polarity`).
    period : str, optional
        A Fingertips time period label (``"2014"``) to rank instead of each indicator's latest
        period. An indicator without that period gets "no data for this period".

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARATOR_RANKING_COLUMNS`, one row per indicator × area (subject first, then
        comparators in the order given). ``rank`` (``Int64``) is 1 for the best by the
        polarity used (lowest first for "No judgement"/"Not applicable"), ties share the lowest
        rank, missing values are ``<NA>``; ``n_ranked`` is the number of areas with a value.

    Raises
    ------
    ValueError
        For an unknown ``polarity`` choice.

    Notes
    -----
    A value withheld by the publisher (blank value, disclosure note) has ``missing_reason``
    "value suppressed for disclosure control" and is not ranked. ``count_suppressed`` marks
    counts of 1 to 4 (shown as ``*``); ``small_numbers`` values resting on fewer than 10 events.
    """
    if polarity not in POLARITY_CHOICES:
        raise ValueError(f"polarity: expected 'appendix' or 'fingertips', got {polarity!r}")
    comps = [c for c in dict.fromkeys(comparators) if c != area_code]
    codes = [area_code, *comps]
    inds = list(indicators)
    meta = pd.DataFrame(
        {
            "key": [i.key for i in inds],
            "indicator": [i.display_name for i in inds],
            "appendix_name": [str(i.extra.get("appendix_name", "") or "") for i in inds],
            "polarity": [str(ranking_polarity(i, polarity)[0]) for i in inds],
            "polarity_source": [ranking_polarity(i, polarity)[1] for i in inds],
            "fingertips_polarity": [str(i.polarity) for i in inds],
            "has_id": [i.has_data_id for i in inds],
            "position": np.arange(len(inds)),
        }
    )
    grid = meta.merge(
        pd.DataFrame({"area_code": codes, "area_position": np.arange(len(codes))}), how="cross"
    )
    keys = set(meta["key"])
    r = rows[rows[C.KEY].isin(keys) & rows[T.AREA_CODE].isin(codes)]
    in_store = set(rows.loc[rows[C.KEY].isin(keys), C.KEY])
    if period is None:
        at = r[r[_SORT] == r["latest_sortable"]]
        periods = (
            rows.loc[rows[C.KEY].isin(keys) & (rows[_SORT] == rows["latest_sortable"])]
            .drop_duplicates(C.KEY)
            .set_index(C.KEY)[T.TIME_PERIOD]
            .astype("str")
        )
    else:
        at = r[r[T.TIME_PERIOD].astype("str") == str(period)]
        periods = pd.Series(str(period), index=pd.Index(sorted(in_store), name=C.KEY))
    at = at.drop_duplicates([C.KEY, T.AREA_CODE])[
        [C.KEY, T.AREA_CODE, T.AREA_NAME, T.VALUE, ROW_LOWER, ROW_UPPER, T.COUNT, T.VALUE_NOTE]
    ].rename(columns={C.KEY: "key", T.AREA_NAME: "store_name"})
    at["present"] = True
    out = grid.merge(at, on=["key", "area_code"], how="left")
    value = pd.to_numeric(out[T.VALUE], errors="coerce").astype("float64")
    present = out["present"].notna()
    reason = pd.Series(missing_reasons(value, out[T.VALUE_NOTE], present), index=out.index)
    reason[~out["key"].isin(in_store)] = NOT_IN_STORE
    reason[~out["has_id"].astype(bool)] = NO_ID
    out["missing_reason"] = reason.astype("str")
    out["value"] = value
    out["period"] = out["key"].map(periods).astype("object")
    out["period"] = out["period"].where(out["period"].notna(), None)
    count = pd.to_numeric(out[T.COUNT], errors="coerce").astype("float64")
    out["count"] = count
    out["count_suppressed"] = (count >= 1) & (count <= DISCLOSURE_MAX_COUNT)
    out["small_numbers"] = value.notna() & count.notna() & (count < SMALL_NUMBER_EVENTS)
    out["lower_ci"] = pd.to_numeric(out[ROW_LOWER], errors="coerce").astype("float64")
    out["upper_ci"] = pd.to_numeric(out[ROW_UPPER], errors="coerce").astype("float64")
    lookup = dict(names or {})
    store_names = out["store_name"].astype("object")
    out["area_name"] = [
        lookup.get(c) or (n if isinstance(n, str) and n else c)
        for c, n in zip(out["area_code"], store_names, strict=True)
    ]
    out["is_subject"] = out["area_code"] == area_code
    out["rank"] = rank_areas(out["value"], out["polarity"], by=out["key"]).to_numpy()
    summary = rank_summary(out["value"], out["polarity"], by=out["key"])
    out["n_ranked"] = pd.array(
        out["key"].map(summary["n_ranked"].astype("int64")).to_numpy(), dtype="Int64"
    )
    out = out.sort_values(["position", "area_position"], kind="stable").reset_index(drop=True)
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    return out[list(COMPARATOR_RANKING_COLUMNS)]


def subject_ranks(ranking: pd.DataFrame) -> pd.DataFrame:
    """The subject area's rows of :func:`comparator_ranking`, one per indicator.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARATOR_RANKING_COLUMNS` restricted to ``is_subject``, in indicator order.
    """
    return ranking[ranking["is_subject"]].reset_index(drop=True)
