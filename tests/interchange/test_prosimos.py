"""The Prosimos export: Prosimos itself reads and runs the export of every shipped scenario, what it cannot
hold is listed, and on queueing models both simulators find the known mean cycle time.

Prosimos draws from NumPy's global generator and takes no seed; every run here seeds that generator first
and gives its state back afterwards (``prosimos_random``), so the runs are reproducible and leave no trace.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from prosimos.simulation_engine import run_simulation

from bpr.changes import load_process
from bpr.interchange.bpmn_check import schema_problems, structural_problems
from bpr.interchange.bpmn_names import BPMN, q
from bpr.interchange.prosimos import MERGED_END, SINGLE_START, prosimos_scenario, write_prosimos
from bpr.model.load import parse_process
from bpr.model.schema import Approval, Task
from bpr.simulate import SimConfig, simulate
from bpr.simulate.estimate import Estimate
from bpr.simulate.queueing import mmc_sojourn, tandem_sojourn

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*/*.yaml"))
SEED = 20261122  # the suite's seed (tests/conftest.py)
START = "2025-01-06T00:00:00.000+00:00"  # a Monday: Prosimos would otherwise start at the clock's now()


@pytest.fixture
def prosimos_random() -> Iterator[None]:
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def run_prosimos(bpmn: Path, parameters: Path, cases: int, seed: int, log: Path) -> dict[str, tuple[float, float]]:
    """Run Prosimos for ``cases`` cases; each case's arrival and cycle time (first enabling to last end), in
    minutes from the first arrival."""
    np.random.seed(seed)
    random.seed(seed)
    run_simulation(str(bpmn), str(parameters), cases, log_out_path=str(log), starting_at=START)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    with log.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            enabled = datetime.fromisoformat(row["enable_time"]).timestamp()
            ended = datetime.fromisoformat(row["end_time"]).timestamp()
            case = row["case_id"]
            first[case] = min(first.get(case, enabled), enabled)
            last[case] = max(last.get(case, ended), ended)
    origin = min(first.values())
    return {case: ((first[case] - origin) / 60, (last[case] - first[case]) / 60) for case in first}


@pytest.mark.parametrize("path", SCENARIOS, ids=[f"{p.parent.name}/{p.stem}" for p in SCENARIOS])
def test_prosimos_runs_the_export_of_every_scenario(path: Path, tmp_path: Path, prosimos_random: None) -> None:
    process = load_process(path)
    bpmn, parameters, _ = write_prosimos(process, tmp_path / "model")
    text = bpmn.read_text(encoding="utf-8")
    assert structural_problems(text) == []
    assert schema_problems(text) in ([], None)
    root = etree.fromstring(text.encode("utf-8"))
    assert len(list(root.iter(q(BPMN, "startEvent")))) == 1
    assert len(list(root.iter(q(BPMN, "endEvent")))) == 1
    assert not list(root.iter(q(BPMN, "userTask"))) and not list(root.iter(q(BPMN, "manualTask")))
    data = json.loads(parameters.read_text(encoding="utf-8"))
    work = [step.id for step in process.steps if isinstance(step, (Task, Approval))]
    assert sorted(entry["task_id"] for entry in data["task_resource_distribution"]) == sorted(work)
    for gateway in data["gateway_branching_probabilities"]:
        assert sum(p["value"] for p in gateway["probabilities"]) == pytest.approx(1.0), gateway["gateway_id"]
    cases = run_prosimos(bpmn, parameters, 30, SEED, tmp_path / "log.csv")
    assert len(cases) == 30  # every case is in the log
    assert all(cycle >= 0 for _, cycle in cases.values())


def test_what_prosimos_cannot_hold_is_listed(repo_root: Path) -> None:
    notes = "\n".join(prosimos_scenario(load_process(repo_root / "scenarios/theory/multistep.yaml")).notes)
    for expected in ("step 'receive': triangular distribution written as a normal",
                     "calendar 'process': public holidays and closed dates are not carried",
                     "step 'decide': delegations (専決) are not followed",
                     "step 'decide': the in-tray batch times ['10:00', '16:00'] are not carried",
                     "step 'mail': departures at ['14:00'] are not carried",
                     "step 'route': conditions replaced by the share of cases taking each branch",
                     "2 arrival streams summed into one Poisson stream",
                     "arrivals enter at receive, enter: one start event, then a choice by share of yearly cases"):
        assert expected in notes
    # a 24/7 queueing model maps without approximation
    assert prosimos_scenario(load_process(repo_root / "scenarios/theory/tandem.yaml")).notes == ()


REPLAYED = """
id: replayed
name: replayed and regular arrivals
roles:
  clerk: {staff: 2}
