"""Feasibility from annotations and defaults, the quadrant thresholds, impact from paired simulations, and the
extra-staff heuristic that needs a simulated baseline."""

from __future__ import annotations

import math

import pytest
from redesign_helpers import process

from bpr.redesign import Candidate, Context, feasibility, quadrant
from bpr.redesign.evaluate import apply_candidate
from bpr.redesign.feasibility import FEASIBLE, WEIGHTS
from bpr.redesign.heuristics.staffing import TARGET_UTILISATION, staff_bottleneck
from bpr.redesign.impact import impact
from bpr.redesign.quadrant import HIGH_IMPACT
from bpr.simulate import SimConfig, compare, simulate

STEPS = """
- {id: receive, type: task, role: clerk, duration: 10m, medium: paper, next: mail}
- {id: mail, type: handoff, mode: internal_mail, delay: 1h, next: ok}
- id: ok
  type: approval
  role: chief
  duration: 5m
  medium: paper
  batch: ["16:00"]
  next: seal
- id: seal
  type: task
  role: clerk
  duration: 5m
  medium: paper
  stamp: true
  feasibility: {system_change: false, note: 電子公印は導入済み}
  next: notify
- id: notify
  type: task
  role: clerk
  duration: 5m
  medium: paper
  feasibility: {ordinance_change: true, note: 通知の電子化には条例改正が必要}
  next: done
- {id: done, type: end}
"""


def candidate(*changes: dict) -> Candidate:
    return Candidate(id="test", heuristic="suggestion", title="", explanation="", changes=tuple(changes))


def test_feasibility_defaults_per_change_kind() -> None:
    p = process(STEPS)
    cases = [
        ({"batch": {"step": "ok", "at": None}}, 1.0, ()),
        ({"digitize": ["receive"]}, (1 - WEIGHTS["system_change"]) * (1 - WEIGHTS["training"]), ("system_change", "training")),
        ({"remove": "ok"}, 1 - WEIGHTS["internal_rule"], ("internal_rule",)),
        ({"remove": "mail"}, 1 - WEIGHTS["system_change"], ("system_change",)),
        ({"delegate": {"step": "ok", "to": "director"}}, (1 - WEIGHTS["internal_rule"]) * (1 - WEIGHTS["training"]),
         ("internal_rule", "training")),
        ({"staff": {"clerk": 3}}, 1 - WEIGHTS["budget"], ("budget",)),
        ({"merge": ["seal", "notify"]}, None, None),
    ]
    for change, score, needs in cases[:-1]:
        found = feasibility(p, candidate(change))
        assert found.score == pytest.approx(score), change
        assert found.requirements == needs, change
    assert feasibility(p, candidate({"batch": {"step": "ok", "at": None}})).reasons == ("needs nothing beyond a decision to do it",)


def test_a_step_annotation_overrides_the_defaults_for_changes_to_that_step() -> None:
    p = process(STEPS)
    seal = feasibility(p, candidate({"digitize": ["seal"]}))
    assert seal.requirements == ("training",)  # system_change: false -- the e-seal exists
    assert "note: 電子公印は導入済み" in seal.reasons
    notify = feasibility(p, candidate({"digitize": ["notify"]}))
    assert notify.requirements == ("ordinance_change", "system_change", "training")
    assert notify.score == pytest.approx((1 - WEIGHTS["ordinance_change"]) * (1 - WEIGHTS["system_change"]) * (1 - WEIGHTS["training"]))
    assert not notify.feasible and notify.score < FEASIBLE
    together = feasibility(p, candidate({"digitize": ["seal", "notify"]}))
    assert together.requirements == notify.requirements  # requirements are a union, counted once


def test_quadrants_follow_the_documented_thresholds() -> None:
    assert quadrant(HIGH_IMPACT, FEASIBLE) == "A"
    assert quadrant(HIGH_IMPACT, FEASIBLE - 0.01) == "B"
    assert quadrant(HIGH_IMPACT - 0.001, 1.0) == "C"
    assert quadrant(HIGH_IMPACT - 0.001, FEASIBLE - 0.01) == "D"
    assert quadrant(0.0, 1.0) == "D"  # nothing to win
    assert quadrant(-0.2, 1.0) == "D"


