"""The forward flow of a process: what happens *later* to a case, with rework left out.

The rules reason about order ("a later approval", "the next department"). A returned case (a ``reject``
edge) or a loop back to an earlier step (a back edge found by depth-first search from the entry steps) is
rework: it does not make an earlier step "later". So the analysis works on the *forward graph*: the process
graph of :func:`bpr.model.graph.build_graph` without reject edges and back edges, restricted to the steps a
case can reach. It is acyclic.

Post-dominance ("every path from A to an end passes B") is computed with networkx dominance on the reversed
forward graph with a virtual exit joined to every end. The branches of a parallel split all run, so before
that computation they are chained one after another (split -> branch 1 -> branch 2 -> ... -> join): a step
inside any branch then post-dominates the steps before the split, as it should. Which steps belong to a
split's branches is the routing core's parallel block (:func:`bpr.model.routing.blocks`).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from bpr.analysis.memo import memo
from bpr.model.routing import parallel_blocks
from bpr.model.schema import Parallel, Process

EXIT = "__exit__"
"""Virtual node after every end (never a step id: step ids cannot start with an underscore)."""


def rework_edges(G: nx.DiGraph) -> set[tuple[str, str]]:
    """Reject edges and loop back edges (depth-first from the entry steps, successors in file order)."""
    rework = {(u, v) for u, v, kind in G.edges(data="kind") if kind == "reject"}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for entry in G.graph.get("entries", []):
        if entry not in G or entry in state:
            continue
        state[entry] = 1
        stack = [(entry, iter(list(G.successors(entry))))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if (node, child) in rework:
                    continue
                if state.get(child) == 1:
                    rework.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(list(G.successors(child)))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return rework


def forward_graph(G: nx.DiGraph) -> nx.DiGraph:
    """The acyclic graph of forward moves between the steps a case can reach (see module docstring).

    Computed once per graph; treat the result as read-only."""
    return memo(G, "forward", lambda: _forward_graph(G))


def _forward_graph(G: nx.DiGraph) -> nx.DiGraph:
    rework = rework_edges(G)
    reachable: set[str] = set()
    for entry in G.graph.get("entries", []):
        if entry in G:
            reachable |= {entry} | nx.descendants(G, entry)
    F = nx.DiGraph(start=G.graph.get("start"), entries=G.graph.get("entries", []))
    F.add_nodes_from((n, G.nodes[n]) for n in G.nodes if n in reachable)
    F.add_edges_from(
        (u, v, d)
        for u, v, d in G.edges(data=True)
        if u in reachable and v in reachable and (u, v) not in rework
    )
    return F


def _branch_members(F: nx.DiGraph, first: str, join: str, block: frozenset[str]) -> set[str]:
    """The steps of a join's parallel ``block`` that a branch reaches from its first step."""
    seen = {first}
    todo = [first]
    while todo:
        node = todo.pop()
        for child in F.successors(node):
            if child != join and child in block and child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def serialize_parallel(F: nx.DiGraph, G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``F`` (the forward graph of ``G``) in which the branches of every parallel split run one
    after another."""
    S = F.copy()
    splits = [step for _, step in G.nodes(data="step") if isinstance(step, Parallel)]
    in_block = memo(G, "blocks", lambda: parallel_blocks(splits, G))
    plans: list[tuple[str, str, list[str], list[set[str]]]] = []
    for node, step in F.nodes(data="step"):
        if not isinstance(step, Parallel) or step.join not in F:
            continue
        firsts = [b for b in dict.fromkeys(step.next) if b != step.join and b in F]
        block = in_block.get(step.join, frozenset())
        plans.append((node, step.join, firsts, [_branch_members(F, b, step.join, block) for b in firsts]))
    for split, join, firsts, members in plans:
        for target in list(S.successors(split)):
            S.remove_edge(split, target)
        S.add_edge(split, firsts[0] if firsts else join, kind="split", probability=1.0, when=None)
        for i, nodes in enumerate(members):
            after = firsts[i + 1] if i + 1 < len(firsts) else join
            for node in nodes:
                if S.has_edge(node, join) and after != join:
                    data = S.edges[node, join]
                    S.remove_edge(node, join)
                    S.add_edge(node, after, **data)
    return S


def post_dominators(G: nx.DiGraph) -> dict[str, list[str]]:
    """For every reachable step, the steps on every forward path from it to an end, nearest first."""
    return memo(G, "post_dominators", lambda: _post_dominators(G))


def _post_dominators(G: nx.DiGraph) -> dict[str, list[str]]:
    S = serialize_parallel(forward_graph(G), G)
    ends = [n for n in S.nodes if S.out_degree(n) == 0]
    S.add_edges_from((n, EXIT) for n in ends)
    ipdom = nx.immediate_dominators(S.reverse(copy=True), EXIT)
    chains: dict[str, list[str]] = {}
    for node in S.nodes:
        if node == EXIT or node not in ipdom:
            continue
        chain: list[str] = []
        current = node
        while current in ipdom and ipdom[current] != current:
            current = ipdom[current]
            if current == EXIT:
                break
            chain.append(current)
        chains[node] = chain
    return chains


def lane(G: nx.DiGraph, node: str, process: Process) -> str | None:
    """The department (swimlane) of a step done by city staff; None for steps without a role and for
    external roles (the applicant, a contractor), which are not departments a case is handed between.
    A role without a department is a lane of its own, named by its id."""
    role_id = G.nodes[node].get("role")
    if not role_id or role_id not in process.roles:
        return None
    role = process.roles[role_id]
    if role.external:
        return None
    return role.department or role_id


def lane_moves(
    F: nx.DiGraph, process: Process, within: Iterable[str] | None = None
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Moves of a case between steps that have a lane: ``(from, to, steps passed on the way)``.

    Steps without a lane (decisions, splits, joins, handoffs, external roles) are passed through and
    listed in file order. With ``within``, only moves through those steps count (e.g. the most likely path).
    """
    allowed = set(F.nodes) if within is None else set(within) & set(F.nodes)
    order = {step_id: i for i, step_id in enumerate(process.step_ids)}
    laned = sorted((n for n in allowed if lane(F, n, process) is not None), key=order.__getitem__)
    laned_set = set(laned)
    moves: dict[tuple[str, str], set[str]] = {}
    for source in laned:
        todo: list[tuple[str, frozenset[str]]] = [(child, frozenset()) for child in F.successors(source)]
        seen: set[tuple[str, frozenset[str]]] = set()
        while todo:
            node, passed = todo.pop()
            if node not in allowed or (node, passed) in seen:
                continue
            seen.add((node, passed))
            if node in laned_set:
                moves.setdefault((source, node), set()).update(passed)
                continue
            passed = passed | {node}
            todo.extend((child, passed) for child in F.successors(node))
    ranked = sorted(moves.items(), key=lambda item: (order[item[0][0]], order[item[0][1]]))
    return [(u, v, tuple(sorted(via, key=order.__getitem__))) for (u, v), via in ranked]
