#!/usr/bin/env python3
"""Check the package's shape (issue #13): stages as subpackages, small modules, no import cycles.

    python3 scripts/check_architecture.py            # exit 1 and a list when something is off

- Import cycles between modules of ``gxq_analysis``, counting every import: module level, inside
  functions, and ``from . import x``; imports under ``if TYPE_CHECKING:`` are ignored (they never run).
- Modules longer than ``MAX_LINES`` lines.
- Top-level modules other than the few that belong there (the stages live in subpackages).

The test suite runs :func:`problems` (tests/test_architecture.py).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gxq_analysis"
MAX_LINES = 600
TOP_LEVEL_MODULES = {"__init__", "__main__", "cli", "config"}
STAGES = ("model", "ingest", "assess", "report", "loop", "i18n")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "templates" not in p.parts}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = (
                test.id
                if isinstance(test, ast.Name)
                else test.attr
                if isinstance(test, ast.Attribute)
                else ""
            )
            if name == "TYPE_CHECKING":
                for sub in node.body:
                    for inner in ast.walk(sub):
                        if hasattr(inner, "lineno"):
                            skip.add(inner.lineno)
    return skip


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports (anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    out: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)

    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("gxq_analysis"):
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(pkg + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
                if not mod.startswith("gxq_analysis"):
                    continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                add(sub if sub in known else mod)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def problems() -> list[str]:
    mods = modules()
    known = set(mods)
    graph = {name: imports_of(name, path, known) for name, path in mods.items()}
    found = []
    for comp in cycles(graph):
        found.append("import cycle: " + " <-> ".join(comp))
    for name, path in mods.items():
        n = sum(1 for _ in path.open(encoding="utf-8"))
        if n > MAX_LINES:
            found.append(f"{name}: {n} lines (> {MAX_LINES})")
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem not in TOP_LEVEL_MODULES:
            found.append(f"gxq_analysis/{path.name}: belongs in a stage subpackage ({', '.join(STAGES)})")
    return found


def main() -> int:
    found = problems()
    for p in found:
        print(p)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
