"""Reproducible releases with the real chapter notebooks.

* Rebuilding with the same inputs gives byte-identical CSVs and the same HTML once build dates
  are masked.
* Every chapter stores its summary (the release index counts it; the next release compares
  with it).
* The all-area batch (in-process notebooks, shared national statistics) publishes for an area
  exactly what a papermill build of that area publishes, on local worker processes or on a real
  Dask cluster (a scheduler and two worker processes on 127.0.0.1).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from release_helpers import assert_same_outputs, mask_dates

from rutland_jsna.config import notebooks_dir
from rutland_jsna.release.batch import build_all_areas
from rutland_jsna.release.build import build
from rutland_jsna.release.index import read_manifest

pytestmark = pytest.mark.notebook
CHAPTERS = ("outcomes", "sexual_health", "oral_health")
ROOT = Path(__file__).resolve().parents[1]


def _same_source(a, b) -> None:
    """The comparison means something only for builds of the same package source: skip if the
    source was edited between the two builds (another developer working in this checkout)."""
    sa, sb = read_manifest(a).package_source_sha256, read_manifest(b).package_source_sha256
    if sa != sb:
        pytest.skip("the package source changed between the two builds")


@pytest.fixture(scope="module")
def papermill_release(tmp_path_factory):
    """Rutland, all three chapters, papermill (what `make reports` runs)."""
    root = tmp_path_factory.mktemp("papermill") / "reports"
    result = build(release="2026-Q1", reports_root=root, notebooks=notebooks_dir(),
                   progress=False)
    copy = root.parent / "first"
    shutil.copytree(result.folder, copy)
    return result, copy


def test_every_chapter_stores_its_summary_and_the_index_counts_it(papermill_release):
    result, _ = papermill_release
    assert [c.chapter for c in result.chapters] == list(CHAPTERS)
    for chapter in CHAPTERS:
        assert (result.folder / f"{chapter}_summary.csv").is_file(), chapter
    index = (result.folder / "index.html").read_text()
    assert "not recorded" not in index.split("Chapters")[-1]


def test_rebuild_with_the_same_inputs_is_identical(papermill_release):
    result, first = papermill_release
    again = build(release="2026-Q1", reports_root=result.folder.parent,
                  notebooks=notebooks_dir(), progress=False, incremental=False)
    assert again.rebuilt == list(CHAPTERS)
    _same_source(first, again.folder)
    n = assert_same_outputs(first, again.folder)
    assert n > 30


def test_next_release_compares_every_chapter_with_the_previous_one(papermill_release):
    result, _ = papermill_release
    nxt = build(release="2026-Q2", reports_root=result.folder.parent,
                notebooks=notebooks_dir(), progress=False, engine="inprocess")
    for chapter in CHAPTERS:
        html = (nxt.folder / f"{chapter}.html").read_text()
        assert "Changes since the previous release" in html, chapter
        assert "No value, comparison or direction of travel has changed since release 2026-Q1" in html, chapter


#: Rutland, the Isles of Scilly (the smallest authority) and Cambridgeshire (a county).
BATCH_AREAS = ["E06000017", "E06000053", "E10000003"]


@pytest.fixture(scope="module")
def local_batch(tmp_path_factory):
    """The all-area batch for three areas on local worker processes."""
    root = tmp_path_factory.mktemp("local-batch") / "reports"
    batch = build_all_areas(release="2026-Q1", areas=BATCH_AREAS, workers=2, reports_root=root,
                            progress=False)
    assert not batch.failed
    return batch


def test_all_area_batch_equals_single_area_build(papermill_release, local_batch):
    _, first = papermill_release
    _same_source(first, local_batch.folder / "areas" / "E06000017")
    n = assert_same_outputs(first, local_batch.folder / "areas" / "E06000017")
    assert n > 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster():
    """A real Dask cluster on this machine: ``dask scheduler`` and two ``dask worker``
    processes on 127.0.0.1 (no nanny, one thread each), as on a multi-machine cluster with a
    shared file system. Yields the scheduler's address."""
    distributed = pytest.importorskip("distributed")
    dask = Path(sys.executable).with_name("dask")
    if not dask.is_file():
        pytest.skip("the dask command line is not installed beside this interpreter")
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for n in (1, 2):
            procs.append(subprocess.Popen(
                [str(dask), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--name", f"worker-{n}"],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while True:
            try:
                with distributed.Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except OSError:  # the scheduler is not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_batch_on_a_dask_cluster_equals_the_local_batch(local_batch, dask_cluster, tmp_path):
    """``rutland-jsna build --all-areas --dask-scheduler tcp://…`` renders the areas on the
    cluster's two worker processes and publishes exactly what the local batch publishes."""
    reports = tmp_path / "reports"
    cli = Path(sys.executable).with_name("rutland-jsna")
    out = subprocess.run(
        [str(cli), "build", "--all-areas", "--areas", ",".join(BATCH_AREAS), "--release",
         "2026-Q1", "--reports", str(reports), "--dask-scheduler", dask_cluster,
         "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"3 of 3 areas ({3 * len(CHAPTERS)} chapters rendered" in out.stdout
    cluster = reports / "2026-Q1"
    manifest = read_manifest(cluster)
    assert manifest.kind == "all-areas" and manifest.areas == BATCH_AREAS
    assert not manifest.failed_areas
    for code in BATCH_AREAS:
        _same_source(local_batch.folder / "areas" / code, cluster / "areas" / code)
        assert assert_same_outputs(local_batch.folder / "areas" / code,
                                   cluster / "areas" / code) >= 20
    assert (mask_dates((cluster / "national.html").read_text())
            == mask_dates((local_batch.folder / "national.html").read_text()))
