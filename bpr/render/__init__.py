"""Diagrams of processes: swimlanes, findings, simulation overlays, before/after pictures.

``render_dot`` and ``render_comparison`` build DOT text (pure); ``run_dot`` and ``write_diagram`` hand it
to the system Graphviz for SVG, PNG or PDF.
"""

from bpr.render.dot import render_comparison, render_dot, summary_counts
from bpr.render.graphviz_run import (
    FORMATS,
    INSTALL_HINT,
    GraphvizNotFound,
    RenderError,
    format_of,
    run_dot,
    write_diagram,
)

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "GraphvizNotFound",
    "RenderError",
    "format_of",
    "render_comparison",
    "render_dot",
    "run_dot",
    "summary_counts",
    "write_diagram",
]
