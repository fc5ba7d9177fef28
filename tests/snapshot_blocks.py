"""Render every block of the three chapter notebooks to HTML, for the snapshot tests.

A *block* is one code cell of a chapter notebook after its ``load`` cell (``outcomes.priority(ctx,
"P1")``, ``sexual_health.section(ctx, "hiv")``, …). :func:`render_blocks` executes a notebook's
cells in one namespace with fixed parameters (release label, build date, an empty or given
reports root) and returns each block's ``_repr_html_`` with the build date masked, so a snapshot
changes only when a block's HTML changes.

The notebooks are the chapters' only list of blocks, so a block added to a notebook is snapshot
too (the test fails until its snapshot is written).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
CHAPTERS = ("outcomes", "sexual_health", "oral_health")
#: the fixed release label and build date of every snapshot
RELEASE = "2026-Q1"
BUILD_DATE = date(2026, 1, 15)
PREVIOUS_RELEASE = "2025-Q4"

#: The blocks that read the previous release's summary (the others are the same with or
#: without one).
PREVIOUS_BLOCKS = frozenset({"overview", "summary", "dashboard", "changes"})


@dataclass(frozen=True)
class Case:
    """One snapshot case: an area of the demonstration store, with or without an earlier
    release in the reports root."""

    name: str
    area_code: str
    previous: bool = False

    def wants(self, function: str) -> bool:
        return not self.previous or function in PREVIOUS_BLOCKS


#: Rutland (its own strategy, the 2015 comparators), Rutland with an earlier release (the
#: "changes since" blocks then list changes), and a metropolitan district with CIPFA
#: neighbours and none of Rutland's strategy text.
CASES = (
    Case("rutland", "E06000017"),
    Case("rutland_previous", "E06000017", previous=True),
    Case("manchester", "E08000003"),
)

_BUILT = re.compile(r"(<dt>Chapter built</dt><dd>)\d{4}-\d{2}-\d{2}(</dd>)")
#: ``demo-<version>-<fingerprint>-seed<n>``: the fingerprint hashes the generator's source files
#: (rutland_jsna.demo), so it changes with any edit of them; the data's own checksum does not.
_FINGERPRINT = re.compile(r"(demo-\d+\.\d+\.\d+-)[0-9a-f]{10}(-seed\d+)")
_DATA_URI = re.compile(r"data:(?P<type>[a-z]+/[a-z+.-]+)(?P<params>(?:;[a-z-]+=[^;,\"]*)*);base64,"
                       r"(?P<data>[A-Za-z0-9+/=]+)")
_PIXELS = re.compile(r";pixels=[0-9a-f]{16}")


def _png(raw: bytes) -> str:
    """``PNG WxH;pixels=<hash of the decoded RGBA pixels>`` (independent of PNG metadata and
    compression, so only a change of the picture changes it)."""
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as img:
        pixels = hashlib.sha256(img.convert("RGBA").tobytes()).hexdigest()[:16]
        return f"PNG {img.width}x{img.height};pixels={pixels}"


def mask(html: str) -> str:
    """The snapshot form of a block's HTML.

    Masked, because they vary without the block changing: the build date of the provenance
    block, and the source fingerprint inside the demonstration snapshot's name (the snapshot's
    data checksum is kept).
    Expanded, so that a diff is readable: a base64 PNG becomes its size and a hash of its
    pixels (:func:`_png`), a base64 CSV download its decoded text (between ``[[`` and ``]]``),
    and a line break goes between adjacent tags.
    """
    html = _BUILT.sub(r"\1BUILD-DATE\2", html)
    html = _FINGERPRINT.sub(r"\1FINGERPRINT\2", html)

    def expand(m: re.Match[str]) -> str:
        raw = base64.b64decode(m["data"])
        if m["type"] == "image/png":
            body = _png(raw)
        elif m["type"].startswith("text/"):
            body = "[[\n" + raw.decode("utf-8") + "]]"
        else:
            body = f"sha256={hashlib.sha256(raw).hexdigest()}"
        return f"data:{m['type']}{m['params']};decoded,{body}"

    html = _DATA_URI.sub(expand, html)
    return html.replace("><", ">\n<") + "\n"


def without_pixels(snapshot: str) -> str:
    """A snapshot without its pixel hashes (for a matplotlib other than the recorded one)."""
    return _PIXELS.sub("", snapshot)


def notebook_cells(chapter: str) -> list[str]:
    """The code cells of a chapter notebook, as source text."""
    nb = json.loads((NOTEBOOKS / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _call(source: str) -> tuple[str, list[str]]:
    """(function name, constant arguments) of a block cell ``module.function(ctx, "P1")``."""
    call = ast.parse(source.strip(), mode="eval").body
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), source
    return call.func.attr, [str(a.value) for a in call.args if isinstance(a, ast.Constant)]


def block_name(index: int, source: str) -> str:
    """A file-name-safe name for a block cell: ``07_priority_P1``."""
    function, args = _call(source)
    return f"{index:02d}_{re.sub(r'[^A-Za-z0-9_]+', '_', '_'.join([function, *args]))}"


@contextmanager
def _fixed_build_date() -> Iterator[None]:
    """Make ``load_chapter`` use :data:`BUILD_DATE` whatever the chapter passes."""
    import rutland_jsna.chapter.context as context

    original = context.load_chapter

    def load_chapter(*args: Any, **kwargs: Any) -> Any:
        kwargs["build_date"] = BUILD_DATE
        return original(*args, **kwargs)

    modules = [context]
    for chapter in CHAPTERS:
        modules.append(__import__(f"rutland_jsna.report.{chapter}", fromlist=["load_chapter"]))
    saved = [(m, m.load_chapter) for m in modules if hasattr(m, "load_chapter")]
    for m, _ in saved:
        m.load_chapter = load_chapter
    try:
        yield
    finally:
        for m, f in saved:
            m.load_chapter = f


def _previous_release(root: Path, chapter: str, area_code: str) -> None:
    """An earlier release holding this chapter's summary with every value 10% higher and the
    first indicator's comparison changed, so the "changes since" block has changes to list."""
    from rutland_jsna.analysis import columns as C
    from rutland_jsna.analysis.changes import summary_csv_path, write_summary_csv
    from rutland_jsna.chapter.context import load_chapter

    ctx = load_chapter(chapter, area_code, release=PREVIOUS_RELEASE, build_date=BUILD_DATE,
                       reports_root=root / "none")
    summary = ctx.summary.copy()
    if C.VALUE in summary:
        summary[C.VALUE] = summary[C.VALUE].astype("float64") * 1.1
    if len(summary):
        first = summary.index[0]
        summary.loc[first, C.COMPARISON] = (
            "Worse" if summary.loc[first, C.COMPARISON] != "Worse" else "Better")
    write_summary_csv(summary, summary_csv_path(root / PREVIOUS_RELEASE, chapter), area_code)


