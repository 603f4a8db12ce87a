"""Simulation: a process file in, the numbers a proposal needs out (with confidence intervals).

``simulate(process, SimConfig(...))`` runs replications of the simpy engine and returns a
:class:`SimulationResult`; ``compare(before, after, config)`` pairs two versions with common random
numbers and returns a :class:`Comparison`. See docs/results.md for what every number means.
"""

from bpr.simulate.config import SimConfig
from bpr.simulate.results import Comparison, SimulationResult, events_csv
from bpr.simulate.runner import compare, simulate

__all__ = ["Comparison", "SimConfig", "SimulationResult", "compare", "events_csv", "simulate"]
