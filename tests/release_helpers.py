"""Tiny chapter notebooks for the release, incremental-build and batch tests.

They take the chapter parameters like the real notebooks, write one CSV and one HTML block,
and can fail for chosen areas or sleep (to be killed), so the build machinery is tested in
seconds; the real notebooks are exercised by the reproducibility and equivalence tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

PARAMS = (
    'area_code = "E06000017"\ncomparators = None\nsource = "demo"\nrelease = None\n'
    "confidence = 0.95\noutput_dir = None"
)
CHAPTERS = ("outcomes", "sexual_health", "oral_health")


def tiny_chapter(folder: Path, chapter: str, marker: str = "v1", *, fail_areas=(),
                 sleep: float = 0.0) -> Path:
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    cells = [
        nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import pathlib, time\nfrom rutland_jsna.report.html import Html"),
    ]
    if fail_areas:
        cells.append(nbformat.v4.new_code_cell(
            f"if area_code in {list(fail_areas)!r}:\n"
            "    raise ValueError('broken area ' + area_code)"))
    if sleep:
        cells.append(nbformat.v4.new_code_cell(f"time.sleep({sleep})"))
    cells += [
        nbformat.v4.new_code_cell(
            f'pathlib.Path(output_dir, "{chapter}_table.csv").write_text('
            f'"area,marker,confidence\\n" + area_code + ",{marker}," + str(confidence) + "\\n")'),
        nbformat.v4.new_code_cell(
            f'Html("<h1>{chapter} {marker}</h1><p>" + area_code + "</p>")'),
    ]
    nb.cells = cells
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{chapter}.ipynb"
    nbformat.write(nb, path)
    return path


def tiny_notebooks(folder: Path, marker: str = "v1", **kwargs) -> Path:
    for chapter in CHAPTERS:
        tiny_chapter(folder, chapter, marker, **kwargs)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


_DATES = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\+00:00)?)?")


def mask_dates(text: str) -> str:
    """HTML with build dates and times masked (the only thing a rebuild may change)."""
    return _DATES.sub("<DATE>", text)


def assert_same_outputs(a: Path, b: Path, *, skip=("release.json", "index.html")) -> int:
    """Every CSV byte-for-byte, every HTML equal once dates are masked; returns files compared."""
    names_a = {p.name for p in a.iterdir() if p.is_file() and p.name not in skip}
    names_b = {p.name for p in b.iterdir() if p.is_file() and p.name not in skip}
    assert names_a == names_b, names_a ^ names_b
    for name in sorted(names_a):
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name.endswith(".html"):
            assert mask_dates(x.decode()) == mask_dates(y.decode()), name
        elif name.endswith(".json"):
            continue  # provenance records the build date
        else:
            assert x == y, name
    return len(names_a)


def build_tiny(tmp_path: Path, **kwargs):
    """``build`` of the notebooks in ``tmp_path/nb`` into ``tmp_path/reports``, in process,
    release "2026-Q1" unless given."""
    from rutland_jsna.release.build import build

    kwargs.setdefault("release", "2026-Q1")
    return build(notebooks=tmp_path / "nb", reports_root=tmp_path / "reports", progress=False,
                 engine="inprocess", **kwargs)
