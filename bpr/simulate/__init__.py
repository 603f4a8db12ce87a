"""Simulation: a process file in, the numbers a proposal needs out (with confidence intervals).

``simulate(process, SimConfig(...))`` runs replications of the simpy engine and returns a
:class:`SimulationResult`; ``compare(before, after, config)`` pairs two versions with common random
numbers and returns a :class:`Comparison`. See docs/results.md for what every number means.

The names are loaded on first use: a worker process imports :mod:`bpr.simulate.engine` alone, and loading
the package must not load the results, reports' readers and event-log writers it never uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpr.simulate.config import SimConfig
    from bpr.simulate.results import Comparison, SimulationResult, events_csv
    from bpr.simulate.runner import compare, simulate

__all__ = ["Comparison", "SimConfig", "SimulationResult", "compare", "events_csv", "simulate"]

_HOME = {"SimConfig": "config", "Comparison": "results", "SimulationResult": "results", "events_csv": "results",
         "compare": "runner", "simulate": "runner"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'bpr.simulate' has no attribute {name!r}")
    value = getattr(import_module(f"bpr.simulate.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
