"""POST /v1/redesign: always a job; the answer is the library's redesign and plan file, exactly; every
error class; identical requests from the store; cancel; steady progress."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from apihelp import QUICK, SMALL_PROCESS_YAML
from fastapi.testclient import TestClient

from bpr.changes import apply_changes, load_process, parse_changes
from bpr.model.load import parse_process
from bpr.redesign import config_for, plan_yaml, redesign
from bpr.service.redesign import count_candidates
from bpr.service.tasks import RedesignProgress

BATCHED_YAML = """\
id: leave
name: 休暇届
calendar: always
roles:
  clerk: {name: 担当, staff: 2}
  chief: {name: 係長, staff: 1, authority: 2}
arrivals:
  - {channel: counter, rate: 2/hour}
steps:
  - {id: receive, name: 受付, type: task, role: clerk, duration: 10m, medium: paper, next: check}
  - {id: check, name: 審査, type: approval, role: chief, duration: 5m, stamp: true, batch: ["16:00"], next: done}
  - {id: done, type: end}
"""
"""A process whose in-tray is swept once a day: the batching candidate must win (about -98% lead time)."""

FAST = {"replications": 3, "horizon": "1w", "warm_up": "1d", "seed": 1}
ISSUE_KEYS = {"file", "line", "column", "path", "message", "hint", "severity"}


def poll(client: TestClient, location: str, timeout: float = 60.0) -> tuple[dict[str, Any], list[float]]:
    """The finished job, and the progress values seen while polling."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location).json()
        seen.append(job["progress"])
        if job["status"] not in ("queued", "running"):
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"job {location} still {job['status']} after {timeout} s")


def issues(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"issues"} and body["issues"]
    for issue in body["issues"]:
        assert set(issue) == ISSUE_KEYS
    return body["issues"]


def test_redesign_job_answers_exactly_what_the_library_does(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML, "options": FAST})
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["Location"] == f"/v1/jobs/{accepted['id']}"
    assert (accepted["kind"], accepted["status"], accepted["result"]) == ("redesign", "queued", None)
    assert accepted["estimate_seconds"] > 0
    job, seen = poll(client, response.headers["Location"])
    assert job["status"] == "done", job["issues"]
    assert job["progress"] == 1.0
    assert seen == sorted(seen), "progress never goes back"

    process = parse_process(BATCHED_YAML, file="process_yaml")
    expected = redesign(process, config_for(process, 3, 1, 1, "1w", "1d"))
    result = job["result"]
    plan_text = result.pop("plan_yaml")
    assert result == expected.to_dict()
    assert plan_text == plan_yaml(expected, "process.yaml")
    assert result["candidates"][0]["id"] == "batching:check"
    assert result["plan"]["changes"] == [{"batch": {"step": "check", "at": None}}]
    assert result["process"] == {"id": "leave", "name": "休暇届", "file": "process_yaml"}

    # the plan file names the process as process.yaml: saved beside it, it loads as the plan's process
    (tmp_path / "process.yaml").write_text(BATCHED_YAML, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(plan_text, encoding="utf-8")
    planned = apply_changes(process, parse_changes(result["plan"]["changes"]))
    assert load_process(tmp_path / "plan.yaml").model_dump() == planned.model_dump()


def test_auto_window_is_the_library_choice_and_top_keeps_the_best(client: TestClient) -> None:
    body = {"process_yaml": BATCHED_YAML, "options": {"replications": 3, "seed": 2, "top": 1}}
    response = client.post("/v1/redesign", json=body)
    assert response.status_code == 202, response.text
    job, _ = poll(client, response.headers["Location"])
    assert job["status"] == "done", job["issues"]
    process = parse_process(BATCHED_YAML, file="process_yaml")
    chosen = config_for(process, 3, 2, 1)
    config = job["result"]["config"]
    assert (config["horizon"], config["warm_up"], config["drain"]) == (chosen.horizon, chosen.warm_up, chosen.drain)
    assert [c["rank"] for c in job["result"]["candidates"]] == [1]
    assert job["result"]["candidates"][0]["id"] == "batching:check"


def test_identical_request_is_answered_from_the_store(client: TestClient) -> None:
    body = {"process_yaml": BATCHED_YAML, "options": {**FAST, "seed": 3}}
    first = client.post("/v1/redesign", json=body)
    assert first.status_code == 202 and first.headers["X-BPR-From-Store"] == "false"
    job, _ = poll(client, first.headers["Location"])
    assert job["status"] == "done"
    again = client.post("/v1/redesign", json=body)
    assert again.status_code == 202, "always a job, even from the store"
    assert again.headers["X-BPR-From-Store"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.json()["status"] == "done" and again.json()["result"] == job["result"]
    # the heuristics named in another order and twice are the same request ...
    named = client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML, "options": {
        **FAST, "seed": 4, "heuristics": ["digitize", "batching"]}})
    poll(client, named.headers["Location"])
    twice = client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML, "options": {
        **FAST, "seed": 4, "heuristics": ["digitize", "batching", "digitize"]}})
    assert twice.headers["X-BPR-From-Store"] == "true"
    # ... but another seed is not
    other = client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML, "options": {**FAST, "seed": 5}})
    assert other.headers["X-BPR-From-Store"] == "false"
    poll(client, other.headers["Location"])


