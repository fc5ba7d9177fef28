"""Oral health chapter computations: dental access, UDA delivery, board-paper checks.

Fingertips does not carry NHS dental access or contract delivery, so this chapter also reads
two analysts' local extracts (:func:`rutland_jsna.data.local.load_local_extract`, kinds
``dental_access`` and ``uda_delivery``). This module turns them into the numbers the chapter
prints; every statistic comes from :mod:`rutland_jsna.stats`:

* **dental access** (chapters.md §3.2–3.3) — :func:`access_rates` (patients seen / population,
  Wilson interval via :func:`~rutland_jsna.stats.proportion_ci`) for one *kind* of window
  (:data:`ACCESS_WINDOWS`: the NHS England slide's January-to-June window, 12 or 24 months, or
  the NHS Dental Statistics pair of 12 months for children and 24 months for adults);
  :func:`access_comparison` (the area against England: the slide's plain "higher than / lower
  than" words, and the Fingertips significance test as a separate column);
  :func:`access_change` (relative change from a base window, with the ratio of the two rates
  and its interval from :func:`~rutland_jsna.stats.rate_ratio_ci` ``method="binomial"``);
  :func:`change_consistency` and :func:`additivity_check` (is the all-ages change a possible
  mix of the age groups' changes? do the age groups add up to all ages?);
* **published figures** — :func:`published_access_figures` and
  :func:`published_change_consistency`: the NHS England slide's Rutland and England figures
  as printed, and the same consistency check applied to them (chapters.md §3.3: Rutland's
  three printed changes cannot all be right for one pair of periods; flagged, never
  corrected);
* **UDA delivery** (chapters.md §3.4) — :func:`load_uda_thresholds` (the packaged thresholds,
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

import difflib
import math
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
from ..stats import Polarity, compare_to_benchmark, proportion_ci, quintiles, rate_ratio_ci
from .select import check_confidence

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

#: Age groups of the dental access extract, in display order.
AGE_GROUPS: tuple[str, ...] = ("All ages", "0-17", "18+")
#: How each age group is named in tables and sentences (the slide's words, made explicit).
AGE_GROUP_LABELS: dict[str, str] = {
    "All ages": "Total population (all ages)",
    "0-17": "0-17 year olds",
    "18+": "Adults (18 and over)",
}
#: The pre-pandemic base year of the relative change (the slide compares January to June 2019).
BASE_YEAR = 2019
#: Printed values are compared at this many decimal places (the slide prints two).
SLIDE_DECIMALS = 2


# ------------------------------------------------------------------------------------------
# Access windows
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessWindow:
    """One kind of dental access window: which rows of the extract measure the same thing.

    Attributes
    ----------
    name : str
        The parameter value (``access_window`` in the notebook), matched exactly.
    label : str
        What the window is called in headings ("January to June").
    description : str
        One sentence defining the measure, printed beside every table.
    months : dict
        Window length in whole calendar months for each age group the measure covers; age
        groups not listed are not part of the measure.
    start_month : int or None
        Calendar month the window must start in (1 = January for the slide's window), or
        ``None`` for rolling windows ending in any month.
    source : str
        Where the definition comes from.
    """

    name: str
    label: str
    description: str
    months: dict[str, int]
    start_month: int | None
    source: str

    @property
    def age_groups(self) -> tuple[str, ...]:
        return tuple(g for g in AGE_GROUPS if g in self.months)


#: The window kinds the chapter accepts (chapters.md §3.2); never mixed in one table.
ACCESS_WINDOWS: dict[str, AccessWindow] = {
    w.name: w
    for w in (
        AccessWindow(
            "jan-jun",
            "January to June",
            "Dental access rate: unique patients seen by NHS dental services from January to "
            "June of the year, as a percentage of the resident population of the age group "
            "(the window of NHS England's March 2023 slide, which did not define it further). "
            "It counts six months only, so it is far below the 24-month and 12-month "
            "measures of NHS Dental Statistics and must not be compared with them.",
            {"All ages": 6, "0-17": 6, "18+": 6},
            1,
            "NHS England - Midlands slide 'Dental Access - This is Rutland', March 2023",
        ),
        AccessWindow(
            "12-months",
            "12 months",
            "Dental access rate: unique patients seen by NHS dental services in a 12-month "
            "window, as a percentage of the resident population of the age group.",
            {"All ages": 12, "0-17": 12, "18+": 12},
            None,
            "NHS Dental Statistics (children's measure)",
        ),
        AccessWindow(
            "24-months",
            "24 months",
            "Dental access rate: unique patients seen by NHS dental services in a 24-month "
            "window, as a percentage of the resident population of the age group.",
            {"All ages": 24, "0-17": 24, "18+": 24},
            None,
            "NHS Dental Statistics (adults' measure)",
        ),
        AccessWindow(
            "nhs-standard",
            "NHS Dental Statistics windows (children 12 months, adults 24 months)",
            "Dental access rate as NHS Dental Statistics define it: children (0-17) seen in "
            "the previous 12 months and adults (18 and over) seen in the previous 24 months, "
            "as a percentage of the resident population of the age group. There is no "
            "all-ages figure, because the two age groups use different windows.",
            {"0-17": 12, "18+": 24},
            None,
            "NHS Dental Statistics",
        ),
    )
}
DEFAULT_ACCESS_WINDOW = "jan-jun"


def access_window(name: str | AccessWindow) -> AccessWindow:
    """The :class:`AccessWindow` named ``name`` (exact match; unknown names list the known).

    Examples
    --------
    >>> access_window("jan-jun").label
    'January to June'
    """
    if isinstance(name, AccessWindow):
        return name
    if isinstance(name, str) and name in ACCESS_WINDOWS:
        return ACCESS_WINDOWS[name]
    close = difflib.get_close_matches(str(name), list(ACCESS_WINDOWS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"access_window: unknown window {name!r} (known: {', '.join(ACCESS_WINDOWS)}){hint}"
    )


def window_months(start: pd.Series, end: pd.Series) -> pd.Series:
    """Length of each window in whole calendar months; ``<NA>`` unless start is the 1st and
    end the last day of a month.

    Examples
    --------
    >>> window_months(pd.Series(pd.to_datetime(["2022-01-01", "2022-01-03"])),
    ...               pd.Series(pd.to_datetime(["2022-06-30", "2022-06-30"]))).tolist()
    [6, <NA>]
    """
    s = pd.to_datetime(pd.Series(start))
    e = pd.to_datetime(pd.Series(end))
    whole = (s.dt.day == 1) & (e.dt.is_month_end)
    n = (e.dt.year - s.dt.year) * 12 + (e.dt.month - s.dt.month) + 1
    return pd.Series(pd.array(np.where(whole, n, 0), dtype="Int64"), index=s.index).where(
        whole, pd.NA
    )


def select_access_windows(extract: pd.DataFrame, window: str | AccessWindow) -> pd.DataFrame:
    """The rows of a ``dental_access`` extract that belong to one kind of window.

    A row belongs when its age group is part of the measure, its window runs over whole
    calendar months of the measure's length for that age group, and (for the slide's
    window) starts in the right month.

    Parameters
    ----------
    extract : pandas.DataFrame
        :func:`~rutland_jsna.data.local.load_local_extract` output of kind ``dental_access``.
    window : str or AccessWindow
        See :data:`ACCESS_WINDOWS`.

    Returns
    -------
    pandas.DataFrame
        The matching rows (same columns), index reset.
    """
    w = access_window(window)
    months = window_months(extract["window_start"], extract["window_end"])
    wanted = extract["age_group"].map(w.months).astype("Float64")
    keep = (months.astype("Float64") == wanted).fillna(False).astype(bool)
    if w.start_month is not None:
        keep &= pd.to_datetime(extract["window_start"]).dt.month == w.start_month
    return extract.loc[keep.to_numpy()].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Access rates, comparison with England, relative change
# ------------------------------------------------------------------------------------------

ACCESS_RATE_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "age_group", "window_start", "window_end", "window_label",
    "window_months", "patients_seen", "population", "value", "lower_ci", "upper_ci",
    "ci_level", "source",
)


def access_rates(
    extract: pd.DataFrame, window: str | AccessWindow, confidence: float = 0.95
) -> pd.DataFrame:
    """Dental access rate (%) with its Wilson interval for every row of one window kind.

    Parameters
    ----------
    extract : pandas.DataFrame
        A validated ``dental_access`` extract.
    window : str or AccessWindow
        The kind of window (:data:`ACCESS_WINDOWS`); rows of other windows are left out.
    confidence : {0.95, 0.998}

    Returns
    -------
    pandas.DataFrame
        :data:`ACCESS_RATE_COLUMNS`, sorted by area, age group (:data:`AGE_GROUPS` order) and
        window start. ``value`` = patients_seen / population × 100 (the extract's
        ``access_rate_pct``); ``lower_ci``/``upper_ci`` from
        :func:`~rutland_jsna.stats.proportion_ci`.

    Examples
    --------
    >>> x = pd.DataFrame({"area_code": ["E06000017"], "area_name": ["Rutland"],
    ...     "age_group": ["All ages"], "window_start": pd.to_datetime(["2022-01-01"]),
    ...     "window_end": pd.to_datetime(["2022-06-30"]), "patients_seen": [9000],
    ...     "population": [40000], "source": ["example"]})
    >>> access_rates(x, "jan-jun")[["value", "lower_ci", "upper_ci"]].round(2)
       value  lower_ci  upper_ci
    0   22.5     22.09     22.91
    """
    conf = check_confidence(confidence)
    rows = select_access_windows(extract, window)
    ci = proportion_ci(
        rows["patients_seen"].to_numpy(dtype=float),
        rows["population"].to_numpy(dtype=float),
        conf,
        multiplier=100,
    )
    label = (
        rows["window_label"].astype("str")
        if "window_label" in rows
        else pd.Series([_label(s, e) for s, e in zip(rows["window_start"], rows["window_end"],
                                                      strict=True)], dtype="str")
    )
    out = pd.DataFrame(
        {
            "area_code": rows["area_code"].astype("str"),
            "area_name": rows["area_name"].astype("str"),
            "age_group": rows["age_group"].astype("str"),
            "window_start": pd.to_datetime(rows["window_start"]),
            "window_end": pd.to_datetime(rows["window_end"]),
            "window_label": label.to_numpy(),
            "window_months": window_months(rows["window_start"], rows["window_end"]),
            "patients_seen": rows["patients_seen"].to_numpy(dtype=float),
            "population": rows["population"].to_numpy(dtype=float),
            "value": ci["value"].to_numpy(),
            "lower_ci": ci["lower_ci"].to_numpy(),
            "upper_ci": ci["upper_ci"].to_numpy(),
            "ci_level": conf,
            "source": rows["source"].astype("str") if "source" in rows else "",
        },
        columns=list(ACCESS_RATE_COLUMNS),
    )
    order = out["age_group"].map({g: i for i, g in enumerate(AGE_GROUPS)})
    return (
        out.assign(_o=order)
        .sort_values(["area_code", "_o", "window_start"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    from ..data.local import window_label

    return window_label(start, end)


def plain_comparison(value: object, benchmark: object, decimals: int = SLIDE_DECIMALS) -> str:
    """The slide's plain words for two values as printed: "higher than", "lower than",
    "the same as"; "" when either is missing. No significance test.

    Examples
    --------
    >>> plain_comparison(22.06, 22.78)
    'lower than'
    >>> plain_comparison(22.781, 22.779)
    'the same as'
    """
    if _missing(value) or _missing(benchmark):
        return ""
    a, b = round(float(value), decimals), round(float(benchmark), decimals)
    if a == b:
        return "the same as"
    return "higher than" if a > b else "lower than"


def _missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return math.isnan(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


ACCESS_COMPARISON_COLUMNS: tuple[str, ...] = (
    "age_group", "window_start", "window_end", "window_label", "patients_seen", "population",
    "value", "lower_ci", "upper_ci", "england_value", "england_lower_ci", "england_upper_ci",
    "plain_comparison", "significance",
)


def access_comparison(
    rates: pd.DataFrame,
    area_code: str,
    *,
    england_code: str = ENGLAND_CODE,
    decimals: int = SLIDE_DECIMALS,
) -> pd.DataFrame:
    """The area's access rates against England's for the same age group and window.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`access_rates` output.
    area_code : str
        The subject area.
    england_code : str
    decimals : int
        Places at which the plain words compare the values (the slide prints two).

    Returns
    -------
    pandas.DataFrame
        :data:`ACCESS_COMPARISON_COLUMNS`, one row per age group and window of the area
        (empty when the area has no rows). ``plain_comparison`` is the slide's wording
        (:func:`plain_comparison`); ``significance`` the Fingertips comparison of the area's
        interval with England's value (:func:`~rutland_jsna.stats.compare_to_benchmark`,
        higher access is better: "Better", "Similar", "Worse", or "Not compared" without an
        England value).
    """
    area = rates[rates["area_code"] == area_code]
    eng = rates.loc[
        rates["area_code"] == england_code,
        ["age_group", "window_start", "window_end", "value", "lower_ci", "upper_ci"],
    ].rename(columns={"value": "england_value", "lower_ci": "england_lower_ci",
                      "upper_ci": "england_upper_ci"})
    merged = area.merge(eng, on=["age_group", "window_start", "window_end"], how="left")
    if merged.empty:
        return pd.DataFrame(columns=list(ACCESS_COMPARISON_COLUMNS))
    merged["plain_comparison"] = [
        plain_comparison(v, e, decimals)
        for v, e in zip(merged["value"], merged["england_value"], strict=True)
    ]
    merged["significance"] = compare_to_benchmark(
        merged["value"], merged["lower_ci"], merged["upper_ci"], merged["england_value"],
        Polarity.HIGH_IS_GOOD,
    ).to_numpy()
    return merged[list(ACCESS_COMPARISON_COLUMNS)].reset_index(drop=True)


ACCESS_CHANGE_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "age_group", "base_label", "current_label", "base_value",
    "current_value", "ratio", "ratio_lower_ci", "ratio_upper_ci", "change_pct",
    "change_lower_pct", "change_upper_pct", "significant", "reason",
)


def access_change(
    rates: pd.DataFrame,
    *,
    base_year: int = BASE_YEAR,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Relative change in the access rate from the base window to the latest one.

    For each area and age group: the base window is the latest one that ends in
    ``base_year`` (January to June 2019 on the slide), the current window the latest one in
    ``rates``. The ratio of the two rates (current / base) and its interval come from
    :func:`~rutland_jsna.stats.rate_ratio_ci` with ``method="binomial"`` (patients seen out
    of a population: the Katz log interval for a ratio of two proportions, treating the two
    windows as independent samples); the relative change is ``(ratio − 1) × 100``.

    Parameters
    ----------
    rates : pandas.DataFrame
        :func:`access_rates` output (one window kind).
    base_year : int
        Calendar year the base window ends in.
    confidence : {0.95, 0.998}

    Returns
    -------
    pandas.DataFrame
        :data:`ACCESS_CHANGE_COLUMNS`, one row per area and age group. Without a base
        window, or when the latest window is the base, the numbers are NaN and ``reason``
        says why ("" otherwise). ``significant`` is True when the interval of the ratio
        excludes 1.

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": "A", "area_name": "A", "age_group": "All ages",
    ...     "window_start": pd.to_datetime(["2019-01-01", "2022-01-01"]),
    ...     "window_end": pd.to_datetime(["2019-06-30", "2022-06-30"]),
    ...     "window_label": ["January to June 2019", "January to June 2022"],
    ...     "patients_seen": [500.0, 400.0], "population": [1000.0, 1000.0],
    ...     "value": [50.0, 40.0]})
    >>> access_change(r)[["change_pct", "change_lower_pct", "change_upper_pct"]].round(2)
       change_pct  change_lower_pct  change_upper_pct
    0       -20.0            -27.47            -11.76
    """
    conf = check_confidence(confidence)
    if rates.empty:
        return pd.DataFrame(columns=list(ACCESS_CHANGE_COLUMNS))
    r = rates.sort_values(["area_code", "age_group", "window_end"], kind="stable")
    keys = ["area_code", "age_group"]
    current = r.groupby(keys, sort=False).tail(1).set_index(keys)
    in_base = r[pd.to_datetime(r["window_end"]).dt.year == base_year]
    base = in_base.groupby(keys, sort=False).tail(1).set_index(keys)
    out = current[["area_name", "window_label", "window_end", "patients_seen", "population",
                   "value"]].rename(columns={"window_label": "current_label",
                                             "value": "current_value"})
    out = out.join(
        base[["window_label", "window_end", "patients_seen", "population", "value"]].rename(
            columns={"window_label": "base_label", "window_end": "base_end",
                     "patients_seen": "base_seen", "population": "base_population",
                     "value": "base_value"}
        ),
        how="left",
    ).reset_index()
    has_base = out["base_value"].notna()
    distinct = has_base & (out["base_end"] != out["window_end"])
    ok = distinct.to_numpy()
    ratio = pd.DataFrame(np.nan, index=out.index, columns=["ratio", "lower_ci", "upper_ci"])
    if ok.any():
        rr = rate_ratio_ci(
            out.loc[ok, "patients_seen"].to_numpy(dtype=float),
            out.loc[ok, "population"].to_numpy(dtype=float),
            out.loc[ok, "base_seen"].to_numpy(dtype=float),
            out.loc[ok, "base_population"].to_numpy(dtype=float),
            conf,
            method="binomial",
        )
        ratio.loc[ok, ["ratio", "lower_ci", "upper_ci"]] = rr.to_numpy()
    reason = np.select(
        [~has_base.to_numpy(), ~ok],
        [f"no window ending in {base_year} in the extract",
         "the latest window is the base window"],
        default="",
    )
    change = (ratio - 1.0) * 100.0
    frame = pd.DataFrame(
        {
            "area_code": out["area_code"].astype("str"),
            "area_name": out["area_name"].astype("str"),
            "age_group": out["age_group"].astype("str"),
            "base_label": out["base_label"].astype("object").where(has_base, None),
            "current_label": out["current_label"].astype("str"),
            "base_value": out["base_value"].astype(float),
            "current_value": out["current_value"].astype(float),
            "ratio": ratio["ratio"].astype(float),
            "ratio_lower_ci": ratio["lower_ci"].astype(float),
            "ratio_upper_ci": ratio["upper_ci"].astype(float),
            "change_pct": change["ratio"].astype(float),
            "change_lower_pct": change["lower_ci"].astype(float),
            "change_upper_pct": change["upper_ci"].astype(float),
            "significant": ((ratio["lower_ci"] > 1) | (ratio["upper_ci"] < 1)).to_numpy(),
            "reason": reason,
        },
        columns=list(ACCESS_CHANGE_COLUMNS),
    )
    order = frame["age_group"].map({g: i for i, g in enumerate(AGE_GROUPS)})
    return (
        frame.assign(_o=order)
        .sort_values(["area_code", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------
# Consistency of the all-ages figure with the age groups
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsistencyCheck:
    """Whether an all-ages relative change can be a mix of its age groups' changes.

    Attributes
    ----------
    area_code, area_name : str
    all_ages, children, adults : float
        Relative changes in percent (NaN where missing).
    consistent : bool or None
        ``None`` when a figure is missing; otherwise True when the all-ages change lies
        between the two age groups' changes (``tolerance`` allowed for printed rounding).
    """

    area_code: str
    area_name: str
    all_ages: float
    children: float
    adults: float
    consistent: bool | None
    tolerance: float = 0.0

    @property
    def low(self) -> float:
        return min(self.children, self.adults)

    @property
    def high(self) -> float:
        return max(self.children, self.adults)


def change_consistency(
    all_ages: float, children: float, adults: float, *, tolerance: float = 0.0,
    area_code: str = "", area_name: str = "",
) -> ConsistencyCheck:
    """Check that an all-ages relative change lies between the 0-17 and 18+ changes.

    For the same pair of windows, the whole population's rate is a population-weighted
    average of the age groups' rates; unless the age structure shifts a lot between the
    windows, its relative change lies between the age groups' changes. A figure outside
    that range means a different period, a different population, or an error; the chapter
    says so and never corrects it.

    Examples
    --------
    >>> change_consistency(-16.49, -6.96, -8.62, tolerance=0.005).consistent
    False
    >>> change_consistency(-22.86, -21.24, -23.59, tolerance=0.005).consistent
    True
    """
    values = [all_ages, children, adults]
    if any(_missing(v) for v in values):
        return ConsistencyCheck(area_code, area_name, *map(_float, values), None, tolerance)
    a, c, d = map(float, values)
    ok = (min(c, d) - tolerance) <= a <= (max(c, d) + tolerance)
    return ConsistencyCheck(area_code, area_name, a, c, d, bool(ok), tolerance)


def _float(v: object) -> float:
    return float("nan") if _missing(v) else float(v)  # type: ignore[arg-type]


def changes_consistency(changes: pd.DataFrame) -> list[ConsistencyCheck]:
    """:func:`change_consistency` for every area of an :func:`access_change` table."""
    out = []
    for code, g in changes.groupby("area_code", sort=False):
        by_age = dict(zip(g["age_group"], g["change_pct"], strict=True))
        out.append(
            change_consistency(
                by_age.get("All ages", np.nan), by_age.get("0-17", np.nan),
                by_age.get("18+", np.nan), area_code=str(code),
                area_name=str(g["area_name"].iloc[0]),
            )
        )
    return out


def additivity_check(rates: pd.DataFrame) -> pd.DataFrame:
    """Windows where the all-ages row is not the sum of the 0-17 and 18+ rows.

    Returns
    -------
    pandas.DataFrame
        One row per area and window that has all three age groups and whose all-ages
        ``patients_seen`` or ``population`` differs from the sum of the two age groups:
        ``area_code, area_name, window_label, measure, all_ages, age_groups_sum``.
    """
    cols = ["area_code", "area_name", "window_label", "measure", "all_ages", "age_groups_sum"]
    need = rates[rates["age_group"].isin(AGE_GROUPS)]
    if need.empty:
        return pd.DataFrame(columns=cols)
    idx = ["area_code", "area_name", "window_start", "window_end", "window_label"]
    wide = need.pivot_table(index=idx, columns="age_group",
                            values=["patients_seen", "population"], aggfunc="sum")
    parts = []
    for measure in ("patients_seen", "population"):
        if measure not in wide.columns.get_level_values(0):
            continue
        m = wide[measure]
        if not set(AGE_GROUPS) <= set(m.columns):
            continue
        total, groups = m["All ages"], m["0-17"] + m["18+"]
        bad = total.notna() & groups.notna() & (total != groups)
        if bad.any():
            part = pd.DataFrame({"measure": measure, "all_ages": total[bad],
                                 "age_groups_sum": groups[bad]}).reset_index()
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


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
            if len(ch) and not _missing(ch["change_pct"].iloc[0]):
                c = ch.iloc[0]
                if pd.Timestamp(sub["window_end"].max()).year == ys[1]:
                    rebuilt = float(c["change_pct"])
                    rebuilt_period = f"{c['base_label']} to {c['current_label']}"
        note = ""
        if len(ys) >= 2 and not _missing(rebuilt) and round(rebuilt, decimals) != round(
                float(pr["change_pct"]), decimals):
            latest = access_change(r[key], base_year=ys[0], confidence=confidence)
            if len(latest) and not _missing(latest["change_pct"].iloc[0]) and round(
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
        pd.NA if _missing(b) else round(float(b), decimals) == round(float(a), decimals)
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
    return _label(start, end)


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


#: The initiative tables of the NHS England slides (March 2023, seed lines 647-689), as printed.
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
