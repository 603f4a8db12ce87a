"""A process as BPMN 2.0 XML with diagram interchange, for bpmn.io, Camunda Modeler and other tools.

**Steps become BPMN elements** (:func:`flow_graph`):

=============  ==================================================================================
bpr step       BPMN
=============  ==================================================================================
task           ``userTask`` (``manualTask`` when ``medium: paper``)
approval       ``userTask`` with ``bpr:type="approval"``; one that can reject is followed by an
               exclusive gateway ``<id>-outcome`` whose default flow is the approval's ``next`` and
               whose other flow, with ``bpr:probability``, goes to ``reject.to``
handoff, wait  ``intermediateCatchEvent`` with a ``timerEventDefinition`` (``timeDuration``: the mean
               duration in ISO 8601) and ``bpr:type``
decision       ``exclusiveGateway``: a ``when`` branch is a ``conditionExpression``, ``otherwise`` the
               gateway's ``default`` flow, a probability the flow's ``bpr:probability``
parallel/join  ``parallelGateway`` (diverging / converging)
end            ``endEvent``
=============  ==================================================================================

Each distinct first step of the arrival streams gets a ``startEvent`` named after its channels. Roles are
lanes (``bpr:role``), inside a lane per department when roles have one; the pool is the process. What
BPMN cannot hold (durations, staff, stamps, checks, authority, calendars, arrivals…) is written as
``<bpr:field name="…">JSON</bpr:field>`` in the element's ``extensionElements`` (fields at their default
are left out), so that :func:`bpr.interchange.bpmn_read.read_bpmn` gives back the same process.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bpr.interchange.bpmn_layout import LayoutLane, LayoutNode, layout
from bpr.interchange.bpmn_names import BPMN, BPMNDI, BPR, DC, DI, NSMAP, XSI, q
from bpr.model.schema import Approval, Decision, End, Handoff, Join, Parallel, Process, Role, Step, Task, Wait

__all__ = ["BpmnFlow", "BpmnGraph", "BpmnNode", "flow_graph", "iso_duration", "write_bpmn"]

STRUCTURAL = {"id", "name", "type", "description", "role", "next", "join", "reject"}
"""Step fields that the BPMN structure itself holds (the rest goes to extension fields)."""

PROCESS_FIELDS = ("id", "version", "calendar", "calendars", "attributes", "arrivals", "start", "deadline")
"""Process fields written as extension fields of the ``bpmn:process`` (name and description are BPMN's own)."""


@dataclass
class BpmnNode:
    id: str
    tag: str  # BPMN element name: userTask, exclusiveGateway…
    name: str
    size: str  # task | gateway | event (bpmn_layout.SIZES)
    lane: str | None = None  # role id
    bpr_type: str | None = None  # bpr:type attribute
    fields: dict[str, Any] = field(default_factory=dict)
    documentation: str = ""
    timer: str | None = None  # ISO 8601 duration of a timer event
    default: str | None = None  # id of the default flow of a gateway
    join: str | None = None  # the join of a parallel split (bpr:join)
    step: str | None = None  # the bpr step it stands for (an approval's outcome gateway: the approval)


@dataclass
class BpmnFlow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None  # a bpr condition (``when``)
    probability: float | None = None
    otherwise: bool = False


@dataclass
class BpmnGraph:
    nodes: list[BpmnNode]
    flows: list[BpmnFlow]


def iso_duration(minutes: float) -> str:
    """Minutes as an ISO 8601 duration: 90 -> ``PT1H30M``, 2880 -> ``P2D``, 0.5 -> ``PT30S``."""
    seconds = round(minutes * 60, 3)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    text = "P" + (f"{int(days)}D" if days else "")
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(mins)}M" if mins else "")
    if secs:
        clock += f"{secs:g}S" if secs != int(secs) else f"{int(secs)}S"
    if clock or not days:
        text += "T" + (clock or "0S")
    return text


def _fields(model: Any, exclude: set[str]) -> dict[str, Any]:
    """The fields of ``model`` in file form, but those at their default; values below the top are whole
    (a distribution keeps its ``dist:`` even where it is the default of its class)."""
    data = model.model_dump(mode="json", by_alias=True)
    out = {}
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        if name in exclude or key not in data:
            continue
        if info.default_factory is None and not info.is_required() and getattr(model, name) == info.default:
            continue
        out[key] = data[key]
    return out


