"""Imports point one way (model <- analysis/simulate <- study <- render, redesign <- service <- faces), and
pictures do not compute: render receives results, it runs no simulation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "bpr"

# What each layer may import from bpr (besides itself). bpr.errors is a leaf everyone may use.
# A layer may import the *types* of a layer it is allowed (render draws study and simulation results), but
# render never runs a simulation (test_render_runs_no_simulation).
ALLOWED = {
    "model": {"errors"},
    "changes": {"errors", "model"},
    "analysis": {"errors", "model"},
    "simulate": {"errors", "model"},
    "study": {"errors", "model", "analysis", "simulate", "changes"},
    "render": {"errors", "model", "analysis", "simulate", "study", "changes"},
    "redesign": {"errors", "model", "analysis", "simulate", "study", "changes"},
    "service": {"errors", "model", "analysis", "simulate", "study", "redesign", "changes"},
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


RUNNERS = ("bpr.simulate.runner", "bpr.simulate.engine")
"""The modules that run a simulation: render imports neither (result types and options are elsewhere)."""

RUN = {"simulate", "compare", "replicate", "run_replication", "simulate_report", "simulate_impact"}
"""Functions that run simulations (bpr.simulate's and bpr.study's): render neither imports nor calls them."""


def test_render_runs_no_simulation() -> None:
    """render draws the results its caller passes in; bpr.study (or a face) runs the simulations."""
    offenders = []
    for path in (ROOT / "render").rglob("*.py"):
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                offenders += [f"{where}:{node.lineno}: import {alias.name}" for alias in node.names
                              if alias.name.startswith(RUNNERS)]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith(RUNNERS):
                    offenders.append(f"{where}:{node.lineno}: from {node.module} import ...")
                offenders += [f"{where}:{node.lineno}: imports {alias.name}" for alias in node.names
                              if alias.name in RUN]
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in RUN:
                    offenders.append(f"{where}:{node.lineno}: calls {name}(")
    assert offenders == [], f"render runs simulations (let bpr.study run them and pass the results in): {offenders}"


def test_library_never_evaluates_code() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
