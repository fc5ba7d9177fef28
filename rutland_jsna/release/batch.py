"""All-area batch: every chapter for every upper-tier authority in one release.

``rutland-jsna build --all-areas --workers N`` calls :func:`build_all_areas`, which publishes
``reports/<release>/`` holding ``areas/<code>/`` (for each authority exactly what a
single-area build publishes: the chapters' HTML and CSVs, ``release.json``, ``index.html``),
``national.html`` (every area linked, with its comparison counts or its error) as the
release's ``index.html`` too, and a ``release.json`` of kind "all-areas".

How it stays fast
-----------------
* **Statistics once.** Before any area is rendered, the parent process computes every
  chapter's indicator summaries for the whole country
  (:func:`rutland_jsna.chapter.context.national_summaries` →
  :func:`rutland_jsna.analysis.national.national_statistics`: grouped, vectorised, ~1 s a
  chapter) and writes them once to the staging folder; each worker loads them once and every
  chapter context takes its area's slice (:func:`~rutland_jsna.chapter.context.shared_summaries`)
  instead of recomputing it.
* **No kernel per chapter.** A worker is one long-lived process that renders area after
  area by running the notebooks' cells in-process (:mod:`rutland_jsna.release.executor`): the
  imports and the verified store are paid once per worker, not once per chapter. The HTML is
  the one a papermill build of that area gives (tested for one area).
* **Incremental.** Every area × chapter has the build key of a single-area build; chapters
  already in the chapter cache (including the finished areas of an interrupted batch) are
  linked, not rendered.

Scale-out
---------
The areas are independent tasks submitted to a :class:`concurrent.futures.Executor`: a
:class:`~concurrent.futures.ProcessPoolExecutor` with ``workers`` processes by default, or any
executor passed in — e.g. a Dask cluster's ``Client(...).get_executor()``. Workers write
into the staging folder and read the shared summaries from it, so remote workers need the
reports folder on a file system they share with the machine that runs the build.

Failures
--------
One failing area never stops the others: its error (notebook, cell, exception) is recorded,
shown on the national page and returned in :attr:`BatchResult.failed`; its partial notebooks
are kept under ``reports/_failed/``. The release is published when at least one area
succeeded; if every area failed nothing is published and :class:`BatchError` is raised.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import os
import pickle
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import SOURCE_JSON_SUFFIX, notebooks_dir, reports_dir
from .build import (
    FAILED_DIR,
    BuildError,
    ChapterResult,
    _make_staging,
    _Plan,
    _previous,
    _publish,
    assemble_release,
    cache_lookup,
    cache_restore,
    cache_store,
    chapter_key,
    chapter_title,
    check_release_label,
    ensure_source,
    input_checksums,
    package_fingerprint,
    prune_cache,
    recover,
    release_lock,
    resolve_chapters,
    run_chapter,
)
from .index import (
    ALL_AREAS,
    CHAPTER_TITLES,
    ReleaseManifest,
    release_index_html,
    reports_index_html,
    write_atomic,
    write_manifest,
)

__all__ = [
    "AreaResult",
    "AreaTask",
    "BatchError",
    "BatchResult",
    "build_all_areas",
    "national_html",
    "render_area",
]

AREAS_DIR = "areas"
NATIONAL_PAGE = "national.html"
_SHARED_FILE = "_shared/national_summaries.pkl"


class BatchError(RuntimeError):
    """Every area of an all-area build failed; nothing was published."""


@dataclass
class AreaTask:
    """What a worker needs to render one area (plain data: pickled to the worker)."""

    area_code: str
    area_name: str
    release: str
    source: str
    confidence: float
    chapters: list[tuple[str, str, str]]  # (chapter, notebook path, build key)
    out_dir: str
    cache_root: str
    reports_root: str
    shared: str | None = None


@dataclass
class AreaOutcome:
    """What a worker sends back for one area."""

    area_code: str
    chapters: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class AreaResult:
    area_code: str
    area_name: str
    folder: Path | None
    chapters: list[ChapterResult] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class BatchResult:
    release: str
    folder: Path
    areas: list[AreaResult]
    seconds: float
    #: Seconds spent on the whole country's statistics (0 when every chapter was reused).
    national_seconds: float = 0.0
    workers: int = 0

    @property
    def failed(self) -> dict[str, str]:
        """Area code → error, for the areas that failed."""
        return {a.area_code: a.error for a in self.areas if a.error}

    @property
    def rendered(self) -> int:
        """Area × chapter pairs rendered (not reused) in this run."""
        return sum(1 for a in self.areas for c in a.chapters if not c.reused)


# ------------------------------------------------------------------------------------------
# In the worker
# ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _load_shared(path: str | None) -> tuple[Any, ...]:
    if path is None or not Path(path).is_file():
        return ()
    with open(path, "rb") as fh:
        return tuple(pickle.load(fh))  # written by this build's parent process


def render_area(task: AreaTask) -> AreaOutcome:
    """Render the chapters of one area into ``task.out_dir`` (runs in a worker).

    Never raises for a chapter's failure: the outcome carries the error instead, so one area
    cannot stop the batch.
    """
    from ..chapter.context import shared_summaries

    start = time.perf_counter()
    outcome = AreaOutcome(task.area_code)
    out = Path(task.out_dir)
    try:
        shared = _load_shared(task.shared)
        with shared_summaries(*shared):
            for chapter, notebook, key in task.chapters:
                folder = out / "_chapters" / chapter
                parameters = {
                    "area_code": task.area_code, "comparators": None, "source": task.source,
                    "release": task.release, "confidence": task.confidence,
                    "output_dir": str(folder), "reports_root": task.reports_root,
                }
                warnings_, seconds = run_chapter(
                    chapter, Path(notebook), folder, parameters,
                    title=chapter_title(chapter, task.area_name), release=task.release,
                    engine="inprocess", executed=out / "_notebooks" / Path(notebook).name,
                )
                from .build import _files_record

                record = {"chapter": chapter, "key": key, "seconds": round(seconds, 3),
                          "warnings": warnings_, "files": _files_record(folder),
                          "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                          "engine": "inprocess"}
                cache_store(Path(task.cache_root), chapter, key, folder, record)
                outcome.chapters.append(record)
    except BuildError as exc:
        outcome.error = str(exc)
    except Exception as exc:  # a broken area must not stop the batch
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - start
    return outcome


# ------------------------------------------------------------------------------------------
# In the parent
# ------------------------------------------------------------------------------------------


def _areas(codes: Sequence[str] | None) -> list[tuple[str, str]]:
    from ..data import areas

    if codes is None:
        return [(a.code, a.name) for a in areas.upper_tier_areas()]
    out = []
    for code in dict.fromkeys(codes):
        area = areas.get_area(code)
        if area.type is not areas.AreaType.UTLA:
            raise ValueError(f"areas: {area} is not an upper-tier local authority")
        out.append((area.code, area.name))
    if not out:
        raise ValueError("areas: no area given")
    return out


def _write_shared(staging: Path, chapters: Sequence[str], source: str, confidence: float,
                  codes: Sequence[str]) -> tuple[str | None, float, str]:
    """Compute and store the whole country's summaries once; (path, seconds, problem)."""
    from ..chapter.context import national_summaries

    start = time.perf_counter()
    try:
        shared = [national_summaries(ch, source, confidence, areas=codes) for ch in chapters]
    except Exception as exc:  # the areas then compute their own summaries
        return None, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    path = staging / _SHARED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(shared, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return str(path), time.perf_counter() - start, ""


def build_all_areas(
    release: str | None = None,
    source: str = "demo",
    chapters: Sequence[str] | None = None,
    confidence: float = 0.95,
    *,
    areas: Sequence[str] | None = None,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    reports_root: str | Path | None = None,
    notebooks: str | Path | None = None,
    progress: bool = True,
    incremental: bool = True,
) -> BatchResult:
    """Build the chapters of every upper-tier authority (or of ``areas``) into one release.

    Parameters
    ----------
    release, source, chapters, confidence, reports_root, notebooks, progress, incremental
        As :func:`rutland_jsna.release.build.build` (each area uses its default comparators).
    areas : sequence of str, optional
        Area codes; default all 153 upper-tier authorities.
    workers : int, optional
        Worker processes of the default executor (default: the machine's cores).
    executor : concurrent.futures.Executor, optional
        Where the areas run instead of a new ``ProcessPoolExecutor`` (left open), e.g.
        ``dask.distributed.Client(...).get_executor()``.

    Returns
    -------
    BatchResult
        Per area its folder, chapters (rendered or reused) or error; the time spent on the
        national statistics and in all.

    Raises
    ------
    BatchError
        Every area failed (nothing published).
    ValueError
        Bad release label, chapter or area code.
    """
    from ..config import default_release_label

    start = time.perf_counter()
    release = check_release_label(release or default_release_label())
    root = Path(reports_root) if reports_root is not None else reports_dir()
    nb_dir = Path(notebooks) if notebooks is not None else notebooks_dir()
    wanted = resolve_chapters(chapters, nb_dir)
    area_list = _areas(areas)
    names = dict(area_list)
    root.mkdir(parents=True, exist_ok=True)
    root_abs = root.resolve()
    national_seconds = 0.0
    n_workers = 0
    with release_lock(root, release):
        recover(root, release)
        ensure_source(source)
        package, versions = package_fingerprint()
        staging = _make_staging(root, release)
        try:
            plans: dict[str, list[_Plan]] = {}
            tasks: list[AreaTask] = []
            for code, name in area_list:
                area_dir = staging / AREAS_DIR / code
                plans[code] = []
                todo = []
                for chapter in wanted:
                    folder = area_dir / "_chapters" / chapter
                    parameters = {"area_code": code, "comparators": None, "source": str(source),
                                  "release": release, "confidence": confidence,
                                  "output_dir": str(folder), "reports_root": str(root_abs)}
                    notebook = nb_dir / f"{chapter}.ipynb"
                    key = chapter_key(
                        chapter, notebook, parameters, inputs=input_checksums(source, chapter),
                        package=package, versions=versions,
                        previous=_previous(root_abs, chapter, release, code),
                    )
                    cached = cache_lookup(root, chapter, key) if incremental else None
                    if cached is not None:
                        cache_restore(root, chapter, key, cached, folder)
                    else:
                        todo.append((chapter, str(notebook.resolve()), key))
                    plans[code].append(_Plan(chapter, notebook, parameters, key, folder, cached))
                if todo:
                    tasks.append(AreaTask(code, name, release, str(source), confidence, todo,
                                          str(area_dir.resolve()), str(root_abs),
                                          str(root_abs)))
            shared_path, problem = None, ""
            if tasks:
                shared_path, national_seconds, problem = _write_shared(
                    staging, wanted, str(source), confidence, [c for c, _ in area_list])
                for task in tasks:
                    task.shared = shared_path
            outcomes, n_workers = _run_tasks(tasks, executor=executor, workers=workers,
                                             progress=progress, total=len(area_list),
                                             release=release)
            results = _assemble_areas(
                staging, root, plans, outcomes, names, release=release, source=source,
                confidence=confidence, package=package, versions=versions)
            ok = [r for r in results if r.ok]
            if not ok:
                raise BatchError(
                    f"every area failed; nothing was published. First error: {results[0].error}")
            manifest = ReleaseManifest(
                release=release, area_code="", area_name="All upper-tier authorities",
                source=str(source), source_description=_description(staging, ok, source),
                is_demo=_is_demo(staging, ok, source), checksum=_checksum(staging, ok),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                package_version=__version__, chapters=list(wanted),
                parameters={"areas": [c for c, _ in area_list], "comparators": None,
                            "source": str(source), "release": release,
                            "confidence": confidence},
                input_checksums=input_checksums(source), package_source_sha256=package,
                environment=dict(versions), kind=ALL_AREAS,
                areas=[c for c, _ in area_list],
                failed_areas={r.area_code: r.error for r in results if r.error},
                engine="inprocess", seconds=round(time.perf_counter() - start, 3),
            )
            shutil.rmtree(staging / "_shared", ignore_errors=True)
            write_manifest(staging, manifest)
            page = national_html(staging, manifest, results,
                                 national_note=problem and f"National statistics could not be "
                                 f"shared ({problem}); each area computed its own.")
            write_atomic(staging / NATIONAL_PAGE, page)
            write_atomic(staging / "index.html", page)
            for path in [staging, *staging.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
            final = root / release
            _publish(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    write_atomic(root / "index.html", reports_index_html(root))
    prune_cache(root)
    for r in results:
        if r.ok:
            r.folder = final / AREAS_DIR / r.area_code
            for c in r.chapters:
                c.html = r.folder / c.html.name
                c.csv_files = [r.folder / p.name for p in c.csv_files]
    return BatchResult(release, final, results, time.perf_counter() - start,
                       national_seconds=national_seconds, workers=n_workers)


def _run_tasks(tasks: list[AreaTask], *, executor: cf.Executor | None, workers: int | None,
               progress: bool, total: int, release: str) -> tuple[dict[str, AreaOutcome], int]:
    """Submit one task per area; one progress bar; errors of the executor become the area's.

    Returns the outcomes by area and the number of worker processes started (0 for an
    executor passed in).
    """
    from tqdm.auto import tqdm

    outcomes: dict[str, AreaOutcome] = {}
    bar = tqdm(total=total, initial=total - len(tasks), desc=f"All areas {release}",
               unit="area", disable=not progress)
    if not tasks:
        bar.close()
        return outcomes, 0
    own = executor is None
    n = max(1, min(len(tasks), workers or os.cpu_count() or 1))
    pool = executor if executor is not None else cf.ProcessPoolExecutor(max_workers=n)
    try:
        futures = {pool.submit(render_area, task): task for task in tasks}
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # the worker died (e.g. out of memory) or the task was lost
                outcome = AreaOutcome(task.area_code, error=f"{type(exc).__name__}: {exc}")
            outcomes[task.area_code] = outcome
            bar.set_postfix_str(task.area_code + (" failed" if outcome.error else ""))
            bar.update()
    finally:
        bar.close()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return outcomes, n if own else 0


def _assemble_areas(staging: Path, root: Path, plans: dict[str, list[_Plan]],
                    outcomes: dict[str, AreaOutcome], names: dict[str, str], *, release: str,
                    source: str, confidence: float, package: str,
                    versions: dict[str, str]) -> list[AreaResult]:
    """Each area's folder as a single-area release (manifest, index); failures set aside."""
    results = []
    failed_root = root / FAILED_DIR / f"{release}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    for code, area_plans in plans.items():
        area_dir = staging / AREAS_DIR / code
        outcome = outcomes.get(code)
        if outcome is not None and outcome.error:
            kept = area_dir / "_notebooks"
            if kept.is_dir():
                target = failed_root / AREAS_DIR / code
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(kept), str(target))
            shutil.rmtree(area_dir, ignore_errors=True)
            results.append(AreaResult(code, names[code], None, [], outcome.error))
            continue
        records = {r["chapter"]: r for r in (outcome.chapters if outcome else [])}
        chapter_results = []
        for plan in area_plans:
            if plan.cached is not None:
                rec, reused = plan.cached, True
            else:
                rec, reused = records[plan.chapter], False
            chapter_results.append(ChapterResult(
                plan.chapter, plan.out_dir / f"{plan.chapter}.html", [],
                float(rec.get("seconds", 0.0)), list(rec.get("warnings", [])), reused=reused,
                key=plan.key))
        try:
            manifest = assemble_release(
                area_dir, area_plans, chapter_results, release=release, area_code=code,
                area_name=names[code], source=source, comparators=None, confidence=confidence,
                package=package, versions=versions, engine="inprocess",
                seconds=sum(c.seconds for c in chapter_results if not c.reused))
        except BuildError as exc:
            shutil.rmtree(area_dir, ignore_errors=True)
            results.append(AreaResult(code, names[code], None, [], str(exc)))
            continue
        write_manifest(area_dir, manifest)
        write_atomic(area_dir / "index.html", release_index_html(
            area_dir, manifest, home=f"../../{NATIONAL_PAGE}",
            home_label=f"All areas in release {release}"))
        results.append(AreaResult(code, names[code], area_dir, chapter_results))
    return results


def _first_source_record(staging: Path, ok: Sequence[AreaResult]) -> dict[str, Any]:
    import json

    for r in ok:
        for path in sorted((staging / AREAS_DIR / r.area_code).glob(f"*{SOURCE_JSON_SUFFIX}")):
            return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _description(staging: Path, ok: Sequence[AreaResult], source: str) -> str:
    return str(_first_source_record(staging, ok).get("description", source))


def _is_demo(staging: Path, ok: Sequence[AreaResult], source: str) -> bool:
    return bool(_first_source_record(staging, ok).get("is_demo", str(source) == "demo"))


def _checksum(staging: Path, ok: Sequence[AreaResult]) -> str:
    return str(_first_source_record(staging, ok).get("checksum", ""))


# ------------------------------------------------------------------------------------------
# The national summary page
# ------------------------------------------------------------------------------------------


def _counts(folder: Path, chapters: Sequence[str]) -> dict[str, int]:
    from ..analysis.releases import summary_csv_path
    from .index import summary_counts

    total: dict[str, int] = {}
    for chapter in chapters:
        path = summary_csv_path(folder, chapter)
        if path.is_file():
            for k, v in summary_counts(path).items():
                total[k] = total.get(k, 0) + v
    return total


def national_html(staging: Path, manifest: ReleaseManifest, results: Sequence[AreaResult],
                  *, national_note: str = "") -> str:
    """The national summary page: every area with links to its chapters, or its error.

    Accessible like the chapters: ``lang``, skip link, one ``<h1>``, a table with a caption,
    column headers ``scope="col"`` and the area name as the row header ``scope="row"``.
    """
    from ..data import areas as A
    from ..report.html import Html, data_table, heading, paragraph, tag
    from .index import _banner, page

    region = {a.code: a.region_name or "" for a in A.upper_tier_areas()}
    rows = []
    for r in sorted(results, key=lambda r: r.area_name):
        if r.ok:
            links = [tag("a", CHAPTER_TITLES.get(c, c).split(":")[0],
                         href=f"{AREAS_DIR}/{r.area_code}/{c}.html") for c in manifest.chapters]
            chapters_cell = Html(", ".join(x.markup for x in links))
            counts = _counts(staging / AREAS_DIR / r.area_code, manifest.chapters)
            name = tag("a", r.area_name, href=f"{AREAS_DIR}/{r.area_code}/index.html")
            status = "Built"
            worse, better = str(counts.get("Worse", 0)), str(counts.get("Better", 0))
        else:
            name, chapters_cell = r.area_name, "none"
            status = f"Build failed: {r.error}"
            worse = better = "not available"
        rows.append([name, r.area_code, region.get(r.area_code, ""), chapters_cell, worse,
                     better, status])
    n_ok = sum(1 for r in results if r.ok)
    failed = [r for r in results if not r.ok]
    body: list[Html] = [
        _banner(manifest.is_demo),
        heading(1, f"JSNA chapters for every upper-tier authority: release {manifest.release}"),
        paragraph(
            f"{n_ok} of {len(results)} areas built on {manifest.built_at[:10]} with rutland_jsna "
            f"{manifest.package_version} from {manifest.source_description} (snapshot checksum "
            f"{manifest.checksum[:12] or 'not recorded'}). Each area's chapters use its own "
            "comparator group; the statistics for the whole country were computed once."
        ),
    ]
    if national_note:
        body.append(paragraph(national_note))
    if failed:
        body.append(heading(2, "Areas that failed"))
        body.append(tag("ul", [tag("li", f"{r.area_name} ({r.area_code}): {r.error}")
                               for r in failed]))
    body.append(heading(2, "Areas"))
    body.append(data_table(
        ["Area", "Code", "Region", "Chapters", "Indicators worse than England",
         "Indicators better than England", "Status"],
        rows,
        caption=(f"Every upper-tier authority in release {manifest.release}, with links to its "
                 "chapters and the number of indicators significantly worse or better than "
                 "England across them"),
        numeric=[False, False, False, False, True, True, False],
        class_="release-table",
    ))
    return page(f"JSNA release {manifest.release}: all upper-tier authorities",
                Html("\n".join(b.markup for b in body)), home="../index.html")
