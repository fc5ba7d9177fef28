"""Oral health chapter computations: dental access, UDA delivery, board-paper checks.

Fingertips does not carry NHS dental access or contract delivery, so this chapter also reads
two analysts' local extracts (:func:`rutland_jsna.data.local.load_local_extract`, kinds
``dental_access`` and ``uda_delivery``). This module turns them into the numbers the chapter
prints; every statistic comes from :mod:`rutland_jsna.stats`:

* **dental access** (docs/chapters.md §3.2–3.3) — the generic rates, comparison and change
  are in :mod:`rutland_jsna.analysis.dental_access` (re-exported here);
* **published figures** — :func:`published_access_figures` and
  :func:`published_change_consistency`: the NHS England slide's Rutland and England figures
  as printed, and the same consistency check applied to them (docs/chapters.md §3.3: Rutland's
  three printed changes cannot all be right for one pair of periods; flagged, never
  corrected);
* **UDA delivery** (docs/chapters.md §3.4) — :func:`load_uda_thresholds` (the packaged thresholds,
  validated on load), :func:`threshold_in_force` (the threshold for any date),
  :func:`uda_delivery` (each month's scaled-up delivery against the threshold in force, with
  ``under_delivered``), :func:`under_delivered_summary`;
* **board-paper arithmetic** — :data:`INITIATIVES` (the LLR initiative tables as printed)
  and :func:`initiative_checks` (the IMOS waiting-list reduction recomputed);
* **inequalities** — :func:`inequality_rows` (the chapter's Fingertips indicators broken
  down by deprivation or another inequality category, where the data has them).

Nothing here writes HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BOARD_PAPERS_DIR, ENGLAND_CODE, PACKAGE_DIR
from ..data import columns as T
from ..data.catalogue_model import Indicator
from ..data.errors import DataValidationError, ValidationFailure
from ..data.local import window_label
from ..stats import (
    quintiles,
)
from .dental_access import (
    ACCESS_CHANGE_COLUMNS,
    ACCESS_COMPARISON_COLUMNS,
    ACCESS_RATE_COLUMNS,
    ACCESS_WINDOWS,
    AGE_GROUP_LABELS,
    AGE_GROUPS,
    BASE_YEAR,
    DEFAULT_ACCESS_WINDOW,
    SLIDE_DECIMALS,
    AccessWindow,
    ConsistencyCheck,
    access_change,
    access_comparison,
    access_rates,
    access_window,
    additivity_check,
    change_consistency,
    changes_consistency,
    is_missing_number,
    plain_comparison,
    select_access_windows,
    window_months,
)

__all__ = [
    "ACCESS_CHANGE_COLUMNS",
    "ACCESS_COMPARISON_COLUMNS",
    "ACCESS_RATE_COLUMNS",
    "ACCESS_WINDOWS",
    "AGE_GROUPS",
    "AGE_GROUP_LABELS",
    "BASE_YEAR",
    "DEFAULT_ACCESS_WINDOW",
    "INEQUALITY_COLUMNS",
    "INITIATIVES",
    "PUBLISHED_ACCESS_PATH",
    "PUBLISHED_CHECK_COLUMNS",
    "QUINTILE_HISTORY_COLUMNS",
    "THRESHOLDS_PATH",
    "UDA_DELIVERY_COLUMNS",
    "AccessWindow",
    "ConsistencyCheck",
    "access_change",
    "access_comparison",
    "access_rates",
    "access_window",
    "additivity_check",
    "change_consistency",
    "compare_with_published",
    "changes_consistency",
    "initiative_checks",
    "inequality_rows",
    "load_uda_thresholds",
    "plain_comparison",
    "published_access_figures",
    "published_change_consistency",
    "quintile_history",
    "select_access_windows",
    "threshold_in_force",
    "uda_delivery",
    "under_delivered_summary",
    "window_months",
]

#: The packaged UDA delivery thresholds (copied from the NHS England slides, with provenance).
THRESHOLDS_PATH: Path = PACKAGE_DIR / "data" / "uda_thresholds.csv"
#: The NHS England slide's dental access figures as printed (pinned copy of the published CSV).
PUBLISHED_ACCESS_PATH: Path = BOARD_PAPERS_DIR / "dental_access_2022.csv"

# ------------------------------------------------------------------------------------------
# The slide's figures as printed
# ------------------------------------------------------------------------------------------

_PUBLISHED_AGE = {"Total population": "All ages", "0-17 year olds": "0-17", "Adults": "18+"}


def published_access_figures(path: str | Path | None = None) -> pd.DataFrame:
    """The NHS England slide's dental access figures (March 2023) as printed.

    Returns
    -------
    pandas.DataFrame
        One row per area and age group: ``area_code, area_name, age_group`` (extract
        vocabulary), ``age_group_printed``, ``rate_period``, ``rate_pct``, ``change_period``
        (as printed, e.g. "2019 to 2021 (January to June) [as printed]"), ``change_pct``,
        ``seed_lines``.
    """
    raw = pd.read_csv(path or PUBLISHED_ACCESS_PATH, dtype="str", keep_default_na=False)
    raw["value_pct"] = pd.to_numeric(raw["value_pct"])
    rate = raw[raw["measure"] == "dental access rate"]
    change = raw[raw["measure"] == "relative change in dental access rate"]
    keys = ["area_code", "age_group"]
    out = rate[[*keys, "area_name", "period", "value_pct", "seed_line"]].merge(
        change[[*keys, "period", "value_pct", "seed_line"]], on=keys, suffixes=("_r", "_c"),
    )
    return pd.DataFrame(
        {
            "area_code": out["area_code"],
            "area_name": out["area_name"].str.replace(r'\s*\(slide: "national"\)', "",
                                                      regex=True),
            "age_group": out["age_group"].map(_PUBLISHED_AGE),
            "age_group_printed": out["age_group"],
            "rate_period": out["period_r"],
            "rate_pct": out["value_pct_r"].astype(float),
            "change_period": out["period_c"],
            "change_pct": out["value_pct_c"].astype(float),
            "seed_lines": out["seed_line_r"] + "; " + out["seed_line_c"],
        }
    )


def published_change_consistency(
    published: pd.DataFrame | None = None,
) -> list[ConsistencyCheck]:
    """:func:`change_consistency` on the printed figures, per area (tolerance 0.005: two
    decimals as printed)."""
    p = published_access_figures() if published is None else published
    out = []
    for code, g in p.groupby("area_code", sort=False):
        by_age = dict(zip(g["age_group"], g["change_pct"], strict=True))
        out.append(
            change_consistency(
                by_age.get("All ages", np.nan), by_age.get("0-17", np.nan),
                by_age.get("18+", np.nan), tolerance=0.005, area_code=str(code),
                area_name=str(g["area_name"].iloc[0]),
            )
        )
    return out


PUBLISHED_CHECK_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "age_group", "measure", "printed_period", "printed",
    "rebuilt_period", "rebuilt", "agrees", "note",
)


def _years(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", str(text))]


def compare_with_published(
    rates: pd.DataFrame,
    area_code: str,
    published: pd.DataFrame | None = None,
    *,
    england_code: str = ENGLAND_CODE,
    decimals: int = SLIDE_DECIMALS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The slide's printed access figures beside the same figures rebuilt from the extract.

    Each printed figure is rebuilt for the period *as printed*: the access rate for the window
    ending in the printed year, the relative change between the windows ending in the two
    printed years (so the adults' change printed "from 2019 to 2021" is rebuilt from 2019 to
    2021, not to 2022).

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`access_rates` output for the slide's window kind (``"jan-jun"``).
    area_code : str
        Only this area and England are looked up in the printed figures.
    published : pandas.DataFrame, optional
        :func:`published_access_figures` output (default the packaged copy).
    decimals : int
        Places at which ``agrees`` compares (the slide prints two).
    confidence : {0.95, 0.998}

    Returns
    -------
    pandas.DataFrame
        :data:`PUBLISHED_CHECK_COLUMNS`, one row per printed figure of the area and England
        (``measure`` "access rate" or "relative change"); ``rebuilt`` is NaN and ``agrees``
        ``<NA>`` where the extract has no window for the printed period. Empty when the
        slide printed nothing for ``area_code``. ``note`` says when a printed change that
        disagrees for its printed period agrees with the change to the latest window instead.
    """
    p = published_access_figures() if published is None else published
    p = p[p["area_code"].isin([area_code, england_code])]
    if p.empty or area_code not in set(p["area_code"]):
        return pd.DataFrame(columns=list(PUBLISHED_CHECK_COLUMNS))
    r = rates[rates["area_code"].isin([area_code, england_code])]
    end_year = pd.to_datetime(r["window_end"]).dt.year
    rows = []
    for _, pr in p.iterrows():
        key = (r["area_code"] == pr["area_code"]) & (r["age_group"] == pr["age_group"])
        # access rate in the printed year
        y = _years(pr["rate_period"])
        hit = r[key & (end_year == y[-1])] if y else r.iloc[0:0]
        rebuilt = float(hit["value"].iloc[-1]) if len(hit) else np.nan
        rebuilt_period = str(hit["window_label"].iloc[-1]) if len(hit) else ""
        rows.append(("access rate", pr, rebuilt, rebuilt_period, ""))
        # relative change between the printed years
        ys = _years(pr["change_period"])
        rebuilt, rebuilt_period = np.nan, ""
        if len(ys) >= 2:
            sub = r[key & (end_year <= ys[1])]
            ch = access_change(sub, base_year=ys[0], confidence=confidence)
            if len(ch) and not is_missing_number(ch["change_pct"].iloc[0]):
                c = ch.iloc[0]
                if pd.Timestamp(sub["window_end"].max()).year == ys[1]:
                    rebuilt = float(c["change_pct"])
                    rebuilt_period = f"{c['base_label']} to {c['current_label']}"
        note = ""
        if len(ys) >= 2 and not is_missing_number(rebuilt) and round(rebuilt, decimals) != round(
                float(pr["change_pct"]), decimals):
            latest = access_change(r[key], base_year=ys[0], confidence=confidence)
            if len(latest) and not is_missing_number(latest["change_pct"].iloc[0]) and round(
                    float(latest["change_pct"].iloc[0]), decimals) == round(
                    float(pr["change_pct"]), decimals):
                c = latest.iloc[0]
                note = (f"the printed figure is the change from {c['base_label']} to "
                        f"{c['current_label']}, not the printed period")
        rows.append(("relative change", pr, rebuilt, rebuilt_period, note))
    out = pd.DataFrame(
        [
            (
                pr["area_code"], pr["area_name"], pr["age_group"], measure,
                pr["rate_period"] if measure == "access rate" else pr["change_period"],
                float(pr["rate_pct"] if measure == "access rate" else pr["change_pct"]),
                period, rebuilt,
            )
            for measure, pr, rebuilt, period, _ in rows
        ],
        columns=list(PUBLISHED_CHECK_COLUMNS[:-2]),
    )
    agrees = [
        pd.NA if is_missing_number(b) else round(float(b), decimals) == round(float(a), decimals)
        for a, b in zip(out["printed"], out["rebuilt"], strict=True)
    ]
    out["agrees"] = pd.array(agrees, dtype="boolean")
    out["note"] = [row[4] for row in rows]
    return out