LINE = """
roles:
  clerk: {staff: unlimited, authority: 1, hourly_cost: 3000}
  chief: {staff: unlimited, authority: 3, hourly_cost: 5000}
  director: {staff: unlimited, authority: 5, hourly_cost: 7000}
"""
APPROVALS = """
- {id: prepare, type: task, role: clerk, duration: 10m, next: chief_ok}
- {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [a], next: director_ok}
- {id: director_ok, type: approval, role: director, duration: 5m, checks: [a, b], next: done}
- {id: done, type: end}
"""
FAST = SimConfig(replications=4, horizon="3d", warm_up="0d")


def test_impact_of_removing_a_fixed_step_with_no_queues_is_exact_in_lead_time() -> None:
    before = process(APPROVALS, roles=LINE, arrivals="arrivals: [{channel: internal, rate: 48/day}]")
    after = apply_candidate(before, [{"remove": "chief_ok"}])
    found = impact(compare(before, after, FAST), before, after)
    lead = found.measures["lead_time"]
    # 20 minutes of work in a row, nobody waits: every case takes exactly 20, then 15 minutes.
    assert lead["before"] == pytest.approx(20.0) and lead["after"] == pytest.approx(15.0)
    assert lead["significant"] and lead["saving"] == pytest.approx(0.25)
    # No counter and hourly costs stated: lead time 0.5, staff-hours 0.25, cost 0.25.
    assert set(found.contributions) == {"lead_time", "staff_hours_per_year", "cost_yen_per_year"}
    assert found.contributions["lead_time"] == pytest.approx(0.5 * 0.25)
    # Every case's work is 20, then 15 minutes: staff-hours fall by a quarter (work straddling the window's
    # edges is counted in part, so the ratio is exact only up to those few cases).
    hours = found.measures["staff_hours_per_year"]
    low, high = hours["percent_ci95"]
    assert low <= -25.0 <= high and hours["significant"]
    assert hours["percent_change"] == pytest.approx(-25.0, abs=0.5)
    assert found.score == pytest.approx(sum(found.contributions.values()))


def test_added_staff_is_counted_as_paid_capacity() -> None:
    roles = LINE.replace("chief: {staff: unlimited", "chief: {staff: 1")
    before = process(APPROVALS, roles=roles, arrivals="arrivals: [{channel: internal, rate: 48/day}]")
    after = apply_candidate(before, [{"staff": {"chief": 3}}])
    comparison = compare(before, after, FAST)
    found = impact(comparison, before, after)
    simulated = comparison.differences["staff_hours_per_year"].difference.mean
    assert found.capacity_hours_per_year == pytest.approx(2 * FAST.hours_per_fte)
    assert found.measures["staff_hours_per_year"]["difference"] == pytest.approx(simulated + 2 * FAST.hours_per_fte)
    yen = found.measures["cost_yen_per_year"]["difference"]
    assert yen == pytest.approx(comparison.differences["cost_yen_per_year"].difference.mean + 2 * FAST.hours_per_fte * 5000)


BUSY = """
roles:
  clerk: {staff: 1, authority: 1, hourly_cost: 3000}
"""
ONE_TASK = """
- {id: work, type: task, role: clerk, duration: {dist: exponential, mean: 10m}, next: done}
- {id: done, type: end}
"""
BASELINE = SimConfig(replications=3, horizon="1w", warm_up="1d")


def test_staff_fires_at_the_bottleneck_and_not_when_nobody_is_busy() -> None:
    busy = process(ONE_TASK, roles=BUSY, arrivals="arrivals: [{channel: internal, rate: 5/hour, calendar: always}]")
    baseline = simulate(busy, BASELINE)
    utilisation = baseline.roles["clerk"].utilisation.mean
    assert 0.75 <= utilisation < 0.95  # offered load 5/h x 10 min = 0.83
    (found,) = staff_bottleneck(Context(busy, baseline=baseline))
    wanted = max(2, math.ceil(utilisation / TARGET_UTILISATION))
    assert list(found.changes) == [{"staff": {"clerk": wanted}}]
    quiet = process(ONE_TASK, roles=BUSY, arrivals="arrivals: [{channel: internal, rate: 2/hour, calendar: always}]")
    assert staff_bottleneck(Context(quiet, baseline=simulate(quiet, BASELINE))) == []
    assert staff_bottleneck(Context(busy)) == []  # no baseline simulated: nothing to go on