def test_a_scenario_plan_names_the_scenario_file(client: TestClient) -> None:
    options = {"replications": 2, "horizon": "1w", "warm_up": "1d", "heuristics": ["batching", "eliminate"]}
    response = client.post("/v1/redesign", json={"scenario": "purchase_ringi", "options": options})
    assert response.status_code == 202, response.text
    job, _ = poll(client, response.headers["Location"])
    assert job["status"] == "done", job["issues"]
    assert job["result"]["process"]["file"] == "scenarios/purchase_ringi/before.yaml"
    assert "\nbase: scenarios/purchase_ringi/before.yaml\n" in job["result"]["plan_yaml"]
    assert {c["heuristic"] for c in job["result"]["candidates"]} <= {"batching", "eliminate"}


def test_cancel_a_running_redesign(client: TestClient) -> None:
    body = {"scenario": "purchase_ringi", "options": {"replications": 30, "horizon": "26w", "seed": 9}}
    response = client.post("/v1/redesign", json=body)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    deadline = time.monotonic() + 60
    while client.get(location).json()["status"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.05)
    cancelled = client.delete(location)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert "cancelled" in cancelled.json()["issues"][0]["message"]
    assert client.get(location).json()["result"] is None
    assert client.delete(location).status_code == 409
    # the worker that ran it was stopped and replaced: the pool still answers
    quick = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": {**QUICK, "seed": 21}})
    assert quick.status_code == 200, quick.text


# --- errors -----------------------------------------------------------------------------------------


def test_invalid_process_is_refused_before_any_job(client: TestClient) -> None:
    found = issues(client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML.replace("next: done", "next: dnoe")}),
                   422)
    assert [(i["file"], i["path"], i["line"], i["hint"]) for i in found] == [
        ("process_yaml", "steps[1].next", 11, "did you mean 'done'?")]


@pytest.mark.parametrize("body, path, fragment", [
    ({}, "", "give the process"),
    ({"scenario": "purchase_ringy"}, "scenario", "no shipped scenario"),
    ({"process_yaml": BATCHED_YAML, "mode": "job"}, "mode", "unknown field"),
    ({"process_yaml": BATCHED_YAML, "options": {"replications": 1}}, "options.replications", "greater than or equal"),
    ({"process_yaml": BATCHED_YAML, "options": {"replications": 10_000}}, "options.replications", "limit"),
    ({"process_yaml": BATCHED_YAML, "options": {"horizon": "soon"}}, "options.horizon", "soon"),
    ({"process_yaml": BATCHED_YAML, "options": {"horizon": "50y"}}, "options.horizon", "limit"),
    ({"process_yaml": BATCHED_YAML, "options": {"warm_up": "10y"}}, "options.warm_up", "limit"),
    ({"process_yaml": BATCHED_YAML, "options": {"seed": -1}}, "options.seed", "greater than or equal"),
    ({"process_yaml": BATCHED_YAML, "options": {"top": 0}}, "options.top", "greater than or equal"),
    ({"process_yaml": BATCHED_YAML, "options": {"heuristics": []}}, "options.heuristics", "at least 1"),
    ({"process_yaml": BATCHED_YAML, "options": {"workers": 4}}, "options.workers", "unknown field"),
])
def test_bad_request_or_options(client: TestClient, body: dict[str, Any], path: str, fragment: str) -> None:
    found = issues(client.post("/v1/redesign", json=body), 422)
    assert found[0]["path"] == path, found
    assert fragment in found[0]["message"] or fragment in (found[0]["hint"] or ""), found


