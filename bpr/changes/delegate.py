"""``delegate: {step: APPROVAL, to: ROLE, when: CONDITION}`` — delegation of authority (専決)."""

from __future__ import annotations

from typing import Any, ClassVar

from bpr.changes.base import Change, Refused, Words
from bpr.changes.rewire import approval, require_role
from bpr.model.schema import ConditionText, Id, Process

__all__ = ["Delegate"]


class Delegate(Change):
    """Delegation of authority (専決): ``to`` decides matching cases, or all cases without ``when``."""

    kind: ClassVar[str] = "delegate"
    step: Id
    to: Id
    when: ConditionText | None = None

    def apply(self, data: dict[str, Any], process: Process) -> None:
        step = approval(data, self.step, "delegated")
        require_role(data, self.to, ("to",))
        if self.to == step["role"]:
            raise Refused(f"approval {self.step!r} is already decided by role {self.to!r}", ("to",))
        if self.when is None:
            step["role"] = self.to
        else:
            step.setdefault("delegations", [])
            step["delegations"] = list(step["delegations"]) + [{"when": self.when, "role": self.to}]

    def to_data(self) -> dict[str, Any]:
        body: dict[str, Any] = {"step": self.step, "to": self.to}
        if self.when is not None:
            body["when"] = self.when
        return {"delegate": body}

    def describe(self) -> str:
        if self.when is None:
            return f"Delegate approval {self.step} to role {self.to} for every case."
        return f"Delegate approval {self.step} to role {self.to} when {self.when}."

    def ja(self, words: Words) -> str:
        role = words.role(self.to)
        if self.when is None:
            return f"{words.quoted([self.step])}の決裁者を{role}に変更"
        return f"{words.quoted([self.step])}は {words.condition(self.when)} の案件を{role}が専決"

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,)
