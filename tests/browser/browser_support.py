"""Constants shared by the browser tests and their fixtures (a module with a unique name:
``conftest`` is not importable by name when several folders have one)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
RELEASE = "browser-test"
#: The formats ``make reports`` publishes (the format tests read the PDF, Excel and Word files).
FORMATS = "html,pdf,xlsx,docx"
CHAPTERS = ("outcomes", "sexual_health", "oral_health")
#: Every page of a release: the reports index, the release index and the chapters.
PAGES = ("reports_index", "release_index", *CHAPTERS)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: The axe-core release the tests run (axe adds rules without semver): vendored, unmodified,
#: with its MPL-2.0 licence, in ``vendor/`` (see the README there for why and how to update).
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_JS = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
#: WCAG 2.2 AA: every success criterion of levels A and AA that axe tests.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BUILD_TIMEOUT = 900
