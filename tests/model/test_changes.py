"""The change language: exact rewiring of every change kind, every refusal with its message, round trips."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.errors import ChangeError, ModelError
from bpr.changes import (
    CHANGE_KINDS,
    Arrivals,
    Batch,
    ChannelChange,
    Delegate,
    Digitize,
    Merge,
    Parallelize,
    Remove,
    SetFields,
    Staff,
    apply_changes,
    change_to_data,
    describe,
    load_process,
    parse_changes,
)
from bpr.model.distributions import Fixed, Lognormal, Triangular
from bpr.model.graph import successors_of
from bpr.model.load import parse_process, process_from_data, process_to_data, read_yaml
from bpr.model.volume import annual_cases

PURCHASE = """\
id: purchase
name: 物品購入
roles:
  clerk: {name: 担当, staff: 2, department: 総務課, authority: 1}
  chief: {staff: 1, department: 総務課, authority: 2}
  manager: {staff: 1, department: 総務課, authority: 3}
  director: {staff: 1, department: 財政課, authority: 4}
attributes:
  amount: {dist: uniform, min: 1000, max: 2000000}
arrivals:
  - {channel: counter, rate: 30/day}
  - {channel: mail, rate: 10/day}
steps:
  - {id: receive, type: task, role: clerk, duration: 10m, medium: paper, next: enter}
  - {id: enter, type: task, role: clerk, duration: {dist: triangular, min: 5m, mode: 10m, max: 20m},
     rekey: true, medium: paper, stamp: true, next: chief_check}
  - {id: chief_check, type: approval, role: chief, duration: 5m, stamp: true, checks: [form],
     reject: {probability: 0.1, to: enter}, next: to_finance}
  - {id: to_finance, type: handoff, delay: 1h, departures: ["14:00"], next: manager_ok}
  - {id: manager_ok, type: approval, role: manager, duration: 10m, stamp: true, checks: [form, budget],
     batch: ["10:00", "16:00"], next: director_ok}
  - {id: director_ok, type: approval, role: director, duration: {dist: exponential, mean: 15m},
     checks: [budget], next: decide, control: {kind: legal, basis: 規則第5条}}
  - {id: decide, type: decision, next: [{to: order, when: "amount > 100000"}, {to: done, otherwise: true}]}
  - {id: order, type: task, role: clerk, duration: 30m, next: done}
  - {id: done, type: end}
"""

COSIGN = """\
id: cosign
name: 合議
roles:
  clerk: {staff: 1}
  legal: {staff: 1, authority: 2}
  budget: {staff: 1, authority: 2}
  audit: {staff: 1, authority: 2}
arrivals:
  - {channel: counter, rate: 5/day}
steps:
  - {id: draft, type: task, role: clerk, duration: 30m, next: split}
  - {id: split, type: parallel, next: [legal_check, budget_check, audit_check], join: joined}
  - {id: legal_check, type: approval, role: legal, duration: 20m, next: joined, reject: {probability: 0.1, to: draft}}
  - {id: budget_check, type: approval, role: budget, duration: 10m, next: joined}
  - {id: audit_check, type: approval, role: audit, duration: 10m, next: joined}
  - {id: joined, type: join, next: file}
  - {id: file, type: task, role: clerk, duration: 5m, next: done}
  - {id: done, type: end}
"""

# Two approvals by one role in a row, and a payment kept apart from its preparation by a control.
PAYMENT = """\
id: payment
name: 支出
roles:
  clerk: {staff: 2}
  chief: {staff: 1, authority: 2}
  treasurer: {staff: 1, authority: 3}
arrivals:
  - {channel: internal, rate: 8/day, start: prepare}
start: prepare
steps:
  - {id: prepare, type: task, role: clerk, duration: 20m, next: check_a}
  - {id: check_a, type: approval, role: chief, duration: 5m, checks: [amount, vendor], stamp: true,
     reject: {probability: 0.1, to: prepare}, next: check_b}
  - {id: check_b, type: approval, role: chief, duration: {dist: lognormal, mean: 6m, sd: 2m}, checks: [vendor, budget],
     reject: {probability: 0.2, to: prepare}, next: pay}
  - {id: pay, type: approval, role: treasurer, duration: 10m, next: done,
     control: {kind: segregation, basis: 会計規則第12条, separate_from: [prepare]}}
  - {id: done, type: end}
