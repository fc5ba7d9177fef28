"""Selecting the tidy rows that belong to catalogue indicators.

A catalogue :class:`~rutland_jsna.data.catalogue_model.Indicator` selects, from the tidy store,
the rows of its Fingertips id with its Fingertips ``sex`` and ``age`` strings and no inequality
category. :func:`indicator_rows` does this for many indicators at once (one merge) and labels
every row with the indicator's ``key``; the summary and the chart series are built from its
output, so they always agree on which rows an indicator means.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..data import columns as T
from ..data.catalogue_model import ComparisonMethod, Indicator
from ..stats import check_confidence
from . import columns as C
from .limits import fill_998_limits

__all__ = [
    "catalogue_frame",
    "indicator_rows",
    "ci_level",
]


#: Columns added to the tidy columns by :func:`indicator_rows`.
ROW_LOWER = "lower"
ROW_UPPER = "upper"


def ci_level(indicator: Indicator, confidence: float) -> float:
    """The CI level used for an indicator's interval and comparison.

    The stricter of the chapter's ``confidence`` and the indicator's configured comparison
    level: an indicator Fingertips benchmarks at 99.8% is always compared at 99.8%, and a
    chapter built at 0.998 uses 99.8% for every indicator.
    """
    return 0.998 if max(confidence, float(indicator.comparison_confidence)) > 0.95 else 0.95


def catalogue_frame(indicators: Sequence[Indicator], confidence: float = 0.95) -> pd.DataFrame:
    """One row per indicator with the catalogue fields the analysis needs, in the given order.

    Columns: ``key, section, order, indicator, fingertips_id, lookup_id, ft_sex, ft_age, sex,
    age, unit, value_type, ci_method, multiplier, polarity, comparison_method, goal_lower,
    goal_upper, ci_level, goal_uses_ci, position``. ``lookup_id`` is ``<NA>`` for indicators without a usable id.
    """
    confidence = check_confidence(confidence)
    keys = [i.key for i in indicators]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"indicators: duplicate keys {', '.join(dupes[:5])}")
    frame = pd.DataFrame(
        {
            C.KEY: keys,
            C.SECTION: [i.section for i in indicators],
            C.ORDER: [int(i.order) for i in indicators],
            C.INDICATOR: [i.display_name for i in indicators],
            C.FINGERTIPS_ID: pd.array([i.fingertips_id for i in indicators], dtype="Int64"),
            "lookup_id": pd.array(
                [i.fingertips_id if i.has_data_id else None for i in indicators], dtype="Int64"
            ),
            "ft_sex": [i.sex for i in indicators],
            "ft_age": [i.age for i in indicators],
            C.SEX: [i.sex_label for i in indicators],
            C.AGE: [i.age_label for i in indicators],
            C.UNIT: [i.unit for i in indicators],
            C.VALUE_TYPE: [str(i.value_type) for i in indicators],
            "ci_method": [str(i.extra.get("ci_method", "")) for i in indicators],
            "multiplier": np.array([float(i.multiplier) for i in indicators], dtype=float),
            C.POLARITY: [str(i.polarity) for i in indicators],
            "comparison_method": [str(i.comparison_method) for i in indicators],
            C.GOAL_LOWER: np.array(
                [np.nan if i.goal_lower is None else float(i.goal_lower) for i in indicators],
                dtype=float,
            ),
            C.GOAL_UPPER: np.array(
                [np.nan if i.goal_upper is None else float(i.goal_upper) for i in indicators],
                dtype=float,
            ),
            C.CI_LEVEL: np.array([ci_level(i, confidence) for i in indicators], dtype=float),
            "goal_uses_ci": [
                str(i.extra.get("goal_uses_ci", "")).lower() in ("true", "yes", "1")
                for i in indicators
            ],
            "position": np.arange(len(indicators)),
        }
    )
    return frame


def indicator_rows(
    data: pd.DataFrame,
    indicators: Sequence[Indicator] | pd.DataFrame,
    confidence: float = 0.95,
    *,
    area_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The tidy rows of every catalogue indicator, labelled with its ``key``.

    Parameters
    ----------
    data : pandas.DataFrame
        The tidy store (:data:`rutland_jsna.data.columns.TIDY_COLUMNS`).
    indicators : sequence of Indicator, or the output of :func:`catalogue_frame`
    confidence : {0.95, 0.998}
        Chapter confidence level (see :func:`ci_level`).
    area_codes : iterable of str, optional
        Keep only these areas (default: all).

    Returns
    -------
    pandas.DataFrame
        The tidy columns plus ``key``, ``ci_level``, ``lower``/``upper`` (the interval at
        ``ci_level``) and ``limits_note``, without inequality-category rows, sorted by key,
        area and period. Where a 99.8% interval is wanted but not published, it is computed
        from the count and denominator where the indicator's CI method allows it and
        reproduces the published 95% interval (:func:`rutland_jsna.analysis.limits.fill_998_limits`);
        ``limits_note`` says how, or why not.
    """
    cat = (
        indicators
        if isinstance(indicators, pd.DataFrame)
        else catalogue_frame(indicators, confidence)
    )
    extra = [c for c in (C.VALUE_TYPE, "ci_method", "multiplier") if c in cat.columns]
    cat = cat.loc[cat["lookup_id"].notna(),
                  [C.KEY, "lookup_id", "ft_sex", "ft_age", C.CI_LEVEL, *extra]]
    cat = cat.astype({"lookup_id": "int64"})
    no_category = data[T.CATEGORY_TYPE].isna() | (data[T.CATEGORY_TYPE].astype("str") == "")
    wanted = no_category & data[T.INDICATOR_ID].isin(cat["lookup_id"].to_numpy())
    if area_codes is not None:
        wanted &= data[T.AREA_CODE].isin(list(area_codes))
    rows = data.loc[wanted].merge(
        cat,
        left_on=[T.INDICATOR_ID, T.SEX, T.AGE],
        right_on=["lookup_id", "ft_sex", "ft_age"],
        how="inner",
    )
    rows = rows.drop(columns=["lookup_id", "ft_sex", "ft_age"])
    high = rows[C.CI_LEVEL].to_numpy() > 0.95
    rows[ROW_LOWER] = np.where(high, rows[T.LOWER_CI_99_8], rows[T.LOWER_CI_95])
    rows[ROW_UPPER] = np.where(high, rows[T.UPPER_CI_99_8], rows[T.UPPER_CI_95])
    if len(extra) == 3:
        rows = fill_998_limits(rows, ROW_LOWER, ROW_UPPER).drop(columns=extra)
    return rows.sort_values(
        [C.KEY, T.AREA_CODE, T.TIME_PERIOD_SORTABLE, T.TIME_PERIOD_RANGE], kind="stable"
    ).reset_index(drop=True)


def is_quintile_method(method: object) -> bool:
    return str(method) == ComparisonMethod.QUINTILES.value
