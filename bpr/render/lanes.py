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


def plan_lanes(process: Process, graph: nx.DiGraph) -> LanePlan:
    """Assign lanes; departments and roles are ordered by where the flow first reaches them."""
    order = flow_order(graph)
    carried: dict[str, Lane] = {}  # lane a step stands in, or passes on (a handoff passes on its sender's)
    for node in order:
        role = graph.nodes[node].get("role")
        if role and role in process.roles:
            carried[node] = Lane(department_key(process, role), role)
            continue
        for source, _, kind in graph.in_edges(node, data="kind"):
            if kind != "reject" and source in carried:
                carried[node] = carried[source]
                break
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
