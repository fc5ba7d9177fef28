"""The demonstration snapshot: deterministic, in the exact bulk-CSV schema, consistent counts
and intervals, and every published figure it pins reproduced.

Expected values come from the published board papers (copied into
``rutland_jsna/demo/pin_tables``, ``rutland_jsna/data/board_papers``), never from the generator itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.config import BOARD_PAPERS_DIR
from rutland_jsna.data import areas
from rutland_jsna.data.catalogue import load_catalogue, period_start_year
from rutland_jsna.data.catalogue_model import Chapter, ValueType
from rutland_jsna.data.columns import bulk_header
from rutland_jsna.demo import snapshot as demo_mod
from rutland_jsna.stats import proportion_ci, rate_ci
from rutland_jsna.stats.compare import compare_to_benchmark
from rutland_jsna.stats.labels import Polarity
from rutland_jsna.stats.quantiles import quintiles
from rutland_jsna.stats.ranking import rank_areas

PINS = Path(demo_mod.__file__).resolve().parent / "pin_tables"
BOARD_PAPERS = BOARD_PAPERS_DIR
RUTLAND, ENGLAND = "E06000017", "E92000001"
SUPPRESSED = "Value suppressed for disclosure control due to small count"
#: Rows whose printed Best/Worst/rank only fit an ascending order although the indicator is
#: "high is good" (recorded in the catalogue notes); their pins are checked in value order.
RANKED_AS_LOW_IS_GOOD = {
    "outcomes.cc1.b18a_users_social_contact_65_plus",
    "outcomes.cc1.b18b_carers_social_contact_65_plus",
}


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return demo_mod.generate_demo_snapshot(tmp_path_factory.mktemp("demo") / "snap")


@pytest.fixture(scope="module")
def bulk(snapshot) -> pd.DataFrame:
    frames = []
    for path in sorted(snapshot.glob("indicator_*.csv")):
        frames.append(pd.read_csv(path, dtype=str, keep_default_na=False))
    df = pd.concat(frames, ignore_index=True)
    for col in ("Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
                "Upper CI 99.8 limit", "Count", "Denominator"):  # fmt: skip
        df[col + "#"] = pd.to_numeric(df[col].replace("", np.nan))
    return df


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _series(bulk: pd.DataFrame, ind, period: str | None = None) -> pd.DataFrame:
    sex, age = demo_mod.demo_series_label(ind)
    sub = bulk[
        (bulk["Indicator ID"] == str(ind.fingertips_id))
        & (bulk["Sex"] == sex)
        & (bulk["Age"] == age)
    ]
    return sub if period is None else sub[sub["Time period"] == period]


def _value(sub: pd.DataFrame, code: str) -> float:
    row = sub[sub["Area Code"] == code]
    assert len(row) == 1, code
    return float(row["Value#"].iloc[0])


def _published_outcomes() -> list[dict[str, str]]:
    rows = _csv(PINS / "outcomes_report_rutland.csv")
    for fix in _csv(PINS / "outcomes_pin_overrides.csv"):
        for r in rows:
            if r["seed_line"] == fix["seed_line"]:
                r[fix["column"]] = fix["pinned"]
    return rows


# ------------------------------------------------------------------------------ files and schema


def test_deterministic_byte_identical(snapshot, tmp_path):
    again = demo_mod.generate_demo_snapshot(tmp_path / "again")
    names = sorted(p.name for p in snapshot.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (snapshot / name).read_bytes() == (again / name).read_bytes(), name


def test_snapshot_id_depends_on_seed():
    assert demo_mod.snapshot_id(1) != demo_mod.snapshot_id(2)
    fingerprint = demo_mod.generator_fingerprint()
    assert len(fingerprint) == 10
    assert demo_mod.snapshot_id() == (
        f"demo-{demo_mod.GENERATOR_VERSION}-{fingerprint}-seed{demo_mod.DEFAULT_SEED}"
    )


def test_snapshot_id_changes_when_the_generator_changes(tmp_path):
    """A changed generator input must not reuse a stale write-once snapshot folder."""
    inputs = demo_mod.fingerprint_inputs()
    names = {p.name for p in inputs}
    assert {"snapshot.py", "series.py", "generator_parameters.csv", "dental_access_2022.csv",
            "indicators.csv", "proportions.py"} <= names
    copies = []
    for i, path in enumerate(inputs):
        copy = tmp_path / f"{i:03d}" / path.name
        copy.parent.mkdir()
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    assert demo_mod.generator_fingerprint(copies) == demo_mod.generator_fingerprint()
    pins = next(c for c in copies if c.name == "generator_parameters.csv")
    pins.write_bytes(pins.read_bytes() + b"\n")
    assert demo_mod.generator_fingerprint(copies) != demo_mod.generator_fingerprint()


def test_default_folder_under_raw_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RUTLAND_JSNA_HOME", str(tmp_path))
    assert demo_mod.demo_snapshot_dir(
        7
    ) == tmp_path / "data" / "raw" / "demo" / demo_mod.snapshot_id(7)


def test_exact_bulk_header(snapshot):
    expected = bulk_header("Region")
    assert len(expected) == 27
    files = sorted(snapshot.glob("indicator_*.csv"))
    assert files
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == expected, path.name


def test_manifest_and_demo_marker(snapshot):
    manifest = _csv(snapshot / "MANIFEST.csv")
    listed = {r["file"] for r in manifest}
    on_disk = {p.name for p in snapshot.iterdir()} - {"MANIFEST.csv", "snapshot.json"}
    assert listed == on_disk
    for r in manifest:
        data = (snapshot / r["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"]
        assert int(r["rows"]) == data.count(b"\n") - 1
        assert r["generator_version"] == demo_mod.GENERATOR_VERSION
        assert int(r["seed"]) == demo_mod.DEFAULT_SEED
    meta = json.loads((snapshot / "snapshot.json").read_text(encoding="utf-8"))
    assert meta["is_demo"] is True
    assert meta["banner"] == "Demonstration data — not official statistics" == demo_mod.DEMO_BANNER
    assert (
        meta["manifest_sha256"]
        == hashlib.sha256((snapshot / "MANIFEST.csv").read_bytes()).hexdigest()
    )


def test_every_indicator_with_an_id_has_a_file(snapshot, catalogue):
    ids = {i.fingertips_id for i in catalogue if i.has_data_id}
    assert {p.name for p in snapshot.glob("indicator_*.csv")} == {f"indicator_{i}.csv" for i in ids}


def test_area_rows_and_parents(bulk):
    utlas = {a.code: a for a in areas.upper_tier_areas()}
    regs = {r.code for r in areas.regions()}
    for (fid, _sex, _age, period), sub in bulk.groupby(
        ["Indicator ID", "Sex", "Age", "Time period"]
    ):
        codes = set(sub["Area Code"])
        assert set(utlas) <= codes, (fid, period)
        assert len(sub) == sub["Area Code"].nunique()
        if fid == "93587":  # modelled count: England (and regions) not published
            continue
        assert ENGLAND in codes and regs <= codes, (fid, period)
    eng = bulk[bulk["Area Code"] == ENGLAND]
    assert (eng["Parent Code"] == "").all() and (eng["Area Type"] == "England").all()
    reg = bulk[bulk["Area Type"] == "Region"]
    assert (reg["Parent Code"] == ENGLAND).all() and set(reg["Area Code"]) == regs
    ut = bulk[bulk["Area Type"] == "Counties & UAs (from Apr 2023)"]
    assert (ut["Parent Code"] == ut["Area Code"].map(lambda c: utlas[c].region_code)).all()


def test_periods_format_sortable_and_range(bulk, catalogue):
    for ind in catalogue:
        if not ind.has_data_id:
            continue
        sub = _series(bulk, ind)
        periods = sub["Time period"].unique()
        assert len(periods) >= 6, ind.key
        for text in periods:
            start = period_start_year(ind.period_type, text)
            rows = sub[sub["Time period"] == text]
            assert (rows["Time period Sortable"] == str(start * 10000)).all()
            assert (rows["Time period range"] == ind.extra["time_period_range"]).all()
        published = ind.extra["published_period"]
        if published:
            assert max(periods, key=lambda t: period_start_year(ind.period_type, t)) == published


def test_sex_age_labels(catalogue):
    for ind in catalogue:
        sex, age = demo_mod.demo_series_label(ind)
        if ind.sex in ("Persons", "Male", "Female"):
            assert sex == ind.sex
        if ind.age == "4-5 yrs":
            assert age == ind.age


# ------------------------------------------------------------------------------ counts and CIs


def test_counts_consistent_with_values_and_cis(bulk, catalogue):
    seen = set()
    for ind in catalogue:
        key = (ind.fingertips_id, ind.sex, ind.age)
        if not ind.has_data_id or key in seen:
            continue
        seen.add(key)
        sub = _series(bulk, ind)
        ok = sub["Value#"].notna()
        x, n, v = sub.loc[ok, "Count#"], sub.loc[ok, "Denominator#"], sub.loc[ok, "Value#"]
        if ind.value_type in (ValueType.PROPORTION, ValueType.CRUDE_RATE):
            assert (x == np.round(x)).all() and (n == np.round(n)).all(), ind.key
            fn = proportion_ci if ind.value_type is ValueType.PROPORTION else rate_ci
            if ind.value_type is ValueType.PROPORTION:
                assert (x <= n).all(), ind.key
            for conf, lo, up in ((0.95, "Lower CI 95.0 limit#", "Upper CI 95.0 limit#"),
                                 (0.998, "Lower CI 99.8 limit#", "Upper CI 99.8 limit#")):  # fmt: skip
                ref = fn(x.to_numpy(), n.to_numpy(), confidence=conf, multiplier=ind.multiplier)
                np.testing.assert_allclose(v, ref["value"], rtol=1e-12, err_msg=ind.key)
                np.testing.assert_allclose(sub.loc[ok, lo], ref["lower_ci"], rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(sub.loc[ok, up], ref["upper_ci"], rtol=1e-12, atol=1e-12)
        elif ind.value_type is ValueType.DSR:
            assert (x >= 10).all(), ind.key  # Dobson DSRs are not calculated below 10 events
            assert (sub.loc[ok, "Lower CI 95.0 limit#"] <= v).all()
            small = sub[sub["Value#"].isna() & sub["Count#"].notna()]
            assert (small["Count#"] < 10).all()
        elif ind.value_type is ValueType.RATIO:
            np.testing.assert_allclose(v, (x / n - 1) * 100, rtol=1e-12)
        # every type: nested intervals around the value
        lo95, up95 = sub.loc[ok, "Lower CI 95.0 limit#"], sub.loc[ok, "Upper CI 95.0 limit#"]
        lo998, up998 = sub.loc[ok, "Lower CI 99.8 limit#"], sub.loc[ok, "Upper CI 99.8 limit#"]
        has_ci = lo95.notna()
        assert (lo998[has_ci] <= lo95[has_ci] + 1e-9).all() and (
            up95[has_ci] <= up998[has_ci] + 1e-9
        ).all()


def test_regions_are_sums_of_their_authorities(bulk):
    sub = bulk[(bulk["Indicator ID"] == "92266") & (bulk["Time period"] == "2021")]
    utla = {a.code: a.region_code for a in areas.upper_tier_areas()}
    ut = sub[sub["Area Type"] != "Region"].copy()
    ut = ut[ut["Area Code"] != ENGLAND]
    ut["region"] = ut["Area Code"].map(utla)
    reg = sub[sub["Area Type"] == "Region"].set_index("Area Code")
    # suppressed/missing authority cells are blank in the file, so compare where complete
    for code, group in ut.groupby("region"):
        if group["Count#"].isna().any():
            continue
        assert reg.loc[code, "Denominator#"] == group["Denominator#"].sum()


def test_small_populations_small_counts_and_suppression(bulk):
    rut = bulk[(bulk["Area Code"] == RUTLAND) & (bulk["Indicator ID"] == "92266")]
    assert (rut["Count#"].dropna() < 600).all()  # births in a population of about 41,000
    suppressed = bulk[bulk["Value note"] == SUPPRESSED]
    assert len(suppressed) >= 5
    assert suppressed["Value#"].isna().all() and suppressed["Count#"].isna().all()
    missing = bulk[bulk["Value#"].isna() & (bulk["Value note"] == "")]
    assert len(missing) >= 5


# ------------------------------------------------------------------------------ outcomes pins


def test_outcomes_pins_values_ranks_comparisons(bulk, catalogue):
    rows = [i for i in catalogue if i.chapter is Chapter.OUTCOMES]
    neighbours = [a.code for a in areas.cipfa_neighbours(RUTLAND)]
    checked = 0
    for ind, pub in zip(rows, _published_outcomes(), strict=True):
        if not ind.has_data_id:
            continue
        sub = _series(bulk, ind, pub["period"])
        where = f"{ind.key} ({pub['period']})"
        if pub["value"] != "Null":
            assert round(_value(sub, RUTLAND), 1) == float(pub["value"]), where
        if pub["england"] == "Null":
            assert ENGLAND not in set(sub["Area Code"]), where
        else:
            assert round(_value(sub, ENGLAND), 1) == float(pub["england"]), where
        if pub["rank"] not in ("", "Null"):
            vals = np.array([_value(sub, c) for c in [RUTLAND, *neighbours]])
            finite = vals[np.isfinite(vals)]
            polarity = ind.polarity
            if ind.key in RANKED_AS_LOW_IS_GOOD:
                polarity = Polarity.LOW_IS_GOOD  # the report ranked these rows in value order
            rank = rank_areas(vals, polarity.value)
            high = polarity is Polarity.HIGH_IS_GOOD
            assert int(rank.iloc[0]) == int(pub["rank"]), where
            assert finite.size == int(pub["n_ranked"]), where
            assert round(finite.max() if high else finite.min(), 1) == float(pub["best"]), where
            assert round(finite.min() if high else finite.max(), 1) == float(pub["worst"]), where
        rut = sub[sub["Area Code"] == RUTLAND].iloc[0]
        if pub["comparison"] in ("Better", "Worse", "Similar", "Higher", "Lower"):
            assert rut["Compared to England value or percentiles"] == pub["comparison"], where
        dot = pub["direction_of_travel"].split(" (")[0]
        if dot:
            assert rut["Recent Trend"].startswith(dot.split(" and ")[0]), where
        checked += 1
    assert checked >= 50


def test_ranked_as_low_is_good_rows_differ_under_catalogue_polarity(bulk, catalogue):
    """Documented exception: with the catalogue's polarity the printed rank is not reproduced."""
    neighbours = [a.code for a in areas.cipfa_neighbours(RUTLAND)]
    rows = [i for i in catalogue if i.chapter is Chapter.OUTCOMES]
    printed = {i.key: p["rank"] for i, p in zip(rows, _published_outcomes(), strict=True)}
    for key in RANKED_AS_LOW_IS_GOOD:
        ind = next(i for i in catalogue if i.key == key)
        assert ind.polarity is Polarity.HIGH_IS_GOOD
        sub = _series(bulk, ind, ind.extra["published_period"])
        vals = [_value(sub, c) for c in [RUTLAND, *neighbours]]
        assert int(rank_areas(vals, ind.polarity.value).iloc[0]) != int(printed[key])


