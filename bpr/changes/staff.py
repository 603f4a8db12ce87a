"""``staff: {ROLE: N, ...}`` — number of staff per role."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from bpr.changes.base import Change, Words
from bpr.changes.rewire import require_role
from bpr.model.schema import Id, Process

__all__ = ["Staff"]


def _staff_count(value: object) -> int | str:
    """Staff is a whole number of people (1..100000) or ``unlimited`` (a self-service step)."""
    if value == "unlimited":
        return "unlimited"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"staff must be a whole number of people or 'unlimited', got {value!r}")  # noqa: TRY004 (pydantic locates ValueErrors)
    if not 1 <= value <= 100_000:
        raise ValueError(f"staff must be between 1 and 100000, got {value}")
    return value


StaffCount = Annotated[Any, AfterValidator(_staff_count)]


class Staff(Change):
    """Number of staff per role."""

    kind: ClassVar[str] = "staff"
    flat_field: ClassVar[str | None] = "roles"
    roles: dict[Id, StaffCount] = Field(min_length=1)

    def apply(self, data: dict[str, Any], process: Process) -> None:
        for role, count in self.roles.items():
            require_role(data, role, ("roles", role))
            data["roles"][role]["staff"] = count

    def to_data(self) -> dict[str, Any]:
        return {"staff": dict(self.roles)}

    def describe(self) -> str:
        return "Set staff: " + ", ".join(f"{role} {count}" for role, count in self.roles.items()) + "."

    def ja(self, words: Words) -> str:
        return "人員を" + "、".join(f"{words.role(r)} {n}人" for r, n in self.roles.items()) + "に"
