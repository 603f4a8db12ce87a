"""Paper: data typed in again from a form, and steps that exist only to press a seal (hanko)."""

from __future__ import annotations

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.flow import post_dominators
from bpr.analysis.statutory import looks_statutory
from bpr.analysis.text import minutes_text, step_label
from bpr.model.schema import Approval, Process, Task

REKEY = RuleInfo("BPR301", "rekey", "warning", "data typed in again from paper or another system")
STAMP_ONLY = RuleInfo("BPR302", "stamp-only", "warning", "a step whose only visible purpose is a seal")


def rekeying(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR301: a task with ``rekey: true``; digitising the form (online application) removes the typing."""
    out: list[Finding] = []
    for step in process.steps:
        if isinstance(step, Task) and step.rekey:
            message = (
                f"{step_label(process, step.id)} types in data that already exists"
                f"{' on a paper form' if step.medium == 'paper' else ''}: "
                f"take it digitally at the source instead (mean {minutes_text(step.duration.mean)} per case)"
            )
            out.append(REKEY.finding((step.id,), message, {"digitize": [step.id]}))
    return out


def stamp_only(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR302: an approval with ``stamp: true`` and no checks, or a task with ``stamp: true``.

    Suggests ``remove`` for such an approval when it is not a control and another approval follows on every
    path; otherwise ``digitize`` (an e-approval or electronic seal keeps the act without the paper).
    """
    pdom = post_dominators(G)
    out: list[Finding] = []
    for step in process.steps:
        if isinstance(step, Approval) and step.stamp and not step.checks:
            later = [s for s in pdom.get(step.id, []) if isinstance(G.nodes[s]["step"], Approval)]
            control = process.required_control(step.id)
            if control is None and not looks_statutory(process, step.id) and later:
                message = (
                    f"{step_label(process, step.id)} presses a seal but lists no checks, and "
                    f"{step_label(process, later[0])} signs off on every path after it"
                )
                out.append(STAMP_ONLY.finding((step.id,), message, {"remove": step.id}))
            else:
                reason = ("it is a required control" if control is not None
                          else "it looks like a committee or outside body" if later else "it is the last sign-off")
                message = (
                    f"{step_label(process, step.id)} presses a seal but lists no checks; {reason}, "
                    "so keep the sign-off and make it electronic"
                )
                out.append(STAMP_ONLY.finding((step.id,), message, {"digitize": [step.id]}))
        elif isinstance(step, Task) and step.stamp:
            message = (
                f"{step_label(process, step.id)} is a task with a seal (hanko): "
                "an electronic seal or e-approval removes the trip to the stamp"
            )
            out.append(STAMP_ONLY.finding((step.id,), message, {"digitize": [step.id]}))
    return out
