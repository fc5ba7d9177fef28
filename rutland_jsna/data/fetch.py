"""Getting data into the processed store: the demonstration snapshot or a Fingertips download.

What ``rutland-jsna fetch`` and ``rutland-jsna validate`` call.

* :func:`fetch_demo` generates (or reuses) the deterministic demonstration snapshot and writes
  the processed table ``demo``.
* :func:`fetch_fingertips` downloads every catalogue indicator with a Fingertips id from the
  bulk CSV endpoint, one request batch per profile (so polarity and benchmarks follow the
  profile each chapter reproduces), keeps the raw files in the write-once cache, downloads the
  nearest neighbours of the subject area(s), and writes the processed tables ``fingertips``
  (tidy, validated) and ``fingertips_neighbours`` (area_code, position, neighbour_code, model).
* :func:`validate_file` checks a bulk CSV, a local extract or a processed table and reports
  every broken rule with its file, rows and column.

Nothing is written to ``data/processed`` unless every downloaded row passes validation.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import DEFAULT_AREA_CODE, processed_dir
from . import columns as C
from .paths import FINGERTIPS_TABLE, NEIGHBOURS_TABLE

#: Upper-tier local authorities, April 2023 boundaries (153 areas; fingertips_api.md §3).
UTLA_AREA_TYPE_ID = 502
#: Regions: the parent of the bulk CSV (its sub-national comparison column).
REGION_AREA_TYPE_ID = 6
NEIGHBOUR_COLUMNS = ("area_code", "position", "neighbour_code", "neighbour_name", "model")


@dataclass(frozen=True)
class FetchSummary:
    """What a fetch did, for the terminal and the build's provenance."""

    source: str
    table_path: Path
    rows: int
    indicators: int
    checksum: str
    missing_indicator_ids: tuple[int, ...] = ()
    neighbour_models: tuple[str, ...] = ()
    raw_files: tuple[str, ...] = field(default=(), repr=False)

    def lines(self) -> list[str]:
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
        return out


def fetch_demo(*, force: bool = False, store_dir: str | Path | None = None) -> FetchSummary:
    """Generate (or reuse) the demonstration snapshot and its processed table ``demo``."""
    from .. import demo

    frame, meta = demo.ensure_demo_store(store_dir=store_dir, force=force)
    return FetchSummary(
        source=f"demonstration snapshot {meta['snapshot_id']} ({meta['banner']})",
        table_path=Path(meta["store_path"]),
        rows=len(frame),
        indicators=int(frame[C.INDICATOR_ID].nunique()),
        checksum=str(meta["snapshot_checksum"]),
    )


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
) -> FetchSummary:
    """Download the catalogue's indicators and the areas' neighbours into the processed store.

    Parameters
    ----------
    client : FingertipsClient, optional
        Default: a client on the live API with the write-once cache in ``data/raw/fingertips``
        (``offline=True``: read that cache only).
    area_codes : sequence of str
        Subject areas whose nearest neighbours are downloaded (the data covers every area).
    child_area_type_id, parent_area_type_id : int
        Boundary vintage of the areas (502) and parent type of the comparison column (6).
    requests : dict, optional
        Profile id → indicator ids (default :func:`catalogue_requests`).

    Returns
    -------
    FetchSummary

    Raises
    ------
    FingertipsError
        Unreachable service (after retries), schema drift, no data; nothing is written.
    DataValidationError
        Downloaded rows break the schema; the error lists file, rows, column and rule, and
        nothing is written to the processed store.
    """
    from .fingertips import FingertipsClient, fetch_indicators
    from .store import read_bulk_csv, write_processed

    client = client if client is not None else FingertipsClient(offline=offline)
    requests = requests if requests is not None else catalogue_requests()
    frames: list[pd.DataFrame] = []
    files: list[Any] = []
    missing: list[int] = []
    for profile_id, ids in requests.items():
        result = fetch_indicators(
            client, ids, child_area_type_id, parent_area_type_id, profile_id, progress=progress
        )
        # Re-read each cached raw file through the store's reader, which validates it, so an
        # error names the downloaded file and its spreadsheet row numbers.
        frames.extend(read_bulk_csv(f.path) for f in result.files)
        files.extend(result.files)
        missing.extend(result.missing_indicator_ids)
    data = pd.concat(frames, ignore_index=True)
    # An indicator published under two profiles appears once (the first profile's view).
    data = data.drop_duplicates(subset=list(C.KEY_COLUMNS), keep="first", ignore_index=True)

    neighbours, models = _neighbour_table(client, area_codes, child_area_type_id)
    checksums = {Path(f.path).name: f.sha256 for f in files if getattr(f, "path", None)}
    path = write_processed(
        data,
        FINGERTIPS_TABLE,
        {"source": "Fingertips API (fingertips.phe.org.uk)", "is_demo": False,
         "input_checksums": checksums},
        directory=store_dir,
    )
    _write_csv_atomic(neighbours, path.parent / f"{NEIGHBOURS_TABLE}.csv")
    from .store import read_processed

    _, meta = read_processed(FINGERTIPS_TABLE, directory=path.parent)
    return FetchSummary(
        source="Fingertips API",
        table_path=path,
        rows=len(data),
        indicators=int(data[C.INDICATOR_ID].nunique()),
        checksum=meta.sha256,
        missing_indicator_ids=tuple(sorted(set(missing))),
        neighbour_models=tuple(models),
        raw_files=tuple(str(getattr(f, "path", f)) for f in files),
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            frame.to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ validate
def _validate_bulk(path: Path) -> int:
    from .store import read_bulk_csv

    return len(read_bulk_csv(path))


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
        if header.startswith("Indicator ID,"):
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
