"""Build a release: run the chapter notebooks, export HTML, publish atomically, incrementally.

:func:`build` runs every chapter notebook that exists in ``notebooks/`` (or the ones asked
for) with the parameters ``area_code, comparators, source, release, confidence, output_dir``,
exports each executed notebook to HTML with no code (the accessible ``jsna`` nbconvert
template: outputs only, ``lang="en-GB"``, landmarks, skip link, print styles), writes the
release manifest (``release.json``), the release index and the reports index, and publishes:

1. everything is written into a temporary folder beside the release,
   ``reports/.<release>.building-<pid>-XXXX`` (hidden: never listed as a release);
2. only when every chapter has succeeded is the temporary folder swapped with an existing
   ``reports/<release>`` in one atomic ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two
   renames, and an interrupted swap is undone by the next build), then the old copy deleted;
3. if a notebook fails, the previous release is untouched, the partial build (with the executed
   notebook, error banner included) is kept under ``reports/_failed/`` for debugging, and
   :class:`BuildError` names the notebook, the cell and the exception. A build killed outright
   leaves only its hidden temporary folder, removed by the next build of that release.

Incremental builds
------------------
Each chapter has a **build key**: the sha256 of its notebook's bytes, the parameters (without
``output_dir``), the package's source files (:func:`package_fingerprint`: every file of the
installed ``rutland_jsna``, not only its version, plus the versions of Python and the
libraries that shape the output), the sha256 of every input file the chapter reads
(:func:`input_checksums`) and the stored summary of the previous release it compares with.
A chapter whose key is in the chapter cache (``reports/_cache/chapters/``, filled as each
chapter finishes) is not run again: its files are linked from the cache after their checksums
are verified. So a rebuild with nothing changed only hashes and copies (about a second), and a
changed input re-runs only the chapters that read it. ``incremental=False`` runs everything.

Engines
-------
``engine="papermill"`` (default) runs each chapter in a Jupyter kernel, up to ``jobs`` at once.
The kernel is the interpreter running the build: the ``python3`` kernelspec when it resolves to
this interpreter (ipykernel's own), otherwise a private kernelspec written for
``sys.executable``, so a fresh ``make reports`` never picks up another environment's kernel.
``engine="inprocess"`` runs the notebook's cells in this process
(:func:`rutland_jsna.release.executor.run_notebook`): the same outputs and HTML, no kernel start,
imports and the loaded store shared between chapters (the all-area batch uses it).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import errno
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import (
    DEFAULT_AREA_CODE,
    PACKAGE_DIR,
    SOURCE_JSON_SUFFIX,
    notebooks_dir,
    raw_dir,
    reports_dir,
)
from .index import (
    CHAPTER_TITLES,
    CSS_PATH,
    MANIFEST,
    TEMPLATES_DIR,
    ReleaseManifest,
    release_index_html,
    reports_index_html,
    write_atomic,
    write_manifest,
)

__all__ = [
    "BuildError",
    "BuildResult",
    "ChapterResult",
    "available_chapters",
    "build",
    "chapter_key",
    "export_html",
    "input_checksums",
    "package_fingerprint",
    "recover",
    "resolve_kernel_name",
]

if TYPE_CHECKING:
    import nbformat

#: Chapters in build order (the values of :class:`rutland_jsna.data.catalogue_model.Chapter`;
#: written out so that a no-change rebuild does not import the statistics stack).
CHAPTER_ORDER: tuple[str, ...] = ("outcomes", "sexual_health", "oral_health")
ENGINES = ("papermill", "inprocess")
_KERNEL_NAME = "rutland-jsna"
FAILED_DIR = "_failed"
CACHE_DIR = "_cache"
#: Unreferenced chapter-cache entries younger than this are kept (e.g. the finished areas of
#: an interrupted all-area batch, reused when it is run again).
CACHE_GRACE_SECONDS = 7 * 24 * 3600
#: Libraries whose version is part of every build key and of ``release.json``.
KEY_LIBRARIES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "nbconvert",
                 "papermill", "jinja2", "pandera")
_SOURCE_SUFFIXES = {".py", ".csv", ".yaml", ".yml", ".json", ".j2", ".tpl", ".css", ".html",
                    ".md", ".txt"}
#: Local extract kinds the oral health chapter reads from ``data/raw/local``.
_LOCAL_EXTRACTS = {"oral_health": ("dental_access", "uda_delivery")}


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
    #: True when the chapter was not run: its files came from an identical earlier build.
    reused: bool = False
    key: str = ""


@dataclass
class BuildResult:
    release: str
    folder: Path
    chapters: list[ChapterResult]
    seconds: float
    #: Every published output (``release.json`` ``outputs``): file → format, sha256, bytes,
    #: seconds, reused.
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def rebuilt(self) -> list[str]:
        """The chapters that were run (not reused)."""
        return [c.chapter for c in self.chapters if not c.reused]


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


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """One nbconvert exporter per process (building its Jinja environment costs ~0.3 s)."""
    import re

    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class JsnaExporter(HTMLExporter):
        """HTMLExporter without its closing BeautifulSoup pass.

        That pass parses and re-serialises the whole page (0.5 s of a chapter's 0.6 s export)
        to add alt text to images that have none and ``tabindex`` to JupyterLab cell
        wrappers; the ``jsna`` template gives every chart image its alt text and has no
        JupyterLab wrappers, so the page is the template's output as written. A missing alt
        is still reported, as nbconvert does.
        """

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            missing = len(re.findall(r"<img(?![^>]*\balt=)[^>]*>", html))
            if missing:
                self.log.warning("Alternative text is missing on %s image(s).", missing)
            return html, resources

    exporter = JsnaExporter(template_name="jsna", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


_EXPORT_LOCK = threading.Lock()


def export_html(notebook: nbformat.NotebookNode, *, title: str, release: str,
                build_date: str) -> str:
    """Executed notebook → self-contained HTML through the accessible ``jsna`` template."""
    resources = {
        "jsna": {
            "title": title,
            "css": CSS_PATH.read_text(encoding="utf-8"),
            "release": release,
            "version": __version__,
            "build_date": build_date,
        }
    }
    with _EXPORT_LOCK:  # one exporter per process, shared by the build's threads
        body, _ = _exporter().from_notebook_node(notebook, resources=resources)
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


def chapter_title(chapter: str, area_name: str) -> str:
    return f"{CHAPTER_TITLES.get(chapter, chapter)}: {area_name}"


# ------------------------------------------------------------------------------------------
# Build keys
# ------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": ".".join(map(str, sys.version_info[:3])), "rutland_jsna": __version__}
    for name in KEY_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def package_fingerprint() -> tuple[str, dict[str, str]]:
    """sha256 of the package's source and data files, and the library versions.

    Every file of the installed ``rutland_jsna`` (code, catalogue, templates, CSS, pinned
    figures) is hashed by its path and bytes, so editing any of them — not only bumping the
    version — changes every build key. Computed once per process unless a file changes
    (keyed by the files' sizes and modification times).
    """
    files = sorted(p for p in PACKAGE_DIR.rglob("*")
                   if p.is_file() and p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts)
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _package_fingerprint(stamp), _versions()


@functools.lru_cache(maxsize=4)
def _package_fingerprint(stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for name, _, _ in stamp:
        path = Path(name)
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _display_path(path: Path) -> str:
    from ..config import project_root

    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=64)
def _hash_cached(path: str, size: int, mtime_ns: int, inode: int) -> str:
    return _sha256_file(Path(path))


def _hash(path: Path) -> str:
    st = path.stat()
    return _hash_cached(str(path), st.st_size, st.st_mtime_ns, st.st_ino)


def ensure_source(source: str | os.PathLike[str]) -> None:
    """Make sure the store exists before its files are hashed (generates the demo snapshot)."""
    if str(source) == "demo":
        from ..chapter.sources import store_files

        files = store_files("demo")
        if not any(f.name == "snapshot.json" for f in files) or not any(
                f.suffix == ".csv" and f.parent.name == "processed" for f in files):
            from .. import demo

            demo.ensure_demo_store()
        else:
            # The kernel's ensure_demo_store() rewrites a store made from another snapshot:
            # do it now, so the files hashed are the files read.
            from .. import demo

            side = json.loads(next(f for f in files if f.suffix == ".json"
                                   and f.parent.name == "processed").read_text("utf-8"))
            snap = json.loads(next(f for f in files if f.name == "snapshot.json")
                              .read_text("utf-8"))
            if side.get("input_checksums", {}).get("MANIFEST.csv") != snap.get("manifest_sha256"):
                demo.ensure_demo_store()


def input_checksums(source: str | os.PathLike[str], chapter: str | None = None) -> dict[str, str]:
    """sha256 of every input file a chapter reads: path (relative to the project) → sha256.

    The store's files (:func:`rutland_jsna.chapter.context.store_files`: the processed table,
    its sidecar, the snapshot's neighbour and local tables) for every chapter; the analysts'
    local extracts in ``data/raw/local`` for the chapters that read them (oral health).
    ``chapter=None``: the union over all chapters (``release.json``).
    """
    from ..chapter.sources import store_files

    files = list(store_files(source))
    kinds = (_LOCAL_EXTRACTS.get(chapter, ()) if chapter is not None
             else tuple(k for v in _LOCAL_EXTRACTS.values() for k in v))
    local = raw_dir() / "local"
    for kind in kinds:
        for suffix in (".csv", ".xlsx"):
            p = local / f"{kind}{suffix}"
            if p.is_file():
                files.append(p)
    return {_display_path(p): _hash(p) for p in sorted(set(files))}


def chapter_key(
    chapter: str,
    notebook: Path,
    parameters: Mapping[str, Any],
    *,
    inputs: Mapping[str, str],
    package: str,
    versions: Mapping[str, str],
    previous: tuple[str, str] | None,
) -> str:
    """The build key of one chapter (see the module docstring): a sha256 hex string."""
    record = {
        "chapter": chapter,
        "notebook_sha256": _hash(notebook),
        "parameters": {k: v for k, v in parameters.items() if k not in _UNKEYED_PARAMETERS},
        "package_source_sha256": package,
        "versions": dict(versions),
        "inputs": dict(inputs),
        "previous_summary": list(previous) if previous else None,
    }
    return _sha256_text(json.dumps(record, sort_keys=True, default=str))


#: Parameters that say where a chapter is written and read from, not what it contains (the
#: previous release it compares with is part of the key on its own).
_UNKEYED_PARAMETERS = ("output_dir", "reports_root")


def _previous(root: Path, chapter: str, release: str, area_code: str) -> tuple[str, str] | None:
    from ..analysis.releases import find_previous_summary

    found = find_previous_summary(root, chapter, release, area_code)
    return None if found is None else (found[0], _hash(found[1]))


# ------------------------------------------------------------------------------------------
# Chapter cache
# ------------------------------------------------------------------------------------------


def _cache_entry(root: Path, chapter: str, key: str) -> Path:
    return root / CACHE_DIR / "chapters" / chapter / key


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def cache_lookup(root: Path, chapter: str, key: str) -> dict[str, Any] | None:
    """The cached record of a chapter build with this key, if its files are intact."""
    entry = _cache_entry(root, chapter, key)
    record_path = entry / "record.json"
    if not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        files = record["files"]
        if any(_sha256_file(entry / name) != sha for name, sha in files.items()):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record


def cache_restore(root: Path, chapter: str, key: str, record: Mapping[str, Any],
                  dest: Path) -> None:
    entry = _cache_entry(root, chapter, key)
    dest.mkdir(parents=True, exist_ok=True)
    for name in record["files"]:
        _link_or_copy(entry / name, dest / name)


def cache_store(root: Path, chapter: str, key: str, folder: Path,
                record: Mapping[str, Any]) -> None:
    """Keep a finished chapter's files (linked, not copied) under its key (atomic, best effort)."""
    entry = _cache_entry(root, chapter, key)
    if entry.is_dir():
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=entry.parent))
        for name in record["files"]:
            _link_or_copy(folder / name, tmp / name)
        (tmp / "record.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        try:
            tmp.rename(entry)
        except OSError:  # another build stored the same key first
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


def prune_cache(root: Path, *, grace_seconds: float = CACHE_GRACE_SECONDS) -> int:
    """Delete cache entries no published release uses and older than ``grace_seconds``.

    Returns the number of entries deleted.
    """
    from .index import list_releases, read_manifest

    base = root / CACHE_DIR / "chapters"
    if not base.is_dir():
        return 0
    used: set[str] = set()
    for m in list_releases(root):
        used.update(b.get("key", "") for b in m.chapter_builds.values())
        used.update(o.get("key", "") for o in m.outputs.values())
        if m.is_all_areas:
            for code in m.areas:
                area = read_manifest(root / m.release / "areas" / code)
                if area is not None:
                    used.update(b.get("key", "") for b in area.chapter_builds.values())
    now = time.time()
    deleted = 0
    for entry in base.glob("*/*"):
        if entry.name in used:
            continue
        try:
            old = now - entry.stat().st_mtime > grace_seconds
        except OSError:
            continue
        if old or entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
            deleted += 1
    return deleted


# ------------------------------------------------------------------------------------------
# Running one chapter
# ------------------------------------------------------------------------------------------


def _files_record(folder: Path) -> dict[str, str]:
    return {p.name: _sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _run_chapter_papermill(
    chapter: str,
    notebook: Path,
    out_dir: Path,
    executed: Path,
    parameters: dict[str, object],
    kernel_name: str,
    *,
    progress: bool,
    timeout: int | None,
) -> nbformat.NotebookNode:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name=kernel_name,
            # no cwd: papermill would chdir this whole process, which races between the
            # build's threads; the chapters write only to their absolute output_dir.
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
    return nbformat.read(executed, as_version=4)


def _run_chapter_inprocess(
    notebook: Path, out_dir: Path, executed: Path, parameters: dict[str, object],
) -> nbformat.NotebookNode:
    import nbformat

    from .executor import CellExecutionError, run_notebook

    try:
        nb = run_notebook(notebook, parameters)
    except CellExecutionError as exc:
        if exc.notebook is not None:
            nbformat.write(exc.notebook, executed)
        raise BuildError(notebook.name, exc.ename, exc.evalue.strip(),
                         cell_index=exc.cell_index, exec_count=exc.exec_count,
                         cell_source=exc.source,
                         partial=executed if executed.exists() else None) from exc
    except Exception as exc:
        raise BuildError(notebook.name, type(exc).__name__, str(exc).strip()) from exc
    nbformat.write(nb, executed)
    return nb


def run_chapter(
    chapter: str,
    notebook: Path,
    out_dir: Path,
    parameters: dict[str, object],
    *,
    title: str,
    release: str,
    engine: str = "papermill",
    kernel_name: str | None = None,
    progress: bool = False,
    timeout: int | None = None,
    executed: Path | None = None,
) -> tuple[list[str], float]:
    """Run one chapter notebook into ``out_dir`` and export its HTML there.

    Returns the warnings (stderr text of the cells) and the seconds taken. ``parameters``
    must hold ``output_dir`` = ``out_dir``. The executed notebook is written to ``executed``
    (default ``out_dir/../_notebooks/<notebook>``), kept on failure for debugging.
    """
    start = time.perf_counter()
    executed = executed or out_dir.parent / "_notebooks" / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    if engine == "inprocess":
        nb = _run_chapter_inprocess(notebook, out_dir, executed, parameters)
    else:
        assert kernel_name is not None
        nb = _run_chapter_papermill(chapter, notebook, out_dir, executed, parameters,
                                    kernel_name, progress=progress, timeout=timeout)
    html = export_html(nb, title=title, release=release,
                       build_date=datetime.now(UTC).date().isoformat())
    (out_dir / f"{chapter}.html").write_text(html, encoding="utf-8")
    return _stderr(nb), time.perf_counter() - start


# ------------------------------------------------------------------------------------------
# Publishing
# ------------------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _publish(staging: Path, final: Path) -> None:
    """Put ``staging`` in place of ``final``, replacing an existing release only now.

    One atomic exchange where the system has it (a reader, or a build killed at any moment,
    sees the old release or the new one, never neither); otherwise two renames, with the old
    release parked as ``.<release>.old-*`` until the new one is in place (:func:`recover`
    puts it back if the process dies in between).
    """
    if final.exists() and _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now the old release
        return
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(root: Path, release: str | None = None) -> list[str]:
    """Tidy after builds that were killed: restore a release parked by an interrupted publish
    and delete temporary folders whose build process is gone. Returns what was done."""
    done: list[str] = []
    root = Path(root)
    if not root.is_dir():
        return done
    for d in sorted(root.iterdir()):
        name = d.name
        if not name.startswith(".") or not d.is_dir():
            continue
        for marker in (".old-", ".building-"):
            if marker not in name:
                continue
            label, rest = name[1:].split(marker, 1)
            if release is not None and label != release:
                continue
            try:
                pid = int(rest.split("-", 1)[0])
            except ValueError:
                pid = -1
            if pid > 0 and pid != os.getpid() and _pid_alive(pid):
                continue
            target = root / label
            if marker == ".old-" and not target.exists():
                d.rename(target)
                done.append(f"restored {label} from an interrupted publish")
            else:
                shutil.rmtree(d, ignore_errors=True)
                done.append(f"removed {name}")
    return done


@contextlib.contextmanager
def release_lock(root: Path, release: str) -> Iterator[None]:
    """Hold an exclusive lock on one release of a reports folder (two builds of the same
    release in the same folder wait for each other)."""
    import fcntl

    path = root / CACHE_DIR / "locks" / f"{release}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _make_staging(root: Path, release: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{release}.building-{os.getpid()}-", dir=root))


