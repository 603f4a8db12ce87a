"""Walk every endpoint of the OpenAPI schema with garbage: always a 4xx with issues, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

GARBAGE_BODIES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "application/json"),
    ("not json", b"{{{", "application/json"),
    ("null", b"null", "application/json"),
    ("array", b"[1, 2, 3]", "application/json"),
    ("string", b'"process"', "application/json"),
    ("number", b"1e400", "application/json"),
    ("invalid utf-8", b'{"process_yaml": "\xff\xfe"}', "application/json"),
    ("lone surrogate", b'{"process_yaml": "\\ud800"}', "application/json"),
    ("nul in yaml", json.dumps({"process_yaml": "id: a\x00"}).encode(), "application/json"),
    ("deep json", b"[" * 5000 + b"]" * 5000, "application/json"),
    ("deep process", json.dumps({"process": {"id": "x"}}).replace('"x"', "[" * 500 + "]" * 500).encode(),
     "application/json"),
    ("deep yaml", json.dumps({"process_yaml": "a: " + "[" * 600 + "]" * 600}).encode(), "application/json"),
    ("yaml alias bomb", json.dumps({"process_yaml": "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"}).encode(),
     "application/json"),
    ("python tag", json.dumps({"process_yaml": "!!python/object/apply:os.system ['true']"}).encode(),
     "application/json"),
    ("huge int", json.dumps({"process": {"id": 10**400}}).encode(), "application/json"),
    ("wrong types", json.dumps({"process": [], "options": "fast", "changes": {"a": 1}, "mode": 3}).encode(),
     "application/json"),
    ("changes not objects", json.dumps({"scenario": "x", "changes": [1, None, "remove"]}).encode(),
     "application/json"),
    ("form data", b"a=1&b=2", "application/x-www-form-urlencoded"),
    ("yaml body", b"id: x\nname: y\n", "application/yaml"),
    ("binary", bytes(range(256)), "application/octet-stream"),
]


def _operations(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        for method in methods:
            found.append((method.upper(), path.replace("{job_id}", "nope")))
    return found


def test_every_operation_is_walked(client: TestClient) -> None:
    assert len(_operations(client)) >= 9


@pytest.mark.parametrize("name, body, content_type", GARBAGE_BODIES, ids=[g[0] for g in GARBAGE_BODIES])
def test_garbage_never_gives_a_server_error(client: TestClient, name: str, body: bytes, content_type: str) -> None:
    for method, path in _operations(client):
        response = client.request(method, path, content=body, headers={"Content-Type": content_type})
        assert response.status_code < 500, f"{method} {path} with {name}: {response.status_code} {response.text}"
        if path == "/healthz" or response.status_code < 400:
            continue
        payload: dict[str, Any] = response.json()
        assert list(payload) == ["issues"] and payload["issues"], f"{method} {path} with {name}: {payload}"


def test_garbage_in_query_and_path(client: TestClient) -> None:
    for path in ("/v1/jobs/" + "x" * 5000, "/v1/jobs/%00", "/v1/jobs/..%2F..%2Fetc", "/v1/scenarios?x=" + "y" * 100):
        for method in ("GET", "DELETE", "POST"):
            response = client.request(method, path)
            assert response.status_code < 500, f"{method} {path}: {response.status_code}"


def test_a_process_sent_as_text_cannot_make_the_server_read_its_files(client: TestClient) -> None:
    """``times: {csv: FILE}`` is read beside a process file on disk; a body has no folder, so it is refused
    without opening anything (no content of /etc/passwd in the answer, whatever the working directory)."""
    process = ("id: x\nroles:\n  clerk: {staff: 1}\narrivals:\n  - channel: counter\n    times: {csv: /etc/passwd}\n"
               "steps:\n  - {id: a, type: task, role: clerk, duration: 5m, next: done}\n  - {id: done, type: end}\n")
    response = client.post("/v1/validate", json={"process_yaml": process})
    assert response.status_code == 422, response.text
    [issue] = response.json()["issues"]
    assert issue["path"] == "arrivals[0].times.csv" and issue["line"] == 6
    assert "only be named in a process file on disk" in issue["message"]
    assert "root" not in response.text
