"""Approvals that add a wait but no control: repeated later by someone at least as senior, or twice in a
row by the same role."""

from __future__ import annotations

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.flow import forward_graph, post_dominators
from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval, Process

DOMINATED = RuleInfo(
    "BPR101",
    "dominated-approval",
    "warning",
    "an approval whose checks a later approval with equal or higher authority repeats on every path",
)
SAME_ROLE = RuleInfo("BPR102", "same-role-approvals", "warning", "two approvals in a row by the same role")


def _checks(checks: tuple[str, ...]) -> str:
    return ", ".join(checks) if checks else "nothing listed"


def dominated_approvals(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR101: approval A is redundant when an approval B post-dominates it (every forward path from A to an
    end passes B), B checks everything A checks, and B's role (and every role B delegates to) has at least
    A's authority. Rework (rejects,
    loops back) does not count as "later". Approvals marked ``control:`` are required and never reported."""
    pdom = post_dominators(G)
    forward = forward_graph(G)
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Approval) or process.required_control(step.id) is not None or step.id not in pdom:
            continue
        level = process.roles[step.role].authority
        later = nx.descendants(forward, step.id)
        for other_id in pdom[step.id]:
            other = G.nodes[other_id]["step"]
            if not isinstance(other, Approval) or other_id not in later:
                continue
            # With delegations (専決), the least senior role that may decide B is what B guarantees.
            other_level = min(
                [process.roles[other.role].authority]
                + [process.roles[d.role].authority for d in other.delegations if d.role in process.roles]
            )
            if not set(step.checks) <= set(other.checks) or other_level < level:
                continue
            if step.checks:
                what = (
                    "the same checks" if set(step.checks) == set(other.checks) else "the same checks and more"
                )
                why = f"{step_label(process, step.id)} checks {_checks(step.checks)}; "
            else:
                what, why = "its own checks", f"{step_label(process, step.id)} lists no checks of its own; "
            message = (
                f"{why}{step_label(process, other_id)} follows on every path with {what} "
                f"({_checks(other.checks)}) by {role_label(process, other.role)}"
                f"{' or its delegates' if other.delegations else ''}, authority {other_level} >= "
                f"{level} of {role_label(process, step.role)}: the earlier approval adds waiting but no control"
            )
            out.append(DOMINATED.finding((step.id, other_id), message, {"remove": step.id}))
            break
    return out


def _merge_obstacle(G: nx.DiGraph, process: Process, first: Approval, second: Approval) -> str | None:
    """Why the pair cannot simply become one step (None when it can)."""
    for s in (first, second):
        control = process.required_control(s.id)
        if control is not None:
            return f"{step_label(process, s.id)} is a required control ({control.kind}: {control.basis})"
    doors = [
        source
        for source, _, kind in G.in_edges(second.id, data="kind")
        if kind != "reject" and source not in (first.id, second.id)
    ]
    if doors:  # cases may reach the second approval without the first
        return f"{step_label(process, second.id)} is also entered from {step_label(process, doors[0])}"
    pair = (first.id, second.id)
    returns = {
        first.id if s.reject.to in pair else s.reject.to for s in (first, second) if s.reject is not None
    }
    if len(returns) > 1:
        return f"they return cases to different steps ({', '.join(sorted(returns))})"
    for field in ("batch", "required_authority", "delegations"):
        values = [getattr(s, field) for s in (first, second) if getattr(s, field)]
        if len(values) == 2 and values[0] != values[1]:
            return f"their {field} differ"
    return None


def same_role_approvals(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR102: an approval whose ``next`` is another approval by the same role: one person signs twice.

    Suggests ``merge`` unless the pair cannot simply become one step (a required control, another way into
    the second, different rework targets, batch times or authority rules); the message then says why."""
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Approval) or step.next not in G:
            continue
        other = G.nodes[step.next]["step"]
        if not isinstance(other, Approval) or other.role != step.role or other.id == step.id:
            continue
        message = (
            f"{step_label(process, step.id)} and {step_label(process, other.id)} are signed one after the other "
            f"by the same role {role_label(process, step.role)}: one sign-off can cover both"
        )
        suggestion: dict[str, object] | None = {"merge": [step.id, other.id]}
        obstacle = _merge_obstacle(G, process, step, other)
        if obstacle:
            suggestion = None
            message += f"; not merged automatically because {obstacle}"
        out.append(SAME_ROLE.finding((step.id, other.id), message, suggestion))
    return out
