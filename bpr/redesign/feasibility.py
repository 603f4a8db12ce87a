"""Feasibility of a candidate: what it takes to do it, from the file's annotations and documented defaults.

Every change of a candidate needs some of five things (:data:`REQUIREMENTS`). What a change needs by
default depends on its kind (:func:`default_requirements`):

=================  ====================================================================================
change             needs by default
=================  ====================================================================================
remove             an approval: ``internal_rule`` (the circulation route is set in the 決裁規程);
                   a paper handoff: ``system_change`` (the file must travel electronically); else nothing
                   (the same with ``when``: only some cases skip the step)
digitize           ``system_change`` and ``training`` (an e-approval or forms system)
delegate           ``internal_rule`` (専決規程) and ``training``
parallelize        ``internal_rule`` (who co-signs when)
reorder            ``internal_rule`` (the order of the circulation route)
merge              ``training``
triage             ``training`` (staff sort the cases and learn the lighter procedure)
batch              nothing (the approver changes a habit)
staff              ``budget`` (hiring)
arrivals           ``system_change`` (an online application form)
set                ``training``
=================  ====================================================================================

A step's ``feasibility:`` annotation overrides these for changes that touch that step: a field written in
the file (``system_change: false`` — the system exists already; ``ordinance_change: true``) wins over the
default, a field left out keeps it. Its ``note`` is quoted among the reasons.

The score is the product of ``1 - weight`` over the distinct requirements (:data:`WEIGHTS`): 1.0 for a
change that needs nothing, 0.4 for one that needs an ordinance change. A candidate is **feasible** (easy)
at :data:`FEASIBLE` or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.model.schema import Approval, Handoff, Process
from bpr.redesign.candidate import Candidate

__all__ = ["FEASIBLE", "REQUIREMENTS", "WEIGHTS", "Feasibility", "default_requirements", "feasibility"]

REQUIREMENTS: dict[str, str] = {
    "ordinance_change": "an ordinance or regulation amendment (条例・規則改正)",
    "system_change": "an IT system built or changed",
    "budget": "a budget request (hiring, procurement)",
    "internal_rule": "an internal rule change (決裁規程・専決規程)",
    "training": "staff training",
}
"""What a change can need, hardest first."""

WEIGHTS: dict[str, float] = {
    "ordinance_change": 0.6,
    "system_change": 0.3,
    "budget": 0.25,
    "internal_rule": 0.15,
    "training": 0.05,
}
"""How much each requirement lowers feasibility (score = product of 1 - weight)."""

FEASIBLE = 0.5
"""Score from which a candidate counts as feasible: anything but an ordinance change alone, or a pile of
system, budget and rule changes together."""

_ANNOTATED = ("ordinance_change", "system_change", "training", "budget")


def _touched(change: dict[str, Any]) -> list[str]:
    (kind, body), = change.items()
    if kind == "remove":
        return [body["step"]] if isinstance(body, dict) else [body]
    if kind in ("digitize", "parallelize", "merge", "reorder"):
        steps = body["steps"] if isinstance(body, dict) else body
        return [steps] if isinstance(steps, str) else list(steps)
    if kind in ("delegate", "batch", "set", "triage"):
        return [body["step"]]
    return []


def default_requirements(process: Process, kind: str, step_id: str | None) -> set[str]:
    """What a change of ``kind`` to ``step_id`` needs when the step says nothing (module table)."""
    step = process.step(step_id) if step_id is not None and step_id in process.step_ids else None
    if kind == "remove":
        if isinstance(step, Approval):
            return {"internal_rule"}
        if isinstance(step, Handoff) and step.medium == "paper" and step.mode != "electronic":
            return {"system_change"}
        return set()
    return {
        "digitize": {"system_change", "training"},
        "delegate": {"internal_rule", "training"},
        "parallelize": {"internal_rule"},
        "reorder": {"internal_rule"},
        "merge": {"training"},
        "triage": {"training"},
        "batch": set(),
        "staff": {"budget"},
        "arrivals": {"system_change"},
        "set": {"training"},
    }.get(kind, set())


@dataclass(frozen=True)
class Feasibility:
    score: float
    requirements: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return self.score >= FEASIBLE

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "feasible": self.feasible,
            "requirements": list(self.requirements),
            "reasons": list(self.reasons),
        }


def feasibility(process: Process, candidate: Candidate) -> Feasibility:
    """Score and reasons of ``candidate`` on ``process`` (the version it applies to; module docstring)."""
    needs: dict[str, dict[str, list[str]]] = {}  # requirement -> why -> steps
    notes: list[str] = []
    for change in candidate.changes:
        (kind,) = change
        steps: list[str | None] = list(_touched(change)) or [None]
        for step_id in steps:
            required = default_requirements(process, kind, step_id)
            source = {r: f"default for {kind}" for r in required}
            step = process.step(step_id) if step_id is not None and step_id in process.step_ids else None
            annotation = step.feasibility if step is not None else None
            if annotation is not None:
                for name in _ANNOTATED:
                    if name in annotation.model_fields_set:
                        if getattr(annotation, name):
                            required.add(name)
                            source[name] = "feasibility annotation"
                        else:
                            required.discard(name)
                if annotation.note and annotation.note not in notes:
                    notes.append(annotation.note)
            for name in required:
                where = needs.setdefault(name, {}).setdefault(source[name], [])
                if step_id is not None and step_id not in where:
                    where.append(step_id)
    score = 1.0
    reasons: list[str] = []
    for name, meaning in REQUIREMENTS.items():
        if name in needs:
            score *= 1 - WEIGHTS[name]
            whence = "; ".join(f"{why}{' of ' + ', '.join(steps) if steps else ''}" for why, steps in needs[name].items())
            reasons.append(f"needs {meaning} ({whence})")
    if not needs:
        reasons.append("needs nothing beyond a decision to do it")
    reasons.extend(f"note: {note}" for note in notes)
    return Feasibility(score, tuple(name for name in REQUIREMENTS if name in needs), tuple(reasons))
