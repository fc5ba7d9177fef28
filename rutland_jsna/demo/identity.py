"""What names a demonstration snapshot: its constants, the generator's fingerprint and folder.

Split from :mod:`.snapshot` so that a build can find (and hash) the snapshot's files without
importing the generator and its numerical and validation stack: a no-change rebuild only
hashes files (issue 18). Re-exported by :mod:`.snapshot` and the package.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import BOARD_PAPERS_DIR, DEMO_BANNER, raw_dir

__all__ = [
    "DEFAULT_SEED",
    "DEMO_BANNER",
    "DEMO_SOURCE",
    "DEMO_STORE_NAME",
    "GENERATOR_VERSION",
    "demo_snapshot_dir",
    "fingerprint_inputs",
    "generator_fingerprint",
    "snapshot_id",
]

#: ``source`` recorded in the processed store's metadata.
DEMO_SOURCE = "demo"
#: Name of the processed-store table.
DEMO_STORE_NAME = "demo"
#: Changes whenever the generator's output changes (part of the snapshot id).
GENERATOR_VERSION = "1.0.0"
#: Default seed: the date of the board meeting the outcomes report went to (21 March 2023).
DEFAULT_SEED = 20230321


def fingerprint_inputs() -> list[Path]:
    """The files the demonstration snapshot is made from (see :func:`generator_fingerprint`)."""
    demo_dir = Path(__file__).resolve().parent
    data_dir = demo_dir.parent / "data"
    return [
        *sorted(demo_dir.glob("*.py")),
        *sorted((demo_dir / "pin_tables").glob("*")),
        data_dir / "schema.py",
        data_dir / "local.py",
        *sorted(BOARD_PAPERS_DIR.glob("*")),
        *sorted((data_dir / "catalogue").glob("*.csv")),
        *sorted((data_dir / "areas").glob("*.csv")),
        *sorted((demo_dir.parent / "stats").glob("*.py")),
    ]


def generator_fingerprint(paths: list[Path] | None = None) -> str:
    """Short sha256 of everything the snapshot is made from.

    The generator's source files, its pins and parameters, the catalogue, the bundled area
    lists, the schema and the statistical methods (:func:`fingerprint_inputs`). Raw data is
    write-once, so a changed generator writes a new snapshot folder instead of reusing a
    stale one.
    """
    digest = hashlib.sha256()
    for path in fingerprint_inputs() if paths is None else paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def snapshot_id(seed: int = DEFAULT_SEED) -> str:
    """``demo-<generator version>-<fingerprint>-seed<seed>`` (see :func:`generator_fingerprint`)."""
    return f"demo-{GENERATOR_VERSION}-{generator_fingerprint()}-seed{int(seed)}"


def demo_snapshot_dir(seed: int = DEFAULT_SEED) -> Path:
    """Default snapshot folder: ``raw_dir()/demo/<snapshot id>``."""
    return raw_dir() / "demo" / snapshot_id(seed)
