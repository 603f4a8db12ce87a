"""Export then import gives back the same process, for every shipped scenario and theory file; the export is
valid BPMN 2.0 (the XSD where an installed package ships it, and the structural check always)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpr.changes import load_process
from bpr.interchange.bpmn_check import schema_folder, schema_problems, structural_problems
from bpr.interchange.bpmn_names import BPMN, BPR, q
from bpr.interchange.bpmn_read import read_bpmn
from bpr.interchange.bpmn_write import iso_duration, write_bpmn
from bpr.model.load import parse_process

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").glob("*/*.yaml"))


def test_every_scenario_and_theory_file_is_covered() -> None:
    names = {f"{path.parent.name}/{path.name}" for path in FILES}
    assert {"theory/mmc.yaml", "theory/tandem.yaml", "theory/multistep.yaml", "purchase_ringi/before.yaml",
            "purchase_ringi/after.yaml"} <= names
    assert len(FILES) >= 16


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_yaml_to_bpmn_to_yaml_is_identity(path: Path) -> None:
    process = load_process(path)
    text = write_bpmn(process)
    result = read_bpmn(text.encode("utf-8"), file=f"{path.stem}.bpmn")
    assert result.process == process
    assert result.notes == ()  # nothing defaulted, approximated or lost
    # ... and through the YAML the import writes (with its comments)
    assert parse_process(result.yaml(), "<import>") == process


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_export_is_valid_bpmn(path: Path) -> None:
    text = write_bpmn(load_process(path))
    assert structural_problems(text) == []
    problems = schema_problems(text)
    assert problems is not None, "no BPMN 2.0 XSD installed: the test extra's SpiffWorkflow ships one"
    assert problems == []


def test_the_schema_is_found_in_the_test_dependencies() -> None:
    folder = schema_folder()
    assert folder is not None and (folder / "BPMN20.xsd").is_file()


def test_both_checks_catch_a_broken_file(repo_root: Path) -> None:
    text = write_bpmn(load_process(repo_root / "scenarios/theory/mm1.yaml"))
    broken = text.replace('sourceRef="serve"', "", 1)
    assert any("sourceRef" in problem for problem in schema_problems(broken) or ["sourceRef (no schema)"])
    assert any("sourceRef None" in problem for problem in structural_problems(broken))
    undrawn = text.replace('bpmnElement="serve"', 'bpmnElement="nothing"', 1)
    assert "userTask 'serve' has no shape with bounds in the diagram" in structural_problems(undrawn)


def test_export_is_deterministic(repo_root: Path) -> None:
    process = load_process(repo_root / "scenarios/theory/multistep.yaml")
    assert write_bpmn(process) == write_bpmn(process)


def test_what_a_modeller_sees(repo_root: Path) -> None:
    """Lanes by department and role, tasks by kind, the approval's rejection as a gateway, timers, a picture."""
    process = load_process(repo_root / "scenarios/theory/multistep.yaml")
    root = etree.fromstring(write_bpmn(process).encode("utf-8"))
    lanes = {lane.get("name"): lane for lane in root.iter(q(BPMN, "lane"))}
    assert {"窓口課", "総務課", "財政課", "担当", "係長", "課長", "法務", "財政"} == set(lanes)
    inner = lanes["窓口課"].find(f"{q(BPMN, 'childLaneSet')}/{q(BPMN, 'lane')}")
    assert inner is not None and inner.get(q(BPR, "role")) == "clerk"
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert by_id["receive"].tag == q(BPMN, "manualTask")  # medium: paper
    assert by_id["enter"].tag == q(BPMN, "userTask")
    assert by_id["check"].get(q(BPR, "type")) == "approval"
    outcome = by_id["check-outcome"]
    assert outcome.tag == q(BPMN, "exclusiveGateway")
    rejected = [f for f in root.iter(q(BPMN, "sequenceFlow")) if f.get("sourceRef") == "check-outcome"
                and f.get("id") != outcome.get("default")]
    assert [(f.get("targetRef"), f.get(q(BPR, "probability"))) for f in rejected] == [("enter", "0.1")]
    mail = by_id["mail"]
    assert mail.tag == q(BPMN, "intermediateCatchEvent")
    assert mail.findtext(f"{q(BPMN, 'timerEventDefinition')}/{q(BPMN, 'timeDuration')}") == "PT30M"
    condition = [f for f in root.iter(q(BPMN, "sequenceFlow")) if f.get("sourceRef") == "route"][0]
    assert condition.findtext(q(BPMN, "conditionExpression")) == "amount > 1000000"
    assert by_id["route"].get("default") is not None
    assert by_id["cosign"].tag == q(BPMN, "parallelGateway") and by_id["cosign"].get(q(BPR, "join")) == "cosigned"
    starts = [e.get("name") for e in root.iter(q(BPMN, "startEvent"))]
    assert starts == ["counter", "online"]  # the online channel starts at 'enter'


