"""A process as a networkx directed graph: the form the analysis and soundness checks reason on.

The graph is derived from a :class:`~bpr.model.schema.Process` and never the source of truth. Nodes are
step ids (attribute ``step`` holds the step model, ``role``/``department``/``authority`` are copied for
convenience); edges are the exits of the routing core (:func:`bpr.model.routing.exits`) and carry ``kind``
(``next``, ``branch``, ``reject`` or ``split``), the transition ``probability`` where it is known
(``None`` for branches taken by a condition) and the ``when`` condition. ``G.graph["start"]`` is the process
start and ``G.graph["entries"]`` every step a channel starts at.
"""

from __future__ import annotations

import networkx as nx

from bpr.model.routing import exits
from bpr.model.schema import Process


def successors_of(step: object) -> list[tuple[str, dict[str, object]]]:
    """Where a step can go next, with edge attributes; references are not checked here."""
    return [(e.to, {"kind": e.kind, "probability": e.probability, "when": e.when}) for e in exits(step)]


def build_graph(process: Process) -> nx.DiGraph:
    """Process -> DiGraph. Edges to unknown steps are left out (reported by the reference checks)."""
    graph = nx.DiGraph(process=process.id)
    for step in process.steps:
        role_id = getattr(step, "role", None)
        role = process.roles.get(role_id) if role_id else None
        graph.add_node(
            step.id,
            step=step,
            type=step.type,
            role=role_id,
            department=role.department if role else None,
            authority=role.authority if role else None,
        )
    for step in process.steps:
        for target, data in successors_of(step):
            if target not in graph:
                continue
            if graph.has_edge(step.id, target):  # two branches to one step: one edge, probabilities added
                old = graph.edges[step.id, target]
                if old["probability"] is not None and data["probability"] is not None:
                    old["probability"] = float(old["probability"]) + float(data["probability"])  # type: ignore[arg-type]
                continue
            graph.add_edge(step.id, target, **data)
    graph.graph["start"] = process.start_step
    graph.graph["entries"] = sorted({process.start_step} | {a.start for a in process.arrivals if a.start})
    return graph
