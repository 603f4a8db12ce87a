"""Knock-out ordering: of serial checks that reject cases, run first the one that rejects most per minute.

A chain A -> B (-> C ...) of approvals linked directly by ``next``, each later one entered only from the one
before, each rejecting with some probability to a step outside the chain (the case goes back or out), with
listed checks that do not overlap (so the order does not matter to what is checked), is ordered by the
knock-out ratio ``reject probability / mean duration``, highest first: the cheapest check with the highest
rejection chance first, so rejected cases spend the least work and time in the checks that follow
(van der Aalst's knock-out principle).

The new order is one ``reorder`` change of the change language: what led to the chain leads to the new
first step, the new last step leads where the old last one led, rework returns are kept.
"""

from __future__ import annotations

from bpr.analysis.text import steps_text
from bpr.model.schema import Approval, Process
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context


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


def knockout_ratio(process: Process, step_id: str) -> float:
    """Reject probability per minute of work of an approval (0 without rejections)."""
    step: Approval = process.step(step_id)  # type: ignore[assignment]
    if step.reject is None:
        return 0.0
    return step.reject.probability / max(step.duration.mean, 1e-9)


def knockout_order(process: Process, chain: list[str]) -> list[str]:
    """The chain sorted by reject probability per minute of work, highest first (stable for ties)."""
    return sorted(chain, key=lambda step_id: knockout_ratio(process, step_id), reverse=True)


def knockout_ordering(context: Context) -> list[Candidate]:
    """A ``reorder`` candidate per chain whose knock-out order differs from the current one."""
    process = context.process
    out: list[Candidate] = []
    for chain in knockout_chains(context):
        order = knockout_order(process, chain)
        if order == chain:
            continue
        ratios = ", ".join(
            f"{step_id} {process.step(step_id).reject.probability:.0%} in "  # type: ignore[union-attr]
            f"{process.step(step_id).duration.mean:.0f} min"  # type: ignore[union-attr]
            for step_id in order
        )
        out.append(
            Candidate(
                id=candidate_id("knockout", *order),
                heuristic="knockout",
                title=f"Check in knock-out order: {' -> '.join(order)} (was {' -> '.join(chain)})",
                explanation=(
                    f"{steps_text(process, chain)} each reject some cases and check different things, so their "
                    f"order does not change what is checked. Run first the one that rejects most per minute of "
                    f"work ({ratios}): rejected cases then skip the work and waiting of the others."
                ),
                changes=({"reorder": list(order)},),
                steps=tuple(chain),
            )
        )
    return out