# ------------------------------------------------------------------------------------------
# UDA thresholds and delivery
# ------------------------------------------------------------------------------------------

_THRESHOLD_COLUMNS = ("period_start", "period_end", "period_as_printed", "threshold_pct",
                      "source")


def load_uda_thresholds(path: str | Path | None = None) -> pd.DataFrame:
    """The UDA delivery thresholds in force, validated on load.

    Parameters
    ----------
    path : path, optional
        A CSV with columns ``period_start, period_end`` (ISO dates, inclusive),
        ``period_as_printed``, ``threshold_pct`` (0 < t <= 100) and ``source``; default the
        packaged copy of the NHS England slide's thresholds (:data:`THRESHOLDS_PATH`).

    Returns
    -------
    pandas.DataFrame
        The columns above (dates as datetime64, ``threshold_pct`` float), sorted by start.

    Raises
    ------
    DataValidationError
        Missing columns, unreadable dates or numbers, a period ending before it starts, a
        threshold outside (0, 100], or overlapping periods — each naming the file, the rows
        (header = row 1) and the column.
    """
    p = Path(path) if path is not None else THRESHOLDS_PATH
    raw = pd.read_csv(p, dtype="str", keep_default_na=False)
    name = p.name
    failures: list[ValidationFailure] = []
    missing = [c for c in _THRESHOLD_COLUMNS if c not in raw.columns]
    for c in missing:
        failures.append(ValidationFailure(c, "required column is missing", (), name))
    if failures:
        raise DataValidationError(failures, name)
    rows = np.arange(len(raw)) + 2  # spreadsheet rows: header = row 1

    def fail(mask: np.ndarray, column: str, rule: str) -> None:
        if mask.any():
            failures.append(ValidationFailure(column, rule, tuple(int(r) for r in rows[mask]),
                                              name))

    start = pd.to_datetime(raw["period_start"], format="%Y-%m-%d", errors="coerce")
    end = pd.to_datetime(raw["period_end"], format="%Y-%m-%d", errors="coerce")
    pct = pd.to_numeric(raw["threshold_pct"], errors="coerce")
    fail(start.isna().to_numpy(), "period_start", "must be a date (YYYY-MM-DD)")
    fail(end.isna().to_numpy(), "period_end", "must be a date (YYYY-MM-DD)")
    fail(pct.isna().to_numpy(), "threshold_pct", "must be a number")
    fail(((pct <= 0) | (pct > 100)).to_numpy(), "threshold_pct", "must be > 0 and <= 100")
    fail((end < start).to_numpy(), "period_end", "must not be before period_start")
    order = np.argsort(start.to_numpy(), kind="stable")
    s, e = start.to_numpy()[order], end.to_numpy()[order]
    overlap = np.zeros(len(raw), dtype=bool)
    if len(raw) > 1:
        clash = s[1:] <= e[:-1]
        overlap[order[1:][clash]] = True
    fail(overlap, "period_start", "periods must not overlap (starts on or before the end of "
         "the previous period)")
    if failures:
        raise DataValidationError(sorted(failures, key=lambda f: (f.rows[:1], f.column)), name)
    out = pd.DataFrame(
        {
            "period_start": start,
            "period_end": end,
            "period_as_printed": raw["period_as_printed"].astype("str"),
            "threshold_pct": pct.astype(float),
            "source": raw["source"].astype("str"),
        }
    )
    return out.sort_values("period_start", kind="stable").reset_index(drop=True)


