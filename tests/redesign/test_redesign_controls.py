"""Controls are kept: what weakened_controls reports, and that no proposal removes, merges or breaks one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from redesign_helpers import process

from bpr.changes import apply_changes, load_process, parse_changes
from bpr.model.load import process_from_data, process_to_data
from bpr.redesign import Context, propose, segregation_conflict, weakened_controls

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = sorted(p for p in SCENARIOS.glob("*/*.yaml") if p.parent.name != "theory")

ROLES = """
roles:
  clerk: {staff: 2, authority: 1}
  accountant: {staff: 1, authority: 2}
  chief: {staff: 1, authority: 3}
  director: {staff: 1, authority: 5}
"""
PAYMENT = """
- {id: prepare, type: task, role: clerk, duration: 10m, next: verify}
- id: verify
  type: approval
  role: accountant
  duration: 5m
  checks: [amount]
  control: {kind: segregation, basis: 会計規則第20条, separate_from: [prepare]}
  next: route
- id: route
  type: decision
  next: [{to: decide, when: "amount >= 100"}, {to: pay, otherwise: true}]
- id: decide
  type: approval
  role: director
  duration: 5m
  required_authority: [{when: "amount < 500", level: 3}, {level: 5}]
  control: {kind: legal, basis: 事務決裁規程}
  next: pay
- {id: pay, type: task, role: clerk, duration: 5m, next: done}
- {id: done, type: end}
"""
ATTRIBUTES = "attributes: {amount: {dist: uniform, min: 0, max: 1000}}"


@pytest.fixture
def before():
    return process(PAYMENT, roles=ROLES, extra=ATTRIBUTES)


def edited(before, edit) -> object:
    """A complete after file made by editing ``before``'s data (bypassing the change language's refusals)."""
    data = copy.deepcopy(process_to_data(before))
    edit(data)
    return process_from_data(data, file="<after>")


def step(data, step_id):
    return next(s for s in data["steps"] if s["id"] == step_id)


def test_an_unchanged_or_harmlessly_changed_process_keeps_every_control(before) -> None:
    assert weakened_controls(before, before) == []
    lighter = apply_changes(before, parse_changes([{"digitize": ["verify", "decide"]}, {"batch": {"step": "decide", "at": None}}]))
    assert weakened_controls(before, lighter) == []
    allowed = apply_changes(before, parse_changes([{"delegate": {"step": "decide", "to": "chief", "when": "amount < 500"}}]))
    assert weakened_controls(before, allowed) == []


def test_a_removed_or_unmarked_control_is_reported(before) -> None:
    def drop_verify(data):
        data["steps"] = [s for s in data["steps"] if s["id"] != "verify"]
        step(data, "prepare")["next"] = "route"

    problems = weakened_controls(before, edited(before, drop_verify))
    assert any("verify" in p and "was removed" in p for p in problems)
    unmarked = edited(before, lambda data: step(data, "decide").pop("control"))
    assert weakened_controls(before, unmarked) == ["decide is no longer marked as a control (legal: 事務決裁規程)"]


def test_segregation_of_duties_broken_by_a_complete_after_file_is_reported(before) -> None:
    after = edited(before, lambda data: step(data, "verify").update(role="clerk"))
    problems = weakened_controls(before, after)
    assert any("role clerk would perform both prepare and verify" in p for p in problems), problems
    assert any("decided at authority 1, below 2 before" in p for p in problems), problems


def test_a_delegation_to_the_preparer_is_refused_by_the_change_language_and_flagged_beforehand(before) -> None:
    assert segregation_conflict(before, "verify", "clerk") == "verify must be separate from prepare, which clerk performs"
    assert segregation_conflict(before, "prepare", "accountant") is not None  # the other direction too
    assert segregation_conflict(before, "verify", "chief") is None
    with pytest.raises(Exception, match="segregation of duties"):
        apply_changes(before, parse_changes([{"delegate": {"step": "verify", "to": "clerk", "when": "amount < 10"}}]))


def test_cases_rewired_around_a_control_are_reported(before) -> None:
    def skip(data):
        step(data, "prepare")["next"] = "route"
        data["steps"].insert(1, {"id": "maybe", "type": "decision", "next": [{"to": "verify", "probability": 0.5},
                                                                            {"to": "route", "probability": 0.5}]})
        step(data, "prepare")["next"] = "maybe"

    (problem,) = weakened_controls(before, edited(before, skip))
    assert problem.startswith("every internal case passed control") and "verify" in problem


def test_a_decision_below_the_required_authority_is_reported(before) -> None:
    too_low = apply_changes(before, parse_changes([{"delegate": {"step": "decide", "to": "accountant", "when": "amount < 500"}}]))
    (problem,) = weakened_controls(before, too_low)
    assert problem.startswith("below the required authority at decide") and "accountant" in problem


def test_a_control_without_authority_rules_decided_by_someone_less_senior_is_reported(before) -> None:
    after = edited(before, lambda data: step(data, "verify").update(role="chief"))
    assert weakened_controls(before, after) == []  # more senior: fine
    lower = process(PAYMENT.replace("role: accountant", "role: chief"), roles=ROLES, extra=ATTRIBUTES)
    (problem,) = weakened_controls(lower, before)
    assert "decided at authority 2, below 3 before" in problem


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_proposal_for_a_shipped_scenario_removes_or_merges_a_control(path: Path) -> None:
    p = load_process(path)
    controls = {s.id for s in p.steps if s.control is not None}
    for candidate in propose(Context(p)).candidates:
        for change in candidate.changes:
            (kind, body), = change.items()
            if kind == "remove":  # for every case, or for some (``{step, when}``)
                assert (body["step"] if isinstance(body, dict) else body) not in controls, candidate.id
            if kind in ("triage", "reorder"):  # a control keeps its place and its duration
                steps = [body["step"]] if kind == "triage" else body
                assert not controls & set(steps), candidate.id
            if kind == "merge":
                steps = body["steps"] if isinstance(body, dict) else body
                assert not controls & set(steps), candidate.id


def test_a_candidate_that_would_weaken_a_control_is_refused_and_says_why(before) -> None:
    from bpr.redesign import Candidate, Refusal
    from bpr.redesign.evaluate import Simulator, evaluate
    from bpr.simulate import SimConfig

    config = SimConfig(replications=2, horizon="1d", warm_up="0d")
    simulator = Simulator(config)
    baseline = simulator.run(before, "[]", "baseline")
    too_low = Candidate("suggestion:x", "suggestion", "", "",
                        ({"delegate": {"step": "decide", "to": "accountant", "when": "amount < 500"}},), ("decide",))
    refused = evaluate(before, baseline, too_low, simulator)
    assert isinstance(refused, Refusal) and refused.reason == "would weaken a required control"
    assert refused.weakened and "below the required authority" in refused.weakened[0]
    missing = Candidate("suggestion:y", "suggestion", "", "", ({"remove": "nowhere"},))
    refused = evaluate(before, baseline, missing, simulator)
    assert isinstance(refused, Refusal) and refused.reason.startswith("does not apply: step 'nowhere' does not exist")
    assert simulator.runs == 1  # refused candidates are never simulated
