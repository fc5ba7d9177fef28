"""Run a chapter notebook inside this process: no kernel, the same outputs as papermill.

The chapter notebooks are thin views (docs/architecture.md convention 1): a ``parameters`` cell, an import
and one call per cell whose value is displayed. :func:`run_notebook` executes exactly those
cells here, in a fresh namespace, with the parameters injected the way papermill injects them
(:func:`papermill.parameterize.parameterize_notebook`: an ``injected-parameters`` cell after
the ``parameters`` cell), and records each cell's displayed value as an ``execute_result``
output formatted by IPython's own :class:`~IPython.core.formatters.DisplayFormatter` (so
``text/html`` is the object's ``_repr_html_``, exactly as in a kernel). Printed text and
warnings become ``stream`` outputs. The executed notebook goes through the same nbconvert
export as a papermill run, so the HTML is the same, without starting a kernel per chapter:
an all-area batch renders hundreds of chapters in a few long-lived worker processes.

What differs from a kernel: no IPython magics or shell escapes (the notebooks have none; a
test parses every notebook and enforces it), and modules stay imported between notebooks
(the point: imports are paid once per process). Capturing printed text and warnings swaps
process-wide streams, so notebooks run one at a time per process (a lock): an executor with
threads (e.g. a Dask cluster started with ``processes=False``) still gets correct outputs.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

__all__ = ["CellExecutionError", "run_notebook"]

_LOCK = threading.RLock()


class CellExecutionError(RuntimeError):
    """A notebook cell raised: which cell, its code and the exception.

    ``notebook`` is the notebook as executed so far, the failing cell carrying an ``error``
    output (kept for debugging, like papermill's partial notebook).
    """

    def __init__(self, cell_index: int, exec_count: int, source: str, ename: str,
                 evalue: str, notebook: nbformat.NotebookNode | None = None) -> None:
        self.cell_index = cell_index
        self.exec_count = exec_count
        self.source = source
        self.ename = ename
        self.evalue = evalue
        self.notebook = notebook
        super().__init__(f"cell {cell_index}: {ename}: {evalue}")


def _formatter() -> Any:
    from IPython.core.formatters import DisplayFormatter

    return DisplayFormatter()


def _run_cell(source: str, namespace: dict[str, Any], filename: str) -> Any:
    """Execute a cell; return the value of a final expression (IPython's display rule)."""
    tree = ast.parse(source, filename=filename, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    if tree.body:
        exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        return eval(compile(last, filename, "eval"), namespace)
    return None


def _stream(name: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name=name, text=text)


def run_notebook(
    notebook: str | os.PathLike[str] | nbformat.NotebookNode,
    parameters: Mapping[str, Any],
    *,
    cwd: str | os.PathLike[str] | None = None,
) -> nbformat.NotebookNode:
    """Execute a notebook in this process with papermill-style parameters.

    Parameters
    ----------
    notebook : path or NotebookNode
        The chapter notebook (not modified on disk).
    parameters : mapping
        Values injected after the cell tagged ``parameters``.
    cwd : path, optional
        Working directory while the cells run (papermill's ``cwd``); default unchanged.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook: every code cell with ``execution_count`` and its outputs
        (``execute_result`` for a displayed value, ``stream`` for printed text and warnings).

    Raises
    ------
    CellExecutionError
        A cell raised; the cell index (counting the injected cell, as papermill does), its
        execution count and source, and the exception's name and message.
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    if isinstance(notebook, nbformat.NotebookNode):
        nb = nbformat.from_dict(notebook)
        for cell in nb.cells:
            cell.metadata.setdefault("tags", [])
        nb.metadata.setdefault("papermill", nbformat.NotebookNode())
    else:
        nb = load_notebook_node(str(Path(notebook)))  # as papermill loads it (tags, metadata)
    nb = parameterize_notebook(nb, dict(parameters), kernel_name="python3", language="python")
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    formatter = _formatter()
    count = 0
    chdir = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    start = time.perf_counter()
    with _LOCK, chdir:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            cell.execution_count = count
            cell.outputs = []
            out, err = io.StringIO(), io.StringIO()
            with (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
                  warnings.catch_warnings(record=True) as caught):
                warnings.simplefilter("default")
                try:
                    value = _run_cell(cell.source, namespace, f"<cell {index}>")
                except Exception as exc:
                    import traceback

                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename=type(exc).__name__, evalue=str(exc),
                        traceback=traceback.format_exception(exc)))
                    raise CellExecutionError(index, count, cell.source, type(exc).__name__,
                                             str(exc), nb) from exc
            text = err.getvalue() + "".join(
                warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line)
                for w in caught
            )
            if out.getvalue():
                cell.outputs.append(_stream("stdout", out.getvalue()))
            if text:
                cell.outputs.append(_stream("stderr", text))
            if value is not None:
                data, metadata = formatter.format(value)
                cell.outputs.append(nbformat.v4.new_output(
                    "execute_result", data=data, metadata=metadata, execution_count=count))
    nb.metadata.papermill["duration"] = time.perf_counter() - start
    return nb