def threshold_in_force(dates: Iterable[object], thresholds: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """The threshold in force on each date (vectorised; both period ends inclusive).

    Parameters
    ----------
    dates : iterable of date-like (a month ``"2021-09"`` means its first day)
    thresholds : pandas.DataFrame, optional
        :func:`load_uda_thresholds` output (default the packaged thresholds).

    Returns
    -------
    pandas.DataFrame
        ``threshold_pct`` (NaN where no threshold is in force) and ``threshold_period``
        (e.g. "April to September 2021", ``None`` where none), one row per date.

    Examples
    --------
    >>> threshold_in_force(["2021-09-30", "2021-10-01", "2022-07-01"])["threshold_pct"].tolist()
    [60.0, 65.0, nan]
    """
    th = load_uda_thresholds() if thresholds is None else thresholds
    d = pd.to_datetime(pd.Series(list(dates), dtype="object"), errors="raise").to_numpy()
    starts = th["period_start"].to_numpy()
    ends = th["period_end"].to_numpy()
    pos = np.searchsorted(starts, d, side="right") - 1
    valid = pos >= 0
    safe = np.where(valid, pos, 0)
    inside = valid & (d <= ends[safe] + np.timedelta64(1, "D") - np.timedelta64(1, "ns"))
    labels = np.array([_period_words(s, e) for s, e in zip(th["period_start"], th["period_end"],
                                                             strict=True)], dtype=object)
    pct = th["threshold_pct"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "threshold_pct": np.where(inside, pct[safe] if len(pct) else np.nan, np.nan),
            "threshold_period": pd.Series(
                [labels[i] if ok else None for i, ok in zip(safe, inside, strict=True)],
                dtype="object",
            ),
        }
    )


