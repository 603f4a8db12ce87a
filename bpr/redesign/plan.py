"""The best combined plan: candidates added greedily while they still help together.

Candidates are taken in ranking order (impact, then feasibility), skipping those that save nothing
(quadrant D). Each is applied on top of the plan so far. If it no longer applies (an earlier candidate
removed a step it names), its heuristic is run again on the plan so far and the candidate it now proposes
for the same steps (same id, or a subset of the original steps, the largest first) is used instead. The
extended plan must keep every control of the original process, and it is simulated with the same seed and
replications: the candidate is kept only if the extended plan improves on the plan so far — its impact score
against the plan so far is above 0 (a significant net saving) and none of the scored measures (lead time,
staff-hours, cost, counter waiting) is worse by more than :data:`NON_INFERIORITY_MARGIN` percent with 95%
confidence: a plan trades nothing away, so extra staff (faster, but more paid hours) stays a separate
decision in the ranked list. The plan's changes are the kept
candidates' changes in order; applied to the original process they give the plan's process.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from bpr.changes import describe, parse_changes
from bpr.errors import BprError
from bpr.model.load import process_to_data
from bpr.model.schema import Process
from bpr.redesign.candidate import Candidate
from bpr.redesign.context import Context
from bpr.redesign.controls import weakened_controls
from bpr.redesign.evaluate import Evaluation, Simulator, apply_candidate, changes_key
from bpr.redesign.heuristics import propose
from bpr.redesign.impact import Impact, impact
from bpr.redesign.quadrangle import quadrangle
from bpr.simulate import SimulationResult
from bpr.simulate.results import compare_results

__all__ = ["Plan", "PlanStep", "adapt", "combine"]


@dataclass(frozen=True)
class PlanStep:
    """What happened to one candidate while building the plan."""

    candidate: str
    accepted: bool
    reason: str
    title: str = ""
    changes: tuple[dict[str, Any], ...] = ()
    adapted_from: str | None = None
    marginal_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "title": self.title,
            "accepted": self.accepted,
            "reason": self.reason,
            "changes": [dict(c) for c in self.changes],
            "adapted_from": self.adapted_from,
            "marginal_score": None if self.marginal_score is None else round(self.marginal_score, 6),
        }


@dataclass(frozen=True)
class Plan:
    """The kept changes, the process they make, and its impact against the original."""

    changes: tuple[dict[str, Any], ...]
    candidates: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    process: Process = field(repr=False)
    result: SimulationResult = field(repr=False)
    impact: Impact | None
    quadrangle: dict[str, Any] | None
    weakened: tuple[str, ...] = ()

    def descriptions(self) -> list[str]:
        return [describe(change) for change in parse_changes(list(self.changes))] if self.changes else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": list(self.candidates),
            "changes": [dict(c) for c in self.changes],
            "descriptions": self.descriptions(),
            "impact": self.impact.to_dict() if self.impact is not None else None,
            "quadrangle": self.quadrangle,
            "controls": {"kept": not self.weakened, "weakened": list(self.weakened)},
            "steps": [step.to_dict() for step in self.steps],
        }


def adapt(process: Process, candidate: Candidate) -> Candidate | None:
    """The candidate its heuristic proposes on ``process`` for the same steps, if any applies (module doc)."""
    fresh = list(propose(Context(process), [candidate.heuristic]).candidates)
    original = set(candidate.steps)
    same = [c for c in fresh if c.id == candidate.id]
    subsets = sorted((c for c in fresh if c.steps and set(c.steps) <= original and c.id != candidate.id),
                     key=lambda c: -len(c.steps))
    for option in [*same, *subsets]:
        if list(option.changes) == list(candidate.changes):
            continue
        try:
            apply_candidate(process, option.changes)
        except BprError:
            continue
        return option
    return None


NON_INFERIORITY_MARGIN = 1.0
"""Percent by which a scored measure may get worse before a plan step counts as a loss: the step is refused
only when the 95% interval of the change lies entirely above this (a non-inferiority test). Without a
margin, the tiny shifts a shorter lead time causes in what falls inside a short measurement window (work
done a few days earlier or later) would block large savings."""


def _materially_worse(found: Impact, name: str) -> bool:
    """Significantly worse on ``name`` by more than :data:`NON_INFERIORITY_MARGIN` percent."""
    low = (found.measures.get(name) or {}).get("percent_ci95", [None, None])[0]
    return low is not None and low > NON_INFERIORITY_MARGIN


def _without_removed(change: dict[str, Any], removed: set[str]) -> dict[str, Any] | None:
    """A ``digitize`` change without the steps in ``removed`` (None if none is left); others unchanged."""
    (kind, body), = change.items()
    if kind != "digitize":
        return change
    steps = body["steps"] if isinstance(body, dict) else body
    steps = [steps] if isinstance(steps, str) else list(steps)
    kept = [s for s in steps if s not in removed]
    if kept == steps:
        return change
    if not kept:
        return None
    return {"digitize": {**body, "steps": kept}} if isinstance(body, dict) else {"digitize": kept}


def _tidy(before: Process, process: Process, steps: list[PlanStep]) -> list[PlanStep]:
    """Drop from the kept ``digitize`` changes the steps a later kept candidate removes, when the plan then
    makes exactly the same process (it reads better: no step digitized only to be removed)."""
    tidy: list[PlanStep] = []
    for index, step in enumerate(steps):
        if not step.accepted:
            tidy.append(step)
            continue
        removed = {c["remove"] for later in steps[index + 1 :] if later.accepted for c in later.changes
                   if isinstance(c.get("remove"), str)}  # a remove with ``when`` keeps the step
        changes = [c for c in (_without_removed(change, removed) for change in step.changes) if c is not None]
        tidy.append(dataclasses.replace(step, changes=tuple(changes)))
    if all(a.changes == b.changes for a, b in zip(tidy, steps)):
        return steps
    try:
        rebuilt = apply_candidate(before, [c for step in tidy if step.accepted for c in step.changes])
    except BprError:
        return steps
    return tidy if process_to_data(rebuilt) == process_to_data(process) else steps


def combine(
    before: Process, baseline: SimulationResult, ranked: list[Evaluation], simulator: Simulator
) -> Plan:
    """Greedy combination of the useful candidates of ``ranked`` (module docstring)."""
    useful = [e for e in ranked if e.useful]
    simulator.plan(len(useful))
    current, current_result = before, baseline
    changes: list[dict[str, Any]] = []  # of the kept candidates, in order (tidied at the end)
    kept: list[str] = []
    steps: list[PlanStep] = []
    for evaluation in useful:
        candidate = evaluation.candidate
        adapted_from = None
        try:
            extended = apply_candidate(current, candidate.changes)
        except BprError:
            replacement = adapt(current, candidate)
            if replacement is None:
                simulator.plan(-1)
                steps.append(PlanStep(candidate.id, False, "no longer applies after the candidates kept before it",
                                      candidate.title))
                continue
            adapted_from, candidate = candidate.id, replacement
            extended = apply_candidate(current, candidate.changes)
        weakened = weakened_controls(before, extended)
        if weakened:
            simulator.plan(-1)
            steps.append(PlanStep(candidate.id, False, "would weaken a control together with the others: "
                                  + "; ".join(weakened), candidate.title, tuple(candidate.changes), adapted_from))
            continue
        key = changes_key([*changes, *candidate.changes])
        result = simulator.run(extended, key, f"plan + {candidate.id}")
        step_impact = impact(compare_results(current_result, result), current, extended)
        worse = [name for name in step_impact.contributions if _materially_worse(step_impact, name)]
        if step_impact.score <= 0 or worse:
            reason = (f"makes the plan significantly worse on {', '.join(worse)}" if worse
                      else "adds no significant net saving on top of the plan so far")
            steps.append(PlanStep(candidate.id, False, reason, candidate.title, tuple(candidate.changes),
                                  adapted_from, step_impact.score))
            continue
        changes.extend(candidate.changes)
        kept.append(candidate.id)
        current, current_result = extended, result
        steps.append(PlanStep(candidate.id, True, "kept: the plan improves with it", candidate.title,
                              tuple(candidate.changes), adapted_from, step_impact.score))
    if not kept:
        return Plan((), (), tuple(steps), before, baseline, None, None)
    steps = _tidy(before, current, steps)
    changes = [change for step in steps if step.accepted for change in step.changes]
    total = impact(compare_results(baseline, current_result), before, current)
    weakened = weakened_controls(before, current)
    return Plan(
        tuple(changes), tuple(kept), tuple(steps), current, current_result, total,
        quadrangle(total, baseline, current_result, weakened), tuple(weakened),
    )