def test_previous_period_pins(bulk, catalogue):
    by_key = {i.key: i for i in catalogue}
    for pin in _csv(PINS / "extra_pins.csv"):
        ind = by_key[pin["key"]]
        if not ind.has_data_id:
            continue
        sub = _series(bulk, ind, pin["period"])
        if pin["value"]:
            assert round(_value(sub, RUTLAND), 1) == float(pin["value"]), pin
        if pin["comparison"]:
            rut = sub[sub["Area Code"] == RUTLAND]
            got = compare_to_benchmark(
                rut["Value#"], rut["Lower CI 95.0 limit#"], rut["Upper CI 95.0 limit#"],
                _value(sub, ENGLAND), ind.polarity.value,
            ).iloc[0]  # fmt: skip
            assert got == pin["comparison"], pin
            assert rut["Compared to England value or percentiles"].iloc[0] == pin["comparison"]


def test_dental_quintiles(bulk, catalogue):
    ind = next(i for i in catalogue if i.key == "outcomes.p4.dental_appointment_obtained")
    expected = {
        r["period"]: int(r["quintile"]) for r in _csv(PINS / "extra_pins.csv") if r["quintile"]
    }
    assert expected == {"2019/20": 2, "2020/21": 3}
    for period, q in expected.items():
        sub = _series(bulk, ind, period)
        ut = sub[sub["Area Type"] == "Counties & UAs (from Apr 2023)"]
        res = quintiles(ut["Value#"].to_numpy(), Polarity.HIGH_IS_GOOD.value)
        pos = np.flatnonzero(ut["Area Code"].to_numpy() == RUTLAND)[0]
        assert int(res["quintile"].iloc[pos]) == q, period
    rut = _series(bulk, ind, "2020/21")
    assert (
        rut[rut["Area Code"] == RUTLAND]["Compared to England value or percentiles"].iloc[0]
        == "Middle quintile"
    )


