"""BPMN 2.0 XML (bpmn.io, Camunda Modeler, Signavio, Bizagi… or bpr's own export) into a process file.

The file is read safely (:mod:`bpr.interchange.xmlsafe`), one process of it is read into a flow graph
(:mod:`bpr.interchange.bpmn_graph`), and the graph is mapped to bpr's steps:

==============================================  ===========================================================
BPMN                                            bpr
==============================================  ===========================================================
lane (innermost)                                a role; its department is the enclosing lane, else the pool
task, user/manual/service/send/receive/script/  ``task`` (``approval`` where bpr wrote one); a manual task
business-rule task                              is paper work
start event                                     an arrival stream starting at the step after it
end event                                       ``end``
exclusive gateway that splits                   ``decision``: conditions become ``when`` (JUEL/Python
                                                spellings such as ``${a > 1 && b == "x"}`` translated),
                                                the default flow ``otherwise``; without conditions the
                                                branches get equal probabilities (a marked default)
parallel gateway                                ``parallel`` (split) with its ``join``
intermediate timer catch event                  ``wait`` (its ``timeDuration``), or ``handoff`` where bpr
                                                wrote one; other catch events wait for a default time
embedded sub-process, call activity (called     their content, inlined
process in the file)
merging gateways, throw events                  nothing: the flow passes through
==============================================  ===========================================================

Whatever has no equivalent (boundary events, data objects, message flows, an inclusive gateway's "several
branches at once"…) is listed in :attr:`BpmnImport.notes` with its element id and line, never dropped in
silence; so are the values BPMN does not hold (durations, staff, arrival rates), which get defaults marked
for the analyst to fill in. Fields that bpr wrote in its extension namespace are taken back as they are,
so that ``read_bpmn(write_bpmn(p)).process == p``.
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

import yaml

from bpr.errors import Issue, ModelError
from bpr.interchange.bpmn_graph import FlowGraph, GraphFlow, GraphNode, read_graph
from bpr.interchange.bpmn_names import BPMN, BPR, bpr_id, local, q
from bpr.interchange.xmlsafe import XmlError, parse_xml, read_bytes
from bpr.model.conditions import ConditionError, parse_condition
from bpr.model.load import process_from_data, read_yaml
from bpr.model.refs import BUILTIN_ATTRIBUTES
from bpr.model.schema import Process

__all__ = ["BpmnImport", "BpmnImportError", "ImportNote", "read_bpmn", "translate_condition"]

DEFAULT_DURATION = "10m"
DEFAULT_WAIT = "1d"
DEFAULT_RATE = "1/day"
DEFAULT_REJECT = 0.1
DEFAULT_ROLE = "staff"

DEFAULT, APPROXIMATED, NOT_IMPORTED, RENAMED = "default", "approximated", "not imported", "renamed"


@dataclass(frozen=True)
class ImportNote:
    """Something the analyst should know about an import: a ``default`` to fill in, a construct
    ``approximated``, an element ``not imported``, an id ``renamed``."""

    kind: str
    element: str  # BPMN element id ("" for the file as a whole)
    line: int | None
    message: str
    path: str = ""  # the field of the process file it concerns

    def format(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        element = f" {self.element}:" if self.element else ""
        return f"{where}:{element} {self.kind}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "element": self.element, "line": self.line, "message": self.message,
                "path": self.path}


class BpmnImportError(ModelError):
    """The BPMN file cannot be read, or what it says does not make a valid process; ``notes`` says what was
    not understood on the way (often the reason)."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...], notes: tuple[ImportNote, ...] = ()) -> None:
        super().__init__(issues)
        self.notes = notes


@dataclass(frozen=True)
class BpmnImport:
    """A process read from BPMN, with the notes of what was defaulted, approximated or not imported."""

    process: Process
    data: dict[str, Any]
    notes: tuple[ImportNote, ...]
    source: str
    process_element: str = ""  # the id of the BPMN process read
    elements: tuple[tuple[str, str], ...] = ()  # (step id, id of the BPMN element it comes from), in step order

    def yaml(self) -> str:
        """The process file: YAML with a header listing the notes, and ``# default`` comments on the lines
        whose value is a default to fill in."""
        return draft_yaml(self.data, self.notes, self.source)


# --- conditions --------------------------------------------------------------------------------------

_WORDS = {"&&": " and ", "||": " or ", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
          "True": "true", "False": "false", "and": "and", "or": "or", "not": "not"}
_CODE_TOKEN = re.compile(r"&&|\|\||!(?!=)|\b(?:eq|ne|lt|gt|le|ge|True|False)\b")


def translate_condition(text: str) -> str | None:
    """A BPMN condition (JUEL ``${amount > 100 && kind == 'new'}``, FEEL-like or Python spellings) as a bpr
    condition, or ``None`` when it cannot be read as one (a method call, arithmetic…)."""
    body = text.strip()
    match = re.fullmatch(r"[$#]\{(.*)\}", body, re.DOTALL)
    if match:
        body = match.group(1).strip()
    if body.startswith("="):  # FEEL expressions of Camunda 8 start with '='
        body = body[1:].strip()
    parts = re.split(r"(\"[^\"]*\"|'[^']*')", body)  # leave quoted text alone
    for index in range(0, len(parts), 2):
        parts[index] = _CODE_TOKEN.sub(lambda m: " not " if m.group(0) == "!" else _WORDS[m.group(0)], parts[index])
    candidate = " ".join("".join(parts).split())
    if not candidate or re.search(r"\b(?:true|false|null|None)\b", re.sub(r"\"[^\"]*\"|'[^']*'", "", candidate)):
        return None  # case attributes in bpr are numbers or texts, never true/false
    try:
        parse_condition(candidate)
    except ConditionError:
        return None
    return candidate


