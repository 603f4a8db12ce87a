"""The redesign heuristics, one module each; :func:`propose` runs them all and removes duplicates.

Each heuristic is a function ``f(context) -> list[Candidate | Blocked]`` (see
:mod:`bpr.redesign.candidate`). Candidates with the same change list are proposed once, under the first
heuristic that proposed them (rule sources are merged).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bpr.redesign.candidate import Blocked, Candidate
from bpr.redesign.context import Context
from bpr.redesign.heuristics.batching import continuous_in_tray
from bpr.redesign.heuristics.channels import online_channel
from bpr.redesign.heuristics.composition import merge_same_role
from bpr.redesign.heuristics.cosign import parallel_cosign
from bpr.redesign.heuristics.delegation import delegate_by_rules
from bpr.redesign.heuristics.digitization import digitize_paper
from bpr.redesign.heuristics.elimination import eliminate_approvals
from bpr.redesign.heuristics.knockout import knockout_ordering
from bpr.redesign.heuristics.staffing import staff_bottleneck
from bpr.redesign.heuristics.suggestions import other_suggestions
from bpr.redesign.heuristics.triage import triage_simple_cases

Heuristic = Callable[[Context], "list[Candidate] | list[Blocked] | list[Candidate | Blocked]"]

HEURISTIC_FUNCTIONS: dict[str, Heuristic] = {
    "eliminate": eliminate_approvals,
    "delegate": delegate_by_rules,
    "parallel": parallel_cosign,
    "merge": merge_same_role,
    "digitize": digitize_paper,
    "online": online_channel,
    "batching": continuous_in_tray,
    "knockout": knockout_ordering,
    "triage": triage_simple_cases,
    "staff": staff_bottleneck,
    "suggestion": other_suggestions,
}
"""Every heuristic by name, in proposing order (see :data:`bpr.redesign.candidate.HEURISTICS`)."""


@dataclass(frozen=True)
class Proposals:
    candidates: tuple[Candidate, ...]
    blocked: tuple[Blocked, ...]


def propose(context: Context, heuristics: Iterable[str] | None = None) -> Proposals:
    """Run the heuristics (all, or those named) on ``context``; candidates without duplicates."""
    names = list(HEURISTIC_FUNCTIONS) if heuristics is None else list(heuristics)
    unknown = [name for name in names if name not in HEURISTIC_FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown heuristic(s) {', '.join(unknown)}; known: {', '.join(HEURISTIC_FUNCTIONS)}")
    candidates: list[Candidate] = []
    blocked: list[Blocked] = []
    for name in names:
        for item in HEURISTIC_FUNCTIONS[name](context):
            if isinstance(item, Blocked):
                blocked.append(item)
                continue
            twin = next((i for i, c in enumerate(candidates) if list(c.changes) == list(item.changes)), None)
            if twin is None:
                candidates.append(item)
            else:
                sources = tuple(dict.fromkeys(candidates[twin].sources + item.sources))
                candidates[twin] = dataclasses.replace(candidates[twin], sources=sources)
    return Proposals(tuple(candidates), tuple(blocked))


__all__ = ["HEURISTIC_FUNCTIONS", "Heuristic", "Proposals", "propose"]