def _percent(p: float) -> str:
    return f"{p * 100:.4g}%"


def flow_graph(process: Process, *, task_tag: str | None = None) -> BpmnGraph:
    """The BPMN flow nodes and sequence flows of ``process`` (module docstring), lanes assigned.

    ``task_tag`` writes every task and approval as that element (Prosimos reads only ``task``).
    """
    nodes: list[BpmnNode] = []
    flows: list[BpmnFlow] = []

    def flow(source: str, target: str, **more: Any) -> BpmnFlow:
        item = BpmnFlow(f"flow-{len(flows) + 1}", source, target, **more)
        flows.append(item)
        return item

    entries: dict[str, list[str]] = {process.start_step: []}
    for arrival in process.arrivals:
        entries.setdefault(arrival.start or process.start_step, []).append(arrival.channel)
    for number, (entry, channels) in enumerate(entries.items(), start=1):
        nodes.append(BpmnNode(f"start-{number}", "startEvent", " / ".join(dict.fromkeys(channels)), "event"))
        flow(f"start-{number}", entry)

    for step in process.steps:
        nodes.extend(_step_nodes(step, flow, task_tag))
    _assign_lanes(process, nodes, flows)
    return BpmnGraph(nodes, flows)


def _step_nodes(step: Step, flow: Any, task_tag: str | None) -> list[BpmnNode]:
    fields = _fields(step, STRUCTURAL)
    if not step.name:
        fields["name"] = ""  # the BPMN name shows the id; the file had none
    node = BpmnNode(step.id, "", step.label, "task", documentation=step.description, fields=fields,
                    bpr_type=step.type, step=step.id)
    out = [node]
    if isinstance(step, Task):
        node.tag = task_tag or ("manualTask" if step.medium == "paper" else "userTask")
        node.lane = step.role
        flow(step.id, step.next)
    elif isinstance(step, Approval):
        node.tag = task_tag or "userTask"
        node.lane = step.role
        if step.reject is None:
            flow(step.id, step.next)
        else:
            gateway = BpmnNode(f"{step.id}-outcome", "exclusiveGateway", "承認？", "gateway", bpr_type="outcome",
                               step=step.id)
            out.append(gateway)
            flow(step.id, gateway.id)
            passed = flow(gateway.id, step.next, name="承認", probability=1 - step.reject.probability,
                          otherwise=True)
            gateway.default = passed.id
            flow(gateway.id, step.reject.to, name=f"差戻し {_percent(step.reject.probability)}",
                 probability=step.reject.probability)
    elif isinstance(step, (Handoff, Wait)):
        node.tag, node.size = "intermediateCatchEvent", "event"
        node.timer = iso_duration(step.delay.mean if isinstance(step, Handoff) else step.duration.mean)
        flow(step.id, step.next)
    elif isinstance(step, Decision):
        node.tag, node.size = "exclusiveGateway", "gateway"
        for branch in step.next:
            if branch.otherwise:
                node.default = flow(step.id, branch.to, name="otherwise", otherwise=True).id
            elif branch.when is not None:
                flow(step.id, branch.to, name=branch.when, condition=branch.when)
            else:
                flow(step.id, branch.to, name=_percent(branch.probability or 0.0), probability=branch.probability)
    elif isinstance(step, Parallel):
        node.tag, node.size, node.join = "parallelGateway", "gateway", step.join
        for target in step.next:
            flow(step.id, target)
    elif isinstance(step, Join):
        node.tag, node.size = "parallelGateway", "gateway"
        flow(step.id, step.next)
    elif isinstance(step, End):
        node.tag, node.size = "endEvent", "event"
    return out


