"""Names that BPMN files share: XML namespaces, bpr's extension namespace, element kinds, generated ids.

bpr's own fields (durations, stamps, checks, authority, calendars…) travel in the extension namespace
:data:`BPR` as ``<bpr:field name="…">JSON</bpr:field>`` children of ``bpmn:extensionElements``, and a
few attributes on BPMN elements (``bpr:type``, ``bpr:role``, ``bpr:probability``). BPMN tools keep
extension elements and attributes they do not know, so a model opened and saved in bpmn.io or Camunda
Modeler keeps them.

Ids that bpr makes up for elements that are not steps (lanes, flows, start events, the gateway after an
approval that can reject) contain a ``-``, which step ids cannot hold: they never collide with a step.
"""

from __future__ import annotations

import re

__all__ = ["BPMN", "BPMNDI", "BPR", "DC", "DI", "NSMAP", "XSI", "bpr_id", "local", "q"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BPR = "urn:bpr:bpmn-extension:1"
"""bpr's extension namespace (a URN: it names, it is not fetched)."""

NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "bpr": BPR}

TASK_TAGS = ("task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask",
             "businessRuleTask")
"""BPMN activities that become a bpr ``task`` (or an ``approval`` where bpr wrote one)."""

GATEWAY_TAGS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
EVENT_TAGS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")


def q(namespace: str, name: str) -> str:
    """Clark notation ``{namespace}name`` as lxml writes tags and attributes."""
    return f"{{{namespace}}}{name}"


def local(tag: object) -> str:
    """``{ns}userTask`` -> ``userTask``; comments and other non-element nodes give ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


_NOT_ID = re.compile(r"[^A-Za-z0-9_]+")


def bpr_id(text: str, taken: set[str], fallback: str = "step") -> str:
    """A bpr id (``^[A-Za-z][A-Za-z0-9_]*$``, at most 64 characters) made from ``text``, not in ``taken``
    (which it joins). ``sid-12AB-…`` becomes ``sid_12AB_…``; a name without ASCII letters gives ``fallback``."""
    base = _NOT_ID.sub("_", text).strip("_")
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}" if base else fallback
    base = base[:64]
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate = base[: 64 - len(suffix)] + suffix
        number += 1
    taken.add(candidate)
    return candidate
