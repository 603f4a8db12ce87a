"""Derived facts of one graph, computed once per analysis.

Several rules need the same facts (the forward graph, post-dominators, the case sample, the most likely
path). They are kept in the graph's own attribute dict under :data:`KEY`, so they live exactly as long as
the graph that :func:`bpr.analysis.analyze` builds, and no state is shared between analyses. A graph that
is changed after a rule has run must not be analysed again (build a new one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

KEY = "bpr.analysis.memo"
T = TypeVar("T")


def memo(G: nx.DiGraph, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` the first time ``name`` is asked of ``G``, the stored value afterwards."""
    store: dict[str, Any] = G.graph.setdefault(KEY, {})
    if name not in store:
        store[name] = compute()
    return store[name]
