"""``digitize: [STEP, ...]`` — paper becomes digital: no re-keying, no stamps, electronic handoffs."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from bpr.changes.base import Change, Refused, Words, ids_text
from bpr.changes.durations import duration_of, scaled
from bpr.changes.rewire import WORK_TYPES, find
from bpr.model.schema import Id, Process

__all__ = ["Digitize"]


class Digitize(Change):
    """Paper -> digital: no re-keying, no stamps, electronic handoffs.

    Durations change only by a claim someone stated: with ``factor``, every listed step's duration times
    ``factor``; without it, each step's own ``digital_duration`` (the analyst's estimate in the process file)
    where it has one, and its duration kept where it has none.
    """

    kind: ClassVar[str] = "digitize"
    short_field: ClassVar[str | None] = "steps"
    steps: tuple[Id, ...] = Field(min_length=1)
    factor: float | None = Field(default=None, gt=0, le=10)

    def apply(self, data: dict[str, Any], process: Process) -> None:
        for i, step_id in enumerate(self.steps):
            step = find(data, step_id, ("steps", i))
            kind = step["type"]
            if kind in WORK_TYPES:
                # Fields are only written where they change, so the result reads like a hand-written file.
                if step.get("medium", "digital") != "digital":
                    step["medium"] = "digital"
                for flag in ("stamp", "rekey"):
                    if step.get(flag):
                        step[flag] = False
                step["duration"] = self._digital_duration(step, process)
            elif kind == "handoff":
                step["mode"] = "electronic"
                step["medium"] = "digital"
                step["delay"] = "0m"
                step.pop("departures", None)
                step.pop("calendar", None)
            elif kind == "wait":  # the reply comes online: no post either way; the other party's time is scaled
                if step.get("medium", "digital") != "digital":
                    step["medium"] = "digital"
                step["duration"] = self._digital_duration(step, process)
            else:
                raise Refused(
                    f"step {step_id!r} is a {kind} step; only task, approval, handoff and wait steps can be "
                    "digitized",
                    ("steps", i),
                )

    def _digital_duration(self, step: dict[str, Any], process: Process) -> Any:
        """The duration a digitised step keeps (see the class); its estimate is used up either way."""
        estimate = step.pop("digital_duration", None)
        if self.factor is None and estimate is not None:
            return estimate
        return scaled(duration_of(process, step["id"]), self.factor or 1.0)

    def to_data(self) -> dict[str, Any]:
        if self.factor is None:
            return {"digitize": list(self.steps)}
        return {"digitize": {"steps": list(self.steps), "factor": self.factor}}

    def describe(self) -> str:
        if self.factor is None:
            scaling = "durations kept unless the file states a step's digital_duration"
        else:
            scaling = "durations kept" if self.factor == 1 else f"durations x{self.factor:g}"
        return (
            f"Digitize {ids_text(self.steps)}: paper becomes digital, no re-keying, no stamps, "
            f"handoffs electronic and instant; {scaling}."
        )

    def ja(self, words: Words) -> str:
        if self.factor is None:
            estimated = [s for s in self.steps if words.has_digital_estimate(s)]
            scaling = f"、{words.quoted(estimated)}の所要時間は電子化後の見積りに" if estimated else ""
        else:
            scaling = "" if self.factor == 1 else f"、所要時間は{self.factor:.0%}に"
        return f"{words.quoted(self.steps)}を電子化（紙・押印・打ち直しをなくし、回付は即時{scaling}）"

    def named_steps(self) -> tuple[str, ...]:
        return tuple(self.steps)
