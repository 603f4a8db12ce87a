"""``merge: [A, B, ...]`` — consecutive steps of one role become one step that keeps the first id."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import Field

from bpr.changes.base import Change, Refused, Words, ids_text
from bpr.changes.chain import chain, entries_inside
from bpr.changes.durations import duration_data, duration_words, summed
from bpr.changes.rewire import position, refuse_control, rename_in_controls, retarget
from bpr.model.distributions import Duration
from bpr.model.schema import Approval, Id, Process, Task

__all__ = ["Merge"]


class Merge(Change):
    """Consecutive steps of one role become one step that keeps the first id."""

    kind: ClassVar[str] = "merge"
    short_field: ClassVar[str | None] = "steps"
    steps: tuple[Id, ...] = Field(min_length=2)
    duration: Duration | None = None
    name: str | None = None

    def apply(self, data: dict[str, Any], process: Process) -> None:
        ids = self.steps
        steps = chain(data, ids, "merge", "merged")
        kinds = {step["type"] for step in steps}
        if len(kinds) > 1:
            raise Refused(f"steps {ids_text(ids)} mix {' and '.join(sorted(kinds))}; only steps of one type merge",
                          ("steps",))
        roles = {step["role"] for step in steps}
        if len(roles) > 1:
            raise Refused(
                f"steps {ids_text(ids)} are done by different roles ({', '.join(sorted(roles))}); only one role's "
                "consecutive steps merge",
                ("steps",),
                "delegate or 'set' the role first if one person should do both",
            )
        for i, step in enumerate(steps):
            refuse_control(step, "merge", ("steps", i), data)
        entries_inside(data, ids, "merge", "point those routes at the first step with 'set' first", rework_in=True)
        parts = _work_steps(process, ids)
        first = steps[0]
        merged = copy.deepcopy(first)
        merged["next"] = steps[-1]["next"]
        merged["duration"] = (duration_data(self.duration) if self.duration is not None
                              else summed([part.duration for part in parts]))
        if self.name is not None:
            merged["name"] = self.name
        _merge_estimates(merged, parts)
        if any(step.get("medium", "paper" if step["type"] == "handoff" else "digital") == "paper" for step in steps):
            merged["medium"] = "paper"
        for flag in ("stamp", "rekey", "citizen_present"):
            if any(step.get(flag) for step in steps):
                merged[flag] = True
        if first["type"] == "approval":
            _merge_approvals(merged, steps, ids)
        at = position(data, ids[0])
        data["steps"] = [step for step in data["steps"] if step["id"] not in ids]
        data["steps"].insert(at, merged)
        retarget(data, {step_id: ids[0] for step_id in ids[1:]})
        rename_in_controls(data, {step_id: ids[0] for step_id in ids[1:]})

    def to_data(self) -> dict[str, Any]:
        if self.duration is None and self.name is None:
            return {"merge": list(self.steps)}
        body: dict[str, Any] = {"steps": list(self.steps)}
        if self.duration is not None:
            body["duration"] = duration_data(self.duration)
        if self.name is not None:
            body["name"] = self.name
        return {"merge": body}

    def describe(self) -> str:
        how = "durations added" if self.duration is None else f"duration {duration_words(self.duration)}"
        return f"Merge {ids_text(self.steps)} into one step {self.steps[0]} ({how})."

    def ja(self, words: Words) -> str:
        return f"{words.quoted(self.steps)}を一つの工程にまとめる"

    def named_steps(self) -> tuple[str, ...]:
        return tuple(self.steps)


def _work_steps(process: Process, ids: tuple[str, ...]) -> list[Task | Approval]:
    """The merged steps as models (the chain holds tasks and approvals only)."""
    parts: list[Task | Approval] = []
    for step_id in ids:
        step = process.step(step_id)
        assert isinstance(step, (Task, Approval))
        parts.append(step)
    return parts


def _merge_approvals(merged: dict[str, Any], steps: list[dict[str, Any]], ids: tuple[str, ...]) -> None:
    """Checks, rework and the approval-only fields of merged approvals."""
    checks: list[str] = []
    for step in steps:
        checks.extend(c for c in step.get("checks", []) or [] if c not in checks)
    if checks:
        merged["checks"] = checks
    rejects = [(step["id"], step["reject"]) for step in steps if step.get("reject")]
    targets = {ids[0] if r["to"] in ids else r["to"] for _, r in rejects}
    if len(targets) > 1:
        raise Refused(
            f"steps {ids_text(ids)} send rejected cases to different steps ({', '.join(sorted(targets))})",
            ("steps",),
            "make reject.to the same first with 'set'",
        )
    if rejects:
        keep = 1.0
        for _, reject in rejects:
            keep *= 1 - reject["probability"]
        # rounded so that 1 - 0.9 * 0.8 is written 0.28, not 0.2799999999999999
        merged["reject"] = {"probability": round(1 - keep, 12), "to": targets.pop()}
    for field, default in (("batch", None), ("required_authority", []), ("delegations", [])):
        value = _same_or_one(steps, field, default)
        if value is None:
            merged.pop(field, None)
        else:
            merged[field] = value


def _same_or_one(steps: list[dict[str, Any]], field: str, default: Any) -> Any:
    """The value of ``field`` that the merged step keeps: equal everywhere, or set on one step only."""
    values = [step.get(field, default) for step in steps]
    values_set = [v for v in values if v not in (default, None)]
    distinct: list[Any] = []
    for v in values_set:
        if v not in distinct:
            distinct.append(v)
    if len(distinct) > 1:
        raise Refused(
            f"steps {', '.join(repr(s['id']) for s in steps)} differ in {field!r}; a merged step can have only one",
            ("steps",),
            f"make {field!r} the same first with 'set'",
        )
    return distinct[0] if distinct else None


def _merge_estimates(merged: dict[str, Any], parts: list[Task | Approval]) -> None:
    """The merged step's estimates: each part's estimate where stated, its duration where not, added up.
    Simple-case lanes merge only when they name the same cases."""
    merged.pop("digital_duration", None)
    merged.pop("simple", None)
    if any(part.digital_duration is not None for part in parts):
        merged["digital_duration"] = summed([part.digital_duration or part.duration for part in parts])
    lanes = [part.simple for part in parts if part.simple is not None]
    if not lanes:
        return
    rules = {(lane.when, lane.share) for lane in lanes}
    if len(rules) > 1:
        raise Refused(
            f"steps {ids_text(part.id for part in parts)} name different simple cases ('simple'); a merged step "
            "can have only one lighter lane",
            ("steps",),
            "make 'simple' the same first with 'set', or remove it from all but one step",
        )
    when, share = rules.pop()
    lane: dict[str, Any] = {"when": when} if when is not None else {"share": share}
    lane["duration"] = summed([part.simple.duration if part.simple is not None else part.duration for part in parts])
    merged["simple"] = lane
