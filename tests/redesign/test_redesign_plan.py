"""The whole redesign on a small process: ranking, quadrants, the greedy plan, the plan file, the JSON."""

from __future__ import annotations

import json

import pytest
from redesign_helpers import process, text

from bpr.changes import load_process
from bpr.model.load import process_to_data
from bpr.redesign import Candidate, quadrant, redesign, weakened_controls
from bpr.redesign.evaluate import apply_candidate
from bpr.redesign.plan import adapt
from bpr.redesign.planfile import plan_yaml, relative_base
from bpr.simulate import SimConfig

ROLES = """
roles:
  clerk: {staff: 3, authority: 1, hourly_cost: 3000, department: section}
  chief: {staff: 1, authority: 3, hourly_cost: 5000, department: section}
  director: {staff: 1, authority: 5, hourly_cost: 8000, department: section}
  budget: {staff: 1, authority: 3, hourly_cost: 4500, department: finance}
"""
STEPS = """
- {id: prepare, type: task, role: clerk, duration: {dist: triangular, min: 10m, mode: 20m, max: 40m}, medium: paper, next: chief_ok}
- {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [amount], medium: paper, stamp: true, next: to_budget}
- {id: to_budget, type: handoff, mode: internal_mail, delay: 1h, departures: ["10:00", "14:00"], next: budget_ok}
- id: budget_ok
  type: approval
  role: budget
  duration: 10m
  checks: [funds]
  reject: {probability: 0.05, to: budget_ok}
  control: {kind: legal, basis: 地方自治法第232条の3}
  next: to_director
- {id: to_director, type: handoff, mode: internal_mail, delay: 1h, departures: ["10:00", "14:00"], next: director_ok}
- id: director_ok
  type: approval
  role: director
  duration: 5m
  checks: [amount, need]
  reject: {probability: 0.05, to: prepare}
  batch: ["16:00"]
  required_authority: [{when: "amount < 100000", level: 3}, {level: 5}]
  next: done
- {id: done, type: end}
"""
EXTRA = "attributes: {amount: {dist: uniform, min: 0, max: 300000}}"
PARTS = {
    "roles": ROLES,
    "extra": EXTRA,
    "arrivals": "arrivals: [{channel: internal, rate: 20/day}]",
    "calendar": 'calendar: {days: [mon, tue, wed, thu, fri], hours: ["08:30-12:00", "13:00-17:15"], holidays: null}',
}
FAST = SimConfig(replications=5, horizon="2w", warm_up="1w")


@pytest.fixture(scope="module")
def small():
    return process(STEPS, **PARTS)


@pytest.fixture(scope="module")
def result(small):
    calls: list[tuple[int, int, str]] = []
    found = redesign(small, FAST, progress=lambda done, total, stage: calls.append((done, total, stage)))
    return found, calls


def test_candidates_are_ranked_by_impact_then_feasibility_with_consistent_quadrants(result) -> None:
    found, _ = result
    scores = [(e.impact.score, e.feasibility.score) for e in found.ranked]
    assert scores == sorted(scores, key=lambda s: (-s[0], -s[1]))
    for e in found.ranked:
        assert e.quadrant == quadrant(e.impact.score, e.feasibility.score)
    ids = {e.candidate.id for e in found.ranked}
    assert {"eliminate:chief_ok", "delegate:director_ok", "digitize:handoffs", "batching:director_ok"} <= ids


def test_the_plan_applies_keeps_controls_and_improves_significantly(small, result) -> None:
    found, _ = result
    plan = found.plan
    assert plan.changes, "the small process has obvious savings; the plan should not be empty"
    rebuilt = apply_candidate(small, plan.changes)
    assert process_to_data(rebuilt) == process_to_data(plan.process)
    assert weakened_controls(small, plan.process) == []
    assert plan.impact is not None and plan.impact.score > 0
    assert plan.impact.improves("lead_time")
    kept = [s for s in plan.steps if s.accepted]
    assert [s.candidate for s in kept] == list(plan.candidates)
    assert all(s.marginal_score is not None and s.marginal_score > 0 for s in kept)
    # Nothing of quadrant D is tried: it has nothing to win.
    tried = {s.adapted_from or s.candidate for s in plan.steps}
    assert not tried & {e.candidate.id for e in found.ranked if e.quadrant == "D"}


