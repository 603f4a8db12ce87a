"""What the analysis reports: one finding per problem, like a linter's diagnostics.

A finding names a rule by its stable id (``BPR101``…), says how serious it is, which steps it concerns, why,
and where it can, the change (in the change language of :mod:`bpr.changes`) that would fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""Most serious first: the order findings are listed in."""


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


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """The stable identity of a rule: its id, short name, usual severity and a one-line meaning."""

    id: str
    name: str
    severity: Severity
    title: str

    def finding(
        self,
        steps: tuple[str, ...] | list[str],
        message: str,
        suggestion: dict[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(self.id, self.name, severity or self.severity, tuple(steps), message, suggestion)
