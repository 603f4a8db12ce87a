"""Soundness: every step can be reached, every case can finish, every parallel split meets its join.

These are the checks of workflow-net soundness that matter for an executable process file: a step no case
can reach is a mistake, a step from which no end can be reached traps cases forever (a dead end, or a loop
with no exit such as a rework loop rejected with probability 1), and a parallel branch that ends on its
own would leave its join waiting forever.
"""

from __future__ import annotations

import networkx as nx

from bpr.errors import Issue
from bpr.model.graph import build_graph
from bpr.model.schema import Approval, Decision, Parallel, Process


def check_soundness(process: Process) -> list[Issue]:
    """Soundness problems of a process whose references are already known to be valid."""
    graph = build_graph(process)
    index = {step.id: i for i, step in enumerate(process.steps)}
    issues: list[Issue] = []

    reachable: set[str] = set()
    for entry in graph.graph["entries"]:
        reachable |= {entry} | nx.descendants(graph, entry)
    for step in process.steps:
        if step.id not in reachable:
            issues.append(Issue(f"step {step.id!r} can never be reached", f"steps[{index[step.id]}]",
                                hint="route a step to it, or delete it"))

    # Where can a case really go? Edges that are never taken (probability 0) do not count.
    live = nx.DiGraph()
    live.add_nodes_from(graph.nodes)
    live.add_edges_from((u, v) for u, v, p in graph.edges(data="probability") if p is None or p > 0)
    ends = [step.id for step in process.steps if step.type == "end"]
    if not ends:
        issues.append(Issue("the process has no end step", "steps", hint="add a step with type: end"))
    can_finish: set[str] = set(ends)
    for end in ends:
        can_finish |= nx.ancestors(live, end)
    # In a loop = in a strongly connected component with a cycle (linear time; enumerating the cycles
    # themselves is exponential, and a small file with many decisions would stall validation).
    looped = {n for n in live if live.has_edge(n, n)}
    components = [c for c in nx.strongly_connected_components(live) if len(c) > 1 or c <= looped]
    for component in components:
        looped |= component
    for step in process.steps:
        if step.id in reachable and step.id not in can_finish:
            what = "is in a loop with no exit" if step.id in looped else "is a dead end"
            issues.append(Issue(f"step {step.id!r} {what}: no case that gets here can finish", f"steps[{index[step.id]}]",
                                hint="route it, directly or through its successors, to an end step"))

    traps = _condition_traps(process, graph, live, components, can_finish, index)
    issues.extend(traps)
    issues.extend(_fixed_branch_traps(process, live, reachable, can_finish, ends, index, {t.path for t in traps}))

    for i, step in enumerate(process.steps):
        if isinstance(step, Approval) and step.reject is not None and step.reject.probability >= 1:
            issues.append(Issue(f"approval {step.id!r} returns every case (reject probability 1): no case ever passes it",
                                f"steps[{i}].reject.probability", hint="a return for rework happens to some cases: use a value below 1"))

    joins_of: dict[str, list[str]] = {}
    for step in process.steps:
        if isinstance(step, Parallel):
            joins_of.setdefault(step.join, []).append(step.id)
            without_join = graph.copy()
            without_join.remove_node(step.join)
            for b, branch in enumerate(step.next):
                if branch == step.join:
                    continue
                if not nx.has_path(graph, branch, step.join):
                    issues.append(Issue(f"branch {branch!r} never reaches join {step.join!r}",
                                        f"steps[{index[step.id]}].next[{b}]", hint="route the branch to the join"))
                    continue
                escaped = [n for n in nx.descendants(without_join, branch) | {branch} if n in ends]
                if escaped:
                    issues.append(Issue(f"branch {branch!r} can reach end {escaped[0]!r} without passing join {step.join!r}",
                                        f"steps[{index[step.id]}].next[{b}]",
                                        hint="every branch of a parallel split must meet at its join"))
    for step in process.steps:
        if step.type == "join":
            splits = joins_of.get(step.id, [])
            if not splits:
                issues.append(Issue(f"join {step.id!r} belongs to no parallel step", f"steps[{index[step.id]}]",
                                    hint="name it in a parallel step's 'join:'"))
            elif len(splits) > 1:
                issues.append(Issue(f"join {step.id!r} is shared by parallel steps {', '.join(splits)}",
                                    f"steps[{index[step.id]}]", hint="give each parallel step its own join"))
    return issues


def _condition_traps(process: Process, graph: nx.DiGraph, live: nx.DiGraph, components: list[set[str]],
                     can_finish: set[str], index: dict[str, int]) -> list[Issue]:
    """Loops whose only ways out are the conditions of one decision.

    Case attributes never change, so such a decision goes the same way on every visit: a case that takes
    its branch into the loop once takes it for ever. (With several deciding steps in the loop it depends
    on whether their conditions can hold together, which is not decided here.)
    """
    issues: list[Issue] = []
    for component in components:
        if not component & can_finish or any(process.step(n).type in ("parallel", "join") for n in component):
            continue  # loops that nobody leaves are reported above; parallel tokens are not one case
        exits = [(u, v) for u in component for v in live[u] if v not in component]
        deciders = {u for u, _ in exits}
        if len(deciders) != 1 or any(graph.edges[u, v]["probability"] is not None for u, v in exits):
            continue
        (decider,) = deciders
        step = process.step(decider)
        if not isinstance(step, Decision):
            continue
        for b, branch in enumerate(step.next):
            if branch.to in component:
                rule = "otherwise" if branch.otherwise else f"when {branch.when!r}"
                members = ", ".join(sorted(component, key=index.__getitem__))
                issues.append(Issue(
                    f"cases taking this branch ({rule}) loop through {members} for ever: "
                    f"only {decider!r} leads out, and it decides the same way every time",
                    f"steps[{index[decider]}].next[{b}]",
                    hint="attributes do not change during a case; add a way out such as a rejection or a probability branch",
                ))
                break
    return issues


def _fixed_branch_traps(process: Process, live: nx.DiGraph, reachable: set[str], can_finish: set[str],
                        ends: list[str], index: dict[str, int], reported: set[str | None]) -> list[Issue]:
    """Branches of a decision by condition from which no end can be reached while that decision keeps
    deciding the same way (attributes never change, so it does): a case that takes one loops for ever,
    even where other steps of the loop have ways out that such a case never reaches (a later approval
    rejecting back into the loop). Other decisions are free to go any way, so nothing is reported that a
    case might escape."""
    issues: list[Issue] = []
    for step in process.steps:
        if not isinstance(step, Decision) or step.next[0].probability is not None or step.id not in reachable:
            continue
        if step.id not in can_finish:
            continue  # reported as a dead end or a loop with no exit already
        for b, branch in enumerate(step.next):
            path = f"steps[{index[step.id]}].next[{b}]"
            if path in reported or branch.to not in can_finish or any(o.to == branch.to for o in step.next[:b]):
                continue  # reported already (the target is a dead end, or the loop has one decider), or seen
            fixed = live.copy()
            fixed.remove_edges_from([(step.id, v) for v in live.successors(step.id) if v != branch.to])
            finishing: set[str] = set(ends)
            for end in ends:
                finishing |= nx.ancestors(fixed, end)
            if branch.to in finishing:
                continue
            rule = "otherwise" if branch.otherwise else f"when {branch.when!r}"
            issues.append(Issue(
                f"cases taking this branch ({rule}) never reach an end: every way on from {branch.to!r} "
                f"leads back to {step.id!r}, which decides the same way every time",
                path,
                hint="attributes do not change during a case; add a way out such as a rejection or a probability branch",
            ))
    return issues
