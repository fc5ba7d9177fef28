"""Snapshot tests: every block of the three chapters, rendered from the demonstration store,
must be byte-identical to its stored snapshot under ``tests/snapshots/<case>/<chapter>/``.

They are the safety net of refactoring (issue 14): a change to any block's HTML fails here.
When a change is deliberate, regenerate the snapshots and review the diff before committing::

    RUTLAND_JSNA_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py
    git diff --stat tests/snapshots    # then read the diff: it is the change you made

(``make snapshots`` does the same.) The build date and the demonstration generator's source
fingerprint are masked. The charts are inline SVG (report.svg), compared as markup like the
rest of the block, one element a line; a PNG (a matplotlib figure shown with
``charts.figure_html``) is compared by its size and a hash of its pixels, only under the
matplotlib version recorded in ``tests/snapshots/VERSIONS.json`` (another matplotlib draws other
pixels). See ``tests/snapshot_blocks.py``.
"""

from __future__ import annotations

import difflib
import os

import pytest
from snapshot_blocks import (
    CASES,
    CHAPTERS,
    recorded_matplotlib,
    render_blocks,
    snapshot_dir,
    without_pixels,
    write_versions,
)

UPDATE = os.environ.get("RUTLAND_JSNA_UPDATE_SNAPSHOTS", "") not in ("", "0")


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                 f"snapshot/{name}", f"rendered/{name}", lineterm="", n=2)
    out = list(lines)
    return "\n".join(out[:80]) + ("\n…" if len(out) > 80 else "")


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_blocks_match_snapshots(case, chapter, tmp_path):
    rendered = render_blocks(case, chapter, tmp_path / "reports")
    folder = snapshot_dir(case, chapter)
    assert rendered, f"{chapter}: no block rendered for {case.name}"
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.html"):
            if stale.stem not in rendered:
                stale.unlink()
        for name, text in rendered.items():
            (folder / f"{name}.html").write_text(text, encoding="utf-8")
        write_versions()
        return
    import matplotlib

    stored = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}
    assert list(stored) == sorted(rendered), (
        f"{case.name}/{chapter}: the blocks rendered ({sorted(rendered)}) are not the blocks "
        f"snapshot ({list(stored)}); regenerate deliberately (RUTLAND_JSNA_UPDATE_SNAPSHOTS=1)")
    same_pixels = recorded_matplotlib() == matplotlib.__version__
    changed = []
    for name, text in rendered.items():
        expected = stored[name]
        if not same_pixels:
            text, expected = without_pixels(text), without_pixels(expected)
        if text != expected:
            changed.append(_diff(expected, text, f"{case.name}/{chapter}/{name}.html"))
    assert not changed, (
        f"{len(changed)} block(s) of {case.name}/{chapter} differ from their snapshots "
        "(regenerate deliberately with RUTLAND_JSNA_UPDATE_SNAPSHOTS=1):\n" + "\n\n".join(changed))
