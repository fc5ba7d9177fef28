"""Covid recovery figures (outcomes chapter, docs/chapters.md §1.1 item 4).

The inputs are the local tables the demonstration snapshot ships (and that an analyst's local
extracts provide in the same shape):

``covid_vaccination``
    ``area_code, area_name, age_group, dose, date, vaccinated, population, uptake_pct`` —
    uptake (12+) by dose for every area and England;
``covid_deaths_by_place``
    ``area_code, area_name, place_of_death, deaths, as_of_year, as_of_week``;
``covid_excess_deaths``
    ``area_code, area_name, iso_year, iso_week, week_start, observed_deaths,
    expected_deaths, baseline`` — weekly all-cause deaths since week 12 of 2020.

:func:`covid_summary` selects the area's rows, totals the weeks, computes the percentages, the
excess and the observed/expected ratio with its confidence interval
(:func:`~rutland_jsna.stats.ratios.observed_expected_ci`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.ratios import observed_expected_ci

__all__ = ["COVID_TABLES", "CovidSummary", "covid_summary", "week_text"]

VACCINATION = "covid_vaccination"
DEATHS = "covid_deaths_by_place"
EXCESS = "covid_excess_deaths"
#: Local tables read by :func:`covid_summary`.
COVID_TABLES = (VACCINATION, DEATHS, EXCESS)
PANDEMIC_START = "week 12, 2020"


@dataclass(frozen=True)
class CovidSummary:
    """The area's Covid recovery figures; ``None`` members are not available.

    Attributes
    ----------
    vaccination : DataFrame or None
        ``dose, area, england`` (percent uptake), in the source's dose order.
    vaccination_date : str
    deaths : DataFrame or None
        ``place, deaths, percent`` (percent of all Covid-19 deaths of the area).
    deaths_total : float
    deaths_as_of : str
        "week 7 in 2023" style.
    excess : dict or None
        ``observed, expected, excess, baseline, period, ratio, lower_ci, upper_ci, confidence``.
    """

    vaccination: pd.DataFrame | None
    vaccination_date: str
    deaths: pd.DataFrame | None
    deaths_total: float
    deaths_as_of: str
    excess: dict[str, object] | None


def week_text(year: object, week: object) -> str:
    """``(2023, 7)`` → ``"week 7 in 2023"``."""
    return f"week {int(week)} in {int(year)}"  # type: ignore[call-overload]


def _need(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in columns if c not in table]
    if missing:
        raise ValueError(f"{name}: missing columns {', '.join(missing)}")
    return table


def covid_summary(
    local_tables: Mapping[str, pd.DataFrame] | None,
    area_code: str,
    england_code: str,
    confidence: float = 0.95,
) -> CovidSummary | None:
    """The area's vaccination uptake, deaths by place and excess deaths, or ``None``.

    Returns ``None`` when none of the Covid tables is present or none has a row for the area;
    a table that is absent or lacks the area gives ``None`` for its part only.
    """
    tables = dict(local_tables or {})
    if not any(name in tables for name in COVID_TABLES):
        return None

    vaccination, vacc_date = None, ""
    if VACCINATION in tables:
        t = _need(tables[VACCINATION], VACCINATION, ("area_code", "dose", "date", "uptake_pct"))
        area = t[t["area_code"] == area_code]
        if len(area):
            eng = t[t["area_code"] == england_code]
            eng_map = dict(zip(eng["dose"], pd.to_numeric(eng["uptake_pct"]), strict=False))
            vaccination = pd.DataFrame({
                "dose": area["dose"].astype("str").to_numpy(),
                "area": pd.to_numeric(area["uptake_pct"]).to_numpy(dtype=float),
                "england": [eng_map.get(d, np.nan) for d in area["dose"]],
            })
            vacc_date = str(area["date"].iloc[0])

    deaths, total, as_of = None, float("nan"), ""
    if DEATHS in tables:
        t = _need(tables[DEATHS], DEATHS,
                  ("area_code", "place_of_death", "deaths", "as_of_year", "as_of_week"))
        area = t[t["area_code"] == area_code]
        if len(area):
            n = pd.to_numeric(area["deaths"]).to_numpy(dtype=float)
            total = float(n.sum())
            deaths = pd.DataFrame({
                "place": area["place_of_death"].astype("str").to_numpy(),
                "deaths": n,
                "percent": n / total * 100 if total else np.full(len(n), np.nan),
            })
            as_of = week_text(area["as_of_year"].iloc[0], area["as_of_week"].iloc[0])

    excess = None
    if EXCESS in tables:
        t = _need(tables[EXCESS], EXCESS, ("area_code", "iso_year", "iso_week",
                                          "observed_deaths", "expected_deaths", "baseline"))
        area = t[t["area_code"] == area_code]
        if len(area):
            o = float(pd.to_numeric(area["observed_deaths"]).sum())
            e = float(pd.to_numeric(area["expected_deaths"]).sum())
            ci = observed_expected_ci([o], [e], confidence=confidence)
            last = area.sort_values(["iso_year", "iso_week"]).iloc[-1]
            excess = {
                "observed": o, "expected": e, "excess": o - e,
                "baseline": str(area["baseline"].iloc[0]),
                "period": f"{PANDEMIC_START} to {week_text(last['iso_year'], last['iso_week'])}",
                "ratio": float(ci["ratio"].iloc[0]), "lower_ci": float(ci["lower_ci"].iloc[0]),
                "upper_ci": float(ci["upper_ci"].iloc[0]), "confidence": confidence,
            }
    if vaccination is None and deaths is None and excess is None:
        return None
    return CovidSummary(vaccination, vacc_date, deaths, total, as_of, excess)