def _literals(condition: str, name: str) -> tuple[list[float], list[str]]:
    """Numbers and texts that ``name`` is compared with in ``condition`` (to draw a default attribute)."""
    numbers: list[float] = []
    texts: list[str] = []
    pattern = rf"\b{re.escape(name)}\s*(?:==|!=|<=|>=|<|>|in)\s*(\[[^\]]*\]|\"[^\"]*\"|'[^']*'|-?[0-9][0-9_.]*)"
    for match in re.finditer(pattern, condition):
        for item in re.findall(r"\"[^\"]*\"|'[^']*'|-?[0-9][0-9_.]*", match.group(1)):
            if item[0] in "\"'":
                texts.append(item[1:-1])
            else:
                try:
                    numbers.append(float(item.replace("_", "")))
                except ValueError:
                    pass
    return numbers, texts


# --- the graph, made ready for steps -----------------------------------------------------------------


class _Flow:
    """The graph being normalised: nodes by id and flows in document order, with notes."""

    def __init__(self, graph: FlowGraph) -> None:
        self.graph = graph
        self.nodes = graph.nodes
        self.flows = graph.flows
        self.notes: list[ImportNote] = []
        self.generated = 0

    def note(self, kind: str, node: GraphNode | None, message: str, path: str = "") -> None:
        self.notes.append(ImportNote(kind, node.id if node else "", node.line if node else None, message, path))

    def out(self, node_id: str) -> list[GraphFlow]:
        return [f for f in self.flows if f.source == node_id]

    def into(self, node_id: str) -> list[GraphFlow]:
        return [f for f in self.flows if f.target == node_id]

    def add_node(self, like: GraphNode, suffix: str, kind: str) -> GraphNode:
        node = GraphNode(f"{like.id}__{suffix}", kind, like.tag, "", like.line, like.element, like.lane,
                         order=like.order)
        self.nodes[node.id] = node
        return node

    def add_flow(self, source: str, target: str, like: GraphFlow | None = None) -> GraphFlow:
        self.generated += 1
        item = GraphFlow(f"generated-{self.generated}", source, target, like.name if like else "",
                         like.line if like else None)
        self.flows.append(item)
        return item

    def remove(self, node_id: str) -> None:
        del self.nodes[node_id]
        self.flows[:] = [f for f in self.flows if f.source != node_id and f.target != node_id]


def _classify(work: _Flow) -> None:
    """Turn each node's BPMN kind into one bpr can take, noting what changes meaning."""
    for node in list(work.nodes.values()):
        if node.kind == "boundary":
            attached = node.element.get("attachedToRef") or "?"
            work.note(NOT_IMPORTED, node, f"boundary event ({node.definition or 'none'}) on {attached}: bpr has "
                      "no equivalent; the flow that leaves it is not imported")
            work.remove(node.id)
        elif node.kind == "throw":
            work.note(NOT_IMPORTED, node, f"intermediate throw event ({node.definition or 'none'}): no "
                      "equivalent; the flow passes through")
            node.kind = "pass"
        elif node.kind == "catch":
            if node.definition == "linkEventDefinition":
                work.note(NOT_IMPORTED, node, "link event: the flow passes through (links are not followed)")
                node.kind = "pass"
        elif node.kind == "end" and node.definition not in (None, "terminateEventDefinition"):
            work.note(NOT_IMPORTED, node, f"end event with {node.definition}: taken as a plain end")
        elif node.kind == "end" and node.definition == "terminateEventDefinition":
            work.note(APPROXIMATED, node, "terminate end event: taken as a plain end (other open branches are "
                      "not cancelled)")
        elif node.kind == "start" and node.definition:
            work.note(APPROXIMATED, node, f"start event with {node.definition}: taken as an arrival stream")
    known = set(work.nodes)
    for item in list(work.flows):
        if item.source not in known or item.target not in known:
            missing = item.source if item.source not in known else item.target
            work.notes.append(ImportNote(NOT_IMPORTED, item.id, item.line,
                                         f"sequence flow to or from {missing.rsplit('__', 1)[-1]!r}, which is not "
                                         "imported"))
            work.flows.remove(item)
    for node in list(work.nodes.values()):
        ins, outs = len(work.into(node.id)), len(work.out(node.id))
        if node.kind in ("or", "event_gateway", "complex"):
            if outs > 1:
                what = {"or": "inclusive gateway: taken as exclusive (one branch per case, not several)",
                        "event_gateway": "event-based gateway: taken as a choice by probability",
                        "complex": "complex gateway: taken as exclusive"}[node.kind]
                work.note(APPROXIMATED, node, what)
                node.kind = "xor"
            else:  # an inclusive join waits for all the branches that came: after a parallel split, a join
                node.kind = "orjoin" if node.kind == "or" and ins > 1 else "pass"
        elif node.kind == "xor" and outs <= 1:
            node.kind = "pass"
        elif node.kind == "and":
            if ins > 1 and outs > 1:
                split = work.add_node(node, "split", "and")
                for item in work.out(node.id):
                    item.source = split.id
                work.add_flow(node.id, split.id)
            elif ins <= 1 and outs <= 1:
                node.kind = "pass"
        elif node.kind == "end" and outs:
            for item in work.out(node.id):
                work.flows.remove(item)
                work.notes.append(ImportNote(NOT_IMPORTED, item.id, item.line, "sequence flow out of an end event"))
    for node in list(work.nodes.values()):
        leaving = work.out(node.id)
        if node.kind in ("task", "catch", "start") and len(leaving) > 1:
            conditional = any(f.condition or f.id == node.default for f in leaving)
            gateway = work.add_node(node, "choice" if conditional else "split", "xor" if conditional else "and")
            gateway.default = node.default
            for item in leaving:
                item.source = gateway.id
            work.add_flow(node.id, gateway.id)
            work.note(APPROXIMATED if conditional else DEFAULT, node,
                      "several flows leave this element: read as " +
                      ("a decision (conditional flows)" if conditional else "a parallel split (BPMN's meaning)"))


