"""The layer rules of docs/architecture.md, enforced by parsing every module's imports.

Each package of ``rutland_jsna`` may import only the packages below it (imports inside
functions count too). A new package, or a new dependency between packages, is a decision to
record in docs/architecture.md and here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rutland_jsna"

#: package (first component below rutland_jsna) -> the packages of ours it may import.
ALLOWED: dict[str, set[str]] = {
    "stats": set(),
    "config": set(),
    "_lazy": set(),
    "data": {"stats", "config"},
    "demo": {"data", "stats", "config"},
    "analysis": {"data", "stats", "config"},
    "chapter": {"analysis", "data", "demo", "stats", "config"},
    "report": {"chapter", "analysis", "data", "stats", "config"},
    "release": {"report", "chapter", "analysis", "data", "demo", "stats", "config"},
    "cli": {"release", "report", "chapter", "analysis", "data", "demo", "stats", "config"},
}
#: Standard-library helpers every layer may use (``_lazy``: lazy package exports, issue 18).
FOUNDATION = {"_lazy"}
#: ``from rutland_jsna import __version__`` (the package's own metadata) is allowed everywhere.
TOP_LEVEL_NAMES = {"__version__"}


def _layer(module: tuple[str, ...]) -> str:
    first = module[0]
    return first[:-3] if first.endswith(".py") else first


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported package of ours) for every import in the file."""
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    package = rel[:-1] if rel[-1] != "__init__" else rel[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package)[: len(package) - (node.level - 1)] if node.level > 1 \
                    else list(package)
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "rutland_jsna":
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                out.append((node.lineno, target[0]))
            else:  # from rutland_jsna import x / from .. import x
                out.extend((node.lineno, a.name) for a in node.names
                           if a.name not in TOP_LEVEL_NAMES)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "rutland_jsna" and len(parts) > 1:
                    out.append((node.lineno, parts[1]))
    return out


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or
                  p.parent != PACKAGE)


def test_every_package_has_a_rule():
    layers = {_layer(p.relative_to(PACKAGE).parts) for p in _modules()}
    assert layers <= set(ALLOWED), f"packages without a layer rule: {layers - set(ALLOWED)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layer_rules(path):
    layer = _layer(path.relative_to(PACKAGE).parts)
    allowed = ALLOWED[layer] | {layer} | FOUNDATION
    bad = [f"line {line}: imports {target}" for line, target in _imports(path)
           if target not in allowed]
    assert not bad, (f"{path.relative_to(PACKAGE)} ({layer}) may import only "
                     f"{sorted(allowed)}: " + "; ".join(bad))


def test_the_rules_are_a_hierarchy():
    """No two packages may import each other (the table is acyclic)."""
    for a, deps in ALLOWED.items():
        for b in deps:
            assert a not in ALLOWED.get(b, set()), f"{a} and {b} import each other"


def test_one_getting_worse_rule():
    """The 'getting worse' test is stats.labels.is_getting_worse, not a string test."""
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules()
                 if 'endswith("getting worse")' in p.read_text(encoding="utf-8")
                 or 'endswith("getting better")' in p.read_text(encoding="utf-8")]
    assert not offenders
