"""Read a diagram back as Graphviz lays it out (``dot -Tjson``): clusters, nodes and edges with attributes.

Tests check the structure Graphviz itself understood, not the spelling of the DOT text.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Node:
    name: str
    attrs: dict[str, Any]

    @property
    def centre(self) -> tuple[float, float]:
        x, y = self.attrs["pos"].split(",")
        return float(x), float(y)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in points."""
        x, y = self.centre
        half_w = float(self.attrs["width"]) * 36
        half_h = float(self.attrs["height"]) * 36
        return x - half_w, y - half_h, x + half_w, y + half_h

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)


@dataclass(frozen=True)
class Cluster:
    name: str
    attrs: dict[str, Any]
    nodes: frozenset[str]

    @property
    def box(self) -> tuple[float, float, float, float]:
        left, bottom, right, top = (float(v) for v in self.attrs["bb"].split(","))
        return left, bottom, right, top


@dataclass(frozen=True)
class Layout:
    graph: dict[str, Any]
    nodes: dict[str, Node]
    clusters: dict[str, Cluster]
    edges: list[tuple[str, str, dict[str, Any]]]

    def edge(self, tail: str, head: str) -> dict[str, Any]:
        found = [attrs for t, h, attrs in self.edges if (t, h) == (tail, head)]
        assert len(found) == 1, f"expected one edge {tail} -> {head}, found {len(found)}"
        return found[0]

    def cluster_of(self, node: str, prefix: str = "cluster_lane") -> str:
        """The innermost cluster whose name starts with ``prefix`` holding ``node``."""
        holding = [c for c in self.clusters.values() if c.name.startswith(prefix) and node in c.nodes]
        assert holding, f"{node} is in no cluster starting with {prefix!r}"
        return min(holding, key=lambda c: len(c.nodes)).name

    def department_cluster_of(self, node: str, prefix: str = "cluster_") -> str:
        """The lane (department) cluster holding ``node``: ``cluster_<prefix>laneN``, sub-lanes ignored."""
        holding = [
            c.name for c in self.clusters.values()
            if c.name.startswith(prefix) and c.name.rstrip("0123456789").endswith("lane") and node in c.nodes
        ]
        assert len(holding) == 1, f"{node} is in lanes {holding}"
        return holding[0]


def layout(dot_text: str) -> Layout:
    done = subprocess.run(["dot", "-Tjson"], input=dot_text.encode("utf-8"), capture_output=True, check=True)
    data = json.loads(done.stdout)
    objects = data.get("objects", [])
    names = {obj["_gvid"]: obj["name"] for obj in objects if "nodes" not in obj and "subgraphs" not in obj}
    nodes = {obj["name"]: Node(obj["name"], obj) for obj in objects if obj["_gvid"] in names and "pos" in obj}
    count = data.get("_subgraph_cnt", 0)
    clusters = {}
    for obj in objects[:count]:
        if obj["name"].startswith("cluster"):
            members = frozenset(objects[i]["name"] for i in obj.get("nodes", []))
            clusters[obj["name"]] = Cluster(obj["name"], obj, members)
    edges = [(objects[e["tail"]]["name"], objects[e["head"]]["name"], e) for e in data.get("edges", [])]
    return Layout(data, nodes, clusters, edges)
