"""What every heuristic looks at: the process, its graph, its analysis and (once run) its simulation."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from functools import cached_property

import networkx as nx

from bpr.analysis import Analysis, analyze
from bpr.model.graph import build_graph
from bpr.model.schema import Approval, Process, Task
from bpr.simulate import SimulationResult


@dataclass(frozen=True)
class Context:
    """The inputs of the heuristics. ``baseline`` is the simulation of ``process`` (None before it runs:
    heuristics that need measured figures, such as extra staff at the bottleneck, then propose nothing).
    ``analysis`` is computed from the process when not given."""

    process: Process
    given_analysis: InitVar[Analysis | None] = None
    baseline: SimulationResult | None = None
    analysis: Analysis = field(init=False)

    def __post_init__(self, given_analysis: Analysis | None) -> None:
        object.__setattr__(self, "analysis", given_analysis if given_analysis is not None else analyze(self.process))

    @cached_property
    def graph(self) -> nx.DiGraph:
        return build_graph(self.process)

    def work_step(self, step_id: str) -> Task | Approval | None:
        step = self.process.step(step_id)
        return step if isinstance(step, (Task, Approval)) else None

    def entered_only_from(self, step_id: str, previous: str) -> bool:
        """Whether every way into ``step_id`` (its own rework aside) comes from ``previous``, and no arrival
        starts there."""
        if step_id in self.graph.graph.get("entries", []):
            return False
        return set(self.graph.predecessors(step_id)) - {step_id} == {previous}
