"""Getting data into the processed store: the demonstration snapshot or a Fingertips download.

What ``rutland-jsna fetch``, ``import`` and ``validate`` call.

* :func:`rutland_jsna.demo.fetch_demo` (in the demo package, above this layer) generates the
  demonstration snapshot and writes the processed table ``demo``.
* :func:`fetch_fingertips` downloads every catalogue indicator with a Fingertips id from the
  bulk CSV endpoint, one request batch per profile (so polarity and benchmarks follow the
  profile each chapter reproduces), keeps the raw files in the write-once cache, downloads the
  nearest neighbours of the subject area(s), and writes the processed tables ``fingertips``
  (tidy, validated) and ``fingertips_neighbours`` (area_code, position, neighbour_code, model),
  with the data report ``fingertips.issues.csv`` and the indicator table
  ``fingertips.indicators.csv`` (polarity from the source).
* :func:`import_files` does the same for Fingertips files already downloaded (bulk CSVs and
  website downloads, 27- or 26-column layout).
* :func:`validate_file` checks a bulk CSV, a local extract or a processed table and reports
  every broken rule with its file, rows and column.

Partial data is normal, not fatal: a downloaded row that breaks a rule is quarantined (listed
in the data report with its file, row, column and rule) and the rest is stored
(:mod:`rutland_jsna.data.quality`). A file whose header lacks a required column, a service
that cannot be reached or a download with no valid row writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import DEFAULT_AREA_CODE, processed_dir
from . import columns as C
from .errors import DataValidationError, ValidationFailure
from .paths import FINGERTIPS_TABLE, NEIGHBOURS_TABLE

#: Upper-tier local authorities, April 2023 boundaries (153 areas; docs/fingertips_api.md §3).
UTLA_AREA_TYPE_ID = 502
#: Regions: the parent of the bulk CSV (its sub-national comparison column).
REGION_AREA_TYPE_ID = 6
NEIGHBOUR_COLUMNS = ("area_code", "position", "neighbour_code", "neighbour_name", "model")


@dataclass(frozen=True)
class FetchSummary:
    """What a fetch or an import did, for the terminal and the build's provenance."""

    source: str
    table_path: Path
    rows: int
    indicators: int
    checksum: str
    missing_indicator_ids: tuple[int, ...] = ()
    neighbour_models: tuple[str, ...] = ()
    raw_files: tuple[str, ...] = field(default=(), repr=False)
    issues: pd.DataFrame | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        from .quality import issues_path, summary_lines

        out = [
            f"source: {self.source}",
            f"processed table: {self.table_path} ({self.rows:,} rows, {self.indicators} indicators)",
            f"sha256: {self.checksum}",
        ]
        if self.raw_files:
            out.append(f"raw files: {len(self.raw_files)} (write-once cache with MANIFEST.csv)")
        if self.neighbour_models:
            out.append("neighbour model: " + "; ".join(self.neighbour_models))
        if self.missing_indicator_ids:
            ids = ", ".join(str(i) for i in self.missing_indicator_ids)
            out.append(f"no rows returned for indicator ids: {ids}")
        out.extend(self.notes)
        if self.issues is not None:
            out.extend(summary_lines(self.issues, issues_path(self.table_path)))
        return out


def catalogue_requests() -> dict[int | None, list[int]]:
    """Indicator ids to download, grouped by the profile whose view each chapter reproduces.

    Profiles in catalogue order (outcomes first); an id wanted by two profiles is requested
    from the first only. ``None`` collects indicators whose profile is not resolved (they are
    downloaded without ``profile_id``, i.e. with the indicator's default polarity).
    """
    from .catalogue import load_catalogue

    groups: dict[int | None, list[int]] = {}
    seen: set[int] = set()
    for ind in load_catalogue():
        if not ind.has_data_id or ind.fingertips_id in seen:
            continue
        seen.add(int(ind.fingertips_id))
        groups.setdefault(ind.profile_id, []).append(int(ind.fingertips_id))
    return groups


