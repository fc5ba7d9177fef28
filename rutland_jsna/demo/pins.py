"""Published figures the demonstration snapshot reproduces (private to the demo generator).

Reads ``pin_tables/`` (copies of the published CSVs plus the pin tables documented in
``pin_tables/README.md``) and turns them into per-series cell pins:

* outcomes report (``outcomes_report_rutland.csv``, aligned 1:1 with the catalogue's outcomes
  rows): the subject area's and England's latest values; the neighbour values that reproduce
  the printed rank ``r/n``, Best and Worst; the printed comparison and direction of travel;
* ``outcomes_pin_overrides.csv``: corrections the report itself makes (A01b male Worst 79.2);
* ``extra_pins.csv``: previous-period values, comparisons and quintiles stated in narratives;
* sexual-health Appendix 1 (``sexual_health_appendix1.csv``): the 11 areas' printed values in
  the appendix period (blank cells become suppressed values).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..config import BOARD_PAPERS_DIR
from ..data import areas as _areas
from ..data.catalogue_model import Chapter, Indicator
from .world import PINS_DIR, World, stream

SeriesKey = tuple[int, str, str]  # (fingertips id, sex, age)

#: Tolerance of a value printed to one / two decimals (strictly inside the rounding interval).
TOL_1DP = 0.04
TOL_2DP = 0.004
_COMPARISONS = {"Better", "Worse", "Similar", "Higher", "Lower"}


@dataclass
class CellPin:
    """One pinned cell: an area's value (or blank) in one period of one series."""

    area_code: str
    period: str
    value: float | None
    tol: float
    role: str  # subject, england, best, worst, between, previous, appendix, comparison, blank
    blank: str = ""  # "" | "missing" | "suppressed"
    comparison: str | None = None
    source: str = ""


@dataclass
class RankPin:
    """The printed neighbour ranking of the subject area (outcomes report)."""

    period: str
    rank: int
    n: int
    best: float
    worst: float
    descending: bool  # True when the printed Best is the highest value
    neighbours: tuple[str, ...]


@dataclass
class SeriesPins:
    cells: list[CellPin] = field(default_factory=list)
    dot: str | None = None  # the subject area's printed direction of travel (latest period)
    quintiles: dict[str, int] = field(default_factory=dict)  # period -> 1 (best) .. 5
    rank: RankPin | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, pin: CellPin) -> None:
        for old in self.cells:
            if old.area_code == pin.area_code and old.period == pin.period:
                if (
                    pin.value is not None
                    and old.value is not None
                    and abs(pin.value - old.value) > 1e-9
                ):
                    raise ValueError(
                        f"conflicting pins for {pin.area_code} {pin.period}: {old.value} ({old.source}) "
                        f"and {pin.value} ({pin.source})"
                    )
                if old.value is None and pin.value is not None:
                    old.value, old.tol, old.role = pin.value, pin.tol, pin.role
                old.comparison = old.comparison or pin.comparison
                return
        self.cells.append(pin)


def series_key(ind: Indicator) -> SeriesKey:
    return (int(ind.fingertips_id), ind.sex, ind.age)  # type: ignore[arg-type]


def _read(name: str, folder: Path = PINS_DIR) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def published_outcomes() -> list[dict[str, str]]:
    """The published outcomes rows with the report's own corrections applied."""
    rows = _read("outcomes_report_rutland.csv")
    for fix in _read("outcomes_pin_overrides.csv"):
        for r in rows:
            if r["seed_line"] == fix["seed_line"]:
                if r[fix["column"]] != fix["printed"]:
                    raise ValueError(
                        f"override {fix} does not match the published row {r['seed_line']}"
                    )
                r[fix["column"]] = fix["pinned"]
    return rows


def _dot(text: str) -> str | None:
    if not text:
        return None
    for word in ("Cannot be calculated", "No significant change", "Increasing", "Decreasing"):
        if text.startswith(word):
            return word
    return None


