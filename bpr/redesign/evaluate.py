"""Simulating candidates: each applied to the process and run against it with common random numbers.

A :class:`Simulator` runs every version with the same :class:`~bpr.simulate.SimConfig` (same seed, same
replications), so any two of its results pair up replication by replication
(:func:`bpr.simulate.results.compare_results`); results are cached by the changes that made the version.
It reports progress in replications through one callback for the whole redesign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bpr.changes import apply_changes, parse_changes
from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.redesign.candidate import Candidate
from bpr.redesign.controls import weakened_controls
from bpr.redesign.feasibility import Feasibility, feasibility
from bpr.redesign.impact import Impact, impact
from bpr.redesign.quadrangle import quadrangle
from bpr.redesign.quadrant import QUADRANTS, quadrant
from bpr.simulate import SimConfig, SimulationResult, simulate
from bpr.simulate.results import compare_results

__all__ = ["Evaluation", "Progress", "Refusal", "Simulator", "apply_candidate", "evaluate"]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, stage)``: replications done, replications planned (may grow), what is running."""


class Simulator:
    """Runs versions with one config; counts replications for the progress callback."""

    def __init__(self, config: SimConfig, progress: Progress | None = None, planned_runs: int = 1) -> None:
        self.config = config
        self.progress = progress
        self.done = 0
        self.total = planned_runs * config.replications
        self.runs = 0
        self._cache: dict[str, SimulationResult] = {}

    def plan(self, more_runs: int) -> None:
        """Add ``more_runs`` simulations to the planned total (negative: fewer than planned)."""
        self.total = max(self.done, self.total + more_runs * self.config.replications)

    def run(self, process: Process, key: str, stage: str) -> SimulationResult:
        if key in self._cache:
            self.plan(-1)
            self._report(stage)
            return self._cache[key]
        start = self.done

        def step(done: int, total: int) -> None:
            self.done = start + done
            self._report(stage)

        result = simulate(process, self.config, progress=step)
        self.done = start + self.config.replications
        self.runs += 1
        self._cache[key] = result
        return result

    def finish(self) -> None:
        """Everything ran: the planned total becomes what was done, reported once more."""
        self.total = self.done
        self._report("done")

    def _report(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done), stage)


def changes_key(changes: Any) -> str:
    """A cache key for a change list (its canonical text)."""
    return repr([sorted(c.items()) if isinstance(c, dict) else c for c in changes])


def apply_candidate(process: Process, changes: Any) -> Process:
    """``process`` with the changes (file form) applied; raises the change language's errors."""
    return apply_changes(process, parse_changes(list(changes), file="<redesign>"), file="<redesign>")


@dataclass(frozen=True)
class Refusal:
    """A candidate that could not be evaluated: it does not apply, or it would weaken a control."""

    candidate: Candidate
    reason: str
    weakened: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.candidate.to_dict(), "reason": self.reason, "weakened": list(self.weakened)}


@dataclass(frozen=True)
class Evaluation:
    """A simulated candidate: the version it makes, its impact against the base, feasibility, quadrant."""

    candidate: Candidate
    process: Process = field(repr=False)
    result: SimulationResult = field(repr=False)
    impact: Impact
    feasibility: Feasibility
    quadrant: str
    quadrangle: dict[str, Any]

    @property
    def useful(self) -> bool:
        """Worth trying in a plan: some significant net saving (quadrants A, B, C)."""
        return self.quadrant != "D"

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.candidate.to_dict(),
            "impact": self.impact.to_dict(),
            "feasibility": self.feasibility.to_dict(),
            "quadrant": self.quadrant,
            "quadrant_label": QUADRANTS[self.quadrant],
            "quadrangle": self.quadrangle,
            "controls": {"kept": True, "weakened": []},
        }


def evaluate(
    base: Process, base_result: SimulationResult, candidate: Candidate, simulator: Simulator, key_prefix: str = ""
) -> Evaluation | Refusal:
    """Apply, check controls, simulate and score one candidate against ``base``."""
    try:
        after = apply_candidate(base, candidate.changes)
    except BprError as error:
        issues = getattr(error, "issues", ())
        reason = "; ".join(issue.message for issue in issues) if issues else str(error)
        return Refusal(candidate, f"does not apply: {reason}")
    weakened = weakened_controls(base, after)
    if weakened:
        return Refusal(candidate, "would weaken a required control", tuple(weakened))
    result = simulator.run(after, key_prefix + changes_key(candidate.changes), f"candidate {candidate.id}")
    found = impact(compare_results(base_result, result), base, after)
    feasible = feasibility(base, candidate)
    return Evaluation(
        candidate=candidate,
        process=after,
        result=result,
        impact=found,
        feasibility=feasible,
        quadrant=quadrant(found.score, feasible.score),
        quadrangle=quadrangle(found, base_result, result, weakened),
    )
