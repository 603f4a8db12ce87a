"""Imports point one way (model <- changes <- analysis/simulate <- study <- render, redesign <- service <- faces;
model <- interchange <- simulate, and execute (the workflow engine, which reads calendars from simulate) <- faces),
without cycles; faces hold no logic of their own, and pictures do not compute: render receives results, it runs
no simulation."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent / "bpr"

# What each layer may import from bpr (besides itself). bpr.errors is a leaf everyone may use.
# A layer may import the *types* of a layer it is allowed (render draws study and simulation results), but
# render never runs a simulation (test_render_runs_no_simulation).
ALLOWED = {
    "model": {"errors"},
    "changes": {"errors", "model"},
    "analysis": {"errors", "model", "changes"},
    "interchange": {"errors", "model"},  # the event-log record and formats, shared by simulation and execution
    "simulate": {"errors", "model", "interchange"},
    "study": {"errors", "model", "analysis", "simulate", "changes"},
    "render": {"errors", "model", "analysis", "simulate", "study", "changes"},
    "redesign": {"errors", "model", "analysis", "simulate", "study", "changes"},
    "service": {"errors", "model", "analysis", "simulate", "study", "redesign", "changes"},
    "execute": {"errors", "model", "changes", "simulate", "interchange"},
    "calibrate": {"errors", "model", "changes", "simulate", "interchange"},
    "cli": None,  # faces may import everything
    "api": None,
    "web": None,
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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in ROOT.rglob("*.py")}


def _imported_modules(path: Path) -> set[str]:
    """The bpr modules ``path`` imports, anywhere in it (``from bpr.model import load`` is bpr.model.load)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
    return found & set(MODULES)


def _package(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _module_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    graph.add_edges_from((module, imported) for module, path in MODULES.items()
                         for imported in _imported_modules(path) if imported != module)
    return graph


def _cycle(graph: nx.DiGraph) -> list[str]:
    try:
        return [edge[0] for edge in nx.find_cycle(graph)]
    except nx.NetworkXNoCycle:
        return []


def test_packages_import_each_other_without_a_cycle() -> None:
    packages = nx.DiGraph()
    for module, imported in _module_graph().edges:
        if "." in module and "." in imported and _package(module) != _package(imported):
            packages.add_edge(_package(module), _package(imported))
    cycle = _cycle(packages)
    assert cycle == [], f"packages import each other in a circle: {' -> '.join(cycle + cycle[:1])}"


@pytest.mark.parametrize("package", ["model", "changes"])
def test_modules_of_a_package_import_each_other_without_a_cycle(package: str) -> None:
    # bpr.changes/__init__.py imports every kind: a kind module that imported the package back would close
    # a circle that only the order of imports keeps from failing.
    graph = _module_graph().subgraph(m for m in MODULES if m == f"bpr.{package}" or m.startswith(f"bpr.{package}."))
    cycle = _cycle(graph)
    assert cycle == [], f"modules import each other in a circle: {' -> '.join(cycle + cycle[:1])}"


def test_the_model_imports_nothing_of_the_change_language() -> None:
    wrong = {module: sorted(imported for imported in _imported_modules(path) if _package(imported) == "changes")
             for module, path in MODULES.items() if _package(module) == "model"}
    assert {module: found for module, found in wrong.items() if found} == {}


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