def _finalise_permissions(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


# ------------------------------------------------------------------------------------------
# build
# ------------------------------------------------------------------------------------------


def check_release_label(release: str) -> str:
    if not release or release.startswith((".", "_")) or "/" in release or "\\" in release:
        raise ValueError(f"release: {release!r} is not a usable folder name")
    return release


def resolve_chapters(chapters: Sequence[str] | None, nb_dir: Path) -> list[str]:
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
    return wanted


@dataclass
class _Plan:
    chapter: str
    notebook: Path
    parameters: dict[str, object]
    key: str
    out_dir: Path
    cached: dict[str, Any] | None = None




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
    incremental: bool = True,
    engine: str = "papermill",
    jobs: int | None = None,
    formats: str | Sequence[str] | None = None,
    docx_template: str | os.PathLike[str] | None = None,
    docx_styles: Sequence[str] = (),
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
        Seconds allowed per cell (papermill engine).
    incremental : bool
        Reuse a chapter whose build key is unchanged (default); False runs every chapter.
    engine : {"papermill", "inprocess"}
        Run each notebook in a Jupyter kernel (default) or in this process (same HTML).
    jobs : int, optional
        Chapters run at once by the papermill engine (default: up to 2, the cores of the
        build machine; each kernel holds the store in memory).
    formats : str or sequence of str, optional
        Formats to publish besides the chapter HTML (always published): ``"pdf,xlsx,docx"``
        or ``"all"`` (:mod:`rutland_jsna.release.outputs`); default HTML only.
    docx_template : path, optional
        The council's Word template for the ``docx`` format (styles mapped by name).
    docx_styles : sequence of str
        ``ROLE=STYLE NAME`` pairs naming the template's styles
        (:class:`rutland_jsna.report.formats.docx.DocxStyles`).

    Returns
    -------
    BuildResult
        With, per chapter, its files, seconds and whether it was reused.

    Raises
    ------
    BuildError
        A notebook failed (see the class); nothing is published.
    ValueError
        An unknown chapter or engine, a chapter whose notebook does not exist, or a bad
        release label.
    """
    from ..config import default_release_label
    from .outputs import OutputOptions

    start = time.perf_counter()
    release = check_release_label(release or default_release_label())
    output_options = OutputOptions.make(formats, docx_template=docx_template,
                                        docx_styles=docx_styles)
    if engine not in ENGINES:
        raise ValueError(f"engine: {engine!r} is not one of {', '.join(ENGINES)}")
    root = Path(reports_root) if reports_root is not None else reports_dir()
    nb_dir = Path(notebooks) if notebooks is not None else notebooks_dir()
    wanted = resolve_chapters(chapters, nb_dir)
    area_name = _area_name(area_code)
    root.mkdir(parents=True, exist_ok=True)
    root_abs = root.resolve()
    with release_lock(root, release):
        recover(root, release)
        ensure_source(source)
        package, versions = package_fingerprint()
        staging = _make_staging(root, release)
        plans: list[_Plan] = []
        for chapter in wanted:
            out_dir = staging / "_chapters" / chapter
            parameters = {
                "area_code": area_code,
                "comparators": list(comparators) if comparators is not None else None,
                "source": str(source),
                "release": release,
                "confidence": confidence,
                "output_dir": str(out_dir),
                "reports_root": str(root_abs),
            }
            notebook = nb_dir / f"{chapter}.ipynb"
            key = chapter_key(
                chapter, notebook, parameters, inputs=input_checksums(source, chapter),
                package=package, versions=versions,
                previous=_previous(root_abs, chapter, release, area_code),
            )
            cached = cache_lookup(root, chapter, key) if incremental else None
            plans.append(_Plan(chapter, notebook, parameters, key, out_dir, cached))
        try:
            results = _execute(plans, root, release, area_name, engine=engine, jobs=jobs,
                               progress=progress, timeout=timeout)
            outputs = _outputs(root, staging, plans, output_options, release=release,
                               incremental=incremental)
            manifest = assemble_release(
                staging, plans, results, release=release, area_code=area_code,
                area_name=area_name, source=source, comparators=comparators,
                confidence=confidence, package=package, versions=versions, engine=engine,
                seconds=time.perf_counter() - start,
            )
            manifest = outputs(manifest)
        except BuildError as err:
            shutil.rmtree(staging / "_chapters", ignore_errors=True)
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
        write_manifest(staging, manifest)
        write_atomic(staging / "index.html", release_index_html(staging, manifest))
        _finalise_permissions(staging)
        final = root / release
        _publish(staging, final)
    write_atomic(root / "index.html", reports_index_html(root))
    prune_cache(root)
    for r in results:
        r.html = final / r.html.name
        r.csv_files = [final / p.name for p in r.csv_files]
    return BuildResult(release, final, results, time.perf_counter() - start,
                       outputs=manifest.outputs)


def _outputs(root: Path, staging: Path, plans: Sequence[_Plan], options: Any, *,
             release: str, incremental: bool) -> Any:
    """Render the chapters' other formats now (into their folders); return the step that,
    once the release is assembled, renders the release workbook and records every output."""
    from dataclasses import replace

    from .outputs import html_records, render_chapter_outputs, render_release_outputs

    chapter_outputs = render_chapter_outputs(
        root, [(p.chapter, p.key, p.out_dir) for p in plans], options, release=release,
        incremental=incremental)

    def finish(manifest: ReleaseManifest) -> ReleaseManifest:
        release_outputs = render_release_outputs(
            root, staging, [(p.chapter, p.key) for p in plans], options, release=release,
            incremental=incremental)
        return replace(manifest, formats=list(options.formats), outputs={
            **html_records(staging, manifest.chapter_builds), **chapter_outputs,
            **release_outputs})

    return finish


def _execute(
    plans: list[_Plan],
    root: Path,
    release: str,
    area_name: str,
    *,
    engine: str,
    jobs: int | None,
    progress: bool,
    timeout: int | None,
) -> list[ChapterResult]:
    """Restore cached chapters, run the others (papermill: ``jobs`` kernels at once)."""
    from tqdm.auto import tqdm

    results: dict[str, ChapterResult] = {}
    todo = []
    for plan in plans:
        if plan.cached is not None:
            cache_restore(root, plan.chapter, plan.key, plan.cached, plan.out_dir)
            results[plan.chapter] = ChapterResult(
                plan.chapter, plan.out_dir / f"{plan.chapter}.html", [],
                float(plan.cached.get("seconds", 0.0)), list(plan.cached.get("warnings", [])),
                reused=True, key=plan.key)
        else:
            todo.append(plan)
    bar = tqdm(total=len(plans), initial=len(plans) - len(todo), desc=f"Building {release}",
               unit="chapter", disable=not progress)

    def run(plan: _Plan, kernel_name: str | None) -> ChapterResult:
        warnings_, seconds = run_chapter(
            plan.chapter, plan.notebook, plan.out_dir, plan.parameters,
            title=chapter_title(plan.chapter, area_name), release=release, engine=engine,
            kernel_name=kernel_name, progress=progress and engine == "papermill" and n == 1,
            timeout=timeout, executed=plan.out_dir.parent.parent / "_notebooks" / plan.notebook.name,
        )
        record = {"chapter": plan.chapter, "key": plan.key, "seconds": round(seconds, 3),
                  "warnings": warnings_, "files": _files_record(plan.out_dir),
                  "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "engine": engine}
        cache_store(root, plan.chapter, plan.key, plan.out_dir, record)
        return ChapterResult(plan.chapter, plan.out_dir / f"{plan.chapter}.html", [], seconds,
                             warnings_, reused=False, key=plan.key)

    n = 1
    try:
        if todo and engine == "inprocess":
            for plan in todo:
                bar.set_postfix_str(plan.chapter)
                results[plan.chapter] = run(plan, None)
                bar.update()
        elif todo:
            n = max(1, min(len(todo), jobs if jobs is not None else min(2, os.cpu_count() or 1)))
            with resolve_kernel_name() as kernel_name:
                if n == 1:
                    for plan in todo:
                        bar.set_postfix_str(plan.chapter)
                        results[plan.chapter] = run(plan, kernel_name)
                        bar.update()
                else:
                    with cf.ThreadPoolExecutor(max_workers=n) as pool:
                        futures = {pool.submit(run, plan, kernel_name): plan for plan in todo}
                        error: BuildError | None = None
                        for fut in cf.as_completed(futures):
                            try:
                                results[futures[fut].chapter] = fut.result()
                            except BuildError as exc:
                                error = error or exc
                                for other in futures:
                                    other.cancel()
                            bar.update()
                        if error is not None:
                            raise error
    finally:
        bar.close()
    return [results[p.chapter] for p in plans]


def assemble_release(
    staging: Path,
    plans: Sequence[_Plan],
    results: Sequence[ChapterResult],
    *,
    release: str,
    area_code: str,
    area_name: str,
    source: str | os.PathLike[str],
    comparators: Sequence[str] | None,
    confidence: float,
    package: str,
    versions: Mapping[str, str],
    engine: str,
    seconds: float,
) -> ReleaseManifest:
    """Move each chapter's files from its sub-folder into ``staging`` and describe the release.

    Fills in each result's ``csv_files`` (and ``html``) with the paths in ``staging``.
    """
    builds: dict[str, dict[str, Any]] = {}
    taken: dict[str, str] = {}
    for plan, result in zip(plans, results, strict=True):
        files = {}
        for path in sorted(plan.out_dir.iterdir()):
            if not path.is_file():
                continue
            if path.name in taken or path.name in (MANIFEST, "index.html"):
                raise BuildError(plan.notebook.name, "FileExistsError",
                                 f"{path.name} is also written by {taken.get(path.name, 'the release')}")
            taken[path.name] = plan.chapter
            files[path.name] = _sha256_file(path)
            os.replace(path, staging / path.name)
        result.html = staging / f"{plan.chapter}.html"
        result.csv_files = [staging / n for n in files if n.endswith(".csv")]
        builds[plan.chapter] = {
            "key": plan.key, "seconds": round(result.seconds, 3), "reused": result.reused,
            "files": files,
        }
    shutil.rmtree(staging / "_chapters", ignore_errors=True)
    shutil.rmtree(staging / "_notebooks", ignore_errors=True)
    chapters = [p.chapter for p in plans]
    description, is_demo, checksum = str(source), str(source) == "demo", ""
    for chapter in chapters:
        path = staging / f"{chapter}{SOURCE_JSON_SUFFIX}"
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
        parameters={"area_code": area_code,
                    "comparators": list(comparators) if comparators is not None else None,
                    "source": str(source), "release": release, "confidence": confidence},
        input_checksums=input_checksums(source),
        package_source_sha256=package,
        environment=dict(versions),
        chapter_builds=builds,
        areas=[area_code],
        engine=engine,
        seconds=round(seconds, 3),
    )
