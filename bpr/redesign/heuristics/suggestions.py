"""Every other change the analysis suggests, as it suggests it.

The dedicated heuristics turn the suggestions of their rules into candidates (with grouping and
explanations of their own). A suggestion of a kind none of them covers (a rule added later, ``set``,
``staff``, ``arrivals``...) is still worth simulating: it becomes a candidate with the finding's message.
"""

from __future__ import annotations

from bpr.analysis.text import change_text
from bpr.changes import CHANGE_KINDS
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

COVERED = ("remove", "delegate", "parallelize", "merge", "digitize", "batch")
"""Change kinds the dedicated heuristics already propose from the findings."""


def other_suggestions(context: Context) -> list[Candidate]:
    out: list[Candidate] = []
    seen: list[dict[str, object]] = []
    for finding in context.analysis.findings:
        change = finding.suggestion
        if not change or change in seen:
            continue
        (kind,) = change
        if kind in COVERED or kind not in CHANGE_KINDS:
            continue
        seen.append(change)
        out.append(
            Candidate(
                id=candidate_id("suggestion", finding.rule, *finding.steps[:1]),
                heuristic="suggestion",
                title=f"{finding.rule}: {change_text(change)}",
                explanation=finding.message,
                changes=(change,),
                steps=tuple(finding.steps),
                sources=(finding.rule,),
            )
        )
    return out
