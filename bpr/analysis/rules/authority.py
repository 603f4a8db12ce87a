"""Who decides: approvals decided above the authority a case needs (専決 not used), and below it."""

from __future__ import annotations

from typing import Any

import networkx as nx

from bpr.analysis.cases import CaseSample, routing_of
from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.flow import forward_graph
from bpr.analysis.text import role_label, step_label
from bpr.model.conditions import ConditionError, compiled
from bpr.model.routing import Routing, RoutingError
from bpr.model.routing import decider as routed_decider
from bpr.model.schema import Approval, Process

EXCESS = RuleInfo(
    "BPR104", "excess-authority", "warning", "an approval decided above the authority the case needs"
)
SHORT = RuleInfo(
    "BPR106", "insufficient-authority", "warning", "an approval decided below the authority the case needs"
)


def _holds(when: str | None, attributes: dict[str, Any]) -> bool:
    if when is None:
        return True
    try:
        return compiled(when).evaluate(attributes)
    except ConditionError:
        return False


def required_row(step: Approval, attributes: dict[str, Any]) -> int | None:
    """Index of the first ``required_authority`` row matching the case (None: no requirement stated)."""
    for i, rule in enumerate(step.required_authority):
        if _holds(rule.when, attributes):
            return i
    return None


def decider(routing: Routing, step: Approval, attributes: dict[str, Any]) -> str | None:
    """The role that decides this case after delegations (the routing core's rule); None when a delegation
    condition cannot be evaluated for it (the case cannot be routed)."""
    try:
        return routing.roles[routed_decider(routing.route(step.id), attributes)]
    except RoutingError:
        return None


def _pick_role(G: nx.DiGraph, process: Process, step: Approval, low: int, high: int) -> str | None:
    """A role with authority in [low, high): one that already signs before this step, then one of the same
    department, then the least senior; ties in file order."""
    forward = forward_graph(G)
    before = nx.ancestors(forward, step.id) if step.id in forward else set()
    signing_before = {G.nodes[n]["role"] for n in before if isinstance(G.nodes[n]["step"], Approval)}
    own_department = process.roles[step.role].department
    order = list(process.roles)
    candidates = [
        rid for rid, role in process.roles.items() if not role.external and low <= role.authority < high
    ]
    if not candidates:
        return None

    def rank(rid: str) -> tuple[int, int, int, int]:
        role = process.roles[rid]
        return (
            rid not in signing_before,
            not own_department or role.department != own_department,
            role.authority,
            order.index(rid),
        )

    return min(candidates, key=rank)


def _delegation_condition(step: Approval, row: int, level: int) -> str | None:
    """Cases whose first matching row is ``row``, minus earlier rows that need more than ``level``."""
    parts: list[str] = []
    own = step.required_authority[row].when
    exclusions = [r.when for r in step.required_authority[:row] if r.when is not None and r.level > level]
    if own is not None:
        parts.append(f"({own})" if exclusions else own)
    parts.extend(f"not ({when})" for when in exclusions)
    return " and ".join(parts) if parts else None


def excess_authority(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR104: with ``required_authority`` rows, the share of sampled cases reaching the approval that its
    own role decides although a row asks only a lower level; suggests delegating them (專決)."""
    sample: CaseSample | None = None
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Approval) or not step.required_authority:
            continue
        sample = sample or CaseSample.of(G, process)
        reaching = sample.reaching(step.id)
        if not reaching:
            continue
        level = process.roles[step.role].authority
        counts = [0] * len(step.required_authority)
        for i in reaching:
            attrs = sample.attributes[i]
            row = required_row(step, attrs)
            if row is not None and decider(routing_of(G, process), step, attrs) == step.role:
                counts[row] += 1
        for row, rule in enumerate(step.required_authority):
            if rule.level >= level or counts[row] == 0:
                continue
            share = counts[row] / len(reaching)
            if rule.when is None:
                cases = "those no earlier row matches" if row else "all of them"
            else:
                cases = f"{rule.when}{', not matched by an earlier row' if row else ''}"
            head = (
                f"{step_label(process, step.id)} is decided by {role_label(process, step.role)}, authority "
                f"{level}, but {share:.0%} of the cases reaching it ({cases}) need only level {rule.level} "
                f"under required_authority row {row + 1}"
            )
            target = _pick_role(G, process, step, rule.level, level)
            if target is None:
                message = f"{head}; no role has an authority from {rule.level} to {level - 1} to delegate to"
                out.append(EXCESS.finding((step.id,), message, None, "info"))
                continue
            to_level = process.roles[target].authority
            when = _delegation_condition(step, row, to_level)
            change: dict[str, Any] = {"step": step.id, "to": target}
            if when is not None:
                change["when"] = when
            message = f"{head}: delegate them to {role_label(process, target)}, authority {to_level} (専決)"
            out.append(EXCESS.finding((step.id,), message, {"delegate": change}))
    return out


def insufficient_authority(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR106: sampled cases decided (after delegations) by a role below the level their row requires."""
    sample: CaseSample | None = None
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Approval) or not step.required_authority:
            continue
        sample = sample or CaseSample.of(G, process)
        reaching = sample.reaching(step.id)
        short: dict[tuple[str, int], int] = {}
        for i in reaching:
            attrs = sample.attributes[i]
            row = required_row(step, attrs)
            who = decider(routing_of(G, process), step, attrs)
            if row is not None and who is not None and process.roles[who].authority < step.required_authority[row].level:
                key = (who, step.required_authority[row].level)
                short[key] = short.get(key, 0) + 1
        for (who, needed), count in short.items():
            message = (
                f"{count / len(reaching):.0%} of the cases reaching {step_label(process, step.id)} are decided "
                f"by {role_label(process, who)}, authority {process.roles[who].authority}, below the level "
                f"{needed} its required_authority asks: narrow the delegation or raise the decider"
            )
            out.append(SHORT.finding((step.id,), message))
    return out
