"""The demonstration world: areas, populations, latent area factors and neighbour groups.

Private to :mod:`rutland_jsna.demo.snapshot`. Every random draw comes from a stream keyed by the
seed and a name (:func:`stream`), so the result does not depend on the order in which parts of
the snapshot are generated.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DEFAULT_AREA_CODE
from ..data import areas as _areas

PINS_DIR: Path = Path(__file__).resolve().parent / "pin_tables"

#: Model name of the demonstration neighbour groups, and of Rutland's real CIPFA group.
DEMO_NEIGHBOUR_MODEL = "Demonstration neighbours (not CIPFA)"
CIPFA_MODEL = "CIPFA nearest neighbours (board paper, March 2023)"
NEIGHBOURS = 15

#: Median and log-scale spread of the invented upper-tier populations (pins override).
_POP_MEDIAN = 300_000.0
_POP_LOG_SD = 0.55


def stream(seed: int, *names: object) -> np.random.Generator:
    """A random generator keyed by the seed and names (independent of generation order)."""
    digest = hashlib.sha256("\x1f".join(str(n) for n in names).encode()).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest[:8], "little")])


@dataclass(frozen=True)
class World:
    """England, the 9 regions and the 153 upper-tier authorities with their latent factors.

    Arrays are in the order of :func:`rutland_jsna.data.areas.upper_tier_areas`.
    ``deprivation``, ``rurality`` and ``older`` are standardised latent factors (mean about 0,
    sd about 1); ``population`` is the resident population (invented, except where
    ``pin_tables/area_pins.csv`` pins it).
    """

    seed: int
    codes: tuple[str, ...]
    names: tuple[str, ...]
    region_index: np.ndarray
    region_codes: tuple[str, ...]
    region_names: tuple[str, ...]
    population: np.ndarray
    deprivation: np.ndarray
    rurality: np.ndarray
    older: np.ndarray
    england_code: str
    england_name: str
    subject_code: str

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}

    @property
    def n(self) -> int:
        return len(self.codes)


def _area_pins() -> pd.DataFrame:
    with open(PINS_DIR / "area_pins.csv", newline="", encoding="utf-8") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)))


def build_world(seed: int) -> World:
    """Areas from :mod:`rutland_jsna.data.areas`, with invented populations and latent factors."""
    utlas = _areas.upper_tier_areas()
    regs = _areas.regions()
    eng = _areas.england()
    codes = tuple(a.code for a in utlas)
    region_codes = tuple(r.code for r in regs)
    region_pos = {c: i for i, c in enumerate(region_codes)}
    region_index = np.array([region_pos[a.region_code] for a in utlas], dtype=np.int64)
    n = len(codes)

    rng = stream(seed, "world")
    region_dep = rng.normal(0.0, 0.6, len(region_codes))
    region_rur = rng.normal(0.0, 0.5, len(region_codes))
    deprivation = region_dep[region_index] + rng.normal(0.0, 0.8, n)
    rurality = region_rur[region_index] + rng.normal(0.0, 0.85, n)
    older = 0.55 * rurality - 0.3 * deprivation + rng.normal(0.0, 0.7, n)
    population = np.exp(rng.normal(np.log(_POP_MEDIAN), _POP_LOG_SD, n)) * np.exp(-0.15 * rurality)
    population = np.clip(np.round(population, -2), 60_000, 1_600_000)

    index = {c: i for i, c in enumerate(codes)}
    for row in _area_pins().itertuples(index=False):
        i = index[row.area_code]
        population[i] = float(row.population)
        deprivation[i] = float(row.deprivation)
        rurality[i] = float(row.rurality)
        older[i] = float(row.older)
    return World(
        seed=seed,
        codes=codes,
        names=tuple(a.name for a in utlas),
        region_index=region_index,
        region_codes=region_codes,
        region_names=tuple(r.name for r in regs),
        population=population.astype(float),
        deprivation=deprivation,
        rurality=rurality,
        older=older,
        england_code=eng.code,
        england_name=eng.name,
        subject_code=DEFAULT_AREA_CODE,
    )


def neighbour_table(world: World, k: int = NEIGHBOURS) -> pd.DataFrame:
    """Demonstration neighbour groups: the ``k`` nearest areas in latent-factor space.

    The subject area (Rutland by default) gets its real CIPFA neighbours
    (:func:`rutland_jsna.data.areas.cipfa_neighbours`, the bundled board-paper list).

    Returns
    -------
    DataFrame with columns ``area_code, area_name, position, neighbour_code, neighbour_name,
    model`` (``position`` 1 = nearest), ``k`` rows per area, in area then position order.
    """
    features = np.column_stack(
        [
            world.deprivation,
            world.rurality,
            world.older,
            0.5 * np.log(world.population / _POP_MEDIAN),
        ]
    )
    dist = np.sqrt(((features[:, None, :] - features[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(dist, np.inf)
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    area_idx = np.repeat(np.arange(world.n), k)
    nb_idx = order.ravel()
    position = np.tile(np.arange(1, k + 1), world.n)
    model = np.full(area_idx.size, DEMO_NEIGHBOUR_MODEL, dtype=object)
    codes = np.array(world.codes, dtype=object)
    names = np.array(world.names, dtype=object)
    nb_codes = codes[nb_idx]
    # The subject area keeps its published CIPFA group.
    try:
        cipfa = [a.code for a in _areas.cipfa_neighbours(world.subject_code)]
    except _areas.NeighboursUnavailableError:
        cipfa = []
    if len(cipfa) == k:
        rows = area_idx == world.index[world.subject_code]
        nb_codes[rows] = cipfa
        model[rows] = CIPFA_MODEL
    nb_names = names[[world.index[c] for c in nb_codes]]
    return pd.DataFrame(
        {
            "area_code": codes[area_idx],
            "area_name": names[area_idx],
            "position": position,
            "neighbour_code": nb_codes,
            "neighbour_name": nb_names,
            "model": model,
        }
    )