def _collapse(work: _Flow) -> None:
    """Remove pass-through nodes, joining what came in to what goes out."""
    for _ in range(len(work.nodes) + 1):
        passes = [n for n in work.nodes.values() if n.kind == "pass"]
        if not passes:
            return
        for node in passes:
            outs = [f for f in work.out(node.id) if f.target != node.id]
            if len(outs) == 1:
                for item in work.into(node.id):
                    item.target = outs[0].target
                work.remove(node.id)
            elif not outs:
                node.kind = "end"
                node.bpr_type = None
                if node.tag not in ("endEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway"):
                    work.note(DEFAULT, node, "nothing follows: an end is added here")
            else:
                node.kind = "and"


def _entries(work: _Flow) -> list[GraphNode]:
    for node in [n for n in work.nodes.values() if n.kind == "start" and not work.out(n.id)]:
        work.note(NOT_IMPORTED, node, "start event with no flow out of it")
        work.remove(node.id)
    starts = [n for n in work.nodes.values() if n.kind == "start"]
    if starts:
        return sorted(starts, key=lambda n: n.order)
    heads = [n for n in work.nodes.values() if not work.into(n.id)]
    first = sorted(heads or list(work.nodes.values()), key=lambda n: n.order)[:1]
    for node in first:
        work.note(DEFAULT, node, "the file has no start event: cases start here")
    return first


def _reachable(work: _Flow, entries: list[GraphNode]) -> list[str]:
    """Ids of the nodes reachable from ``entries``, breadth first."""
    seen: dict[str, None] = {}
    queue = deque(n.id for n in entries)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen[current] = None
        queue.extend(f.target for f in work.out(current))
    return list(seen)


def _prune(work: _Flow, entries: list[GraphNode]) -> None:
    seen = set(_reachable(work, entries))
    for node in sorted(work.nodes.values(), key=lambda n: n.order):
        if node.id not in seen:
            if node.kind != "end" or node.tag == "endEvent":
                work.note(NOT_IMPORTED, node, f"{node.tag} cannot be reached from a start event")
            work.remove(node.id)


def _distances(work: _Flow, start: str, avoid: str) -> dict[str, int]:
    out = {start: 0}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for item in work.out(current):
            if item.target not in out and item.target != avoid:
                out[item.target] = out[current] + 1
                queue.append(item.target)
    return out


def _match_joins(work: _Flow) -> dict[str, str]:
    """The join of each parallel split: the nearest parallel merge that every branch reaches."""
    joins = {n.id for n in work.nodes.values() if n.kind in ("and", "orjoin") and len(work.out(n.id)) <= 1}
    matched: dict[str, str] = {}
    for node in sorted(work.nodes.values(), key=lambda n: n.order):
        if node.kind != "and" or len(work.out(node.id)) < 2:
            continue
        reach = [_distances(work, f.target, node.id) for f in work.out(node.id)]
        common = [j for j in joins if all(j in r for r in reach)]
        hint = node.element.get(q(BPR, "join")) if node.element is not None else None
        if hint in common:
            matched[node.id] = hint
        elif common:
            matched[node.id] = min(common, key=lambda j: (max(r[j] for r in reach), work.nodes[j].order))
        else:
            work.note(APPROXIMATED, node, "parallel split whose branches never meet at a parallel join: read as a "
                      "choice with equal probabilities")
            node.kind = "xor"
    _unshare_joins(work, matched)
    for join in set(matched.values()) & joins:
        work.nodes[join].kind = "and"
    for join in joins - set(matched.values()):
        if len(work.into(join)) > 1:
            what = "inclusive" if work.nodes[join].kind == "orjoin" else "parallel"
            work.note(APPROXIMATED, work.nodes[join], f"{what} join that no parallel split opens: read as a merge "
                      "(it does not wait)")
        work.nodes[join].kind = "pass"
    return matched