# ------------------------------------------------------------------------------ sexual health pins


def test_sexual_health_appendix_values(bulk, catalogue):
    appendix = _csv(BOARD_PAPERS / "sexual_health_appendix1.csv")
    params = {
        (r["fingertips_id"], r["sex"], r["age"]): r for r in _csv(PINS / "generator_parameters.csv")
    }
    checked = 0
    for ind in catalogue:
        name = ind.extra["appendix_name"]
        if not name or not ind.has_data_id:
            continue
        p = params[(str(ind.fingertips_id), ind.sex, ind.age)]
        for row in (r for r in appendix if r["indicator"] == name):
            period = (
                row["period_inferred"].replace("(inferred)", "").strip() or p["appendix_period"]
            )
            sub = _series(bulk, ind, period)
            cell = sub[sub["Area Code"] == areas.current_code(row["area_code"])].iloc[0]
            if row["value"]:
                assert f"{cell['Value#']:.2f}" == row["value"], (name, row["area_name"])
            else:
                assert np.isnan(cell["Value#"]) and cell["Value note"] == SUPPRESSED, (
                    name,
                    row["area_name"],
                )
            checked += 1
    assert checked == 8 * 11


# ------------------------------------------------------------------------------ neighbours


def test_neighbour_groups(snapshot):
    nb = pd.read_csv(snapshot / "neighbours.csv", dtype=str)
    assert len(nb) == 153 * 15
    assert not (nb["area_code"] == nb["neighbour_code"]).any()
    rut = nb[nb["area_code"] == RUTLAND]
    assert list(rut["neighbour_code"]) == [a.code for a in areas.cipfa_neighbours(RUTLAND)]
    assert set(rut["model"]) == {"CIPFA nearest neighbours (board paper, March 2023)"}
    assert set(nb.loc[nb["area_code"] != RUTLAND, "model"]) == {
        "Demonstration neighbours (not CIPFA)"
    }
    table = nb.rename(columns={})[["area_code", "neighbour_code", "position"]].astype(
        {"position": int}
    )
    assert [a.code for a in areas.cipfa_neighbours("E06000001", source=table)][:1] == [
        nb[(nb["area_code"] == "E06000001") & (nb["position"] == "1")]["neighbour_code"].iloc[0]
    ]


