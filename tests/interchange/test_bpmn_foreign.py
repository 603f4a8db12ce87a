"""Models nobody on this project wrote (SpiffWorkflow's examples, see foreign/README.md, and any .bpmn file an
installed Prosimos or SpiffWorkflow package ships) import as valid process files, or are refused with located
issues; never with a traceback. Every element of a model is either in the process or in the notes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from lxml import etree

from bpr.interchange.bpmn_names import BPMN, bpr_id, q
from bpr.interchange.bpmn_read import BpmnImportError, read_bpmn
from bpr.model.load import parse_process

HERE = Path(__file__).resolve().parent


def _installed_models() -> list[Path]:
    found: list[Path] = []
    for package in ("prosimos", "SpiffWorkflow"):
        spec = importlib.util.find_spec(package)
        for root in (spec.submodule_search_locations or []) if spec else []:
            found += sorted(Path(root).rglob("*.bpmn"))
    return found


MODELS = sorted((HERE / "foreign").rglob("*.bpmn")) + _installed_models()


def test_the_corpus_is_there() -> None:
    assert len(MODELS) >= 30


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_foreign_model_imports_or_is_refused_clearly(path: Path) -> None:
    try:
        result = read_bpmn(path)
    except BpmnImportError as error:
        assert error.issues and all(issue.file == str(path) for issue in error.issues)
        return
    # the process file written is valid as text, and is the same process
    assert parse_process(result.yaml(), "<import>") == result.process
    # nothing in silence: every activity and event of the process read is a step or is named in a note
    root = etree.parse(str(path)).getroot()
    process = next(p for p in root.iter(q(BPMN, "process")) if p.get("id") == result.process_element)
    imported = {element for _, element in result.elements}
    noted = [note.element for note in result.notes]
    opaque = [note.element for note in result.notes if "taken as one task" in note.message]
    for element in process.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name not in FLOW_NODES:
            continue
        element_id = element.get("id") or ""
        ancestors = list(element.iterancestors())
        inside_opaque = any(ancestor.get("id") in opaque or ancestor.get("triggeredByEvent") == "true"
                            for ancestor in ancestors)
        if name == "endEvent" and any(a.tag in SUB_PROCESSES for a in ancestors):
            continue  # the end of an inlined sub-process: the flow goes on after it
        inlined = name in ("subProcess", "callActivity") and element_id not in opaque and any(
            step_id.startswith(bpr_id(element_id, set()) + "__") for step_id in result.process.step_ids)
        assert inside_opaque or inlined or element_id in imported or any(
            n == element_id or n.endswith("__" + element_id) for n in noted), \
            f"{name} {element_id!r} (line {element.sourceline}) is neither imported nor listed"


FLOW_NODES = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
              "businessRuleTask", "boundaryEvent", "intermediateThrowEvent", "intermediateCatchEvent", "endEvent",
              "callActivity", "subProcess", "dataObject", "textAnnotation"}
"""Elements a reader would miss if they vanished (gateways and start events show in the steps' routing)."""


def test_the_corpus_mostly_imports() -> None:
    imported = 0
    for path in MODELS:
        try:
            read_bpmn(path)
            imported += 1
        except BpmnImportError:
            pass
    assert imported == len(MODELS)  # all of today's corpus makes valid process files


SUB_PROCESSES = {q(BPMN, name) for name in ("subProcess", "transaction", "adHocSubProcess")}
