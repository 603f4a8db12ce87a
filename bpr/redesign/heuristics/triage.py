"""Triage of simple cases: a step whose work varies a lot gets a separate lane for the simple cases.

A task or approval done by staff (not an external or unlimited role) whose duration has a coefficient of
variation above :data:`TRIAGE_CV` mixes a few long cases with many short ones: the short ones queue behind
the long ones. Triage sends the simple cases to a lane of their own (a decision before the step, a copy of
the step with the simple-case duration). The change language cannot insert steps, so the idea is reported
as :class:`~bpr.redesign.candidate.Blocked` with the change kind it needs (:data:`NEEDED`).
"""

from __future__ import annotations

import math

from bpr.analysis.text import step_label
from bpr.model.schema import Approval, Task
from bpr.redesign.candidate import Blocked, candidate_id
from bpr.redesign.context import Context

TRIAGE_CV = 1.0
"""Coefficient of variation (sd / mean) of a duration above which the step is a triage candidate; an
exponential duration (CV exactly 1) is not enough."""

NEEDED = (
    "triage: {step: S, when: COND or share: P, duration: D} — inserts a decision before S that sends the simple "
    "cases (matching COND, or a share P) to a new step S_simple (same role, duration D) and the others to S; "
    "both go on to S's next"
)


def triage_simple_cases(context: Context) -> list[Blocked]:
    """A Blocked idea per highly variable staff step (module docstring)."""
    process = context.process
    out: list[Blocked] = []
    for step in process.steps:
        if not isinstance(step, (Task, Approval)):
            continue
        role = process.roles[step.role]
        if role.external or role.staff == "unlimited":
            continue
        mean, variance = step.duration.mean, step.duration.variance
        if mean <= 0 or math.sqrt(variance) / mean <= TRIAGE_CV:
            continue
        cv = math.sqrt(variance) / mean
        out.append(
            Blocked(
                id=candidate_id("triage", step.id),
                heuristic="triage",
                title=f"Separate lane for simple cases at {step_label(process, step.id)}",
                explanation=(
                    f"Its duration varies a lot (coefficient of variation {cv:.1f}, mean {mean:.0f} min): simple "
                    "cases wait behind complex ones. Sorted at entry, simple cases get a short lane of their own."
                ),
                steps=(step.id,),
                needs=NEEDED,
                reason="the change language cannot insert a decision and a new step",
            )
        )
    return out