# ------------------------------------------------------------------------------ local extracts


def test_dental_access_pins(snapshot):
    df = pd.read_csv(snapshot / "dental_access.csv", dtype={"area_code": str})
    assert set(df["age_group"]) == {"0-17", "18+", "All ages"}
    assert set(zip(df["window_start"], df["window_end"], strict=True)) == {
        (f"{y}-01-01", f"{y}-06-30") for y in (2019, 2020, 2021, 2022)
    }
    assert set(df["area_code"]) == {ENGLAND, *(a.code for a in areas.upper_tier_areas())}

    def rate(code, group, year):
        r = df[
            (df["area_code"] == code)
            & (df["age_group"] == group)
            & (df["window_start"] == f"{year}-01-01")
        ]
        return 100 * r["patients_seen"].iloc[0] / r["population"].iloc[0]

    group = {"Total population": "All ages", "0-17 year olds": "0-17", "Adults": "18+"}
    for pin in _csv(BOARD_PAPERS / "dental_access_2022.csv"):
        code, g, want = pin["area_code"], group[pin["age_group"]], float(pin["value_pct"])
        if pin["measure"] == "dental access rate":
            assert round(rate(code, g, 2022), 2) == want, pin
        else:
            end = 2021 if "2019 to 2021" in pin["period"] and code == RUTLAND else 2022
            got = 100 * (rate(code, g, end) / rate(code, g, 2019) - 1)
            assert round(got, 2) == want, pin
    # all ages is the sum of the two age groups
    wide = df.pivot_table(
        index=["area_code", "window_start"], columns="age_group", values="patients_seen"
    )
    assert (wide["All ages"] == wide["0-17"] + wide["18+"]).all()