def test_shapes_do_not_overlap_and_sit_in_their_lane(repo_root: Path) -> None:
    from bpr.interchange.bpmn_names import BPMNDI, DC

    process = load_process(repo_root / "scenarios/purchase_ringi/before.yaml")
    root = etree.fromstring(write_bpmn(process).encode("utf-8"))
    boxes = {}
    for shape in root.iter(q(BPMNDI, "BPMNShape")):
        bounds = shape.find(q(DC, "Bounds"))
        boxes[shape.get("bpmnElement")] = tuple(float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    nodes = [e.get("id") for e in root.iter() if e.tag in {q(BPMN, t) for t in
                                                           ("userTask", "manualTask", "exclusiveGateway",
                                                            "parallelGateway", "startEvent", "endEvent",
                                                            "intermediateCatchEvent")}]
    for i, a in enumerate(nodes):
        ax, ay, aw, ah = boxes[a]
        for b in nodes[i + 1:]:
            bx, by, bw, bh = boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlaps {b}"
    for lane in root.iter(q(BPMN, "lane")):
        if lane.find(q(BPMN, "childLaneSet")) is not None:
            continue
        lx, ly, lw, lh = boxes[lane.get("id")]
        for ref in lane.findall(q(BPMN, "flowNodeRef")):
            x, y, w, h = boxes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, f"{ref.text} outside its lane"


def test_layout_without_graphviz_still_draws(monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    import bpr.interchange.bpmn_layout as layout

    def missing(*args: object) -> object:
        raise RuntimeError("no dot")

    monkeypatch.setattr(layout, "_ranks_graphviz", missing)
    text = write_bpmn(load_process(repo_root / "scenarios/theory/multistep.yaml"))
    assert structural_problems(text) == []


@pytest.mark.parametrize(("minutes", "text"), [(0, "PT0S"), (30, "PT30M"), (90, "PT1H30M"), (2880, "P2D"),
                                              (0.5, "PT30S"), (1441, "P1DT1M"), (0.8, "PT48S")])
def test_iso_durations(minutes: float, text: str) -> None:
    assert iso_duration(minutes) == text


def test_an_edit_in_the_modeller_comes_back(repo_root: Path) -> None:
    """A name changed and a duration field deleted in a modeller: the import takes the new name and marks the
    duration as a default to fill in."""
    process = load_process(repo_root / "scenarios/theory/tandem.yaml")
    root = etree.fromstring(write_bpmn(process).encode("utf-8"))
    task = next(e for e in root.iter(q(BPMN, "userTask")) if e.get("id") == "s2")
    task.set("name", "二次審査")
    field = next(f for f in task.iter(q(BPR, "field")) if f.get("name") == "duration")
    field.getparent().remove(field)
    result = read_bpmn(etree.tostring(root))
    step = result.process.step("s2")
    assert step.name == "二次審査"
    assert [n.message for n in result.notes if n.element == "s2"] == ["duration not in BPMN: 10m"]
    assert "duration: 10m  # default from bpr import: fill in" in result.yaml()
