"""Summary figures of a process, counted along its most likely path.

The most likely path starts at the process start and at each step follows the most probable way out:
decision branches by their probability, or for condition branches by the share of sampled cases that take
them (:mod:`bpr.analysis.cases`, seed :data:`~bpr.analysis.cases.SEED`); rework (a reject, a way back to a
step already on the path) is never followed; every branch of a parallel split is on the path (all of them
run). Ties go to the way written first in the file. Channels that start elsewhere (``arrivals[].start``)
get the same figures for their own most likely path under ``other_entries``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from bpr.analysis.cases import SEED, CaseSample, arrival_shares, branch_probabilities, is_conditional
from bpr.analysis.flow import lane, lane_moves
from bpr.analysis.memo import memo
from bpr.model.schema import Approval, Decision, Handoff, Parallel, Process, Task

PATH_KEYS: tuple[str, ...] = (
    "path",
    "path_probability",
    "steps",
    "approvals",
    "stamps",
    "handoffs",
    "departments",
    "touch_time_minutes",
    "transport_minutes",
)
"""Figures of one most likely path (also the keys of each ``other_entries`` item, with start and share)."""

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
    "other_entries",
    "seed",
)
"""Keys of :func:`summarize`, in order (a contract: documented in docs/rules.md)."""

Walk = tuple[list[str], list[tuple[str, str]], float]


def _walk(G: nx.DiGraph, process: Process, start: str) -> Walk:
    """The most likely path from ``start``: its steps in order, the edges it takes, its probability."""
    needs_sample = any(is_conditional(s) for s in process.steps)
    probabilities = branch_probabilities(process, CaseSample.of(G, process) if needs_sample else None)
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
            here = node  # a str: the lambda would see the loop's node as str | None
            target, data = max(options, key=lambda option: odds(here, *option))  # first of equals wins
            chance *= odds(node, target, data)
            edges.append((node, target))
            node = target

    follow(start if start in G else None, None)
    return path, edges, chance


def _walk_from(G: nx.DiGraph, process: Process, start: str) -> Walk:
    return memo(G, f"walk:{start}", lambda: _walk(G, process, start))


def most_likely_path(G: nx.DiGraph, process: Process, start: str | None = None) -> list[str]:
    """Step ids of the most likely path from ``start`` (default the process start), in order."""
    return list(_walk_from(G, process, start or process.start_step)[0])


def count_handoffs(G: nx.DiGraph, process: Process, edges: list[tuple[str, str]], start: str) -> int:
    """Department changes between consecutive staff steps along ``edges``, plus ``handoff`` steps that do
    not lie on such a change (a file carried within a department, or to or from the applicant)."""
    walked: nx.DiGraph[str] = nx.DiGraph()
    walked.add_nodes_from((n, G.nodes[n]) for edge in edges for n in edge)
    if start in G:
        walked.add_node(start, **G.nodes[start])
    walked.add_edges_from(edges)
    changes = 0
    covered: set[str] = set()
    for u, v, via in lane_moves(walked, process):
        if lane(G, u, process) != lane(G, v, process):
            changes += 1
            covered.update(n for n in via if isinstance(G.nodes[n]["step"], Handoff))
    loose = [n for n in walked.nodes if isinstance(G.nodes[n]["step"], Handoff) and n not in covered]
    return changes + len(loose)


def path_figures(G: nx.DiGraph, process: Process, start: str) -> dict[str, Any]:
    """The :data:`PATH_KEYS` figures of the most likely path from ``start``."""
    path, edges, chance = _walk_from(G, process, start)
    on_path = [process.step(s) for s in path]
    work = [s for s in on_path if isinstance(s, (Task, Approval))]
    return {
        "path": list(path),
        "path_probability": round(chance, 4),
        "steps": sum(isinstance(s, (Task, Approval, Handoff)) for s in on_path),
        "approvals": sum(isinstance(s, Approval) for s in on_path),
        "stamps": sum(bool(s.stamp) for s in work),
        "handoffs": count_handoffs(G, process, edges, start),
        "departments": len({lane(G, s, process) for s in path} - {None}),
        "touch_time_minutes": round(float(sum(s.duration.mean for s in work)), 2),
        "transport_minutes": round(float(sum(s.delay.mean for s in on_path if isinstance(s, Handoff))), 2),
    }


def summarize(G: nx.DiGraph, process: Process) -> dict[str, Any]:
    """Figures of the process; keys are :data:`SUMMARY_KEYS` (minutes are mean durations)."""
    main = path_figures(G, process, process.start_step)
    shares = arrival_shares(process)
    others = [
        {"start": start, "share": round(share, 4), **path_figures(G, process, start)}
        for start, share in shares.items()
        if start != process.start_step
    ]
    return {
        "steps_total": len(process.steps),
        **{
            key: main[key]
            for key in ("path", "path_probability", "steps", "approvals", "stamps", "handoffs", "departments")
        },
        "paper_steps": sum(
            isinstance(s, (Task, Approval, Handoff)) and s.medium == "paper" for s in process.steps
        ),
        "rekeys": sum(isinstance(s, Task) and s.rekey for s in process.steps),
        "touch_time_minutes": main["touch_time_minutes"],
        "transport_minutes": main["transport_minutes"],
        "other_entries": others,
        "seed": SEED,
    }
