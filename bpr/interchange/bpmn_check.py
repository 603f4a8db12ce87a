"""Is a BPMN document well made? The BPMN 2.0 XML schema where it can be had, and a structural check always.

**Schema.** The OMG's XSD files (``BPMN20.xsd`` with ``Semantic.xsd``, ``BPMNDI.xsd``, ``DI.xsd``,
``DC.xsd``) are not part of bpr; :func:`schema_folder` finds them in an installed package that ships them
(SpiffWorkflow does, under ``SpiffWorkflow/bpmn/parser/schema``), or in a folder given by the caller.

**Structure** (:func:`structural_problems`), what a modeller needs to draw and a tool to read a model,
checked without any schema:

- the root is ``bpmn:definitions``; every ``id`` is unique; every reference (``processRef``,
  ``sourceRef``, ``targetRef``, ``default``, ``flowNodeRef``, ``bpmnElement``, ``incoming``/``outgoing``)
  names an element that exists, of the right kind;
- every flow node's ``incoming``/``outgoing`` lists are exactly the sequence flows that end/start there;
  a gateway's ``default`` is one of its outgoing flows;
- a start event has no incoming flow, an end event no outgoing one;
- every flow node, lane and pool has a shape with bounds, and every sequence flow an edge of at least two
  waypoints (so that a modeller opens the file as a picture);
- each flow node is in exactly one innermost lane, when the process has lanes.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

from bpr.interchange.bpmn_names import BPMN, BPMNDI, DC, DI, EVENT_TAGS, GATEWAY_TAGS, TASK_TAGS, local, q

__all__ = ["schema_folder", "schema_problems", "structural_problems"]

FLOW_NODE_TAGS = (*TASK_TAGS, *GATEWAY_TAGS, *EVENT_TAGS, "subProcess", "callActivity")
_SCHEMA_PACKAGES = (("SpiffWorkflow", ("bpmn", "parser", "schema")),)


def schema_folder(folder: str | Path | None = None) -> Path | None:
    """The folder holding ``BPMN20.xsd``: ``folder`` if given (and it holds it), else one found in an
    installed package; ``None`` when there is none."""
    if folder is not None:
        path = Path(folder)
        return path if (path / "BPMN20.xsd").is_file() else None
    for package, parts in _SCHEMA_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            candidate = Path(root).joinpath(*parts)
            if (candidate / "BPMN20.xsd").is_file():
                return candidate
    return None


def schema_problems(text: str | bytes, folder: str | Path | None = None) -> list[str] | None:
    """The schema's complaints about the document (``[]`` when valid), or ``None`` when no schema is at hand."""
    where = schema_folder(folder)
    if where is None:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema = etree.XMLSchema(etree.parse(str(where / "BPMN20.xsd"), parser))
    document = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, parser)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def structural_problems(text: str | bytes) -> list[str]:
    """What keeps the document from being a complete, drawable BPMN model (module docstring); ``[]`` if none."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, parser)
    problems: list[str] = []
    if root.tag != q(BPMN, "definitions"):
        return [f"the root element is {root.tag!r}, not bpmn:definitions"]
    ids = Counter(element.get("id") for element in root.iter() if element.get("id"))
    problems += [f"id {name!r} is used {count} times" for name, count in ids.items() if count > 1]
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}

    def kind(ref: str | None) -> str:
        element = by_id.get(ref)
        return local(element.tag) if element is not None else ""

    for participant in root.iter(q(BPMN, "participant")):
        if participant.get("processRef") and kind(participant.get("processRef")) != "process":
            problems.append(f"participant {participant.get('id')!r}: processRef names no process")
    for process in root.iter(q(BPMN, "process")):
        problems += _process_problems(process)
    problems += _diagram_problems(root, by_id)
    return problems


def _process_problems(process: Any) -> list[str]:
    problems: list[str] = []
    nodes = {child.get("id"): child for child in process if local(child.tag) in FLOW_NODE_TAGS}
    flows = [child for child in process if local(child.tag) == "sequenceFlow"]
    into: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    out: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        for end, name in ((source, "sourceRef"), (target, "targetRef")):
            if end not in nodes:
                problems.append(f"sequence flow {flow.get('id')!r}: {name} {end!r} is no flow node of its process")
        if source in out:
            out[source].append(flow.get("id"))
        if target in into:
            into[target].append(flow.get("id"))
    for node_id, node in nodes.items():
        listed_in = [(ref.text or "").strip() for ref in node.findall(q(BPMN, "incoming"))]
        listed_out = [(ref.text or "").strip() for ref in node.findall(q(BPMN, "outgoing"))]
        if sorted(listed_in) != sorted(into[node_id]):
            problems.append(f"{local(node.tag)} {node_id!r}: incoming {listed_in} but flows end there: {into[node_id]}")
        if sorted(listed_out) != sorted(out[node_id]):
            problems.append(f"{local(node.tag)} {node_id!r}: outgoing {listed_out} but flows leave: {out[node_id]}")
        if local(node.tag) == "startEvent" and into[node_id]:
            problems.append(f"start event {node_id!r} has incoming flows")
        if local(node.tag) == "endEvent" and out[node_id]:
            problems.append(f"end event {node_id!r} has outgoing flows")
        default = node.get("default")
        if default and default not in out[node_id]:
            problems.append(f"{local(node.tag)} {node_id!r}: default flow {default!r} does not leave it")
    leaves = [lane for lane in process.iter(q(BPMN, "lane"))
              if lane.find(f"{q(BPMN, 'childLaneSet')}/{q(BPMN, 'lane')}") is None]
    if leaves:
        count = Counter((ref.text or "").strip() for lane in leaves for ref in lane.findall(q(BPMN, "flowNodeRef")))
        for node_id in nodes:
            if count[node_id] != 1:
                problems.append(f"flow node {node_id!r} is in {count[node_id]} innermost lanes, not 1")
        problems += [f"a lane names {ref!r}, which is no flow node of the process" for ref in count if ref not in nodes]
    return problems


def _diagram_problems(root: Any, by_id: dict[Any, Any]) -> list[str]:
    problems: list[str] = []
    drawn: dict[str, Any] = {}
    for diagram_element in root.iter(q(BPMNDI, "BPMNShape"), q(BPMNDI, "BPMNEdge")):
        ref = diagram_element.get("bpmnElement")
        if ref not in by_id:
            problems.append(f"{local(diagram_element.tag)} {diagram_element.get('id')!r} draws {ref!r}, which does "
                            "not exist")
            continue
        drawn[ref] = diagram_element
    for element_id, element in by_id.items():
        name = local(element.tag)
        if name in FLOW_NODE_TAGS or name in ("lane", "participant"):
            shape = drawn.get(element_id)
            bounds = shape.find(q(DC, "Bounds")) if shape is not None else None
            if bounds is None or any(bounds.get(key) is None for key in ("x", "y", "width", "height")):
                problems.append(f"{name} {element_id!r} has no shape with bounds in the diagram")
        elif name == "sequenceFlow":
            edge = drawn.get(element_id)
            if edge is None or len(edge.findall(q(DI, "waypoint"))) < 2:
                problems.append(f"sequence flow {element_id!r} has no edge of two or more waypoints in the diagram")
    return problems
