"""Small BPMN documents for the import tests, written out as a modeller would save them."""

from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" '
        'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.0.0">\n')


def flow(flow_id: str, source: str, target: str, condition: str | None = None, name: str = "") -> str:
    label = f' name="{name}"' if name else ""
    if condition is None:
        return f'  <bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"{label}/>\n'
    return (f'  <bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"{label}>'
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
            '</bpmn:sequenceFlow>\n')


def document(body: str, *, pool: str | None = None, process_id: str = "Process_1", name: str = "",
             more: str = "") -> bytes:
    """A definitions element around one process whose content is ``body`` (and ``more`` after it)."""
    collaboration = (f'<bpmn:collaboration id="Collab_1"><bpmn:participant id="Pool_1" name="{pool}" '
                     f'processRef="{process_id}"/></bpmn:collaboration>\n') if pool is not None else ""
    label = f' name="{name}"' if name else ""
    text = (HEAD + collaboration + f'<bpmn:process id="{process_id}"{label} isExecutable="true">\n' + body
            + "</bpmn:process>\n" + more + "</bpmn:definitions>\n")
    return text.encode("utf-8")
