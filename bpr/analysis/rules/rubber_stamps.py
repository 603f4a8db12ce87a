"""Approvals that never return a case: either they verify nothing, or their rejections are not modelled."""

from __future__ import annotations

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.flow import post_dominators
from bpr.analysis.statutory import looks_statutory, statutory_hint
from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval, Process

RUBBER_STAMP = RuleInfo("BPR103", "rubber-stamp", "warning", "an approval that never rejects")


def rubber_stamps(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR103: an approval without ``reject`` or with reject probability 0.

    Warning with ``remove`` when another approval follows on every path (the case is still signed off);
    info without a suggestion when it is the last sign-off on some path, a required control, or looks like a
    committee or outside body (:mod:`bpr.analysis.statutory`: the message then says how to mark it).
    """
    pdom = post_dominators(G)
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Approval):
            continue
        if step.reject is not None and step.reject.probability > 0:
            continue
        never = "has no reject" if step.reject is None else "rejects with probability 0"
        head = f"{step_label(process, step.id)} by {role_label(process, step.role)} {never}: it never returns a case"
        later = [s for s in pdom.get(step.id, []) if isinstance(G.nodes[s]["step"], Approval)]
        control = process.required_control(step.id)
        if control is not None:
            message = (
                f"{head}; it is a required control ({control.kind}: {control.basis}), so keep it, "
                "but record what it catches (reject probability) or make it lighter"
            )
            out.append(RUBBER_STAMP.finding((step.id,), message, None, "info"))
        elif looks_statutory(process, step.id):
            message = f"{head}; it is not suggested for removal: {statutory_hint(process, step.id)}"
            out.append(RUBBER_STAMP.finding((step.id,), message, None, "info"))
        elif later:
            message = (
                f"{head}, and {step_label(process, later[0])} signs off on every path after it: "
                "it verifies nothing that changes the outcome"
            )
            out.append(RUBBER_STAMP.finding((step.id,), message, {"remove": step.id}))
        else:
            message = (
                f"{head}; it is the last sign-off on some path, so it is not suggested for removal: "
                "model its rejections, or delegate it"
            )
            out.append(RUBBER_STAMP.finding((step.id,), message, None, "info"))
    return out
