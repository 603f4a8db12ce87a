"""Composition: consecutive steps of the same role become one step (one in-tray, one pick-up, one hand-on).

A chain X -> Y (-> Z ...) of tasks, or of approvals, done by one role, where each later step is entered
only from the one before it (no other route, rework or arrival leads into the middle) and none is a
required control, becomes the candidate ``merge: [X, Y, ...]``. Durations are added (the change language
moment-matches them); no time saving is claimed beyond the queue and hand-on that disappear.
"""

from __future__ import annotations

from bpr.analysis.text import role_label, steps_text
from bpr.model.schema import Approval, Task
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context


def _chain_from(context: Context, first: Task | Approval, used: set[str]) -> list[str]:
    chain = [first.id]
    current = first
    while True:
        following = context.process.step(current.next)
        if (
            type(following) is not type(first)
            or following.id in used
            or following.id in chain
            or context.process.required_control(following.id) is not None
            or following.role != first.role
            or not context.entered_only_from(following.id, current.id)
        ):
            return chain
        chain.append(following.id)
        current = following


def merge_same_role(context: Context) -> list[Candidate]:
    """One ``merge`` candidate per maximal chain of same-role consecutive steps (module docstring)."""
    process = context.process
    used: set[str] = set()
    out: list[Candidate] = []
    same_role = {tuple(f.steps) for f in context.analysis.findings if f.rule == "BPR102"}
    for step in process.steps:
        if not isinstance(step, (Task, Approval)) or step.id in used or process.required_control(step.id) is not None:
            continue
        chain = _chain_from(context, step, used)
        if len(chain) < 2:
            continue
        used.update(chain)
        kind = "approvals" if isinstance(step, Approval) else "tasks"
        sources = ("BPR102",) if any(tuple(chain[i : i + 2]) in same_role for i in range(len(chain) - 1)) else ()
        out.append(
            Candidate(
                id=candidate_id("merge", *chain),
                heuristic="merge",
                title=f"Merge {steps_text(process, chain)} into one step",
                explanation=(
                    f"{role_label(process, step.role)} does these {kind} one right after the other; as one step "
                    "the case is picked up once instead of queueing again in the same in-tray "
                    "(durations are added, no faster work is claimed)."
                ),
                changes=({"merge": chain},),
                steps=tuple(chain),
                sources=sources,
            )
        )
    return out
