"""The REST face of the workflow engine, on SQLite and PostgreSQL: every endpoint, and what an attacker tries.

The per-user token decides who acts; the engine's refusals keep their status (404 hides what a user may not
read); hostile input is a 4xx with issues, never a 500. Last, ``kill -9`` of ``bpr serve`` during a burst of
actions from several client threads: every acknowledged action survives, none is half done.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from fastapi.testclient import TestClient
from wfhelp import ADMIN_TOKEN, bearer, rest_settings

from bpr.api import create_app
from bpr.execute import Workflow

SMALL = 500_000  # kessai is the kacho's (専決 under 1,000,000 yen); kacho_check is skipped


def _start(rest: TestClient, token: str, amount: int = SMALL) -> int:
    answer = rest.post("/v1/cases", json={"process": "purchase_ringi", "attributes": {"amount": amount}},
                       headers=bearer(token))
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"/v1/cases/{answer.json()['id']}"
    return int(answer.json()["id"])


def _inbox(rest: TestClient, token: str, **query: Any) -> list[dict[str, Any]]:
    answer = rest.get("/v1/inbox", params=query, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _item(rest: TestClient, token: str, step: str) -> dict[str, Any]:
    found = [item for item in _inbox(rest, token) if item["step"] == step]
    assert len(found) == 1, found
    return found[0]


def _act(rest: TestClient, token: str, item: dict[str, Any], action: str, **body: Any) -> dict[str, Any]:
    answer = rest.post(f"/v1/items/{item['id']}/{action}", json={"version": item["version"], **body},
                       headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _issue(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.text)
    body = answer.json()
    assert list(body) == ["issues"] and len(body["issues"]) == 1, body
    return dict(body["issues"][0])


# --- every endpoint ------------------------------------------------------------------------------------------

def test_a_case_runs_from_draft_to_order_through_every_action(rest: TestClient, tokens: dict[str, str]) -> None:
    t = tokens
    assert rest.get("/v1/me", headers=bearer(t["suzuki"])).json() == {
        "id": "suzuki", "name": "suzuki", "roles": ["kakaricho"], "auditor": False}
    assert [d["ref"] for d in rest.get("/v1/definitions", headers=bearer(t["sato"])).json()] == ["purchase_ringi@1"]
    case_id = _start(rest, t["sato"])
    kian = _item(rest, t["sato"], "kian")
    assert kian["claimed_by"] == "sato"
    assert _act(rest, t["sato"], kian, "release") == {"item": kian["id"], "action": "release", "opened": []}
    kian = _item(rest, t["tanaka"], "kian")  # released: back to the role
    _act(rest, t["tanaka"], kian, "claim")
    _act(rest, t["tanaka"], _item(rest, t["tanaka"], "kian"), "complete", note="見積書添付")
    # 差戻し from the 係長 to the previous actor, who drafts again
    returned = _act(rest, t["suzuki"], _item(rest, t["suzuki"], "kakaricho_check"), "return", note="金額を確認")
    assert len(returned["opened"]) == 1
    kian = _item(rest, t["tanaka"], "kian")
    assert kian["claimed_by"] == "tanaka"
    _act(rest, t["tanaka"], kian, "complete")
    # 引戻し: nobody has started the 係長's item yet
    withdrawn = rest.post(f"/v1/cases/{case_id}/withdraw", json={"note": "添付漏れ"}, headers=bearer(t["sato"]))
    _issue(withdrawn, 422)  # sato drafted it, but the latest work is tanaka's
    comment = rest.post(f"/v1/cases/{case_id}/comments", json={"text": "急ぎでお願いします"}, headers=bearer(t["sato"]))
    assert comment.status_code == 201, comment.text
    # reject goes back to kian (reject.to), then the whole way to the order
    _act(rest, t["suzuki"], _item(rest, t["suzuki"], "kakaricho_check"), "reject", note="再見積")
    _act(rest, t["tanaka"], _item(rest, t["tanaka"], "kian"), "complete")
    _act(rest, t["suzuki"], _item(rest, t["suzuki"], "kakaricho_check"), "approve")
    counts = rest.get("/v1/inbox/counts", headers=bearer(t["zai"])).json()
    assert counts == {"total": 1, "overdue": 0, "by_process": {"purchase_ringi": {"zaisei_cosign": 1}}}
    _act(rest, t["zai"], _item(rest, t["zai"], "zaisei_cosign"), "approve")
    _act(rest, t["kei"], _item(rest, t["kei"], "keiyaku_cosign"), "approve")
    _act(rest, t["kato"], _item(rest, t["kato"], "kessai"), "approve")
    _act(rest, t["sato"], _item(rest, t["sato"], "enter_zaimu"), "complete")
    _act(rest, t["sato"], _item(rest, t["sato"], "order"), "complete")

    case = rest.get(f"/v1/cases/{case_id}", headers=bearer(t["sato"])).json()
    assert (case["status"], case["outcome"], case["drafter"]) == ("ended", "ordered", "sato")
    assert [c["text"] for c in case["comments"]] == ["急ぎでお願いします"]
    history = rest.get(f"/v1/cases/{case_id}/history", headers=bearer(t["tanaka"])).json()
    assert [(h["action"], h["actor"]) for h in history if h["action"] not in ("open", "handoff", "split", "join")][:8] == [
        ("start", "sato"), ("release", "sato"), ("claim", "tanaka"), ("done", "tanaka"),
        ("return", "suzuki"), ("done", "tanaka"), ("comment", "sato"), ("reject", "suzuki")]
    assert [c["id"] for c in rest.get("/v1/cases", params={"status": "ended"}, headers=bearer(t["sato"])).json()] == [
        case_id]
    assert rest.get("/v1/cases", params={"status": "open"}, headers=bearer(t["sato"])).json() == []
    assert rest.get("/v1/notifications", headers=bearer(t["tanaka"])).status_code == 200
    verified = rest.get("/v1/audit/verify", headers=bearer(t["audit"])).json()
    assert verified["ok"] and verified["problems"] == [] and verified["rows"] >= len(history)
    csv = rest.get("/v1/export", params={"format": "csv"}, headers=bearer(t["audit"]))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "kessai" in csv.text and "kato" in csv.text
    xes = rest.get("/v1/export", params={"format": "xes"}, headers=bearer(t["audit"]))
    assert xes.status_code == 200 and "<log" in xes.text


def test_withdraw_by_the_drafter_before_the_next_actor_starts(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    _act(rest, tokens["sato"], _item(rest, tokens["sato"], "kian"), "complete")
    answer = rest.post(f"/v1/cases/{case_id}/withdraw", headers=bearer(tokens["sato"]))
    assert answer.status_code == 200, answer.text
    assert _item(rest, tokens["sato"], "kian")["id"] == answer.json()["item"]
    assert _inbox(rest, tokens["suzuki"]) == []


def test_absences_and_the_substitute_acts_on_behalf(rest: TestClient, tokens: dict[str, str]) -> None:
    away = rest.post("/v1/absences", json={"from": "2020-01-01T09:00:00+09:00", "to": "2099-01-01T09:00:00+09:00",
                                           "substitute": "ito"}, headers=bearer(tokens["suzuki"]))
    assert away.status_code == 201, away.text
    assert away.json()["user"] == "suzuki" and away.json()["substitute"] == "ito"
    assert [a["id"] for a in rest.get("/v1/absences", headers=bearer(tokens["ito"])).json()] == [away.json()["id"]]
    naive = rest.post("/v1/absences", json={"from": "2027-01-01T09:00:00", "to": "2027-01-02T09:00:00",
                                            "substitute": "ito"}, headers=bearer(tokens["suzuki"]))
    assert naive.status_code == 422
    backwards = rest.post("/v1/absences", json={"from": "2027-01-02T09:00:00Z", "to": "2027-01-01T09:00:00Z",
                                                "substitute": "ito"}, headers=bearer(tokens["suzuki"]))
    _issue(backwards, 422)
    case_id = _start(rest, tokens["sato"])
    _act(rest, tokens["sato"], _item(rest, tokens["sato"], "kian"), "complete")
    item = _item(rest, tokens["ito"], "kakaricho_check")
    assert item["for_user"] == "suzuki"
    _act(rest, tokens["ito"], item, "approve")
    rows = rest.get(f"/v1/cases/{case_id}/history", headers=bearer(tokens["ito"])).json()
    assert [(r["actor"], r["on_behalf_of"]) for r in rows if r["action"] == "approve"] == [("ito", "suzuki")]


def test_inbox_filters_and_paging(rest: TestClient, tokens: dict[str, str]) -> None:
    ids = [_start(rest, tokens["sato"]) for _ in range(3)]
    assert [i["case_id"] for i in _inbox(rest, tokens["sato"], step="kian")] == ids
    assert [i["case_id"] for i in _inbox(rest, tokens["sato"], limit=1, offset=1)] == ids[1:2]
    assert _inbox(rest, tokens["sato"], process="other_process") == []
    assert _inbox(rest, tokens["sato"], overdue="true") == []
    assert _inbox(rest, tokens["sato"], due_before="2020-01-01T00:00:00+09:00") == []
    assert [c["id"] for c in rest.get("/v1/cases", params={"limit": 2}, headers=bearer(tokens["sato"])).json()] == [
        ids[2], ids[1]]


def test_deploy_takes_the_administrators_token_only(rest: TestClient, tokens: dict[str, str], ringi: Workflow,
                                                    tmp_path: Any) -> None:
    text = (ringi.definition("purchase_ringi").process.source_file or "")
    body = {"scenario": "purchase_ringi", "variant": "before"}
    _issue(rest.post("/v1/definitions", json=body), 401)
    _issue(rest.post("/v1/definitions", json=body, headers=bearer(tokens["mayor"])), 401)  # a user is no admin
    deployed = rest.post("/v1/definitions", json=body, headers=bearer(ADMIN_TOKEN))
    assert deployed.status_code == 201, deployed.text
    assert deployed.json()["definition"]["ref"] == "purchase_ringi@2" and deployed.json()["created"]
    again = rest.post("/v1/definitions", json=body, headers=bearer(ADMIN_TOKEN))
    assert again.status_code == 200 and not again.json()["created"]
    broken = rest.post("/v1/definitions", json={"process_yaml": "id: x\nsteps: 3\n"}, headers=bearer(ADMIN_TOKEN))
    assert broken.status_code == 422 and broken.json()["issues"][0]["file"] == "process_yaml"
    assert text is not None
    with TestClient(create_app(rest_settings(ringi.url, tmp_path, token=None))) as open_server:
        refused = _issue(open_server.post("/v1/definitions", json=body, headers=bearer(ADMIN_TOKEN)), 403)
        assert "BPR_API_TOKEN" in refused["hint"]
        # without BPR_API_TOKEN the other /v1 endpoints are open, but the workflow's still need a user
        _issue(open_server.get("/v1/me"), 401)


# --- as an attacker would try ------------------------------------------------------------------------------

def _workflow_operations(rest: TestClient) -> list[tuple[str, str]]:
    paths = rest.get("/openapi.json").json()["paths"]
    found = []
    for path, methods in paths.items():
        if path.startswith(("/v1/me", "/v1/definitions", "/v1/cases", "/v1/inbox", "/v1/items", "/v1/absences",
                            "/v1/notifications", "/v1/audit", "/v1/export")):
            found.extend((method.upper(), path.replace("{case_id}", "1").replace("{item_id}", "1"))
                         for method in methods)
    return found


def test_every_workflow_endpoint_is_documented_with_its_errors(rest: TestClient) -> None:
    schema = rest.get("/openapi.json").json()
    operations = _workflow_operations(rest)
    assert len(operations) == 22, operations
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if (method.upper(), path.replace("{case_id}", "1").replace("{item_id}", "1")) in operations:
                assert {"401", "403", "404", "409", "422"} <= set(operation["responses"]), (method, path)
                assert operation.get("security"), (method, path)
                assert operation.get("description") or operation.get("summary"), (method, path)


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer wrong-token", "Basic c2F0bzpzYXRv",
                                    "Bearer ' OR 1=1 --", "Bearer " + "x" * 5000])
def test_no_or_wrong_token_is_401_everywhere(rest: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for method, path in _workflow_operations(rest):
        answer = rest.request(method, path, headers=headers, json={})
        issue = _issue(answer, 401)
        assert "Bearer" in issue["hint"] or "BPR_API_TOKEN" in issue["message"], (method, path, issue)


def test_an_item_of_a_role_not_held_is_403(rest: TestClient, tokens: dict[str, str]) -> None:
    _start(rest, tokens["sato"])
    _act(rest, tokens["sato"], _item(rest, tokens["sato"], "kian"), "complete")
    check = _item(rest, tokens["suzuki"], "kakaricho_check")
    for user in ("sato", "zai", "mayor", "audit"):  # the mayor outranks the 係長, but does not hold the role
        for action in ("claim", "approve", "reject", "return", "complete"):
            answer = rest.post(f"/v1/items/{check['id']}/{action}", json={}, headers=bearer(tokens[user]))
            issue = _issue(answer, 403)
            assert "kakaricho" in issue["message"], issue
    assert _item(rest, tokens["suzuki"], "kakaricho_check")["version"] == check["version"]  # untouched


def test_a_case_not_yours_is_404_like_one_that_does_not_exist(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    for tail in ("", "/history"):
        path, missing = f"/v1/cases/{case_id}{tail}", f"/v1/cases/999999{tail}"
        mine, theirs, nothing = (rest.get(p, headers=bearer(tokens[u])) for p, u in
                                 ((path, "sato"), (path, "zai"), (missing, "zai")))
        assert mine.status_code == 200
        assert _issue(theirs, 404)["message"] == f"no case {case_id}"
        assert _issue(nothing, 404)["message"] == "no case 999999"
    assert rest.get("/v1/cases", headers=bearer(tokens["zai"])).json() == []
    _issue(rest.post(f"/v1/cases/{case_id}/comments", json={"text": "x"}, headers=bearer(tokens["zai"])), 404)
    _issue(rest.post(f"/v1/cases/{case_id}/withdraw", headers=bearer(tokens["zai"])), 404)
    assert rest.get(f"/v1/cases/{case_id}", headers=bearer(tokens["audit"])).status_code == 200  # auditors read all


def test_withdrawing_someone_elses_case_is_refused(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    _act(rest, tokens["sato"], _item(rest, tokens["sato"], "kian"), "complete")
    # suzuki may read it (the open item is his role's) but did not draft it
    issue = _issue(rest.post(f"/v1/cases/{case_id}/withdraw", headers=bearer(tokens["suzuki"])), 403)
    assert "only the drafter" in issue["message"]
    assert rest.get(f"/v1/cases/{case_id}", headers=bearer(tokens["sato"])).json()["status"] == "open"


def test_the_actor_cannot_be_forged(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    kian = _item(rest, tokens["sato"], "kian")
    for forged in ({"actor": "kato"}, {"user": "kato"}, {"user_id": "kato"}, {"by": "kato"},
                   {"on_behalf_of": "kato"}):
        answer = rest.post(f"/v1/items/{kian['id']}/complete", json=forged, headers=bearer(tokens["sato"]))
        assert _issue(answer, 422)["message"] == "unknown field"
    forged_start = rest.post("/v1/cases", json={"process": "purchase_ringi", "attributes": {"amount": 1},
                                                "drafter": "kato"}, headers=bearer(tokens["sato"]))
    _issue(forged_start, 422)
    query = rest.post(f"/v1/items/{kian['id']}/complete?actor=kato&user=kato", json={}, headers=bearer(tokens["sato"]))
    assert query.status_code == 200  # a query parameter is ignored: the token names the actor
    rows = rest.get(f"/v1/cases/{case_id}/history", headers=bearer(tokens["sato"])).json()
    assert [r["actor"] for r in rows if r["action"] == "done"] == ["sato"]
    assert all(r["actor"] != "kato" and r["on_behalf_of"] is None for r in rows)


def test_an_item_claimed_by_someone_else_is_theirs(rest: TestClient, tokens: dict[str, str]) -> None:
    _start(rest, tokens["sato"])
    kian = _item(rest, tokens["sato"], "kian")  # claimed by sato, the drafter
    for action in ("claim", "complete", "release"):
        issue = _issue(rest.post(f"/v1/items/{kian['id']}/{action}", json={}, headers=bearer(tokens["tanaka"])), 403)
        assert "claimed by sato" in issue["message"]
    assert _inbox(rest, tokens["tanaka"]) == []


def test_a_stale_version_is_a_409_and_changes_nothing(rest: TestClient, tokens: dict[str, str]) -> None:
    _start(rest, tokens["sato"])
    _act(rest, tokens["sato"], _item(rest, tokens["sato"], "kian"), "complete")
    check = _item(rest, tokens["suzuki"], "kakaricho_check")
    _act(rest, tokens["suzuki"], check, "claim")
    stale = rest.post(f"/v1/items/{check['id']}/approve", json={"version": check["version"]},
                      headers=bearer(tokens["suzuki"]))
    issue = _issue(stale, 409)
    assert "reload" in issue["hint"]
    assert _item(rest, tokens["suzuki"], "kakaricho_check")["status"] == "claimed"
    done = _act(rest, tokens["suzuki"], _item(rest, tokens["suzuki"], "kakaricho_check"), "approve")
    again = rest.post(f"/v1/items/{check['id']}/approve", json={}, headers=bearer(tokens["suzuki"]))
    assert _issue(again, 409)["message"].startswith(f"item {check['id']} (kakaricho_check) is done")
    assert len(done["opened"]) == 2


def test_verify_and_export_are_for_auditors_only(rest: TestClient, tokens: dict[str, str]) -> None:
    for user in ("sato", "mayor"):
        for path in ("/v1/audit/verify", "/v1/export"):
            issue = _issue(rest.get(path, headers=bearer(tokens[user])), 403)
            assert issue["message"] == f"{user} is not an auditor"
    assert rest.get("/v1/audit/verify", headers=bearer(tokens["audit"])).json()["ok"] is True


HOSTILE_NOTES = ["'; DROP TABLE items; --", "\" OR 1=1 --", "Robert'); DELETE FROM audit;--", "<script>x</script>",
                 "\u202e\U0001f600 稟議"]


def test_sql_ish_text_is_stored_as_text(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    for text in HOSTILE_NOTES:
        assert rest.post(f"/v1/cases/{case_id}/comments", json={"text": text},
                         headers=bearer(tokens["sato"])).status_code == 201
    case = rest.get(f"/v1/cases/{case_id}", headers=bearer(tokens["sato"])).json()
    assert [c["text"] for c in case["comments"]] == [t.strip() for t in HOSTILE_NOTES]
    for query in ({"process": "x' OR '1'='1"}, {"status": "open' --"}, {"step": "kian; DROP TABLE items"}):
        _issue(rest.get("/v1/inbox" if "step" in query else "/v1/cases", params=query,
                        headers=bearer(tokens["sato"])), 422)
    _issue(rest.post("/v1/cases", json={"process": "purchase_ringi'--", "attributes": {}},
                     headers=bearer(tokens["sato"])), 422)
    assert rest.get("/v1/audit/verify", headers=bearer(tokens["audit"])).json()["ok"]


def test_the_engine_refuses_a_nul_in_a_comment_on_both_databases(ringi: Workflow) -> None:
    """The REST model refuses it first; the CLI reaches the engine directly, where PostgreSQL would fail."""
    from bpr.execute import BadInput

    case_id = ringi.start("sato", "purchase_ringi", {"amount": SMALL})
    with pytest.raises(BadInput, match="NUL"):
        ringi.comment("sato", case_id, "a\x00b")
    assert ringi.verify().ok


def test_huge_and_strange_inputs_are_4xx_not_500(rest: TestClient, tokens: dict[str, str]) -> None:
    case_id = _start(rest, tokens["sato"])
    kian = _item(rest, tokens["sato"], "kian")
    sato = bearer(tokens["sato"])
    megabyte = "あ" * 350_000  # about 1 MB in UTF-8
    answer = rest.post(f"/v1/items/{kian['id']}/complete", json={"note": megabyte}, headers=sato)
    assert answer.status_code in (413, 422), answer.status_code
    assert rest.post(f"/v1/items/{kian['id']}/complete", json={"note": "x" * 10_001}, headers=sato).status_code == 422
    huge = rest.post(f"/v1/cases/{case_id}/comments", content=json.dumps({"text": "x" * 2_000_000}),
                     headers={**sato, "Content-Type": "application/json"})
    assert huge.status_code == 413
    _issue(rest.post(f"/v1/cases/{case_id}/comments", json={"text": "a\x00b"}, headers=sato), 422)
    _issue(rest.post(f"/v1/cases/{case_id}/comments", json={"text": "   "}, headers=sato), 422)
    for bad_id in ("0", "-1", str(2**31), str(10**30), "1e3", "abc", "%00"):
        for path in (f"/v1/cases/{bad_id}", f"/v1/cases/{bad_id}/history"):
            assert rest.get(path, headers=sato).status_code == 422, path
        answer = rest.post(f"/v1/items/{bad_id}/claim", json={}, headers=sato)
        assert answer.status_code in (404, 422), (bad_id, answer.status_code)
    _issue(rest.get(f"/v1/cases/{2**31 - 1}", headers=sato), 404)
    _issue(rest.post(f"/v1/items/{2**31 - 1}/claim", json={}, headers=sato), 404)
    for version in (0, -5, 2**31, 10**30):
        assert rest.post(f"/v1/items/{kian['id']}/claim", json={"version": version}, headers=sato).status_code == 422
    for attributes in ({"amount": "1e400"}, {"amount": None}, {"amount": [1]}, {"amount": 1, "x": 2}, {}):
        _issue(rest.post("/v1/cases", json={"process": "purchase_ringi", "attributes": attributes}, headers=sato), 422)
    _issue(rest.post("/v1/cases", json={"process": "no_such_process", "attributes": {}}, headers=sato), 404)
    for params in ({"limit": 0}, {"limit": 10**9}, {"offset": -1}, {"offset": 10**30}, {"due_before": "tomorrow"}):
        assert rest.get("/v1/inbox", params=params, headers=sato).status_code == 422, params
    assert rest.get("/v1/audit/verify", headers=bearer(tokens["audit"])).json()["ok"]


# --- the service around the endpoints: settings and timers ------------------------------------------------

PERMIT_WITH_DEADLINE = """\
id: permit
name: 許可申請
calendar: always
deadline: 1 days
roles:
  clerk: {name: 担当, staff: 2}
  chief: {name: 係長, staff: 1, authority: 2}
