"""A process (with findings, results, or a before/after pair) as Graphviz DOT text. Pure: no files, no programs.

Layout choices, and why:

* Left-to-right flow (``rankdir=LR``) with one cluster per department and a sub-cluster per role, so that
  the picture reads like the swimlane charts (業務フロー図) analysts already draw by hand.
* ``newrank=true`` lets ranks be shared across clusters, which keeps the flow aligned when it crosses lanes,
  and lets a before/after picture put its two panels one above the other on the same ranks.
* Rework edges do not constrain ranks (``constraint=false``): they are drawn back to where the case returns
  without dragging steps out of their order.
* Large processes get tighter spacing and polyline edges (see :func:`_spacing`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

import graphviz
import networkx as nx

from bpr.analysis.findings import Finding
from bpr.model.graph import build_graph
from bpr.model.schema import Approval, Decision, End, Handoff, Join, Parallel, Process, Step, Task, Wait
from bpr.render import style
from bpr.render.labels import (
    channel_name,
    format_condition,
    format_minutes,
    format_percent,
    format_rate,
    text,
    wrap,
)
from bpr.render.lanes import LanePlan, plan_lanes
from bpr.render.legend import LegendFinding, legend_html
from bpr.render.report_changes import change_line
from bpr.render.nodes import Marks, start_node, step_node

START = "_start"
"""Node id of the start circle (step ids cannot begin with ``_``, so it never collides)."""


@dataclass(frozen=True, slots=True)
class _Overlay:
    """Everything drawn on top of the bare process, and the direction of flow."""

    marks: dict[str, Marks]
    utilisation: Mapping[str, float] | None
    direction: str = "LR"

    def node(self, step: Step, process: Process, lang: str, show_role: bool = False) -> dict[str, str]:
        marks = self.marks.get(getattr(step, "id", "")) or Marks()
        if show_role:
            marks = dataclasses.replace(marks, show_role=True)
        return step_node(step, process, lang, marks, self.direction)


def render_dot(
    process: Process,
    *,
    findings: Iterable[Finding] = (),
    waits: Mapping[str, float] | None = None,
    utilisation: Mapping[str, float] | None = None,
    lang: str = "ja",
    direction: str = "auto",
) -> str:
    """The swimlane diagram of ``process`` as DOT text.

    ``findings`` mark their steps with numbered badges explained in the legend; ``waits`` maps step ids
    to mean waiting time in minutes (node colour); ``utilisation`` maps role ids to a fraction 0..1 (lane
    colour and label). Steps or roles missing from the maps are drawn without an overlay. ``direction``
    is ``LR`` (flow left to right, lanes stacked), ``TB`` (flow downwards, lanes side by side) or
    ``auto``: see :func:`choose_direction`.
    """
    text("legend", lang)  # refuse an unknown language before doing any work
    direction = choose_direction(direction, process)
    marks: dict[str, Marks] = {}
    legend_findings = _mark_findings(process, list(findings), marks, lang)
    if waits:
        _mark_waits(process, waits, marks, lang)
    symbols: set[str] = set()
    graph = _new_graph(process.name, len(process.steps), direction)
    with graph.subgraph(name="cluster_panel") as panel:
        panel.attr(label=_title(process, None, lang), labelloc="t", labeljust="l", peripheries="0")
        anchors = _draw_process(panel, process, "", lang, _Overlay(marks, utilisation, direction), symbols)
    _align_lanes(graph, anchors, _sinks(process, ""), [START])
    legend = legend_html(
        symbols,
        lang,
        findings=legend_findings,
        show_waits=bool(waits),
        show_utilisation=bool(utilisation),
    )
    if legend:
        graph.attr(label=legend, labelloc="b", labeljust="l")
    return graph.source


def render_comparison(before: Process, after: Process, *, lang: str = "ja", direction: str = "auto") -> str:
    """Before and after in one picture: before above after (``LR``) or before left of after (``TB``).

    Steps of ``before`` that ``after`` no longer has are greyed, dashed, struck through (SVG) and marked
    with a red ×; steps new in ``after`` are outlined in green; steps kept but changed (paper to digital,
    stamp dropped, shorter, another role, …) are outlined in blue with the change written under them.
    """
    from bpr.render.compare import compare_steps  # local: compare builds on this module's helpers

    text("legend", lang)
    direction = choose_direction(direction, before, after)
    diff = compare_steps(before, after, lang)
    before_marks: dict[str, Marks] = {}
    after_marks: dict[str, Marks] = {}
    for step_id in diff.removed:
        before_marks[step_id] = Marks(removed=True, badges=[("×", style.REMOVED_MARK)])
    for step_id in diff.added:
        after_marks[step_id] = Marks(
            badges=[(text("added", lang), style.ADDED_COLOUR)], outline=style.ADDED_COLOUR, fill=style.ADDED_FILL
        )
    for step_id, notes in diff.changed.items():
        after_marks[step_id] = Marks(outline=style.CHANGED_COLOUR, notes=[" · ".join(notes)] if notes else [])
    symbols: set[str] = set()
    anchors: list[tuple[str, str]] = []
    graph = _new_graph(f"{before.name} / {after.name}", max(len(before.steps), len(after.steps)), direction)
    for prefix, process, marks, which in (("b_", before, before_marks, "before"), ("a_", after, after_marks, "after")):
        with graph.subgraph(name=f"cluster_{which}") as panel:
            panel.attr(
                label=_title(process, which, lang),
                labelloc="t",
                labeljust="l",
                style="rounded",
                color=style.LANE_BORDER,
                penwidth="1.5",
            )
            anchors += _draw_process(panel, process, prefix, lang, _Overlay(marks, None, direction), symbols)
    panel_firsts = [next(left for left, _ in anchors if left.startswith(prefix)) for prefix in ("b_", "a_")]
    _order_lanes(graph, [(left, left) for left in panel_firsts], "", direction, inside_cluster=False)
    sinks = _sinks(before, "b_") + _sinks(after, "a_")
    _align_lanes(graph, anchors, sinks, ["b_" + START, "a_" + START])  # before's lanes first: the before panel is drawn above the after panel
    if diff.removed:
        symbols.add("removed")
    if diff.added:
        symbols.add("added")
    if diff.changed:
        symbols.add("changed")
    legend = legend_html(symbols, lang)
    if legend:
        graph.attr(label=legend, labelloc="b", labeljust="l")
    return graph.source


DIRECTIONS: tuple[str, ...] = ("auto", "LR", "TB")
AUTO_TB_RANKS = 16
"""``auto`` draws a flow longer than this many steps top to bottom (see :func:`choose_direction`)."""


def choose_direction(direction: str, *processes: Process) -> str:
    """``LR`` or ``TB`` for ``direction`` (``auto``, ``LR`` or ``TB``).

    ``auto`` keeps the familiar left-to-right swimlanes while the longest run of steps is short (up to
    :data:`AUTO_TB_RANKS` steps, some 2 to 2.5 inches each), and turns longer flows downwards with lanes
    as columns: a 70-step flow drawn left to right is about 3 metres wide and must be shrunk past
    legibility to fit a page or a report column, while drawn downwards it keeps about a page's width
    and is read by scrolling.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; use one of {', '.join(DIRECTIONS)}")
    if direction != "auto":
        return direction
    longest = max(flow_length(build_graph(process)) for process in processes)
    return "TB" if longest > AUTO_TB_RANKS else "LR"