def fetch_fingertips(
    client: Any = None,
    *,
    area_codes: Sequence[str] = (DEFAULT_AREA_CODE,),
    child_area_type_id: int = UTLA_AREA_TYPE_ID,
    parent_area_type_id: int = REGION_AREA_TYPE_ID,
    offline: bool = False,
    progress: bool = True,
    store_dir: str | Path | None = None,
    requests: dict[int | None, list[int]] | None = None,
    base_url: str | None = None,
) -> FetchSummary:
    """Download the catalogue's indicators and the areas' neighbours into the processed store.

    Parameters
    ----------
    client : FingertipsClient, optional
        Default: a client on the API root :func:`~rutland_jsna.data.fingertips.resolve_base_url`
        gives (``base_url``, else ``$RUTLAND_JSNA_FINGERTIPS_URL``, else the live API) with the
        write-once cache in ``data/raw/fingertips`` (``offline=True``: read that cache only).
    area_codes : sequence of str
        Subject areas whose nearest neighbours are downloaded (the data covers every area).
    child_area_type_id, parent_area_type_id : int
        Boundary vintage of the areas (502) and parent type of the comparison column (6).
    requests : dict, optional
        Profile id → indicator ids (default :func:`catalogue_requests`).
    base_url : str, optional
        API root for the default client (a mirror, a proxy, a test server).

    Returns
    -------
    FetchSummary
        With the data report (``issues``) and the API root used in ``source``.

    Raises
    ------
    FingertipsError
        Unreachable service (after retries), schema drift, no data; nothing is written.
    DataValidationError
        A downloaded file whose header lacks a required column, or a download in which no row
        passes validation; nothing is written. Rows that break a rule are quarantined instead:
        the rest is stored and the data report (``data/processed/fingertips.issues.csv``) lists
        each quarantined row with its file, row, column and rule.

    Notes
    -----
    Beside ``fingertips.csv`` (and its sidecar, whose ``source`` names the API root actually
    used) the fetch writes ``fingertips_neighbours.csv``, the data report
    ``fingertips.issues.csv`` and the indicator table ``fingertips.indicators.csv`` (each
    indicator's polarity as the profile's metadata, or else the download's comparison words,
    give it; :mod:`rutland_jsna.data.polarity`).
    """
    from .catalogue import load_catalogue
    from .errors import FingertipsNoDataError
    from .fingertips import FingertipsClient, fetch_indicators, resolve_base_url
    from .polarity import catalogue_disagreements, source_polarities
    from .quality import combine, screen_bulk_csv

    if client is None:
        client = FingertipsClient(resolve_base_url(base_url), offline=offline)
    requests = requests if requests is not None else catalogue_requests()
    screened = []
    files: list[Any] = []
    missing: list[int] = []
    metadata: list[pd.DataFrame] = []
    notes: list[str] = []
    no_data: list[FingertipsNoDataError] = []
    for profile_id, ids in requests.items():
        try:
            result = fetch_indicators(
                client, ids, child_area_type_id, parent_area_type_id, profile_id,
                progress=progress,
            )
        except FingertipsNoDataError as exc:
            # One profile without data does not stop the others; the chapters say which
            # indicators are missing. All profiles without data is an error (below).
            no_data.append(exc)
            missing.extend(ids)
            continue
        # Re-read each cached raw file through the store's screen, so a quarantined row is
        # named by the downloaded file and its spreadsheet row number.
        screened.extend(screen_bulk_csv(f.path) for f in result.files)
        files.extend(result.files)
        missing.extend(result.missing_indicator_ids)
        meta, note = _profile_metadata(client, ids, profile_id)
        metadata.append(meta)
        notes.extend(note)
    if no_data and not screened:
        raise no_data[0]
    data, issues = combine(screened)
    if data.empty:
        raise DataValidationError(
            [f for s in screened for f in _as_failures(s)][:20]
            or [ValidationFailure(column="", rule="no row could be stored")],
            "Fingertips download",
        )
    table = source_polarities(data, pd.concat(metadata, ignore_index=True) if metadata
                              else None)
    issues = pd.concat([issues, catalogue_disagreements(table, load_catalogue())],
                       ignore_index=True)

    neighbours, models = _neighbour_table(client, area_codes, child_area_type_id)
    checksums = {Path(f.path).name: f.sha256 for f in files if getattr(f, "path", None)}
    source = f"Fingertips API ({client.base_url})"
    path = _write_store(data, FINGERTIPS_TABLE, source, checksums, store_dir, issues, table)
    _write_csv_atomic(neighbours, path.parent / f"{NEIGHBOURS_TABLE}.csv")
    from .store import read_processed

    _, meta_ = read_processed(FINGERTIPS_TABLE, directory=path.parent)
    return FetchSummary(
        source=source,
        table_path=path,
        rows=len(data),
        indicators=int(data[C.INDICATOR_ID].nunique()),
        checksum=meta_.sha256,
        missing_indicator_ids=tuple(sorted(set(missing))),
        neighbour_models=tuple(models),
        raw_files=tuple(str(getattr(f, "path", f)) for f in files),
        issues=issues,
        notes=tuple(notes),
    )


