"""Knock-out ordering: of serial checks that reject cases, run first the one that rejects most per minute.

A chain A -> B (-> C ...) of approvals linked directly by ``next``, each later one entered only from the one
before, each rejecting with some probability to a step outside the chain (the case goes back or out), with
listed checks that do not overlap (so the order does not matter to what is checked), is ordered by the
knock-out ratio ``reject probability / mean duration``, highest first: the cheapest check with the highest
rejection chance first, so rejected cases spend the least work and time in the checks that follow
(van der Aalst's knock-out principle).

The new order is written as ``set`` changes rewiring ``next`` (the step before the chain, then each
member). The change language checks the process after *every* change, and any single rewiring of a serial
chain leaves a step unreachable or a loop without exit, so these changes are refused: the heuristic then
reports the reordering as :class:`~bpr.redesign.candidate.Blocked`, naming the change kind it needs
(:data:`NEEDED`). If a future change language accepts them, the same code yields a candidate.
"""

from __future__ import annotations

from typing import Any

from bpr.analysis.text import steps_text
from bpr.errors import BprError
from bpr.model.changes import apply_changes, parse_changes
from bpr.model.schema import Approval, Handoff, Join, Process, Task
from bpr.redesign.candidate import Blocked, Candidate, candidate_id
from bpr.redesign.context import Context

NEEDED = (
    "reorder: [B, A, C] — the serial chain A -> B -> C (each entered only from the one before) runs in the "
    "listed order: what led to its first step leads to the new first step, the new last step leads where the "
    "old last step led, and the process is checked once, after the whole rewiring"
)


def _rejects_out(step: object, members: set[str]) -> bool:
    return (
        isinstance(step, Approval)
        and step.reject is not None
        and step.reject.probability > 0
        and step.reject.to not in members
        and step.reject.to != step.id
    )


def knockout_chains(context: Context) -> list[list[str]]:
    """Maximal chains of independent rejecting approvals (module docstring), in file order."""
    process = context.process
    chains: list[list[str]] = []
    used: set[str] = set()
    for step in process.steps:
        if step.id in used or not _rejects_out(step, set()) or not step.checks:  # type: ignore[union-attr]
            continue
        chain = [step.id]
        checks = set(step.checks)  # type: ignore[union-attr]
        current: Approval = step  # type: ignore[assignment]
        while True:
            following = process.step(current.next)
            if (
                not isinstance(following, Approval)
                or following.id in used
                or not following.checks
                or set(following.checks) & checks
                or not _rejects_out(following, set(chain) | {following.id})
                or not context.entered_only_from(following.id, current.id)
            ):
                break
            chain.append(following.id)
            checks |= set(following.checks)
            current = following
        if len(chain) >= 2 and all(_rejects_out(process.step(s), set(chain)) for s in chain):
            chains.append(chain)
            used.update(chain)
    return chains


def knockout_order(process: Process, chain: list[str]) -> list[str]:
    """The chain sorted by reject probability per minute of work, highest first (stable for ties)."""

    def ratio(step_id: str) -> float:
        step: Approval = process.step(step_id)  # type: ignore[assignment]
        assert step.reject is not None
        return step.reject.probability / max(step.duration.mean, 1e-9)

    return sorted(chain, key=ratio, reverse=True)


def _rewiring(process: Process, chain: list[str], order: list[str]) -> list[dict[str, Any]] | None:
    """``set`` changes for the new order, or None when the chain is entered other than by one ``next``."""
    into = [s for s in process.steps if isinstance(s, (Task, Approval, Handoff, Join)) and s.next == chain[0]]
    entries = {a.start or process.start_step for a in process.arrivals}
    rejected_in = [s for s in process.steps if isinstance(s, Approval) and s.reject and s.reject.to == chain[0]]
    if len(into) != 1 or chain[0] in entries or rejected_in:
        return None
    after = process.step(chain[-1]).next  # type: ignore[union-attr]
    changes: list[dict[str, Any]] = [{"set": {"step": into[0].id, "next": order[0]}}]
    for here, there in zip(order, [*order[1:], after]):
        changes.append({"set": {"step": here, "next": there}})
    return changes


def knockout_ordering(context: Context) -> list[Candidate | Blocked]:
    """A candidate per chain whose knock-out order differs from the current one; Blocked when the change
    language refuses the rewiring (module docstring)."""
    process = context.process
    out: list[Candidate | Blocked] = []
    for chain in knockout_chains(context):
        order = knockout_order(process, chain)
        if order == chain:
            continue
        ident = candidate_id("knockout", *order)
        title = f"Check in knock-out order: {' -> '.join(order)} (was {' -> '.join(chain)})"
        explanation = (
            f"{steps_text(process, chain)} each reject some cases and check different things; run first the one "
            "that rejects most per minute of work, so rejected cases skip the work of the others."
        )
        changes = _rewiring(process, chain, order)
        if changes is None:
            out.append(Blocked(ident, "knockout", title, explanation, tuple(chain), NEEDED,
                               reason="the chain is entered other than through one step's next"))
            continue
        try:
            apply_changes(process, parse_changes(changes))
        except BprError as error:
            message = getattr(error, "issues", None)
            reason = message[0].message if message else str(error)
            out.append(Blocked(ident, "knockout", title, explanation, tuple(chain), NEEDED, tuple(changes),
                               f"the change language refuses the rewiring: {reason}"))
            continue
        out.append(Candidate(ident, "knockout", title, explanation, tuple(changes), tuple(chain)))
    return out
