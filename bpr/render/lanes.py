"""Which swimlane each step is drawn in.

Lanes are departments, with one sub-lane per role. Work steps (tasks, approvals) sit in their role's lane.
Steps without a role are placed where a reader expects them: decisions, parallel bars, joins and ends in
the lane of the work that leads to them; handoffs in the department they leave from, outside its role
sub-lanes, so that the edge that crosses into the next department is the handoff's own.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx

from bpr.model.schema import Process


@dataclass(frozen=True, slots=True)
class Lane:
    """A department (``key``; the role id for a role without department) and one role inside it."""

    key: str
    role: str


@dataclass(frozen=True, slots=True)
class LanePlan:
    """Departments in drawing order, their roles in order, the lane of each step (``None`` for handoffs and
    steps no work leads to), and the department each handoff leaves from."""

    departments: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    step_lane: dict[str, Lane | None]
    handoff_from: dict[str, str]

    def department_of(self, step_id: str) -> str | None:
        lane = self.step_lane.get(step_id)
        return lane.key if lane else None


def department_key(process: Process, role_id: str) -> str:
    """The lane key of a role: its department, or the role itself when it names none."""
    return process.roles[role_id].department or role_id


def flow_order(graph: nx.DiGraph) -> list[str]:
    """Steps in breadth-first order from the entries along forward edges (rework edges ignored),
    then any step not reached that way, in file order."""
    seen: dict[str, None] = {}
    queue = deque(graph.graph.get("entries") or [graph.graph["start"]])
    while queue:
        node = queue.popleft()
        if node in seen or node not in graph:
            continue
        seen[node] = None
        for _, target, kind in graph.out_edges(node, data="kind"):
            if kind != "reject" and target not in seen:
                queue.append(target)
    for node in graph.nodes:
        seen.setdefault(node, None)
    return list(seen)


def _predecessors_first(graph: nx.DiGraph, order: list[str]) -> list[str]:
    """``order`` rearranged so that every step comes after all steps with a forward edge into it, where
    the forward edges (rework left out) have no cycle; otherwise ``order`` as it is."""
    forward = nx.DiGraph()
    forward.add_nodes_from(order)
    forward.add_edges_from((u, v) for u, v, kind in graph.edges(data="kind") if kind != "reject")
    if not nx.is_directed_acyclic_graph(forward):
        return order
    rank = {node: i for i, node in enumerate(order)}
    return list(nx.lexicographical_topological_sort(forward, key=lambda node: rank[node]))


def plan_lanes(process: Process, graph: nx.DiGraph) -> LanePlan:
    """Assign lanes; departments and roles are ordered by where the flow first reaches them."""
    order = flow_order(graph)
    carried: dict[str, Lane] = {}  # lane a step stands in, or passes on (a handoff passes on its sender's)
    for node in _predecessors_first(graph, order):
        role = graph.nodes[node].get("role")
        if role and role in process.roles:
            carried[node] = Lane(department_key(process, role), role)
            continue
        # The lane most of the incoming work comes from (an end reached from three lanes stands in the
        # lane two of them share), ties to the one the flow reaches first.
        votes: dict[Lane, int] = {}
        for source, _, kind in graph.in_edges(node, data="kind"):
            if kind != "reject" and source in carried:
                votes[carried[source]] = votes.get(carried[source], 0) + 1
        if votes:
            carried[node] = max(votes, key=lambda lane: votes[lane])  # max keeps the first of equals
    for node in reversed(order):  # steps before any work (a decision right after the start): look ahead
        if node not in carried:
            for _, target, kind in graph.out_edges(node, data="kind"):
                if kind != "reject" and target in carried:
                    carried[node] = carried[target]
                    break

    step_lane: dict[str, Lane | None] = {}
    for node in order:
        is_handoff = graph.nodes[node].get("type") == "handoff"
        step_lane[node] = None if is_handoff else carried.get(node)

    departments: dict[str, list[str]] = {}
    for node in order:
        lane = step_lane[node]
        if lane is not None:
            roles = departments.setdefault(lane.key, [])
            if lane.role not in roles:
                roles.append(lane.role)
    handoff_from = {
        node: carried[node].key
        for node in order
        if graph.nodes[node].get("type") == "handoff" and node in carried and carried[node].key in departments
    }
    return LanePlan(
        departments=tuple(departments),
        roles={key: tuple(roles) for key, roles in departments.items()},
        step_lane=step_lane,
        handoff_from=handoff_from,
    )
