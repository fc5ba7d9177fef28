"""Covid recovery figures from the local tables."""

from __future__ import annotations

import pandas as pd
import pytest

from rutland_jsna.analysis.covid import covid_summary, week_text
from rutland_jsna.stats import observed_expected_ci

R, E = "E06000017", "E92000001"
TABLES = {
    "covid_vaccination": pd.DataFrame({
        "area_code": [R, R, E, E], "dose": ["Dose 1", "Dose 2"] * 2, "date": "2023-03-02",
        "uptake_pct": [90.8, 86.9, 92.1, 88.0]}),
    "covid_deaths_by_place": pd.DataFrame({
        "area_code": R, "place_of_death": ["Hospital", "Care home", "Other"],
        "deaths": [57, 43, 10], "as_of_year": 2023, "as_of_week": 7}),
    "covid_excess_deaths": pd.DataFrame({
        "area_code": R, "iso_year": [2020, 2023], "iso_week": [12, 7],
        "observed_deaths": [1000, 262], "expected_deaths": [900, 219], "baseline": "2015-19"}),
}


def test_summary():
    cs = covid_summary(TABLES, R, E)
    assert list(cs.vaccination["england"]) == [92.1, 88.0]
    assert cs.vaccination_date == "2023-03-02"
    assert cs.deaths_total == 110 and cs.deaths_as_of == "week 7 in 2023"
    assert cs.deaths["percent"].round(1).tolist() == [51.8, 39.1, 9.1]
    e = cs.excess
    assert (e["observed"], e["expected"], e["excess"]) == (1262, 1119, 143)
    assert e["period"] == "week 12, 2020 to week 7 in 2023" and e["baseline"] == "2015-19"
    ref = observed_expected_ci([1262], [1119])
    assert e["ratio"] == pytest.approx(ref["ratio"].iloc[0])
    assert e["lower_ci"] == pytest.approx(ref["lower_ci"].iloc[0])


def test_absent_tables_or_area():
    assert covid_summary({}, R, E) is None
    assert covid_summary(None, R, E) is None
    assert covid_summary(TABLES, "E10000003", E) is None
    part = covid_summary({"covid_vaccination": TABLES["covid_vaccination"]}, R, E)
    assert part.deaths is None and part.excess is None and part.vaccination is not None


def test_missing_columns_named():
    with pytest.raises(ValueError, match="covid_deaths_by_place: missing columns deaths"):
        covid_summary({"covid_deaths_by_place": TABLES["covid_deaths_by_place"].drop(
            columns="deaths")}, R, E)


def test_week_text():
    assert week_text(2023, 7) == "week 7 in 2023"
