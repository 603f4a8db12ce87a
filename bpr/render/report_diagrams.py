"""The report's diagrams: before, after and both side by side, as DOT, as SVG files and as inline SVG.

Graphviz's SVG is a standalone document (XML prolog, DOCTYPE, fixed size in points, ids such as
``node1``); inline in a page it must lose the prolog, scale to the page width, and carry ids that do not
collide with the other diagrams of the same page. Without Graphviz the report still comes out, with a
note saying what to install in place of each picture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bpr.analysis import Finding
from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.render.dot import render_comparison, render_dot
from bpr.render.graphviz_run import run_dot

__all__ = ["DIAGRAM_NAMES", "Diagram", "draw_diagrams", "draw_options", "inline_svg", "option_diagram_names"]

DIAGRAM_NAMES = ("before", "after", "compare")


@dataclass(frozen=True)
class Diagram:
    """One picture: its DOT text, and its SVG text, or the reason there is none."""

    name: str
    dot: str
    svg: str | None
    error: str | None = None


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="([0-9.]+)pt"\s+height="([0-9.]+)pt"', re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_INTERNAL_TITLE = re.compile(r"<title>(?:cluster[^<]*|[^<]*(?:-|&#45;)&gt;[^<]*|(?:[ab]_)?_[^<]*)</title>")
"""Graphviz's tooltips for lanes (``cluster_lane0``), edges (``a->b``) and helper nodes: layout names, not
words of the process; step nodes keep theirs (the step id)."""
_REF = re.compile(r'(xlink:href|href)="#([^"]+)"|url\(#([^)]+)\)')


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """Graphviz SVG made fit for inline use: no prolog or comments, width of the page, ids prefixed."""
    text = _COMMENT.sub("", _PROLOG.sub("", svg, count=1)).strip()
    text = _INTERNAL_TITLE.sub("", text)
    match = _SIZE.search(text)
    if match:
        width, height = match.group(2), match.group(3)
        text = (text[: match.start()] + f'<svg{match.group(1)} width="{width}pt" height="{height}pt"'
                f' class="diagram-svg" role="img" aria-label="{_attr(label)}"'
                f' style="max-width:{width}pt" preserveAspectRatio="xMidYMin meet"' + text[match.end():])
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)

    def ref(m: re.Match[str]) -> str:
        if m.group(1):
            return f'{m.group(1)}="#{prefix}-{m.group(2)}"'
        return f"url(#{prefix}-{m.group(3)})"

    return _REF.sub(ref, text)


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def draw_diagrams(
    before: Process,
    after: Process,
    *,
    findings_before: Iterable[Finding] = (),
    findings_after: Iterable[Finding] = (),
    overlays: Mapping[str, tuple[Mapping[str, float], Mapping[str, float]]] | None = None,
    lang: str = "ja",
) -> dict[str, Diagram]:
    """The three pictures as DOT, rendered to SVG when Graphviz can be run.

    ``overlays`` maps ``before``/``after`` to ``(waits, utilisation)`` as :func:`bpr.render.overlay.
    overlay_from_results` returns them; empty maps draw nothing.
    """
    overlays = overlays or {}
    dots = {}
    for name, process, findings in (("before", before, findings_before), ("after", after, findings_after)):
        waits, utilisation = overlays.get(name, ({}, {}))
        dots[name] = render_dot(process, findings=findings, waits=waits or None, utilisation=utilisation or None,
                                lang=lang)
    dots["compare"] = render_comparison(before, after, lang=lang)
    return _run_all(dots)


def _run_all(dots: Mapping[str, str]) -> dict[str, Diagram]:
    diagrams: dict[str, Diagram] = {}
    for name, dot in dots.items():
        try:
            svg = run_dot(dot, "svg").decode("utf-8")
        except BprError as error:
            diagrams[name] = Diagram(name, dot, None, str(error))
        else:
            diagrams[name] = Diagram(name, dot, svg)
    return diagrams


def option_diagram_names(labels: Iterable[str]) -> tuple[str, ...]:
    """``before``, then ``option_A``, ``compare_A`` … for each option: the pictures and their file names."""
    return ("before", *(name for label in labels for name in (f"option_{label}", f"compare_{label}")))


def draw_options(
    before: Process,
    options: Iterable[tuple[str, Process, Iterable[Finding], tuple[Mapping[str, float], Mapping[str, float]]]],
    *,
    findings_before: Iterable[Finding] = (),
    overlay_before: tuple[Mapping[str, float], Mapping[str, float]] = ({}, {}),
    lang: str = "ja",
) -> dict[str, Diagram]:
    """The process before, and for each ``(label, process, findings, overlay)`` its picture and the picture
    comparing it with the process before (no option: the process before alone)."""
    waits, utilisation = overlay_before
    dots = {"before": render_dot(before, findings=findings_before, waits=waits or None,
                                 utilisation=utilisation or None, lang=lang)}
    for label, process, findings, (waits, utilisation) in options:
        dots[f"option_{label}"] = render_dot(process, findings=findings, waits=waits or None,
                                             utilisation=utilisation or None, lang=lang)
        dots[f"compare_{label}"] = render_comparison(before, process, lang=lang)
    return _run_all(dots)