def _unshare_joins(work: _Flow, matched: dict[str, str]) -> None:
    """Give each split its own join where BPMN lets nested splits share one (bpr needs one join per split):
    an inner split's branches meet at a new join that then flows into the shared one."""
    by_join: dict[str, list[str]] = {}
    for split, join in matched.items():
        by_join.setdefault(join, []).append(split)
    for join, splits in by_join.items():
        if len(splits) < 2:
            continue
        reach = {split: set(_distances(work, split, join)) for split in splits}
        # innermost first: reached by the most other splits of the group
        for split in sorted(splits, key=lambda s: -sum(s in reach[o] for o in splits if o != s)):
            if not any(split in reach[other] for other in splits if other != split):
                continue  # the outermost keeps the shared join
            block = reach[split]
            moving = [item for item in work.into(join) if item.source in block]
            if len(moving) < 2:  # its branches do not come to the join each on their own way
                del matched[split]
                work.nodes[split].kind = "xor"
                work.note(APPROXIMATED, work.nodes[split], "parallel split whose branches do not meet at a join of "
                          "their own: read as a choice with equal probabilities")
                continue
            inner = work.add_node(work.nodes[join], f"join_{split.rsplit('__', 1)[-1]}", "and")
            for item in moving:
                item.target = inner.id
            work.add_flow(inner.id, join)
            matched[split] = inner.id
            work.note(APPROXIMATED, work.nodes[split], f"shares its join {join!r} with an enclosing split: its "
                      "branches meet at a join of their own first")


def _order(work: _Flow, entries: list[GraphNode]) -> list[GraphNode]:
    if work.graph.by_bpr:
        return sorted(work.nodes.values(), key=lambda n: (n.order, n.id))
    return [work.nodes[i] for i in _reachable(work, entries)]


# --- steps ---------------------------------------------------------------------------------------------


