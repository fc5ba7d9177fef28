"""Covid recovery figures (outcomes chapter, chapters.md §1.1 item 4).

The input is a long local table in the format of the demonstration snapshot's
``covid_recovery.csv``: ``measure, area_code, category, value, unit, as_of, source`` with the
measures

* ``vaccination_uptake`` — percentage uptake (12+) by dose (``category``) for the area and
  England, ``as_of`` a date;
* ``covid_deaths_by_place`` — deaths involving Covid-19 by place of death (``category``), ``as_of``
  an ISO week (``2023-W07``);
* ``all_cause_deaths_observed`` and ``all_cause_deaths_expected`` — deaths from all causes since
  week 12 of 2020, and the number expected from the baseline years given in ``category``
  (``2015-19``).

:func:`covid_summary` selects the area's rows and computes the percentages, the excess and the
observed/expected ratio with its confidence interval
(:func:`~rutland_jsna.stats.ratios.observed_expected_ci`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.ratios import observed_expected_ci

__all__ = ["COVID_TABLE", "CovidSummary", "covid_summary", "week_text"]

#: Name of the local table in a store's local tables.
COVID_TABLE = "covid_recovery"
COVID_COLUMNS = ("measure", "area_code", "category", "value", "unit", "as_of")
PANDEMIC_START = "week 12, 2020"
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


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


def week_text(as_of: str) -> str:
    """``"2023-W07"`` → ``"week 7 in 2023"``; other text is returned unchanged."""
    m = _WEEK.match(str(as_of).strip())
    return f"week {int(m.group(2))} in {m.group(1)}" if m else str(as_of)


def covid_summary(
    local_tables: Mapping[str, pd.DataFrame] | None,
    area_code: str,
    england_code: str,
    confidence: float = 0.95,
) -> CovidSummary | None:
    """The area's vaccination uptake, deaths by place and excess deaths, or ``None``.

    Returns ``None`` when there is no Covid table or it has no row for the area.
    """
    if not local_tables or COVID_TABLE not in local_tables:
        return None
    table = local_tables[COVID_TABLE]
    missing = [c for c in COVID_COLUMNS if c not in table]
    if missing:
        raise ValueError(f"{COVID_TABLE}: missing columns {', '.join(missing)}")
    t = table.copy()
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    area = t[t["area_code"] == area_code]
    if area.empty:
        return None

    vacc_area = area[area["measure"] == "vaccination_uptake"]
    vaccination, vacc_date = None, ""
    if len(vacc_area):
        eng = t[(t["measure"] == "vaccination_uptake") & (t["area_code"] == england_code)]
        eng_map = dict(zip(eng["category"], eng["value"], strict=False))
        vaccination = pd.DataFrame({
            "dose": vacc_area["category"].astype("str").to_numpy(),
            "area": vacc_area["value"].to_numpy(dtype=float),
            "england": [eng_map.get(c, np.nan) for c in vacc_area["category"]],
        })
        vacc_date = str(vacc_area["as_of"].iloc[0])

    deaths_rows = area[area["measure"] == "covid_deaths_by_place"]
    deaths, total, as_of = None, float("nan"), ""
    if len(deaths_rows):
        total = float(deaths_rows["value"].sum())
        deaths = pd.DataFrame({
            "place": deaths_rows["category"].astype("str").to_numpy(),
            "deaths": deaths_rows["value"].to_numpy(dtype=float),
            "percent": deaths_rows["value"].to_numpy(dtype=float) / total * 100 if total else np.nan,
        })
        as_of = week_text(deaths_rows["as_of"].iloc[0])

    obs = area[area["measure"] == "all_cause_deaths_observed"]
    exp = area[area["measure"] == "all_cause_deaths_expected"]
    excess = None
    if len(obs) and len(exp):
        o, e = float(obs["value"].iloc[0]), float(exp["value"].iloc[0])
        ci = observed_expected_ci([o], [e], confidence=confidence)
        excess = {
            "observed": o, "expected": e, "excess": o - e,
            "baseline": str(exp["category"].iloc[0]),
            "period": f"{PANDEMIC_START} to {week_text(obs['as_of'].iloc[0])}",
            "ratio": float(ci["ratio"].iloc[0]), "lower_ci": float(ci["lower_ci"].iloc[0]),
            "upper_ci": float(ci["upper_ci"].iloc[0]), "confidence": confidence,
        }
    return CovidSummary(vaccination, vacc_date, deaths, total, as_of, excess)