def _as_failures(screened: Any) -> list[ValidationFailure]:
    """The quarantined rows of a screened file, as failures for an error message."""
    from .quality import QUARANTINED

    bad = screened.issues[screened.issues["action"] == QUARANTINED]
    return [
        ValidationFailure(column=str(col), rule=str(rule), file=screened.source,
                          rows=tuple(int(r) for r in grp["row"]))
        for (col, rule), grp in bad.groupby(["column", "rule"], sort=False)
    ]


def _profile_metadata(
    client: Any, ids: Sequence[int], profile_id: int | None
) -> tuple[pd.DataFrame, list[str]]:
    """``indicator_id, polarity`` from the profile's metadata CSV (best effort: a source
    without it leaves the polarity to the download's comparison words)."""
    from .cache import CacheMissError
    from .errors import FingertipsError

    try:
        meta = client.indicator_metadata_csv(ids, profile_id=profile_id)
    except (FingertipsError, CacheMissError) as exc:
        first = str(exc).splitlines()[0][:160]
        return pd.DataFrame(columns=["indicator_id", "polarity"]), [
            f"polarity metadata not available for profile {profile_id} ({first}); the "
            "comparison words of the download are used"]
    return meta[["indicator_id", "polarity"]], []


def _write_store(
    data: pd.DataFrame,
    name: str,
    source: str,
    checksums: dict[str, str],
    store_dir: str | Path | None,
    issues: pd.DataFrame,
    indicator_table: pd.DataFrame,
) -> Path:
    """Write a real-data processed table with its data report and indicator table."""
    from .polarity import write_indicator_table
    from .quality import write_issues
    from .store import write_processed

    path = write_processed(
        data, name, {"source": source, "is_demo": False, "input_checksums": checksums},
        directory=store_dir,
    )
    write_issues(issues, path)
    write_indicator_table(indicator_table, path)
    return path


def import_name(path: str | Path) -> str:
    """The processed-table name ``build --source FILE.csv`` imports a download under: the
    file's stem with every character other than letters, digits, ``_`` and ``-`` as ``_``."""
    import re

    stem = re.sub(r"[^A-Za-z0-9_\-]", "_", Path(path).stem).strip("_-") or "imported"
    return stem[:100]


def import_files(
    paths: Sequence[str | Path],
    *,
    name: str = FINGERTIPS_TABLE,
    store_dir: str | Path | None = None,
) -> FetchSummary:
    """Turn Fingertips downloads (bulk CSVs or website downloads) into a processed store.

    What ``rutland-jsna import FILE...`` calls. Every file is screened
    (:func:`rutland_jsna.data.quality.screen_bulk_csv`: the 27-column bulk and the 26-column
    pre-2022 layouts); rows breaking a rule are quarantined and the rest stored; a key that
    appears in several files is kept from the first (an exact repeat, such as England in
    every regional download, is stored once).

    Parameters
    ----------
    paths : sequence of path
        The downloads, in priority order.
    name : str
        Processed-table name (default ``fingertips``, so that ``build --source fingertips``
        uses it).
    store_dir : path, optional
        Default ``data/processed``.

    Returns
    -------
    FetchSummary
        With the data report (``issues``), written as ``<name>.issues.csv``.

    Raises
    ------
    FileNotFoundError
        A file does not exist.
    DataValidationError
        A file's header lacks a required column (naming the file and column), or no row of
        any file passes validation. Nothing is written.
    """
    import hashlib

    from .catalogue import load_catalogue
    from .polarity import catalogue_disagreements, source_polarities
    from .quality import combine, screen_bulk_csv
    from .store import read_processed

    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("paths: give at least one file to import")
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"{f}: no such file")
    screened = [screen_bulk_csv(f) for f in files]
    data, issues = combine(screened)
    if data.empty:
        raise DataValidationError(
            [x for s in screened for x in _as_failures(s)][:20]
            or [ValidationFailure(column="", rule="no row could be stored")],
            ", ".join(f.name for f in files),
        )
    table = source_polarities(data)
    issues = pd.concat([issues, catalogue_disagreements(table, load_catalogue())],
                       ignore_index=True)
    checksums = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    shown = ", ".join(f.name for f in files[:3]) + (f" and {len(files) - 3} more"
                                                     if len(files) > 3 else "")
    source = f"Fingertips downloads imported from {len(files)} file(s): {shown}"
    path = _write_store(data, name, source, checksums, store_dir, issues, table)
    _, meta = read_processed(name, directory=path.parent)
    return FetchSummary(
        source=source, table_path=path, rows=len(data),
        indicators=int(data[C.INDICATOR_ID].nunique()), checksum=meta.sha256,
        raw_files=tuple(str(f) for f in files), issues=issues,
    )


