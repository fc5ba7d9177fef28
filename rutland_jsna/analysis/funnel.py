"""Funnel-plot data: every upper-tier authority's value against its denominator.

:func:`funnel_data` takes an indicator's latest period for every authority, the control limits
at 95% and 99.8% around England (docs/methods.md §8; :func:`rutland_jsna.stats.funnel_limits`)
and the subject area's position in words. Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import ENGLAND_CODE
from ..data import columns as T
from ..stats.funnel import FunnelSignificance, funnel_limits, funnel_significance
from . import columns as C
from .summary import national_codes_in

__all__ = ["FUNNEL_POINT_COLUMNS", "FUNNEL_POSITION_WORDS", "FunnelData", "funnel_data"]

_SORT = T.TIME_PERIOD_SORTABLE


FUNNEL_POINT_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "value", "count", "denominator", "significance", "is_subject",
)


#: The subject area's funnel position, in words, by funnel significance label.
FUNNEL_POSITION_WORDS: dict[str, str] = {
    FunnelSignificance.NOT_SIGNIFICANT.value: "within the 95% limits",
    FunnelSignificance.HIGH_0_025.value: "above the upper 95% limit but within the 99.8% limits",
    FunnelSignificance.HIGH_0_001.value: "above the upper 99.8% limit",
    FunnelSignificance.LOW_0_025.value: "below the lower 95% limit but within the 99.8% limits",
    FunnelSignificance.LOW_0_001.value: "below the lower 99.8% limit",
}


@dataclass(frozen=True)
class FunnelData:
    """Everything a funnel plot and its sentence need.

    Attributes
    ----------
    key, period : the indicator and its period.
    points : :data:`FUNNEL_POINT_COLUMNS`, one row per upper-tier authority with a value and a
        denominator.
    limits : ``denominator, lower_95, upper_95, lower_99_8, upper_99_8``
        (:func:`rutland_jsna.stats.funnel_limits`) on 100 geometrically spaced denominators
        from 90% of the smallest to 105% of the largest plotted (PIM's axis starts at 1 when
        the range is wide, where the limits are too far apart to draw beside the points).
    baseline : England's value (the centre line).
    subject_significance : the subject area's funnel label, or None when it has no point.
    subject_position : its position in words (:data:`FUNNEL_POSITION_WORDS`), or None.
    n_outside_95, n_outside_998 : how many areas lie outside the 95% / 99.8% limits.
    """

    key: str
    period: str | None
    points: pd.DataFrame
    limits: pd.DataFrame
    baseline: float
    subject_significance: str | None
    subject_position: str | None
    n_outside_95: int
    n_outside_998: int


def funnel_data(
    rows: pd.DataFrame,
    key: str,
    area_code: str,
    *,
    national_codes: Iterable[str] | None = None,
    england_code: str = ENGLAND_CODE,
    multiplier: float = 100_000.0,
    kind: str = "rate",
    names: Mapping[str, str] | None = None,
) -> FunnelData | None:
    """Every upper-tier authority's value against its denominator at the latest period.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output (all areas).
    key : str
        Indicator key (e.g. chlamydia detection aged 15-24).
    area_code : str
        The subject area (``is_subject``).
    national_codes : iterable of str, optional
        The authorities plotted; default every upper-tier authority in ``rows``.
    england_code : str
        England, whose value is the baseline (else the pooled rate of the points).
    multiplier : float
        Scale of the values (100,000 for a rate per 100,000).
    kind : {"rate", "proportion"}
        Exact Poisson limits for rates, Wilson for proportions.

    Returns
    -------
    FunnelData or None
        None when no authority has both a value and a denominator.
    """
    national = list(national_codes) if national_codes is not None else national_codes_in(rows)
    r = rows[(rows[C.KEY] == key) & (rows[_SORT] == rows["latest_sortable"])]
    if r.empty:
        return None
    period = str(r[T.TIME_PERIOD].iloc[0])
    england = r.loc[r[T.AREA_CODE] == england_code, T.VALUE]
    pts = r[r[T.AREA_CODE].isin(national)].drop_duplicates(T.AREA_CODE)
    value = pd.to_numeric(pts[T.VALUE], errors="coerce")
    denominator = pd.to_numeric(pts[T.DENOMINATOR], errors="coerce")
    ok = value.notna() & denominator.notna() & (denominator > 0)
    pts, value, denominator = pts[ok], value[ok], denominator[ok]
    if pts.empty:
        return None
    if len(england) and pd.notna(england.iloc[0]):
        baseline = float(england.iloc[0])
    else:
        count = pd.to_numeric(pts[T.COUNT], errors="coerce")
        baseline = float((count.sum() / denominator[count.notna()].sum()) * multiplier)
    lookup = dict(names or {})
    significance = funnel_significance(
        value.to_numpy(), denominator.to_numpy(), baseline, kind=kind, multiplier=multiplier
    )
    points = pd.DataFrame(
        {
            "area_code": pts[T.AREA_CODE].astype("str").to_numpy(),
            "area_name": [
                lookup.get(c) or n for c, n in zip(pts[T.AREA_CODE], pts[T.AREA_NAME], strict=True)
            ],
            "value": value.to_numpy(dtype=float),
            "count": pd.to_numeric(pts[T.COUNT], errors="coerce").to_numpy(dtype=float),
            "denominator": denominator.to_numpy(dtype=float),
            "significance": significance.to_numpy(),
            "is_subject": (pts[T.AREA_CODE] == area_code).to_numpy(),
        },
        columns=list(FUNNEL_POINT_COLUMNS),
    )
    lo, hi = float(points["denominator"].min()), float(points["denominator"].max())
    axis = np.geomspace(lo * 0.9, hi * 1.05, 100) if hi > lo else np.array([lo * 0.9, lo * 1.1])
    limits = funnel_limits(axis, baseline, kind=kind, multiplier=multiplier)
    subject = points[points["is_subject"]]
    label = str(subject["significance"].iloc[0]) if len(subject) else None
    sig = points["significance"].astype("str")
    return FunnelData(
        key=key,
        period=period,
        points=points,
        limits=limits,
        baseline=baseline,
        subject_significance=label,
        subject_position=FUNNEL_POSITION_WORDS.get(label) if label else None,
        n_outside_95=int((sig != FunnelSignificance.NOT_SIGNIFICANT.value).sum()),
        n_outside_998=int(sig.str.endswith("(0.001)").sum()),
    )
