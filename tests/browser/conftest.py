"""Browser tests: a release built from demonstration data, opened in headless Debian chromium.

One release of all three chapters is built by the command ``make reports`` runs
(``rutland-jsna build --source demo --formats html,pdf,xlsx,docx``) into a temporary project home (``RUTLAND_JSNA_HOME``
with a copy of ``notebooks/``), once per test run: pytest-xdist workers share it through a
lock file in the run's base temporary folder, so whichever worker comes first builds and the
others reuse that build.

Chromium is ``/usr/bin/chromium`` (``make test`` and ``.ci/run`` install Debian's package when
it is missing; playwright's own browser download is not used). If it cannot start, every test
here fails: an accessibility check that silently skips is worse than none.

axe-core is the pinned, unmodified ``axe.min.js`` vendored in ``vendor/axe-core-<version>/``
with its MPL-2.0 licence (no download at test time; see the README there).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    AXE_JS,
    AXE_SHA256,
    AXE_VERSION,
    BUILD_TIMEOUT,
    CHAPTERS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FORMATS,
    RELEASE,
    ROOT,
)


def _build_release(home: Path) -> None:
    """``rutland-jsna build --source demo`` into ``home`` (a fresh project home)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "notebooks", home / "notebooks", dirs_exist_ok=True)
    env = {**os.environ, "RUTLAND_JSNA_HOME": str(home)}
    cli = Path(sys.executable).with_name("rutland-jsna")
    command = ([str(cli)] if cli.exists() else [sys.executable, "-m", "rutland_jsna.cli"])
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, "build", "--source", "demo", "--release", RELEASE, "--formats", FORMATS],
        env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"building the demonstration release failed (exit {proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    (home / "build-seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")


@pytest.fixture(scope="session")
def release_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project home holding ``reports/browser-test/`` built once for the whole run."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, common to every worker
    home = shared / "browser-release"
    done = home / "reports" / RELEASE / "index.html"
    with open(shared / "browser-release.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.is_file():
                if home.exists():
                    shutil.rmtree(home)  # a half-finished build of an interrupted worker
                _build_release(home)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return home


@pytest.fixture(scope="session")
def page_paths(release_home: Path) -> dict[str, Path]:
    reports = release_home / "reports"
    paths = {"reports_index": reports / "index.html",
             "release_index": reports / RELEASE / "index.html"}
    paths.update({c: reports / RELEASE / f"{c}.html" for c in CHAPTERS})
    missing = [name for name, p in paths.items() if not p.is_file()]
    assert not missing, f"the build wrote no page for {missing}"
    return paths


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by playwright. Fails (never skips) if it cannot start."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian package chromium)",
                    pytrace=False)
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Error as exc:
            pytest.fail(f"chromium could not start: {exc}", pytrace=False)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The vendored axe-core, checked against its pinned version and sha256."""
    raw = AXE_JS.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == AXE_SHA256, f"{AXE_JS} is not axe-core {AXE_VERSION}"
    source = raw.decode("utf-8")
    assert f"axe v{AXE_VERSION}" in source[:100]
    return source


@pytest.fixture
def open_page(browser, page_paths):
    """``open_page(name, width=1280, height=900, scale=1)`` → a playwright page on that page."""
    contexts = []

    def _open(name: str, width: int = 1280, height: int = 900, scale: float = 1):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      device_scale_factor=scale)
        contexts.append(context)
        page = context.new_page()
        page.goto(page_paths[name].as_uri(), wait_until="load")
        return page

    yield _open
    for c in contexts:
        c.close()