def flow_length(graph: nx.DiGraph[str]) -> int:
    """Steps on the longest path from the start, rework edges left out (the ranks of the diagram)."""
    forward: nx.DiGraph[str] = nx.DiGraph(
        (u, v) for u, v, data in graph.edges(data=True) if data.get("kind") != "reject"
    )
    forward.add_nodes_from(graph.nodes)
    # loops other than rework: count the acyclic core
    core = forward if nx.is_directed_acyclic_graph(forward) else nx.condensation(forward)
    return int(nx.dag_longest_path_length(core)) + 1


# --- the graph and its spacing -------------------------------------------------------------------------


def _spacing(step_count: int) -> dict[str, str]:
    """Graph attributes by size: roomy for a page-sized process, tighter for 50+ steps so it stays legible."""
    if step_count >= 40:
        return {"nodesep": "0.18", "ranksep": "0.3", "splines": "polyline"}
    if step_count >= 20:
        return {"nodesep": "0.22", "ranksep": "0.35", "splines": "spline"}
    return {"nodesep": "0.3", "ranksep": "0.45", "splines": "spline"}


def _new_graph(name: str, step_count: int, direction: str) -> graphviz.Digraph:
    graph = graphviz.Digraph(name="bpr")
    graph.attr(
        rankdir=direction,
        newrank="true",
        compound="true",
        forcelabels="true",
        fontname=style.FONT,
        fontsize=str(style.FONT_SIZE),
        fontcolor=style.INK,
        bgcolor="#FFFFFF",
        pad="0.25",
        outputorder="edgesfirst",
        tooltip=graphviz.nohtml(name),
        **_spacing(step_count),
    )
    graph.attr("node", fontname=style.FONT, fontsize=str(style.FONT_SIZE), fontcolor=style.INK)
    graph.attr(
        "edge",
        fontname=style.FONT,
        fontsize=str(style.EDGE_FONT_SIZE),
        fontcolor=style.MUTED,
        color=style.INK,
        arrowsize="0.7",
    )
    return graph


