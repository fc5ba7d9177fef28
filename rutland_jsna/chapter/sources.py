"""The files each store is read from: what a build hashes and the store memo keys on.

Split from :mod:`.context` so that a build can hash its inputs without importing the analysis
stack (a no-change rebuild only hashes files; issue 18). Re-exported by :mod:`.context`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..data.paths import (
    FINGERTIPS_TABLE,
    NEIGHBOURS_TABLE,
    indicators_path,
    issues_path,
    processed_paths,
)
from ..demo.identity import DEMO_STORE_NAME, demo_snapshot_dir

__all__ = ["store_files"]


def store_files(source: str | os.PathLike[str] = "demo") -> list[Path]:
    """The files the store named by ``source`` is read from (those that exist).

    ``"demo"``: the processed table ``demo`` and its sidecar, and every file of the
    demonstration snapshot (neighbours, local tables); ``"fingertips"``: the processed
    Fingertips table, its sidecar and the neighbour table; a path: the processed table and its
    sidecar. A build hashes them (input checksums of ``release.json``, incremental build keys);
    :func:`load_store` keys its in-process memo on their size, time and inode.
    """
    if source == "demo":
        files = list(processed_paths(DEMO_STORE_NAME))
        folder = demo_snapshot_dir()
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.is_file())
    elif source == "fingertips":
        csv, side = processed_paths(FINGERTIPS_TABLE)
        files = [csv, side, csv.with_name(f"{NEIGHBOURS_TABLE}.csv"), *_side_tables(csv)]
    else:
        path = Path(source).expanduser()
        if path.is_dir():
            names = sorted(p.stem for p in path.glob("*.csv") if p.with_suffix(".json").is_file())
            name = "fingertips" if "fingertips" in names else (names[0] if names else "")
            files = ([path / f"{name}.csv", path / f"{name}.json",
                      *_side_tables(path / f"{name}.csv")] if name else [])
        else:
            files = [path, path.with_suffix(".json"), *_side_tables(path)]
    return [f for f in files if f.is_file()]


def _side_tables(csv: Path) -> list[Path]:
    """The data report and the indicator table written beside a real-data processed table."""
    return [indicators_path(csv), issues_path(csv)]