def _period_words(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return window_label(start, end)


UDA_DELIVERY_COLUMNS: tuple[str, ...] = (
    "geography_id", "geography_name", "month", "month_label", "contracted_udas_annual",
    "udas_delivered_month", "pct_delivered", "threshold_pct", "threshold_period",
    "under_delivered", "shortfall_pct_points",
)


def uda_delivery(extract: pd.DataFrame, thresholds: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """Each month's UDA delivery scaled up to 12 months, against the threshold in force.

    Parameters
    ----------
    extract : pandas.DataFrame
        A validated ``uda_delivery`` extract (``pct_delivered_annualised`` =
        udas_delivered_month × 12 / contracted_udas_annual × 100).
    thresholds : pandas.DataFrame, optional
        :func:`load_uda_thresholds` output (default the packaged thresholds).

    Returns
    -------
    pandas.DataFrame
        :data:`UDA_DELIVERY_COLUMNS`, sorted by geography and month. ``under_delivered`` is
        True when the month's percentage is below the threshold in force, False when at or
        above it, ``<NA>`` when no threshold was in force; ``shortfall_pct_points`` =
        threshold − delivery where under-delivered (else NaN).
    """
    th = load_uda_thresholds() if thresholds is None else thresholds
    x = extract.sort_values(["geography_id", "month"], kind="stable").reset_index(drop=True)
    month_start = pd.to_datetime(x["month"].astype("str") + "-01", format="%Y-%m-%d")
    t = threshold_in_force(month_start, th)
    if "pct_delivered_annualised" in x:
        pct = x["pct_delivered_annualised"].to_numpy(dtype=float)
    else:
        pct = (x["udas_delivered_month"].to_numpy(dtype=float) * 12
               / x["contracted_udas_annual"].to_numpy(dtype=float) * 100)
    thr = t["threshold_pct"].to_numpy(dtype=float)
    has = ~np.isnan(thr)
    under = pd.array(np.where(has, pct < thr, False), dtype="boolean")
    under[~has] = pd.NA
    return pd.DataFrame(
        {
            "geography_id": x["geography_id"].astype("str"),
            "geography_name": x["geography_name"].astype("str"),
            "month": x["month"].astype("str"),
            "month_label": [f"{m:%B %Y}" for m in month_start],
            "contracted_udas_annual": x["contracted_udas_annual"].to_numpy(dtype=float),
            "udas_delivered_month": x["udas_delivered_month"].to_numpy(dtype=float),
            "pct_delivered": pct,
            "threshold_pct": thr,
            "threshold_period": t["threshold_period"].to_numpy(),
            "under_delivered": under,
            "shortfall_pct_points": np.where(has & (pct < thr), thr - pct, np.nan),
        },
        columns=list(UDA_DELIVERY_COLUMNS),
    )


def under_delivered_summary(delivery: pd.DataFrame) -> pd.DataFrame:
    """Per geography: months with a threshold, months under it, and which.

    Returns
    -------
    pandas.DataFrame
        ``geography_id, geography_name, first_month, last_month, months, months_with_threshold,
        months_under, under_months`` (list of month labels, e.g. ["April 2021", …]),
        ``largest_shortfall_pct_points``.
    """
    cols = ["geography_id", "geography_name", "first_month", "last_month", "months",
            "months_with_threshold", "months_under", "under_months",
            "largest_shortfall_pct_points"]
    if delivery.empty:
        return pd.DataFrame(columns=cols)
    d = delivery.assign(
        _has=delivery["threshold_pct"].notna(),
        _under=delivery["under_delivered"].fillna(False).astype(bool),
    )
    g = d.groupby(["geography_id", "geography_name"], sort=False)
    out = g.agg(
        first_month=("month_label", "first"),
        last_month=("month_label", "last"),
        months=("month", "size"),
        months_with_threshold=("_has", "sum"),
        months_under=("_under", "sum"),
        largest_shortfall_pct_points=("shortfall_pct_points", "max"),
    ).reset_index()
    lists = d[d["_under"]].groupby("geography_id", sort=False)["month_label"].agg(list)
    out["under_months"] = [lists.get(i, []) for i in out["geography_id"]]
    return out[cols]


# ------------------------------------------------------------------------------------------
# Board-paper initiative tables and their arithmetic
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Initiative:
    """One LLR primary care dental initiative as printed on the NHS England slides."""

    scheme: str
    purpose: str
    figures: tuple[tuple[str, str], ...]  # (column heading, value) as printed
    note: str
    seed_lines: str


#: The initiative tables of the NHS England slides (March 2023, board paper lines 647-689), as printed.
INITIATIVES: tuple[Initiative, ...] = (
    Initiative(
        "Weekend Access Scheme",
        "To enable dental providers to see and treat more patients than they have capacity "
        "for during their normal contractual opening hours.",
        (("ICB", "LLR"), ("Number of Providers", "6"), ("Number of Approved Sessions", "274"),
         ("Value of Approved Sessions", "£137,000")),
        "",
        "648-656",
    ),
    Initiative(
        "Additional Orthodontic Case Starts, 2022/23",
        "To address lengthy waiting times for orthodontic treatment, exacerbated by the "
        "COVID-19 pandemic.",
        (("ICB", "LLR"), ("Number of Case Starts", "694")),
        "",
        "658-666",
    ),
    Initiative(
        "Community Dental Services Support Practice Scheme",
        "To relieve pressure on Community Dental Services by securing additional capacity in "
        "child-friendly CDS Support Practices.",
        (("ICB", "LLR"), ("Number of Providers", "1"),
         ("Number of Approved Sessions per Week", "2")),
        "Phase 3 due to be launched 2023 in targeted geographical areas.",
        "670-679",
    ),
    Initiative(
        "Community Dental Services (CDS) Waiting List Initiative",
        "Additional sessions for new referrals, first and follow-up appointments for patients "
        "with open courses of treatment.",
        (("Investment", "£62,048 (non-recurrent, 2021/22)"),),
        "Prior commitment secured for 2022/23 to support reducing the general anaesthetic "
        "waiting list, subject to securing additional sessions at the hospital trust.",
        "683-686",
    ),
    Initiative(
        "Intermediate Minor Oral Surgery (IMOS) waiting list, 2021/22",
        "To support IMOS providers in reducing waiting times to within 6 weeks of referral.",
        (("LLR patients accepted onto the pathway (June 2022)", "3,173"),
         ("Waiting over 6 weeks (June 2022)", "2,038"),
         ("Reduction since June 2021", "nearly 1,500 patients")),
        "",
        "690-693",
    ),
    Initiative(
        "Intermediate Minor Oral Surgery (IMOS) waiting list, 2022/23",
        "To support IMOS providers to treat patients waiting over 18 weeks.",
        (("Investment", "£119,077.20 (non-recurrent)"), ("Waiting, April 2022", "682"),
         ("Waiting, August 2022", "440"), ("Reduction", "242 patients (35%)")),
        "",
        "695-698",
    ),
)

#: IMOS 2022/23 figures as printed: waiting in April 2022, in August 2022, the printed
#: reduction and the printed percentage.
IMOS_PRINTED = {"april_2022": 682, "august_2022": 440, "reduction": 242, "reduction_pct": 35}
WEEKEND_PRINTED = {"sessions": 274, "value_gbp": 137_000}


def initiative_checks() -> pd.DataFrame:
    """The arithmetic of the initiative tables, recomputed.

    Returns
    -------
    pandas.DataFrame
        ``check, printed, computed, agrees``: the IMOS reduction (682 − 440), the IMOS
        percentage (242 / 682, compared at the printed whole percent) and the value per
        weekend session (£137,000 / 274, for information; ``agrees`` is ``<NA>`` where
        nothing was printed to agree with).

    Examples
    --------
    >>> initiative_checks()["agrees"].tolist()
    [True, True, <NA>]
    """
    imos = IMOS_PRINTED
    reduction = imos["april_2022"] - imos["august_2022"]
    pct = reduction / imos["april_2022"] * 100
    per_session = WEEKEND_PRINTED["value_gbp"] / WEEKEND_PRINTED["sessions"]
    return pd.DataFrame(
        {
            "check": [
                "IMOS 2022/23: reduction in patients waiting, April to August 2022 (682 - 440)",
                "IMOS 2022/23: reduction as a percentage of those waiting in April 2022",
                "Weekend Access Scheme: value per approved session (£137,000 / 274)",
            ],
            "printed": [f"{imos['reduction']}", f"{imos['reduction_pct']}%", "not printed"],
            "computed": [f"{reduction}", f"{pct:.1f}% ({round(pct)}% to a whole percent)",
                         f"£{per_session:,.2f}"],
            "agrees": pd.array(
                [reduction == imos["reduction"], round(pct) == imos["reduction_pct"], None],
                dtype="boolean",
            ),
        }
    )


# ------------------------------------------------------------------------------------------
# Inequalities in the Fingertips data
# ------------------------------------------------------------------------------------------

INEQUALITY_COLUMNS: tuple[str, ...] = (
    "key", "indicator", "area_code", "area_name", "category_type", "category", "period",
    "value", "lower_ci", "upper_ci", "count", "denominator",
)


def inequality_rows(
    data: pd.DataFrame,
    indicators: Sequence[Indicator],
    area_codes: Sequence[str],
) -> pd.DataFrame:
    """Inequality breakdowns (deprivation quintiles, ethnic groups, …) of the indicators.

    The rows of the tidy store with a ``category_type`` for the indicators' ids, sex and
    age, for the given areas, at each indicator's latest period with such rows.

    Returns
    -------
    pandas.DataFrame
        :data:`INEQUALITY_COLUMNS`; empty when the data carries no breakdown.
    """
    ids = {i.fingertips_id: i for i in indicators if i.has_data_id}
    if not ids or data.empty:
        return pd.DataFrame(columns=list(INEQUALITY_COLUMNS))
    cat = data[T.CATEGORY_TYPE].astype("object").where(data[T.CATEGORY_TYPE].notna(), "")
    mask = (cat.astype("str") != "") & data[T.INDICATOR_ID].isin(list(ids)) & data[
        T.AREA_CODE].isin(list(area_codes))
    rows = data.loc[mask]
    if rows.empty:
        return pd.DataFrame(columns=list(INEQUALITY_COLUMNS))
    lookup = pd.DataFrame(
        {"_id": list(ids), "key": [i.key for i in ids.values()],
         "indicator": [i.display_name for i in ids.values()],
         "_sex": [i.sex for i in ids.values()], "_age": [i.age for i in ids.values()]}
    )
    rows = rows.merge(lookup, left_on=[T.INDICATOR_ID, T.SEX, T.AGE],
                      right_on=["_id", "_sex", "_age"], how="inner")
    if rows.empty:
        return pd.DataFrame(columns=list(INEQUALITY_COLUMNS))
    latest = rows.groupby("key")[T.TIME_PERIOD_SORTABLE].transform("max")
    rows = rows[rows[T.TIME_PERIOD_SORTABLE] == latest]
    out = pd.DataFrame(
        {
            "key": rows["key"], "indicator": rows["indicator"],
            "area_code": rows[T.AREA_CODE].astype("str"),
            "area_name": rows[T.AREA_NAME].astype("str"),
            "category_type": rows[T.CATEGORY_TYPE].astype("str"),
            "category": rows[T.CATEGORY].astype("str"),
            "period": rows[T.TIME_PERIOD].astype("str"),
            "value": rows[T.VALUE].astype(float),
            "lower_ci": rows[T.LOWER_CI_95].astype(float),
            "upper_ci": rows[T.UPPER_CI_95].astype(float),
            "count": rows[T.COUNT].astype(float),
            "denominator": rows[T.DENOMINATOR].astype(float),
        },
        columns=list(INEQUALITY_COLUMNS),
    )
    return out.sort_values(["key", "area_code", "category_type", "category"],
                           kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# National quintile of an area over time (GP Patient Survey dental appointment measure)
# ------------------------------------------------------------------------------------------

QUINTILE_HISTORY_COLUMNS: tuple[str, ...] = ("period", "value", "england", "quintile", "label",
                                             "areas")


def quintile_history(
    rows: pd.DataFrame,
    key: str,
    area_code: str,
    national_codes: Iterable[str],
    *,
    england_code: str = ENGLAND_CODE,
) -> pd.DataFrame:
    """The area's national quintile in every period of an indicator.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~rutland_jsna.analysis.summary.prepare_rows` output (tidy columns plus ``key``
        and ``polarity``).
    key : str
        Indicator key.
    area_code : str
    national_codes : iterable of str
        The areas the quintiles are computed among (every upper-tier authority).

    Returns
    -------
    pandas.DataFrame
        :data:`QUINTILE_HISTORY_COLUMNS`, oldest period first: the area's value, England's,
        the quintile (1 = best, :func:`~rutland_jsna.stats.quintiles`), its label ("Best" …
        "Worst") and how many areas had a value. Empty when the area has no rows.
    """
    r = rows[(rows["key"] == key)]
    nat = r[r[T.AREA_CODE].isin(list(national_codes))]
    if nat.empty or area_code not in set(nat[T.AREA_CODE]):
        return pd.DataFrame(columns=list(QUINTILE_HISTORY_COLUMNS))
    q = quintiles(nat[T.VALUE], nat["polarity"], by=nat[T.TIME_PERIOD_SORTABLE])
    nat = nat.assign(_q=q["quintile"].to_numpy(), _l=q["label"].to_numpy())
    n = nat.groupby(T.TIME_PERIOD_SORTABLE)[T.VALUE].count().rename("areas")
    area = nat[nat[T.AREA_CODE] == area_code].sort_values(T.TIME_PERIOD_SORTABLE)
    eng = r[r[T.AREA_CODE] == england_code].set_index(T.TIME_PERIOD_SORTABLE)[T.VALUE]
    eng = eng[~eng.index.duplicated()]
    return pd.DataFrame(
        {
            "period": area[T.TIME_PERIOD].astype("str").to_numpy(),
            "value": area[T.VALUE].to_numpy(dtype=float),
            "england": area[T.TIME_PERIOD_SORTABLE].map(eng).to_numpy(dtype=float),
            "quintile": pd.array(area["_q"].to_numpy(), dtype="Int64"),
            "label": area["_l"].astype("object").where(area["_l"].notna(), None).to_numpy(),
            "areas": area[T.TIME_PERIOD_SORTABLE].map(n).to_numpy(dtype=int),
        },
        columns=list(QUINTILE_HISTORY_COLUMNS),
    )