def _title(process: Process, which: str | None, lang: str) -> str:
    counts = summary_counts(process)
    facts = " · ".join(f"{text(key, lang)} {counts[key]}" for key in ("steps", "approvals", "stamps", "handoffs", "paper_steps"))
    head = _esc(process.name)
    if which:
        head = f"{_esc(text(which, lang))}: {head}"
    return (
        f"<<FONT POINT-SIZE=\"15\"><B>{head}</B></FONT><BR ALIGN=\"LEFT\"/>"
        f"<FONT POINT-SIZE=\"10\" COLOR=\"{style.MUTED}\">{_esc(facts)}</FONT><BR ALIGN=\"LEFT\"/>>"
    )


def summary_counts(process: Process) -> dict[str, int]:
    """Structural counts shown under a diagram's title (not simulated figures)."""
    work = [s for s in process.steps if isinstance(s, (Task, Approval))]
    return {
        "steps": len(work),
        "approvals": sum(isinstance(s, Approval) for s in work),
        "stamps": sum(bool(s.stamp) for s in work),
        "handoffs": sum(isinstance(s, Handoff) for s in process.steps),
        "paper_steps": sum(s.medium == "paper" for s in work),
    }


# --- drawing one process --------------------------------------------------------------------------------


def _draw_process(
    canvas: graphviz.Digraph, process: Process, prefix: str, lang: str, overlay: _Overlay, symbols: set[str]
) -> list[tuple[str, str]]:
    """Draw lanes, steps and edges into ``canvas``; returns each lane's (left, right) anchor node ids."""
    graph = build_graph(process)
    anchors: list[tuple[str, str]] = []
    lanes = plan_lanes(process, graph)
    start_lane = lanes.step_lane.get(process.start_step)
    role_lanes = overlay.direction == "LR"  # downwards, roles share their department's column (narrower)
    for number, department in enumerate(lanes.departments):
        with canvas.subgraph(name=f"cluster_{prefix}lane{number}") as lane:
            roles = lanes.roles[department]
            flat = len(roles) == 1 or not role_lanes
            lane.attr(
                label=_lane_label(process, department, roles if flat else (), overlay.utilisation, lang),
                labeljust="l",
                labelloc="t",
                style="filled",
                fillcolor=_lane_fill(number, roles if flat else (), overlay.utilisation),
                color=style.LANE_BORDER,
                penwidth="1",
            )
            left, right = f"{prefix}_lane{number}_left", f"{prefix}_lane{number}_right"
            lane.node(left, **_ANCHOR)
            lane.node(right, **_ANCHOR)
            anchors.append((left, right))
            for step in process.steps:
                if lanes.handoff_from.get(step.id) == department:
                    lane.node(prefix + step.id, **overlay.node(step, process, lang))
                    _note_symbol(step, symbols)
            for role_number, role in enumerate(roles):
                if flat:
                    _add_lane_nodes(lane, process, lanes, role, prefix, lang, overlay, symbols, len(roles) > 1)
                    if start_lane is not None and start_lane.role == role:
                        lane.node(prefix + START, **start_node(lang))
                    continue
                with lane.subgraph(name=f"cluster_{prefix}lane{number}_{role_number}") as sub:
                    sub.attr(
                        label=_role_label(process, role, overlay.utilisation, lang),
                        labeljust="l",
                        labelloc="t",
                        style="filled,rounded",
                        fillcolor=_role_fill(role, overlay.utilisation),
                        color="#CFD8DC",
                        penwidth="1",
                    )
                    _add_lane_nodes(sub, process, lanes, role, prefix, lang, overlay, symbols)
                    if start_lane is not None and start_lane.role == role:
                        sub.node(prefix + START, **start_node(lang))
    for step in process.steps:
        if lanes.step_lane.get(step.id) is None and step.id not in lanes.handoff_from:
            canvas.node(prefix + step.id, **overlay.node(step, process, lang))
            _note_symbol(step, symbols)
    if start_lane is None:
        canvas.node(prefix + START, **start_node(lang))
    _add_start_edges(canvas, process, prefix, lang)
    _add_edges(canvas, graph, lanes, prefix, lang, symbols, overlay.direction)
    _order_lanes(canvas, anchors, prefix, overlay.direction)
    return anchors


