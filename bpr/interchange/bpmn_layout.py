"""Where each shape of a BPMN diagram goes: Graphviz orders the flow, lanes are horizontal bands.

Graphviz (``dot``, left to right) gives every flow node a rank (its column) and an order within the rank.
The diagram keeps the columns and puts each node in the band of its lane: nodes of one lane in one column
are stacked in Graphviz's order, and a lane is as tall as its tallest stack. Sequence flows are drawn
orthogonally: forward flows leave a shape on its right and enter the next on its left, with one bend
between the columns; flows that go back (rework, loops) leave below and come back from below.

Without the Graphviz program the columns come from the longest path from the start in the flow without
its back edges (networkx), so that an export never fails for want of a drawing tool; the picture is then
less tidy where branches cross.

Sizes are those bpmn.io uses (task 100 x 80, gateway 50 x 50, event 36 x 36), so that a diagram edited
there afterwards looks like one drawn there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["Box", "Layout", "LayoutLane", "LayoutNode", "SIZES", "layout"]

SIZES = {"task": (100.0, 80.0), "gateway": (50.0, 50.0), "event": (36.0, 36.0)}
COLUMN = 160.0  # distance between the centres of two columns
ROW = 120.0  # height of one row of a lane
POOL_LABEL = 30.0  # the band at the left of a pool (or of a lane with lanes in it) that holds its name
MARGIN = 40.0  # from the lane's label band to the first column's shapes


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class LayoutNode:
    id: str
    lane: str  # the id of the leaf lane that holds it
    size: str  # a key of SIZES


@dataclass(frozen=True)
class LayoutLane:
    id: str
    parent: str | None = None  # the lane it is drawn inside, or None for a lane of the pool


@dataclass
class Layout:
    pool: Box
    lanes: dict[str, Box] = field(default_factory=dict)
    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _ranks_graphviz(nodes: list[LayoutNode], edges: list[tuple[str, str, str]]) -> dict[str, tuple[float, float]]:
    """(x, y) of each node from ``dot -Tplain``; raises if the program is missing or fails."""
    import graphviz

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph G {", "rankdir=LR; nodesep=0.3; ranksep=0.6;"]
    for node in nodes:
        width, height = SIZES[node.size]
        lines.append(f"{quoted(node.id)} [shape=box, fixedsize=true, width={width / 72:.3f}, height={height / 72:.3f}];")
    for _, source, target in edges:
        lines.append(f"{quoted(source)} -> {quoted(target)};")
    lines.append("}")
    plain = graphviz.pipe("dot", "plain", "\n".join(lines).encode("utf-8"), quiet=True).decode("utf-8")
    positions: dict[str, tuple[float, float]] = {}
    for line in plain.splitlines():
        parts = _split_plain(line)
        if parts and parts[0] == "node":
            positions[parts[1]] = (float(parts[2]), float(parts[3]))
    return positions


def _split_plain(line: str) -> list[str]:
    """Fields of a ``-Tplain`` line; names may be quoted."""
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] == " ":
            i += 1
        elif line[i] == '"':
            j, text = i + 1, []
            while j < len(line) and line[j] != '"':
                if line[j] == "\\" and j + 1 < len(line):
                    j += 1
                text.append(line[j])
                j += 1
            out.append("".join(text))
            i = j + 1
        else:
            j = line.find(" ", i)
            j = len(line) if j < 0 else j
            out.append(line[i:j])
            i = j
    return out


def _ranks_networkx(nodes: list[LayoutNode], edges: list[tuple[str, str, str]],
                    start: list[str]) -> dict[str, tuple[float, float]]:
    """Columns as the longest path from the start without back edges (DFS order); rows in node order."""
    graph = nx.DiGraph()
    graph.add_nodes_from(node.id for node in nodes)
    graph.add_edges_from((s, t) for _, s, t in edges)
    sources = [s for s in start if s in graph] or [n.id for n in nodes[:1]]
    back = set()
    for source in sources:
        back |= {(u, v) for u, v, d in nx.dfs_labeled_edges(graph, source) if d == "nontree" and v in nx.ancestors(graph, u) | {u}}
    dag = nx.DiGraph((u, v) for u, v in graph.edges if (u, v) not in back)
    dag.add_nodes_from(graph.nodes)
    column = {n: 0 for n in dag}
    for node in nx.topological_sort(dag) if nx.is_directed_acyclic_graph(dag) else dag.nodes:
        for successor in dag.successors(node):
            column[successor] = max(column[successor], column[node] + 1)
    order = {node.id: i for i, node in enumerate(nodes)}
    return {n: (float(column[n]), -float(order[n])) for n in dag}


def layout(nodes: list[LayoutNode], edges: list[tuple[str, str, str]], lanes: list[LayoutLane],
           start: list[str] | None = None) -> Layout:
    """Positions of the pool, lanes, shapes and flows (``edges`` are (flow id, source, target))."""
    try:
        positions = _ranks_graphviz(nodes, edges)
    except Exception:  # the dot program missing or failing: draw without it (module docstring)
        positions = _ranks_networkx(nodes, edges, start or [])
    for node in nodes:
        positions.setdefault(node.id, (0.0, 0.0))
    xs = sorted({round(x, 1) for x, _ in positions.values()})
    column_of = {n.id: xs.index(round(positions[n.id][0], 1)) for n in nodes}

    # Stack the nodes of one lane and one column in Graphviz's order (top first: larger y).
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node in sorted(nodes, key=lambda n: -positions[n.id][1]):
        cells[(node.lane, column_of[node.id])].append(node.id)
    leaf_ids = [lane.id for lane in lanes if not any(other.parent == lane.id for other in lanes)]
    rows = {lane: max([len(ids) for (lane_id, _), ids in cells.items() if lane_id == lane] or [1]) for lane in leaf_ids}

    columns = max(column_of.values(), default=0) + 1
    nested = any(lane.parent for lane in lanes)
    left = POOL_LABEL + (POOL_LABEL if nested else 0.0)
    width = left + MARGIN + columns * COLUMN
    out = Layout(pool=Box(0.0, 0.0, 0.0, 0.0))
    y = 0.0
    row_of: dict[str, int] = {}
    for (lane_id, _), ids in cells.items():
        for row, node_id in enumerate(ids):
            row_of[node_id] = row
    size_of = {n.id: SIZES[n.size] for n in nodes}
    top_level = [lane for lane in lanes if lane.parent is None]
    for lane in top_level:
        children = [child for child in lanes if child.parent == lane.id]
        lane_top = y
        for leaf in children or [lane]:
            height = rows[leaf.id] * ROW
            inset = POOL_LABEL * 2 if children else POOL_LABEL
            out.lanes[leaf.id] = Box(inset, y, width - inset, height)
            y += height
        if children:
            out.lanes[lane.id] = Box(POOL_LABEL, lane_top, width - POOL_LABEL, y - lane_top)
    out.pool = Box(0.0, 0.0, width, y)
    for node in nodes:
        w, h = size_of[node.id]
        band = out.lanes[node.lane]
        cx = left + MARGIN + column_of[node.id] * COLUMN + COLUMN / 2
        cy = band.y + row_of[node.id] * ROW + ROW / 2
        out.shapes[node.id] = Box(cx - w / 2, cy - h / 2, w, h)
    for flow_id, source, target in edges:
        out.edges[flow_id] = _route(out.shapes[source], out.shapes[target])
    return out


def _route(a: Box, b: Box) -> list[tuple[float, float]]:
    if b.cx > a.cx:  # forward: right side out, left side in, one bend between the columns
        start, end = (a.x + a.width, a.cy), (b.x, b.cy)
        if abs(a.cy - b.cy) < 0.5:
            return [start, end]
        bend = b.x - (b.x - (a.x + a.width)) / 2
        return [start, (bend, a.cy), (bend, b.cy), end]
    if abs(b.cx - a.cx) < 0.5:  # same column: straight down or up between the boxes
        if b.cy > a.cy:
            return [(a.cx, a.y + a.height), (b.cx, b.y)]
        return [(a.cx, a.y), (b.cx, b.y + b.height)]
    below = max(a.y + a.height, b.y + b.height) + 25.0  # backward (rework): under both shapes
    return [(a.cx, a.y + a.height), (a.cx, below), (b.cx, below), (b.cx, b.y + b.height)]
