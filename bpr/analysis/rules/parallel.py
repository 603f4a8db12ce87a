"""Serial approvals that do not depend on each other: they could sign at the same time (合議 in parallel)."""

from __future__ import annotations

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.text import steps_text
from bpr.model.schema import Approval, Handoff, Process

PARALLELIZABLE = RuleInfo(
    "BPR105", "serial-independent-approvals", "info", "approvals in a row with disjoint checks"
)


def _entered_only_from(G: nx.DiGraph, step_id: str, previous: str) -> bool:
    """Whether the only way into ``step_id`` (a rework of itself aside) is from ``previous``."""
    return set(G.predecessors(step_id)) - {step_id} == {previous}


def _next_approval(G: nx.DiGraph, approval: Approval) -> tuple[Approval | None, list[str]]:
    """The approval after ``approval``, directly or through ``handoff`` steps only (returned too)."""
    between: list[str] = []
    current = approval.next
    previous = approval.id
    while current in G and current not in between:
        step = G.nodes[current]["step"]
        if not _entered_only_from(G, current, previous):
            return None, between
        if isinstance(step, Approval):
            return step, between
        if not isinstance(step, Handoff):
            return None, between
        between.append(current)
        previous, current = current, step.next
    return None, between


def _independent(chain: list[Approval], candidate: Approval) -> bool:
    """Whether ``candidate`` checks other things than every chain member and does not depend on them."""
    ids = {a.id for a in chain}
    if candidate.id in ids or not candidate.checks:
        return False
    if candidate.role in {a.role for a in chain}:
        return False
    if {c for a in chain for c in a.checks} & set(candidate.checks):
        return False
    if candidate.reject is not None and candidate.reject.to in ids:
        return False  # returns the case to an earlier member: it uses that member's result
    return all(a.reject is None or a.reject.to != candidate.id for a in chain)


def _rework_returns_to_chain(G: nx.DiGraph, chain: list[Approval]) -> bool:
    """Whether every case a member returns for rework must come back through the chain to finish.

    Run in parallel, a branch whose returned case could reach an end without coming back would never
    meet the others at the join (and the process would not be sound).
    """
    ids = {a.id for a in chain}
    rest = G.subgraph(n for n in G if n not in ids)
    for member in chain:
        if member.reject is None or member.reject.to in ids:
            continue
        ahead = nx.descendants(rest, member.reject.to) | {member.reject.to}
        if any(G.nodes[n]["type"] == "end" for n in ahead):
            return False
    return True


def serial_independent_approvals(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR105: a maximal chain A -> B (-> C ...) of approvals, each following the one before directly or
    through handoff steps only, by different roles, with listed checks that do not overlap, none returning
    a case to another member, no other way into the chain after its first step, and every case a member
    returns for rework coming back through the chain (run in parallel, it could otherwise finish without
    meeting the other branches at the join).

    Suggests ``parallelize`` when the approvals follow each other directly; with handoffs between them the
    message names both changes (remove the handoffs, then parallelize) and there is no single suggestion.
    """
    out: list[Finding] = []
    in_chain: set[str] = set()
    for step in process.steps:
        if not isinstance(step, Approval) or step.id in in_chain or not step.checks:
            continue
        chain: list[Approval] = [step]
        handoffs: list[str] = []
        sequence = [step.id]
        while True:
            candidate, between = _next_approval(G, chain[-1])
            if candidate is None or candidate.id in in_chain or not _independent(chain, candidate):
                break
            if not _rework_returns_to_chain(G, [*chain, candidate]):
                break
            chain.append(candidate)
            handoffs.extend(between)
            sequence.extend([*between, candidate.id])
        if len(chain) < 2:
            continue
        ids = [a.id for a in chain]
        in_chain.update(ids)
        checks = "; ".join(f"{a.id}: {', '.join(a.checks)}" for a in chain)
        message = (
            f"{steps_text(process, ids)} sign one after another but check different things ({checks}) and "
            "do not return cases to each other: they can sign at the same time"
        )
        suggestion: dict[str, object] | None = {"parallelize": ids}
        if handoffs:
            suggestion = None
            removes = ", ".join(f"remove: {h}" for h in handoffs)
            message += (
                f"; the file is carried between them ({steps_text(process, handoffs)}), so first circulate it "
                f"electronically to all at once ({removes}), then parallelize: [{', '.join(ids)}]"
            )
        out.append(PARALLELIZABLE.finding(tuple(sequence), message, suggestion))
    return out