def test_uda_delivery(snapshot):
    df = pd.read_csv(snapshot / "uda_delivery.csv")
    assert set(df["geography_name"]) == {"Midlands (1206 contracts)", "LLR (141 contracts)"}
    months = sorted(df["month"].unique())
    assert months[0] == "2021-04" and months[-1] == "2022-06" and len(months) == 15
    pct = df["udas_delivered_month"] * 12 / df["contracted_udas_annual"] * 100
    assert (pct < 95).any() and pct.between(30, 110).all()


def test_local_extracts_pass_the_local_loader(snapshot):
    from rutland_jsna.data.local import load_local_extract

    dental = load_local_extract(snapshot / "dental_access.csv", "dental_access")
    rut = dental[(dental["area_code"] == RUTLAND) & (dental["age_group"] == "All ages")]
    assert set(rut["window_label"]) == {f"January to June {y}" for y in (2019, 2020, 2021, 2022)}
    uda = load_local_extract(snapshot / "uda_delivery.csv", "uda_delivery")
    assert len(uda) == 30


def test_covid_files(snapshot):
    vac = pd.read_csv(snapshot / "covid_vaccination.csv")
    assert set(vac["date"]) == {"2023-03-02"} and set(vac["age_group"]) == {"12+"}
    up = vac.set_index(["area_code", "dose"])["uptake_pct"]
    assert up[(RUTLAND, "Booster/Dose 3")] > up[(ENGLAND, "Booster/Dose 3")]
    assert up[(RUTLAND, "Dose 1")] < up[(ENGLAND, "Dose 1")]
    assert up[(RUTLAND, "Dose 2")] < up[(ENGLAND, "Dose 2")]
    deaths = pd.read_csv(snapshot / "covid_deaths_by_place.csv")
    rut = deaths[deaths["area_code"] == RUTLAND].set_index("place_of_death")["deaths"]
    assert rut.to_dict() == {"Hospital": 57, "Care home": 43, "Other": 10}
    assert set(deaths["as_of_week"]) == {7} and set(deaths["as_of_year"]) == {2023}
    ex = pd.read_csv(snapshot / "covid_excess_deaths.csv")
    rut = ex[ex["area_code"] == RUTLAND]
    assert rut["observed_deaths"].sum() == 1262
    assert round(rut["expected_deaths"].sum(), 6) == 1119
    assert (rut["iso_year"].iloc[0], rut["iso_week"].iloc[0]) == (2020, 12)
    assert (rut["iso_year"].iloc[-1], rut["iso_week"].iloc[-1]) == (2023, 7)
    assert set(rut["baseline"]) == {"2015-19"}


