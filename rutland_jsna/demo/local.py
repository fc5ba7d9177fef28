"""Demonstration local extracts (private to :mod:`rutland_jsna.demo.snapshot`).

Files and columns are documented in the :mod:`rutland_jsna.demo.snapshot` docstring. The column
sets follow the templates of :mod:`rutland_jsna.data.local` (dental access, UDA delivery, Covid
recovery). Rutland and England are pinned to ``data/board_papers/dental_access_2022.csv`` and
``demo/pin_tables/covid_recovery.csv``; everything else is invented.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BOARD_PAPERS_DIR, ENGLAND_CODE
from .world import PINS_DIR, World, stream

DEMO_SOURCE_LABEL = "demonstration data (not official statistics)"
PINNED_SOURCE_LABEL = "demonstration data pinned to published figures (not official statistics)"

#: Dental access windows: January to June of these years.
DENTAL_YEARS = (2019, 2020, 2021, 2022)
_AGE_GROUPS = ("0-17", "18+", "All ages")

#: UDA geographies of the NHS England slides (codes are demonstration labels, not ONS codes).
UDA_GEOGRAPHIES = (
    ("DEMO-MIDLANDS", "Midlands (1206 contracts)", 1206),
    ("DEMO-LLR", "LLR (141 contracts)", 141),
)
UDA_MONTHS = tuple(pd.period_range("2021-04", "2022-06", freq="M").strftime("%Y-%m"))
#: Scheduled delivery path (% of annual contracted UDAs, scaled to 12 months) before noise.
_UDA_PATH = np.array([54, 56, 58, 59, 61, 62, 63, 64, 66, 70, 73, 76, 80, 83, 86], dtype=float)

COVID_AS_OF = (2023, 7)  # ISO year, week ("as of week 7 in 2023")
EXCESS_FROM = (2020, 12)  # "since the beginning of the pandemic (week 12, 2020)"
VACCINATION_DATE = "2023-03-02"
DOSES = ("Dose 1", "Dose 2", "Booster/Dose 3")


def _pins(name: str, folder: Path = PINS_DIR) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _write(df: pd.DataFrame, path: Path) -> int:
    df.to_csv(path, index=False, lineterminator="\n")
    return len(df)


# --------------------------------------------------------------------------------------------
# Dental access
# --------------------------------------------------------------------------------------------


def _dental_pins() -> dict[str, dict[tuple[str, str], float]]:
    out: dict[str, dict[tuple[str, str], float]] = {}
    group = {"Total population": "All ages", "0-17 year olds": "0-17", "Adults": "18+"}
    for r in _pins("dental_access_2022.csv", BOARD_PAPERS_DIR):
        kind = "rate" if r["measure"] == "dental access rate" else "change"
        # The adults' bullet says "2019 to 2021". For England the three changes are consistent
        # only as 2019->2022, so England's is read that way; Rutland's is kept as printed.
        period = (
            "2021" if "2019 to 2021" in r["period"] and r["area_code"] != ENGLAND_CODE else "2022"
        )
        out.setdefault(r["area_code"], {})[
            (group[r["age_group"]], kind if kind == "rate" else f"change{period}")
        ] = float(r["value_pct"])
    return out


def _round_ok(value: np.ndarray, printed: float) -> np.ndarray:
    return np.abs(value - printed) <= 0.004


def _solve_dental(
    pop_child: float, pop_adult: float, pins: dict[tuple[str, str], float]
) -> dict[str, float]:
    """Whole populations and patient counts reproducing one area's printed dental figures.

    Reproduces the three 2022 rates, the 0-17 and all-ages changes 2019→2022 and the adults'
    change as printed (2019→2022 if its label says 2022, 2019→2021 if it says 2021).
    """
    rc, ra, rall = (pins[(g, "rate")] / 100.0 for g in ("0-17", "18+", "All ages"))
    ch_c, ch_all = pins[("0-17", "change2022")] / 100.0, pins[("All ages", "change2022")] / 100.0
    ch_a22 = pins.get(("18+", "change2022"))
    ch_a21 = pins.get(("18+", "change2021"))
    ch_a22 = None if ch_a22 is None else ch_a22 / 100.0
    ch_a21 = None if ch_a21 is None else ch_a21 / 100.0
    if pop_child + pop_adult > 1_000_000:
        return _solve_dental_large(pop_child + pop_adult, pins)
    step = 1
    # all-ages 2022 rate fixes the child share of the population
    share = (rall - ra) / (rc - ra)
    total = pop_child + pop_adult
    for widen in (200, 600):
        offs = np.arange(-widen, widen + 1) * step
        pc = np.round(share * total) + offs[:, None]
        pa = np.round((1 - share) * total) + offs[None, :]
        pc, pa = np.broadcast_arrays(pc, pa)
        sc = np.round(rc * pc)
        sa = np.round(ra * pa)
        ok = _round_ok(100 * sc / pc, rc * 100) & _round_ok(100 * sa / pa, ra * 100)
        ok &= _round_ok(100 * (sc + sa) / (pc + pa), rall * 100)
        cand = np.flatnonzero(ok.ravel())
        order = np.argsort(
            np.abs(pc.ravel()[cand] - share * total)
            + np.abs(pa.ravel()[cand] - (1 - share) * total),
            kind="stable",
        )
        for i in cand[order][:4000]:
            pci, pai, sci, sai = pc.ravel()[i], pa.ravel()[i], sc.ravel()[i], sa.ravel()[i]
            sc19 = np.round(sci / (1 + ch_c)) + np.arange(-2, 3)
            sc19 = sc19[_round_ok(100 * (sci / sc19 - 1), ch_c * 100)]
            if not sc19.size:
                continue
            sall19 = np.round((sci + sai) / (1 + ch_all)) + np.arange(-2, 3)
            sall19 = sall19[_round_ok(100 * ((sci + sai) / sall19 - 1), ch_all * 100)]
            for c19 in sc19:
                for a19 in sall19 - c19:
                    if ch_a22 is not None and not _round_ok(100 * (sai / a19 - 1), ch_a22 * 100):
                        continue
                    res = {"pc": pci, "pa": pai, "c22": sci, "a22": sai, "c19": c19, "a19": a19}
                    if ch_a21 is not None:
                        a21 = np.round(a19 * (1 + ch_a21)) + np.arange(-2, 3)
                        a21 = a21[_round_ok(100 * (a21 / a19 - 1), ch_a21 * 100)]
                        if not a21.size:
                            continue
                        res["a21"] = a21[0]
                    return res
    raise ValueError("no whole patient counts reproduce the printed dental access figures")


def _solve_dental_large(total: float, pins: dict[tuple[str, str], float]) -> dict[str, float]:
    """As :func:`_solve_dental` for a large population (England): first real rates inside the
    printed figures' rounding intervals that are consistent with each other (the all-ages rate
    is the population-weighted mean of the two age groups' in both years), then whole counts,
    whose rounding error is negligible at this size."""
    rc0, ra0, rall0 = (pins[(g, "rate")] for g in ("0-17", "18+", "All ages"))
    gc0, gall0 = pins[("0-17", "change2022")], pins[("All ages", "change2022")]
    ga0 = pins[("18+", "change2022")]
    g = np.linspace(-0.0045, 0.0045, 11)
    drc, dra, dall, dgc, dga = np.meshgrid(g, g, g, g, g, indexing="ij")
    rc, ra, rall = rc0 + drc, ra0 + dra, rall0 + dall
    gc, ga = (gc0 + dgc) / 100.0, (ga0 + dga) / 100.0
    f = (rall - ra) / (rc - ra)
    r19 = f * rc / (1 + gc) + (1 - f) * ra / (1 + ga)
    err = np.abs((rall / r19 - 1) * 100 - gall0)
    i = int(
        np.argmin(
            err + 1e-3 * (np.abs(drc) + np.abs(dra) + np.abs(dall) + np.abs(dgc) + np.abs(dga))
        )
    )
    if err.ravel()[i] > 0.002:
        raise ValueError("the printed England dental access figures are inconsistent")
    rc, ra, f, gc, ga = (a.ravel()[i] for a in (rc, ra, f, gc, ga))
    pc = float(np.round(f * total))
    pa = float(np.round(total - pc))
    c22, a22 = float(np.round(rc / 100 * pc)), float(np.round(ra / 100 * pa))
    return {
        "pc": pc,
        "pa": pa,
        "c22": c22,
        "a22": a22,
        "c19": float(np.round(c22 / (1 + gc))),
        "a19": float(np.round(a22 / (1 + ga))),
    }


def dental_access(world: World, seed: int) -> pd.DataFrame:
    rng = stream(seed, "dental_access")
    pins = _dental_pins()
    n = world.n
    child_share = np.clip(0.21 * np.exp(-0.12 * world.older), 0.12, 0.3)
    pop_c = np.round(world.population * child_share)
    pop_a = world.population - pop_c
    # rates by window (fractions): 2022 around England's, 2019 higher, 2020 pandemic trough
    r22c = np.clip(rng.normal(0.3362, 0.05, n), 0.12, 0.6)
    r22a = np.clip(rng.normal(0.1984, 0.03, n), 0.08, 0.35)
    chg = rng.normal(-0.22, 0.07, n)
    rate = {
        2022: (r22c, r22a),
        2019: (r22c / (1 + chg), r22a / (1 + chg + rng.normal(0, 0.02, n))),
    }
    rate[2020] = (
        rate[2019][0] * rng.uniform(0.45, 0.6, n),
        rate[2019][1] * rng.uniform(0.45, 0.6, n),
    )
    rate[2021] = (
        rate[2019][0] * rng.uniform(0.7, 0.9, n),
        rate[2019][1] * rng.uniform(0.7, 0.9, n),
    )
    seen = {y: (np.round(rc * pop_c), np.round(ra * pop_a)) for y, (rc, ra) in rate.items()}
    codes = [world.england_code, *world.codes]
    names = [world.england_name, *world.names]
    pc_all = np.concatenate([[pop_c.sum()], pop_c])
    pa_all = np.concatenate([[pop_a.sum()], pop_a])
    seen_all = {
        y: (np.concatenate([[c.sum()], c]), np.concatenate([[a.sum()], a]))
        for y, (c, a) in seen.items()
    }
    source = np.full(len(codes), DEMO_SOURCE_LABEL, dtype=object)
    for code, area_pins in pins.items():
        g = 0 if code == world.england_code else 1 + world.index[code]
        sol = _solve_dental(pc_all[g], pa_all[g], area_pins)
        pc_all[g], pa_all[g] = sol["pc"], sol["pa"]
        seen_all[2022][0][g], seen_all[2022][1][g] = sol["c22"], sol["a22"]
        seen_all[2019][0][g], seen_all[2019][1][g] = sol["c19"], sol["a19"]
        for y, f in ((2020, 0.55), (2021, 0.8)):
            seen_all[y][0][g] = np.round(sol["c19"] * f)
            seen_all[y][1][g] = np.round(sol["a19"] * f)
        if "a21" in sol:
            seen_all[2021][1][g] = sol["a21"]
        source[g] = PINNED_SOURCE_LABEL
    rows = []
    for y in DENTAL_YEARS:
        c, a = seen_all[y]
        for group, s, p in (
            ("0-17", c, pc_all),
            ("18+", a, pa_all),
            ("All ages", c + a, pc_all + pa_all),
        ):
            rows.append(
                pd.DataFrame(
                    {
                        "area_code": codes,
                        "area_name": names,
                        "age_group": group,
                        "window_start": f"{y}-01-01",
                        "window_end": f"{y}-06-30",
                        "patients_seen": s.astype(np.int64),
                        "population": p.astype(np.int64),
                        "source": source,
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    order = {c: i for i, c in enumerate(codes)}
    out["_a"] = out["area_code"].map(order)
    out["_g"] = out["age_group"].map({g: i for i, g in enumerate(_AGE_GROUPS)})
    return (
        out.sort_values(["_a", "window_start", "_g"], kind="stable")
        .drop(columns=["_a", "_g"])
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------------------------
# UDA delivery
# --------------------------------------------------------------------------------------------


def uda_delivery(seed: int) -> pd.DataFrame:
    rng = stream(seed, "uda_delivery")
    rows = []
    for code, name, contracts in UDA_GEOGRAPHIES:
        annual = int(round(contracts * rng.uniform(13_000, 17_000), -2))
        lag = 0.0 if contracts > 500 else -3.0
        pct = _UDA_PATH + lag + rng.normal(0, 1.5, _UDA_PATH.size)
        delivered = np.round(pct / 100.0 * annual / 12.0).astype(np.int64)
        rows.append(
            pd.DataFrame(
                {
                    "geography_id": code,
                    "geography_name": name,
                    "month": UDA_MONTHS,
                    "contracted_udas_annual": annual,
                    "udas_delivered_month": delivered,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Covid recovery
# --------------------------------------------------------------------------------------------


def _covid_pins() -> pd.DataFrame:
    return pd.DataFrame(_pins("covid_recovery.csv"))


def covid_vaccination(world: World, seed: int) -> pd.DataFrame:
    rng = stream(seed, "covid_vaccination")
    pins = _covid_pins()
    vac = pins[pins["measure"] == "vaccination_uptake"]
    pin = {(r.area_code, r.category): float(r.value) for r in vac.itertuples()}
    eng = [pin[(world.england_code, d)] for d in DOSES]
    n = world.n
    d1 = np.clip(eng[0] + rng.normal(0, 2.5, n) - 1.5 * world.deprivation, 70, 97)
    d2 = d1 - np.clip(rng.normal(eng[0] - eng[1], 1.0, n), 1, 10)
    d3 = d2 - np.clip(rng.normal(eng[1] - eng[2], 4.0, n) + 2.0 * world.deprivation, 3, 35)
    pop12 = np.round(world.population * 0.86)
    uptake = np.column_stack([d1, d2, d3])
    codes = [world.england_code, *world.codes]
    names = [world.england_name, *world.names]
    pops = np.concatenate([[pop12.sum()], pop12])
    vaccinated = np.vstack([np.zeros(3), np.round(uptake / 100.0 * pop12[:, None])])
    vaccinated[0] = vaccinated[1:].sum(axis=0)
    for (code, dose), value in pin.items():
        g = 0 if code == world.england_code else 1 + world.index[code]
        vaccinated[g, DOSES.index(dose)] = np.round(value / 100.0 * pops[g])
    rows = []
    for k, dose in enumerate(DOSES):
        rows.append(
            pd.DataFrame(
                {
                    "area_code": codes,
                    "area_name": names,
                    "age_group": "12+",
                    "dose": dose,
                    "date": VACCINATION_DATE,
                    "vaccinated": vaccinated[:, k].astype(np.int64),
                    "population": pops.astype(np.int64),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["uptake_pct"] = 100.0 * out["vaccinated"] / out["population"]
    return out


def covid_deaths_by_place(world: World, seed: int) -> pd.DataFrame:
    rng = stream(seed, "covid_deaths_by_place")
    pins = _covid_pins()
    place = pins[pins["measure"] == "covid_deaths_by_place"]
    places = ("Hospital", "Care home", "Other")
    lam = world.population[:, None] * 0.0028 * np.array([0.55, 0.32, 0.13])[None, :]
    deaths = rng.poisson(lam * np.exp(0.1 * world.deprivation)[:, None]).astype(np.int64)
    for r in place.itertuples():
        deaths[world.index[r.area_code], places.index(r.category)] = int(r.value)
    deaths = np.vstack([deaths.sum(axis=0, keepdims=True), deaths])
    codes = [world.england_code, *world.codes]
    names = [world.england_name, *world.names]
    rows = [
        pd.DataFrame(
            {
                "area_code": codes,
                "area_name": names,
                "place_of_death": p,
                "deaths": deaths[:, k],
                "as_of_year": COVID_AS_OF[0],
                "as_of_week": COVID_AS_OF[1],
            }
        )
        for k, p in enumerate(places)
    ]
    return pd.concat(rows, ignore_index=True)


def _iso_weeks() -> list[tuple[int, int]]:
    weeks = []
    y, w = EXCESS_FROM
    while (y, w) <= COVID_AS_OF:
        weeks.append((y, w))
        last = date(y, 12, 28).isocalendar()[1]
        y, w = (y + 1, 1) if w == last else (y, w + 1)
    return weeks


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    raw = weights / weights.sum() * total
    out = np.floor(raw)
    extra = int(total - out.sum())
    if extra:
        out[np.argsort(-(raw - out), kind="stable")[:extra]] += 1
    return out.astype(np.int64)


def covid_excess_deaths(world: World, seed: int) -> pd.DataFrame:
    rng = stream(seed, "covid_excess_deaths")
    pins = _covid_pins()
    weeks = _iso_weeks()
    wk = np.array([w for _, w in weeks], dtype=float)
    t = np.arange(len(weeks), dtype=float)
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (wk - 3.0) / 52.0)
    waves = (
        1.0 + 0.45 * np.exp(-(((t - 3) / 3.0) ** 2)) + 0.3 * np.exp(-(((t - 44) / 5.0) ** 2)) + 0.08
    )
    expected = world.population[:, None] * 0.0100 / 52.0 * season[None, :]
    excess = np.exp(0.05 * world.deprivation)[:, None] * waves[None, :]
    observed = rng.poisson(expected * excess).astype(np.int64)
    expected = np.round(expected, 1)
    obs_pin = pins[pins["measure"] == "all_cause_deaths_observed"]
    exp_pin = pins[pins["measure"] == "all_cause_deaths_expected"]
    for r in obs_pin.itertuples():
        g = world.index[r.area_code]
        observed[g] = _largest_remainder(expected[g] * excess[g], int(float(r.value)))
    for r in exp_pin.itertuples():
        g = world.index[r.area_code]
        tenths = _largest_remainder(expected[g], int(round(float(r.value) * 10)))
        expected[g] = tenths / 10.0
    observed = np.vstack([observed.sum(axis=0, keepdims=True), observed])
    expected = np.vstack([expected.sum(axis=0, keepdims=True), expected])
    codes = np.array([world.england_code, *world.codes], dtype=object)
    names = np.array([world.england_name, *world.names], dtype=object)
    n_w = len(weeks)
    return pd.DataFrame(
        {
            "area_code": np.repeat(codes, n_w),
            "area_name": np.repeat(names, n_w),
            "iso_year": np.tile([y for y, _ in weeks], len(codes)),
            "iso_week": np.tile([w for _, w in weeks], len(codes)),
            "week_start": np.tile(
                [date.fromisocalendar(y, w, 1).isoformat() for y, w in weeks], len(codes)
            ),
            "observed_deaths": observed.ravel(),
            "expected_deaths": np.round(expected.ravel(), 1),
            "baseline": "2015-19",
        }
    )


def write_local_extracts(folder: Path, world: World, seed: int) -> list[tuple[str, int]]:
    """Write every local extract into ``folder``; return (file name, rows) pairs."""
    out = []
    for name, frame in (
        ("dental_access.csv", dental_access(world, seed)),
        ("uda_delivery.csv", uda_delivery(seed)),
        ("covid_vaccination.csv", covid_vaccination(world, seed)),
        ("covid_deaths_by_place.csv", covid_deaths_by_place(world, seed)),
        ("covid_excess_deaths.csv", covid_excess_deaths(world, seed)),
    ):
        out.append((name, _write(frame, folder / name)))
    return out
