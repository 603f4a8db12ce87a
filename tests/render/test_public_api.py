"""The public names of bpr.render are exactly its ``__all__``, sorted."""

from __future__ import annotations

import bpr.render


def test_all_is_sorted_and_complete():
    public = {name for name in vars(bpr.render) if not name.startswith("_")}
    modules = {"compare", "dot", "graphviz_run", "labels", "lanes", "legend", "nodes", "overlay", "style"}
    assert public - modules == set(bpr.render.__all__)
    assert bpr.render.__all__ == sorted(bpr.render.__all__)
