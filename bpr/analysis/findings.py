"""What the analysis reports: one finding per problem, like a linter's diagnostics.

A finding names a rule by its stable id (``BPR101``…), says how serious it is, which steps it concerns, why,
and where it can, the change (in the change language of :mod:`bpr.model.changes`) that would fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    steps: tuple[str, ...]
    message: str
    suggestion: dict[str, Any] | None = None
    line: int | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = list(self.steps)
        return data
