"""What the proposer proposes: a candidate (changes that apply) or a blocked idea (one it cannot propose
honestly yet).

A :class:`Candidate` is a small, coherent redesign — one heuristic applied to one place — written as a list
of changes in the change language (file form, as :func:`bpr.changes.change_to_data` writes them) with
a plain-language explanation. A :class:`Blocked` idea names what it would need: a change kind, or a figure
the process file does not state (how long a simple case takes) and bpr will not invent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEURISTICS: tuple[str, ...] = (
    "eliminate",
    "delegate",
    "parallel",
    "merge",
    "digitize",
    "online",
    "batching",
    "knockout",
    "triage",
    "staff",
    "suggestion",
)
"""Every heuristic by name, in the order candidates are proposed (the order breaks ties in rankings)."""


@dataclass(frozen=True)
class Candidate:
    """One proposed redesign: ``changes`` (file form) that turn the process into the candidate."""

    id: str
    heuristic: str
    title: str
    explanation: str
    changes: tuple[dict[str, Any], ...]
    steps: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())
    """Ids of the analysis rules whose findings suggested it (``BPR101``...)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "heuristic": self.heuristic,
            "title": self.title,
            "explanation": self.explanation,
            "changes": [dict(change) for change in self.changes],
            "steps": list(self.steps),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Blocked:
    """An improvement a heuristic found but cannot propose: the change language cannot express it, or the
    file does not give what it needs."""

    id: str
    heuristic: str
    title: str
    explanation: str
    steps: tuple[str, ...]
    needs: str
    """What would make it a candidate: the change kind that would express it, or the missing figures."""
    attempted: tuple[dict[str, Any], ...] = ()
    """Changes that were tried and refused (where the heuristic could write some)."""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "heuristic": self.heuristic,
            "title": self.title,
            "explanation": self.explanation,
            "steps": list(self.steps),
            "needs": self.needs,
            "attempted": [dict(change) for change in self.attempted],
            "reason": self.reason,
        }


def candidate_id(heuristic: str, *parts: str) -> str:
    """A stable id such as ``parallel:zaisei_cosign+keiyaku_cosign`` (ASCII: step and role ids are)."""
    return f"{heuristic}:{'+'.join(parts)}" if parts else heuristic