def _sinks(process: Process, prefix: str) -> list[str]:
    return [prefix + step.id for step in process.steps if isinstance(step, End)]


_ANCHOR = {"shape": "point", "style": "invis", "width": "0", "height": "0", "label": ""}


def _order_lanes(
    canvas: graphviz.Digraph, anchors: list[tuple[str, str]], prefix: str, direction: str, inside_cluster: bool = True
) -> None:
    """Ask for the lanes to be stacked in the order the flow reaches them.

    Graphviz ignores in-rank order between nodes of different clusters, so the order comes from a column
    of invisible nodes beside the lanes (inside the panel, where its lanes are ordered): chained, which
    Graphviz keeps, and each tied to its lane's first node, so that another lane order crosses the ties.
    Crossing minimisation may still overrule it where that saves many crossings. With rankdir=LR the
    chain must run upwards inside a cluster (Graphviz 2.43 flips the in-rank order there), otherwise
    first to last; tests/render check the resulting order on the rendered layout.
    """
    order = [f"{prefix}_order{number}" for number in range(len(anchors))]
    with canvas.subgraph() as column:
        column.attr(rank="same")
        for node in order:
            column.node(node, **_ANCHOR)
    for upper, lower in itertools.pairwise(order):
        if inside_cluster and direction == "LR":
            canvas.edge(lower, upper, style="invis")
        else:
            canvas.edge(upper, lower, style="invis")
    for node, (left, _) in zip(order, anchors):
        canvas.edge(node, left, style="invis", weight="10")


def _align_lanes(graph: graphviz.Digraph, anchors: list[tuple[str, str]], sinks: list[str], starts: list[str]) -> None:
    """Stretch every lane over the whole width: each lane holds an invisible node on the first rank (with
    the start circles) and one after the last rank (hung after every ``sinks`` node: the ends)."""
    if not anchors:
        return
    with graph.subgraph() as first:
        first.attr(rank="same")
        for left, _ in anchors:
            first.node(left)
        for node in starts:
            first.node(node)
    with graph.subgraph() as last:
        last.attr(rank="same")
        for _, right in anchors:
            last.node(right)
    for sink in sinks:  # rank=max is not honoured for unconnected nodes: hang the last rank after every sink
        graph.edge(sink, anchors[0][1], style="invis", weight="0")


def _add_lane_nodes(
    lane: graphviz.Digraph,
    process: Process,
    lanes: LanePlan,
    role: str,
    prefix: str,
    lang: str,
    overlay: _Overlay,
    symbols: set[str],
    show_role: bool = False,
) -> None:
    for step in process.steps:
        where = lanes.step_lane.get(step.id)
        if where is not None and where.role == role:
            lane.node(prefix + step.id, **overlay.node(step, process, lang, show_role))
            _note_symbol(step, symbols)


def _note_symbol(step: object, symbols: set[str]) -> None:
    if isinstance(step, Task):
        symbols.add("task_paper" if step.medium == "paper" else "task_digital")
    elif isinstance(step, Approval):
        symbols.add("approval")
        if step.reject:
            symbols.add("rework")
    elif isinstance(step, Handoff):
        symbols.add("handoff_step")
    elif isinstance(step, Wait):
        symbols.add("wait_step")
    elif isinstance(step, Decision):
        symbols.add("decision")
    elif isinstance(step, (Parallel, Join)):
        symbols.add("parallel")
    if getattr(step, "stamp", False):
        symbols.add("stamp")


