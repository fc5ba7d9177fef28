"""Incremental builds: a chapter is run again only when one of its inputs changed."""

from __future__ import annotations

import json
import time

import pytest
from release_helpers import build_tiny, snapshot, tiny_chapter, tiny_notebooks

from rutland_jsna.release import build as B
from rutland_jsna.release.build import chapter_key, package_fingerprint
from rutland_jsna.release.index import read_manifest

ALL = ["outcomes", "sexual_health", "oral_health"]


_build = build_tiny


@pytest.fixture
def built(tmp_path):
    tiny_notebooks(tmp_path / "nb")
    first = _build(tmp_path)
    assert first.rebuilt == ALL
    return first


def test_no_change_rebuild_reuses_every_chapter_and_is_fast(tmp_path, built):
    before = snapshot(built.folder)
    start = time.perf_counter()
    again = _build(tmp_path)
    elapsed = time.perf_counter() - start
    assert again.rebuilt == [] and all(c.reused for c in again.chapters)
    assert elapsed < 3, f"no-change rebuild took {elapsed:.1f} s"
    after = snapshot(again.folder)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= {"release.json", "index.html"}  # the build time only
    manifest = read_manifest(again.folder)
    assert all(b["reused"] for b in manifest.chapter_builds.values())


def test_no_change_rebuild_imports_no_statistics_stack(tmp_path, built):
    """A no-change rebuild only hashes files and writes two pages: the command line does it
    without importing pandas, NumPy, SciPy, pandera, matplotlib or the notebook machinery
    (issue 18: those imports alone took longer than the whole rebuild should)."""
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from rutland_jsna.cli import main\n"
        f"rc = main(['build', '--release', '2026-Q1', '--engine', 'inprocess', '--no-progress',"
        f" '--notebooks', {str(tmp_path / 'nb')!r}, '--reports', {str(tmp_path / 'reports')!r}])\n"
        "print(json.dumps({'rc': rc, 'modules': sorted(sys.modules)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["rc"] == 0 and out.count("unchanged, reused") == len(ALL)
    heavy = {"pandas", "numpy", "scipy", "pandera", "matplotlib", "nbformat", "nbconvert",
             "papermill", "jinja2", "rutland_jsna.analysis.summary", "rutland_jsna.stats.dsr"}
    assert not heavy & set(result["modules"])


def test_changed_notebook_rebuilds_only_its_chapter(tmp_path, built):
    tiny_chapter(tmp_path / "nb", "sexual_health", "v2")
    again = _build(tmp_path)
    assert again.rebuilt == ["sexual_health"]
    assert "sexual_health v2" in (again.folder / "sexual_health.html").read_text()
    assert "outcomes v1" in (again.folder / "outcomes.html").read_text()


def test_changed_local_extract_rebuilds_only_oral_health(tmp_path, built, monkeypatch):
    raw = tmp_path / "raw"
    monkeypatch.setattr(B, "raw_dir", lambda: raw)
    assert _build(tmp_path).rebuilt == []  # no extract either way
    (raw / "local").mkdir(parents=True)
    (raw / "local" / "dental_access.csv").write_text("area_code\nE06000017\n")
    assert _build(tmp_path).rebuilt == ["oral_health"]
    (raw / "local" / "dental_access.csv").write_text("area_code\nE06000018\n")
    assert _build(tmp_path).rebuilt == ["oral_health"]
    assert _build(tmp_path).rebuilt == []


def test_changed_parameters_rebuild_every_chapter(tmp_path, built):
    again = _build(tmp_path, confidence=0.998)
    assert again.rebuilt == ALL
    assert "0.998" in (again.folder / "outcomes_table.csv").read_text()
    assert _build(tmp_path, area_code="E10000003").rebuilt == ALL


def test_changed_package_source_rebuilds_every_chapter(tmp_path, built, monkeypatch):
    real = package_fingerprint()
    monkeypatch.setattr(B, "package_fingerprint", lambda: ("0" * 64, real[1]))
    assert _build(tmp_path).rebuilt == ALL


def test_package_fingerprint_follows_every_source_file_not_the_version(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    (pkg / "report").mkdir(parents=True)
    (pkg / "report" / "outcomes.py").write_text("X = 1\n")
    (pkg / "data.csv").write_text("a\n1\n")
    monkeypatch.setattr(B, "PACKAGE_DIR", pkg)
    first, versions = package_fingerprint()
    time.sleep(0.01)
    (pkg / "report" / "outcomes.py").write_text("X = 2\n")  # same version, edited code
    second, _ = package_fingerprint()
    (pkg / "data.csv").write_text("a\n2\n")
    third, _ = package_fingerprint()
    assert len({first, second, third}) == 3
    assert {"python", "pandas", "numpy", "matplotlib", "rutland_jsna"} <= versions.keys()


def test_key_changes_with_each_input(tmp_path):
    nb = tiny_chapter(tmp_path, "outcomes")
    base = dict(inputs={"data/processed/demo.csv": "a" * 64}, package="p" * 64,
                versions={"pandas": "3.0"}, previous=None)
    params = {"area_code": "E06000017", "comparators": None, "source": "demo",
              "release": "2026-Q1", "confidence": 0.95, "output_dir": "/x"}
    key = chapter_key("outcomes", nb, params, **base)
    assert key == chapter_key("outcomes", nb, {**params, "output_dir": "/elsewhere"}, **base)
    variants = [
        chapter_key("outcomes", nb, {**params, "release": "2026-Q2"}, **base),
        chapter_key("outcomes", nb, params, **{**base, "inputs": {"data/processed/demo.csv": "b" * 64}}),
        chapter_key("outcomes", nb, params, **{**base, "package": "q" * 64}),
        chapter_key("outcomes", nb, params, **{**base, "versions": {"pandas": "3.1"}}),
        chapter_key("outcomes", nb, params, **{**base, "previous": ("2025-Q4", "c" * 64)}),
        chapter_key("sexual_health", nb, params, **base),
    ]
    assert len({key, *variants}) == len(variants) + 1
    time.sleep(0.01)
    tiny_chapter(tmp_path, "outcomes", "v2")
    assert chapter_key("outcomes", nb, params, **base) != key


def test_force_and_a_damaged_cache_entry_run_the_chapter_again(tmp_path, built):
    assert _build(tmp_path, incremental=False).rebuilt == ALL
    entry = tmp_path / "reports" / "_cache" / "chapters" / "outcomes"
    (cached,) = list(entry.iterdir())
    (cached / "outcomes_table.csv").unlink()
    (cached / "outcomes_table.csv").write_text("tampered\n")
    assert _build(tmp_path).rebuilt == ["outcomes"]


def test_release_json_records_how_to_reproduce_the_release(tmp_path, built):
    raw = json.loads((built.folder / "release.json").read_text())
    assert raw["parameters"] == {"area_code": "E06000017", "comparators": None,
                                 "source": "demo", "release": "2026-Q1", "confidence": 0.95}
    assert raw["package_version"] and len(raw["package_source_sha256"]) == 64
    assert {"python", "pandas", "numpy"} <= raw["environment"].keys()
    assert "data/processed/demo.csv" in raw["input_checksums"]
    assert all(len(v) == 64 for v in raw["input_checksums"].values())
    for chapter in ALL:
        b = raw["chapter_builds"][chapter]
        assert b["seconds"] > 0 and len(b["key"]) == 64 and b["reused"] is False
        assert f"{chapter}_table.csv" in b["files"] and f"{chapter}.html" in b["files"]
    assert raw["areas"] == ["E06000017"] and raw["kind"] == "area"
