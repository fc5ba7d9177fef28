"""Paths and project-wide defaults, in one place.

Every path is derived from the project root, which is

* the directory named by the environment variable ``RUTLAND_JSNA_HOME`` if set, else
* the parent of the installed ``rutland_jsna`` package (the repository checkout).

Nothing is derived from the current working directory, so notebooks, the CLI and the
tests find the same folders wherever they are started from.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
#: Figures printed in the board papers the chapters come from (bundled CSVs; see its README).
BOARD_PAPERS_DIR: Path = PACKAGE_DIR / "data" / "board_papers"


def project_root() -> Path:
    """Return the project root (``RUTLAND_JSNA_HOME`` or the repository checkout)."""
    env = os.environ.get("RUTLAND_JSNA_HOME")
    return Path(env).expanduser().resolve() if env else PACKAGE_DIR.parent


def data_dir() -> Path:
    return project_root() / "data"


def raw_dir() -> Path:
    """Write-once inputs: API downloads, the demonstration snapshot, analysts' extracts."""
    return data_dir() / "raw"


def processed_dir() -> Path:
    """Tidy, validated tables the notebooks read (regenerable, never edited by hand)."""
    return data_dir() / "processed"


def reports_dir() -> Path:
    """Rendered releases: ``reports/<release>/``."""
    return project_root() / "reports"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def shared_reference_dir() -> Path:
    """``../shared/reference`` beside the checkout (research material; absent on user machines)."""
    env = os.environ.get("RUTLAND_JSNA_SHARED")
    base = Path(env).expanduser().resolve() if env else project_root().parent / "shared"
    return base / "reference"


#: The banner every page built from demonstration data carries (chapters, release index) and the
#: demonstration snapshot records in its metadata.
DEMO_BANNER = "Demonstration data — not official statistics"

#: ``<chapter>_source.json``: the chapter's provenance, written beside its HTML.
SOURCE_JSON_SUFFIX = "_source.json"

#: Default subject area: Rutland. Any upper-tier authority code may be used instead.
DEFAULT_AREA_CODE = "E06000017"
#: England, the national benchmark.
ENGLAND_CODE = "E92000001"
#: Environment variable with the running team's contact: sent to Fingertips in the User-Agent
#: and printed on the cover of the release workbooks.
CONTACT_ENV = "RUTLAND_JSNA_CONTACT"


def default_release_label(today: date | None = None) -> str:
    """The release label for a date: its year and quarter, e.g. ``"2026-Q4"``.

    Examples
    --------
    >>> default_release_label(date(2026, 11, 3))
    '2026-Q4'
    """
    today = today or date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