def _assign_lanes(process: Process, nodes: list[BpmnNode], flows: list[BpmnFlow]) -> None:
    """Nodes without a role go in the lane of the work before them (else after them, else the first)."""
    by_id = {node.id: node for node in nodes}
    successors: dict[str, list[str]] = {node.id: [] for node in nodes}
    predecessors: dict[str, list[str]] = {node.id: [] for node in nodes}
    for item in flows:
        successors[item.source].append(item.target)
        predecessors[item.target].append(item.source)
    queue = deque(node.id for node in nodes if node.lane)
    while queue:  # forward from every work step
        current = queue.popleft()
        for target in successors[current]:
            if by_id[target].lane is None:
                by_id[target].lane = by_id[current].lane
                queue.append(target)
    queue = deque(node.id for node in nodes if node.lane)
    while queue:  # then backward, for starts and what comes before the first work
        current = queue.popleft()
        for source in predecessors[current]:
            if by_id[source].lane is None:
                by_id[source].lane = by_id[current].lane
                queue.append(source)
    first = next(iter(process.roles))
    for node in nodes:
        node.lane = node.lane or first


# --- XML -------------------------------------------------------------------------------------------


def _el(parent: Any, ns: str, tag: str, **attributes: Any) -> Any:
    element = etree.SubElement(parent, q(ns, tag))
    for key, value in attributes.items():
        if value is not None:
            element.set(key, str(value))
    return element


def _extension(parent: Any, fields: dict[str, Any]) -> None:
    if not fields:
        return
    holder = _el(parent, BPMN, "extensionElements")
    for key, value in fields.items():
        _el(holder, BPR, "field", name=key).text = json.dumps(value, ensure_ascii=False, sort_keys=False)


def _documentation(parent: Any, text: str) -> None:
    if text:
        _el(parent, BPMN, "documentation").text = text


def _lanes(process: Process) -> tuple[list[tuple[str, str, list[str]]], dict[str, str]]:
    """Departments in order of first appearance: (lane id, name, role ids); ``""`` is "no department"."""
    departments: dict[str, list[str]] = {}
    for role_id, role in process.roles.items():
        departments.setdefault(role.department, []).append(role_id)
    out = []
    for number, (name, roles) in enumerate(departments.items(), start=1):
        out.append((f"dept-{number}", name, roles))
    return out, {role_id: f"lane-{role_id}" for role_id in process.roles}


def _role_fields(role: Role) -> dict[str, Any]:
    fields = _fields(role, {"name", "department"})
    if not role.name:
        fields["name"] = ""
    if not role.department:
        fields["department"] = ""
    return fields