# ------------------------------------------------------------------------------ the store


def test_ensure_demo_store_validates_and_marks_demo(snapshot, tmp_path, bulk):
    frame, meta = demo_mod.ensure_demo_store(snapshot_dir=snapshot, store_dir=tmp_path)
    assert meta["is_demo"] is True and meta["source"] == "demo"
    assert meta["banner"] == demo_mod.DEMO_BANNER
    manifest_sum = hashlib.sha256((snapshot / "MANIFEST.csv").read_bytes()).hexdigest()
    assert meta["snapshot_checksum"] == manifest_sum
    assert len(frame) == len(bulk)
    assert list(frame.columns)[:3] == ["indicator_id", "indicator_name", "parent_code"]
    sidecar = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    assert sidecar["is_demo"] is True and sidecar["input_checksums"]["MANIFEST.csv"] == manifest_sum
    again, meta2 = demo_mod.load_demo(snapshot_dir=snapshot, store_dir=tmp_path)
    assert meta2["snapshot_checksum"] == manifest_sum and len(again) == len(frame)


def test_tampered_snapshot_is_rejected(snapshot, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in snapshot.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    target = copy / "indicator_20101.csv"
    target.write_bytes(target.read_bytes().replace(b"England", b"Englund", 1))
    with pytest.raises(Exception, match="checksum"):
        demo_mod.ensure_demo_store(snapshot_dir=copy, store_dir=tmp_path / "store")


def test_sex_splits_follow_their_persons_series(bulk):
    """A persons rate is a weighted mean of the female and male rates, so it lies between them
    (the demo generated each sex on its own: persons was above both in 300 of 1,780 cells)."""
    det = bulk[(bulk["Indicator ID"] == "90776") & (bulk["Area Type"] != "Region")]
    wide = det.pivot_table(index=["Area Code", "Time period"], columns="Sex", values="Value#")
    wide = wide.dropna()
    lo = wide[["Female", "Male"]].min(axis=1)
    hi = wide[["Female", "Male"]].max(axis=1)
    between = (wide["Persons"] >= lo) & (wide["Persons"] <= hi)
    assert len(wide) > 1500 and between.mean() > 0.99, wide[~between].head()
    assert between.loc[RUTLAND].all()  # the area every reviewer reads
    screened = bulk[bulk["Indicator ID"] == "90777"].pivot_table(
        index=["Area Code", "Time period"], columns="Sex", values="Value#").dropna()
    assert (screened["Female"] > screened["Persons"]).mean() > 0.99  # England: 19% vs 14%
