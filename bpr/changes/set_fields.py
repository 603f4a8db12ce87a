"""``set: {step: STEP, FIELD: VALUE, ...}`` — set any field(s) of one step."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from bpr.changes.base import Change, Refused, Words, hint
from bpr.changes.rewire import find, position
from bpr.model.schema import Approval, Decision, End, Handoff, Id, Join, Parallel, Process, Task, Wait

__all__ = ["DISPLAY_FIELDS", "SetFields"]

DISPLAY_FIELDS = frozenset({"name", "description"})
"""Fields of a step that change only what is shown, never what is simulated."""

_FIXED_FIELDS = {"id": "ids are stable: other steps, analyses and logs refer to them", "type": "a step keeps its type"}

_STEP_MODELS: dict[str, type[BaseModel]] = {
    "task": Task,
    "approval": Approval,
    "handoff": Handoff,
    "wait": Wait,
    "decision": Decision,
    "parallel": Parallel,
    "join": Join,
    "end": End,
}

_FIELDS_JA = {
    "name": "表示名", "description": "説明", "duration": "所要時間", "role": "担当", "medium": "媒体",
    "rekey": "再入力", "stamp": "押印", "citizen_present": "来庁者の立会い", "next": "次の工程",
    "reject": "差戻し", "batch": "一括処理", "checks": "確認項目", "delay": "所要時間（搬送）",
    "departures": "発送時刻", "mode": "搬送手段", "delegations": "専決", "required_authority": "必要な決裁権限",
}


class SetFields(Change):
    """Set any field(s) of one step; ``null`` returns a field to its default."""

    kind: ClassVar[str] = "set"
    flat_field: ClassVar[str | None] = "values"
    step: Id
    values: dict[str, Any] = Field(min_length=1)

    @classmethod
    def from_file(cls, body: Any) -> tuple[Any, str]:
        """``set: {step: X, duration: 5m}``: every key but ``step`` is a value to set."""
        if not isinstance(body, dict):
            return body, "mapping"
        out: dict[str, Any] = {"values": {k: v for k, v in body.items() if k != "step"}}
        if "step" in body:
            out["step"] = body["step"]
        return out, "mapping"

    def apply(self, data: dict[str, Any], process: Process) -> None:
        step = find(data, self.step, ("step",))
        model = _STEP_MODELS[step["type"]]
        allowed = [name for name in model.model_fields if name not in _FIXED_FIELDS]
        for field, value in self.values.items():
            if field in _FIXED_FIELDS:
                raise Refused(f"cannot set {field!r}: {_FIXED_FIELDS[field]}", ("values", field))
            if field not in model.model_fields:
                raise Refused(
                    f"a {step['type']} step has no field {field!r}; fields: {', '.join(allowed)}",
                    ("values", field),
                    hint(field, allowed),
                )
            if value is None:
                step.pop(field, None)
            else:
                step[field] = copy.deepcopy(value)

    def invalid_loc(self, path: str, data: dict[str, Any]) -> tuple[Any, ...]:
        """A problem in a field this change set is blamed on that value (``changes[i].set.duration``)."""
        prefix = f"steps[{position(data, self.step)}]."
        if path.startswith(prefix):
            field = path[len(prefix):].split(".")[0].split("[")[0]
            if field in self.values:
                return ("values", field)
        return ()

    def to_data(self) -> dict[str, Any]:
        return {"set": {"step": self.step, **self.values}}

    def describe(self) -> str:
        fields = ", ".join(f"{key}={value}" for key, value in self.values.items())
        return f"Set {fields} on step {self.step}."

    def ja(self, words: Words) -> str:
        if set(self.values) == {"name"}:
            return f"{words.quoted([self.step])}の表示名を「{self.values['name']}」に"
        fields = "・".join(_FIELDS_JA.get(key, key) for key in self.values)
        return f"{words.quoted([self.step])}の{fields}を変更"

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,)

    def display_only(self) -> bool:
        return set(self.values) <= DISPLAY_FIELDS
