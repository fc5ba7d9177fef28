"""Oral health chapter: dental access, UDA delivery, board-paper checks, and the page blocks.

Expected values are independent of the code under test (style.md convention 6):

* the printed dental access figures of NHS England's March 2023 slide (seed
  ``000_61df42dd41fccd71.txt`` lines 613-624), reproduced from a hand-made extract whose counts
  were chosen so that patients_seen / population rounds to the printed rates;
* ratio-of-two-proportions intervals from statsmodels (``confint_proportions_2indep``, Katz
  log method), with the call written beside each value, and Wilson intervals from
  ``statsmodels.stats.proportion.proportion_confint(method="wilson")``;
* the UDA thresholds and their periods as printed on the slides (lines 588, 597);
* the IMOS arithmetic as printed (682, 440, 242, 35%).

Provenance: ``tests/data/README.md`` (section "Oral health chapter").
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis import oral_health as oh
from rutland_jsna.chapter.context import LoadedStore, SourceInfo, load_chapter
from rutland_jsna.data import columns as T
from rutland_jsna.data.areas import upper_tier_areas
from rutland_jsna.data.catalogue import chapter_indicators, format_period
from rutland_jsna.data.errors import DataValidationError
from rutland_jsna.data.local import load_local_extract
from rutland_jsna.report import oral_health as report

RUTLAND = "E06000017"
ENGLAND = "E92000001"
CORNWALL = "E06000052"

# --------------------------------------------------------------------------------------------
# Fixtures: a dental access extract reproducing the printed figures, a UDA extract
# --------------------------------------------------------------------------------------------

# (area, name, age group, year, patients seen, population). Rutland's populations are held
# constant; its adults' 2021 count reproduces the adults' change printed "2019 to 2021".
# England's 2019 populations differ from 2022 (the printed England changes are 2019 -> 2022).
_DENTAL = [
    (RUTLAND, "Rutland", "0-17", 2019, 3418, 7484),
    (RUTLAND, "Rutland", "18+", 2019, 7426, 33565),
    (RUTLAND, "Rutland", "All ages", 2019, 10844, 41049),
    (RUTLAND, "Rutland", "0-17", 2021, 3000, 7484),
    (RUTLAND, "Rutland", "18+", 2021, 6786, 33565),
    (RUTLAND, "Rutland", "All ages", 2021, 9786, 41049),
    (RUTLAND, "Rutland", "0-17", 2022, 3180, 7484),
    (RUTLAND, "Rutland", "18+", 2022, 5876, 33565),
    (RUTLAND, "Rutland", "All ages", 2022, 9056, 41049),
    (ENGLAND, "England", "0-17", 2019, 5095112, 11936080),
    (ENGLAND, "England", "18+", 2019, 11435354, 44041098),
    (ENGLAND, "England", "All ages", 2019, 16530466, 55977178),
    (ENGLAND, "England", "0-17", 2021, 4500000, 12000000),
    (ENGLAND, "England", "18+", 2021, 9500000, 44300000),
    (ENGLAND, "England", "All ages", 2021, 14000000, 56300000),
    (ENGLAND, "England", "0-17", 2022, 4055311, 12062197),
    (ENGLAND, "England", "18+", 2022, 8823686, 44474222),
    (ENGLAND, "England", "All ages", 2022, 12878997, 56536419),
]
# The slide's printed figures (value_pct column of the published CSV, lines 613-624).
PRINTED_RATE = {(RUTLAND, "All ages"): 22.06, (RUTLAND, "0-17"): 42.49, (RUTLAND, "18+"): 17.51,
                (ENGLAND, "All ages"): 22.78, (ENGLAND, "0-17"): 33.62, (ENGLAND, "18+"): 19.84}
PRINTED_CHANGE_2022 = {(RUTLAND, "All ages"): -16.49, (RUTLAND, "0-17"): -6.96,
                       (ENGLAND, "All ages"): -22.86, (ENGLAND, "0-17"): -21.24,
                       (ENGLAND, "18+"): -23.59}
PRINTED_RUTLAND_ADULTS_2019_2021 = -8.62


def dental_frame(rows=_DENTAL) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [r[0] for r in rows],
            "area_name": [r[1] for r in rows],
            "age_group": [r[2] for r in rows],
            "window_start": [f"{r[3]}-01-01" for r in rows],
            "window_end": [f"{r[3]}-06-30" for r in rows],
            "patients_seen": [r[4] for r in rows],
            "population": [r[5] for r in rows],
            "source": "test extract",
        }
    )


@pytest.fixture(scope="module")
def dental_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("extracts") / "dental_access.csv"
    dental_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def dental(dental_path) -> pd.DataFrame:
    return load_local_extract(dental_path, "dental_access")


UDA_MONTHS = [f"{y}-{m:02d}" for y, m in
              [(2021, m) for m in range(3, 13)] + [(2022, m) for m in range(1, 8)]]
# Scaled-up percentages: 2021-09 is 59.9 (below 60), 2021-10 is exactly 65 (not below),
# 2022-01 is 80 (below 85), 2022-06 is 96 (not below 95); March 2021 and July 2022 have no
# threshold in force.
UDA_PCT = [40, 55, 58, 61, 62, 63, 59.9, 65, 66, 64, 80, 86, 84, 94, 95, 96, 70]


def uda_frame(geo="LLR-TEST", name="LLR (test)", annual=120_000.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geography_id": geo,
            "geography_name": name,
            "month": UDA_MONTHS,
            "contracted_udas_annual": annual,
            "udas_delivered_month": [p / 100 * annual / 12 for p in UDA_PCT],
        }
    )


@pytest.fixture(scope="module")
def uda_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("extracts") / "uda_delivery.csv"
    uda_frame().to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------------------------
# Access windows
# --------------------------------------------------------------------------------------------


def test_access_window_names_are_exact():
    assert oh.access_window("jan-jun").label == "January to June"
    assert oh.access_window("nhs-standard").age_groups == ("0-17", "18+")
    with pytest.raises(ValueError, match=r"access_window: unknown window 'jan_jun'.*did you mean 'jan-jun'"):
        oh.access_window("jan_jun")
    with pytest.raises(ValueError, match="known: jan-jun, 12-months, 24-months, nhs-standard"):
        oh.access_window("six months")


def test_window_months_whole_months_only():
    start = pd.Series(pd.to_datetime(["2022-01-01", "2020-07-01", "2022-01-02", "2021-07-01"]))
    end = pd.Series(pd.to_datetime(["2022-06-30", "2022-06-30", "2022-06-30", "2022-06-29"]))
    assert oh.window_months(start, end).tolist() == [6, 24, pd.NA, pd.NA]


def test_select_windows_never_mixes_kinds(dental):
    extra = dental_frame([
        (RUTLAND, "Rutland", "18+", 2022, 20000, 33565),  # placeholder, replaced below
    ])
    extra["window_start"] = "2020-07-01"  # 24 months to June 2022
    extra2 = extra.assign(age_group="0-17", window_start="2021-07-01", patients_seen=5000,
                          population=7484)  # 12 months
    x = pd.concat([dental_frame(), extra, extra2], ignore_index=True)
    x["window_start"] = pd.to_datetime(x["window_start"])
    x["window_end"] = pd.to_datetime(x["window_end"])
    jan = oh.select_access_windows(x, "jan-jun")
    assert len(jan) == len(_DENTAL)
    nhs = oh.select_access_windows(x, "nhs-standard")
    assert sorted(zip(nhs["age_group"], nhs["window_start"].dt.strftime("%Y-%m"), strict=True)) == [
        ("0-17", "2021-07"), ("18+", "2020-07")]
    assert oh.select_access_windows(x, "12-months")["age_group"].tolist() == ["0-17"]


# --------------------------------------------------------------------------------------------
# Access rates, comparison, relative change
# --------------------------------------------------------------------------------------------


def test_access_rates_reproduce_printed_rates_with_wilson_ci(dental):
    rates = oh.access_rates(dental, "jan-jun")
    assert list(rates.columns) == list(oh.ACCESS_RATE_COLUMNS)
    latest = rates[rates["window_end"].dt.year == 2022]
    for (code, group), printed in PRINTED_RATE.items():
        row = latest[(latest["area_code"] == code) & (latest["age_group"] == group)].iloc[0]
        assert round(row["value"], 2) == printed
        assert row["window_label"] == "January to June 2022"
    r = latest[(latest["area_code"] == RUTLAND) & (latest["age_group"] == "All ages")].iloc[0]
    # statsmodels.stats.proportion.proportion_confint(9056, 41049, method="wilson")
    assert r["lower_ci"] == pytest.approx(21.66292892552228, abs=1e-9)
    assert r["upper_ci"] == pytest.approx(22.465177230034183, abs=1e-9)
    # order: area, then All ages, 0-17, 18+, then window
    first = rates[rates["area_code"] == ENGLAND]["age_group"].tolist()
    assert first[:3] == ["All ages"] * 3 and first[-1] == "18+"


def test_access_comparison_plain_words_and_significance(dental):
    rates = oh.access_rates(dental, "jan-jun")
    cmp = oh.access_comparison(rates, RUTLAND)
    assert list(cmp.columns) == list(oh.ACCESS_COMPARISON_COLUMNS)
    latest = cmp[cmp["window_end"].dt.year == 2022].set_index("age_group")
    # the slide: lower than (all ages), higher than (0-17), lower than (adults)
    assert latest.loc["All ages", "plain_comparison"] == "lower than"
    assert latest.loc["0-17", "plain_comparison"] == "higher than"
    assert latest.loc["18+", "plain_comparison"] == "lower than"
    assert latest.loc["0-17", "england_value"] == pytest.approx(33.62, abs=0.005)
    # 22.78 lies above Rutland's Wilson interval (21.66 to 22.47): significantly lower
    assert latest.loc["All ages", "significance"] == "Worse"
    assert latest.loc["0-17", "significance"] == "Better"
    assert oh.access_comparison(rates, CORNWALL).empty


def test_plain_comparison_uses_printed_precision():
    assert oh.plain_comparison(22.06, 22.78) == "lower than"
    assert oh.plain_comparison(42.49, 33.62) == "higher than"
    assert oh.plain_comparison(22.781, 22.779) == "the same as"
    assert oh.plain_comparison(np.nan, 1.0) == ""


def test_access_change_reproduces_printed_changes(dental):
    rates = oh.access_rates(dental, "jan-jun")
    ch = oh.access_change(rates)
    assert list(ch.columns) == list(oh.ACCESS_CHANGE_COLUMNS)
    by = ch.set_index(["area_code", "age_group"])
    for key, printed in PRINTED_CHANGE_2022.items():
        assert round(by.loc[key, "change_pct"], 2) == printed, key
        assert by.loc[key, "base_label"] == "January to June 2019"
        assert by.loc[key, "current_label"] == "January to June 2022"
    # Rutland adults 2019 -> 2022 is not the printed -8.62 (that one is 2019 -> 2021)
    assert round(by.loc[(RUTLAND, "18+"), "change_pct"], 2) == -20.87


def test_ratio_of_rates_ci_against_statsmodels(dental):
    rates = oh.access_rates(dental, "jan-jun")
    by = oh.access_change(rates).set_index(["area_code", "age_group"])
    r = by.loc[(RUTLAND, "All ages")]
    # confint_proportions_2indep(9056, 41049, 10844, 41049, method="log", compare="ratio")
    assert r["ratio_lower_ci"] == pytest.approx(0.8150543346624273, rel=1e-12)
    assert r["ratio_upper_ci"] == pytest.approx(0.8556718572368187, rel=1e-12)
    assert r["change_lower_pct"] == pytest.approx(-18.49456653375727, rel=1e-10)
    assert bool(r["significant"])
    c = by.loc[(RUTLAND, "0-17")]
    # confint_proportions_2indep(3180, 7484, 3418, 7484, method="log", compare="ratio")
    assert c["ratio_lower_ci"] == pytest.approx(0.8973551464106694, rel=1e-12)
    assert c["ratio_upper_ci"] == pytest.approx(0.9645966855890803, rel=1e-12)
    # 99.8%: confint_proportions_2indep(9056, 41049, 10844, 41049, method="log",
    #                                   compare="ratio", alpha=0.002)
    by998 = oh.access_change(oh.access_rates(dental, "jan-jun", 0.998), confidence=0.998)
    r998 = by998.set_index(["area_code", "age_group"]).loc[(RUTLAND, "All ages")]
    assert r998["ratio_lower_ci"] == pytest.approx(0.8037049488985237, rel=1e-12)
    assert r998["ratio_upper_ci"] == pytest.approx(0.8677550850537009, rel=1e-12)


def test_access_change_without_base_window_says_why(dental):
    rates = oh.access_rates(dental[dental["window_end"].dt.year >= 2021], "jan-jun")
    ch = oh.access_change(rates)
    assert ch["change_pct"].isna().all()
    assert set(ch["reason"]) == {"no window ending in 2019 in the extract"}
    only = oh.access_change(oh.access_rates(dental[dental["window_end"].dt.year == 2019],
                                            "jan-jun"))
    assert set(only["reason"]) == {"the latest window is the base window"}
    assert oh.access_change(oh.access_rates(dental.iloc[0:0], "jan-jun")).empty


def test_consistency_of_printed_changes():
    checks = {c.area_code: c for c in oh.published_change_consistency()}
    # README of the published figures: Rutland's all-ages change lies outside its age groups'
    assert checks[RUTLAND].consistent is False
    assert (checks[RUTLAND].low, checks[RUTLAND].high) == (-8.62, -6.96)
    assert checks[ENGLAND].consistent is True
    assert oh.change_consistency(-10, np.nan, -5).consistent is None


def test_consistency_of_rebuilt_changes(dental):
    ch = oh.access_change(oh.access_rates(dental, "jan-jun"))
    assert all(c.consistent for c in oh.changes_consistency(ch))


def test_additivity_check(dental):
    rates = oh.access_rates(dental, "jan-jun")
    assert oh.additivity_check(rates).empty
    bad = dental.copy()
    bad.loc[(bad["area_code"] == RUTLAND) & (bad["age_group"] == "All ages"), "patients_seen"] += 7
    out = oh.additivity_check(oh.access_rates(bad, "jan-jun"))
    assert set(out["measure"]) == {"patients_seen"}
    assert len(out) == 3 and set(out["area_name"]) == {"Rutland"}
    assert (out["all_ages"] - out["age_groups_sum"] == 7).all()


def test_published_figures_and_rebuild_agree_for_printed_periods(dental):
    pub = oh.published_access_figures()
    assert len(pub) == 6
    assert set(pub["age_group"]) == set(oh.AGE_GROUPS)
    adults = pub[(pub["area_code"] == RUTLAND) & (pub["age_group"] == "18+")].iloc[0]
    assert adults["change_period"].startswith("2019 to 2021")
    cmp = oh.compare_with_published(oh.access_rates(dental, "jan-jun"), RUTLAND, pub)
    assert list(cmp.columns) == list(oh.PUBLISHED_CHECK_COLUMNS)
    assert len(cmp) == 12
    by = cmp.set_index(["area_code", "age_group", "measure"])
    ra = by.loc[(RUTLAND, "18+", "relative change")]
    assert ra["rebuilt"] == pytest.approx(PRINTED_RUTLAND_ADULTS_2019_2021, abs=0.005)
    assert ra["rebuilt_period"] == "January to June 2019 to January to June 2021"
    assert bool(ra["agrees"])
    # England's adult change is printed "2019 to 2021" but is the 2019 -> 2022 change
    ea = by.loc[(ENGLAND, "18+", "relative change")]
    assert not bool(ea["agrees"])
    assert "January to June 2022" in ea["note"]
    others = cmp.drop(index=cmp.index[(cmp["area_code"] == ENGLAND) & (cmp["age_group"] == "18+")
                                      & (cmp["measure"] == "relative change")])
    assert others["agrees"].all()
    assert oh.compare_with_published(oh.access_rates(dental, "jan-jun"), CORNWALL, pub).empty


# --------------------------------------------------------------------------------------------
# UDA thresholds and delivery
# --------------------------------------------------------------------------------------------


def test_packaged_thresholds_as_printed():
    th = oh.load_uda_thresholds()
    assert th["threshold_pct"].tolist() == [60.0, 65.0, 85.0, 95.0]
    assert th["period_as_printed"].tolist() == ["Apr-Sep 21", "Oct-Dec", "Jan-Mar", "Apr-Jun 22"]
    assert th["source"].str.contains("lines 588 and 597").iloc[0]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2021-03-31", np.nan), ("2021-04-01", 60), ("2021-09-30", 60), ("2021-10-01", 65),
        ("2021-12-31", 65), ("2022-01-01", 85), ("2022-03-31", 85), ("2022-04-01", 95),
        ("2022-06-30", 95), ("2022-07-01", np.nan),
    ],
)
def test_threshold_in_force_at_each_period_boundary(day, expected):
    got = oh.threshold_in_force([day])["threshold_pct"].iloc[0]
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == expected


def test_threshold_in_force_vectorised_with_period_words():
    t = oh.threshold_in_force(pd.to_datetime(["2021-06-15", "2022-02-01", "2020-01-01"]))
    assert t["threshold_pct"].tolist()[:2] == [60.0, 85.0]
    assert t["threshold_period"].tolist() == ["April to September 2021", "January to March 2022",
                                              None]


@pytest.mark.parametrize(
    ("body", "column", "rows", "rule"),
    [
        ("2021-04-01,2021-09-30,a,60,s\n2021-09-01,2021-12-31,b,65,s\n", "period_start", "3",
         "periods must not overlap"),
        ("2021-04-01,2021-09-30,a,60,s\n2021-10-01,2021-12-31,b,120,s\n", "threshold_pct", "3",
         "must be > 0 and <= 100"),
        ("2021-04-01,2021-03-30,a,60,s\n", "period_end", "2", "must not be before period_start"),
        ("April 2021,2021-09-30,a,60,s\n", "period_start", "2", r"must be a date \(YYYY-MM-DD\)"),
    ],
)
def test_threshold_file_validation_names_row_and_column(tmp_path, body, column, rows, rule):
    p = tmp_path / "th.csv"
    p.write_text("period_start,period_end,period_as_printed,threshold_pct,source\n" + body)
    with pytest.raises(DataValidationError, match=rf"th.csv: column '{column}' rows {rows}: {rule}"):
        oh.load_uda_thresholds(p)


def test_threshold_file_missing_column(tmp_path):
    p = tmp_path / "th.csv"
    p.write_text("period_start,period_end,threshold_pct\n2021-04-01,2021-09-30,60\n")
    with pytest.raises(DataValidationError, match="column 'source': required column is missing"):
        oh.load_uda_thresholds(p)


def test_uda_delivery_under_delivered_months(uda_path):
    d = oh.uda_delivery(load_local_extract(uda_path, "uda_delivery"))
    assert list(d.columns) == list(oh.UDA_DELIVERY_COLUMNS)
    by = d.set_index("month")
    assert by.loc["2021-09", "pct_delivered"] == pytest.approx(59.9)
    assert bool(by.loc["2021-09", "under_delivered"])  # 59.9 < 60
    assert not bool(by.loc["2021-10", "under_delivered"])  # 65.0 is not below 65
    assert bool(by.loc["2022-01", "under_delivered"]) and bool(by.loc["2022-04", "under_delivered"])
    assert not bool(by.loc["2022-05", "under_delivered"])  # 95.0 is not below 95
    assert by.loc["2022-01", "shortfall_pct_points"] == pytest.approx(5.0)
    assert pd.isna(by.loc["2021-03", "under_delivered"]) and pd.isna(by.loc["2022-07",
                                                                           "threshold_pct"])
    assert by.loc["2021-04", "month_label"] == "April 2021"
    s = oh.under_delivered_summary(d).iloc[0]
    # under: Apr 21 (55), May 21 (58), Sep 21 (59.9), Dec 21 (64), Jan 22 (80), Mar 22 (84),
    # Apr 22 (94); months with a threshold: Apr 2021 - Jun 2022 = 15
    assert s["months_with_threshold"] == 15
    assert s["under_months"] == ["April 2021", "May 2021", "September 2021", "December 2021",
                                 "January 2022", "March 2022", "April 2022"]
    assert s["largest_shortfall_pct_points"] == pytest.approx(5.0)


def test_extract_validation_errors_name_row_and_column(tmp_path):
    bad = dental_frame()
    bad.loc[2, "patients_seen"] = 50_000  # row 4 of the file: more than the population
    bad.loc[4, "age_group"] = "adults"  # row 6
    p = tmp_path / "dental_access.csv"
    bad.to_csv(p, index=False)
    with pytest.raises(DataValidationError) as err:
        report.load(ctx=_SENTINEL_CTX, dental_access=p)
    msg = str(err.value)
    assert "column 'age_group' rows 6: must be one of '0-17', '18+', 'All ages'" in msg
    assert "column 'patients_seen, population' rows 4: patients_seen must not exceed population" in msg
    u = uda_frame()
    u.loc[1, "udas_delivered_month"] = -5  # row 3
    pu = tmp_path / "uda_delivery.csv"
    u.to_csv(pu, index=False)
    with pytest.raises(DataValidationError, match=r"column 'udas_delivered_month' rows 3: must be >= 0"):
        report.load(ctx=_SENTINEL_CTX, uda_delivery=pu)


def test_demo_column_alias_for_uda_extract(tmp_path):
    p = tmp_path / "uda_delivery.csv"
    uda_frame().rename(columns={"geography_id": "geography_code"}).to_csv(p, index=False)
    got = report._load_file(p, "uda_delivery")
    assert got["geography_id"].iloc[0] == "LLR-TEST"


# --------------------------------------------------------------------------------------------
# Board-paper arithmetic and inequalities
# --------------------------------------------------------------------------------------------


def test_imos_arithmetic_checked():
    checks = oh.initiative_checks()
    assert checks["computed"].iloc[0] == "242"  # 682 - 440
    assert checks["computed"].iloc[1].startswith("35.5%")  # 242 / 682
    assert checks["agrees"].iloc[:2].tolist() == [True, True]
    assert pd.isna(checks["agrees"].iloc[2]) and checks["computed"].iloc[2] == "£500.00"
    assert [i.scheme for i in oh.INITIATIVES][0] == "Weekend Access Scheme"


def test_inequality_rows_only_category_rows():
    ind = next(i for i in chapter_indicators("oral_health") if i.fingertips_id == 93563)
    base = synthetic_tidy(codes=[(RUTLAND, "Rutland"), (ENGLAND, "England")], years=range(2018, 2020))
    assert oh.inequality_rows(base, [ind], [RUTLAND, ENGLAND]).empty
    cat = base[(base[T.INDICATOR_ID] == 93563) & (base[T.AREA_CODE] == ENGLAND)].copy()
    cat[T.CATEGORY_TYPE] = "County & UA deprivation deciles in England (IMD2019, 4/21 geography)"
    cat[T.CATEGORY] = "Most deprived decile (IMD2019)"
    rows = oh.inequality_rows(pd.concat([base, cat], ignore_index=True), [ind], [RUTLAND, ENGLAND])
    assert list(rows.columns) == list(oh.INEQUALITY_COLUMNS)
    assert len(rows) == 1 and rows["period"].iloc[0] == format_period(ind.period_type, 2019)


# --------------------------------------------------------------------------------------------
# The chapter's page blocks on a synthetic store
# --------------------------------------------------------------------------------------------


def synthetic_tidy(seed: int = 11, years: range = range(2016, 2022), codes=None) -> pd.DataFrame:
    """Every oral-health indicator with an id, for the given areas (default all), six periods."""
    rng = np.random.default_rng(seed)
    areas = codes or [(a.code, a.name) for a in upper_tier_areas()] + [(ENGLAND, "England")]
    records = []
    for ind in chapter_indicators("oral_health", with_id_only=True):
        rng_label = ind.extra.get("time_period_range") or "1y"
        base = float(rng.uniform(5, 60))
        for code, name in areas:
            level = base * float(rng.uniform(0.7, 1.3))
            for year in years:
                v = level * (1 + float(rng.normal(0, 0.03)))
                count = float(rng.integers(3, 400))
                half = v * 0.1
                records.append({
                    T.INDICATOR_ID: ind.fingertips_id, T.INDICATOR_NAME: ind.name,
                    T.PARENT_CODE: ENGLAND, T.PARENT_NAME: "England", T.AREA_CODE: code,
                    T.AREA_NAME: name,
                    T.AREA_TYPE: "England" if code == ENGLAND else "Counties & UAs (from Apr 2023)",
                    T.SEX: ind.sex, T.AGE: ind.age, T.CATEGORY_TYPE: None, T.CATEGORY: None,
                    T.TIME_PERIOD: format_period(ind.period_type, year), T.VALUE: v,
                    T.LOWER_CI_95: v - half, T.UPPER_CI_95: v + half,
                    T.LOWER_CI_99_8: v - 1.6 * half, T.UPPER_CI_99_8: v + 1.6 * half,
                    T.COUNT: count, T.DENOMINATOR: count * 100 / v,
                    T.VALUE_NOTE: None, T.RECENT_TREND: None, T.COMPARED_TO_ENGLAND: None,
                    T.COMPARED_TO_PARENT: None, T.TIME_PERIOD_SORTABLE: year * 10000,
                    T.NEW_DATA: None, T.COMPARED_TO_GOAL: None, T.TIME_PERIOD_RANGE: rng_label,
                })
    return pd.DataFrame.from_records(records, columns=list(T.TIDY_COLUMNS))


@pytest.fixture(scope="module")
def store() -> LoadedStore:
    info = SourceInfo("demo", "synthetic oral health store", True, "cd" * 32,
                      "2026-01-02T03:04:05")
    neighbours = pd.DataFrame({
        "area_code": [CORNWALL] * 3,
        "neighbour_code": ["E06000019", "E06000051", "E06000054"],
        "position": [1, 2, 3],
    })
    return LoadedStore(synthetic_tidy(), info, neighbours, {})


def _ctx(store, area, out):
    return load_chapter("oral_health", area, store=store, release="2026-Q1", output_dir=out,
                        reports_root=out.parent, build_date=date(2026, 3, 1))


@pytest.fixture(scope="module")
def chapter(store, dental_path, uda_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    return report.load(ctx=_ctx(store, RUTLAND, out), dental_access=dental_path,
                       uda_delivery=uda_path, uda_geographies=["LLR-TEST"])


class _Sentinel:
    """Stands in for a ChapterContext where load() must fail before using it."""

    local_tables: dict = {}
    local_extracts: dict = {}

    class source:
        is_demo = False


_SENTINEL_CTX = _Sentinel()


def _all_blocks(ch):
    return [report.title_block(ch), report.about(ch), report.summary(ch), report.context(ch),
            report.service_landscape(ch), report.access(ch), report.uda_delivery(ch),
            report.contract_terminations(ch), report.children(ch), report.initiatives(ch),
            report.targeted_groups(ch), report.future_opportunities(ch), report.changes(ch),
            report.data_notes(ch), report.appendix(ch)]


def test_every_section_present_in_order_without_nan(chapter):
    html = "\n".join(b.markup for b in _all_blocks(chapter))
    positions = [html.find(f'id="{anchor}"') for anchor, _ in report.SECTION_ANCHORS]
    assert all(p >= 0 for p in positions), [a for (a, _), p in zip(report.SECTION_ANCHORS,
                                                                    positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b|Traceback", text)
    assert "military" not in text.lower()
    assert "Demonstration data — not official statistics" in html


def test_access_section_states_window_everywhere(chapter):
    html = unescape(report.access(chapter).markup)
    assert "January to June 2022" in html and "January to June 2019" in html
    assert "Dental access rate by age group, January to June 2022: Rutland and England" in html
    # slide wording, from the numbers
    assert ("The dental access rate from January to June 2022 was 22.06% for total population "
            "(all ages), which was lower than the national rate of 22.78%.") in re.sub(
                r"<[^>]+>", "", html)
    assert "&amp;#x27;" not in report.access(chapter).markup  # escaped once, not twice
    assert "-16.49%" in html and "42.49" in html and "33.62" in html
    # the published figures, the adults' caveat and Rutland's inconsistency, in words
    assert "from 2019 to 2021 (January to June)" in html
    assert "Rutland's printed changes are inconsistent with each other" in html
    assert "England's printed changes are consistent with each other" in html
    # the GP survey measure is introduced as a different measure
    assert "not comparable with the access rates above" in html
    assert "<svg" in html and 'aria-label="Bar charts of the dental access rate' in html


def test_access_section_other_window_has_no_slide_comparison(store, dental_path, uda_path,
                                                            tmp_path):
    ch = report.load(ctx=_ctx(store, RUTLAND, tmp_path), dental_access=dental_path,
                     uda_delivery=uda_path, access_window="nhs-standard")
    html = unescape(report.access(ch).markup)
    assert "No dental access rates can be shown for Rutland" in html
    assert "Rebuilt from the extract for the periods as printed" not in html
    assert "children (0-17) seen in the previous 12 months" in html


def test_uda_section_lists_under_delivered_months(chapter):
    html = unescape(report.uda_delivery(chapter).markup)
    assert ("In LLR (test), seven of the 15 months with a threshold in force were "
            "under-delivered: April 2021, May 2021, September 2021, December 2021, January "
            "2022, March 2022 and April 2022.") in html
    assert "Two months fall outside the threshold periods and are not judged." in html
    assert "Threshold in force (%)" in html and "<svg" in html


def test_uda_section_other_area_without_its_geography(store, dental_path, uda_path, tmp_path):
    ch = report.load(ctx=_ctx(store, CORNWALL, tmp_path), dental_access=dental_path,
                     uda_delivery=uda_path)
    html = unescape(report.uda_delivery(ch).markup)
    assert "has no rows for Cornwall's contracts or its region" in html
    assert "<svg" not in html


def test_initiatives_tables_and_imos_check(chapter):
    html = unescape(report.initiatives(chapter).markup)
    assert "£137,000" in html and "694" in html and "£119,077.20" in html
    assert "682 − 440 = 242, and 242 / 682 = 35.5%, printed as 35%" in html
    assert "the main reason appears to be the practice capacity" in html
    assert '<th scope="col">' in html and "<caption>" in html


def test_board_paper_sections_attributed(chapter):
    for block in (report.context, report.service_landscape, report.contract_terminations,
                  report.future_opportunities):
        html = unescape(block(chapter).markup)
        assert "Rutland Health and Wellbeing Board papers, 21 March 2023" in html
        assert "they are not current facts" in html
    html = unescape(report.contract_terminations(chapter).markup)
    assert "one contract hand-back and termination in Oakham" in html and "66%" in html
    groups = unescape(report.targeted_groups(chapter).markup)
    assert "approximately 302 children in Rutland" in groups and "Armed forces families" in groups


def test_other_area_omits_rutland_context(store, dental_path, uda_path, tmp_path):
    ch = report.load(ctx=_ctx(store, CORNWALL, tmp_path), dental_access=dental_path,
                     uda_delivery=uda_path)
    html = unescape("\n".join(b.markup for b in _all_blocks(ch)))
    assert "Oakham" not in html and "302 children" not in html and "£137,000" not in html
    assert "describe Rutland only" in html
    assert "No dental access rates can be shown for Cornwall" in html
    assert 'id="children"' in html and "Cornwall and similar areas" in html


def test_quintile_history_of_the_gp_survey_measure(chapter):
    ctx = chapter.ctx
    key = ctx.section_summary("access")[C.KEY].iloc[0]
    hist = oh.quintile_history(ctx.rows, key, RUTLAND, ctx.national_codes)
    assert list(hist.columns) == list(oh.QUINTILE_HISTORY_COLUMNS)
    assert len(hist) == 6 and (hist["areas"] == 153).all()
    latest = ctx.section_summary("access").iloc[0]
    assert hist["label"].iloc[-1] == latest[C.COMPARISON]  # same method as the summary table
    html = unescape(report.access(chapter).markup)
    assert "national quintile for successfully obtaining an NHS dental appointment" in html
    assert oh.quintile_history(ctx.rows, key, "E99999999", ctx.national_codes).empty


def test_children_section_table_charts_words(chapter):
    html = unescape(report.children(chapter).markup)
    assert "Performance Summary" in html
    assert "Rutland: children's oral health and oral cancer indicators" in html
    assert "Percentage of 5 year olds with experience of visually obvious dental decay" in html
    assert "25.3% in 2018/19" in html  # the board's printed figure, attributed
    assert html.count('class="chart"') >= 2 * 9  # neighbour and trend per indicator with data
    assert "no verified Fingertips indicator id" in html  # 0-19 extractions have no id
    assert "Statistical Significance compared to England or Benchmark" in html


def test_data_strings_are_escaped(store, tmp_path):
    x = dental_frame()
    x.loc[x["area_code"] == RUTLAND, "area_name"] = "<b>Rutland</b>"
    p = tmp_path / "dental_access.csv"
    x.to_csv(p, index=False)
    u = uda_frame(name="<script>alert(1)</script>")
    pu = tmp_path / "uda_delivery.csv"
    u.to_csv(pu, index=False)
    ch = report.load(ctx=_ctx(store, RUTLAND, tmp_path), dental_access=p, uda_delivery=pu,
                     uda_geographies=["LLR-TEST"])
    html = report.uda_delivery(ch).markup + report.access(ch).markup
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_summary_answers_the_questions(chapter):
    text = unescape(re.sub(r"<[^>]+>", "", report.summary(chapter).markup))
    assert "Is access lower than England, and for whom?" in text
    assert "total population (all ages) 22.06% (lower than England's 22.78%)" in text
    assert "0-17 year olds 42.49% (higher than England's 33.62%)" in text
    assert "significantly lower than England for total population (all ages)" in text
    assert "from January to June 2019 to January to June 2022" in text
    assert "Access has not recovered to its January to June 2019 level" in text
    assert "seven of 15 months" in text or "7 of 15 months" in text
