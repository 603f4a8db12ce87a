"""``remove: STEP`` — bypass a step; with ``when``, only for matching cases."""

from __future__ import annotations

from typing import Any, ClassVar

from bpr.changes.base import Change, Refused, Words
from bpr.changes.rewire import find, fresh_id, position, refuse_control, rename_in_controls, retarget
from bpr.model.schema import ConditionText, Id, Process

__all__ = ["Remove"]

_HINTS = {
    "decision": "a decision chooses a path; remove the steps of the branch you no longer want, "
    "or change its branches with 'set'",
    "parallel": "remove the branch steps instead: a split with fewer than two branches left disappears",
    "join": "remove the branch steps instead: a split with fewer than two branches left disappears",
    "end": "an end has no next step; route the step before it elsewhere with 'set: {step: ..., next: ...}'",
}


class Remove(Change):
    """Bypass a task, approval or handoff: whatever was routed to it goes to its ``next``.

    With ``when``, only matching cases skip it (triage of simple cases, 専決 where the step is not needed):
    a decision step ``<step>_bypass`` is put in front of it.
    """

    kind: ClassVar[str] = "remove"
    short_field: ClassVar[str | None] = "step"
    step: Id
    when: ConditionText | None = None

    @classmethod
    def wrong_type_hint(cls, value: Any) -> str | None:
        if isinstance(value, list):
            return "remove one step per change: '- remove: a' then '- remove: b'"
        return None

    def apply(self, data: dict[str, Any], process: Process) -> None:
        step = find(data, self.step, ("step",))
        if step["type"] not in ("task", "approval", "handoff", "wait"):
            raise Refused(
                f"step {self.step!r} is a {step['type']} step; only task, approval, handoff and wait steps can be "
                "removed",
                ("step",),
                _HINTS[step["type"]],
            )
        refuse_control(step, "remove", ("step",), data)
        if self.when is not None:
            _insert_bypass(data, step, self.when)
            return
        data["steps"] = [s for s in data["steps"] if s["id"] != self.step]
        split_parents = [s for s in data["steps"] if s["type"] == "parallel" and self.step in s["next"]]
        retarget(data, {self.step: step["next"]})
        rename_in_controls(data, {self.step: None})
        for split in split_parents:
            _tidy_split(data, split)

    def to_data(self) -> dict[str, Any]:
        if self.when is not None:
            return {"remove": {"step": self.step, "when": self.when}}
        return {"remove": self.step}

    def describe(self) -> str:
        if self.when is not None:
            return f"Skip step {self.step} when {self.when}: those cases go straight to its next step."
        return f"Remove step {self.step}: cases routed to it go straight to its next step."

    def ja(self, words: Words) -> str:
        if self.when is not None:
            return f"{words.condition(self.when)} の案件は{words.quoted([self.step])}を省く"
        return f"{words.quoted([self.step])}をなくす（前後の工程を直接つなぐ）"

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,)


def _insert_bypass(data: dict[str, Any], step: dict[str, Any], when: str) -> None:
    """Put a decision in front of ``step`` that sends cases matching ``when`` past it."""
    bypass_id = fresh_id(data, f"{step['id']}_bypass")
    label = step.get("name") or step["id"]
    decision = {
        "id": bypass_id,
        "name": f"{label}: skip? ({when})",
        "type": "decision",
        "next": [{"to": step["next"], "when": when}, {"to": step["id"], "otherwise": True}],
    }
    retarget(data, {step["id"]: bypass_id})
    data["steps"].insert(position(data, step["id"]), decision)


def _tidy_split(data: dict[str, Any], split: dict[str, Any]) -> None:
    """After a branch step is bypassed: drop branches that now go straight to the join (or repeat one);
    a split left with one branch or none disappears together with its join."""
    join_id = split["join"]
    branches: list[str] = []
    for target in split["next"]:
        if target != join_id and target not in branches:
            branches.append(target)
    if len(branches) >= 2:
        split["next"] = branches
        return
    join = next(s for s in data["steps"] if s["id"] == join_id)
    after_join = join["next"]
    data["steps"] = [s for s in data["steps"] if s["id"] not in (split["id"], join_id)]
    retarget(data, {split["id"]: branches[0] if branches else after_join, join_id: after_join})
