"""``parallelize: [A, B, ...]`` — a serial chain runs at once between a new split and join (合議)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from bpr.changes.base import Change, Words, ids_text
from bpr.changes.chain import chain, entries_inside
from bpr.changes.rewire import fresh_id, position, retarget
from bpr.model.schema import Id, Process

__all__ = ["Parallelize"]


class Parallelize(Change):
    """A serial chain of tasks or approvals runs at once between a new split and join (合議)."""

    kind: ClassVar[str] = "parallelize"
    short_field: ClassVar[str | None] = "steps"
    steps: tuple[Id, ...] = Field(min_length=2)

    def apply(self, data: dict[str, Any], process: Process) -> None:
        ids = self.steps
        steps = chain(data, ids, "parallelize", "run in parallel")
        entries_inside(
            data,
            ids,
            "parallelize",
            "point those routes at the first step of the chain with 'set', or parallelize a shorter chain",
            rework_in=False,
        )
        first, after = ids[0], steps[-1]["next"]
        split_id = fresh_id(data, f"{first}_split")
        join_id = fresh_id(data, f"{first}_join")
        outside = {step["id"] for step in data["steps"]} - set(ids)
        retarget(data, {first: split_id}, sources=outside | {"start"})
        for step in steps:
            step["next"] = join_id
        positions = [position(data, step_id) for step_id in ids]
        data["steps"].insert(max(positions) + 1, {"id": join_id, "type": "join", "next": after})
        data["steps"].insert(min(positions), {"id": split_id, "type": "parallel", "next": list(ids), "join": join_id})

    def to_data(self) -> dict[str, Any]:
        return {"parallelize": list(self.steps)}

    def describe(self) -> str:
        return f"Run {ids_text(self.steps)} in parallel instead of one after another."

    def ja(self, words: Words) -> str:
        return f"{words.quoted(self.steps)}を同時に回す（並列合議）"

    def named_steps(self) -> tuple[str, ...]:
        return tuple(self.steps)