def _rank_cells(
    pins: SeriesPins, pub: dict[str, str], world: World, ind: Indicator, seed: int
) -> None:
    value, best, worst = _num(pub["value"]), _num(pub["best"]), _num(pub["worst"])
    r, n = _num(pub["rank"]), _num(pub["n_ranked"])
    if None in (value, best, worst, r, n):
        return
    r, n = int(r), int(n)
    if best == worst:
        return
    descending = best > worst
    neighbours = tuple(a.code for a in _areas.cipfa_neighbours(world.subject_code))
    if n - 1 > len(neighbours):
        pins.notes.append(f"n={n} exceeds 1 + {len(neighbours)} neighbours; rank not pinned")
        return
    if (r == 1 and abs(best - value) > 0.05) or (r == n and abs(worst - value) > 0.05):
        pins.notes.append("printed Best/Worst inconsistent with the printed rank; rank not pinned")
        return
    period = pub["period"]
    pins.rank = RankPin(period, r, n, best, worst, descending, neighbours)
    order = list(stream(seed, "rank", *series_key(ind)).permutation(len(neighbours)))
    sign = 1.0 if descending else -1.0
    targets: list[tuple[float, float, str]] = []
    n_better, n_worse = r - 1, n - r
    if n_better:
        targets.append((best, TOL_1DP, "best"))
        k = n_better - 1
        gap = (best - value) / (k + 1)
        targets += [(value + gap * j, abs(gap) / 4, "between") for j in range(1, k + 1)]
    if n_worse:
        targets.append((worst, TOL_1DP, "worst"))
        k = n_worse - 1
        gap = (worst - value) / (k + 1)
        targets += [(value + gap * j, abs(gap) / 4, "between") for j in range(1, k + 1)]
    assert all(sign * (t - value) != 0 for t, _, _ in targets)
    for slot, idx in enumerate(order):
        code = neighbours[idx]
        if slot < len(targets):
            val, tol, role = targets[slot]
            pins.add(
                CellPin(
                    code, period, val, tol, role, source=f"rank {r}/{n} (line {pub['seed_line']})"
                )
            )
        else:
            pins.add(
                CellPin(code, period, None, 0.0, "blank", blank="missing", source=f"n={n} < 16")
            )


def load_pins(
    indicators: tuple[Indicator, ...], world: World, params: dict[SeriesKey, dict[str, str]]
) -> dict[SeriesKey, SeriesPins]:
    """Pins for every series with a Fingertips id, keyed by (id, sex, age)."""
    out: dict[SeriesKey, SeriesPins] = defaultdict(SeriesPins)
    subject, england = world.subject_code, world.england_code
    # --- outcomes report, row by row (the catalogue's outcomes rows are in published order)
    outcomes = [i for i in indicators if i.chapter is Chapter.OUTCOMES]
    published = published_outcomes()
    if len(outcomes) != len(published):
        raise ValueError(
            "the catalogue's outcomes rows no longer line up with the published report"
        )
    for ind, pub in zip(outcomes, published, strict=True):
        if not ind.has_data_id:
            continue
        pins = out[series_key(ind)]
        src = f"outcomes report line {pub['seed_line']}"
        period = pub["period"]
        value = _num(pub["value"])
        comparison = pub["comparison"] if pub["comparison"] in _COMPARISONS else None
        if value is not None:
            pins.add(
                CellPin(
                    subject, period, value, TOL_1DP, "subject", comparison=comparison, source=src
                )
            )
        eng = _num(pub["england"])
        if eng is not None:
            pins.add(CellPin(england, period, eng, TOL_1DP, "england", source=src))
        if pins.dot is None:
            pins.dot = _dot(pub["direction_of_travel"])
        _rank_cells(pins, pub, world, ind, world.seed)
    # --- previous values, comparisons and quintiles stated in the narratives
    by_key = {i.key: i for i in indicators}
    for row in _read("extra_pins.csv"):
        ind = by_key.get(row["key"])
        if ind is None:
            raise ValueError(f"extra_pins.csv: unknown catalogue key {row['key']!r}")
        if not ind.has_data_id:
            continue
        pins = out[series_key(ind)]
        value = _num(row["value"])
        comparison = row["comparison"] or None
        if value is not None or comparison:
            pins.add(
                CellPin(subject, row["period"], value, TOL_1DP, "previous" if value is not None else "comparison",
                        comparison=comparison, source=row["source"])
            )  # fmt: skip
        if row["quintile"]:
            pins.quintiles[row["period"]] = int(row["quintile"])
    # --- sexual health Appendix 1 (today's area codes)
    appendix = defaultdict(list)
    for row in _read("sexual_health_appendix1.csv", BOARD_PAPERS_DIR):
        appendix[row["indicator"]].append(row)
    for ind in indicators:
        name = ind.extra.get("appendix_name", "")
        if not name or not ind.has_data_id:
            continue
        key = series_key(ind)
        p = params.get(key, {})
        for row in appendix[name]:
            period = row["period_inferred"].replace("(inferred)", "").strip() or p.get(
                "appendix_period", ""
            )
            if not period:
                raise ValueError(
                    f"no appendix period for {name!r}: set appendix_period in generator_parameters.csv"
                )
            code = _areas.current_code(row["area_code"])
            value = _num(row["value"])
            pin = CellPin(
                code, period, value, TOL_2DP, "appendix",
                blank="" if value is not None else "suppressed",
                source=f"SHNA Appendix 1 line {row['seed_line']}",
            )  # fmt: skip
            out[key].add(pin)
    return dict(out)
