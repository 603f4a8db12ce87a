"""Every endpoint, in-process, on its happy path; answers compared with the library's own functions."""

from __future__ import annotations

import time
from typing import Any

from apihelp import QUICK, SCENARIOS, SMALL_PROCESS_YAML
from fastapi.testclient import TestClient

from bpr.analysis import analyze
from bpr.changes import apply_changes, parse_changes
from bpr.model.load import parse_process, process_to_data
from bpr.simulate import SimConfig, compare, simulate


def poll(client: TestClient, location: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {location} still {job['status']} after {timeout} s")


def test_healthz_is_open_and_reports_capacity(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["workers"] == 2
    assert body["max_active"] >= 1


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/validate", "/v1/analyze", "/v1/simulate", "/v1/whatif", "/v1/redesign", "/v1/render", "/v1/scenarios",
                 "/v1/jobs/{job_id}", "/healthz"):
        assert path in schema["paths"], path
    assert client.get("/docs").status_code == 200


def test_scenarios_lists_the_shipped_ones(client: TestClient) -> None:
    listed = {s["name"]: s for s in client.get("/v1/scenarios").json()["scenarios"]}
    shipped = {p.name for p in SCENARIOS.iterdir() if (p / "before.yaml").is_file()}
    assert set(listed) == shipped
    for entry in listed.values():
        assert entry["issues"] == []
        assert "before" in entry["variants"]
        assert entry["steps"] > 0


def test_validate_yaml_json_and_scenario_give_the_same_process(client: TestClient) -> None:
    by_yaml = client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML})
    assert by_yaml.status_code == 200, by_yaml.text
    body = by_yaml.json()
    assert (body["valid"], body["process"], body["name"], body["steps"]) == (True, "permit", "許可申請", 3)
    assert body["normalized"] == process_to_data(parse_process(SMALL_PROCESS_YAML))
    by_json = client.post("/v1/validate", json={"process": body["normalized"]})
    assert by_json.status_code == 200
    assert by_json.json()["normalized"] == body["normalized"]
    name = min(p.name for p in SCENARIOS.iterdir() if (p / "before.yaml").is_file())
    assert client.post("/v1/validate", json={"scenario": name}).json()["valid"] is True


def test_analyze_returns_the_library_findings(client: TestClient) -> None:
    response = client.post("/v1/analyze", json={"process_yaml": SMALL_PROCESS_YAML})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = analyze(parse_process(SMALL_PROCESS_YAML, file="process_yaml"))
    assert body["process"] == "permit"
    assert body["file"] == "process_yaml"
    assert body["findings"] == [f.to_dict() for f in expected.findings]
    assert body["summary"] == expected.summary


def test_render_returns_svg_with_japanese_labels(client: TestClient) -> None:
    response = client.post("/v1/render", json={"process_yaml": SMALL_PROCESS_YAML, "findings": True})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<?xml") or "<svg" in response.text[:500]
    assert "受付" in response.text


def test_simulate_inline_equals_the_library_result(client: TestClient) -> None:
    response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK})
    assert response.status_code == 200, response.text
    expected = simulate(parse_process(SMALL_PROCESS_YAML), SimConfig(**QUICK)).to_dict()
    assert response.json() == expected
    assert response.headers["X-BPR-From-Store"] == "false"


def test_identical_request_is_answered_from_the_store(client: TestClient) -> None:
    body = {"process_yaml": SMALL_PROCESS_YAML, "options": {**QUICK, "seed": 7}}
    first = client.post("/v1/simulate", json=body)
    assert first.status_code == 200
    # the same model written differently (JSON instead of YAML) is the same request
    normalized = client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML}).json()["normalized"]
    again = client.post("/v1/simulate", json={"process": normalized, "options": {**QUICK, "seed": 7}})
    assert again.status_code == 200
    assert again.headers["X-BPR-From-Store"] == "true"
    assert again.headers["X-BPR-Job"] == first.headers["X-BPR-Job"]
    assert again.json() == first.json()
    other_seed = client.post("/v1/simulate", json={"process": normalized, "options": {**QUICK, "seed": 8}})
    assert other_seed.headers["X-BPR-From-Store"] == "false"


def test_whatif_inline_equals_library_compare(client: TestClient) -> None:
    changes = [{"staff": {"clerk": 1}}, {"digitize": ["receive"]}]
    response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": changes,
                                               "options": QUICK})
    assert response.status_code == 200, response.text
    before = parse_process(SMALL_PROCESS_YAML)
    after = apply_changes(before, parse_changes(changes, file="changes"), file="changes")
    expected = compare(before, after, SimConfig(**QUICK)).to_dict()
    assert response.json() == expected


def test_whatif_takes_changes_as_yaml_text(client: TestClient) -> None:
    as_json = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
                                              "changes": [{"remove": "check"}]})
    as_yaml = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
                                              "changes_yaml": "- remove: check\n"})
    assert as_json.status_code == as_yaml.status_code == 200
    assert as_yaml.json() == as_json.json()
    assert as_yaml.headers["X-BPR-From-Store"] == "true"  # same model, same changes: the same request