"""


@pytest.fixture(scope="module")
def purchase():
    return parse_process(PURCHASE, file="purchase.yaml")


@pytest.fixture(scope="module")
def cosign():
    return parse_process(COSIGN, file="cosign.yaml")


@pytest.fixture(scope="module")
def payment():
    return parse_process(PAYMENT, file="payment.yaml")


def apply(process, *changes: dict[str, Any]):
    return apply_changes(process, parse_changes(list(changes)), file="changes.yaml")


def routes(process) -> dict[str, list[tuple[str, str]]]:
    """step id -> [(edge kind, target), ...] as the graph sees them."""
    return {step.id: [(data["kind"], target) for target, data in successors_of(step)] for step in process.steps}


def refusal(process, *changes: dict[str, Any]) -> str:
    with pytest.raises(ChangeError) as caught:
        apply(process, *changes)
    return str(caught.value)


# --- remove ----------------------------------------------------------------------------------------


def test_remove_reconnects_predecessors_to_the_next_step(purchase):
    after = apply(purchase, {"remove": "chief_check"})
    assert after.step_ids == ("receive", "enter", "to_finance", "manager_ok", "director_ok", "decide", "order", "done")
    assert routes(after)["enter"] == [("next", "to_finance")]
    assert routes(after)["receive"] == routes(purchase)["receive"]


def test_remove_when_puts_a_bypass_decision_in_front_of_the_step(purchase):
    after = apply(purchase, {"remove": {"step": "chief_check", "when": "amount < 50000"}})
    assert after.step_ids == (
        "receive", "enter", "chief_check_bypass", "chief_check", "to_finance", "manager_ok", "director_ok",
        "decide", "order", "done",
    )
    assert routes(after)["enter"] == [("next", "chief_check_bypass")]
    assert routes(after)["chief_check_bypass"] == [("branch", "to_finance"), ("branch", "chief_check")]
    bypass = after.step("chief_check_bypass")
    assert bypass.next[0].when == "amount < 50000" and bypass.next[1].otherwise
    assert routes(after)["chief_check"] == routes(purchase)["chief_check"]


def test_remove_when_round_trips_and_is_described():
    (change,) = parse_changes([{"remove": {"step": "x", "when": "amount < 5"}}])
    assert change_to_data(change) == {"remove": {"step": "x", "when": "amount < 5"}}
    assert describe(change) == "Skip step x when amount < 5: those cases go straight to its next step."


def test_remove_when_with_an_unknown_attribute_names_the_change(purchase):
    message = refusal(purchase, {"remove": {"step": "chief_check", "when": "amout < 5"}})
    assert "changes[0]" in message and "amout" in message


def test_reorder_runs_a_chain_in_the_listed_order(payment):
    after = apply(payment, {"reorder": ["check_b", "check_a"]})
    assert routes(after)["prepare"] == [("next", "check_b")]
    assert routes(after)["check_b"] == [("next", "check_a"), ("reject", "prepare")]
    assert routes(after)["check_a"] == [("next", "pay"), ("reject", "prepare")]
    assert change_to_data(parse_changes([{"reorder": ["check_b", "check_a"]}])[0]) == {"reorder": ["check_b", "check_a"]}


def test_reorder_of_steps_that_are_not_one_chain_is_refused(payment):
    message = refusal(payment, {"reorder": ["check_a", "prepare_nope"]})
    assert "'prepare_nope' does not exist" in message
    message = refusal(payment, {"reorder": ["pay", "prepare"]})
    assert "do not follow one another as a serial chain" in message


def test_triage_sends_simple_cases_to_a_lighter_copy(purchase):
    after = apply(purchase, {"triage": {"step": "chief_check", "when": "amount < 50000", "duration": "2m"}})
    assert routes(after)["enter"] == [("next", "chief_check_triage")]
    assert routes(after)["chief_check_triage"] == [("branch", "chief_check_simple"), ("branch", "chief_check")]
    simple, full = after.step("chief_check_simple"), after.step("chief_check")
    assert simple.duration == Fixed(value=2) and simple.role == full.role and simple.next == full.next
    assert simple.name.endswith("（簡易）")


def test_triage_by_share_uses_probabilities(purchase):
    after = apply(purchase, {"triage": {"step": "chief_check", "share": 0.6, "duration": "2m"}})
    branches = after.step("chief_check_triage").next
    assert [(b.to, b.probability) for b in branches] == [("chief_check_simple", 0.6), ("chief_check", 0.4)]
    with pytest.raises(ModelError) as caught:
        parse_changes([{"triage": {"step": "chief_check", "duration": "2m"}}])
    assert str(caught.value) == (
        "<input>: changes[0].triage: give exactly one of 'when' (a condition) or 'share' (e.g. 0.6)"
    )


def test_remove_a_rework_target_sends_rework_to_its_next(purchase):
    after = apply(purchase, {"remove": "enter"})
    assert routes(after)["receive"] == [("next", "chief_check")]
    assert routes(after)["chief_check"] == [("next", "to_finance"), ("reject", "chief_check")]


def test_remove_the_first_step_keeps_the_start_implicit_when_it_can(purchase):
    after = apply(purchase, {"remove": "receive"})
    assert after.start is None and after.start_step == "enter"


def test_remove_the_start_step_moves_explicit_starts(payment):
    after = apply(payment, {"remove": "prepare"})
    assert after.start == "check_a"
    assert after.arrivals[0].start == "check_a"
    assert routes(after)["check_a"] == [("next", "check_b"), ("reject", "check_a")]
    # the control that kept 'pay' apart from 'prepare' no longer names a step that is gone
    assert after.step("pay").control.separate_from == ()


def test_remove_a_branch_of_a_three_way_split_keeps_the_split(cosign):
    after = apply(cosign, {"remove": "audit_check"})
    assert after.step("split").next == ("legal_check", "budget_check")
    assert "audit_check" not in after.step_ids


def test_remove_down_to_one_branch_dissolves_split_and_join(cosign):
    after = apply(cosign, {"remove": "audit_check"}, {"remove": "budget_check"})
    assert after.step_ids == ("draft", "legal_check", "file", "done")
    assert routes(after)["draft"] == [("next", "legal_check")]
    assert routes(after)["legal_check"] == [("next", "file"), ("reject", "draft")]


def test_remove_every_branch_dissolves_split_and_join(cosign):
    after = apply(cosign, {"remove": "audit_check"}, {"remove": "budget_check"}, {"remove": "legal_check"})
    assert after.step_ids == ("draft", "file", "done")
    assert routes(after)["draft"] == [("next", "file")]


def test_remove_unknown_step_names_the_change_and_suggests(purchase):
    assert refusal(purchase, {"staff": {"clerk": 3}}, {"remove": "chief_chek"}) == (
        "changes.yaml: changes[1].remove: step 'chief_chek' does not exist — did you mean 'chief_check'?"
    )


def test_remove_a_required_control_is_refused(purchase):
    assert refusal(purchase, {"remove": "director_ok"}) == (
        "changes.yaml: changes[0].remove: step 'director_ok' is a required control (legal: 規則第5条); "
        "a redesign may not remove it — keep the step, or make it lighter with digitize/delegate/batch"
    )


@pytest.mark.parametrize(
    ("step", "kind", "hint"),
    [
        ("decide", "decision", ("a decision chooses a path; remove the steps of the branch you no longer want, "
                                "or change its branches with 'set'")),
        ("done", "end", "an end has no next step; route the step before it elsewhere with 'set: {step: ..., next: ...}'"),
    ],
)
def test_remove_of_routing_steps_is_refused_with_a_hint(purchase, step, kind, hint):
    assert refusal(purchase, {"remove": step}) == (
        f"changes.yaml: changes[0].remove: step {step!r} is a {kind} step; only task, approval, handoff and wait "
        f"steps can be removed — {hint}"
    )


@pytest.mark.parametrize("step", ["split", "joined"])
def test_remove_of_split_or_join_is_refused(cosign, step):
    message = refusal(cosign, {"remove": step})
    assert "only task, approval, handoff and wait steps can be removed — remove the branch steps instead" in message


# --- digitize --------------------------------------------------------------------------------------


def test_digitize_tasks_approvals_and_handoffs(purchase):
    after = apply(purchase, {"digitize": ["enter", "chief_check", "to_finance"]})
    enter, check, handoff = after.step("enter"), after.step("chief_check"), after.step("to_finance")
    assert (enter.medium, enter.rekey, enter.stamp) == ("digital", False, False)
    assert enter.duration == purchase.step("enter").duration  # factor 1 by default: no invented saving
    assert (check.medium, check.stamp, check.checks) == ("digital", False, ("form",))
    assert (handoff.mode, handoff.medium, handoff.delay, handoff.departures) == ("electronic", "digital", Fixed(value=0), None)
    assert after.step("receive") == purchase.step("receive")


def test_digitize_factor_scales_every_time_parameter(purchase):
    after = apply(purchase, {"digitize": {"steps": ["enter", "receive"], "factor": 0.5}})
    assert after.step("enter").duration == Triangular(min=2.5, mode=5, max=10)
    assert after.step("receive").duration == Fixed(value=5)


def test_digitize_takes_the_digital_duration_the_file_states_and_uses_it_up(purchase):
    estimated = apply(purchase, {"set": {"step": "enter", "digital_duration": "2m"}},
                      {"set": {"step": "receive", "digital_duration": "4m"}})
    after = apply(estimated, {"digitize": ["enter", "chief_check"]})
    assert after.step("enter").duration == Fixed(value=2) and after.step("enter").digital_duration is None
    assert after.step("chief_check").duration == purchase.step("chief_check").duration  # nothing stated: kept
    assert after.step("receive").digital_duration == Fixed(value=4)  # not digitised: the estimate stays
    # An explicit factor is the change's own claim: it applies to every listed step, estimates unused.
    scaled = apply(estimated, {"digitize": {"steps": ["enter"], "factor": 0.5}})
    assert scaled.step("enter").duration == Triangular(min=2.5, mode=5, max=10)
    assert scaled.step("enter").digital_duration is None
    assert describe(parse_changes([{"digitize": ["enter"]}])[0]).endswith(
        "durations kept unless the file states a step's digital_duration.")


def test_merge_adds_up_estimates_and_lanes_that_name_the_same_cases(purchase):
    lane = {"when": "amount < 10000", "duration": "3m"}
    estimated = apply(purchase, {"set": {"step": "receive", "digital_duration": "4m", "simple": lane}})
    merged = apply(estimated, {"merge": ["receive", "enter"]}).step("receive")
    enter = purchase.step("enter").duration
    assert merged.digital_duration.mean == pytest.approx(4 + enter.mean, abs=1e-4)  # enter states none: its duration
    assert merged.simple.when == "amount < 10000"
    assert merged.simple.duration.mean == pytest.approx(3 + enter.mean, abs=1e-4)
    other = apply(estimated, {"set": {"step": "enter", "simple": {"share": 0.3, "duration": "2m"}}})
    assert refusal(other, {"merge": ["receive", "enter"]}) == (
        "changes.yaml: changes[0].merge: steps receive, enter name different simple cases ('simple'); a merged "
        "step can have only one lighter lane — make 'simple' the same first with 'set', or remove it from all "
        "but one step"
    )


def test_digitize_a_decision_is_refused(purchase):
    assert refusal(purchase, {"digitize": ["enter", "decide"]}) == (
        "changes.yaml: changes[0].digitize[1]: step 'decide' is a decision step; only task, approval, "
        "handoff and wait steps can be digitized"
    )


# --- delegate --------------------------------------------------------------------------------------


def test_delegate_with_a_condition_adds_a_delegation(purchase):
    after = apply(purchase, {"delegate": {"step": "director_ok", "to": "manager", "when": "amount <= 1000000"}})
    step = after.step("director_ok")
    assert step.role == "director"
    assert [(d.when, d.role) for d in step.delegations] == [("amount <= 1000000", "manager")]


def test_delegate_without_condition_replaces_the_role(purchase):
    after = apply(purchase, {"delegate": {"step": "manager_ok", "to": "chief"}})
    assert after.step("manager_ok").role == "chief" and after.step("manager_ok").delegations == ()


def test_delegate_refusals(purchase):
    assert refusal(purchase, {"delegate": {"step": "director_ok", "to": "manger"}}) == (
        "changes.yaml: changes[0].delegate.to: role 'manger' does not exist — did you mean 'manager'?"
    )
    assert refusal(purchase, {"delegate": {"step": "enter", "to": "chief"}}) == (
        "changes.yaml: changes[0].delegate.step: step 'enter' is a task step; only approvals can be delegated"
    )
    assert refusal(purchase, {"delegate": {"step": "manager_ok", "to": "manager"}}) == (
        "changes.yaml: changes[0].delegate.to: approval 'manager_ok' is already decided by role 'manager'"
    )


def test_delegate_that_breaks_segregation_of_duties_is_refused(payment):
    assert refusal(payment, {"delegate": {"step": "pay", "to": "clerk", "when": "channel == 'internal'"}}) == (
        "changes.yaml: changes[0].delegate: role 'clerk' would do both 'prepare' and 'pay', which a control "
        "of 'pay' keeps apart (segregation of duties) — give one of the steps to another role"
    )


def test_delegate_condition_on_unknown_attribute_makes_the_process_invalid(purchase):
    message = refusal(purchase, {"delegate": {"step": "director_ok", "to": "manager", "when": "amout < 5"}})
    assert message == (
        "changes.yaml: changes[0].delegate: makes the process invalid: steps[5].delegations[0].when: "
        "condition reads 'amout', which is not a case attribute — did you mean 'amount'?"
    )


# --- parallelize -----------------------------------------------------------------------------------


def test_parallelize_builds_split_and_join(purchase):
    after = apply(purchase, {"parallelize": ["manager_ok", "director_ok"]})
    assert after.step_ids == (
        "receive", "enter", "chief_check", "to_finance", "manager_ok_split", "manager_ok", "director_ok",
        "manager_ok_join", "decide", "order", "done",
    )
    split = after.step("manager_ok_split")
    assert (split.type, split.next, split.join) == ("parallel", ("manager_ok", "director_ok"), "manager_ok_join")
    assert routes(after)["to_finance"] == [("next", "manager_ok_split")]
    assert routes(after)["manager_ok"] == [("next", "manager_ok_join")]
    assert routes(after)["director_ok"] == [("next", "manager_ok_join")]
    assert routes(after)["manager_ok_join"] == [("next", "decide")]


def test_parallelize_keeps_rework_out_of_the_chain_and_sends_returns_to_the_split(payment):
    after = apply(payment, {"parallelize": ["check_a", "check_b"]})
    assert routes(after)["prepare"] == [("next", "check_a_split")]
    assert routes(after)["check_a"] == [("next", "check_a_join"), ("reject", "prepare")]
    assert routes(after)["check_b"] == [("next", "check_a_join"), ("reject", "prepare")]
    assert routes(after)["check_a_join"] == [("next", "pay")]


def test_parallelize_reroutes_returns_to_the_first_step_through_the_split(purchase):
    changed = apply(purchase, {"set": {"step": "director_ok", "reject": {"probability": 0.05, "to": "chief_check"}}})
    after = apply(changed, {"digitize": ["to_finance"]}, {"remove": "to_finance"}, {"parallelize": ["chief_check", "manager_ok"]})
    assert routes(after)["director_ok"] == [("next", "decide"), ("reject", "chief_check_split")]
    assert routes(after)["chief_check"] == [("next", "chief_check_join"), ("reject", "enter")]


def test_parallelize_picks_fresh_ids():
    process = process_from_data({
        "id": "ids", "name": "ids", "roles": {"clerk": {}}, "arrivals": [{"channel": "mail", "rate": "1/day"}],
        "steps": [
            {"id": "a", "type": "task", "role": "clerk", "duration": "5m", "next": "b"},
            {"id": "b", "type": "task", "role": "clerk", "duration": "5m", "next": "a_split"},
            {"id": "a_split", "type": "task", "role": "clerk", "duration": "5m", "next": "e"},
            {"id": "e", "type": "end"},
        ],
    })
    after = apply(process, {"parallelize": ["a", "b"]})
    assert after.step_ids == ("a_split_2", "a", "b", "a_join", "a_split", "e")
    assert after.start is None


def test_parallelize_refusals(purchase, payment):
    assert refusal(purchase, {"parallelize": ["chief_check", "manager_ok"]}) == (
        "changes.yaml: changes[0].parallelize[1]: 'chief_check' is not followed by 'manager_ok' (its next is "
        "'to_finance'); parallelize needs a serial chain chief_check -> manager_ok"
    )
    assert refusal(purchase, {"parallelize": ["chief_check", "to_finance"]}) == (
        "changes.yaml: changes[0].parallelize[1]: step 'to_finance' is a handoff step; only tasks and "
        "approvals can be run in parallel"
    )
    assert refusal(purchase, {"parallelize": ["enter", "chief_check"]}) == (
        "changes.yaml: changes[0].parallelize[0]: 'chief_check' sends rejected cases back to 'enter', inside "
        "the chain; run in parallel, that return would leave the other branches waiting at the join — point "
        "those routes at the first step of the chain with 'set', or parallelize a shorter chain"
    )
    assert refusal(purchase, {"parallelize": ["receive", "enter"]}) == (
        "changes.yaml: changes[0].parallelize[1]: step 'enter' is also entered from 'chief_check' (reject.to); "
        "parallelize needs a chain entered only at 'receive' — point those routes at the first step of the "
        "chain with 'set', or parallelize a shorter chain"
    )
    assert refusal(payment, {"parallelize": ["check_a", "check_a"]}) == (
        "changes.yaml: changes[0].parallelize[1]: step 'check_a' is listed twice"
    )


# --- merge -----------------------------------------------------------------------------------------


def test_merge_moment_matches_and_combines_approvals(payment):
    after = apply(payment, {"merge": ["check_a", "check_b"]})
    assert after.step_ids == ("prepare", "check_a", "pay", "done")
    merged = after.step("check_a")
    assert merged.duration == Lognormal(mean=11, sd=2)  # means 5 + 6, variances 0 + 4
    assert merged.checks == ("amount", "vendor", "budget")
    assert merged.stamp is True
    assert merged.reject.to == "prepare"
    assert merged.reject.probability == 0.28  # 1 - (1 - 0.1)(1 - 0.2)
    assert routes(after)["check_a"][0] == ("next", "pay")


def test_merge_fixed_durations_add_up_and_rework_into_the_chain_follows(purchase):
    merged = apply(purchase, {"set": {"step": "enter", "duration": "15m"}}, {"merge": ["receive", "enter"]})
    step = merged.step("receive")
    assert step.duration == Fixed(value=25)
    assert (step.medium, step.rekey, step.stamp) == ("paper", True, True)
    assert routes(merged)["chief_check"] == [("next", "to_finance"), ("reject", "receive")]


def test_merge_with_explicit_duration_and_name(purchase):
    after = apply(purchase, {"merge": {"steps": ["receive", "enter"], "duration": "12m", "name": "受付入力"}})
    assert after.step("receive").duration == Fixed(value=12) and after.step("receive").name == "受付入力"


def test_merge_lognormal_of_mixed_distributions_matches_moments(purchase):
    after = apply(purchase, {"merge": ["receive", "enter"]})
    dist = after.step("receive").duration
    triangular = Triangular(min=5, mode=10, max=20)
    assert isinstance(dist, Lognormal)
    assert dist.mean == pytest.approx(10 + triangular.mean, abs=1e-4)
    assert dist.variance == pytest.approx(triangular.variance, abs=1e-3)


def test_merge_refusals(purchase, payment):
    assert refusal(purchase, {"merge": ["enter", "chief_check"]}) == (
        "changes.yaml: changes[0].merge: steps enter, chief_check mix approval and task; only steps of one type merge"
    )
    assert refusal(purchase, {"merge": ["manager_ok", "director_ok"]}) == (
        "changes.yaml: changes[0].merge: steps manager_ok, director_ok are done by different roles (director, "
        "manager); only one role's consecutive steps merge — delegate or 'set' the role first if one person "
        "should do both"
    )
    control = apply(payment, {"set": {"step": "check_b", "control": {"basis": "規則"}}})
    assert refusal(control, {"merge": ["check_a", "check_b"]}) == (
        "changes.yaml: changes[0].merge[1]: step 'check_b' is a required control (legal: 規則); a redesign may "
        "not merge it — keep the step, or make it lighter with digitize/delegate/batch"
    )
    batched = apply(payment, {"batch": {"step": "check_a", "at": ["10:00"]}}, {"batch": {"step": "check_b", "at": ["15:00"]}})
    assert refusal(batched, {"merge": ["check_a", "check_b"]}) == (
        "changes.yaml: changes[0].merge: steps 'check_a', 'check_b' differ in 'batch'; a merged step can have "
        "only one — make 'batch' the same first with 'set'"
    )


# --- staff, batch, set -----------------------------------------------------------------------------


def test_staff(purchase):
    after = apply(purchase, {"staff": {"clerk": 4, "chief": "unlimited"}})
    assert (after.roles["clerk"].staff, after.roles["chief"].staff, after.roles["clerk"].name) == (4, "unlimited", "担当")
    assert refusal(purchase, {"staff": {"clerc": 4}}) == (
        "changes.yaml: changes[0].staff.clerc: role 'clerc' does not exist — did you mean 'clerk'?"
    )


def test_batch(purchase):
    assert apply(purchase, {"batch": {"step": "manager_ok", "at": None}}).step("manager_ok").batch is None
    assert apply(purchase, {"batch": {"step": "chief_check", "at": ["09:00"]}}).step("chief_check").batch == ("09:00",)
    assert refusal(purchase, {"batch": {"step": "order", "at": None}}) == (
        "changes.yaml: changes[0].batch.step: step 'order' is a task step; only approvals can be batched"
    )


def test_set_fields_and_reset_to_default(purchase):
    after = apply(purchase, {"set": {"step": "chief_check", "duration": "7m", "reject": None, "name": "係長確認"}})
    step = after.step("chief_check")
    assert (step.duration, step.reject, step.name) == (Fixed(value=7), None, "係長確認")


def test_set_refusals(purchase):
    assert refusal(purchase, {"set": {"step": "order", "id": "buy"}}) == (
        "changes.yaml: changes[0].set.id: cannot set 'id': ids are stable: other steps, analyses and logs refer to them"
    )
    assert refusal(purchase, {"set": {"step": "order", "duraton": "5m"}}) == (
        "changes.yaml: changes[0].set.duraton: a task step has no field 'duraton'; fields: name, description, "
        "control, feasibility, role, duration, medium, rekey, citizen_present, stamp, digital_duration, simple, deadline, next — did you mean 'duration'?"
    )
    assert refusal(purchase, {"set": {"step": "order", "duration": "5 parsecs"}}) == (
        "changes.yaml: changes[0].set.duration: makes the process invalid: steps[7].duration: unknown time "
        "unit 'parsecs' in '5 parsecs'; use s, m, h, d or w"
    )
    assert refusal(purchase, {"set": {"step": "order", "next": "dne"}}) == (
        "changes.yaml: changes[0].set.next: makes the process invalid: steps[7].next: no step 'dne' — did you mean 'done'?"
    )


# --- arrivals --------------------------------------------------------------------------------------


def total_volume(process) -> float:
    return sum(annual_cases(process, arrival) for arrival in process.arrivals)


def test_arrivals_share_creates_an_online_stream_and_keeps_the_total(purchase):
    after = apply(purchase, {"arrivals": {"online": {"share": 0.5}}})
    channels = [(a.channel, a.rate, a.calendar) for a in after.arrivals]
    assert channels[:2] == [("counter", "15/day", None), ("mail", "5/day", None)]
    assert channels[2][0] == "online" and channels[2][2] == "always"
    assert total_volume(after) == pytest.approx(total_volume(purchase), rel=1e-5)
    online = annual_cases(after, after.arrivals[2])
    assert online == pytest.approx(0.5 * total_volume(purchase), rel=1e-5)


def test_arrivals_share_of_existing_channel_shrinks_the_others_in_proportion(purchase):
    after = apply(purchase, {"arrivals": {"mail": {"share": 0.5}}})
    assert [(a.channel, a.rate) for a in after.arrivals] == [("counter", "20/day"), ("mail", "20/day")]


def test_arrivals_share_zero_removes_a_channel(purchase):
    after = apply(purchase, {"arrivals": {"mail": {"share": 0}}})
    assert [(a.channel, a.rate) for a in after.arrivals] == [("counter", "40/day")]


def test_arrivals_rate_and_new_channel_start(purchase):
    after = apply(purchase, {"arrivals": {"counter": {"rate": "20/day"}, "online": {"rate": "5/day", "start": "enter"}}})
    assert [(a.channel, a.rate, a.start, a.calendar) for a in after.arrivals] == [
        ("counter", "20/day", None, None), ("mail", "10/day", None, None), ("online", "5/day", "enter", "always"),
    ]


def test_arrivals_refusals(purchase):
    assert refusal(purchase, {"arrivals": {"counter": {"share": 0.7}, "mail": {"share": 0.2}}}) == (
        "changes.yaml: changes[0].arrivals: the shares add up to 0.9, and no other channel is left to take the "
        "remaining 10% — make the shares add up to 1"
    )
    assert refusal(purchase, {"arrivals": {"online": {"share": 0.3, "start": "entr"}}}) == (
        "changes.yaml: changes[0].arrivals.online.start: step 'entr' does not exist — did you mean 'enter'?"
    )


# --- several changes, attribution ------------------------------------------------------------------


def test_changes_apply_in_order_and_the_culprit_is_named(purchase):
    with pytest.raises(ChangeError) as caught:
        apply(purchase, {"remove": "chief_check"}, {"digitize": ["enter"]}, {"remove": "chief_check"})
    (issue,) = caught.value.issues
    assert issue.path == "changes[2].remove"
    assert issue.message == "step 'chief_check' does not exist"


def test_apply_returns_a_new_process_and_leaves_the_old_alone(purchase):
    before = purchase.model_dump()
    after = apply(purchase, {"remove": "chief_check"})
    assert purchase.model_dump() == before and after is not purchase
    assert "chief_check" in purchase.step_ids


# --- parsing ---------------------------------------------------------------------------------------


CHANGE_FILE = """\
base: before.yaml
changes:
  - remove: chief_check
  - remov: x
  - delegate: {step: director_ok, too: manager}
  - {digitize: [enter], merge: [a, b]}
  - parallelize: [one]
  - staff: {clerk: lots}
  - arrivals: {onlin: {share: 0.5}}
  - batch: {step: manager_ok, at: ["25:00"]}
  - set: {name: x}
  - remove: 受付