arrivals:
  - {channel: counter, times: ["2026-04-06 08:41", "2026-04-06 09:12:30", "2026-04-06 16:58"]}
  - {channel: mail, at: "2026-04-07 10:00"}
  - {channel: online, rate: 10/day, pattern: regular}
steps:
  - {id: receive, type: task, role: clerk, duration: 15m, next: done}
  - {id: done, type: end}
"""


def test_replayed_and_regular_arrivals_are_noted_as_poisson() -> None:
    notes = prosimos_scenario(parse_process(REPLAYED, "replayed.yaml")).notes
    assert "arrival stream 'counter': replayed instants written as Poisson arrivals of the same yearly volume " \
           "(Prosimos reads no list of instants)" in notes
    assert any(note.startswith("arrival stream 'mail': replayed instants") for note in notes)
    assert "arrival stream 'online': regular arrivals written as Poisson arrivals of the same rate" in notes


def test_calendars_keep_each_weekday_hours_and_note_other_rules(repo_root: Path) -> None:
    text = """
id: late_thursday
name: counter open late on Thursdays
calendar: {days: [mon, thu], hours: ["08:30-17:15"], weekday_hours: {thu: ["08:30-19:00"]}, holidays: null}
roles:
  clerk: {staff: 1}
arrivals:
  - {channel: counter, rate: 10/day}
steps:
  - {id: receive, type: task, role: clerk, duration: 15m, next: done}
  - {id: done, type: end}
