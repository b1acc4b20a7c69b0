"""The one-way import graph of docs/architecture.md, enforced: no layer imports one above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sharing"

#: What each layer may import from ``sharing`` (besides itself); a module not named here
#: (the CLI, the package root) may import anything.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_lazy": set(),
    "models": {"errors"},
    "standards": {"errors"},
    "quote": {"standards", "errors"},
    "pool": {"standards", "errors"},
    "report": {"models", "errors"},
    "pesim_fixed": {"models", "errors"},
    "chain": {"pesim_fixed", "quote", "models", "standards", "errors", "_lazy"},
    "bots": {"chain", "standards", "models", "errors"},
    "simulation": {"bots", "chain", "pool", "pesim_fixed", "quote", "standards", "models",
                   "report", "errors"},
    "demo": {"bots", "chain", "pool", "quote", "standards", "errors"},
    "submission": {"chain", "pool", "standards", "errors"},
    "server": {"demo", "simulation", "bots", "chain", "pool", "quote", "pesim_fixed",
               "standards", "models", "report", "errors"},
}


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level ``sharing`` subpackages a module imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sharing" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_graph__no_module_imports_a_higher_layer(path: Path):
    layer = _layer(path)
    upward = _imports(path) - ALLOWED[layer] - {layer, "_lazy"}  # the lazy re-export helper
    assert not upward, f"sharing/{path.relative_to(PACKAGE)} imports {sorted(upward)}"


def test_import_graph__the_rule_can_fail():
    """A models module importing the chain would be caught (the check is not vacuous)."""
    tree = "from sharing.chain.ais import AisSystem\n"
    found = {n.module.split(".")[1] for n in ast.walk(ast.parse(tree))
             if isinstance(n, ast.ImportFrom) and n.module}
    assert found - ALLOWED["models"] == {"chain"}
