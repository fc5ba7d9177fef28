"""The tidy store: bulk CSV in, validated processed tables out, with checksummed sidecars.

Data flows one way (docs/architecture.md): ``data/raw`` → :func:`read_bulk_csv` (validate, tidy) →
:func:`write_processed` → ``data/processed/<name>.csv`` + ``<name>.json`` →
:func:`read_processed`.

* :func:`read_bulk_csv` reads a Fingertips bulk CSV (the 27 columns of docs/fingertips_api.md §5.1),
  renames the columns to the tidy names and validates every row
  (:func:`rutland_jsna.data.schema.validate_tidy`).
* :func:`write_processed` validates first and writes nothing if any rule is broken; then it
  writes the CSV and its JSON sidecar atomically (temporary file in the same folder, then
  ``os.replace``), CSV first, sidecar last.
* :func:`read_processed` checks the CSV against the sha256 in the sidecar before parsing it, and
  returns the frame with the tidy dtypes: a write/read round trip gives back identical rows.
  The rows were validated when they were written, so a file whose sha256 matches its sidecar
  is not validated again (``validate=True`` forces it): it is read back from a pickled copy
  keyed by that sha256 (``data/processed/.cache/``, written by :func:`write_processed` and by
  the first read), or parsed with the tidy dtypes when there is none. Reading the 100,000-row
  demonstration store takes about 0.1 s instead of 2.5 s.

The sidecar (``<name>.json``) holds :class:`ProcessedMetadata`: ``name``, ``source``,
``is_demo``, ``created_at`` (UTC, ISO 8601), ``sha256`` of the CSV bytes, ``rows``,
``package_version`` and ``input_checksums`` (input file → sha256).

Every function takes ``directory=`` so tests (and users) can point it anywhere; the default is
:func:`rutland_jsna.config.processed_dir`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..config import processed_dir
from . import columns as C
from .errors import ChecksumMismatchError, DataValidationError, ValidationFailure
from .paths import processed_paths

__all__ = [
    "METADATA_INPUT_KEYS",
    "ProcessedChecksumError",
    "ProcessedMetadata",
    "processed_cache_dir",
    "processed_paths",
    "read_bulk_csv",
    "read_bulk_text",
    "read_processed",
    "write_csv_atomic",
    "write_processed",
]

#: A processed table's name: letters, digits, "_" and "-" (it becomes a file name).
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
#: Keys the caller may give in ``metadata`` (the rest is filled in by :func:`write_processed`).
METADATA_INPUT_KEYS: tuple[str, ...] = ("source", "is_demo", "input_checksums")
_FORMAT = "rutland_jsna.processed/1"
#: Environment variable: set to ``0`` to disable the pickled copies of processed tables.
CACHE_ENV = "RUTLAND_JSNA_STORE_CACHE"
#: Pickled copies kept (newest first); older ones are deleted when a new one is written.
CACHE_KEEP = 6
_INT_COLUMNS = (C.INDICATOR_ID, C.TIME_PERIOD_SORTABLE)


def validate_tidy(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """:func:`rutland_jsna.data.schema.validate_tidy`, imported on first use (pandera is slow
    to import and a verified read does not need it)."""
    from .schema import validate_tidy as _validate_tidy

    return _validate_tidy(*args, **kwargs)


class ProcessedChecksumError(ChecksumMismatchError):
    """A processed CSV no longer matches the sha256 recorded in its sidecar."""

    def __init__(self, path: str, expected: str, actual: str):
        self.path, self.expected, self.actual = path, expected, actual
        Exception.__init__(
            self,
            f"{path}: checksum mismatch (sidecar sha256 {expected[:12]}…, file {actual[:12]}…); "
            "the processed file was changed after it was written and will not be used — "
            "delete it and rebuild it from data/raw",
        )


@dataclass(frozen=True)
class ProcessedMetadata:
    """The JSON sidecar of a processed table.

    Attributes
    ----------
    name : str
        Table name (the file is ``<name>.csv``).
    source : str
        Where the rows came from (e.g. "Fingertips API 2025-06-03", "demo snapshot seed 20250601").
    is_demo : bool
        True for demonstration data (chapters then carry the "Demonstration data" banner).
    created_at : str
        UTC time of writing, ISO 8601.
    sha256 : str
        sha256 of the CSV file's bytes.
    rows : int
        Number of data rows.
    package_version : str
        ``rutland_jsna.__version__`` that wrote the file.
    input_checksums : dict of str to str
        Input file name → sha256 (may be empty).
    """

    name: str
    source: str
    is_demo: bool
    created_at: str
    sha256: str
    rows: int
    package_version: str
    input_checksums: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"format": _FORMAT, **asdict(self)}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, path: str) -> ProcessedMetadata:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: sidecar is not valid JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: sidecar must be a JSON object")
        raw.pop("format", None)
        wanted = {f for f in cls.__dataclass_fields__}
        missing = sorted(wanted - raw.keys())
        if missing:
            raise ValueError(f"{path}: sidecar lacks {', '.join(missing)}")
        extra = sorted(raw.keys() - wanted)
        if extra:
            raise ValueError(f"{path}: sidecar has unknown keys {', '.join(extra)}")
        return cls(**raw)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Reading the bulk CSV
# --------------------------------------------------------------------------------------------


def _read_text_csv(data: str | Path | io.BytesIO) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a CSV as text; blank lines are dropped but keep their place in the row numbering."""
    df = pd.read_csv(
        data,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        encoding="utf-8-sig",
    )
    empty = df.isna().all(axis=1).to_numpy()
    row_numbers = np.arange(len(df)) + 2
    return df.loc[~empty].reset_index(drop=True), row_numbers[~empty]


