"""The whole country at once: every indicator for every upper-tier authority, computed once.

An all-area build renders 153 × 3 chapters. Each chapter's numbers are its indicator summary
(:func:`~rutland_jsna.analysis.summary.indicator_summary`): the comparison with England (or
a goal, or the national quintile) at every period of the area's series, the rank, best and
worst among the area's comparator group, the recent trend, the previous period and the
unbroken run of the same comparison. :func:`national_statistics` computes all of that for
every area in one pass — :func:`~rutland_jsna.analysis.summary.area_summaries`, where the area
is one more grouping column of the same grouped numpy/pandas operations (``rank_areas`` and
``rank_summary`` ``by`` (area, indicator) over each area's own group, ``quintiles`` ``by``
(indicator, period), ``recent_trend`` ``by`` (area, indicator)) — instead of once per area.
The rows of one area are exactly that area's ``indicator_summary`` (tested for several
areas), so a chapter can take its slice instead of recomputing it
(:func:`rutland_jsna.chapter.context.shared_summaries`).

:func:`neighbour_groups` gives every area the comparators a chapter uses by default: the
bundled CIPFA list where there is one (Rutland), otherwise the store's neighbour table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..config import ENGLAND_CODE
from ..data.catalogue_model import Indicator
from . import columns as C
from .select import catalogue_frame
from .summary import AREA, area_summaries, national_codes_in, prepare_rows

__all__ = ["NATIONAL_COLUMNS", "national_statistics", "neighbour_groups"]

#: Columns of :func:`national_statistics`: the subject area, then the summary contract.
NATIONAL_COLUMNS: tuple[str, ...] = (AREA, *C.SUMMARY_COLUMNS)


def neighbour_groups(
    area_codes: Iterable[str], neighbour_table: Any = None
) -> dict[str, list[str]]:
    """Each area's default comparators, in rank order
    (:func:`rutland_jsna.data.areas.default_comparators`: the bundled published list, else
    the area's neighbours in ``neighbour_table``, else the other authorities of its region).
    This is the choice :func:`rutland_jsna.chapter.context.resolve_comparators` makes for a
    chapter without ``comparators``. (A loop over areas to look up lists, not to compute
    statistics.)
    """
    from ..data import areas

    return {code: [a.code for a in areas.default_comparators(code, neighbour_table).areas]
            for code in area_codes}


def national_statistics(
    data: pd.DataFrame,
    indicators: Sequence[Indicator] | pd.DataFrame,
    neighbour_table: Any = None,
    confidence: float = 0.95,
    *,
    areas: Iterable[str] | None = None,
    comparators: Mapping[str, Iterable[str]] | None = None,
    england_code: str = ENGLAND_CODE,
    national_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The indicator summary of every area, computed once for the whole country.

    Parameters
    ----------
    data : pandas.DataFrame
        The tidy store (every upper-tier authority and England).
    indicators : sequence of Indicator, or a catalogue frame
        The catalogue rows (e.g. one chapter's, or the whole catalogue).
    neighbour_table : DataFrame, mapping or callable, optional
        Where the comparator groups come from (:func:`neighbour_groups`), unless
        ``comparators`` is given.
    confidence : {0.95, 0.998}
    areas : iterable of str, optional
        Subject areas; default every upper-tier authority in ``data``.
    comparators : mapping, optional
        Subject area → comparator codes, instead of :func:`neighbour_groups`.
    england_code, national_codes
        As :func:`~rutland_jsna.analysis.summary.indicator_summary`.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` then :data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS`, one row per
        area and indicator (areas in the order given, indicators in catalogue order). The
        rows of an area equal ``indicator_summary(data, indicators, area, its comparators,
        confidence)``. The comparator group used for each area is in ``result.attrs["comparators"]``.

    Notes
    -----
    About 0.5 s for the demonstration snapshot's 108 catalogue rows × 153 authorities on one
    core (``benchmarks/bench_pipeline.py``), against about 0.2 s per area one at a time.
    """
    national = list(national_codes) if national_codes is not None else national_codes_in(data)
    subjects = list(dict.fromkeys(areas)) if areas is not None else list(national)
    groups = (
        {a: list(comparators.get(a, ())) for a in subjects}
        if comparators is not None
        else neighbour_groups(subjects, neighbour_table)
    )
    cat = indicators if isinstance(indicators, pd.DataFrame) else catalogue_frame(
        list(indicators), confidence)
    rows = prepare_rows(data, cat)
    out = area_summaries(data, cat, groups, confidence, england_code=england_code,
                         national_codes=national, prepared=rows)
    out.attrs["comparators"] = {a: tuple(g) for a, g in groups.items()}
    return out
