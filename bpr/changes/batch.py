"""``batch: {step: APPROVAL, at: TIMES}`` — when an approver clears the in-tray."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from bpr.changes.base import Change, Words
from bpr.changes.rewire import approval
from bpr.model.schema import Clock, Id, Process

__all__ = ["Batch"]


class Batch(Change):
    """When an approver clears the in-tray: ``at: null`` continuously, or at set times of day."""

    kind: ClassVar[str] = "batch"
    step: Id
    at: Annotated[tuple[Clock, ...], Field(min_length=1)] | None

    def apply(self, data: dict[str, Any], process: Process) -> None:
        step = approval(data, self.step, "batched")
        if self.at is None:
            step.pop("batch", None)
        else:
            step["batch"] = list(self.at)

    def to_data(self) -> dict[str, Any]:
        return {"batch": {"step": self.step, "at": None if self.at is None else list(self.at)}}

    def describe(self) -> str:
        if self.at is None:
            return f"Approver of {self.step} works the in-tray continuously (no batching)."
        return f"Approver of {self.step} clears the in-tray only at {', '.join(self.at)}."

    def ja(self, words: Words) -> str:
        if self.at is None:
            return f"{words.quoted([self.step])}の決裁箱を随時処理する（まとめ処理をやめる）"
        return f"{words.quoted([self.step])}の決裁箱を {'・'.join(self.at)} にまとめて処理する"

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,)
