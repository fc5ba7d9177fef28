"""Where each release keeps its chapter summaries, how releases are ordered, and which release
a chapter compares with.

Each build stores its indicator summary beside the chapter's HTML as
``reports/<release>/<chapter>_summary.csv`` (an all-area release under
``areas/<code>/``). Finding the previous release reads only the files' ``area_code`` column with
the standard library, so a build can compute its keys without importing pandas (a no-change
rebuild; issue 18). :mod:`.changes` reads and compares the summaries themselves and
re-exports these names.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

__all__ = [
    "AREAS_DIR",
    "SUMMARY_CSV_SUFFIX",
    "find_previous_summary",
    "release_sort_key",
    "release_summary_paths",
    "summary_csv_path",
]

SUMMARY_CSV_SUFFIX = "_summary.csv"
_AREA = "area_code"


def summary_csv_path(release_dir: str | Path, chapter: str) -> Path:
    return Path(release_dir) / f"{chapter}{SUMMARY_CSV_SUFFIX}"


#: Sub-folder of an all-area release holding one folder per area: ``areas/<code>/``.
AREAS_DIR = "areas"


def release_sort_key(label: str) -> tuple[tuple[int, int, str], ...]:
    """Order of release labels: text compared as text, runs of digits as numbers.

    ``"2026-Q1" < "2026-Q2" < "2026-Q10" < "2027-Q1"``; a release is "earlier" than another
    when its key is smaller. The order depends on the labels only, so a rebuild of a release
    compares with the same previous release whenever it is run.

    Examples
    --------
    >>> sorted(["2026-Q10", "2027-Q1", "2026-Q2"], key=release_sort_key)
    ['2026-Q2', '2026-Q10', '2027-Q1']
    """
    return tuple(
        (0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.findall(r"\d+|\D+", label)
    )


def release_summary_paths(release_dir: str | Path) -> dict[tuple[str, str], Path]:
    """Every stored summary of a release folder: ``(chapter, area code) -> path``.

    A single-area release keeps ``<chapter>_summary.csv`` at its top (the area is read from
    the file's ``area_code`` column); an all-area release keeps them under
    ``areas/<code>/``.
    """
    folder = Path(release_dir)
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.glob(f"*{SUMMARY_CSV_SUFFIX}")):
        chapter = path.name[: -len(SUMMARY_CSV_SUFFIX)]
        for area in _areas_in(path):
            found[(chapter, area)] = path
    areas = folder / AREAS_DIR
    if areas.is_dir():
        for path in sorted(areas.glob(f"*/*{SUMMARY_CSV_SUFFIX}")):
            chapter = path.name[: -len(SUMMARY_CSV_SUFFIX)]
            found.setdefault((chapter, path.parent.name), path)
    return found


def _area_column(path: Path) -> list[str] | None:
    """The ``area_code`` column of a stored summary (empty cells as ""), or None when the file
    has no such column or cannot be read as CSV."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or _AREA not in reader.fieldnames:
                return None
            return [row[_AREA] or "" for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _areas_in(path: Path) -> list[str]:
    """The areas a stored summary holds, in order of first appearance."""
    return [c for c in dict.fromkeys(_area_column(path) or []) if c]


def find_previous_summary(
    reports_root: str | Path, chapter: str, release: str, area_code: str
) -> tuple[str, Path] | None:
    """Where the summary of the latest earlier release of ``chapter`` for ``area_code`` is.

    Releases are the folders of ``reports_root`` (hidden and ``_`` folders skipped) whose
    label sorts before ``release`` (:func:`release_sort_key`) and which hold the chapter's
    summary for the same area, either at their top (single-area release, every row of its
    ``area_code`` column the area) or under ``areas/<area_code>/`` (all-area release). Later
    releases are never used: rebuilding an old release compares it with its own predecessor.

    Returns
    -------
    (release label, path) or None when there is no earlier release.
    """
    root = Path(reports_root)
    if not root.is_dir():
        return None
    mine = release_sort_key(release)
    best: tuple[tuple, str, Path] | None = None
    for d in root.iterdir():
        if not d.is_dir() or d.name.startswith((".", "_")) or d.name == release:
            continue
        key = release_sort_key(d.name)
        if key >= mine or (best is not None and key <= best[0]):
            continue
        for path in (summary_csv_path(d, chapter),
                     summary_csv_path(d / AREAS_DIR / area_code, chapter)):
            if path.is_file() and _is_summary_of(path, area_code):
                best = (key, d.name, path)
                break
    return None if best is None else (best[1], best[2])


def _is_summary_of(path: Path, area_code: str) -> bool:
    """Whether every row of a stored summary is ``area_code``'s (an older summary without an
    ``area_code`` column counts as anyone's; an unreadable file as no one's)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None:
                return False
            if _AREA not in reader.fieldnames:
                return True
            return all(row[_AREA] == area_code for row in reader)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
