"""Handoffs between departments: back and forth (ping-pong), long chains (たらい回し), physical transport.

A handoff is a change of department between two consecutive steps done by city staff, whether or not a
``handoff`` step models the transport; steps of external roles (the applicant, a contractor) are not a
department. The rules follow forward moves only (rework is left out, see :mod:`bpr.analysis.flow`), and
only paths a case can take: where conditions route cases by their attributes, every step of a reported
path is reached by one case of the analysis's case sample (:mod:`bpr.analysis.cases`), so a renewal's
lighter check is not linked to the consultation only new cases get.
"""

from __future__ import annotations

import networkx as nx

from bpr.analysis.cases import CaseSample, is_conditional
from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.statutory import looks_statutory, statutory_hint
from bpr.analysis.flow import forward_graph, lane, lane_moves
from bpr.analysis.summary import most_likely_path
from bpr.analysis.text import minutes_text, step_label, steps_text
from bpr.model.schema import Handoff, Parallel, Process

PING_PONG = RuleInfo(
    "BPR201", "handoff-ping-pong", "warning", "a case handed to another department and straight back"
)
LONG_CHAIN = RuleInfo(
    "BPR202", "handoff-chain", "warning", "a path with many department changes (たらい回し)"
)
PHYSICAL = RuleInfo("BPR203", "physical-handoff", "info", "a file carried between departments")

CHAIN_THRESHOLD = 4
"""A path is reported by BPR202 when the case changes department this many times or more along it."""


def case_routes(G: nx.DiGraph, process: Process) -> list[frozenset[str]]:
    """The sets of steps one case can reach, one per distinct route of the case sample; every step when no
    condition routes cases (then any path of the graph is one a case can take)."""
    if not any(is_conditional(step) for step in process.steps):
        return [frozenset(G.nodes)]
    return sorted(set(CaseSample.of(G, process).reach), key=sorted)


def handoff_ping_pong(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR201: steps a (department X) -> b ... c (all department Y) -> d (X again) on some forward path.

    A visit that starts as a branch of a parallel split is not reported: the opinion of the other
    department is asked for while the rest runs, which is what parallel co-signing (合議) is for."""
    forward = forward_graph(G)
    moves: dict[str, list[str]] = {}
    in_parallel: set[tuple[str, str]] = set()
    for u, v, via in lane_moves(forward, process):
        moves.setdefault(u, []).append(v)
        if any(isinstance(G.nodes[n]["step"], Parallel) for n in via):
            in_parallel.add((u, v))
    likely = set(most_likely_path(G, process))
    routes = case_routes(G, process)
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for a, targets in moves.items():
        home = lane(G, a, process)
        for b in targets:
            away = lane(G, b, process)
            if away == home or (a, b) in in_parallel:
                continue  # a co-signature in parallel (合議) is asked for while the rest runs
            stack = [[b]]
            visited = {b}
            while stack:
                run = stack.pop()
                for d in moves.get(run[-1], []):
                    if lane(G, d, process) == away and d not in visited:
                        visited.add(d)
                        stack.append(run + [d])
                    elif lane(G, d, process) == home and (a, d) not in seen:
                        steps = [a, *run, d]
                        if not any(route.issuperset(steps) for route in routes):
                            continue  # no case goes this way (its conditions exclude each other)
                        seen.add((a, d))
                        where = " (on the most likely path)" if set(steps) <= likely else ""
                        message = (
                            f"the case goes from {home} ({step_label(process, a)}) to {away} "
                            f"({steps_text(process, run)}) and back to {home} ({step_label(process, d)})"
                            f"{where}: two handoffs for work one department could finish"
                        )
                        controls = [process.required_control(s) for s in run]
                        statutory = [s for s in run if looks_statutory(process, s)]
                        if any(controls):
                            control = next(c for c in controls if c is not None)
                            message += (f"; the visit is a required control ({control.kind}: {control.basis}), "
                                        "so make the trip lighter rather than cut it (digitize the handoffs)")
                        elif statutory:
                            message += f"; {statutory_hint(process, statutory[0])}"
                        out.append(PING_PONG.finding(tuple(steps), message))
    return out


def handoff_chain(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR202: the forward path with the most department changes, when it has ``CHAIN_THRESHOLD`` or more.
    One finding per process; its steps are where the case enters each department."""
    forward = forward_graph(G)
    into: dict[str, list[str]] = {}
    for u, v, _ in lane_moves(forward, process):
        into.setdefault(v, []).append(u)
    order = {step_id: i for i, step_id in enumerate(process.step_ids)}
    longest: tuple[int, list[str]] = (0, [])
    for route in case_routes(G, process):  # the longest chain one case can go through
        changes, path = _longest_chain(G, process, forward, into, route, order)
        if changes > longest[0]:
            longest = (changes, path)
    changes, path = longest
    if changes < CHAIN_THRESHOLD:
        return []
    entered = [
        n for i, n in enumerate(path) if i == 0 or lane(G, n, process) != lane(G, path[i - 1], process)
    ]
    departments = " -> ".join(str(lane(G, n, process)) for n in entered)
    message = (
        f"the case changes department {changes} times in a row ({departments}), "
        f"entering at {steps_text(process, entered)}; each handoff adds transport and a new in-tray "
        f"(threshold {CHAIN_THRESHOLD})"
    )
    return [LONG_CHAIN.finding(tuple(entered), message)]


def _longest_chain(G: nx.DiGraph, process: Process, forward: nx.DiGraph, into: dict[str, list[str]],
                   route: frozenset[str], order: dict[str, int]) -> tuple[int, list[str]]:
    """The forward path through ``route``'s steps with the most department changes, and that number."""
    best: dict[str, tuple[int, str | None]] = {}
    for node in nx.topological_sort(forward):
        if node not in route or lane(G, node, process) is None:
            continue
        score, previous = 0, None
        for u in into.get(node, []):
            if u in best:
                candidate = best[u][0] + (lane(G, u, process) != lane(G, node, process))
                if candidate > score:
                    score, previous = candidate, u
        best[node] = (score, previous)
    if not best:
        return 0, []
    last = max(best, key=lambda n: (best[n][0], -order[n]))
    path: list[str] = []
    back: str | None = last
    while back is not None:
        path.append(back)
        back = best[back][1]
    path.reverse()
    return best[last][0], path


def physical_handoffs(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR203: a ``handoff`` step that is not electronic: the case waits for transport (and a mail run)."""
    out: list[Finding] = []
    for step in process.steps:
        if not isinstance(step, Handoff) or step.mode == "electronic":
            continue
        runs = f", leaving only at {', '.join(step.departures)}" if step.departures else ""
        message = (
            f"{step_label(process, step.id)} carries the file by {step.mode} (mean delay "
            f"{minutes_text(step.delay.mean)}{runs}): an electronic handoff arrives at once"
        )
        out.append(PHYSICAL.finding((step.id,), message, {"digitize": [step.id]}))
    return out
