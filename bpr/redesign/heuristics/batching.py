"""Removal of batching: an approver who clears the in-tray only at set times works it continuously.

From BPR401 findings: one candidate ``batch: {step: S, at: null}`` per batched approval. The approver
does the same work; cases stop waiting for the next sweep.
"""

from __future__ import annotations

from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

RULE = "BPR401"


def continuous_in_tray(context: Context) -> list[Candidate]:
    """One candidate per batched approval."""
    process = context.process
    flagged = {f.steps[0] for f in context.analysis.findings if f.rule == RULE and f.steps}
    out: list[Candidate] = []
    for step in process.steps:
        if not isinstance(step, Approval) or step.batch is None or step.id not in flagged:
            continue
        out.append(
            Candidate(
                id=candidate_id("batching", step.id),
                heuristic="batching",
                title=f"Work the in-tray of {step_label(process, step.id)} continuously",
                explanation=(
                    f"{role_label(process, step.role)} clears the in-tray only at {', '.join(step.batch) or 'set times'}, "
                    "so every case waits for the next sweep; worked as cases come, the wait disappears."
                ),
                changes=({"batch": {"step": step.id, "at": None}},),
                steps=(step.id,),
                sources=(RULE,),
            )
        )
    return out
