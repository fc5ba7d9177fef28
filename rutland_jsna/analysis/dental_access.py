"""Dental access: rates, comparison with England and change, from an analyst's extract.

NHS dental access is not in Fingertips; it comes from the ``dental_access`` local extract
(:func:`rutland_jsna.data.local.load_local_extract`). For one *kind* of window
(:data:`ACCESS_WINDOWS`: January to June as in NHS England's slide, 12 or 24 months, or the
NHS Dental Statistics pair of 12 months for children and 24 for adults; docs/chapters.md §3.2):

* :func:`access_rates` — patients seen / population with the Wilson interval
  (:func:`~rutland_jsna.stats.proportion_ci`);
* :func:`access_comparison` — the area against England: the plain "higher than / lower than"
  words, and the Fingertips significance test as a separate column;
* :func:`access_change` — relative change from a base window, with the ratio of the two rates
  and its interval (:func:`~rutland_jsna.stats.rate_ratio_ci`, ``method="binomial"``);
* :func:`change_consistency`, :func:`changes_consistency`, :func:`additivity_check` — is the
  all-ages change a possible mix of the age groups' changes; do the age groups add up?

Nothing here is specific to one authority or writes HTML.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import ENGLAND_CODE
from ..stats import (
    Polarity,
    check_confidence,
    compare_to_benchmark,
    proportion_ci,
    rate_ratio_ci,
)

__all__ = [
    "ACCESS_CHANGE_COLUMNS",
    "ACCESS_COMPARISON_COLUMNS",
    "ACCESS_RATE_COLUMNS",
    "ACCESS_WINDOWS",
    "AGE_GROUPS",
    "AGE_GROUP_LABELS",
    "AccessWindow",
    "BASE_YEAR",
    "ConsistencyCheck",
    "DEFAULT_ACCESS_WINDOW",
    "SLIDE_DECIMALS",
    "access_change",
    "access_comparison",
    "access_rates",
    "access_window",
    "additivity_check",
    "change_consistency",
    "changes_consistency",
    "is_missing_number",
    "plain_comparison",
    "select_access_windows",
    "window_months",
]


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


#: The window kinds the chapter accepts (docs/chapters.md §3.2); never mixed in one table.
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
    if is_missing_number(value) or is_missing_number(benchmark):
        return ""
    a, b = round(float(value), decimals), round(float(benchmark), decimals)
    if a == b:
        return "the same as"
    return "higher than" if a > b else "lower than"


def is_missing_number(v: object) -> bool:
    """True for None, NA, NaN or anything that is not a number."""
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
    if any(is_missing_number(v) for v in values):
        return ConsistencyCheck(area_code, area_name, *map(_float, values), None, tolerance)
    a, c, d = map(float, values)
    ok = (min(c, d) - tolerance) <= a <= (max(c, d) + tolerance)
    return ConsistencyCheck(area_code, area_name, a, c, d, bool(ok), tolerance)


def _float(v: object) -> float:
    return float("nan") if is_missing_number(v) else float(v)  # type: ignore[arg-type]


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