def _neighbour_table(
    client: Any, area_codes: Iterable[str], area_type_id: int
) -> tuple[pd.DataFrame, list[str]]:
    rows: list[dict[str, Any]] = []
    models: list[str] = []
    for code in dict.fromkeys(area_codes):
        nn = client.nearest_neighbours(code, area_type_id)
        if nn.model_name not in models:
            models.append(nn.model_name)
        for _, r in nn.areas.iterrows():
            rows.append(
                {
                    "area_code": code,
                    "position": int(r["rank"]),
                    "neighbour_code": r["area_code"],
                    "neighbour_name": r["area_name"],
                    "model": nn.model_name,
                }
            )
    return pd.DataFrame(rows, columns=list(NEIGHBOUR_COLUMNS)), models


def read_neighbours(directory: str | Path | None = None) -> pd.DataFrame | None:
    """The neighbour table written by :func:`fetch_fingertips`, or None if there is none."""
    path = Path(directory or processed_dir()) / f"{NEIGHBOURS_TABLE}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"area_code": "str", "neighbour_code": "str"})


def _write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    from .store import write_csv_atomic

    write_csv_atomic(frame, path)


# ------------------------------------------------------------------------------ validate
def _validate_bulk(path: Path) -> int:
    from .store import read_bulk_csv

    return len(read_bulk_csv(path))


def screen_file(path: str | Path) -> Any:
    """Screen a Fingertips download for ``validate``: the rows that would be stored and the
    data report (:class:`rutland_jsna.data.quality.Screened`)."""
    from .quality import screen_bulk_csv

    return screen_bulk_csv(path)


def _validate_processed(path: Path) -> int:
    from .store import read_processed

    frame, _ = read_processed(path.stem, directory=path.parent, validate=True)
    return len(frame)


def _local_validator(kind: str) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        from .local import load_local_extract

        return len(load_local_extract(path, kind))

    return run


def detect_kind(path: Path) -> str:
    """Guess what a file is: ``bulk`` (27-column Fingertips CSV), ``processed`` (a CSV with a
    JSON sidecar) or a local-extract kind named in its file name (e.g. ``dental_access``)."""
    from .local import EXTRACT_KINDS

    if path.suffix == ".csv" and path.with_suffix(".json").is_file():
        return "processed"
    for kind in EXTRACT_KINDS:
        if kind in path.stem:
            return kind
    if path.suffix == ".csv":
        header = path.open(encoding="utf-8-sig").readline()
        if header.startswith(("Indicator ID,", '"Indicator ID",')):
            return "bulk"
    raise ValueError(
        f"{path}: cannot tell what this file is; give --kind bulk, processed or one of "
        f"{sorted(EXTRACT_KINDS)}"
    )


def validate_file(path: str | Path, kind: str | None = None) -> tuple[str, int]:
    """Validate one file; return ``(kind, rows)`` or raise the validation error.

    Raises
    ------
    DataValidationError
        Every broken rule, with the file, 1-based row numbers, column and rule.
    ChecksumMismatchError
        A processed table no longer matches its sidecar's checksum.
    """
    from .local import EXTRACT_KINDS

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    kind = kind or detect_kind(p)
    validators: dict[str, Callable[[Path], int]] = {
        "bulk": _validate_bulk,
        "processed": _validate_processed,
        **{k: _local_validator(k) for k in EXTRACT_KINDS},
    }
    if kind not in validators:
        raise ValueError(f"kind: unknown kind {kind!r}; expected one of {sorted(validators)}")
    return kind, validators[kind](p)