def _department_name(process: Process, department: str) -> str:
    if department in process.roles and not process.roles[department].department:
        return process.roles[department].name or department
    return department


def _staff_text(process: Process, role_id: str, lang: str) -> str:
    role = process.roles[role_id]
    name = role.name or role_id
    if role.staff == "unlimited":
        staff = text("staff_unlimited", lang)
    else:
        staff = text("staff", lang, n=role.staff)
    extra = f" · {text('external', lang)}" if role.external else ""
    return f"{name} · {staff}{extra}"


def _utilisation_text(role_id: str, utilisation: Mapping[str, float] | None, lang: str) -> str:
    if not utilisation or role_id not in utilisation:
        return ""
    value = utilisation[role_id]
    ink = style.UTILISATION_INKS[style.utilisation_class(value)]
    return f" <FONT COLOR=\"{ink}\"><B>{_esc(text('utilisation', lang))} {format_percent(value)}</B></FONT>"


def _lane_label(
    process: Process, department: str, roles: tuple[str, ...], utilisation: Mapping[str, float] | None, lang: str
) -> str:
    """Department name in bold; below it, for a lane without role sub-lanes, each role with its staff."""
    head = f"<FONT POINT-SIZE=\"12.5\"><B>{_esc(_department_name(process, department))}</B></FONT>"
    if not roles:
        return f"<{head}>"
    lines = "".join(
        f"<FONT POINT-SIZE=\"9\" COLOR=\"{style.MUTED}\">{_esc(_staff_text(process, role, lang))}"
        f"{_utilisation_text(role, utilisation, lang)}</FONT><BR ALIGN=\"LEFT\"/>"
        for role in roles
    )
    return f"<{head}<BR ALIGN=\"LEFT\"/>{lines}>"


def _role_label(process: Process, role_id: str, utilisation: Mapping[str, float] | None, lang: str) -> str:
    line = _esc(_staff_text(process, role_id, lang)) + _utilisation_text(role_id, utilisation, lang)
    return f"<<FONT POINT-SIZE=\"9.5\" COLOR=\"{style.MUTED}\">{line}</FONT>>"


def _lane_fill(number: int, roles: tuple[str, ...], utilisation: Mapping[str, float] | None) -> str:
    """Alternating greys; with utilisation, the colour of the busiest role drawn in the lane."""
    known = [utilisation[role] for role in roles if utilisation and role in utilisation]
    if known:
        return style.UTILISATION_FILLS[style.utilisation_class(max(known))]
    return style.LANE_FILLS[number % 2]


def _role_fill(role_id: str, utilisation: Mapping[str, float] | None) -> str:
    if utilisation and role_id in utilisation:
        return style.UTILISATION_FILLS[style.utilisation_class(utilisation[role_id])]
    return style.ROLE_FILL


# --- edges ----------------------------------------------------------------------------------------------


def _add_start_edges(canvas: graphviz.Digraph, process: Process, prefix: str, lang: str) -> None:
    by_entry: dict[str, list[str]] = {}
    for arrival in process.arrivals:
        entry = arrival.start or process.start_step
        by_entry.setdefault(entry, []).append(
            f"{channel_name(arrival.channel, lang)} {format_rate(arrival.rate_value(), lang)}"
        )
    for entry, channels in by_entry.items():
        if entry in process.step_ids:
            canvas.edge(prefix + START, prefix + entry, label=graphviz.nohtml("\n".join(channels)), weight="5")


def _add_edges(
    canvas: graphviz.Digraph,
    graph: nx.DiGraph[str],
    lanes: LanePlan,
    prefix: str,
    lang: str,
    symbols: set[str],
    direction: str,
) -> None:
    for source, target, data in graph.edges(data=True):
        attrs = _edge_attrs(graph, lanes, source, target, data, lang, symbols, direction)
        canvas.edge(prefix + source, prefix + target, **attrs)


