"""The process diagram of a case: bpr's own swimlane drawing as SVG, its current steps outlined.

Graphviz writes each step as ``<g class="node"><title>step id</title>``; marking a step is adding a class
to that group and one style rule, so the drawing itself stays the report's. Drawings are cached per
process content and language (a definition never changes once deployed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bpr.execute.definitions import Definition
from bpr.render.dot import render_dot
from bpr.render.graphviz_run import run_dot

__all__ = ["case_diagram"]

_STYLE = ("<style>g.bpr-current polygon, g.bpr-current ellipse, g.bpr-current path {"
          "stroke: #d4380d; stroke-width: 5px;} g.bpr-current text {font-weight: bold;}</style>")


_DRAWINGS: dict[tuple[str, str], str] = {}


def _drawing(definition: Definition, lang: str) -> str:
    key = (definition.content_hash, lang)  # the content, not the id: ids repeat across stores
    if key not in _DRAWINGS:
        if len(_DRAWINGS) > 64:
            _DRAWINGS.clear()
        _DRAWINGS[key] = run_dot(render_dot(definition.process, lang=lang), "svg").decode("utf-8")
    return _DRAWINGS[key]


def case_diagram(definition: Definition, current: Iterable[str], lang: str) -> str:
    """SVG text of ``definition``'s process with the ``current`` step ids outlined."""
    svg = _drawing(definition, lang)
    for step in set(current):
        pattern = re.compile(r'<g id="([^"]+)" class="node">(\s*<title>' + re.escape(step) + r"</title>)")
        svg = pattern.sub(r'<g id="\1" class="node bpr-current">\2', svg, count=1)
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + _STYLE, svg, count=1)
