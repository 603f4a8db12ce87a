"""A BPMN document read into a plain flow graph: nodes, sequence flows, lanes; call activities inlined.

This is the first half of the import (:mod:`bpr.interchange.bpmn_read` is the second): it knows BPMN's
XML, not bpr's steps. One process of the file is read (the one asked for, else the one with the most flow
nodes; the others are listed as not imported). Embedded sub-processes, and call activities whose called
process is in the same file, are replaced by their content (ids prefixed with the activity's id and
``__``); the content's start event continues the flow that entered the activity, its end events continue
with the flows that left it. Every element met is either used or listed in :attr:`FlowGraph.skipped`
with the reason, so that nothing is dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpr.interchange.bpmn_names import BPMN, BPR, EVENT_TAGS, TASK_TAGS, local, q

__all__ = ["FlowGraph", "GraphFlow", "GraphLane", "GraphNode", "Skipped", "read_graph"]

MAX_NESTING = 20
"""Deepest nesting of sub-processes and call activities inlined (a call cycle stops here, with a note)."""

EVENT_DEFINITIONS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                     "conditionalEventDefinition", "errorEventDefinition", "escalationEventDefinition",
                     "compensateEventDefinition", "linkEventDefinition", "terminateEventDefinition",
                     "cancelEventDefinition")

_NOT_FLOW = {"documentation", "extensionElements", "laneSet", "sequenceFlow", "incoming", "outgoing",
             "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "auditing", "monitoring",
             "supportedInterfaceRef", "ioSpecification", "ioBinding"}
"""Children of a process or sub-process read elsewhere, or that belong to the container itself."""

# Children of a process that carry no flow and that bpr has no use for: listed, never an error.
_DOCUMENTATION_ONLY = {"textAnnotation", "association", "group", "category", "dataObject", "dataObjectReference",
                       "dataStoreReference", "dataInputAssociation", "dataOutputAssociation", "property"}


@dataclass
class GraphNode:
    id: str
    kind: str  # task | catch | throw | start | end | xor | and | or | event_gateway | complex | pass | boundary
    tag: str
    name: str
    line: int | None
    element: Any
    lane: str | None = None  # id of the leaf lane
    bpr_type: str | None = None
    definition: str | None = None  # the event definition of an event (timerEventDefinition…)
    default: str | None = None  # default flow id of a gateway or activity
    order: int = 0


@dataclass
class GraphFlow:
    id: str
    source: str
    target: str
    name: str
    line: int | None
    condition: str | None = None
    probability: float | None = None
    probability_text: str | None = None  # a bpr:probability that is not a number


@dataclass
class GraphLane:
    id: str
    name: str
    line: int | None
    element: Any
    parent: str | None  # id of the enclosing lane
    leaf: bool


@dataclass(frozen=True)
class Skipped:
    element: str
    tag: str
    line: int | None
    reason: str


@dataclass
class FlowGraph:
    process_id: str
    process_name: str
    process_element: Any
    pool_name: str
    line: int | None
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    flows: list[GraphFlow] = field(default_factory=list)
    lanes: dict[str, GraphLane] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    by_bpr: bool = False  # written by bpr (its extension namespace is used)


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _event_definition(element: Any) -> str | None:
    for child in element:
        name = local(child.tag)
        if name in EVENT_DEFINITIONS or name.endswith("EventDefinition"):
            return name
    if element.find(q(BPMN, "eventDefinitionRef")) is not None:
        return "eventDefinitionRef"
    return None


def _kind(tag: str, element: Any) -> str | None:
    if tag in TASK_TAGS:
        return "task"
    if tag == "exclusiveGateway":
        return "xor"
    if tag == "parallelGateway":
        return "and"
    if tag == "inclusiveGateway":
        return "or"
    if tag == "eventBasedGateway":
        return "event_gateway"
    if tag == "complexGateway":
        return "complex"
    if tag == "startEvent":
        return "start"
    if tag == "endEvent":
        return "end"
    if tag == "intermediateCatchEvent":
        return "catch"
    if tag == "intermediateThrowEvent":
        return "throw"
    if tag == "boundaryEvent":
        return "boundary"
    return None


def read_graph(root: Any, process_id: str | None = None) -> FlowGraph:
    """The flow graph of one process of the BPMN document ``root`` (module docstring).

    Raises ``LookupError`` (message for the user) when the document has no process or not the one asked for.
    """
    processes = {p.get("id"): p for p in root.iter(q(BPMN, "process"))}
    participants = {p.get("processRef"): p.get("name") or "" for p in root.iter(q(BPMN, "participant"))}
    if not processes:
        raise LookupError("the file holds no <bpmn:process>")
    if process_id is not None:
        if process_id not in processes:
            raise LookupError(f"no process {process_id!r} in the file; it has {', '.join(map(str, processes))}")
        chosen = processes[process_id]
    else:
        called = {c.get("calledElement") for c in root.iter(q(BPMN, "callActivity"))}

        def size(item: tuple[str, Any]) -> tuple[int, int, int]:
            pid, element = item
            flow_nodes = sum(1 for child in element if _kind(local(child.tag), child) or local(child.tag) in
                             ("subProcess", "callActivity"))
            return (pid not in called, flow_nodes, -list(processes).index(pid))

        chosen = max(processes.items(), key=size)[1]
    pid = chosen.get("id") or "process"
    graph = FlowGraph(pid, chosen.get("name") or participants.get(pid) or "", chosen, participants.get(pid) or "",
                      chosen.sourceline, by_bpr=root.get("exporter") == "bpr" or _uses_bpr(chosen))
    for other_id, other in processes.items():
        if other is not chosen and other_id not in {c.get("calledElement") for c in root.iter(q(BPMN, "callActivity"))}:
            graph.skipped.append(Skipped(str(other_id), "process", other.sourceline,
                                         "another process (pool) of the file; import it with --process"))
    _read_lanes(chosen, graph, parent=None)
    _read_container(chosen, graph, processes, prefix="", lane=None, depth=0, stack=(pid,))
    return graph


def _uses_bpr(element: Any) -> bool:
    return any(child.tag == q(BPR, "field") for child in element.iter())


def _read_lanes(container: Any, graph: FlowGraph, parent: str | None) -> None:
    for lane_set in container.findall(q(BPMN, "laneSet")) + container.findall(q(BPMN, "childLaneSet")):
        for lane in lane_set.findall(q(BPMN, "lane")):
            children = lane.find(q(BPMN, "childLaneSet"))
            leaf = children is None or children.find(q(BPMN, "lane")) is None
            lane_id = lane.get("id") or f"lane{len(graph.lanes) + 1}"
            graph.lanes[lane_id] = GraphLane(lane_id, lane.get("name") or "", lane.sourceline, lane, parent, leaf)
            if not leaf:
                _read_lanes(lane, graph, lane_id)


def _lane_of(graph: FlowGraph) -> dict[str, str]:
    """Flow node id -> its innermost lane."""
    out: dict[str, str] = {}
    for lane in graph.lanes.values():
        for ref in lane.element.findall(q(BPMN, "flowNodeRef")):
            node_id = _text(ref)
            if lane.leaf or node_id not in out:
                out[node_id] = lane.id
    return out


def _read_container(container: Any, graph: FlowGraph, processes: dict[Any, Any], prefix: str,
                    lane: str | None, depth: int, stack: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Read the flow elements of a process or sub-process; the ids of its start and end events."""
    lanes = _lane_of(graph) if not prefix else {}
    starts: list[str] = []
    ends: list[str] = []
    for child in container:
        tag = local(child.tag)
        if not tag or not child.tag.startswith(f"{{{BPMN}}}"):
            continue  # comments, and elements of other namespaces (a tool's own extensions)
        raw_id = child.get("id") or f"{tag}{child.sourceline}"
        node_id = prefix + raw_id
        if tag in _NOT_FLOW:
            continue
        for marker in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
            if child.find(q(BPMN, marker)) is not None:
                graph.skipped.append(Skipped(node_id, tag, child.sourceline, f"{marker}: done once per case in bpr "
                                             "(repeat it as steps, or raise its duration)"))
        kind = _kind(tag, child)
        if tag == "subProcess" and child.get("triggeredByEvent") == "true":
            graph.skipped.append(Skipped(node_id, tag, child.sourceline, "event sub-process (started by an event "
                                         "during the case): bpr has no equivalent; its content is not imported"))
            continue
        if tag in ("subProcess", "callActivity", "transaction", "adHocSubProcess"):
            inner, target_name = _called(child, processes, tag)
            if inner is None or depth >= MAX_NESTING or (tag == "callActivity" and target_name in stack):
                reason = ("its called process is not in this file" if inner is None else
                          "it calls itself (directly or through others)" if target_name in stack else
                          f"sub-processes are nested deeper than {MAX_NESTING}")
                graph.skipped.append(Skipped(node_id, tag, child.sourceline, f"taken as one task: {reason}"))
                kind = "task"
            else:
                if tag in ("transaction", "adHocSubProcess"):
                    graph.skipped.append(Skipped(node_id, tag, child.sourceline,
                                                 f"its content is read as an ordinary sub-process ({tag} "
                                                 "semantics are not kept)"))
                own_lane = lanes.get(raw_id, lane)
                graph.nodes[node_id] = GraphNode(node_id, "pass", tag, child.get("name") or "", child.sourceline,
                                                 child, own_lane, order=len(graph.nodes))
                exit_id = node_id + "__exit"
                graph.nodes[exit_id] = GraphNode(exit_id, "pass", tag, "", child.sourceline, child, own_lane,
                                                 order=len(graph.nodes))
                inner_lane = None if tag == "callActivity" else own_lane
                inner_prefix = f"{node_id}__"
                if tag == "callActivity":
                    _read_lanes(inner, graph, parent=None)
                inner_starts, inner_ends = _read_container(inner, graph, processes, inner_prefix, inner_lane,
                                                           depth + 1, stack + (str(target_name),))
                if tag == "callActivity":
                    inner_lanes = _lane_of(graph)
                    for raw in list(inner_lanes):
                        if inner_prefix + raw in graph.nodes and graph.nodes[inner_prefix + raw].lane is None:
                            graph.nodes[inner_prefix + raw].lane = inner_lanes[raw]
                for start in inner_starts[:1]:
                    graph.nodes[start].kind = "pass"
                    graph.flows.append(GraphFlow(f"{node_id}__enter", node_id, start, "", child.sourceline))
                for start in inner_starts[1:]:
                    graph.skipped.append(Skipped(start, "startEvent", graph.nodes[start].line,
                                                 "a second start event inside a sub-process is not followed"))
                    graph.nodes[start].kind = "pass"
                for end in inner_ends:
                    graph.nodes[end].kind = "pass"
                    graph.flows.append(GraphFlow(f"{end}__leave", end, exit_id, "", graph.nodes[end].line))
                continue
        if kind is None:
            reason = ("documentation only: no effect on the flow" if tag in _DOCUMENTATION_ONLY
                      else "bpr has no equivalent")
            graph.skipped.append(Skipped(node_id, tag, child.sourceline, reason))
            continue
        node = GraphNode(node_id, kind, tag, child.get("name") or "", child.sourceline, child,
                         lanes.get(raw_id, lane), child.get(q(BPR, "type")),
                         _event_definition(child) if tag in EVENT_TAGS else None,
                         (prefix + child.get("default")) if child.get("default") else None, len(graph.nodes))
        graph.nodes[node_id] = node
        if kind == "start":
            starts.append(node_id)
        elif kind == "end":
            ends.append(node_id)
    for flow in container.findall(q(BPMN, "sequenceFlow")):
        condition = flow.find(q(BPMN, "conditionExpression"))
        probability_text = flow.get(q(BPR, "probability"))
        probability = None
        if probability_text is not None:
            try:
                probability = float(probability_text)
            except ValueError:
                probability = None
        source = prefix + (flow.get("sourceRef") or "")
        if source in graph.nodes and graph.nodes[source].kind == "pass" and source + "__exit" in graph.nodes:
            source += "__exit"
        graph.flows.append(GraphFlow(prefix + (flow.get("id") or f"flow{flow.sourceline}"), source,
                                     prefix + (flow.get("targetRef") or ""), flow.get("name") or "",
                                     flow.sourceline, _text(condition) if condition is not None else None,
                                     probability,
                                     probability_text if probability is None and probability_text else None))
    return starts, ends


def _called(element: Any, processes: dict[Any, Any], tag: str) -> tuple[Any, str | None]:
    if tag == "callActivity":
        name = element.get("calledElement")
        return processes.get(name), name
    return element, None

