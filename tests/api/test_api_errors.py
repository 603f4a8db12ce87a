"""Every error class of the service: the status, and issues located like the CLI's messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from apihelp import QUICK, SMALL_PROCESS_YAML
from fastapi.testclient import TestClient

from bpr.changes import load_process
from bpr.errors import ModelError

ISSUE_KEYS = {"file", "line", "column", "path", "message", "hint", "severity"}


def issues(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"issues"}
    assert body["issues"], "an error response names at least one issue"
    for issue in body["issues"]:
        assert set(issue) == ISSUE_KEYS
        assert isinstance(issue["message"], str) and issue["message"]
    return body["issues"]


BROKEN_YAML = SMALL_PROCESS_YAML.replace("next: done", "next: dnoe")


def test_invalid_process_gives_the_same_issues_as_the_cli(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_YAML, encoding="utf-8")
    with pytest.raises(ModelError) as cli:
        load_process(path)
    found = issues(client.post("/v1/validate", json={"process_yaml": BROKEN_YAML}), 422)
    expected = [{**issue.to_dict(), "file": "process_yaml"} for issue in cli.value.issues]
    assert found == expected
    assert [(i["path"], i["line"], i["message"], i["hint"]) for i in found] == [
        ("steps[1].next", 11, "no step 'dnoe'", "did you mean 'done'?")]


@pytest.mark.parametrize("endpoint", ["/v1/validate", "/v1/analyze", "/v1/render", "/v1/simulate"])
def test_every_process_endpoint_refuses_an_invalid_process(client: TestClient, endpoint: str) -> None:
    found = issues(client.post(endpoint, json={"process_yaml": BROKEN_YAML}), 422)
    assert {i["path"] for i in found} >= {"steps[1].next"}


def test_invalid_process_as_json_names_the_field(client: TestClient) -> None:
    found = issues(client.post("/v1/validate", json={"process": {"id": "x", "name": "y", "roles": {},
                                                                 "arrivals": [], "steps": [], "colour": 1}}), 422)
    assert all(i["file"] == "process" for i in found)
    assert any(i["path"] == "colour" and i["message"].startswith("unknown field") for i in found)


def test_yaml_syntax_error_has_line_and_column(client: TestClient) -> None:
    found = issues(client.post("/v1/validate", json={"process_yaml": "id: x\nname: [unclosed\n"}), 422)
    assert found[0]["message"].startswith("invalid YAML")
    assert found[0]["line"] is not None and found[0]["column"] is not None


@pytest.mark.parametrize("body, fragment", [
    ({}, "give the process"),
    ({"process_yaml": SMALL_PROCESS_YAML, "scenario": "x"}, "only one of"),
    ({"scenario": "no_such_scenario"}, "no shipped scenario"),
    ({"process_yaml": SMALL_PROCESS_YAML, "colour": "red"}, "unknown field"),
    ({"process_yaml": 12}, "string"),
    ({"process": "not an object"}, "dictionary"),
])
def test_request_shape_errors(client: TestClient, body: dict[str, Any], fragment: str) -> None:
    found = issues(client.post("/v1/validate", json=body), 422)
    assert any(fragment in i["message"] for i in found), found


def test_unknown_scenario_suggests_a_close_name(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/v1/scenarios").json()["scenarios"]]
    found = issues(client.post("/v1/validate", json={"scenario": names[0][:-1] + "x"}), 422)
    assert found[0]["path"] == "scenario"
    assert names[0] in (found[0]["hint"] or "")


def test_not_json_body(client: TestClient) -> None:
    found = issues(client.post("/v1/validate", content=b"{not json", headers={"Content-Type": "application/json"}),
                   422)
    assert "not valid JSON" in found[0]["message"]
    assert found[0]["file"] == "<request>"


def test_bad_changes_name_the_change(client: TestClient) -> None:
    body = {"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
            "changes": [{"staff": {"clerk": 3}}, {"remvoe": "check"}]}
    found = issues(client.post("/v1/whatif", json=body), 422)
    assert found[0]["path"] == "changes[1].remvoe"
    assert "remove" in (found[0]["hint"] or "")


def test_bad_changes_yaml_has_lines(client: TestClient) -> None:
    body = {"process_yaml": SMALL_PROCESS_YAML, "options": QUICK,
            "changes_yaml": "- staff: {clerk: 3}\n- remove: nowhere\n"}
    found = issues(client.post("/v1/whatif", json=body), 422)
    assert found[0]["file"] == "changes_yaml"
    assert found[0]["path"].startswith("changes[1]")
    assert found[0]["line"] == 2


def test_whatif_needs_changes(client: TestClient) -> None:
    found = issues(client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML}), 422)
    assert found[0]["path"] == "changes"


@pytest.mark.parametrize("options, path", [
    ({"horizon": "soon"}, "options.horizon"),
    ({"replications": 1}, "options.replications"),
    ({"replications": 10_000}, "options.replications"),
    ({"horizon": "50y"}, "options.horizon"),
    ({"warm_up": "10y"}, "options.warm_up"),
    ({"seed": -1}, "options.seed"),
])
def test_bad_or_excessive_options(client: TestClient, options: dict[str, Any], path: str) -> None:
    found = issues(client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": options}), 422)
    assert found[0]["path"] == path, found


def test_run_estimated_beyond_the_limit_is_refused(fresh: Any) -> None:
    with fresh(max_estimate_seconds=1.0) as client:
        options = {"replications": 100, "horizon": "5y"}
        found = issues(client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": options}),
                       422)
        assert "would take about" in found[0]["message"]


def test_unknown_endpoint_and_job(client: TestClient) -> None:
    issues(client.get("/v1/nothing"), 404)
    found = issues(client.get("/v1/jobs/0123456789abcdef"), 404)
    assert "no job" in found[0]["message"]
    issues(client.delete("/v1/jobs/0123456789abcdef"), 404)


def test_wrong_method(client: TestClient) -> None:
    issues(client.get("/v1/validate"), 405)


def test_body_too_large(fresh: Any) -> None:
    with fresh(max_body_bytes=4096) as client:
        big = {"process_yaml": SMALL_PROCESS_YAML + "#" * 5000}
        found = issues(client.post("/v1/validate", json=big), 413)
        assert "larger than 4 KiB" in found[0]["message"]

        def chunks() -> Any:  # no Content-Length: counted as it arrives
            yield json.dumps(big).encode()[:3000]
            yield json.dumps(big).encode()[3000:]

        issues(client.post("/v1/validate", content=chunks(), headers={"Content-Type": "application/json"}), 413)
        assert client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML}).status_code == 200


def test_too_many_steps_and_changes(fresh: Any) -> None:
    with fresh(max_steps=2, max_changes=1) as client:
        found = issues(client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML}), 413)
        assert found[0]["path"] == "steps"
    with fresh(max_changes=1) as client:
        body = {"process_yaml": SMALL_PROCESS_YAML, "changes": [{"staff": {"clerk": 3}}] * 2}
        assert issues(client.post("/v1/whatif", json=body), 413)[0]["path"] == "changes"


def test_bearer_token(fresh: Any) -> None:
    with fresh(token="s3cret") as client:
        found = issues(client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML}), 401)
        assert "bearer token" in found[0]["message"]
        response = client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML},
                               headers={"Authorization": "Bearer wrong"})
        issues(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        issues(client.get("/v1/scenarios"), 401)
        ok = client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML},
                         headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert client.get("/healthz").status_code == 200  # liveness stays open


def test_saturated_service_answers_429_with_retry_after(fresh: Any) -> None:
    with fresh(max_active=1, workers=1) as client:
        long_options = {"replications": 40, "horizon": "5y", "seed": 1}
        first = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": long_options})
        assert first.status_code == 202
        second = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": QUICK})
        found = issues(second, 429)
        assert int(second.headers["Retry-After"]) >= 1
        assert "busy" in found[0]["message"]
        # an identical request joins the running job instead of counting twice
        same = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": long_options})
        assert same.status_code == 202 and same.json()["id"] == first.json()["id"]
        assert client.delete(first.headers["Location"]).status_code == 200
        assert client.get("/healthz").json()["active"] == 0


def test_render_without_graphviz_is_503_not_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bpr.render import graphviz_run

    monkeypatch.setattr(graphviz_run, "find_dot", lambda: None)
    found = issues(client.post("/v1/render", json={"process_yaml": SMALL_PROCESS_YAML}), 503)
    assert found[0]["file"] == "<server>"


def test_cors_is_off_unless_configured(client: TestClient, fresh: Any) -> None:
    preflight = {"Origin": "https://dx.example.city", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/validate", headers=preflight).headers
    with fresh(cors_origins=("https://dx.example.city",)) as allowed:
        response = allowed.options("/v1/validate", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://dx.example.city"


INFINITE_COST_YAML = SMALL_PROCESS_YAML.replace("staff: 1, authority: 2}", "staff: 1, authority: 2, hourly_cost: .inf}")


@pytest.mark.parametrize("endpoint", ["/v1/validate", "/v1/simulate", "/v1/whatif"])
def test_non_finite_numbers_are_refused_not_a_500(client: TestClient, endpoint: str) -> None:
    body: dict[str, Any] = {"process_yaml": INFINITE_COST_YAML, "options": QUICK}
    if endpoint == "/v1/validate":
        del body["options"]
    if endpoint == "/v1/whatif":
        body["changes"] = [{"staff": {"clerk": 3}}]
    found = issues(client.post(endpoint, json=body), 422)
    assert [(i["path"], i["line"], i["message"]) for i in found] == [
        ("roles.chief.hourly_cost", 6, "'.inf' is not a finite number")]


def test_non_finite_numbers_in_a_json_process_are_refused(client: TestClient) -> None:
    import yaml

    process = yaml.safe_load(SMALL_PROCESS_YAML)
    text = json.dumps({"process": process, "options": QUICK}).replace('"staff": 1,', '"staff": 1, "hourly_cost": 1e400,')
    response = client.post("/v1/simulate", content=text, headers={"content-type": "application/json"})
    found = issues(response, 422)
    assert [(i["path"], i["message"]) for i in found] == [
        ("roles.chief.hourly_cost", "must be a finite number, got inf")]


def test_the_token_is_checked_before_the_body_is_read(fresh: Any) -> None:
    with fresh(token="s3cret") as client:
        found = issues(client.post("/v1/validate", content=b"{not json",
                                   headers={"Content-Type": "application/json"}), 401)
        assert "bearer token" in found[0]["message"]
        issues(client.post("/v1/validate", content=b"id: x", headers={"Content-Type": "text/yaml"}), 401)
        found = issues(client.post("/v1/validate", content=b"{not json",
                                   headers={"Content-Type": "application/json", "Authorization": "Bearer s3cret"}),
                       422)
        assert "not valid JSON" in found[0]["message"]


@pytest.mark.parametrize("content_type", ["text/yaml", "application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_that_is_not_json_gets_415(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/validate", content=json.dumps({"process_yaml": SMALL_PROCESS_YAML}).encode(),
                           headers=headers)
    found = issues(response, 415)
    assert found[0]["hint"] == "send Content-Type: application/json"


def test_json_with_a_charset_or_a_json_suffix_is_json(client: TestClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post("/v1/validate", content=json.dumps({"process_yaml": SMALL_PROCESS_YAML}).encode(),
                               headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text


def _many(kind: str, count: int) -> str:
    if kind == "roles":
        extra = "".join(f"  r{i}: {{}}\n" for i in range(count))
        return SMALL_PROCESS_YAML.replace("roles:\n", "roles:\n" + extra)
    extra = "".join("  - {channel: mail, rate: 1/week}\n" for _ in range(count))
    return SMALL_PROCESS_YAML.replace("arrivals:\n", "arrivals:\n" + extra)


@pytest.mark.parametrize(("kind", "limit"), [("roles", "max_roles"), ("arrivals", "max_arrivals")])
def test_too_many_roles_or_arrival_streams(fresh: Any, kind: str, limit: str) -> None:
    with fresh(**{limit: 10}) as client:
        found = issues(client.post("/v1/simulate", json={"process_yaml": _many(kind, 20), "options": QUICK}), 413)
        assert found[0]["path"] == kind and "at most 10" in found[0]["message"]


def test_a_large_process_does_not_hold_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import bpr.service.runs as runs

    on_loop: list[bool] = []
    original = runs._key_data

    def recording(process: Any) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)  # hashing a process of 10,000 roles here held /healthz for 2 s
        except RuntimeError:
            on_loop.append(False)
        return original(process)

    monkeypatch.setattr(runs, "_key_data", recording)
    response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML, "options": {**QUICK, "seed": 77}})
    assert response.status_code in (200, 202), response.text
    assert on_loop and not any(on_loop)
