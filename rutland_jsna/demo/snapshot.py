"""Deterministic demonstration snapshot: invented data in the exact Fingertips bulk-CSV schema.

DEMONSTRATION DATA — NOT OFFICIAL STATISTICS. Every consumer shows :data:`DEMO_BANNER`.

The machines that build the chapters may not reach Fingertips; the snapshot lets every chapter,
notebook and test run offline. It is generated from code (nothing generated is committed) and
is byte-identical for the same seed and generator version.

Public functions
----------------
:func:`generate_demo_snapshot`
    Write a snapshot folder ``raw_dir()/demo/<snapshot id>/``.
:func:`ensure_demo_store`
    Generate the snapshot if missing, validate it and write the processed store table ``demo``.
:func:`load_demo`
    The tidy demonstration table and its metadata (generating/storing on first use).
:func:`demo_series_label`
    The ``Sex``/``Age`` strings a catalogue row has in the demonstration files.

Snapshot folder
---------------
``indicator_<id>.csv`` — one Fingertips bulk CSV per catalogue indicator id with status
    confirmed or probable, header ``columns.bulk_header("Region")`` (27 columns in Fingertips
    order). Rows: England (blank parent), the 9 regions (parent England) and the 153 upper-tier
    authorities of April 2023 (parent = their region, ``Area Type`` "Counties & UAs (from Apr
    2023)"), for every sex/age split the catalogue uses, over 6 to 19 periods in the
    indicator's period format (``2021``, ``2021/22``, ``2018 - 20``, ``2017/18 - 21/22``,
    ``Aug 2019 - Jul 2020``), ``Time period Sortable`` = start year × 10000 and ``Time period
    range`` 1y/3y/5y. The latest period is the one the outcomes report printed (sexual health:
    2022; see ``pin_tables/generator_parameters.csv``).
``neighbours.csv`` — ``area_code, area_name, position, neighbour_code, neighbour_name, model``:
    15 demonstration neighbours per authority (nearest in the generator's latent factors; model
    "Demonstration neighbours (not CIPFA)"), except the subject area (Rutland), which has its
    real 15 CIPFA neighbours (model "CIPFA nearest neighbours (board paper, March 2023)").
    Usable as ``areas.cipfa_neighbours(code, source=<this table>)``.
``dental_access.csv`` — ``area_code, area_name, age_group ("0-17", "18+", "All ages"),
    window_start, window_end`` (ISO dates, 1 January - 30 June of 2019, 2020, 2021, 2022),
    ``patients_seen`` (patients seen in the window), ``population`` (resident population of the
    age group), ``source``. All authorities and England. Rutland and England reproduce
    ``dental_access_2022.csv``: the 2022 access rates (patients_seen / population, 2 dp) and the
    relative changes 2019→2022 for all ages and 0-17. Rutland's three printed changes are
    mutually inconsistent (README of the published figures): with one population per age group,
    all ages −16.49% and 0-17 −6.96% force an adult change 2019→2022 of about −20.9%; the printed
    adult figure (−8.62%, labelled "2019 to 2021") is reproduced as the change from 2019 to
    **2021**, as printed. England's three changes are reproduced as 2019→2022 (they are
    consistent). Populations are held constant across the four windows.
``uda_delivery.csv`` — ``geography_id, geography_name, month (YYYY-MM), contracted_udas_annual,
    udas_delivered_month`` for April 2021 - June 2022 and two geographies, "Midlands (1206
    contracts)" and "LLR (141 contracts)" (codes are demonstration labels, not ONS codes). The
    slide's measure is ``udas_delivered_month × 12 / contracted_udas_annual × 100``, plotted
    against ``uda_delivery_thresholds.csv``; several months fall below the threshold in force.
``covid_vaccination.csv`` — ``area_code, area_name, age_group ("12+"), dose ("Dose 1",
    "Dose 2", "Booster/Dose 3"), date (2023-03-02), vaccinated, population, uptake_pct``:
    all authorities and England; Rutland higher than England for booster/dose 3 and lower for
    doses 1 and 2, as the report says (the levels are invented: ``pin_tables/covid_recovery.csv``).
``covid_deaths_by_place.csv`` — ``area_code, area_name, place_of_death ("Hospital", "Care
    home", "Other"), deaths, as_of_year, as_of_week``: Rutland 57 / 43 / 10 (total 110, as of
    week 7 of 2023); other areas invented in proportion to population.
``covid_excess_deaths.csv`` — ``area_code, area_name, iso_year, iso_week, week_start,
    observed_deaths, expected_deaths, baseline ("2015-19")``: weekly all-cause deaths from week
    12 of 2020 to week 7 of 2023; Rutland's totals are 1,262 observed and 1,119 expected.
``MANIFEST.csv`` — ``file, kind, sha256, rows, generator_version, seed`` for every file above.
``snapshot.json`` — metadata: ``snapshot_id``, ``is_demo`` (true), ``banner``, ``source``
    ("demo"), ``generator_version``, ``seed``, ``data_as_of``, ``subject_area``,
    ``manifest_sha256`` (the snapshot checksum), the files, the indicators and periods, the
    schema substitutions applied (see below) and the caveats.

How values are made
-------------------
Latent factors per authority (deprivation, rurality, older age structure) and invented
populations (Rutland 41,000; City of London and the Isles of Scilly small, so that small counts
and suppression occur; ``pin_tables/area_pins.csv``). Each series: England's level and a gentle
trend; an area effect from the factors, the region and noise; binomial (proportions) or Poisson
(crude rates, the 19 ESP2013 age bands of DSRs, winter/non-winter deaths) draws. Values and
intervals come from :mod:`rutland_jsna.stats`: ``proportion_ci`` (Wilson), ``rate_ci`` (exact
Poisson below 10, Byar's above), ``dsr_ci`` (Dobson; "Value cannot be calculated as number of
cases is too small" below 10 events), at 95% and 99.8%. Approximate intervals for other types
(documented, not Fingertips methods): life expectancy, means and other values use
``value ± z·se`` with ``se = se_100k × √(100000 / population)``; the excess winter deaths index
``(W/N − 1) × 100`` (``Count`` = winter deaths W, ``Denominator`` = mean non-winter 4-month deaths
N) uses ``exp(log(W/N) ± z·√(1/W + 1/N))``; modelled counts have no interval. Regions are sums
of their authorities (means weighted by population for other types); England is generated
separately and pinned. Survey indicators use sample sizes (not populations) as denominators.
Counts of 1-4 are suppressed (blank value and counts, ``Value note`` "Value suppressed for
disclosure control due to small count") for the series flagged ``suppress_small``; 0.2% of the
other authority cells are left blank (missing, no note). Comparison columns come from
``stats.compare_to_benchmark`` (England; the region for authorities), quintile labels (by value
order) for the quintile-method indicator, ``compare_to_goal`` for goal indicators; the Recent
Trend on the latest period comes from ``stats.recent_trend`` (proportions: chi-square test on
counts; other types: weighted regression on the 95% intervals; "Cannot be calculated" for 3- and
5-year periods and irregular survey years).

What is pinned (``pin_tables/``)
-------------------------------
* Outcomes report: the subject's and England's latest values; the neighbour values that give
  the printed rank r/n, Best and Worst (neighbours left blank where n < 16); the printed
  comparison (denominators adjusted until the CI comparison agrees); previous values and
  comparisons stated in the narratives (``extra_pins.csv``: dental 94.6 in 2019/20, deaths at
  home and in hospital 33.9 in 2020, hospital deaths lower since 2019, excess winter deaths
  similar since 2001/02); the P4 dental quintiles (2nd best in 2019/20, middle in 2020/21);
  the direction of travel ("Cannot be calculated": a missing value 4 periods back; "No
  significant change": a flat recent series; "Increasing": a rising one). The report's own
  correction is applied (A01b male Worst 79.2, not 79.0). The two 65+ social-isolation rows
  were ranked by the report as if low were good; their printed Best/Worst/rank are reproduced
  in value order, so a ranking with the catalogue's polarity (high is good) differs there.
* Sexual health Appendix 1: the 11 areas' printed values (today's codes: Buckinghamshire
  E06000060, North Yorkshire E06000065) in the appendix period (the inferred year where the
  needs assessment gives one, otherwise 2014 for annual indicators and 2011 - 13 for HIV late
  diagnosis); blank cells are suppressed values.
* Only rows with a Fingertips id are generated: pins of rows without an id (e.g. the 12-month
  review, HPV, shingles) are kept in ``pin_tables`` but produce no data ("no data" in chapters).

Schema substitutions
--------------------
Where :mod:`rutland_jsna.data.schema` does not (yet) accept a catalogue string, the files use
a schema-valid stand-in, recorded in ``snapshot.json`` and applied by
:func:`demo_series_label`: Sex "Not applicable" → "Persons"; Age ">=37 weeks gestational age
at birth" → "37+ weeks". The stand-ins disappear when the schema accepts the originals.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data import columns as C
from ..data import schema as _schema
from ..data.catalogue import format_period, load_catalogue
from ..data.catalogue_model import Indicator
from .identity import (
    DEFAULT_SEED,
    DEMO_BANNER,
    DEMO_SOURCE,
    DEMO_STORE_NAME,
    GENERATOR_VERSION,
    demo_snapshot_dir,
    fingerprint_inputs,
    generator_fingerprint,
    snapshot_id,
)
from .local import write_local_extracts
from .pins import SeriesKey, load_pins, series_key
from .series import Series, generate_series, series_years
from .world import PINS_DIR, build_world, neighbour_table

if TYPE_CHECKING:
    from ..data.fetch import FetchSummary

__all__ = [
    "DEFAULT_SEED",
    "DEMO_BANNER",
    "DEMO_SOURCE",
    "DEMO_STORE_NAME",
    "GENERATOR_VERSION",
    "demo_series_label",
    "demo_snapshot_dir",
    "ensure_demo_store",
    "fetch_demo",
    "generate_demo_snapshot",
    "fingerprint_inputs",
    "generator_fingerprint",
    "load_demo",
    "snapshot_id",
]

#: "Data as of" written into the metadata (fixed, so that files are reproducible).
DATA_AS_OF = "2023-03-21"
#: Parent area type of the bulk CSVs (the sub-national comparison column's name).
PARENT_SHORT_NAME = "Region"

_AGE_STAND_INS = {">=37 weeks gestational age at birth": "37+ weeks"}


def demo_series_label(ind: Indicator) -> tuple[str, str]:
    """The (Sex, Age) strings a catalogue row's data has in the demonstration files.

    The catalogue's own strings, unless :mod:`rutland_jsna.data.schema` rejects them; then the
    documented stand-in (Sex "Persons"; Age "37+ weeks" for ">=37 weeks gestational age at
    birth").
    """
    sex = ind.sex if ind.sex in _schema.SEXES else "Persons"
    age = ind.age
    if not _schema.is_fingertips_age(age):
        age = _AGE_STAND_INS.get(age, "All ages")
    return sex, age


def _read_params() -> dict[SeriesKey, dict[str, str]]:
    with open(PINS_DIR / "generator_parameters.csv", newline="", encoding="utf-8") as fh:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
    return {(int(r["fingertips_id"]), r["sex"], r["age"]): r for r in rows}


def _series_list(indicators: tuple[Indicator, ...], world) -> list[Series]:
    params = _read_params()
    pins = load_pins(indicators, world, params)
    grouped: dict[SeriesKey, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        if ind.has_data_id:
            grouped[series_key(ind)].append(ind)
    out = []
    for key in sorted(grouped, key=lambda k: (k[0], k[1], k[2])):
        inds = grouped[key]
        if key not in params:
            raise ValueError(f"pin_tables/generator_parameters.csv has no row for {key}")
        rep = inds[0]
        years = series_years(rep, params[key])
        periods = tuple(format_period(rep.period_type, int(y)) for y in years)
        sex, age = demo_series_label(rep)
        out.append(
            Series(
                key=key,
                indicator=rep,
                catalogue_keys=tuple(i.key for i in inds),
                params=params[key],
                years=years,
                periods=periods,
                pins=pins.get(key) or type(next(iter(pins.values())))(),
                sex_out=sex,
                age_out=age,
            )
        )
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _format_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Bulk-CSV text columns: whole counts without a decimal point, blanks for missing."""
    out = df.copy()
    for col in (C.COUNT, C.DENOMINATOR):
        v = out[col].to_numpy(dtype=float)
        whole = np.isfinite(v) & (v == np.round(v))
        text = np.where(np.isfinite(v), v.astype(object), "")
        text[whole] = v[whole].astype(np.int64).astype(str)
        out[col] = text
    return out


def _write_bulk(frame: pd.DataFrame, path: Path) -> int:
    header = C.bulk_header(PARENT_SHORT_NAME)
    frame = _format_frame(frame[list(C.TIDY_COLUMNS)])
    frame.columns = header
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format=None)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return len(frame)