def _fields(element: Any, where: str, issues: list[Issue], file: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if element is None:
        return out
    holder = element.find(q(BPMN, "extensionElements"))
    if holder is None:
        return out
    for item in holder.findall(q(BPR, "field")):
        name = item.get("name") or ""
        try:
            out[name] = json.loads("".join(item.itertext()))
        except (json.JSONDecodeError, RecursionError) as error:
            issues.append(Issue(f"bpr:field {name!r} of {where} is not valid JSON: {getattr(error, 'msg', error)}",
                                file=file, line=item.sourceline, hint="correct it or delete the field"))
    return out


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip()


def _documentation(element: Any) -> str:
    if element is None:
        return ""
    parts = ["".join(d.itertext()).strip() for d in element.findall(q(BPMN, "documentation"))]
    return "\n".join(p for p in parts if p)


def _iso_minutes(text: str) -> float | None:
    match = re.fullmatch(r"P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?"
                         r"(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?", text.strip())
    if not match or not any(match.groups()):
        return None
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return weeks * 10080 + days * 1440 + hours * 60 + minutes + seconds / 60


def _duration_text(minutes: float) -> str:
    from bpr.model.units import format_duration

    return format_duration(minutes)


STRUCTURAL = {"id", "type", "role", "next", "join", "reject"}
GENERATED = re.compile(r"__(?:split|choice|exit|end|join_\w+)$")
"""Ids of the nodes the import adds (an implicit split, decision, join or end): they have no fields."""


class _Builder:
    def __init__(self, work: _Flow, file: str) -> None:
        self.work = work
        self.file = file
        self.issues: list[Issue] = []
        self.locations: dict[str, Any] = {}
        self.taken: set[str] = set()
        self.ids: dict[str, str] = {}
        self.roles: dict[str, dict[str, Any]] = {}
        self.role_of_lane: dict[str, str] = {}
        self.attribute_conditions: list[str] = []
        self.renamed: list[tuple[str, str]] = []
        self.step_nodes: list[str] = []  # the graph node of each step, in order

    def step_id(self, node: GraphNode) -> str:
        if node.id not in self.ids:
            raw = node.id
            new = bpr_id(raw, self.taken)
            self.ids[node.id] = new
            if new != raw and "__" not in raw:
                self.renamed.append((raw, new))
        return self.ids[node.id]

    def role(self, node: GraphNode) -> str:
        lane_id = node.lane
        if lane_id is None or lane_id not in self.work.graph.lanes:
            if DEFAULT_ROLE not in self.roles:
                self.roles[DEFAULT_ROLE] = {"name": "担当（レーンなし）", "staff": 1}
                self.work.note(DEFAULT, node, f"work outside any lane: given to role {DEFAULT_ROLE!r}",
                               f"roles.{DEFAULT_ROLE}")
            return DEFAULT_ROLE
        return self.role_of_lane[lane_id]

    def read_roles(self) -> None:
        graph = self.work.graph
        taken: set[str] = set()
        for lane in graph.lanes.values():
            if not lane.leaf:
                continue
            hinted = lane.element.get(q(BPR, "role"))
            if hinted and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", hinted) and hinted not in taken:
                role_id = hinted
                taken.add(role_id)
            else:
                ascii_name = lane.name if re.search(r"[A-Za-z]", lane.name) and lane.name.isascii() else ""
                role_id = bpr_id(ascii_name or lane.id, taken, "role")
            self.role_of_lane[lane.id] = role_id
            parent = graph.lanes.get(lane.parent) if lane.parent else None
            data: dict[str, Any] = {"name": lane.name or role_id,
                                    "department": parent.name if parent else (graph.pool_name if not graph.by_bpr
                                                                              else "")}
            fields = _fields(lane.element, f"lane {lane.id!r}", self.issues, self.file)
            if fields.get("name") == "" and lane.name and lane.name != role_id:
                del fields["name"]  # named in a modeller since bpr wrote it
            if not fields:
                data["staff"] = 1
                self.work.notes.append(ImportNote(DEFAULT, lane.id, lane.line, "staff count not in BPMN: 1",
                                                  f"roles.{role_id}.staff"))
            data.update(fields)
            if not data.get("department"):
                data.pop("department", None) if "department" not in fields else None
            self.roles[role_id] = data
            self.locations[f"roles.{role_id}"] = (lane.line, None)
        known = {element.get("id") for element in graph.process_element.getroottree().iter() if element.get("id")}
        for lane in graph.lanes.values():
            missing = [_text(ref) for ref in lane.element.findall(q(BPMN, "flowNodeRef")) if _text(ref) not in known]
            if missing:
                self.work.notes.append(ImportNote(NOT_IMPORTED, lane.id, lane.line, f"lane {lane.name!r} names "
                                                  f"{len(missing)} element(s) the file does not hold (e.g. "
                                                  f"{missing[0]!r}): their work is given to no lane"))
        for lane in graph.lanes.values():  # a node placed in an outer lane only
            if not lane.leaf:
                self.role_of_lane.setdefault(lane.id, next(iter(self.role_of_lane.values()), DEFAULT_ROLE))

    def build(self, order: list[GraphNode], joins: dict[str, str], entries: list[GraphNode]) -> dict[str, Any]:
        work = self.work
        graph = work.graph
        self.read_roles()
        process_fields = _fields(graph.process_element, "the process", self.issues, self.file)
        folded = {gateway.id for node in order if (gateway := self.outcome_of(node)) is not None}
        for node in order:
            if node.kind != "start" and node.id not in folded:
                self.step_id(node)
        steps: list[dict[str, Any]] = []
        for node in order:
            if node.id in folded or node.kind == "start":
                continue
            step = self.step(node, joins, folded)
            self.locations[f"steps[{len(steps)}]"] = (node.line, None)
            self.step_nodes.append(node.id)
            steps.append(step)
        data: dict[str, Any] = {"id": process_fields.pop("id", None) or bpr_id(graph.process_id, set(), "process"),
                                "name": graph.process_name or graph.pool_name or graph.process_id}
        description = _documentation(graph.process_element)
        if description:
            data["description"] = description
        if "version" in process_fields:
            data["version"] = process_fields.pop("version")
        if "calendar" in process_fields:
            data["calendar"] = process_fields.pop("calendar")
        else:
            self.work.notes.append(ImportNote(DEFAULT, graph.process_id, graph.line,
                                              "working calendar not in BPMN: bpr's default (Mon–Fri 08:30–17:15, "
                                              "JP holidays)", "calendar"))
        for key in ("calendars", "attributes"):
            if key in process_fields:
                data[key] = process_fields.pop(key)
        data["roles"] = self.roles or {DEFAULT_ROLE: {"name": "担当", "staff": 1}}
        if "arrivals" in process_fields:
            data["arrivals"] = process_fields.pop("arrivals")
        else:
            data["arrivals"] = self.arrivals(entries, steps)
        if "start" in process_fields:
            data["start"] = process_fields.pop("start")
        elif entries and steps and self.entry_of(entries[0]) != steps[0]["id"]:
            data["start"] = self.entry_of(entries[0])
        if "deadline" in process_fields:
            data["deadline"] = process_fields.pop("deadline")
        for key in process_fields:
            self.issues.append(Issue(f"unknown bpr:field {key!r} on the process", file=self.file, line=graph.line,
                                     hint="bpr writes id, version, calendar, calendars, attributes, arrivals, "
                                          "start and deadline there"))
        data["steps"] = steps
        if self.renamed:
            raw, new = self.renamed[0]
            self.work.notes.append(ImportNote(RENAMED, "", None, f"{len(self.renamed)} element id(s) hold characters "
                                              f"bpr ids cannot (letters, digits and _ only), e.g. {raw!r} is "
                                              f"written {new!r}"))
        self.declare_attributes(data)
        self.locations.update({"id": (graph.line, None), "name": (graph.line, None)})
        return data

    def entry_of(self, start: GraphNode) -> str:
        if start.kind != "start":
            return self.ids[start.id]
        outs = self.work.out(start.id)
        return self.ids[outs[0].target] if outs else ""

    def arrivals(self, entries: list[GraphNode], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        first = steps[0]["id"] if steps else None
        for start in entries:
            if start.kind != "start":
                continue
            arrival: dict[str, Any] = {"channel": "online", "rate": DEFAULT_RATE}
            entry = self.entry_of(start)
            if not entry:
                continue
            if out and entry != first:
                arrival["start"] = entry
            self.locations[f"arrivals[{len(out)}]"] = (start.line, None)
            self.work.note(DEFAULT, start, f"arrival rate not in BPMN: {DEFAULT_RATE} through channel 'online'",
                           f"arrivals[{len(out)}].rate")
            out.append(arrival)
        if not out:
            out.append({"channel": "online", "rate": DEFAULT_RATE})
            self.work.notes.append(ImportNote(DEFAULT, "", None, f"no start event: one arrival stream of "
                                              f"{DEFAULT_RATE}", "arrivals[0].rate"))
        return out

    def step(self, node: GraphNode, joins: dict[str, str], folded: set[str]) -> dict[str, Any]:
        work = self.work
        sid = self.ids[node.id]
        generated = GENERATED.search(node.id) is not None
        fields = {} if generated else _fields(node.element, f"{node.tag} {node.id!r}", self.issues, self.file)
        step: dict[str, Any] = {"id": sid}
        name = node.name
        documentation = "" if generated else _documentation(node.element)
        outs = work.out(node.id)

        def target(index: int = 0) -> str:
            return self.ids[outs[index].target]

        if node.kind == "task":
            kind = "approval" if node.bpr_type == "approval" else "task"
            step.update(type=kind, name=name, role=self.role(node))
            if "duration" not in fields:
                step["duration"] = DEFAULT_DURATION
                work.note(DEFAULT, node, f"duration not in BPMN: {DEFAULT_DURATION}", "duration")
            if node.tag == "manualTask" and "medium" not in fields and not work.graph.by_bpr:
                step["medium"] = "paper"
            outcome = self.outcome_of(node)
            if outcome is not None:
                self.fold_outcome(step, outcome)
            else:
                step["next"] = target()
        elif node.kind == "catch":
            kind = "handoff" if node.bpr_type == "handoff" else "wait"
            step.update(type=kind, name=name)
            key = "delay" if kind == "handoff" else "duration"
            if key not in fields:
                minutes = None
                timer = node.element.find(f"{q(BPMN, 'timerEventDefinition')}/{q(BPMN, 'timeDuration')}")
                if timer is not None:
                    minutes = _iso_minutes("".join(timer.itertext()))
                if minutes is not None:
                    step[key] = _duration_text(minutes)
                else:
                    step[key] = DEFAULT_WAIT
                    what = "a timer without a duration" if node.definition == "timerEventDefinition" else \
                        f"waits for a {(node.definition or 'none').replace('EventDefinition', '')} event"
                    work.note(DEFAULT, node, f"{what}: waits {DEFAULT_WAIT}", key)
                if kind == "wait" and node.definition not in (None, "timerEventDefinition"):
                    step["party"] = "external"
            step["next"] = target()
        elif node.kind == "xor":
            step.update(type="decision", name=name, next=self.branches(node))
        elif node.kind == "and" and len(outs) > 1:
            step.update(type="parallel", name=name, next=[self.ids[f.target] for f in outs],
                        join=self.ids[joins[node.id]])
        elif node.kind == "and":
            step.update(type="join", name=name, next=target())
        else:  # end
            step.update(type="end", name=name)
        if documentation:
            step["description"] = documentation
        if fields.get("name") == "" and name and name != node.id.rsplit("__", 1)[-1]:
            del fields["name"]  # bpr wrote the id as the name of a step without one; a modeller has named it since
        for key, value in fields.items():
            if key not in STRUCTURAL:
                step[key] = value
        if not step.get("name"):
            step.pop("name", None)
        return step

    def outcome_of(self, node: GraphNode) -> GraphNode | None:
        """The gateway bpr wrote after an approval that can reject (``<id>-outcome``), if ``node`` has one."""
        if node.kind != "task" or node.bpr_type != "approval":
            return None
        outs = self.work.out(node.id)
        after = self.work.nodes[outs[0].target] if len(outs) == 1 else None
        if after is not None and after.kind == "xor" and after.bpr_type == "outcome" and \
                len(self.work.into(after.id)) == 1:
            return after
        return None

    def fold_outcome(self, step: dict[str, Any], gateway: GraphNode) -> None:
        outs = self.work.out(gateway.id)
        passed = next((f for f in outs if f.id == gateway.default), outs[0])
        rejected = [f for f in outs if f is not passed]
        step["next"] = self.ids[passed.target]
        if rejected:
            probability = rejected[0].probability
            if probability is None:
                probability = DEFAULT_REJECT
                self.work.note(DEFAULT, gateway, f"rejection probability not given: {DEFAULT_REJECT}",
                               "reject.probability")
            step["reject"] = {"probability": probability, "to": self.ids[rejected[0].target]}

    def branches(self, node: GraphNode) -> list[dict[str, Any]]:
        work = self.work
        outs = work.out(node.id)
        default = next((f for f in outs if f.id == node.default), None)
        others = [f for f in outs if f is not default]
        if others and all(f.probability is not None for f in others) and default is None:
            return [{"to": self.ids[f.target], "probability": f.probability} for f in others]
        if self.on_cycle(node) and any(f.condition for f in outs):
            work.note(APPROXIMATED, node, "a condition decides a loop: in BPMN data changes between passes, in bpr "
                      "case attributes do not, so this decision is by probability (equal shares; fill in)", "next")
            return self.equal_shares(outs)
        conditions = {f.id: translate_condition(f.condition) for f in others if f.condition}
        plain = [f for f in others if not f.condition]
        if conditions and all(conditions.values()) and len(plain) <= (0 if default else 1):
            ordered = [f for f in others if f.condition]
            out: list[dict[str, Any]] = [{"to": self.ids[f.target], "when": conditions[f.id]} for f in ordered]
            self.attribute_conditions.extend(str(c) for c in conditions.values())
            last = default or (plain[0] if plain else None)
            if last is not None:
                out.append({"to": self.ids[last.target], "otherwise": True})
            else:
                out[-1] = {"to": out[-1]["to"], "otherwise": True}
                work.note(APPROXIMATED, node, "no default flow: the last branch takes every case that matches no "
                          "condition")
            return out
        unreadable = [f.condition for f in others if f.condition and not conditions.get(f.id)]
        if unreadable:
            work.note(APPROXIMATED, node, "condition(s) bpr cannot read: " + "; ".join(repr(c) for c in unreadable)
                      + " — branches taken with equal probabilities")
        else:
            work.note(DEFAULT, node, "branch probabilities not in BPMN: equal shares", "next")
        return self.equal_shares(outs)

    def equal_shares(self, outs: list[GraphFlow]) -> list[dict[str, Any]]:
        share = round(1 / len(outs), 6)
        shares: list[dict[str, Any]] = [{"to": self.ids[f.target], "probability": share} for f in outs]
        shares[-1]["probability"] = round(1 - share * (len(outs) - 1), 6)
        return shares

    def on_cycle(self, node: GraphNode) -> bool:
        """Whether a branch of ``node`` comes back to it through steps that have one way out each: a loop
        that only this decision can end (BPMN's "repeat while x < 2", where x changes on the way)."""
        for item in self.work.out(node.id):
            current, seen = item.target, set()
            while current not in seen:
                if current == node.id:
                    return True
                seen.add(current)
                leaving = self.work.out(current)
                if len(leaving) != 1:
                    break
                current = leaving[0].target
        return False

    def declare_attributes(self, data: dict[str, Any]) -> None:
        declared = set(data.get("attributes", {})) | set(BUILTIN_ATTRIBUTES)
        for arrival in data["arrivals"]:
            declared |= set(arrival.get("attributes", {}))
        needed: dict[str, tuple[list[float], list[str]]] = {}
        for condition in self.attribute_conditions:
            for name in sorted(parse_condition(condition).names):
                if name not in declared:
                    numbers, texts = needed.setdefault(name, ([], []))
                    more_numbers, more_texts = _literals(condition, name)
                    numbers.extend(more_numbers)
                    texts.extend(more_texts)
        for name, (numbers, texts) in needed.items():
            if texts and not numbers:
                values = sorted(set(texts))
                share = round(1 / len(values), 6)
                choice = {value: share for value in values}
                choice[values[-1]] = round(1 - share * (len(values) - 1), 6)
                definition: dict[str, Any] = {"dist": "choice", "values": choice}
            else:
                top = max([abs(n) for n in numbers] or [1.0])
                definition = {"dist": "uniform", "min": 0, "max": top * 2}
            data.setdefault("attributes", {})[name] = definition
            self.work.notes.append(ImportNote(DEFAULT, "", None, f"case attribute {name!r} read by conditions: "
                                              f"drawn as {definition['dist']} (fill in)", f"attributes.{name}"))


def read_bpmn(source: str | os.PathLike[str] | bytes, *, file: str | None = None,
              process_id: str | None = None) -> BpmnImport:
    """Read a BPMN 2.0 file (a path, or its bytes) as a process (module docstring).

    Raises :class:`BpmnImportError` (a :class:`~bpr.errors.ModelError`) with located issues when the file
    is refused (too large, not well-formed, a DTD or entities), is not BPMN, or does not make a valid
    process; its ``notes`` tell what was not understood on the way.
    """
    if isinstance(source, bytes):
        name = file or "<input>"
        data = source
    else:
        name = file or str(source)
        try:
            data = read_bytes(source)
        except XmlError as error:
            raise BpmnImportError([Issue(error.message, file=name, line=error.line, hint=error.hint)]) from None
    try:
        root = parse_xml(data, name)
    except XmlError as error:
        raise BpmnImportError([Issue(error.message, file=name, line=error.line, hint=error.hint)]) from None
    tag = str(root.tag)
    if tag != q(BPMN, "definitions"):
        namespace = tag[1:].split("}")[0] if tag.startswith("{") else "no namespace"
        raise BpmnImportError([Issue(f"not a BPMN 2.0 file: the root element is <{local(tag)}> ({namespace})",
                                     file=name, line=root.sourceline,
                                     hint=f"BPMN 2.0 files start with <definitions xmlns=\"{BPMN}\">; export the "
                                          "model as BPMN 2.0 XML from the modelling tool")])
    try:
        graph = read_graph(root, process_id)
    except LookupError as error:
        raise BpmnImportError([Issue(str(error), file=name, line=root.sourceline,
                                     hint="draw at least one pool or process" if process_id is None else None)]) \
            from None
    work = _Flow(graph)
    for skipped in graph.skipped:
        work.notes.append(ImportNote(NOT_IMPORTED, skipped.element, skipped.line, f"{skipped.tag}: {skipped.reason}"))
    for message_flow in root.iter(q(BPMN, "messageFlow")):
        work.notes.append(ImportNote(NOT_IMPORTED, message_flow.get("id") or "", message_flow.sourceline,
                                     "message flow between pools: bpr reads one process"))
    _classify(work)
    _collapse(work)
    entries = _entries(work)
    _prune(work, entries)
    joins = _match_joins(work)
    _collapse(work)
    for split, join in list(joins.items()):
        if split not in work.nodes or join not in work.nodes:
            del joins[split]
    for node in list(work.nodes.values()):  # steps with no way out (the parse left none by now) end
        if node.kind in ("task", "catch") and not work.out(node.id):
            end = work.add_node(node, "end", "end")
            work.add_flow(node.id, end.id)
            work.note(DEFAULT, node, "nothing follows: an end is added after it")
    for _ in range(MAX_REPAIRS + 1):
        order = _order(work, entries)
        if not any(node.kind != "start" for node in order):
            raise BpmnImportError([Issue(f"process {graph.process_id!r} holds nothing bpr can import (no task, "
                                         "event or gateway reachable from a start)", file=name, line=graph.line,
                                         hint="see the notes for what was met")], tuple(work.notes))
        builder = _Builder(work, name)
        kept = len(work.notes)  # the notes of a build that is tried again are made again
        try:
            process_data = builder.build(order, joins, entries)
        except (KeyError, IndexError, ValueError, TypeError) as error:  # a shape of model this import does not know
            raise BpmnImportError([Issue(f"cannot map this model to a process ({type(error).__name__}: {error})",
                                         file=name, line=graph.line, hint="please report it with the file; the "
                                         "notes say what was read so far")], tuple(work.notes)) from None
        if builder.issues:
            raise BpmnImportError(builder.issues, tuple(work.notes))
        try:
            process = process_from_data(process_data, name, builder.locations)
        except ModelError as error:
            built_notes = work.notes[kept:]
            del work.notes[kept:]
            if _loosen_parallel(work, joins, builder, error):
                continue  # a split whose branches leave its block: read it as a choice, and try again
            raise BpmnImportError([_with_element(issue, process_data) for issue in error.issues],
                                  tuple(work.notes + built_notes)) from None
        break
    notes = tuple(work.notes)
    elements = tuple((step["id"], str(work.nodes[node_id].element.get("id") or "") if not GENERATED.search(node_id)
                      else "") for step, node_id in zip(process_data["steps"], builder.step_nodes))
    return BpmnImport(process, process_data, notes, name, graph.process_id, elements)


MAX_REPAIRS = 50
"""Parallel splits read as choices, at most, when a model's branches leave their block (discovered models)."""


def _loosen_parallel(work: _Flow, joins: dict[str, str], builder: _Builder, error: ModelError) -> bool:
    """Read as a choice each parallel split that an issue of ``error`` is about; whether any was."""
    changed = False
    for issue in error.issues:
        match = re.match(r"steps\[(\d+)\]", issue.path)
        if not match or int(match.group(1)) >= len(builder.step_nodes):
            continue
        node = work.nodes.get(builder.step_nodes[int(match.group(1))])
        if node is None or node.id not in joins or "join" not in issue.message:
            continue
        join = joins.pop(node.id)
        node.kind = "xor"
        if join not in joins.values() and join in work.nodes:
            work.nodes[join].kind = "pass"
        work.note(APPROXIMATED, node, "parallel split whose branches leave its block (they end, or go on, without "
                  "passing its join): read as a choice with equal probabilities")
        changed = True
    if changed:
        _collapse(work)
    return changed


def _with_element(issue: Issue, data: dict[str, Any]) -> Issue:
    """An issue of the process the import made, saying which step (by its id) it is about."""
    match = re.match(r"steps\[(\d+)\]", issue.path)
    if match and int(match.group(1)) < len(data.get("steps", [])):
        step_id = data["steps"][int(match.group(1))].get("id")
        return Issue(f"step {step_id!r}: {issue.message}", issue.path, issue.file, issue.line, issue.column,
                     issue.hint, issue.severity)
    return issue


# --- the process file, with its notes ---------------------------------------------------------------------


def draft_yaml(data: dict[str, Any], notes: tuple[ImportNote, ...], source: str) -> str:
    """``data`` as YAML with a header that lists ``notes`` and ``# default`` on each defaulted line."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    _, locations = read_yaml(text, "<draft>")
    lines = text.split("\n")
    marks: dict[int, str] = {}
    for note in notes:
        if note.kind == DEFAULT and note.path:
            path = _data_path(note, data)
            paths = [path]
            if path.endswith("].next"):  # a decision's shares: mark each probability
                paths = [key for key in locations if key.startswith(path + "[") and key.endswith(".probability")]
            for each in paths:
                where = locations.get(each) or locations.get(each.rsplit(".", 1)[0])
                if where:
                    marks.setdefault(where[0] - 1, "default from bpr import: fill in")
    for index, comment in marks.items():
        if 0 <= index < len(lines):
            lines[index] += f"  # {comment}"
    header = [f"# Imported from {os.path.basename(source)} by bpr import.",
              "# Values marked '# default' are not in the BPMN file: replace them with measured ones."]
    other = [note for note in notes if note.kind != DEFAULT]
    if other:
        header.append("# Not understood or approximated:")
        header += [f"#   {note.element or '(file)'} (line {note.line or '?'}): {note.kind}: {note.message}"
                   for note in other]
    return "\n".join(header) + "\n" + "\n".join(lines)


def _data_path(note: ImportNote, data: dict[str, Any]) -> str:
    """The path in ``data`` a note's field is at (a step's field is named by its element)."""
    if note.path.startswith(("roles.", "arrivals", "attributes", "calendar")):
        return note.path
    for index, step in enumerate(data.get("steps", [])):
        if step.get("id") == bpr_id(note.element, set()) or step.get("id") == note.element:
            return f"steps[{index}].{note.path}"
    return note.path