"""
    scenario = prosimos_scenario(parse_process(text, "late_thursday.yaml"))
    assert scenario.parameters["arrival_time_calendar"] == [
        {"from": "MONDAY", "to": "MONDAY", "beginTime": "08:30:00.000", "endTime": "17:15:00.000"},
        {"from": "THURSDAY", "to": "THURSDAY", "beginTime": "08:30:00.000", "endTime": "19:00:00.000"}]
    assert not any("open on every listed weekday" in note for note in scenario.notes)
    notes = prosimos_scenario(load_process(repo_root / "scenarios/care_certification/before.yaml")).notes
    assert any(note.startswith("calendar ") and "nth not carried" in note for note in notes)


def test_several_entries_leave_one_start_event_by_their_share_of_cases(repo_root: Path) -> None:
    process = load_process(repo_root / "scenarios/travel_expense/before.yaml")
    assert {arrival.start or process.start_step for arrival in process.arrivals} == {"order_draft", "claim_draft"}
    scenario = prosimos_scenario(process)
    root = etree.fromstring(scenario.bpmn.encode("utf-8"))
    assert [start.get("id") for start in root.iter(q(BPMN, "startEvent"))] == [SINGLE_START]
    split = {f.get("id"): f.get("targetRef") for f in root.iter(q(BPMN, "sequenceFlow"))
             if f.get("sourceRef") == f"{SINGLE_START}-split"}
    (gateway,) = [g for g in scenario.parameters["gateway_branching_probabilities"]
                  if g["gateway_id"] == f"{SINGLE_START}-split"]
    shares = {split[p["path_id"]]: p["value"] for p in gateway["probabilities"]}
    assert shares == {"order_draft": pytest.approx(0.5), "claim_draft": pytest.approx(0.5)}  # 5,000 a year each


def test_several_end_steps_meet_in_one_end_event(repo_root: Path) -> None:
    process = load_process(repo_root / "scenarios/travel_expense/before.yaml")
    ends = [step.id for step in process.steps if step.type == "end"]
    assert len(ends) >= 2
    scenario = prosimos_scenario(process)
    root = etree.fromstring(scenario.bpmn.encode("utf-8"))
    assert [end.get("id") for end in root.iter(q(BPMN, "endEvent"))] == [MERGED_END]
    into_merge = [f for f in root.iter(q(BPMN, "sequenceFlow")) if f.get("targetRef") == f"{MERGED_END}-merge"]
    assert len(into_merge) >= len(ends)
    assert any(note.startswith(f"end steps {', '.join(ends)} merged into one end event") for note in scenario.notes)


def test_times_are_in_seconds_and_pools_are_the_roles(repo_root: Path) -> None:
    data = prosimos_scenario(load_process(repo_root / "scenarios/theory/mmc.yaml")).parameters
    assert data["task_resource_distribution"] == [{"task_id": "serve", "resources": [
        {"resource_id": "servers", "distribution_name": "expon",
         "distribution_params": [{"value": 60.0}, {"value": 0.0}, {"value": 6000.0}]}]}]
    assert data["arrival_time_distribution"]["distribution_name"] == "expon"
    assert data["arrival_time_distribution"]["distribution_params"][0]["value"] == pytest.approx(60 / 2.4)
    (pool,) = data["resource_profiles"]
    assert pool["resource_list"][0]["amount"] == 3 and pool["resource_list"][0]["assignedTasks"] == ["serve"]
    assert data["arrival_time_calendar"] == [{"from": "MONDAY", "to": "SUNDAY", "beginTime": "00:00:00.000",
                                              "endTime": "23:59:59.999"}]


# --- both simulators on queueing models whose mean cycle time is known -------------------------------------

CROSS = {  # file: (theory in minutes, Prosimos cases per replication)
    "scenarios/theory/mmc.yaml": (mmc_sojourn(2.4, 1.0, 3), 4000),
    "scenarios/theory/tandem.yaml": (tandem_sojourn(0.6, [(1.0, 1), (0.5, 2), (1.25, 1)]), 2500),
    "tests/interchange/data/approval_chain.yaml": (
        tandem_sojourn(0.5, [(1 / 1.2, 1), (1 / 3, 2), (1 / 1.5, 1), (1.0, 1), (1 / 2.4, 2)]), 3000),
}
REPLICATIONS = 10
WARM_UP = 300.0  # minutes: cases arriving earlier are left out by both tools


@pytest.mark.parametrize("name", list(CROSS), ids=[Path(name).stem for name in CROSS])
def test_both_simulators_find_the_mean_cycle_time(name: str, tmp_path: Path, prosimos_random: None) -> None:
    """Each tool's 95% interval of the mean cycle time is narrow enough to mean something, and the mean
    cycle time of queueing theory (Jackson: M/M/c stations in series) lies inside their overlap.

    Prosimos runs start empty; its cases that arrive in the first WARM_UP minutes are left out, as bpr's
    warm-up leaves them out. Cases are served first come first served, so a case's cycle time does not
    depend on arrivals after it and stopping after a fixed number of cases biases nothing.
    """
    theory, cases = CROSS[name]
    process = load_process(ROOT / name)
    ours = simulate(process, SimConfig(horizon="6000m", warm_up=f"{WARM_UP:g}m", replications=20, seed=SEED))
    bpr_estimate = ours.kpis["lead_time"].mean
    bpmn, parameters, notes = write_prosimos(process, tmp_path / "model")
    assert notes == ()
    means = []
    for replication in range(REPLICATIONS):
        run = run_prosimos(bpmn, parameters, cases, SEED + replication, tmp_path / "log.csv")
        kept = [cycle for arrival, cycle in run.values() if arrival >= WARM_UP]
        means.append(sum(kept) / len(kept))
    theirs = Estimate.of(means)
    for tool, estimate in (("bpr", bpr_estimate), ("Prosimos", theirs)):
        assert estimate.half_width < 0.10 * theory, f"{tool}: CI too wide to test anything: add replications"
    low, high = max(bpr_estimate.low, theirs.low), min(bpr_estimate.high, theirs.high)
    assert low <= theory <= high, (
        f"theory {theory:.4f} outside the overlap [{low:.4f}, {high:.4f}] of bpr {bpr_estimate.mean:.4f} "
        f"± {bpr_estimate.half_width:.4f} and Prosimos {theirs.mean:.4f} ± {theirs.half_width:.4f}")
