"""A statutory committee is never suggested for removal: marked, it is kept; unmarked, it is not proposed for
removal either and the finding says how to mark it (介護認定審査会 of the 要介護認定 scenario)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpr import analyze, load_process
from bpr.changes import apply_changes, parse_changes
from bpr.errors import BprError
from bpr.model.load import process_from_data, process_to_data
from bpr.redesign import Context, propose

CARE = Path(__file__).resolve().parents[2] / "scenarios" / "care_certification" / "before.yaml"
COMMITTEE = "shinsa"


@pytest.fixture(scope="module")
def marked():
    return load_process(CARE)


@pytest.fixture(scope="module")
def unmarked(marked):
    data = process_to_data(marked)
    data["roles"]["shinsakai"].pop("control")
    return process_from_data(data, file="care.yaml")


def _touches(changes, step: str) -> bool:
    return step in repr(changes)


def test_the_role_control_marks_its_steps_as_required(marked, unmarked):
    control = marked.required_control(COMMITTEE)
    assert control is not None and control.kind == "legal" and "介護保険法" in control.basis
    assert unmarked.required_control(COMMITTEE) is None


@pytest.mark.parametrize("which", ["marked", "unmarked"])
def test_no_finding_and_no_redesign_proposes_removing_the_committee(which, request):
    process = request.getfixturevalue(which)
    findings = analyze(process).findings
    assert all(not _touches(f.suggestion, COMMITTEE) for f in findings if f.suggestion is not None)
    proposals = propose(Context(process))
    assert proposals.candidates, "the scenario has other improvements to propose"
    assert [c.changes for c in proposals.candidates if _touches(c.changes, COMMITTEE)] == []


def test_an_unmarked_committee_gets_the_hint_to_mark_it(unmarked, marked):
    hinted = [f for f in analyze(unmarked).findings if COMMITTEE in f.steps and "looks like a committee" in f.message]
    assert hinted and all("control: {kind: legal, basis: …}" in f.message for f in hinted)
    assert not [f for f in analyze(marked).findings if "looks like a committee" in f.message]


def test_removing_a_required_control_is_refused_with_its_basis(marked):
    with pytest.raises(BprError) as caught:
        apply_changes(marked, parse_changes([{"remove": COMMITTEE}]))
    text = str(caught.value)
    assert COMMITTEE in text and "介護保険法第27条第5項" in text
