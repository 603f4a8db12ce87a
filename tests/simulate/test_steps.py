"""Per-step figures (``steps.<id>.waiting``, ``visits``): where cases wait, for diagrams and reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bpr.changes import load_process
from bpr.render.overlay import overlay_from_results
from bpr.simulate import SimConfig, simulate
from bpr.simulate.engine import CASE_FIELDS
from simhelp import make_process, run_once

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"
WAITING = CASE_FIELDS.index("waiting")


def test_waiting_per_step_of_a_hand_computed_case() -> None:
    # Wednesday 2026-05-13 10:00: a 30-minute request, a 10-day reply (Saturday 10:30), a 1-hour re-check on
    # Monday 08:30; the mail run (14:00) then takes the file to the chief, who approves at once.
    process = make_process({
        "roles": {"applicant": {"staff": "unlimited", "calendar": "always", "external": True},
                  "clerk": {"staff": 1}, "chief": {"staff": 1}},
        "arrivals": [{"channel": "counter", "rate": "1/month", "pattern": "regular", "calendar": "always"}],
        "steps": [
            {"id": "prepare", "type": "task", "role": "applicant", "duration": "10h", "next": "request"},
            {"id": "request", "type": "task", "role": "clerk", "duration": "30m", "next": "reply"},
            {"id": "reply", "type": "wait", "duration": "10d", "next": "recheck"},
            {"id": "recheck", "type": "task", "role": "clerk", "duration": "1h", "next": "route"},
            {"id": "route", "type": "decision", "next": [{"to": "mail", "probability": 1.0},
                                                         {"to": "done", "probability": 0.0}]},
            {"id": "mail", "type": "handoff", "delay": "30m", "departures": ["14:00"], "next": "approve"},
            {"id": "approve", "type": "approval", "role": "chief", "duration": "5m", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 13), horizon="3w")
    assert out.completed == 1
    index = {step.id: i for i, step in enumerate(process.steps)}
    waiting = {step: out.step_waiting[i] for step, i in index.items()}
    assert waiting == {"prepare": 0, "request": 0, "reply": 10 * 1440, "recheck": 2 * 1440 - 120, "route": 0,
                       "mail": 4 * 60 + 30 + 30, "approve": 0, "done": 0}
    visits = [out.step_visits[index[s]] for s in ("request", "reply", "mail", "route", "done")]
    assert visits == [1, 1, 1, 0, 0]  # decisions and ends are not timed steps
    assert sum(out.step_waiting) == out.sums[WAITING]


def test_steps_add_up_to_the_waiting_of_a_process_without_splits() -> None:
    # The rework feedback queue: the server is passed about 1.43 times per case, all its waiting is at it.
    result = simulate(load_process(THEORY / "rework.yaml"), SimConfig(horizon="2000m", warm_up="100m",
                                                                      replications=3, seed=5))
    [(step_id, step)] = result.steps.items()
    for r in range(3):
        waiting = result.values[f"step.{step_id}.waiting"][r]
        visits = result.values[f"step.{step_id}.visits"][r]
        assert waiting == pytest.approx(result.values["waiting"][r], rel=1e-12)
        assert visits == pytest.approx(result.values["approvals"][r], rel=1e-12)
    assert step.visits.mean > 1.3 and step.type == "approval"


def test_every_branch_counts_so_steps_add_up_to_more_with_a_split() -> None:
    process = load_process(THEORY / "multistep.yaml")
    result = simulate(process, SimConfig(horizon="3w", warm_up="1w", replications=3, seed=7))
    timed = {s.id for s in process.steps if s.type in ("task", "approval", "handoff", "wait")}
    assert set(result.steps) == timed
    total = sum(step.waiting.mean for step in result.steps.values())
    assert total > result.kpis["waiting"].mean.mean
    for step in result.steps.values():
        assert step.waiting.mean >= 0 and step.visits.mean > 0
        assert step.waiting.low <= step.waiting.mean <= step.waiting.high


def test_the_diagram_overlay_reads_the_step_waits() -> None:
    result = simulate(load_process(THEORY / "multistep.yaml"), SimConfig(horizon="2w", warm_up="1w",
                                                                          replications=2, seed=1))
    waits, utilisation = overlay_from_results(result.to_dict())
    assert waits == {step_id: step.waiting.mean for step_id, step in result.steps.items()}
    assert set(utilisation) <= set(result.roles)
