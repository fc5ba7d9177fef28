"""Publishing is atomic: a build killed at any point leaves the previous release as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from release_helpers import snapshot, tiny_notebooks

from rutland_jsna.release import build as B
from rutland_jsna.release.build import _publish, build, recover


def _build(tmp_path, **kwargs):
    return build(release="2026-Q1", notebooks=tmp_path / "nb", reports_root=tmp_path / "reports",
                 progress=False, engine="inprocess", **kwargs)


def _visible(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))


def test_sigkill_during_a_build_keeps_the_previous_release(tmp_path):
    tiny_notebooks(tmp_path / "nb", "first")
    first = _build(tmp_path)
    reports = tmp_path / "reports"
    before, index_before, listing = snapshot(first.folder), (reports / "index.html").read_bytes(), _visible(reports)

    tiny_notebooks(tmp_path / "nb", "second", sleep=60)
    script = textwrap.dedent(f"""
        from rutland_jsna.release.build import build
        build(release="2026-Q1", notebooks={str(tmp_path / "nb")!r},
              reports_root={str(reports)!r}, progress=False, engine="inprocess")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # wait until the build is running its first chapter (the staging folder has it)
        while not list(reports.glob(".2026-Q1.building-*/_chapters/outcomes")):
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build did not start"
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(reports / "2026-Q1") == before  # previous release intact
    assert (reports / "index.html").read_bytes() == index_before
    assert _visible(reports) == listing  # no half-written release visible
    assert list(reports.glob(".2026-Q1.building-*"))  # only a hidden folder was left

    tiny_notebooks(tmp_path / "nb", "third")
    third = _build(tmp_path)  # the next build tidies up and publishes
    assert "outcomes third" in (third.folder / "outcomes.html").read_text()
    assert not list(reports.glob(".2026-Q1.*"))


def test_publish_swaps_in_one_step_or_recovers(tmp_path, monkeypatch):
    final = tmp_path / "2026-Q1"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging = tmp_path / ".2026-Q1.building-1-x"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    _publish(staging, final)
    assert (final / "new.txt").read_text() == "new" and _visible(tmp_path) == ["2026-Q1"]
    assert not staging.exists()

    # where the system cannot exchange two paths: two renames, the old one parked meanwhile
    monkeypatch.setattr(B, "_exchange", lambda a, b: False)
    staging.mkdir()
    (staging / "newer.txt").write_text("newer")
    _publish(staging, final)
    assert (final / "newer.txt").read_text() == "newer" and _visible(tmp_path) == ["2026-Q1"]

    # a build killed between the two renames: the next build puts the old release back
    final.rename(tmp_path / ".2026-Q1.old-999999999-1")
    (tmp_path / ".2026-Q1.building-999999999-y").mkdir()
    done = recover(tmp_path)
    assert any("restored 2026-Q1" in d for d in done)
    assert (final / "newer.txt").is_file() and _visible(tmp_path) == ["2026-Q1"]
    assert not list(tmp_path.glob(".*"))


def test_failed_chapter_publishes_nothing(tmp_path):
    tiny_notebooks(tmp_path / "nb", "first")
    first = _build(tmp_path)
    before = snapshot(first.folder)
    tiny_notebooks(tmp_path / "nb", "second", fail_areas=["E06000017"])
    try:
        _build(tmp_path)
    except B.BuildError as err:
        assert "broken area E06000017" in str(err) and "untouched" in str(err)
        assert err.partial is not None and err.partial.is_file()
    else:
        raise AssertionError("the build should have failed")
    assert snapshot(first.folder) == before
    assert not list((tmp_path / "reports").glob(".*"))
