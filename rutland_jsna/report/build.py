"""Build a release: run the chapter notebooks with papermill, export HTML, publish atomically.

:func:`build` runs every chapter notebook that exists in ``notebooks/`` (or the ones asked
for) with the parameters ``area_code, comparators, source, release, confidence, output_dir``,
exports each executed notebook to HTML with no code (the accessible ``jsna`` nbconvert
template: outputs only, ``lang="en-GB"``, landmarks, skip link, print styles), writes the
release index and the reports index, and publishes:

1. everything is written into a temporary folder beside the release,
   ``reports/.<release>.building-XXXX``;
2. only when every chapter has succeeded is an existing ``reports/<release>`` moved aside and
   the temporary folder renamed into its place (then the old one is deleted);
3. if a notebook fails, the previous release is untouched, the partial build (with the executed
   notebook, error banner included) is kept under ``reports/_failed/`` for debugging, and
   :class:`BuildError` names the notebook, the cell and the exception.

The kernel is the interpreter running the build: the ``python3`` kernelspec when it resolves to
this interpreter (ipykernel's own), otherwise a private kernelspec written for
``sys.executable``, so a fresh ``make reports`` never picks up another environment's kernel.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from .. import __version__
from ..config import DEFAULT_AREA_CODE, notebooks_dir, reports_dir
from ..data.catalogue_model import Chapter
from .context import SOURCE_JSON_SUFFIX, default_release_label
from .index import (
    CHAPTER_TITLES,
    CSS_PATH,
    TEMPLATES_DIR,
    ReleaseManifest,
    release_index_html,
    reports_index_html,
    write_manifest,
)

__all__ = [
    "BuildError",
    "BuildResult",
    "ChapterResult",
    "available_chapters",
    "build",
    "export_html",
    "resolve_kernel_name",
]

#: Chapters in build order.
CHAPTER_ORDER: tuple[str, ...] = tuple(c.value for c in Chapter)
_KERNEL_NAME = "rutland-jsna"
FAILED_DIR = "_failed"


class BuildError(RuntimeError):
    """A chapter failed; the previous release is untouched.

    Attributes
    ----------
    notebook : str
        The notebook file name.
    cell_index : int or None
        Index of the failing cell in the executed notebook (papermill's injected-parameters
        cell included), ``None`` if the failure was not in a cell.
    cell_source : str
        The failing cell's code.
    ename, evalue : str
        Exception type and message.
    partial : Path or None
        The partial executed notebook kept for debugging.
    """

    def __init__(
        self,
        notebook: str,
        ename: str,
        evalue: str,
        *,
        cell_index: int | None = None,
        exec_count: int | None = None,
        cell_source: str = "",
        partial: Path | None = None,
        release: str = "",
    ) -> None:
        self.notebook = notebook
        self.cell_index = cell_index
        self.exec_count = exec_count
        self.cell_source = cell_source
        self.ename = ename
        self.evalue = evalue
        self.partial = partial
        self.release = release
        where = (
            f"cell {cell_index}"
            + (f" (execution count {exec_count})" if exec_count is not None else "")
            + (f" `{cell_source.strip().splitlines()[0]}`" if cell_source.strip() else "")
            if cell_index is not None
            else "outside a cell"
        )
        kept = f" The partial notebook is kept at {partial}." if partial else ""
        untouched = (
            f" The previous release {release!r} is untouched." if release else ""
        )
        super().__init__(
            f"{notebook} failed at {where}: {ename}: {evalue}.{kept}{untouched}"
        )


@dataclass
class ChapterResult:
    chapter: str
    html: Path
    csv_files: list[Path]
    seconds: float
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    release: str
    folder: Path
    chapters: list[ChapterResult]
    seconds: float


def available_chapters(directory: Path | None = None) -> list[str]:
    """The chapters whose notebook exists, in build order."""
    directory = directory or notebooks_dir()
    return [c for c in CHAPTER_ORDER if (directory / f"{c}.ipynb").is_file()]


@contextlib.contextmanager
def resolve_kernel_name() -> Iterator[str]:
    """Yield a kernel name that runs this interpreter (see the module docstring)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    plain = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
        exe = spec.argv[0] if spec.argv else ""
        if exe in plain or Path(exe).resolve() == Path(sys.executable).resolve():
            yield "python3"
            return
    except NoSuchKernel:
        pass
    with tempfile.TemporaryDirectory(prefix="rutland-jsna-kernel-") as tmp:
        kdir = Path(tmp) / "kernels" / _KERNEL_NAME
        kdir.mkdir(parents=True)
        (kdir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "rutland_jsna (build interpreter)",
            "language": "python",
        }), encoding="utf-8")
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        try:
            yield _KERNEL_NAME
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def export_html(notebook: nbformat.NotebookNode, *, title: str, release: str,
                build_date: str) -> str:
    """Executed notebook → self-contained HTML through the accessible ``jsna`` template."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="jsna", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    resources = {
        "jsna": {
            "title": title,
            "css": CSS_PATH.read_text(encoding="utf-8"),
            "release": release,
            "version": __version__,
            "build_date": build_date,
        }
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


def _stderr(nb: nbformat.NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append("".join(o.get("text", "")).strip())
    return [w for w in out if w]


def _area_name(area_code: str) -> str:
    from ..data.areas import get_area

    return get_area(area_code).name


def _run_chapter(
    chapter: str,
    notebook: Path,
    staging: Path,
    parameters: dict[str, object],
    kernel_name: str,
    *,
    progress: bool,
    timeout: int | None,
    release: str,
    title: str,
) -> ChapterResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    executed = staging / "_notebooks" / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    before = set(staging.glob("*.csv"))
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name=kernel_name,
            cwd=str(staging),
            progress_bar={"desc": chapter, "leave": False} if progress else False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        raise BuildError(
            notebook.name, exc.ename, str(exc.evalue).strip(), cell_index=exc.cell_index,
            exec_count=exc.exec_count, cell_source=exc.source or "", partial=executed,
        ) from exc
    except Exception as exc:  # kernel start failure, timeout, bad notebook …
        raise BuildError(notebook.name, type(exc).__name__, str(exc).strip(),
                         partial=executed if executed.exists() else None) from exc
    nb = nbformat.read(executed, as_version=4)
    html = export_html(nb, title=title, release=release,
                       build_date=datetime.now(UTC).date().isoformat())
    target = staging / f"{chapter}.html"
    target.write_text(html, encoding="utf-8")
    csvs = sorted(set(staging.glob("*.csv")) - before)
    return ChapterResult(chapter, target, csvs, time.perf_counter() - start, _stderr(nb))


def _publish(staging: Path, final: Path) -> None:
    """Rename ``staging`` to ``final``, replacing an existing release only now."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{int(time.time())}")
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(
    area_code: str = DEFAULT_AREA_CODE,
    release: str | None = None,
    source: str = "demo",
    chapters: Sequence[str] | None = None,
    comparators: Sequence[str] | None = None,
    confidence: float = 0.95,
    *,
    reports_root: str | Path | None = None,
    notebooks: str | Path | None = None,
    progress: bool = True,
    timeout: int | None = 900,
) -> BuildResult:
    """Build ``reports/<release>/`` for one area.

    Parameters
    ----------
    area_code : str
        Upper-tier authority code.
    release : str, optional
        Release label (folder name); default the current quarter, e.g. ``2026-Q4``.
    source : {"demo", "fingertips"} or path
        Passed to every notebook.
    chapters : sequence of str, optional
        Chapters to build; default every chapter whose notebook exists.
    comparators : sequence of str, optional
        Comparator area codes (default: each chapter's own default).
    confidence : {0.95, 0.998}
    reports_root, notebooks : path, optional
        Defaults ``reports/`` and ``notebooks/`` (``rutland_jsna.config``).
    progress : bool
        Show tqdm progress bars.
    timeout : int, optional
        Seconds allowed per cell.

    Returns
    -------
    BuildResult

    Raises
    ------
    BuildError
        A notebook failed (see the class); nothing is published.
    ValueError
        An unknown chapter, or a chapter whose notebook does not exist, or a bad release label.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    release = release or default_release_label()
    if not release or release.startswith((".", "_")) or "/" in release or "\\" in release:
        raise ValueError(f"release: {release!r} is not a usable folder name")
    root = Path(reports_root) if reports_root is not None else reports_dir()
    nb_dir = Path(notebooks) if notebooks is not None else notebooks_dir()
    existing = available_chapters(nb_dir)
    if chapters is None:
        wanted = existing
    else:
        unknown = [c for c in chapters if c not in CHAPTER_ORDER]
        if unknown:
            raise ValueError(f"chapters: unknown {', '.join(unknown)}; known: {', '.join(CHAPTER_ORDER)}")
        absent = [c for c in chapters if c not in existing]
        if absent:
            raise ValueError(f"chapters: no notebook for {', '.join(absent)} in {nb_dir}")
        wanted = [c for c in CHAPTER_ORDER if c in chapters]
    if not wanted:
        raise ValueError(f"no chapter notebook found in {nb_dir}")
    area_name = _area_name(area_code)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{release}.building-", dir=root))
    results: list[ChapterResult] = []
    try:
        with resolve_kernel_name() as kernel_name:
            bar = tqdm(wanted, desc=f"Building {release}", unit="chapter", disable=not progress)
            for chapter in bar:
                bar.set_postfix_str(chapter)
                parameters = {
                    "area_code": area_code,
                    "comparators": list(comparators) if comparators is not None else None,
                    "source": str(source),
                    "release": release,
                    "confidence": confidence,
                    "output_dir": str(staging),
                }
                title = f"{CHAPTER_TITLES.get(chapter, chapter)}: {area_name}"
                results.append(_run_chapter(
                    chapter, nb_dir / f"{chapter}.ipynb", staging, parameters, kernel_name,
                    progress=progress, timeout=timeout, release=release, title=title,
                ))
    except BuildError as err:
        failed = root / FAILED_DIR / f"{release}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
        failed.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(failed)
        if err.partial is not None:
            err.partial = failed / err.partial.relative_to(staging)
        err.release = release if (root / release).exists() else ""
        raise BuildError(
            err.notebook, err.ename, err.evalue, cell_index=err.cell_index,
            exec_count=err.exec_count, cell_source=err.cell_source, partial=err.partial,
            release=err.release,
        ) from err.__cause__
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    for path in [staging, *staging.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    manifest = _manifest(staging, release, area_code, area_name, source, [r.chapter for r in results])
    write_manifest(staging, manifest)
    (staging / "index.html").write_text(release_index_html(staging, manifest), encoding="utf-8")
    shutil.rmtree(staging / "_notebooks", ignore_errors=True)
    final = root / release
    _publish(staging, final)
    (root / "index.html").write_text(reports_index_html(root), encoding="utf-8")
    for r in results:
        r.html = final / r.html.name
        r.csv_files = [final / p.name for p in r.csv_files]
    return BuildResult(release, final, results, time.perf_counter() - start)


def _manifest(folder: Path, release: str, area_code: str, area_name: str, source: str,
              chapters: list[str]) -> ReleaseManifest:
    """Provenance for the release page, from the source record the chapters wrote."""
    description, is_demo, checksum = str(source), source == "demo", ""
    for chapter in chapters:
        path = folder / f"{chapter}{SOURCE_JSON_SUFFIX}"
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            description = raw.get("description", description)
            is_demo = bool(raw.get("is_demo", is_demo))
            checksum = raw.get("checksum", checksum)
            break
    return ReleaseManifest(
        release=release, area_code=area_code, area_name=area_name, source=str(source),
        source_description=description, is_demo=is_demo, checksum=checksum,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"), package_version=__version__,
        chapters=chapters,
    )
