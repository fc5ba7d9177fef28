"""Tables behind the sexual health chapter (chapters.md §2) that the indicator summary lacks.

* :func:`comparator_ranking` — the Appendix 1 analogue: every indicator × the subject area and
  its comparator authorities, with values, the polarity used and ranks (1 = best; ties share
  the lowest rank; missing or suppressed values shown as such and never ranked);
* :func:`published_appendix`, :func:`rank_published_appendix` and
  :func:`reproduce_printed_ranks` — the 2015 Appendix 1 as printed, re-ranked by the same rule,
  with every row the data cannot support documented (:data:`APPENDIX_UNSUPPORTED`);
* :func:`funnel_data` — chlamydia detection against the population aged 15-24 for every
  upper-tier authority, with 95% and 99.8% control limits around England and the subject
  area's position in words;
* :func:`sex_breakdown` — an indicator's female / male / persons values side by side, with
  small counts withheld (primary and secondary disclosure control);
* :func:`count_changes` — year-on-year changes in an area's counts (are diagnoses still
  rising year on year?);
* :func:`goal_comparison` — a value against a single goal threshold (the 2,300 per 100,000
  chlamydia detection goal).

Every statistic comes from :mod:`rutland_jsna.stats` (``rank_areas``, ``rank_summary``,
``funnel_limits``, ``funnel_significance``, ``suppress_small_counts``, ``compare_to_goal``);
this module only selects and joins. The input ``rows`` is always the output of
:func:`~rutland_jsna.analysis.summary.prepare_rows`, so these tables show the same periods and
values as the chapter's indicator tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BOARD_PAPERS_DIR, ENGLAND_CODE
from ..data import columns as T
from ..data.catalogue_model import Indicator
from ..stats.compare import compare_to_goal
from ..stats.disclosure import suppress_small_counts
from ..stats.funnel import FunnelSignificance, funnel_limits, funnel_significance
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
    SMALL_COUNT_MAX,
    SMALL_NUMBER_EVENTS,
    SUPPRESSED_REASON,
    national_codes_in,
)

__all__ = [
    "APPENDIX_POLARITY",
    "APPENDIX_UNSUPPORTED",
    "COMPARATOR_RANKING_COLUMNS",
    "FUNNEL_POINT_COLUMNS",
    "FUNNEL_POSITION_WORDS",
    "POLARITY_CHOICES",
    "PRINTED_RANK_COLUMNS",
    "PUBLISHED_APPENDIX_COLUMNS",
    "SEX_BREAKDOWN_COLUMNS",
    "COUNT_CHANGE_COLUMNS",
    "CountChanges",
    "FunnelData",
    "comparator_ranking",
    "count_changes",
    "funnel_data",
    "goal_comparison",
    "published_appendix",
    "rank_published_appendix",
    "ranking_polarity",
    "reproduce_printed_ranks",
    "sex_breakdown",
    "subject_ranks",
]

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

PUBLISHED_APPENDIX_COLUMNS: tuple[str, ...] = (
    "indicator", "polarity", "area_name", "code_2015", "area_code", "value", "missing_reason",
    "seed_line",
)

PRINTED_RANK_COLUMNS: tuple[str, ...] = (
    "indicator", "polarity", "subject_value", "printed_rank", "recomputed_rank", "n_ranked",
    "agrees", "note",
)

FUNNEL_POINT_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "value", "count", "denominator", "significance", "is_subject",
)

SEX_BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "key", "sex", "period", "value", "lower_ci", "upper_ci", "count", "count_suppressed",
    "count_reason", "denominator", "small_numbers", "england", "missing_reason",
)

#: Rows of the 2015 appendix whose printed Rutland rank the data cannot support (chapters.md
#: §2.3; ``shared/reference/published/README.md``). Rutland's value is blank in both because it
#: was suppressed for small numbers, and a suppressed value is never ranked.
APPENDIX_UNSUPPORTED: dict[str, str] = {
    "HIV late diagnosis (%) (PHOF indicator 3.04)": (
        "Printed rank 1 cannot be reproduced: Rutland's value is blank (suppressed for small "
        "numbers) and West Berkshire prints 0.00 under 'low is good', so Rutland could only "
        "share rank 1 by also being 0.00. The needs assessment gives Rutland 67% (2011-13), "
        "which would rank 10th of 11. A suppressed value is not ranked."
    ),
    "Under 18s conceptions leading to abortion (%)": (
        "No value and no rank printed for Rutland: the proportion is 'not published due to "
        "small numbers' (strategy, 2016). Not ranked."
    ),
}

#: The subject area's funnel position, in words, by funnel significance label.
FUNNEL_POSITION_WORDS: dict[str, str] = {
    FunnelSignificance.NOT_SIGNIFICANT.value: "within the 95% limits",
    FunnelSignificance.HIGH_0_025.value: "above the upper 95% limit but within the 99.8% limits",
    FunnelSignificance.HIGH_0_001.value: "above the upper 99.8% limit",
    FunnelSignificance.LOW_0_025.value: "below the lower 95% limit but within the 99.8% limits",
    FunnelSignificance.LOW_0_001.value: "below the lower 99.8% limit",
}

_SORT = T.TIME_PERIOD_SORTABLE
_APPENDIX_FILE = BOARD_PAPERS_DIR / "sexual_health_appendix1.csv"
_PRINTED_FILE = BOARD_PAPERS_DIR / "sexual_health_appendix1_ranks.csv"


# ------------------------------------------------------------------------------------------
# Polarity
# ------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------
# The comparator table (Appendix 1 analogue)
# ------------------------------------------------------------------------------------------


def _missing_reasons(value: pd.Series, note: pd.Series, present: pd.Series) -> np.ndarray:
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
    reason = pd.Series(_missing_reasons(value, out[T.VALUE_NOTE], present), index=out.index)
    reason[~out["key"].isin(in_store)] = NOT_IN_STORE
    reason[~out["has_id"].astype(bool)] = NO_ID
    out["missing_reason"] = reason.astype("str")
    out["value"] = value
    out["period"] = out["key"].map(periods).astype("object")
    out["period"] = out["period"].where(out["period"].notna(), None)
    count = pd.to_numeric(out[T.COUNT], errors="coerce").astype("float64")
    out["count"] = count
    out["count_suppressed"] = (count >= 1) & (count <= SMALL_COUNT_MAX)
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


# ------------------------------------------------------------------------------------------
# The 2015 appendix as published
# ------------------------------------------------------------------------------------------


def published_appendix(path: str | Path | None = None) -> pd.DataFrame:
    """The SHNA Appendix 1 (data as of November 2015) as printed, in long form.

    Parameters
    ----------
    path : path, optional
        A copy of ``shared/reference/published/sexual_health_appendix1.csv`` (columns
        ``indicator, polarity, area_name, area_code, value, seed_line``); default the copy
        bundled with the package.

    Returns
    -------
    pandas.DataFrame
        :data:`PUBLISHED_APPENDIX_COLUMNS`: ``code_2015`` as printed, ``area_code`` mapped to
        today's code (:func:`rutland_jsna.data.areas.current_code`), ``value`` float (NaN for
        a blank cell, whose ``missing_reason`` is "blank in the published appendix").
    """
    from ..data import areas

    frame = pd.read_csv(path or _APPENDIX_FILE, dtype={"area_code": "str", "indicator": "str"})
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    out = pd.DataFrame(
        {
            "indicator": frame["indicator"].astype("str"),
            "polarity": frame["polarity"].astype("str").str.strip(),
            "area_name": frame["area_name"].astype("str"),
            "code_2015": frame["area_code"].astype("str"),
            "area_code": [areas.current_code(c) for c in frame["area_code"].astype("str")],
            "value": value,
            "missing_reason": np.where(value.isna(), "blank in the published appendix", ""),
            "seed_line": frame.get("seed_line", pd.Series([pd.NA] * len(frame))),
        }
    )
    bad = ~out["polarity"].isin(list(APPENDIX_POLARITY))
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:5]
        raise ValueError(
            f"polarity: {int(bad.sum())} rows are not H or L (rule: the appendix prints H or L); "
            f"first file rows {rows}"
        )
    return out[list(PUBLISHED_APPENDIX_COLUMNS)]


def rank_published_appendix(published: pd.DataFrame) -> pd.DataFrame:
    """Rank every area of the published appendix by the printed polarity.

    Returns
    -------
    pandas.DataFrame
        ``published`` with ``rank`` (``Int64``; 1 = best, ties share the lowest rank, blanks
        ``<NA>``) and ``n_ranked`` (areas with a value in the row) appended.

    Examples
    --------
    >>> p = pd.DataFrame({"indicator": ["x"] * 3, "polarity": ["H"] * 3,
    ...                   "value": [24.9, 17.8, None]})
    >>> rank_published_appendix(p)["rank"].tolist()
    [1, 2, <NA>]
    """
    pol = published["polarity"].map(APPENDIX_POLARITY)
    if pol.isna().any():
        raise ValueError("polarity: every row needs H or L (the appendix's printed letters)")
    out = published.copy()
    out["rank"] = rank_areas(out["value"], pol.astype("str"), by=out["indicator"]).to_numpy()
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    summary = rank_summary(out["value"], pol.astype("str"), by=out["indicator"])
    out["n_ranked"] = pd.array(
        out["indicator"].map(summary["n_ranked"].astype("int64")).to_numpy(), dtype="Int64"
    )
    return out


def reproduce_printed_ranks(
    published: pd.DataFrame,
    printed: pd.DataFrame | None = None,
    *,
    area_code: str = "E06000017",
) -> pd.DataFrame:
    """The subject area's recomputed rank beside the printed one, row by row.

    Parameters
    ----------
    published : pandas.DataFrame
        :func:`published_appendix` output.
    printed : pandas.DataFrame, optional
        ``indicator, rutland_rank_printed`` (``sexual_health_appendix1_ranks.csv``); default the
        bundled copy.
    area_code : str
        The area whose printed rank is checked (the appendix ranks Rutland).

    Returns
    -------
    pandas.DataFrame
        :data:`PRINTED_RANK_COLUMNS`, in the appendix's row order: ``agrees`` is True/False
        where a printed rank can be checked and ``<NA>`` where the data cannot support it
        (``note`` says why, from :data:`APPENDIX_UNSUPPORTED`).
    """
    if printed is None:
        printed = pd.read_csv(_PRINTED_FILE)
    ranked = rank_published_appendix(published)
    subject = ranked[ranked["area_code"] == area_code].drop_duplicates("indicator")
    subject = subject.set_index("indicator")
    printed_rank = printed.set_index("indicator")["rutland_rank_printed"]
    printed_rank = pd.to_numeric(printed_rank, errors="coerce")
    order = list(dict.fromkeys(published["indicator"]))
    rows = []
    for name in order:  # 16 rows of a printed table, not data rows
        s = subject.loc[name] if name in subject.index else None
        value = float(s["value"]) if s is not None and pd.notna(s["value"]) else np.nan
        got = s["rank"] if s is not None else pd.NA
        shown = printed_rank.get(name, np.nan)
        if name in APPENDIX_UNSUPPORTED:
            agrees, note = pd.NA, APPENDIX_UNSUPPORTED[name]
        elif pd.isna(shown) or pd.isna(got):
            agrees, note = pd.NA, "no printed or no recomputed rank"
        else:
            agrees = bool(int(shown) == int(got))
            note = "reproduced" if agrees else "differs from the printed rank"
        rows.append(
            {
                "indicator": name,
                "polarity": str(published.loc[published["indicator"] == name, "polarity"].iloc[0]),
                "subject_value": value,
                "printed_rank": shown,
                "recomputed_rank": got,
                "n_ranked": s["n_ranked"] if s is not None else pd.NA,
                "agrees": agrees,
                "note": note,
            }
        )
    out = pd.DataFrame(rows, columns=list(PRINTED_RANK_COLUMNS))
    for col in ("printed_rank", "recomputed_rank", "n_ranked"):
        out[col] = pd.array(pd.to_numeric(out[col], errors="coerce"), dtype="Int64")
    out["agrees"] = pd.array(out["agrees"], dtype="boolean")
    return out


# ------------------------------------------------------------------------------------------
# Funnel plot
# ------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------
# Breakdown by sex
# ------------------------------------------------------------------------------------------


def sex_breakdown(
    rows: pd.DataFrame,
    keys: Mapping[str, str],
    area_code: str,
    *,
    england_code: str = ENGLAND_CODE,
) -> pd.DataFrame:
    """One area's value of the same measure for each sex, at each key's latest period.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    keys : mapping
        Sex label → indicator key, e.g. ``{"Female": "...female", "Male": "...male",
        "Persons": "...persons"}``; the output keeps this order.
    area_code : str

    Returns
    -------
    pandas.DataFrame
        :data:`SEX_BREAKDOWN_COLUMNS`, one row per sex. Counts are withheld by
        :func:`~rutland_jsna.stats.suppress_small_counts` (1 to 4; and, for the female and
        male counts of the same period, the other one when exactly one of them is small, since
        the published persons total would reveal it): ``count`` is then NaN,
        ``count_suppressed`` True and ``count_reason`` says why. ``missing_reason`` says why a
        value is missing.
    """
    records = []
    for sex, key in keys.items():  # one row per sex (two or three), not per data row
        r = rows[(rows[C.KEY] == key)]
        latest = r[r[_SORT] == r["latest_sortable"]]
        area = latest[latest[T.AREA_CODE] == area_code]
        eng = latest.loc[latest[T.AREA_CODE] == england_code, T.VALUE]
        rec = {
            "key": key,
            "sex": sex,
            "period": str(latest[T.TIME_PERIOD].iloc[0]) if len(latest) else None,
            "value": np.nan, "lower_ci": np.nan, "upper_ci": np.nan, "count": np.nan,
            "denominator": np.nan,
            "england": float(eng.iloc[0]) if len(eng) and pd.notna(eng.iloc[0]) else np.nan,
            "missing_reason": NOT_IN_STORE if r.empty else NO_DATA_PERIOD,
        }
        if len(area):
            a = area.iloc[0]
            v = pd.to_numeric(pd.Series([a[T.VALUE]]), errors="coerce").iloc[0]
            rec.update(
                value=float(v) if pd.notna(v) else np.nan,
                lower_ci=float(a[ROW_LOWER]) if pd.notna(a[ROW_LOWER]) else np.nan,
                upper_ci=float(a[ROW_UPPER]) if pd.notna(a[ROW_UPPER]) else np.nan,
                count=float(a[T.COUNT]) if pd.notna(a[T.COUNT]) else np.nan,
                denominator=float(a[T.DENOMINATOR]) if pd.notna(a[T.DENOMINATOR]) else np.nan,
                missing_reason=_missing_reasons(
                    pd.Series([v]), pd.Series([a[T.VALUE_NOTE]]), pd.Series([True])
                )[0],
            )
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    raw_count = out["count"].astype("float64")
    groups = np.where(out["sex"].isin(["Female", "Male"]), "by sex", out["sex"])
    groups = [f"{g}|{p}" for g, p in zip(groups, out["period"].astype("str"), strict=True)]
    sup = suppress_small_counts(raw_count, groups=groups)
    out["small_numbers"] = out["value"].notna() & raw_count.notna() & (raw_count < SMALL_NUMBER_EVENTS)
    out["count"] = sup["count"].to_numpy()
    out["count_suppressed"] = sup["suppressed"].to_numpy()
    out["count_reason"] = sup["reason"].astype("str").to_numpy()
    return out[list(SEX_BREAKDOWN_COLUMNS)]


# ------------------------------------------------------------------------------------------
# Goal
# ------------------------------------------------------------------------------------------


def goal_comparison(
    value: float, lower_ci: float, upper_ci: float, goal: float,
    polarity: Polarity | str = Polarity.HIGH_IS_GOOD,
) -> str:
    """A value against a single goal threshold, by its confidence interval.

    Uses :func:`rutland_jsna.stats.compare_to_goal` in CI mode: "Green" when the whole
    interval is on the good side of the goal, "Red" when it is wholly on the bad side, "Amber"
    when it contains the goal, "Not compared" without a value.

    Examples
    --------
    >>> goal_comparison(1390.0, 1200.0, 1600.0, 2300.0)
    'Red'
    """
    label = compare_to_goal(
        [value], [goal], None, polarity, lower_ci=[lower_ci], upper_ci=[upper_ci]
    )
    return str(label.iloc[0])


# ------------------------------------------------------------------------------------------
# Year-on-year counts
# ------------------------------------------------------------------------------------------

COUNT_CHANGE_COLUMNS: tuple[str, ...] = ("period", "count", "change")


@dataclass(frozen=True)
class CountChanges:
    """An area's counts over its last periods and how often they rose.

    Attributes
    ----------
    table : :data:`COUNT_CHANGE_COLUMNS`, oldest first (``change`` NaN for the first period or
        where a count is missing).
    n_rises, n_compared : periods whose count rose on the one before, out of those that can be
        compared (both counts known).
    run_to_latest : consecutive rises ending at the latest period (0 if the latest fell,
        stayed level or cannot be compared).
    """

    table: pd.DataFrame
    n_rises: int
    n_compared: int
    run_to_latest: int

    @property
    def first(self) -> pd.Series:
        return self.table.iloc[0]

    @property
    def latest(self) -> pd.Series:
        return self.table.iloc[-1]


def count_changes(
    rows: pd.DataFrame, key: str, area_code: str, *, periods: int = 5
) -> CountChanges | None:
    """Year-on-year changes in an area's counts over its ``periods`` most recent periods.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output.
    key : str
        Indicator key.
    area_code : str
    periods : int
        How many of the latest periods to look at (default 5, as the Fingertips recent trend).

    Returns
    -------
    CountChanges or None
        None when the area has fewer than two periods with a count.

    Examples
    --------
    >>> r = pd.DataFrame({"key": "k", "area_code": "A", "time_period": ["2020", "2021", "2022"],
    ...                   "time_period_sortable": [20200000, 20210000, 20220000],
    ...                   "latest_sortable": 20220000, "count": [10.0, 12.0, 15.0]})
    >>> c = count_changes(r, "k", "A")
    >>> (c.n_rises, c.n_compared, c.run_to_latest)
    (2, 2, 2)
    """
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 2:
        raise ValueError(f"periods: expected an integer >= 2, got {periods!r}")
    r = rows[(rows[C.KEY] == key) & (rows[T.AREA_CODE] == area_code)]
    r = r[r[_SORT] <= r["latest_sortable"]].sort_values(_SORT).drop_duplicates(_SORT)
    r = r.tail(periods)
    count = pd.to_numeric(r[T.COUNT], errors="coerce").astype("float64").to_numpy()
    if np.isfinite(count).sum() < 2:
        return None
    change = np.r_[np.nan, np.diff(count)]
    table = pd.DataFrame(
        {"period": r[T.TIME_PERIOD].astype("str").to_numpy(), "count": count, "change": change},
        columns=list(COUNT_CHANGE_COLUMNS),
    )
    known = ~np.isnan(change)
    rises = known & (change > 0)
    run = 0
    for up in rises[::-1]:  # at most ``periods`` steps
        if not up:
            break
        run += 1
    return CountChanges(table, int(rises.sum()), int(known.sum()), run)
