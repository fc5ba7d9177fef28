"""Where the processed store's tables are, without reading them.

The file names of processed tables (``<dir>/<name>.csv`` and its ``<name>.json`` sidecar) and the
names of the tables a Fingertips download writes. Split from :mod:`.store` and :mod:`.fetch` so
that a build can find and hash the files it depends on without importing pandas (a no-change
rebuild only hashes files; issue 18). Both modules re-export these names.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config import processed_dir

__all__ = [
    "FINGERTIPS_TABLE",
    "INDICATORS_SUFFIX",
    "ISSUES_SUFFIX",
    "NEIGHBOURS_TABLE",
    "check_table_name",
    "indicators_path",
    "issues_path",
    "processed_paths",
]

#: Processed-table names written by :func:`rutland_jsna.data.fetch.fetch_fingertips`.
FINGERTIPS_TABLE = "fingertips"
NEIGHBOURS_TABLE = "fingertips_neighbours"

#: Beside a real-data processed table: its indicator table (:mod:`.polarity`) and its data
#: report (:mod:`.quality`).
INDICATORS_SUFFIX = ".indicators.csv"
ISSUES_SUFFIX = ".issues.csv"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$")


def check_table_name(name: str) -> str:
    """``name`` if it is a valid processed-table name, else ValueError."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"name: {name!r} is not a valid processed table name "
            "(letters, digits, '_' and '-', starting with a letter or digit, at most 100 characters)"
        )
    return name


def processed_paths(name: str, directory: str | Path | None = None) -> tuple[Path, Path]:
    """The CSV and sidecar paths of processed table ``name``: ``(<dir>/<name>.csv, <dir>/<name>.json)``."""
    base = Path(directory) if directory is not None else processed_dir()
    check_table_name(name)
    return base / f"{name}.csv", base / f"{name}.json"


def indicators_path(table_csv: str | Path) -> Path:
    """``<dir>/<name>.indicators.csv`` for the processed table ``<dir>/<name>.csv``."""
    p = Path(table_csv)
    return p.with_name(p.stem + INDICATORS_SUFFIX)


def issues_path(table_csv: str | Path) -> Path:
    """``<dir>/<name>.issues.csv`` for the processed table ``<dir>/<name>.csv``."""
    p = Path(table_csv)
    return p.with_name(p.stem + ISSUES_SUFFIX)
