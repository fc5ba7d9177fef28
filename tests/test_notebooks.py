"""Every chapter notebook is a thin view; the outcomes notebook runs under papermill.

Static checks (fast) parse every notebook in notebooks/: no outputs or execution counts, a
kernelspec, one ``parameters`` cell with the build's parameters, and code that only calls into
``rutland_jsna`` — no def/class/lambda, no imports of other modules, no read_*, groupby, merge.
"""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import nbformat
import pytest

from rutland_jsna.config import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
PARAMETERS = {
    "area_code", "comparators", "source", "release", "confidence", "output_dir", "reports_root",
}
FORBIDDEN_CALLS = re.compile(r"^(read_.*|groupby|merge|join|pivot.*|apply|agg|aggregate|concat)$")


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def thin_view_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Why a notebook is not a thin view (empty list when it is)."""
    problems = []
    if not nb.metadata.get("kernelspec", {}).get("name"):
        problems.append("no kernelspec in the metadata")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        problems.append(f"{len(tagged)} cells tagged 'parameters' (need exactly one)")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {i}: has outputs (commit notebooks without outputs)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {i}: has an execution count")
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            problems.append(f"cell {i}: syntax error {exc.msg}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                problems.append(f"cell {i}: defines a function")
            elif isinstance(node, ast.ClassDef):
                problems.append(f"cell {i}: defines a class")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != "rutland_jsna":
                        problems.append(f"cell {i}: imports {alias.name}")
            elif isinstance(node, ast.ImportFrom):
                if (node.module or "").split(".")[0] != "rutland_jsna" or node.level:
                    problems.append(f"cell {i}: imports from {node.module}")
            elif isinstance(node, ast.Call):
                name = (node.func.attr if isinstance(node.func, ast.Attribute)
                        else getattr(node.func, "id", ""))
                if FORBIDDEN_CALLS.match(name or ""):
                    problems.append(f"cell {i}: calls {name} (data wrangling belongs in the package)")
            elif isinstance(node, ast.For | ast.While | ast.With | ast.Try):
                problems.append(f"cell {i}: control flow ({type(node).__name__})")
    if tagged:
        assigned = set()
        for node in ast.walk(ast.parse(tagged[0].source)):
            if isinstance(node, ast.Assign):
                assigned |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        missing = PARAMETERS - assigned
        if missing:
            problems.append(f"parameters cell lacks {', '.join(sorted(missing))}")
    return problems


def test_there_is_an_outcomes_notebook():
    assert (notebooks_dir() / "outcomes.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_a_thin_view(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert thin_view_problems(nb) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    return 1", "defines a function"),
        ("class A:\n    pass", "defines a class"),
        ("import pandas as pd", "imports pandas"),
        ("from os import path", "imports from os"),
        ("x = ctx.data.groupby('a')", "calls groupby"),
        ("x = pd.read_csv('f.csv')", "calls read_csv"),
        ("x = a.merge(b)", "calls merge"),
        ("f = lambda x: x", "defines a function"),
        ("for i in range(3):\n    pass", "control flow"),
    ],
)
def test_the_checker_catches(source, problem):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("\n".join(f"{p} = None" for p in sorted(PARAMETERS)),
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
    ]
    assert any(problem in p for p in thin_view_problems(nb))


def test_the_checker_catches_outputs_and_missing_kernelspec():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"},
                                           execution_count=3)]
    nb.cells = [cell]
    problems = thin_view_problems(nb)
    assert any("outputs" in p for p in problems)
    assert any("kernelspec" in p for p in problems)
    assert any("parameters" in p for p in problems)


# ------------------------------------------------------------------------------------------
# Execution (slow): papermill with defaults and with another area
# ------------------------------------------------------------------------------------------


def _execute(tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    import papermill

    from rutland_jsna.release.build import resolve_kernel_name

    out = tmp_path / "outcomes.out.ipynb"
    with resolve_kernel_name() as kernel:
        papermill.execute_notebook(
            str(notebooks_dir() / "outcomes.ipynb"), str(out), parameters=parameters,
            kernel_name=kernel, progress_bar=False, cwd=str(tmp_path),
        )
    return nbformat.read(out, as_version=4)


def _html(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if "data" in o and "text/html" in o["data"]:
                parts.append("".join(o["data"]["text/html"]))
    return "\n".join(parts)


def _text(html: str) -> str:
    html = re.sub(r'(src|href)="data:[^"]*"', "", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.notebook
def test_outcomes_notebook_runs_with_defaults(tmp_path):
    nb = _execute(tmp_path, release="test-release", output_dir=str(tmp_path / "out"))
    html = _html(nb)
    text = _text(html)
    assert "Joint Health and Wellbeing Strategy 2022-2025: Outcomes Summary Report" in text
    assert "Demonstration data — not official statistics" in text
    assert "Rutland (E06000017)" in text and "Bedford" in text
    for heading in ("Purpose of Report", "Priority 1: Enabling the best start in life",
                    "Cross Cutting Themes: Supporting Mental Health", "Covid Recovery",
                    "Appendix 1 – Similar areas to Rutland", "Performance Summary"):
        assert heading in text, heading
    for bad in (r"\bnan\b", r"\bNone\b", "Traceback", r"\bmilitary\b"):
        assert not re.search(bad, text), bad
    assert (tmp_path / "out" / "outcomes_p1.csv").is_file()
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]


@pytest.mark.notebook
def test_outcomes_notebook_for_cambridgeshire(tmp_path):
    nb = _execute(tmp_path, area_code="E10000003", release="test-release")
    text = _text(_html(nb))
    assert "Cambridgeshire (E10000003)" in text
    assert "Appendix 1 – Similar areas to Cambridgeshire" in text
    assert "all Cambridgeshire residents" in text
    assert "Rutland" not in text.replace("rutland_jsna", "")
    assert "demonstration group of similar authorities" in text
    assert "Cambridgeshire is ranked" in text or "Cambridgeshire performed" in text