def generate_demo_snapshot(
    out_dir: str | Path | None = None, seed: int = DEFAULT_SEED, *, overwrite: bool = True
) -> Path:
    """Generate the demonstration snapshot (see the module docstring for its contents).

    Parameters
    ----------
    out_dir : path-like, optional
        Folder to write; default ``raw_dir()/demo/<snapshot id>``. Created if absent; an
        existing folder is replaced (``overwrite=False`` raises instead).
    seed : int, default :data:`DEFAULT_SEED`
        The same seed (and generator version) gives byte-identical files.

    Returns
    -------
    pathlib.Path
        The snapshot folder.

    Raises
    ------
    FileExistsError
        If the folder exists and ``overwrite`` is False.
    ValueError
        If a pin cannot be reproduced (naming the series, area and period).
    """
    seed = int(seed)
    folder = Path(out_dir) if out_dir is not None else demo_snapshot_dir(seed)
    if folder.exists() and not overwrite:
        raise FileExistsError(f"{folder} exists; pass overwrite=True to replace it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Written into a private folder and moved into place at the end, so that a reader (or a
    # second process generating the same snapshot) never sees a half-written snapshot.
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))

    indicators = load_catalogue()
    world = build_world(seed)
    series = _series_list(indicators, world)
    by_id: dict[int, list[pd.DataFrame]] = defaultdict(list)
    periods_meta = {}
    # Persons first: the sexes of the same indicator and age follow it.
    persons = {
        (s.key[0], s.age_out): generate_series(s, world, seed)
        for s in series
        if s.sex_out == "Persons"
    }
    for s in series:  # files keep the series order
        by_id[s.key[0]].append(
            persons[(s.key[0], s.age_out)]
            if s.sex_out == "Persons"
            else generate_series(s, world, seed, persons.get((s.key[0], s.age_out)))
        )
        periods_meta[f"{s.key[0]}|{s.sex_out}|{s.age_out}"] = list(s.periods)

    files: list[dict[str, Any]] = []
    for fid in sorted(by_id):
        name = f"indicator_{fid}.csv"
        rows = _write_bulk(pd.concat(by_id[fid], ignore_index=True), tmp / name)
        files.append({"file": name, "kind": "bulk_csv", "rows": rows})
    nb = neighbour_table(world)
    nb.to_csv(tmp / "neighbours.csv", index=False, lineterminator="\n")
    files.append({"file": "neighbours.csv", "kind": "neighbours", "rows": len(nb)})
    for name, rows in write_local_extracts(tmp, world, seed):
        files.append({"file": name, "kind": "local_extract", "rows": rows})

    manifest = tmp / "MANIFEST.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["file", "kind", "sha256", "rows", "generator_version", "seed"])
        for f in files:
            w.writerow(
                [f["file"], f["kind"], _sha256(tmp / f["file"]), f["rows"], GENERATOR_VERSION, seed]
            )
    substitutions = sorted(
        {
            f"{i.sex}|{i.age} -> {'|'.join(demo_series_label(i))}"
            for i in indicators
            if i.has_data_id and (i.sex, i.age) != demo_series_label(i)
        }
    )
    meta = {
        "snapshot_id": snapshot_id(seed),
        "is_demo": True,
        "banner": DEMO_BANNER,
        "source": DEMO_SOURCE,
        "generator": "rutland_jsna.demo",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "data_as_of": DATA_AS_OF,
        "subject_area": world.subject_code,
        "parent_area_type": PARENT_SHORT_NAME,
        "manifest_sha256": _sha256(manifest),
        "files": [f["file"] for f in files],
        "indicator_ids": sorted(by_id),
        "series_periods": periods_meta,
        "schema_substitutions": substitutions,
        "caveats": [
            "Invented data in the Fingertips bulk-CSV schema; not official statistics.",
            "Rutland's and England's published values, ranks, comparisons and appendix values are "
            "pinned; everything else is simulated.",
            "Sexual health: 2015-era appendix values are placed on today's area codes.",
        ],
    }
    (tmp / "snapshot.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _move_into_place(tmp, folder, overwrite)
    return folder


def _move_into_place(tmp: Path, folder: Path, overwrite: bool) -> None:
    """Rename ``tmp`` to ``folder``; an existing folder is replaced only with ``overwrite``.

    If another process put the (byte-identical) snapshot in place meanwhile and ``overwrite``
    is False, ours is discarded.
    """
    try:
        tmp.rename(folder)
        return
    except OSError:
        if not folder.exists():
            raise
    if not overwrite:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    old.rmdir()
    folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _snapshot_metadata(folder: Path) -> dict[str, Any]:
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    if meta.get("manifest_sha256") != _sha256(folder / "MANIFEST.csv"):
        raise ValueError(f"{folder}: MANIFEST.csv does not match the checksum in snapshot.json")
    return meta


def _verify_manifest(folder: Path) -> list[dict[str, str]]:
    with open(folder / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        actual = _sha256(folder / r["file"])
        if actual != r["sha256"]:
            from ..data.errors import ChecksumMismatchError

            raise ChecksumMismatchError(str(folder / r["file"]), r["sha256"], actual)
    return rows


def _read_snapshot(folder: Path) -> pd.DataFrame:
    from ..data.store import read_bulk_csv

    rows = _verify_manifest(folder)
    frames = [read_bulk_csv(folder / r["file"]) for r in rows if r["kind"] == "bulk_csv"]
    return pd.concat(frames, ignore_index=True)


def ensure_demo_store(
    seed: int = DEFAULT_SEED,
    *,
    snapshot_dir: str | Path | None = None,
    store_dir: str | Path | None = None,
    force: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Make sure the snapshot and the processed store table ``demo`` exist; return them.

    Generates the snapshot if it is missing (or ``force``), checks every file against the
    manifest, validates the rows (:func:`rutland_jsna.data.store.read_bulk_csv`, which applies
    :func:`rutland_jsna.data.schema.validate_tidy`) and writes the processed table with
    :func:`rutland_jsna.data.store.write_processed` (source "demo", ``is_demo`` True, the
    input checksums). A store table already written from the same snapshot is read back instead.

    Returns
    -------
    (DataFrame, dict)
        The tidy table (:data:`~rutland_jsna.data.columns.TIDY_COLUMNS`) and metadata:
        ``source``, ``is_demo``, ``banner``, ``snapshot_id``, ``snapshot_checksum`` (the
        manifest's sha256), ``snapshot_dir``, ``seed``, ``generator_version``, ``data_as_of``,
        ``store_path``.
    """
    from ..data.store import processed_paths, read_processed, write_processed

    folder = Path(snapshot_dir) if snapshot_dir is not None else demo_snapshot_dir(seed)
    if force:
        generate_demo_snapshot(folder, seed)
    elif not (folder / "snapshot.json").exists():
        try:
            generate_demo_snapshot(folder, seed, overwrite=False)
        except FileExistsError:  # a folder without snapshot.json: an interrupted old write
            generate_demo_snapshot(folder, seed, overwrite=True)
    meta = _snapshot_metadata(folder)
    checksum = meta["manifest_sha256"]
    info = {
        "source": DEMO_SOURCE,
        "is_demo": True,
        "banner": DEMO_BANNER,
        "snapshot_id": meta["snapshot_id"],
        "snapshot_checksum": checksum,
        "snapshot_dir": str(folder),
        "seed": meta["seed"],
        "generator_version": meta["generator_version"],
        "data_as_of": meta["data_as_of"],
    }
    if not force:
        try:
            frame, stored = read_processed(DEMO_STORE_NAME, directory=store_dir)
        except (FileNotFoundError, ValueError):
            stored = None
        if stored is not None and stored.input_checksums.get("MANIFEST.csv") == checksum:
            info["store_path"] = str(processed_paths(DEMO_STORE_NAME, store_dir)[0])
            return frame, info
    frame = _read_snapshot(folder)
    path = write_processed(
        frame,
        DEMO_STORE_NAME,
        {"source": DEMO_SOURCE, "is_demo": True, "input_checksums": {"MANIFEST.csv": checksum}},
        directory=store_dir,
    )
    info["store_path"] = str(path)
    frame, _ = read_processed(DEMO_STORE_NAME, directory=store_dir)
    return frame, info


def load_demo(
    seed: int = DEFAULT_SEED,
    *,
    snapshot_dir: str | Path | None = None,
    store_dir: str | Path | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The demonstration tidy table and its metadata (see :func:`ensure_demo_store`).

    Every chapter built from it must show ``metadata["banner"]`` (:data:`DEMO_BANNER`).
    """
    return ensure_demo_store(seed, snapshot_dir=snapshot_dir, store_dir=store_dir)


def _metadata_summary(meta: Mapping[str, Any]) -> str:  # pragma: no cover - debugging aid
    return f"{meta['snapshot_id']} ({meta['banner']})"


def fetch_demo(*, force: bool = False, store_dir: str | Path | None = None) -> FetchSummary:
    """Generate (or reuse) the demonstration snapshot and its processed table ``demo``
    (what ``rutland-jsna fetch --source demo`` does; the summary of a Fingertips fetch)."""
    from ..data.fetch import FetchSummary

    frame, meta = ensure_demo_store(store_dir=store_dir, force=force)
    return FetchSummary(
        source=f"demonstration snapshot {meta['snapshot_id']} ({meta['banner']})",
        table_path=Path(meta["store_path"]),
        rows=len(frame),
        indicators=int(frame[C.INDICATOR_ID].nunique()),
        checksum=str(meta["snapshot_checksum"]),
    )