def test_unknown_heuristic_suggests_a_close_name(client: TestClient) -> None:
    body = {"process_yaml": BATCHED_YAML, "options": {"heuristics": ["batching", "elminate", "zzz"]}}
    found = issues(client.post("/v1/redesign", json=body), 422)
    assert [(i["path"], i["message"]) for i in found] == [
        ("options.heuristics[1]", "unknown heuristic 'elminate'"), ("options.heuristics[2]", "unknown heuristic 'zzz'")]
    assert found[0]["hint"] == "did you mean 'eliminate'?"
    assert "batching" in found[1]["hint"]


def test_limits_of_the_server(fresh: Any) -> None:
    with fresh(max_estimate_seconds=1.0) as client:
        body = {"scenario": "purchase_ringi", "options": {"replications": 100, "horizon": "1y"}}
        found = issues(client.post("/v1/redesign", json=body), 422)
        assert found[0]["path"] == "options" and "would take about" in found[0]["message"]
    with fresh(max_steps=2) as client:
        assert issues(client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML}), 413)[0]["path"] == "steps"
    with fresh(max_body_bytes=2048) as client:
        issues(client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML + "#" * 3000}), 413)
    with fresh(token="s3cret") as client:
        issues(client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML}), 401)


def test_saturated_service_answers_429(fresh: Any) -> None:
    with fresh(max_active=1, workers=1) as client:
        long_options = {"replications": 40, "horizon": "5y", "seed": 1}
        first = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": long_options})
        assert first.status_code == 202
        refused = client.post("/v1/redesign", json={"process_yaml": BATCHED_YAML, "options": FAST})
        issues(refused, 429)
        assert int(refused.headers["Retry-After"]) >= 1
        assert client.delete(first.headers["Location"]).status_code == 200


# --- progress -----------------------------------------------------------------------------------------


def test_progress_by_hand() -> None:
    """2 replications, 3 candidates expected: (1 + 2 x 3) x 2 = 14 replications allowed for at first."""
    sent: list[float] = []
    progress = RedesignProgress(2, 3, sent.append)
    progress(1, 2, "baseline")               # 1 / (2 + 12)
    progress(2, 2, "baseline")               # 2 / 14, not 2 / 2
    progress(3, 8, "candidate a")            # 3 candidates planned: 3 / (8 + 6 for the plan)
    progress(4, 6, "candidate b")            # one refused: 4 / (6 + 4)
    progress(6, 6, "candidate c")            # 6 / (6 + 4)
    progress(8, 8, "plan + b")               # the plan has one step: 8 / 8
    assert sent == pytest.approx([1 / 14, 2 / 14, 3 / 14, 4 / 10, 6 / 10, 1.0])


def test_progress_of_a_real_redesign_never_goes_back() -> None:
    process = load_process(Path(__file__).resolve().parents[2] / "scenarios" / "purchase_ringi" / "before.yaml")
    calls: list[tuple[int, int, str]] = []
    redesign(process, config_for(process, 2, 0, 1, "1w", "1d"), progress=lambda *call: calls.append(call))
    totals = [total for _, total, _ in calls]
    assert any(b < a for a, b in pairwise(totals)), "the library's own total also shrinks"
    sent: list[float] = []
    progress = RedesignProgress(2, count_candidates(process, None) + 1, sent.append)
    for call in calls:
        progress(*call)
    assert sent == sorted(sent) and 0 < sent[0] and sent[-1] == 1.0
    assert all(b - a >= 0.01 for a, b in pairwise(sent)), "reported in steps of at least 1%"
    assert sent[len(sent) // 2] < 0.9, "not at the end after the baseline"