arrivals:
  - {channel: counter, rate: 2/hour}
steps:
  - {id: receive, name: 受付, type: task, role: clerk, duration: 10m, next: check}
  - {id: check, name: 審査, type: approval, role: chief, duration: 5m, next: done}
  - {id: done, type: end}
"""


def test_the_database_comes_from_bpr_database_or_sits_beside_the_jobs_file(tmp_path: Path) -> None:
    from bpr.api import Settings
    from bpr.api.cases_runtime import database_url

    given = Settings.from_env({"BPR_DATABASE": "postgresql+psycopg://u@h/db", "BPR_TIMER_SECONDS": "5"})
    assert (given.database, given.timer_seconds) == ("postgresql+psycopg://u@h/db", 5.0)
    assert database_url(given) == "postgresql+psycopg://u@h/db"
    default = Settings.from_env({"BPR_API_DB": str(tmp_path / "data" / "jobs.sqlite")})
    assert database_url(default) == f"sqlite:///{tmp_path / 'data' / 'bpr-cases.db'}"
    assert Settings.from_env({}, database="sqlite:///x.db").database == "sqlite:///x.db"  # bpr serve --database


def test_the_timer_thread_fires_due_timers_and_stops_at_shutdown(ringi: Workflow, clock: Any, tmp_path: Path) -> None:
    settings = rest_settings(ringi.url, tmp_path, timer_seconds=0.05)
    before = {t for t in threading.enumerate() if t.name == "bpr-timers"}  # other services' (a session's)
    with TestClient(create_app(settings)) as rest:
        deployed = rest.post("/v1/definitions", json={"process_yaml": PERMIT_WITH_DEADLINE},
                             headers=bearer(ADMIN_TOKEN))
        assert deployed.status_code == 201, deployed.text
        _, token = ringi.add_user("clerk1", "窓口", ["clerk"])
        clock.now = datetime.now(UTC) - timedelta(days=3)  # started three days ago: one day allowed
        case_id = ringi.start("clerk1", "permit", {})
        timers = rest.app.state.timers  # type: ignore[attr-defined]

        def notified() -> bool:
            found = rest.get("/v1/notifications", headers=bearer(token)).json()
            return any(n["kind"] == "overdue" and n["case_id"] == case_id for n in found)

        _wait_for(notified, "the overdue notice of the timer thread")
        assert timers.running
    assert not timers.running
    assert {t for t in threading.enumerate() if t.name == "bpr-timers"} == before
    rows = ringi.history("audit", case_id)
    assert [r["action"] for r in rows].count("case_overdue") == 1  # fired once, however many ticks ran


# --- kill -9 of the server during a burst of actions -------------------------------------------------------

BURST = {"sato": "complete", "suzuki": "approve", "zai": "approve", "kei": "approve"}
"""One client thread per user: the 担当 drafts and orders, the others approve what reaches their inbox."""
AUDITED = {"complete": "done", "approve": "approve"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 90.0,
              server: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` (and the server's exit) when it does not."""
    deadline = time.monotonic() + seconds
    while not condition():
        if server is not None and server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _serve(url: str, folder: Path, repo_root: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``bpr serve`` on a free port and the store ``url``, in a process group of its own that is killed
    (SIGKILL) on the way out, whatever happened."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(repo_root), "BPR_API_DB": str(folder / "jobs.sqlite"),
           "BPR_API_WORKERS": "1", "BPR_API_WARM_WORKERS": "false", "BPR_TIMER_SECONDS": "3600"}
    log_path = folder / f"serve-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below, after the process is gone
    server = subprocess.Popen([sys.executable, "-m", "bpr", "serve", "--port", str(port), "--database", url,
                               "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _healthy(base), f"{base}/healthz", server=server, log=log_path)
        yield base, server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()


def _drive(base: str, user: str, token: str, stop: threading.Event, acked: list[tuple[str, int, str]]) -> None:
    """Act on the user's inbox until told to stop or the server is gone; record each acknowledged action."""
    action = BURST[user]
    with httpx.Client(base_url=base, headers=bearer(token), timeout=10) as client:
        while not stop.is_set():
            try:
                inbox = client.get("/v1/inbox", params={"limit": 5}).json()
                if not inbox:
                    stop.wait(0.02)
                    continue
                item = inbox[0]
                answer = client.post(f"/v1/items/{item['id']}/{action}", json={"version": item["version"]})
            except (httpx.HTTPError, ValueError):
                return  # the server was killed: this action may or may not have happened, and was not promised
            if answer.status_code == 200:
                acked.append((user, item["id"], AUDITED[action]))


def test_kill_9_during_a_burst_loses_no_acknowledged_action(ringi: Workflow, tokens: dict[str, str], clock: Any,
                                                           tmp_path: Path, repo_root: Path) -> None:
    clock.now = datetime.now(UTC)  # the cases start now, as the server's actions happen now
    cases_started = [ringi.start("sato", "purchase_ringi", {"amount": SMALL}) for _ in range(40)]
    acked: list[tuple[str, int, str]] = []
    stop = threading.Event()
    threads = []
    try:
        with _serve(ringi.url, tmp_path, repo_root) as (base, server):
            threads = [threading.Thread(target=_drive, args=(base, user, tokens[user], stop, acked))
                       for user in BURST]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            _wait_for(lambda: len(acked) >= 60, "60 acknowledged actions", server=server)
            os.killpg(server.pid, signal.SIGKILL)  # mid-burst: the threads are still sending
            server.wait()
            took = time.monotonic() - began
            print(f"\n{len(acked)} actions acknowledged in {took:.2f} s ({len(acked) / took:.0f}/s) before kill -9")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    with _serve(ringi.url, tmp_path, repo_root) as (base, _server):
        verified = httpx.get(f"{base}/v1/audit/verify", headers=bearer(tokens["audit"]), timeout=30).json()
        assert verified["ok"], verified["problems"]
        after = httpx.get(f"{base}/v1/inbox", headers=bearer(tokens["suzuki"]), timeout=30)
        assert after.status_code == 200  # the restarted server serves the same store
    _assert_nothing_lost_nothing_half_done(ringi, acked, cases_started)


def _assert_nothing_lost_nothing_half_done(workflow: Workflow, acked: list[tuple[str, int, str]],
                                           cases_started: list[int]) -> None:
    from bpr.execute.store import audit, cases, items, loads

    with workflow.engine.connect() as conn:
        item_rows = {row.id: row for row in conn.execute(select(items))}
        audit_rows = list(conn.execute(select(audit).where(audit.c.item_id.is_not(None))))
        case_rows = list(conn.execute(select(cases)))
    finished = {(row.actor, row.item_id, row.action) for row in audit_rows
                if row.action in ("done", "approve", "reject", "return")}
    for user, item_id, action in acked:  # every acknowledged action is there, whole
        assert (user, item_id, action) in finished, f"acknowledged {action} of item {item_id} by {user} is lost"
        row = item_rows[item_id]
        assert (row.status, row.done_by) == ("done", user), (item_id, row.status, row.done_by)
    done_work = {row.id for row in item_rows.values() if row.status == "done" and row.kind in ("task", "approval")}
    assert done_work == {item_id for _, item_id, _ in finished}, "an item done without its audit row, or vice versa"
    assert {row.id for row in case_rows} == set(cases_started)
    for case in case_rows:
        if case.status != "open":
            continue
        waiting = sorted(step for step, _inside in loads(case.state)["tokens"])
        open_items = sorted(row.step for row in item_rows.values()
                            if row.case_id == case.id and row.status in ("open", "claimed"))
        assert open_items == waiting, f"case {case.id}: items {open_items}, routing state {waiting}"
