"""Imports point one way (model <- analysis/simulate <- render <- faces), and faces hold no logic of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "bpr"

# What each layer may import from bpr (besides itself). bpr.errors is a leaf everyone may use.
ALLOWED = {
    "model": {"errors"},
    "analysis": {"errors", "model"},
    "simulate": {"errors", "model"},
    "render": {"errors", "model", "analysis", "simulate"},
    "redesign": {"errors", "model", "analysis", "simulate"},
    "cli": None,  # faces may import everything
    "api": None,
}


def _bpr_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "bpr" and len(parts) > 1:
                found.add(parts[1])
    return found


LAYERS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() or p.is_dir() and any(p.glob("*.py")))


@pytest.mark.parametrize("layer", [name for name in LAYERS if name in ALLOWED and ALLOWED[name] is not None])
def test_layer_imports_only_what_it_may(layer: str) -> None:
    allowed = ALLOWED[layer] | {layer}  # type: ignore[operator]
    wrong = {}
    for path in (ROOT / layer).rglob("*.py"):
        bad = _bpr_imports(path) - allowed
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}, f"imports against the direction of the data flow: {wrong}"


def test_every_package_is_known_to_this_test() -> None:
    unknown = [name for name in LAYERS if name not in ALLOWED and name != "__pycache__"]
    assert unknown == [], f"new package(s) {unknown}: add them to ALLOWED with their permitted imports"


def test_library_never_evaluates_code() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
