"""Triage of simple cases: cases the file identifies as simpler skip a step they do not need.

**Which cases, and why.** A case class counts only when the file itself identifies it by a condition on
case attributes — never a share bpr would make up. Today one such class has a step it does not need at all:
the cases an approval's delegation (専決, ``delegations:``) gives to role R, where R also reviews every case
earlier on every path to that approval. Those cases are read twice by R; they skip the review
(``remove: {step: REVIEW, when: COND}``; the rules are in :mod:`bpr.redesign.heuristics.bypass`). The
delegation heuristic proposes the same bypass together with the delegations it proposes; this one covers
delegations already in the file.

**A lighter lane (the ``triage`` change) only where the file states it.** ``triage: {step, when | share,
duration}`` needs to know which cases are simple and how long they take. A step's ``duration`` is one
distribution for every case, so bpr cannot derive it; the analyst states it on the step as
``simple: {when | share, duration}`` (measured, or agreed with the section), and the candidate is that
``triage`` change. Without it, a step whose duration varies a lot (coefficient of variation above
:data:`TRIAGE_CV`: simple cases mixed with long ones) is reported as a
:class:`~bpr.redesign.candidate.Blocked` idea that names what it needs; any lighter duration bpr wrote
itself would be invented, and so would the saving.
"""

from __future__ import annotations

import math
from typing import Any

from bpr.analysis.text import minutes_text, role_label, step_label
from bpr.model.schema import Approval, Task
from bpr.redesign.candidate import Blocked, Candidate, candidate_id
from bpr.redesign.context import Context
from bpr.redesign.heuristics.bypass import already_bypassed, bypass_text, cases_decided_by, reviews_before

TRIAGE_CV = 1.0
"""Coefficient of variation (sd / mean) of a duration above which the step is a triage idea; an
exponential duration (CV exactly 1) is not enough."""

NEEDED = (
    "the simple cases and their duration D, measured, stated on the step as 'simple: {when: COND or share: P, "
    "duration: D}' (or written as the change triage: {step: S, ...}); a step's duration is one distribution "
    "for every case, so bpr cannot know D"
)


def skip_for_delegated_cases(context: Context) -> list[Candidate]:
    """``remove: {step: REVIEW, when}`` for the reviews existing delegations make redundant (module doc)."""
    process = context.process
    out: list[Candidate] = []
    for step in process.steps:
        if not isinstance(step, Approval) or not step.delegations:
            continue
        rules = [(d.when, d.role) for d in step.delegations]
        for role in dict.fromkeys(d.role for d in step.delegations):
            when = cases_decided_by(rules, role)
            if when is None:
                continue
            for review in reviews_before(context, step.id, role):
                if already_bypassed(process, review, when):
                    continue
                out.append(
                    Candidate(
                        id=candidate_id("triage", review),
                        heuristic="triage",
                        title=(
                            f"Skip {step_label(process, review)} for the cases {role_label(process, role)} "
                            f"decides at {step_label(process, step.id)} (専決)"
                        ),
                        explanation=bypass_text(process, review, step.id, role, when),
                        changes=({"remove": {"step": review, "when": when}},),
                        steps=(review, step.id),
                    )
                )
    return out


def stated_lanes(context: Context) -> list[Candidate]:
    """A ``triage`` candidate per step whose lighter lane the file states (``simple:``)."""
    process = context.process
    out: list[Candidate] = []
    for step in process.steps:
        if not isinstance(step, (Task, Approval)) or step.simple is None:
            continue
        lane = step.simple
        # The lane in file form (its duration is required, so it stays; an empty name and the unused rule go).
        change: dict[str, Any] = {"step": step.id, **lane.model_dump(mode="json", exclude_defaults=True)}
        cases = f"the cases where {lane.when}" if lane.when is not None else f"{lane.share:.0%} of the cases"
        out.append(
            Candidate(
                id=candidate_id("triage", step.id, "lane"),
                heuristic="triage",
                title=f"A lighter lane for simple cases at {step_label(process, step.id)}",
                explanation=(
                    f"The file states that {cases} are simple here: {minutes_text(lane.duration.mean)} on average "
                    f"instead of {minutes_text(step.duration.mean)} for the full work. "
                    "Told apart when they arrive, they take the lighter step; the others are handled as today."
                ),
                changes=({"triage": change},),
                steps=(step.id,),
            )
        )
    return out


def lighter_lane_ideas(context: Context) -> list[Blocked]:
    """A Blocked idea per highly variable staff step whose lighter lane the file does not state."""
    process = context.process
    out: list[Blocked] = []
    for step in process.steps:
        if not isinstance(step, (Task, Approval)) or step.simple is not None:
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
                    "cases are mixed with long ones. If simple cases can be told apart when they arrive and are "
                    "handled faster on their own, a lighter lane would shorten them."
                ),
                steps=(step.id,),
                needs=NEEDED,
                reason="the file does not say which cases are simple or how long they take; bpr does not invent it",
            )
        )
    return out


def triage_simple_cases(context: Context) -> list[Candidate | Blocked]:
    """Bypass candidates, then lighter-lane ideas (module docstring)."""
    return [*skip_for_delegated_cases(context), *stated_lanes(context), *lighter_lane_ideas(context)]
