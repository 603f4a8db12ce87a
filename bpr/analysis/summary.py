"""Summary figures of a process, counted along its most likely path.

The most likely path starts at the process start and at each step follows the most probable way out:
decision branches by their probability, or for condition branches by the share of sampled cases that take
them (:mod:`bpr.analysis.cases`, seed :data:`~bpr.analysis.cases.SEED`); rework (a reject, a way back to a
step already on the path) is never followed; every branch of a parallel split is on the path (all of them
run). Ties go to the way written first in the file.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from bpr.analysis.cases import SEED, CaseSample, branch_probabilities, is_conditional
from bpr.analysis.flow import lane, lane_moves
from bpr.model.schema import Approval, Decision, Handoff, Parallel, Process, Task

SUMMARY_KEYS: tuple[str, ...] = (
    "steps_total",
    "path",
    "path_probability",
    "steps",
    "approvals",
    "stamps",
    "handoffs",
    "departments",
    "paper_steps",
    "rekeys",
    "touch_time_minutes",
    "transport_minutes",
    "seed",
)
"""Keys of :func:`summarize`, in order (a contract: documented in docs/rules.md)."""


def _walk(G: nx.DiGraph, process: Process) -> tuple[list[str], list[tuple[str, str]], float]:
    """The most likely path: its steps in order, the edges it takes, and its probability without rework."""
    needs_sample = any(is_conditional(s) for s in process.steps)
    probabilities = branch_probabilities(process, CaseSample.draw(G, process) if needs_sample else None)
    path: list[str] = []
    edges: list[tuple[str, str]] = []
    visited: set[str] = set()
    chance = 1.0

    def odds(node: str, target: str, data: dict[str, Any]) -> float:
        if isinstance(G.nodes[node]["step"], Decision):
            return probabilities.get((node, target), 0.0)
        return 1.0 if data.get("probability") is None else float(data["probability"])

    def follow(node: str | None, stop: str | None) -> None:
        nonlocal chance
        while node is not None and node != stop and node not in visited:
            visited.add(node)
            path.append(node)
            step = G.nodes[node]["step"]
            if isinstance(step, Parallel):
                for first in dict.fromkeys(step.next):
                    if first != step.join and first in G:
                        edges.append((node, first))
                        follow(first, step.join)
                node = step.join if step.join in G else None
                continue
            options = [
                (target, data)
                for target, data in G[node].items()
                if data.get("kind") != "reject" and target not in visited
            ]
            if not options:
                return
            target, data = max(options, key=lambda option: odds(node, *option))  # first of equals wins
            chance *= odds(node, target, data)
            edges.append((node, target))
            node = target

    follow(process.start_step if process.start_step in G else None, None)
    return path, edges, chance


def most_likely_path(G: nx.DiGraph, process: Process) -> list[str]:
    """Step ids of the most likely path, in the order a case meets them (see module docstring)."""
    return _walk(G, process)[0]


def count_handoffs(G: nx.DiGraph, process: Process, edges: list[tuple[str, str]]) -> int:
    """Department changes between consecutive staff steps along ``edges``, plus ``handoff`` steps that do
    not lie on such a change (a file carried within a department, or to or from the applicant)."""
    walked = nx.DiGraph()
    walked.add_nodes_from((n, G.nodes[n]) for edge in edges for n in edge)
    walked.add_nodes_from((n, G.nodes[n]) for n in G.nodes if n == process.start_step)
    walked.add_edges_from(edges)
    changes = 0
    covered: set[str] = set()
    for u, v, via in lane_moves(walked, process):
        if lane(G, u, process) != lane(G, v, process):
            changes += 1
            covered.update(via)
    loose = [n for n in walked.nodes if isinstance(G.nodes[n]["step"], Handoff) and n not in covered]
    return changes + len(loose)


def summarize(G: nx.DiGraph, process: Process) -> dict[str, Any]:
    """Figures of the process; keys are :data:`SUMMARY_KEYS` (minutes are mean durations)."""
    path, edges, chance = _walk(G, process)
    on_path = [process.step(s) for s in path]
    work = [s for s in on_path if isinstance(s, (Task, Approval))]
    lanes = {lane(G, s, process) for s in path} - {None}
    return {
        "steps_total": len(process.steps),
        "path": path,
        "path_probability": round(chance, 4),
        "steps": sum(isinstance(s, (Task, Approval, Handoff)) for s in on_path),
        "approvals": sum(isinstance(s, Approval) for s in on_path),
        "stamps": sum(bool(s.stamp) for s in work),
        "handoffs": count_handoffs(G, process, edges),
        "departments": len(lanes),
        "paper_steps": sum(
            isinstance(s, (Task, Approval, Handoff)) and s.medium == "paper" for s in process.steps
        ),
        "rekeys": sum(isinstance(s, Task) and s.rekey for s in process.steps),
        "touch_time_minutes": round(sum(s.duration.mean for s in work), 2),
        "transport_minutes": round(sum(s.delay.mean for s in on_path if isinstance(s, Handoff)), 2),
        "seed": SEED,
    }
