"""The rule table: every rule with its stable id, short name, usual severity and the function that checks it.

A rule is a function ``rule(G, process) -> list[Finding]`` over the process graph of
:func:`bpr.model.graph.build_graph`. Ids never change meaning; retired ids are not reused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.rules import authority, batching, handoffs, paper, parallel, redundancy, rubber_stamps
from bpr.model.schema import Process

Check = Callable[[nx.DiGraph, Process], list[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    info: RuleInfo
    check: Check

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name


RULES: tuple[Rule, ...] = (
    Rule(redundancy.DOMINATED, redundancy.dominated_approvals),
    Rule(redundancy.SAME_ROLE, redundancy.same_role_approvals),
    Rule(rubber_stamps.RUBBER_STAMP, rubber_stamps.rubber_stamps),
    Rule(authority.EXCESS, authority.excess_authority),
    Rule(parallel.PARALLELIZABLE, parallel.serial_independent_approvals),
    Rule(authority.SHORT, authority.insufficient_authority),
    Rule(handoffs.PING_PONG, handoffs.handoff_ping_pong),
    Rule(handoffs.LONG_CHAIN, handoffs.handoff_chain),
    Rule(handoffs.PHYSICAL, handoffs.physical_handoffs),
    Rule(paper.REKEY, paper.rekeying),
    Rule(paper.STAMP_ONLY, paper.stamp_only),
    Rule(batching.BATCHED, batching.batched_approvals),
)
"""Every rule, in id order."""

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