def render_blocks(case: Case, chapter: str, reports_root: Path) -> dict[str, str]:
    """The blocks of ``chapter`` that ``case`` snapshots, from the demonstration store:
    ``{block name: snapshot text (see mask)}`` in notebook order."""
    area_code = case.area_code
    reports_root.mkdir(parents=True, exist_ok=True)
    if case.previous:
        _previous_release(reports_root, chapter, area_code)
    cells = notebook_cells(chapter)
    namespace: dict[str, Any] = {}
    exec(cells[0], namespace)  # parameters
    namespace.update(area_code=area_code, release=RELEASE, source="demo", output_dir=None,
                     reports_root=str(reports_root))
    out: dict[str, str] = {}
    with _fixed_build_date():
        exec(cells[1], namespace)  # import
        exec(cells[2], namespace)  # load
        for i, source in enumerate(cells[3:], start=3):
            if not case.wants(_call(source)[0]):
                continue
            value = eval(compile(source.strip(), f"<{chapter} cell {i}>", "eval"), namespace)
            out[block_name(i, source)] = mask(value._repr_html_())
    return out


def snapshot_dir(case: Case, chapter: str) -> Path:
    return SNAPSHOTS / case.name / chapter


def recorded_matplotlib() -> str | None:
    """The matplotlib version the snapshots' pixel hashes were made with."""
    path = SNAPSHOTS / "VERSIONS.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("matplotlib")


def write_versions() -> None:
    import matplotlib

    (SNAPSHOTS / "VERSIONS.json").write_text(
        json.dumps({"matplotlib": matplotlib.__version__}, indent=2) + "\n", encoding="utf-8")
