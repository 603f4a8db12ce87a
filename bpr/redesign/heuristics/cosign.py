"""Parallel co-sign (合議) instead of serial: approvals that check different things sign at the same time.

From BPR105 findings: a serial chain of approvals by different roles with disjoint checks that do not
return cases to each other. Every contiguous part of such a chain with two or more approvals is a
candidate (the whole chain first), so that a part still applies when another candidate has removed a
member. Handoff steps between the members are removed: the file is circulated to all co-signers at once
(electronically, which the feasibility of removing a paper handoff accounts for); the handoff into the
chain and the one after it stay.
"""

from __future__ import annotations

from typing import Any

from bpr.analysis.text import steps_text
from bpr.model.schema import Approval, Handoff
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

RULE = "BPR105"


def _parts(sequence: list[str], approvals: list[str]) -> list[tuple[list[str], list[str]]]:
    """(members, handoffs between them) for every contiguous part of two or more approvals, longest first."""
    parts = []
    for length in range(len(approvals), 1, -1):
        for first in range(len(approvals) - length + 1):
            members = approvals[first : first + length]
            start, end = sequence.index(members[0]), sequence.index(members[-1])
            between = [s for s in sequence[start:end] if s not in members]
            parts.append((members, between))
    return parts


def parallel_cosign(context: Context) -> list[Candidate]:
    """Candidates ``remove`` (handoffs between) + ``parallelize`` for serial independent approvals."""
    process = context.process
    out: list[Candidate] = []
    for finding in context.analysis.findings:
        if finding.rule != RULE:
            continue
        sequence = list(finding.steps)
        approvals = [s for s in sequence if isinstance(process.step(s), Approval)]
        for members, between in _parts(sequence, approvals):
            if not all(isinstance(process.step(h), Handoff) for h in between):
                continue
            changes: list[dict[str, Any]] = [{"remove": h} for h in between]
            changes.append({"parallelize": list(members)})
            carried = (
                f" The file is no longer carried between them ({steps_text(process, between)}): it is "
                "circulated to all of them at once."
                if between else ""
            )
            out.append(
                Candidate(
                    id=candidate_id("parallel", *members),
                    heuristic="parallel",
                    title=f"Co-sign {steps_text(process, members)} at the same time (合議)",
                    explanation=(
                        f"{steps_text(process, members)} sign one after another but check different things "
                        f"and do not return cases to each other, so they can sign in parallel.{carried}"
                    ),
                    changes=tuple(changes),
                    steps=tuple(members) + tuple(between),
                    sources=(RULE,),
                )
            )
    return out