def _edge_attrs(
    graph: nx.DiGraph[str],
    lanes: LanePlan,
    source: str,
    target: str,
    data: dict[str, object],
    lang: str,
    symbols: set[str],
    direction: str,
) -> dict[str, str]:
    kind = data.get("kind")
    known = data.get("probability")  # None for a branch taken by a condition
    probability = float(known) if isinstance(known, (int, float)) else None
    if kind == "reject":
        symbols.add("rework")
        label = f"{text('rework', lang)} {format_percent(probability or 0.0)}"
        attrs: dict[str, str] = {
            "style": "dashed",
            "color": style.REWORK_ORANGE,
            "fontcolor": style.REWORK_ORANGE,
            "label": graphviz.nohtml(label),
            "constraint": "false",
        }
        if direction == "TB":
            # Downwards, a loop back to a step straight above would be drawn through the steps between:
            # leave and enter on the right. (Left to right, the router already arcs around them, and
            # ports there send long loops far above the picture.)
            attrs.update(tailport="e", headport="e")
        return attrs
    attrs = {}
    if kind == "branch":
        when = data.get("when")
        if when == "otherwise":
            attrs["label"] = graphviz.nohtml(text("otherwise", lang))
        elif when:
            attrs["label"] = graphviz.nohtml("\n".join(wrap(format_condition(str(when)), 22, max_lines=3)))
        elif probability is not None:
            attrs["label"] = graphviz.nohtml(format_percent(probability))
    handoff = _handoff_style(graph, lanes, source, target)
    if handoff == "paper":
        symbols.add("handoff_paper")
        attrs.update(color=style.PAPER_HANDOFF_RED, style="dashed", penwidth="2.5")
    elif handoff == "digital":
        symbols.add("handoff_digital")
        attrs.update(color=style.DIGITAL_HANDOFF_BLUE, penwidth="2")
    else:
        source_lane = lanes.step_lane.get(source)
        same_lane = source_lane is not None and source_lane == lanes.step_lane.get(target)
        attrs["weight"] = "4" if same_lane else "1"
    return attrs


def _handoff_style(graph: nx.DiGraph[str], lanes: LanePlan, source: str, target: str) -> str | None:
    """``"paper"`` or ``"digital"`` for an edge that carries the case between departments, else ``None``.

    Edges into and out of a handoff step take the handoff's mode; a direct edge between two departments
    is an implicit handoff, on paper when the step it leaves is a paper step.
    """
    for node in (source, target):
        step = graph.nodes[node]["step"]
        if isinstance(step, Handoff):
            return "digital" if step.mode == "electronic" else "paper"
    source_department = lanes.department_of(source)
    target_department = lanes.department_of(target)
    if source_department is None or target_department is None or source_department == target_department:
        return None
    medium = getattr(graph.nodes[source]["step"], "medium", None) or getattr(graph.nodes[target]["step"], "medium", None)
    return "paper" if medium == "paper" else "digital"


# --- overlays -------------------------------------------------------------------------------------------


def _mark_findings(process: Process, findings: list[Finding], marks: dict[str, Marks],
                   lang: str) -> list[LegendFinding]:
    """Number the findings, badge and outline their steps; return the legend rows."""
    known = set(process.step_ids)
    rows: list[LegendFinding] = []
    for number, finding in enumerate(findings, start=1):
        label = str(number)
        colour = style.SEVERITY_COLOURS.get(finding.severity, style.MUTED)
        rank = style.SEVERITY_ORDER.get(finding.severity, 9)
        for step_id in dict.fromkeys(finding.steps):
            if step_id not in known:
                continue
            mark = marks.setdefault(step_id, Marks())
            mark.badges.append((label, colour))
            if rank < mark.outline_rank:
                mark.outline, mark.outline_rank = colour, rank
        names = tuple(process.step(s).label for s in dict.fromkeys(finding.steps) if s in known)
        rows.append(
            LegendFinding(
                label, finding.rule, finding.name, finding.severity, finding.message, finding.suggestion, names,
                change_line(finding.suggestion, process, lang) if finding.suggestion else "",
            )
        )
    return rows


def _mark_waits(process: Process, waits: Mapping[str, float], marks: dict[str, Marks], lang: str) -> None:
    for step in process.steps:
        if step.id not in waits or isinstance(step, (End, Parallel, Join, Decision)):
            continue
        minutes = float(waits[step.id])
        level = style.wait_class(minutes)
        mark = marks.setdefault(step.id, Marks())
        mark.fill = style.WAIT_FILLS[level]
        mark.ink = style.WAIT_INKS[level]
        mark.notes.append(f"{text('wait', lang)} {format_minutes(minutes, lang)}")


def _esc(value: str) -> str:
    return escape(value, quote=True)
