"""Invariants that hold for every case and every run: the waiting split, Little's law, conservation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.changes import load_process
from bpr.simulate import SimConfig, simulate
from bpr.simulate.engine import CASE_FIELDS
from bpr.simulate.tdist import t_quantile
from simhelp import SEED, cases, make_process, run_once

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"
CAUSES = ("wait_contention", "wait_priority", "wait_batching", "wait_unavailability", "wait_transport",
          "wait_external", "wait_rework")


def assert_split_adds_up(rows: list[dict[str, float]]) -> None:
    assert rows, "no case finished: nothing was checked"
    for case in rows:
        total = case["lead_time"] - case["path_touch"]
        assert case["waiting"] == total
        parts = [case[c] for c in CAUSES]
        tolerance = 1e-9 * max(1.0, case["lead_time"])
        assert min(parts) >= -tolerance, case
        assert abs(sum(parts) - total) <= tolerance, case
        assert case["path_touch"] <= case["touch_time"] + tolerance
        assert -tolerance <= case["counter_wait"] <= total + tolerance


def test_waiting_split_adds_up_for_every_case_of_the_multistep_scenario() -> None:
    process = load_process(THEORY / "multistep.yaml")
    out = run_once(process, date(2026, 4, 1), horizon="8w", warm_up="1w", seed=3)
    rows = cases(out)
    assert len(rows) > 500
    assert_split_adds_up(rows)
    # Every cause but external waiting (the scenario has no wait step) occurs, so each was really exercised.
    for cause in CAUSES:
        if cause == "wait_external":
            assert sum(case[cause] for case in rows) == 0
            continue
        assert sum(case[cause] for case in rows) > 0, cause
    assert out.arrived == out.completed + out.unfinished


def test_littles_law_on_the_multistep_scenario() -> None:
    """Time-average work in process L equals arrival rate x mean lead time W, replication by replication."""
    process = load_process(THEORY / "multistep.yaml")
    config = SimConfig(horizon="12w", warm_up="2w", replications=10, seed=SEED)
    result = simulate(process, config)
    window = config.horizon_minutes
    wip = np.array(result.values["wip"])
    lam_w = np.array(result.values["arrived"]) / window * np.array(result.values["lead_time"])
    diff = wip - lam_w
    half = t_quantile(0.995, len(diff) - 1) * diff.std(ddof=1) / len(diff) ** 0.5
    assert half < 0.10 * wip.mean(), "CI too wide to test anything"
    assert abs(diff.mean()) <= half, f"L = {wip.mean():.3f}, lambda W = {lam_w.mean():.3f} ± {half:.3f}"


def test_utilisation_is_a_fraction_and_staff_hours_follow_from_it() -> None:
    process = load_process(THEORY / "multistep.yaml")
    config = SimConfig(horizon="4w", warm_up="1w", replications=3, seed=2)
    result = simulate(process, config)
    for role_id, role in result.roles.items():
        values = result.values[f"role.{role_id}.utilisation"]
        assert all(0 <= u <= 1 for u in values), (role_id, values)
        assert role.fte.mean == pytest.approx(role.staff_hours_per_year.mean / config.hours_per_fte, rel=1e-12)


# --- random small processes ---------------------------------------------------------------------------

_DURATIONS = st.sampled_from(["0m", "5m", "45m", "3h", {"dist": "exponential", "mean": "20m"},
                              {"dist": "triangular", "min": "1m", "mode": "10m", "max": "2h"}])


@st.composite
def small_processes(draw: st.DrawFn) -> dict:
    """A chain of 1-5 blocks (task, approval with rework/batch, handoff, wait, parallel pair whose first
    branch may return the case before the split, coin-flip skip)."""
    n = draw(st.integers(1, 5))
    steps: list[dict] = []
    roles = {"a": {"staff": draw(st.integers(1, 3))}, "b": {"staff": draw(st.sampled_from([1, "unlimited"]))},
             "c": {"staff": 1, "calendar": "always"}}
    for i in range(n):
        nxt = f"b{i + 1}" if i + 1 < n else "done"
        kind = draw(st.sampled_from(["task", "approval", "handoff", "wait", "parallel", "skip"]))
        role = draw(st.sampled_from(sorted(roles)))
        if kind == "task":
            steps.append({"id": f"b{i}", "type": "task", "role": role, "duration": draw(_DURATIONS),
                          "citizen_present": draw(st.booleans()), "next": nxt})
        elif kind == "approval":
            step = {"id": f"b{i}", "type": "approval", "role": role, "duration": draw(_DURATIONS), "next": nxt}
            if draw(st.booleans()):
                step["reject"] = {"probability": draw(st.sampled_from([0.2, 0.5])),
                                  "to": f"b{draw(st.integers(0, i))}"}
            if draw(st.booleans()):
                step["batch"] = draw(st.sampled_from([["10:00"], ["09:00", "15:00"], ["12:30"]]))
            steps.append(step)
        elif kind == "handoff":
            step = {"id": f"b{i}", "type": "handoff", "delay": draw(_DURATIONS), "next": nxt}
            if draw(st.booleans()):
                step["departures"] = ["14:00"]
            steps.append(step)
        elif kind == "wait":
            steps.append({"id": f"b{i}", "type": "wait", "duration": draw(_DURATIONS), "next": nxt})
        elif kind == "parallel":
            branch = {"id": f"b{i}x", "type": "task", "role": role, "duration": draw(_DURATIONS),
                      "next": f"b{i}j"}
            if draw(st.booleans()):  # a co-signer that returns the case to a step before the split (or to it)
                branch.update(type="approval", reject={"probability": draw(st.sampled_from([0.2, 0.5])),
                                                       "to": f"b{draw(st.integers(0, i))}"})
            steps += [
                {"id": f"b{i}", "type": "parallel", "next": [f"b{i}x", f"b{i}y"], "join": f"b{i}j"},
                branch,
                {"id": f"b{i}y", "type": "task", "role": "a", "duration": draw(_DURATIONS), "next": f"b{i}j"},
                {"id": f"b{i}j", "type": "join", "next": nxt},
            ]
        else:
            steps += [
                {"id": f"b{i}", "type": "decision", "next": [{"to": f"b{i}t", "probability": 0.5},
                                                              {"to": nxt, "probability": 0.5}]},
                {"id": f"b{i}t", "type": "task", "role": role, "duration": draw(_DURATIONS), "next": nxt},
            ]
    steps.append({"id": "done", "type": "end"})
    calendar = draw(st.sampled_from(["always", {}]))
    return {"calendar": calendar, "roles": roles, "steps": steps,
            "arrivals": [{"channel": "counter", "rate": draw(st.sampled_from(["8/day", "30/day"]))},
                         {"channel": "online", "rate": "4/day", "calendar": "always", "priority": 1}]}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_processes(), st.integers(0, 2**32))
def test_waiting_split_adds_up_for_random_processes(data: dict, seed: int) -> None:
    process = make_process(data)
    out = run_once(process, date(2026, 4, 27), horizon="1w", warm_up="0m", seed=seed)
    rows = cases(out)
    assert len(rows) == out.completed
    assert_split_adds_up(rows)
    assert out.arrived == out.completed + out.unfinished
    assert len(CASE_FIELDS) == len(rows[0])