"""


def test_parse_reports_every_problem_with_lines():
    data, locations = read_yaml(CHANGE_FILE, "after.yaml")
    with pytest.raises(ModelError) as caught:
        parse_changes(data["changes"], file="after.yaml", locations=locations)
    assert [issue.format() for issue in caught.value.issues] == [
        "after.yaml:4:5: changes[1].remov: unknown change 'remov' — did you mean 'remove'?",
        "after.yaml:5:15: changes[2].delegate: missing field 'to'",
        "after.yaml:5:35: changes[2].delegate.too: unknown field; allowed: step, to, when — did you mean 'to'?",
        "after.yaml:6:5: changes[3]: a change has exactly one kind, got 2: digitize, merge — write each change as its own list item",
        "after.yaml:7:18: changes[4].parallelize: needs at least 2 steps, got 1",
        "after.yaml:8:20: changes[5].staff.clerk: staff must be a whole number of people or 'unlimited', got 'lots'",
        "after.yaml:9:16: changes[6].arrivals.onlin: 'onlin' is not one of: counter, mail, online, internal, phone — did you mean 'online'?",
        "after.yaml:10:36: changes[7].batch.at[0]: cannot read time of day '25:00'; write HH:MM such as '08:30'",
        "after.yaml:11:10: changes[8].set: missing field 'step'",
        "after.yaml:12:13: changes[9].remove: '受付' is not an id: ids are ASCII letters, digits and '_', starting with a letter",
]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"remove": "x"}, "<input>: changes: expected a list of changes, got dict — write one change per item: '- remove: chief_check'"),
        (["remove x"], "<input>: changes[0]: expected a one-key mapping such as 'remove: chief_check', got 'remove x' — kinds: "
         + ", ".join(CHANGE_KINDS)),
        ([{"arrivals": {"online": {"share": 0.5, "rate": "3/day"}}}],
         "<input>: changes[0].arrivals.online: give exactly one of 'share' (e.g. 0.5), 'rate' (e.g. '20/day'), 'times' (instants to replay) or 'at' (one case at an instant)"),
        ([{"arrivals": {"online": {"share": 0.5}, "mail": {"rate": "3/day"}}}],
         "<input>: changes[0].arrivals: mix of 'share' and 'rate' in one change; write them as two changes"),
        ([{"arrivals": {"online": {"share": 0.8}, "mail": {"share": 0.3}}}],
         "<input>: changes[0].arrivals: shares add up to 1.1, more than 1"),
        ([{"digitize": {"steps": ["a"], "factor": 0}}], "<input>: changes[0].digitize.factor: Input should be greater than 0, got 0"),
        ([{"merge": {"steps": ["a", "b"], "duration": "5 parsecs"}}],
         "<input>: changes[0].merge.duration: unknown time unit 'parsecs' in '5 parsecs'; use s, m, h, d or w"),
        ([{"delegate": {"step": "a", "to": "b", "when": "__import__('os')"}}], None),
    ],
)
def test_parse_errors(data, message):
    with pytest.raises(ModelError) as caught:
        parse_changes(data)
    if message is not None:
        assert str(caught.value) == message
    else:
        assert caught.value.issues[0].path == "changes[0].delegate.when"


EXAMPLES: list[dict[str, Any]] = [
    {"remove": "chief_check"},
    {"digitize": ["receive", "enter"]},
    {"digitize": {"steps": ["enter"], "factor": 0.8}},
    {"delegate": {"step": "director_ok", "to": "manager", "when": "amount <= 1000000"}},
    {"delegate": {"step": "director_ok", "to": "manager"}},
    {"parallelize": ["legal_check", "budget_check"]},
    {"merge": ["a", "b"]},
    {"merge": {"steps": ["a", "b"], "duration": {"dist": "lognormal", "mean": "20m", "sd": "5m"}, "name": "受付"}},
    {"staff": {"clerk": 4, "kiosk": "unlimited"}},
    {"arrivals": {"online": {"share": 0.5}}},
    {"arrivals": {"online": {"rate": "20/day", "start": "check", "calendar": "always"}}},
    {"batch": {"step": "manager_ok", "at": None}},
    {"batch": {"step": "manager_ok", "at": ["10:00", "16:00"]}},
    {"set": {"step": "order", "duration": "20m", "medium": "paper"}},
    {"reorder": ["budget_check", "legal_check"]},
    {"triage": {"step": "check", "when": "amount < 100000", "duration": "5m"}},
    {"calendar": {"name": "committee", "nth": None}},
    {"calendar": {"role": "board", "use": "always"}},
    {"triage": {"step": "check", "share": 0.6, "duration": "5m", "name": "簡易審査"}},
    {"remove": {"step": "chief_check", "when": "amount < 50000"}},
]


@pytest.mark.parametrize("data", EXAMPLES, ids=lambda d: next(iter(d)))
def test_round_trip(data):
    (change,) = parse_changes([data])
    assert change_to_data(change) == data
    assert parse_changes([change_to_data(change)]) == (change,)


def test_round_trip_of_short_forms_gives_the_canonical_form():
    (change,) = parse_changes([{"digitize": "enter"}])
    assert change == Digitize(steps=("enter",)) and change_to_data(change) == {"digitize": ["enter"]}
    (change,) = parse_changes([{"remove": {"step": "x"}}])
    assert change == Remove(step="x") and change_to_data(change) == {"remove": "x"}


def test_every_kind_has_a_model_and_an_example():
    assert CHANGE_KINDS == (
        "remove", "digitize", "delegate", "parallelize", "merge", "reorder", "triage", "staff", "arrivals", "batch", "calendar", "set"
    )
    assert {next(iter(example)) for example in EXAMPLES} == set(CHANGE_KINDS)


def test_describe_is_one_plain_line_per_kind():
    lines = [describe(change) for change in parse_changes(EXAMPLES)]
    assert all("\n" not in line and line.endswith(".") for line in lines)
    assert lines[0] == "Remove step chief_check: cases routed to it go straight to its next step."
    assert lines[3] == "Delegate approval director_ok to role manager when amount <= 1000000."
    assert lines[9] == (
        "Shift arrivals, keeping the annual total: online 50% of cases; other channels shrink in proportion."
    )
    assert describe(Batch(step="m", at=None)) == "Approver of m works the in-tray continuously (no batching)."
    assert describe(Staff(roles={"clerk": 4})) == "Set staff: clerk 4."
    assert describe(Parallelize(steps=("a", "b"))) == "Run a, b in parallel instead of one after another."
    assert describe(Merge(steps=("a", "b"))) == "Merge a, b into one step a (durations added)."
    assert describe(SetFields(step="x", values={"duration": "5m"})) == "Set duration=5m on step x."
    assert describe(Delegate(step="d", to="m")) == "Delegate approval d to role m for every case."
    assert describe(Arrivals(channels={"online": ChannelChange(rate="5/day")})) == "Set arrival rates: online 5/day."


# --- change-list files through the loader ---------------------------------------------------------


def test_change_list_file_loads_and_reports_lines(tmp_path: Path):
    (tmp_path / "before.yaml").write_text(PURCHASE, encoding="utf-8")
    good = tmp_path / "after.yaml"
    good.write_text("base: before.yaml\nchanges:\n  - remove: chief_check\n  - staff: {clerk: 3}\n", encoding="utf-8")
    after = load_process(good)
    assert "chief_check" not in after.step_ids and after.roles["clerk"].staff == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: before.yaml\nchanges:\n  - remove: chief_check\n  - remove: chief_check\n", encoding="utf-8")
    with pytest.raises(ChangeError) as caught:
        load_process(bad)
    assert str(caught.value) == f"{bad}:4:13: changes[1].remove: step 'chief_check' does not exist"


# --- property: removing any removable step of a chain --------------------------------------------


@st.composite
def chain_processes(draw):
    """Valid chain processes: tasks, approvals (some returning to an earlier step) and handoffs, some controls."""
    count = draw(st.integers(min_value=1, max_value=8))
    kinds = draw(st.lists(st.sampled_from(["task", "approval", "handoff"]), min_size=count, max_size=count))
    ids = [f"s{i}" for i in range(count)] + ["done"]
    steps = []
    for i, kind in enumerate(kinds):
        step: dict[str, Any] = {"id": ids[i], "type": kind, "next": ids[i + 1]}
        if kind == "handoff":
            step["delay"] = "1h"
        else:
            step["role"] = draw(st.sampled_from(["clerk", "chief"]))
            step["duration"] = f"{draw(st.integers(min_value=1, max_value=60))}m"
        if kind == "approval" and i > 0 and draw(st.booleans()):
            step["reject"] = {"probability": 0.1, "to": ids[draw(st.integers(min_value=0, max_value=i - 1))]}
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            step["control"] = {"basis": "条例"}
        steps.append(step)
    steps.append({"id": "done", "type": "end"})
    data = {
        "id": "chain",
        "name": "連鎖",
        "roles": {"clerk": {"staff": 2}, "chief": {"authority": 2}},
        "arrivals": [{"channel": "counter", "rate": "10/day"}],
        "steps": steps,
    }
    return process_from_data(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(process=chain_processes(), pick=st.integers(min_value=0, max_value=100))
def test_removing_any_removable_step_of_a_chain_keeps_it_valid(process, pick):
    removable = [s.id for s in process.steps if s.type != "end" and s.control is None]
    if not removable:
        return
    victim = removable[pick % len(removable)]
    following = process.step(victim).next
    after = apply(process, {"remove": victim})
    assert len(after.steps) == len(process.steps) - 1
    assert victim not in after.step_ids
    for step in after.steps:
        old = process.step(step.id)
        expected = [(kind, following if target == victim else target) for kind, target in routes(process)[old.id]]
        assert routes(after)[step.id] == expected
    assert after.start_step == (following if process.start_step == victim else process.start_step)


@settings(max_examples=30, deadline=None)
@given(process=chain_processes())
def test_removing_a_control_is_always_refused(process):
    for step in process.steps:
        if step.control is not None:
            with pytest.raises(ChangeError, match="is a required control"):
                apply(process, {"remove": step.id})


def test_merged_lognormal_moments_are_exact_up_to_rounding():
    a, b = Lognormal(mean=6, sd=2), Triangular(min=1, mode=2, max=9)
    total_mean, total_var = a.mean + b.mean, a.variance + b.variance
    process = process_from_data({
        "id": "m", "name": "m", "roles": {"clerk": {}}, "arrivals": [{"channel": "mail", "rate": "1/day"}],
        "steps": [
            {"id": "a", "type": "task", "role": "clerk", "duration": {"dist": "lognormal", "mean": "6m", "sd": "2m"}, "next": "b"},
            {"id": "b", "type": "task", "role": "clerk", "duration": {"dist": "triangular", "min": "1m", "mode": "2m", "max": "9m"}, "next": "e"},
            {"id": "e", "type": "end"},
        ],
    })
    merged = apply(process, {"merge": ["a", "b"]}).step("a").duration
    assert abs(merged.mean - total_mean) <= 5e-5
    assert abs(math.sqrt(merged.variance) - math.sqrt(total_var)) <= 5e-5


# --- bpr whatif ------------------------------------------------------------------------------------

from typer.testing import CliRunner

from bpr.cli.main import app

runner = CliRunner()


@pytest.fixture()
def before(tmp_path: Path) -> Path:
    path = tmp_path / "before.yaml"
    path.write_text(PURCHASE, encoding="utf-8")
    return path


FAST = ["-r", "2", "--horizon", "1w", "--warm-up", "1w", "--workers", "1"]


def test_whatif_prints_the_comparison_and_keeps_comments_modeline_and_name(before: Path, tmp_path: Path):
    modeline = "# yaml-language-server: $schema=../schema/process.schema.json"
    before.write_text(f"{modeline}\n# 物品購入（現行）\n" + PURCHASE, encoding="utf-8")
    changes = tmp_path / "option.yaml"
    changes.write_text("# vim: set ft=yaml:\n# 案A：課長確認をなくす\nname: 物品購入（案A）\nchanges:\n  - remove: chief_check\n",
                       encoding="utf-8")
    result = runner.invoke(app, ["whatif", str(before), "--changes", str(changes), *FAST])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [modeline, "# vim: set ft=yaml:"]  # modelines first, where editors look
    assert "# 物品購入（現行）" in lines and "# 案A：課長確認をなくす" in lines
    after = parse_process(result.stdout)  # stdout is the process alone: `> after.yaml` stays clean
    assert after.name == "物品購入（案A）" and "chief_check" not in after.step_ids
    assert "lead time reduction" in result.stderr and "before / after" in result.stderr
    out = tmp_path / "after.yaml"
    written = runner.invoke(app, ["whatif", str(before), "--changes", str(changes), "-o", str(out), *FAST])
    assert written.exit_code == 0, written.stderr
    assert "lead time reduction" in written.stdout and out.read_text(encoding="utf-8").startswith(modeline)


def test_whatif_prints_a_process_that_loads_again(before: Path):
    result = runner.invoke(app, ["whatif", str(before), "--change", "remove: chief_check", "--change", "{staff: {clerk: 4}}",
                                 "--yaml-only"])
    assert result.exit_code == 0, result.stderr
    after = parse_process(result.stdout)
    assert "chief_check" not in after.step_ids and after.roles["clerk"].staff == 4
    assert after.name == "物品購入"


def test_whatif_json(before: Path):
    import json

    result = runner.invoke(app, ["whatif", str(before), "-c", "digitize: [to_finance]", "--format", "json", *FAST])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    after = process_from_data(data["process"])
    assert after.step("to_finance").mode == "electronic"
    assert data["comparison"]["kind"] == "comparison" and data["comparison"]["before"]["config"]["replications"] == 2
    only = runner.invoke(app, ["whatif", str(before), "-c", "digitize: [to_finance]", "--format", "json", "--yaml-only"])
    assert only.exit_code == 0, only.stderr
    assert process_from_data(json.loads(only.stdout)).step("to_finance").mode == "electronic"


def test_whatif_bad_change_exits_2_with_the_message(before: Path):
    result = runner.invoke(app, ["whatif", str(before), "-c", "staff: {clerk: 2}", "-c", "remove: chief_chek"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "--change: changes[1].remove: step 'chief_chek' does not exist — did you mean 'chief_check'?\n"
    )
    assert "Traceback" not in result.output


def test_whatif_reports_every_bad_snippet(before: Path):
    result = runner.invoke(app, ["whatif", str(before), "-c", "digitize: [a", "-c", "remove: {"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("--change 1:1:13: invalid YAML:")
    assert lines[1].startswith("--change 2:")


def test_whatif_unknown_kind_suggests(before: Path):
    result = runner.invoke(app, ["whatif", str(before), "-c", "remov: chief_check"])
    assert result.exit_code == 2
    assert result.stderr == "--change: changes[0].remov: unknown change 'remov' — did you mean 'remove'?\n"


def test_whatif_changes_file_first_then_snippets(before: Path, tmp_path: Path):
    changes = tmp_path / "changes.yaml"
    changes.write_text("- remove: chief_check\n- batch: {step: manager_ok, at: null}\n", encoding="utf-8")
    result = runner.invoke(app, ["whatif", str(before), "--changes", str(changes), "-c", "remove: to_finance",
                                 "--yaml-only"])
    assert result.exit_code == 0, result.stderr
    after = parse_process(result.stdout)
    assert routes(after)["enter"] == [("next", "manager_ok")] and after.step("manager_ok").batch is None
    changes.write_text("changes:\n  - remove: chief_check\n  - delegate: {step: manager_ok, to: chef}\n", encoding="utf-8")
    result = runner.invoke(app, ["whatif", str(before), "--changes", str(changes)])
    assert result.exit_code == 2
    assert result.stderr == f"{changes}:3:38: changes[1].delegate.to: role 'chef' does not exist — did you mean 'chief'?\n"


def test_whatif_output_file_is_written_whole_or_not_at_all(before: Path, tmp_path: Path):
    out = tmp_path / "after.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = runner.invoke(app, ["whatif", str(before), "-c", "remove: nowhere", "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = runner.invoke(app, ["whatif", str(before), "-c", "parallelize: [manager_ok, director_ok]", "-o", str(out),
                                 "--yaml-only"])
    assert result.exit_code == 0, result.stderr
    assert "Run manager_ok, director_ok in parallel instead of one after another." in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.yaml", "before.yaml"]  # no temp file left
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.stderr
    assert "manager_ok_split" in load_process(out).step_ids


def test_whatif_bad_base_file_exits_2(tmp_path: Path):
    result = runner.invoke(app, ["whatif", str(tmp_path / "nope.yaml"), "-c", "remove: x"])
    assert result.exit_code == 2 and "no such file" in result.stderr


# --- the analysis' suggestions are changes that apply ---------------------------------------------

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*/before.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.parent.name)
def test_suggestions_of_the_analysis_apply(path: Path):
    from bpr.analysis.analyze import analyze
    from bpr.analysis.plan import suggested_changes

    process = load_process(path)
    findings = analyze(process).findings
    for finding in findings:
        if finding.suggestion:
            apply_changes(process, parse_changes([finding.suggestion]))
    together = suggested_changes(findings)
    after = apply_changes(process, parse_changes(together))
    assert (after.model_dump() != process.model_dump()) == bool(together)


# --- more refusals and corners ---------------------------------------------------------------------


def test_apply_accepts_the_file_form(purchase):
    after = apply_changes(purchase, [{"remove": "chief_check"}, Staff(roles={"clerk": 5})])
    assert "chief_check" not in after.step_ids and after.roles["clerk"].staff == 5


def test_unknown_steps_are_located_in_list_forms(purchase):
    assert refusal(purchase, {"digitize": ["enter", "recieve"]}) == (
        "changes.yaml: changes[0].digitize[1]: step 'recieve' does not exist — did you mean 'receive'?"
    )
    assert refusal(purchase, {"set": {"step": "ordr", "name": "x"}}) == (
        "changes.yaml: changes[0].set.step: step 'ordr' does not exist — did you mean 'order'?"
    )


def test_merge_with_returns_to_different_steps_is_refused(payment):
    changed = apply(
        payment,
        {"set": {"step": "check_a", "reject": None}},
        {"set": {"step": "check_b", "reject": {"probability": 0.2, "to": "check_a"}}},
    )
    merged = apply(changed, {"merge": ["check_a", "check_b"]})  # a return into the chain becomes a redo
    assert (merged.step("check_a").reject.to, merged.step("check_a").reject.probability) == ("check_a", 0.2)
    elsewhere = apply(payment, {"set": {"step": "check_b", "reject": {"probability": 0.2, "to": "check_b"}}})
    assert refusal(elsewhere, {"merge": ["check_a", "check_b"]}) == (
        "changes.yaml: changes[0].merge: steps check_a, check_b send rejected cases to different steps "
        "(check_a, prepare) — make reject.to the same first with 'set'"
    )


def test_merge_of_a_chain_entered_in_the_middle_is_refused(purchase):
    assert refusal(purchase, {"merge": ["decide", "order"]}) == (
        "changes.yaml: changes[0].merge[0]: step 'decide' is a decision step; only tasks and approvals can be merged"
    )
    mail_enters = {"arrivals": {"mail": {"rate": "10/day", "start": "enter"}}}
    assert refusal(purchase, mail_enters, {"merge": ["receive", "enter"]}) == (
        "changes.yaml: changes[1].merge[1]: step 'enter' is also entered from the mail arrivals (start); merge needs "
        "a chain entered only at 'receive' — point those routes at the first step with 'set' first"
    )


def test_arrivals_rate_for_a_channel_with_several_streams_keeps_their_proportions(purchase):
    data = process_to_data(purchase)
    data["arrivals"] = [{"channel": "counter", "rate": "30/day"}, {"channel": "counter", "rate": "10/day", "start": "enter"}]
    after = apply(process_from_data(data), {"arrivals": {"counter": {"rate": "20/day"}}})
    assert [(a.rate, a.start) for a in after.arrivals] == [("15/day", None), ("5/day", "enter")]


def test_arrivals_with_an_unknown_calendar_is_refused(purchase):
    assert refusal(purchase, {"arrivals": {"online": {"share": 0.2, "calendar": "alway"}}}) == (
        "changes.yaml: changes[0].arrivals.online.calendar: calendar 'alway' does not exist — did you mean 'always'?"
    )


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(CHANGE_KINDS + ("steps", "step", "to", "when", "at", "share", "rate", "online", "10:00")),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(CHANGE_KINDS + ("steps", "step", "to", "factor", "online", "x")), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(data=_JSONISH)
def test_parsing_anything_raises_only_model_errors(data):
    try:
        changes = parse_changes(data if isinstance(data, list) else [data])
    except ModelError as error:
        assert error.issues and all(issue.path.startswith("changes") for issue in error.issues)
    else:
        assert all(parse_changes([change_to_data(c)]) == (c,) for c in changes)


def test_applying_anything_parsed_raises_only_change_errors(purchase):
    for data in EXAMPLES:
        try:
            apply(purchase, data)
        except ChangeError as error:
            assert error.issues[0].path.startswith("changes[0].")


def test_wrong_types_are_named_in_plain_words():
    with pytest.raises(ModelError) as caught:
        parse_changes([{"remove": ["a", "b"]}, {"digitize": [1]}, {"delegate": {"step": "x", "to": 3}}])
    assert [issue.format() for issue in caught.value.issues] == [
        ("<input>: changes[0].remove: expected a step id, got ['a', 'b'] — remove one step per change: "
         "'- remove: a' then '- remove: b'"),
        "<input>: changes[1].digitize[0]: expected a step id, got 1",
        "<input>: changes[2].delegate.to: expected a role id, got 3",
    ]