def read_bulk_text(path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A Fingertips download as tidy text columns, and the file row of each row.

    The header is matched by :func:`rutland_jsna.data.layouts.map_header` (27-column bulk or
    26-column pre-2022 layout; ``Time period range`` derived where absent). Nothing is
    validated but the header.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataValidationError
        If a required column is missing or renamed, or two columns map to one tidy name.
    """
    from .layouts import map_header, to_tidy_text

    path = Path(path)
    source = path.name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such bulk CSV file")
    raw, row_numbers = _read_text_csv(path)
    header = map_header(raw.columns)
    failures = [
        ValidationFailure(column=h, rule=f"column duplicates '{other}' (both are '{tidy}')",
                          file=source)
        for h, tidy, other in header.conflicts
    ]
    header_of = dict(zip(C.TIDY_COLUMNS, C.BULK_CSV_HEADER, strict=True))
    hint = (
        f"; columns not recognised (renamed?): {', '.join(repr(u) for u in header.unknown)}"
        if header.unknown
        else ""
    )
    for tidy in header.missing:
        shown = header_of[tidy].replace("{parent}", "<parent>")
        failures.append(
            ValidationFailure(
                column=shown,
                rule=f"required bulk-CSV column is missing (tidy name '{tidy}'){hint}",
                file=source,
            )
        )
    if failures:
        raise DataValidationError(failures, source)
    return to_tidy_text(raw, header), row_numbers


def read_bulk_csv(path: str | Path) -> pd.DataFrame:
    """Read a Fingertips bulk CSV into the validated tidy long table (every row must pass).

    Parameters
    ----------
    path : str or Path
        A file from ``all_data/csv/by_indicator_id`` (or ``by_group_id``/``by_profile_id``) with
        the 27-column header of docs/fingertips_api.md §5.1, or a website download in the 26-column
        pre-2022 layout (``Time period range`` is then derived from the period text; see
        :mod:`rutland_jsna.data.layouts`). The sub-national comparison column may have any
        parent name ("Compared to Region value or percentiles", "Compared to percentiles"); an
        older "Target data" column is read as ``compared_to_goal``.

    Returns
    -------
    pandas.DataFrame
        The tidy table: :data:`~rutland_jsna.data.columns.TIDY_COLUMNS`, in file row order,
        with the dtypes of :func:`~rutland_jsna.data.schema.validate_tidy`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataValidationError
        If a column is missing or renamed (naming the file, the bulk-CSV column and any
        unrecognised columns) or two columns map to one tidy name, or if any row breaks a
        rule of :mod:`rutland_jsna.data.schema` (naming the file, the spreadsheet rows —
        header = row 1 — the column and the rule).

    Notes
    -----
    This is the strict reader (``rutland-jsna validate --strict``, tests). ``fetch`` and
    ``import`` use :func:`rutland_jsna.data.quality.screen_bulk_csv`, which quarantines the
    rows that break a rule instead and stores the rest. Columns the tidy table does not know
    are ignored when every required column is present (the live service may add columns;
    docs/fingertips_api.md §1 "unknown extra … CSV columns are ignored"); when a required column is
    missing they are listed as possibly renamed. Blank lines are skipped, but the row numbers
    in messages still count them, so they match what a spreadsheet shows.
    """
    tidy_frame, row_numbers = read_bulk_text(path)
    return validate_tidy(tidy_frame, Path(path).name, row_numbers=row_numbers)


# --------------------------------------------------------------------------------------------
# Processed store
# --------------------------------------------------------------------------------------------


def _check_metadata(metadata: Mapping[str, Any]) -> tuple[str, bool, dict[str, str]]:
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata: expected a mapping, got {type(metadata).__name__}")
    unknown = sorted(set(metadata) - set(METADATA_INPUT_KEYS))
    if unknown:
        raise ValueError(
            f"metadata: unknown keys {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(METADATA_INPUT_KEYS)} (the rest is filled in when writing)"
        )
    source = metadata.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("metadata: 'source' is required and must be a non-empty string")
    is_demo = metadata.get("is_demo")
    if not isinstance(is_demo, bool):
        raise ValueError(
            f"metadata: 'is_demo' is required and must be True or False, got {is_demo!r}"
        )
    checksums = metadata.get("input_checksums", {}) or {}
    if not isinstance(checksums, Mapping):
        raise ValueError("metadata: 'input_checksums' must map input file names to sha256 strings")
    bad = [
        k
        for k, v in checksums.items()
        if not isinstance(k, str) or not isinstance(v, str) or not _SHA256_RE.match(v)
    ]
    if bad:
        raise ValueError(
            f"metadata: 'input_checksums' entries {', '.join(map(repr, bad))} are not "
            "64-character lower-case hexadecimal sha256 strings"
        )
    return source, is_demo, dict(sorted(checksums.items()))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a side table (neighbours, data report, indicator table) as CSV, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return path


def write_processed(
    df: pd.DataFrame,
    name: str,
    metadata: Mapping[str, Any],
    *,
    directory: str | Path | None = None,
) -> Path:
    """Validate a tidy table and write it to the processed store with a JSON sidecar.

    Parameters
    ----------
    df : pandas.DataFrame
        The tidy long table (see :func:`~rutland_jsna.data.schema.validate_tidy`).
    name : str
        Table name: letters, digits, ``_`` and ``-``; the files are ``<name>.csv`` and
        ``<name>.json``. An existing table of that name is replaced.
    metadata : mapping
        ``source`` (str, required), ``is_demo`` (bool, required) and optionally
        ``input_checksums`` (input file name → sha256 hex). ``created_at``, ``sha256``,
        ``rows`` and ``package_version`` are filled in here.
    directory : str or Path, optional
        Where to write; default :func:`rutland_jsna.config.processed_dir` (created if absent).

    Returns
    -------
    pathlib.Path
        The CSV written.

    Raises
    ------
    DataValidationError
        If ``df`` breaks any rule; messages name ``<name>.csv`` and the rows the file would
        have had. Nothing is written.
    ValueError, TypeError
        If ``name`` or ``metadata`` is invalid. Nothing is written.

    Notes
    -----
    Each file is written to a temporary file in the same folder, flushed to disk and moved into
    place with ``os.replace`` (atomic on one file system): a reader sees the old file or the new
    one, never half a file. The CSV is replaced before the sidecar; if the process dies between
    the two, :func:`read_processed` reports a checksum mismatch rather than returning stale
    metadata.
    """
    csv_path, json_path = processed_paths(name, directory)
    source, is_demo, checksums = _check_metadata(metadata)
    validated = validate_tidy(df, f"{name}.csv")
    # CRLF (RFC 4180): the csv writer then quotes any field holding \r or \n, so text with
    # stray carriage returns survives the round trip.
    data = validated.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    meta = ProcessedMetadata(
        name=name,
        source=source,
        is_demo=is_demo,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sha256=_sha256(data),
        rows=len(validated),
        package_version=__version__,
        input_checksums=checksums,
    )
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(csv_path, data)
    _atomic_write(json_path, meta.to_json().encode("utf-8"))
    _write_cache(validated, meta.sha256)
    return csv_path


def read_processed(
    name: str, *, directory: str | Path | None = None, validate: bool = False
) -> tuple[pd.DataFrame, ProcessedMetadata]:
    """Read a processed table, verifying it against the checksum in its sidecar.

    Parameters
    ----------
    name : str
        Table name given to :func:`write_processed`.
    directory : str or Path, optional
        Where to read from; default :func:`rutland_jsna.config.processed_dir`.
    validate : bool
        Validate every row again (``rutland-jsna validate`` does). By default a file whose
        sha256 matches its sidecar is trusted: :func:`write_processed` validated those exact
        bytes.

    Returns
    -------
    (pandas.DataFrame, ProcessedMetadata)
        The tidy table with the dtypes of :func:`~rutland_jsna.data.schema.validate_tidy`
        (identical to the frame validated on writing) and its sidecar.

    Raises
    ------
    FileNotFoundError
        If the CSV or its sidecar is missing.
    ProcessedChecksumError
        If the CSV's sha256 differs from the sidecar's (the file was edited or truncated).
    DataValidationError
        With ``validate=True``, if the rows no longer pass the schema (e.g. the schema became
        stricter since writing).
    ValueError
        If the sidecar is malformed or its row count disagrees with the file.

    Notes
    -----
    The checksum is always checked. When it matches, the frame comes from a pickled copy keyed
    by the sha256 (and by the versions of Python, pandas and the schema, so a changed schema or
    library never reuses an old copy) in :func:`processed_cache_dir`, else from a parse with the
    tidy dtypes, which then writes the copy. Set ``RUTLAND_JSNA_STORE_CACHE=0`` to disable the
    copies.
    """
    csv_path, json_path = processed_paths(name, directory)
    for p in (csv_path, json_path):
        if not p.is_file():
            raise FileNotFoundError(
                f"{p}: processed table '{name}' not found (missing file); build it again from data/raw"
            )
    meta = ProcessedMetadata.from_json(json_path.read_text(encoding="utf-8"), str(json_path))
    data = csv_path.read_bytes()
    actual = _sha256(data)
    if actual != meta.sha256:
        raise ProcessedChecksumError(str(csv_path), meta.sha256, actual)
    df = None if validate else _read_cache(meta.sha256, meta.rows)
    if df is None:
        if validate:
            raw, row_numbers = _read_text_csv(io.BytesIO(data))
            df = validate_tidy(raw, csv_path.name, row_numbers=row_numbers)
        else:
            df = _parse_trusted(data)
        if len(df) == meta.rows:
            _write_cache(df, meta.sha256)
    if len(df) != meta.rows:
        raise ValueError(f"{csv_path}: {len(df)} rows, but the sidecar records {meta.rows}")
    return df, meta


# --------------------------------------------------------------------------------------------
# Fast path: verified files are not validated again
# --------------------------------------------------------------------------------------------


def _parse_trusted(data: bytes) -> pd.DataFrame:
    """Parse bytes written by :func:`write_processed` straight into the tidy dtypes.

    The file holds a validated frame (its sha256 matched the sidecar), so no rule is checked:
    numbers are parsed as int64/float64 and every other column as ``str`` (blank = missing).
    """
    dtypes = {
        c: "int64" if c in _INT_COLUMNS else "float64" if c in C.NUMERIC_COLUMNS else "str"
        for c in C.TIDY_COLUMNS
    }
    df = pd.read_csv(
        io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_values=[""],
        encoding="utf-8-sig",
    )
    if list(df.columns) != list(C.TIDY_COLUMNS):
        raise ValueError("processed table: columns differ from the tidy columns")
    return df


def processed_cache_dir() -> Path:
    """Where the pickled copies of verified processed tables are kept."""
    return processed_dir() / ".cache"


@functools.lru_cache(maxsize=1)
def _cache_fingerprint() -> str:
    """Versions a pickled frame depends on: Python, pandas, numpy, the schema and this module."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    h.update(f"{sys.version_info[:3]}|{pd.__version__}|{np.__version__}|".encode())
    for name in ("schema.py", "columns.py", "store.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def _cache_path(sha256: str) -> Path | None:
    if os.environ.get(CACHE_ENV, "1").strip() in ("0", "false", "no", "off"):
        return None
    return processed_cache_dir() / f"{sha256}-{_cache_fingerprint()}.pkl"


def _read_cache(sha256: str, rows: int) -> pd.DataFrame | None:
    path = _cache_path(sha256)
    if path is None or not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            df = pickle.load(fh)  # our own file, named by the verified CSV's sha256
    except Exception:  # a truncated or incompatible copy: parse the CSV instead
        path.unlink(missing_ok=True)
        return None
    if not isinstance(df, pd.DataFrame) or len(df) != rows or list(df.columns) != list(
        C.TIDY_COLUMNS
    ):
        return None
    return df


def _write_cache(df: pd.DataFrame, sha256: str) -> None:
    """Pickle a validated frame under its CSV's sha256 (best effort; old copies pruned)."""
    path = _cache_path(sha256)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL))
        copies = sorted(path.parent.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in copies[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