def test_whatif_on_a_shipped_scenario(client: TestClient) -> None:
    name = "child_allowance" if (SCENARIOS / "child_allowance").is_dir() else min(
        p.name for p in SCENARIOS.iterdir() if (p / "before.yaml").is_file())
    roles = client.post("/v1/validate", json={"scenario": name}).json()["normalized"]["roles"]
    role = next(r for r, v in roles.items() if v.get("staff") != "unlimited")
    response = client.post("/v1/whatif", json={"scenario": name, "changes": [{"staff": {role: 5}}],
                                               "options": {"replications": 2, "horizon": "4w", "warm_up": "1w"}})
    assert response.status_code in (200, 202), response.text
    result = response.json() if response.status_code == 200 else poll(client, response.headers["Location"])["result"]
    assert set(result) >= {"before", "after", "differences"}


def test_job_mode_runs_as_job_with_progress_and_result(client: TestClient) -> None:
    body = {"process_yaml": SMALL_PROCESS_YAML, "options": {**QUICK, "seed": 11}, "mode": "job"}
    response = client.post("/v1/simulate", json=body)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location == f"/v1/jobs/{response.json()['id']}"
    assert response.json()["status"] in ("queued", "running")
    job = poll(client, location)
    assert job["status"] == "done"
    assert job["progress"] == 1.0
    assert job["finished_at"] >= job["started_at"] >= job["created_at"]
    expected = simulate(parse_process(SMALL_PROCESS_YAML), SimConfig(**{**QUICK, "seed": 11})).to_dict()
    assert job["result"] == expected
    # asked again (even inline): straight from the store
    again = client.post("/v1/simulate", json={**body, "mode": "auto"})
    assert again.status_code == 200 and again.headers["X-BPR-From-Store"] == "true"
    assert again.json() == expected


def test_long_request_becomes_a_job_and_can_be_cancelled(client: TestClient) -> None:
    options = {"replications": 40, "horizon": "5y", "warm_up": "4w", "seed": 3}
    response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": options})
    assert response.status_code == 202, response.text
    assert response.json()["estimate_seconds"] > 2
    location = response.headers["Location"]
    cancelled = client.delete(location)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["progress"] < 0.5, "cancelled replications do not count as progress"
    assert "cancelled" in cancelled.json()["issues"][0]["message"]
    job = client.get(location).json()
    assert job["status"] == "cancelled" and job["result"] is None
    again = client.delete(location)
    assert again.status_code == 409
    assert "already cancelled" in again.json()["issues"][0]["message"]
    # the pool works on after a cancel (its killed worker is replaced)
    quick = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML,
                                              "options": {**QUICK, "seed": 12}})
    assert quick.status_code == 200, quick.text


def test_an_inline_run_still_going_after_the_inline_wait_is_answered_as_its_job(fresh: Any) -> None:
    """The estimate assumes idle cores: on a busy machine a run it calls quick can outlast a client's
    timeout, so the server waits for it at most inline_wait_seconds (0 here), then answers 202 for the job
    the run already is; the job ends with the answer the inline run would have given."""
    body = {"process_yaml": SMALL_PROCESS_YAML, "options": {**QUICK, "seed": 13}}
    with fresh(inline_wait_seconds=0.0) as busy:
        response = busy.post("/v1/simulate", json=body)
        assert response.status_code == 202, response.text
        assert response.headers["Location"] == f"/v1/jobs/{response.headers['X-BPR-Job']}"
        assert response.headers["X-BPR-Replications-Run"] == "2"
        job = poll(busy, response.headers["Location"])
        assert job["status"] == "done"
        assert job["result"] == simulate(parse_process(SMALL_PROCESS_YAML), SimConfig(**body["options"])).to_dict()
        again = busy.post("/v1/simulate", json=body)
        assert again.status_code == 200 and again.headers["X-BPR-From-Store"] == "true"


def test_whatif_with_a_complete_after_process(client: TestClient) -> None:
    after_yaml = SMALL_PROCESS_YAML.replace("staff: 2", "staff: 3")
    response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
                                               "after": {"process_yaml": after_yaml}})
    assert response.status_code == 200, response.text
    expected = compare(parse_process(SMALL_PROCESS_YAML), parse_process(after_yaml), SimConfig(**QUICK)).to_dict()
    assert response.json() == expected
    broken = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
                                             "after": {"process_yaml": after_yaml.replace("next: done", "next: x")}})
    assert broken.status_code == 422
    assert broken.json()["issues"][0]["file"] == "after.process_yaml"
    both = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": [{"remove": "check"}],
                                           "after": {"process_yaml": after_yaml}})
    assert both.status_code == 422 and both.json()["issues"][0]["path"] == "after"


def test_documented_request_examples_are_valid(fresh: Any) -> None:
    """The examples of the OpenAPI schema (shown in /docs) pass every check up to running the simulation."""
    with fresh(max_estimate_seconds=1e-9) as limited:
        schema = limited.get("/openapi.json").json()
        tried = 0
        for path, methods in schema["paths"].items():
            body = methods.get("post", {}).get("requestBody")
            if body is None:
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for example in schema["components"]["schemas"][ref].get("examples", []):
                response = limited.post(path, json=example)
                tried += 1
                # the estimate limit is set so low that a valid simulation request stops just before running
                assert response.status_code == 422, (path, example, response.text)
                assert "would take about" in response.json()["issues"][0]["message"], (path, example, response.text)
        assert tried >= 4
