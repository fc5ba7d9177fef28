"""One headless Debian chromium for the formats that need a browser (PDF, SVG charts in Word).

Driven by playwright (the Python package only: the browser is Debian's ``chromium``, never a
download), started on first use and closed with the context manager. The executable is
``$RUTLAND_JSNA_CHROMIUM`` or ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["CHROMIUM_ENV", "Browser", "BrowserMissing", "chromium_path", "chromium_version"]

CHROMIUM_ENV = "RUTLAND_JSNA_CHROMIUM"
_DEFAULT = "/usr/bin/chromium"
#: Starting chromium on a loaded 2-core machine can take longer than playwright's 30 s.
_LAUNCH_TIMEOUT_MS = 180_000
T = TypeVar("T")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--disable-dev-shm-usage"]


class BrowserMissing(RuntimeError):
    """Chromium (or playwright) is not installed: the message says how to install it."""


def chromium_path() -> Path:
    found = os.environ.get(CHROMIUM_ENV) or (_DEFAULT if Path(_DEFAULT).exists()
                                              else shutil.which("chromium") or _DEFAULT)
    return Path(found)


def chromium_version() -> str:
    """The browser's version line (part of a PDF's cache key); "absent" when not installed."""
    import subprocess

    path = chromium_path()
    if not path.exists():
        return "absent"
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                             timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


class Browser:
    """A lazily started chromium: ``with Browser() as b: b.call(lambda page: ...)``.

    Playwright's synchronous API refuses to start in a thread that already runs an asyncio
    loop (a Jupyter kernel, where analysts call ``build``) or another playwright. So the
    browser lives in a thread of its own, and everything that touches it runs there:
    :meth:`call` hands a function a fresh page and returns what it returns.
    """

    def __init__(self) -> None:
        self._pw: Any = None
        self._browser: Any = None
        self._thread: Any = None

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _executor(self) -> Any:
        if self._thread is None:
            import concurrent.futures as cf

            self._thread = cf.ThreadPoolExecutor(max_workers=1,
                                                 thread_name_prefix="rutland-jsna-chromium")
        return self._thread

    def _start(self) -> Any:
        if self._browser is not None:
            return self._browser
        path = chromium_path()
        if not path.exists():
            raise BrowserMissing(
                f"PDF and Word output need Debian's chromium at {path} (apt-get install "
                f"chromium, or set {CHROMIUM_ENV} to a chromium executable)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise BrowserMissing("PDF and Word output need the playwright package "
                                 "(pip install playwright)") from exc
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=str(path), args=_ARGS,
                                                 timeout=_LAUNCH_TIMEOUT_MS)
        return self._browser

    def call(self, fn: Callable[[Any], T], **page_options: Any) -> T:
        """``fn(page)`` on a new page of the browser (closed afterwards), in its thread."""

        def run() -> T:
            page = self._start().new_page(**page_options)
            try:
                return fn(page)
            finally:
                page.close()

        return self._executor().submit(run).result()

    def close(self) -> None:
        if self._thread is None:
            return

        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
                self._browser = None
            if self._pw is not None:
                self._pw.stop()
                self._pw = None

        try:
            self._thread.submit(stop).result()
        finally:
            self._thread.shutdown(wait=True)
            self._thread = None

    def rasterise_svgs(self, svgs: list[str], *, scale: float = 1.5) -> list[bytes]:
        """PNG bytes of inline SVG charts, drawn as the chapter page draws them (one page for
        all of them: a chapter's charts take a few seconds)."""
        if not svgs:
            return []

        def draw(page: Any) -> list[bytes]:
            page.set_content(
                '<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;'
                'background:#fff}div.chart{padding:4px;display:inline-block}svg{display:block}'
                '</style></head><body>'
                + "".join(f'<div class="chart">{svg}</div>' for svg in svgs) + "</body></html>")
            elements = page.query_selector_all("body > div.chart")
            if len(elements) != len(svgs):
                raise ValueError(f"{len(svgs)} charts given, {len(elements)} drawn")
            return [e.screenshot(type="png") for e in elements]

        return self.call(draw, device_scale_factor=scale)
