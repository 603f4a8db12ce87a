"""``reorder: [B, A, C]`` — a serial chain runs in the listed order (knock-out ordering)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from bpr.changes.base import Change, Refused, Words
from bpr.changes.chain import chain, entries_inside
from bpr.changes.rewire import find, retarget
from bpr.model.schema import Id, Process

__all__ = ["Reorder"]


class Reorder(Change):
    """A serial chain of tasks or approvals runs in the listed order (knock-out ordering: the check that
    rejects most for the least work goes first)."""

    kind: ClassVar[str] = "reorder"
    short_field: ClassVar[str | None] = "steps"
    steps: tuple[Id, ...] = Field(min_length=2)

    def apply(self, data: dict[str, Any], process: Process) -> None:
        wanted = self.steps
        for i, step_id in enumerate(wanted):
            if step_id in wanted[:i]:
                raise Refused(f"step {step_id!r} is listed twice", ("steps", i))
            find(data, step_id, ("steps", i))
        by_id = {step["id"]: step for step in data["steps"]}
        followed = {by_id[i].get("next") for i in wanted if isinstance(by_id[i].get("next"), str)}
        heads = [i for i in wanted if i not in followed]
        current: list[str] = [heads[0]] if len(heads) == 1 else []
        while current and by_id[current[-1]].get("next") in wanted and len(current) < len(wanted):
            current.append(by_id[current[-1]]["next"])
        if len(current) != len(wanted):
            raise Refused(
                f"steps {', '.join(wanted)} do not follow one another as a serial chain in any order",
                ("steps", 0),
                "reorder the steps of one chain A -> B -> C",
            )
        steps = chain(data, tuple(current), "reorder", "reordered")
        entries_inside(
            data, tuple(current), "reorder",
            "point those routes at the first step of the chain, or reorder a shorter chain",
            rework_in=True,
        )
        after = steps[-1]["next"]
        outside = {step["id"] for step in data["steps"]} - set(wanted)
        retarget(data, {current[0]: wanted[0]}, sources=outside | {"start"})
        for here, there in zip(wanted, wanted[1:]):
            by_id[here]["next"] = there
        by_id[wanted[-1]]["next"] = after

    def to_data(self) -> dict[str, Any]:
        return {"reorder": list(self.steps)}

    def describe(self) -> str:
        return f"Reorder the chain to run {' -> '.join(self.steps)} (knock-out ordering)."

    def ja(self, words: Words) -> str:
        return f"{' → '.join(f'「{words.step(s)}」' for s in self.steps)}の順に回す（差し戻しの多い確認を先に）"

    def named_steps(self) -> tuple[str, ...]:
        return tuple(self.steps)