def test_progress_counts_replications_up_to_the_total(result) -> None:
    found, calls = result
    done = [c[0] for c in calls]
    assert done == sorted(done) and all(d <= t for d, t, _ in calls)
    assert calls[-1][0] == calls[-1][1] == found.simulations * FAST.replications
    assert calls[0][2] == "baseline"


def test_the_plan_file_loads_back_as_the_plan(small, result, tmp_path) -> None:
    found, _ = result
    base = tmp_path / "scenario" / "before.yaml"
    base.parent.mkdir()
    base.write_text(text(STEPS, **PARTS), encoding="utf-8")
    plan_file = tmp_path / "plans" / "plan.yaml"
    plan_file.parent.mkdir()
    written = plan_yaml(found, relative_base(base, plan_file))
    assert "base: ../scenario/before.yaml" in written
    plan_file.write_text(written, encoding="utf-8")
    loaded = load_process(plan_file)
    assert process_to_data(loaded) == process_to_data(apply_candidate(load_process(base), found.plan.changes))


def test_to_dict_is_plain_json_with_the_documented_keys(result) -> None:
    found, _ = result
    data = json.loads(json.dumps(found.to_dict(), allow_nan=False, ensure_ascii=False))
    assert set(data) == {"schema_version", "kind", "process", "config", "thresholds", "baseline", "candidates",
                         "plan", "refused", "blocked", "simulations"}
    item = data["candidates"][0]
    assert set(item) == {"id", "heuristic", "title", "explanation", "changes", "steps", "sources", "impact",
                         "feasibility", "quadrant", "quadrant_label", "quadrangle", "controls", "rank",
                         "descriptions", "in_plan"}
    assert set(item["quadrangle"]) == {"time", "cost", "quality", "flexibility"}
    assert all(-1 <= axis["score"] <= 1 for axis in item["quadrangle"].values())
    assert set(item["impact"]["measures"]) >= {"lead_time", "staff_hours_per_year", "cost_yen_per_year", "counter_wait"}
    assert set(data["plan"]) == {"candidates", "changes", "descriptions", "impact", "quadrangle", "controls", "steps"}


def test_a_candidate_that_no_longer_applies_is_adapted_to_the_steps_left(small) -> None:
    without = apply_candidate(small, [{"remove": "to_budget"}])
    original = Candidate("digitize:handoffs", "digitize", "", "", ({"digitize": ["to_budget", "to_director"]},),
                         ("to_budget", "to_director"))
    adapted = adapt(without, original)
    assert adapted is not None and list(adapted.changes) == [{"digitize": ["to_director"]}]
    assert adapt(apply_candidate(without, [{"remove": "to_director"}]), original) is None


def test_a_plan_step_counts_as_a_loss_only_beyond_the_non_inferiority_margin() -> None:
    from bpr.redesign.impact import Impact
    from bpr.redesign.plan import NON_INFERIORITY_MARGIN, _materially_worse

    def with_ci(low: float, high: float) -> Impact:
        return Impact(0.0, {"staff_hours_per_year": {"percent_ci95": [low, high]}}, {"staff_hours_per_year": 0.0})

    assert not _materially_worse(with_ci(0.1, 1.3), "staff_hours_per_year")  # significant, but maybe under 1%
    assert _materially_worse(with_ci(NON_INFERIORITY_MARGIN + 0.1, 7.0), "staff_hours_per_year")
    assert not _materially_worse(with_ci(-5.0, -1.0), "staff_hours_per_year")  # better
    assert not _materially_worse(with_ci(None, None), "staff_hours_per_year")  # type: ignore[arg-type]