def write_bpmn(process: Process, *, graph: BpmnGraph | None = None, exporter_version: str = "") -> str:
    """BPMN 2.0 XML (UTF-8 text) of ``process``: collaboration, process with lanes, flows, diagram."""
    graph = graph or flow_graph(process)
    step_ids = set(process.step_ids)
    process_id = process.id if process.id not in step_ids else f"process-{process.id}"
    root = etree.Element(q(BPMN, "definitions"), nsmap=NSMAP)
    root.set("id", f"definitions-{process.id}")
    root.set("targetNamespace", f"urn:bpr:process:{process.id}")
    root.set("exporter", "bpr")
    if exporter_version:
        root.set("exporterVersion", exporter_version)
    collaboration = _el(root, BPMN, "collaboration", id=f"collaboration-{process.id}")
    _el(collaboration, BPMN, "participant", id=f"pool-{process.id}", name=process.name, processRef=process_id)
    element = _el(root, BPMN, "process", id=process_id, name=process.name, isExecutable="false")
    _documentation(element, process.description)
    data = _fields(process, set())
    fields = {key: data[key] for key in PROCESS_FIELDS if key in data}
    fields["id"] = process.id
    _extension(element, fields)

    departments, lane_of_role = _lanes(process)
    nested = any(name for _, name, _ in departments)
    members: dict[str, list[str]] = {role: [] for role in process.roles}
    for node in graph.nodes:
        members[node.lane or next(iter(process.roles))].append(node.id)
    lane_set = _el(element, BPMN, "laneSet", id=f"lanes-{process.id}")
    layout_lanes: list[LayoutLane] = []

    def role_lane(parent: Any, role_id: str, parent_id: str | None) -> None:
        role = process.roles[role_id]
        lane = _el(parent, BPMN, "lane", id=lane_of_role[role_id], name=role.name or role_id)
        lane.set(q(BPR, "role"), role_id)
        _extension(lane, _role_fields(role))
        for node_id in members[role_id]:
            _el(lane, BPMN, "flowNodeRef").text = node_id
        layout_lanes.append(LayoutLane(lane_of_role[role_id], parent_id))

    for dept_id, name, roles in departments:
        if nested and name:
            lane = _el(lane_set, BPMN, "lane", id=dept_id, name=name)
            for role_id in roles:
                for node_id in members[role_id]:
                    _el(lane, BPMN, "flowNodeRef").text = node_id
            layout_lanes.append(LayoutLane(dept_id))
            child_set = _el(lane, BPMN, "childLaneSet", id=f"{dept_id}-lanes")
            for role_id in roles:
                role_lane(child_set, role_id, dept_id)
        else:
            for role_id in roles:
                role_lane(lane_set, role_id, None)

    incoming: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    outgoing: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    for item in graph.flows:
        outgoing[item.source].append(item.id)
        incoming[item.target].append(item.id)
    for node in graph.nodes:
        shape = _el(element, BPMN, node.tag, id=node.id, name=node.name or None, default=node.default)
        if node.bpr_type and node.bpr_type not in ("task", "decision", "parallel", "join", "end"):
            shape.set(q(BPR, "type"), node.bpr_type)
        if node.join:
            shape.set(q(BPR, "join"), node.join)
        _documentation(shape, node.documentation)
        _extension(shape, node.fields)
        for flow_id in incoming[node.id]:
            _el(shape, BPMN, "incoming").text = flow_id
        for flow_id in outgoing[node.id]:
            _el(shape, BPMN, "outgoing").text = flow_id
        if node.timer:
            timer = _el(shape, BPMN, "timerEventDefinition", id=f"{node.id}-timer")
            duration = _el(timer, BPMN, "timeDuration")
            duration.set(q(XSI, "type"), "bpmn:tFormalExpression")
            duration.text = node.timer
    for item in graph.flows:
        sequence = _el(element, BPMN, "sequenceFlow", id=item.id, name=item.name or None, sourceRef=item.source,
                       targetRef=item.target)
        if item.probability is not None and not item.otherwise:  # an approval's pass is what rejection leaves
            sequence.set(q(BPR, "probability"), repr(float(item.probability)))
        if item.condition is not None:
            expression = _el(sequence, BPMN, "conditionExpression")
            expression.set(q(XSI, "type"), "bpmn:tFormalExpression")
            expression.text = item.condition

    _diagram(root, process, graph, layout_lanes, str(collaboration.get("id")), lane_of_role)
    text: str = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return text


def _diagram(root: Any, process: Process, graph: BpmnGraph, lanes: list[LayoutLane], collaboration_id: str,
             lane_of_role: dict[str, str]) -> None:
    nodes = [LayoutNode(node.id, lane_of_role[node.lane or next(iter(process.roles))], node.size)
             for node in graph.nodes]
    edges = [(item.id, item.source, item.target) for item in graph.flows]
    placed = layout(nodes, edges, lanes, start=[node.id for node in graph.nodes if node.tag == "startEvent"])
    diagram = _el(root, BPMNDI, "BPMNDiagram", id=f"diagram-{process.id}")
    plane = _el(diagram, BPMNDI, "BPMNPlane", id=f"plane-{process.id}", bpmnElement=collaboration_id)

    def bounds(parent: Any, box: Any) -> None:
        _el(parent, DC, "Bounds", x=_num(box.x), y=_num(box.y), width=_num(box.width), height=_num(box.height))

    pool = _el(plane, BPMNDI, "BPMNShape", id=f"pool-{process.id}-di", bpmnElement=f"pool-{process.id}",
               isHorizontal="true")
    bounds(pool, placed.pool)
    for lane_id, box in placed.lanes.items():
        shape = _el(plane, BPMNDI, "BPMNShape", id=f"{lane_id}-di", bpmnElement=lane_id, isHorizontal="true")
        bounds(shape, box)
    for node in graph.nodes:
        shape = _el(plane, BPMNDI, "BPMNShape", id=f"{node.id}-di", bpmnElement=node.id)
        if node.tag == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        bounds(shape, placed.shapes[node.id])
    for item in graph.flows:
        edge = _el(plane, BPMNDI, "BPMNEdge", id=f"{item.id}-di", bpmnElement=item.id)
        for x, y in placed.edges[item.id]:
            _el(edge, DI, "waypoint", x=_num(x), y=_num(y))


def _num(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"layout produced {value}")
    return f"{value:g}" if value == int(value) else f"{value:.1f}"
