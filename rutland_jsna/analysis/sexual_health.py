"""Tables behind the sexual health chapter (docs/chapters.md §2) that are the chapter's own.

* :func:`published_appendix`, :func:`rank_published_appendix` and
  :func:`reproduce_printed_ranks` — the 2015 Appendix 1 as printed, re-ranked by the same rule
  as :func:`~rutland_jsna.analysis.comparators.comparator_ranking`, with every row the data
  cannot support documented (:data:`APPENDIX_UNSUPPORTED`).

The generic tables the chapter also uses live in their own modules and are re-exported here
for the notebook's convenience: :mod:`.comparators` (the comparator table),
:mod:`.funnel` (funnel-plot data), :mod:`.breakdowns` (by sex, year-on-year counts) and
:mod:`.goals` (a value against a goal). Every statistic comes from :mod:`rutland_jsna.stats`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BOARD_PAPERS_DIR
from ..stats.ranking import rank_areas, rank_summary
from .breakdowns import (
    COUNT_CHANGE_COLUMNS,
    SEX_BREAKDOWN_COLUMNS,
    CountChanges,
    count_changes,
    sex_breakdown,
)
from .comparators import (
    APPENDIX_POLARITY,
    COMPARATOR_RANKING_COLUMNS,
    POLARITY_CHOICES,
    comparator_ranking,
    ranking_polarity,
    subject_ranks,
)
from .funnel import FUNNEL_POINT_COLUMNS, FUNNEL_POSITION_WORDS, FunnelData, funnel_data
from .goals import goal_comparison

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


PUBLISHED_APPENDIX_COLUMNS: tuple[str, ...] = (
    "indicator", "polarity", "area_name", "code_2015", "area_code", "value", "missing_reason",
    "seed_line",
)

PRINTED_RANK_COLUMNS: tuple[str, ...] = (
    "indicator", "polarity", "subject_value", "printed_rank", "recomputed_rank", "n_ranked",
    "agrees", "note",
)


#: Rows of the 2015 appendix whose printed Rutland rank the data cannot support (docs/chapters.md
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


_APPENDIX_FILE = BOARD_PAPERS_DIR / "sexual_health_appendix1.csv"
_PRINTED_FILE = BOARD_PAPERS_DIR / "sexual_health_appendix1_ranks.csv"


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
