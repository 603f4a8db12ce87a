"""``triage: {step: S, when: CONDITION | share: P, duration: D}`` — simple cases get a lighter copy of a step."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import model_validator

from bpr.changes.base import Change, Refused, Words
from bpr.changes.durations import duration_data, duration_words
from bpr.changes.rewire import WORK_TYPES, find, fresh_id, position, retarget
from bpr.model.distributions import Duration
from bpr.model.schema import ConditionText, Id, Probability, Process

__all__ = ["Triage"]


class Triage(Change):
    """Simple cases get a lighter version of a step: a decision in front of ``step`` sends cases matching
    ``when`` (or a ``share`` of all cases) to a copy ``<step>_simple`` that takes ``duration``."""

    kind: ClassVar[str] = "triage"
    step: Id
    when: ConditionText | None = None
    share: Probability | None = None
    duration: Duration
    name: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Triage:
        if (self.when is None) == (self.share is None):
            raise ValueError("give exactly one of 'when' (a condition) or 'share' (e.g. 0.6)")
        return self

    def apply(self, data: dict[str, Any], process: Process) -> None:
        step = find(data, self.step, ("step",))
        if step["type"] not in WORK_TYPES:
            raise Refused(
                f"step {self.step!r} is a {step['type']} step; only tasks and approvals can be triaged", ("step",)
            )
        simple_id = fresh_id(data, f"{self.step}_simple")
        triage_id = fresh_id(data, f"{self.step}_triage")
        label = step.get("name") or step["id"]
        simple = copy.deepcopy(step)
        simple["id"] = simple_id
        simple["name"] = self.name or f"{label}（簡易）"
        simple["duration"] = duration_data(self.duration)
        # The lighter lane now exists: neither step carries the estimate any more; the copy's digital estimate
        # was for the full work, not for the simple cases.
        for estimate in ("simple", "digital_duration"):
            simple.pop(estimate, None)
        step.pop("simple", None)
        if self.when is not None:
            branches = [{"to": simple_id, "when": self.when}, {"to": self.step, "otherwise": True}]
            title = f"{label}: simple case? ({self.when})"
        else:
            share = float(self.share or 0.0)
            branches = [{"to": simple_id, "probability": share}, {"to": self.step, "probability": 1.0 - share}]
            title = f"{label}: simple case? ({share:.0%})"
        retarget(data, {self.step: triage_id})
        at = position(data, self.step)
        data["steps"][at:at] = [{"id": triage_id, "name": title, "type": "decision", "next": branches}, simple]

    def to_data(self) -> dict[str, Any]:
        body: dict[str, Any] = {"step": self.step}
        if self.when is not None:
            body["when"] = self.when
        else:
            body["share"] = self.share
        body["duration"] = duration_data(self.duration)
        if self.name is not None:
            body["name"] = self.name
        return {"triage": body}

    def describe(self) -> str:
        who = f"cases with {self.when}" if self.when is not None else f"{self.share:.0%} of cases (simple ones)"
        return f"Triage before {self.step}: {who} get a simple version taking {duration_words(self.duration)}."

    def ja(self, words: Words) -> str:
        who = (f" {words.condition(self.when)} の案件" if self.when is not None
               else f"簡易な案件（{self.share:.0%}）")
        return (f"{words.quoted([self.step])}の前で{who}を簡易な処理"
                f"（{words.minutes(self.duration.mean)}）に振り分ける")

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,)
