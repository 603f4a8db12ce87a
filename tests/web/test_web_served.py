"""The pages as ``bpr serve`` serves them: mounted at ``/web`` on the REST service, on the same engine, with
cookies scoped to ``/web`` and the service's body limit left to the pages (attachments are larger)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from webhelp import SECRET, Clock, csrf_of, staffed

from bpr.api import Settings, create_app
from bpr.execute.attachments import MAX_BYTES
from bpr.web.session import COOKIE


def _service(tmp_path: Path, **overrides: Any) -> TestClient:
    values: dict[str, Any] = {"db_path": tmp_path / "jobs.sqlite", "workers": 1, "warm_workers": False,
                              "database": f"sqlite:///{tmp_path / 'cases.db'}", "timer_seconds": 3600,
                              "web_secret": SECRET, "max_body_bytes": 1024 * 1024}
    values.update(overrides)
    return TestClient(create_app(Settings(**values)), raise_server_exceptions=False)


def _sign_in(http: TestClient, token: str) -> str:
    page = http.post("/web/login", data={"csrf": csrf_of(http.get("/web/login").text), "token": token})
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def test_the_service_serves_the_pages_under_web_on_its_own_engine(tmp_path: Path, repo_root: Path) -> None:
    workflow, tokens = staffed(f"sqlite:///{tmp_path / 'cases.db'}", Clock(), repo_root)
    case_id = workflow.start("sato", "purchase_ringi", {"amount": 300_000})
    workflow.close()
    with _service(tmp_path) as http:
        assert http.get("/web/", follow_redirects=False).headers["location"].endswith("/web/login")
        _sign_in(http, tokens["sato"])
        assert [cookie.path for cookie in http.cookies.jar if cookie.name == COOKIE] == ["/web"]
        inbox = http.get("/web/")
        assert inbox.status_code == 200 and 'href="/web/cases/' in inbox.text
        case = http.get(f"/web/cases/{case_id}")
        assert case.status_code == 200 and "300,000" in case.text
        assert http.get("/web/static/style.css").status_code == 200
        assert http.get("/v1/me", headers={"Authorization": f"Bearer {tokens['sato']}"}).json()["id"] == "sato"


def test_an_attachment_larger_than_the_rest_body_limit_reaches_the_pages(tmp_path: Path, repo_root: Path) -> None:
    workflow, tokens = staffed(f"sqlite:///{tmp_path / 'cases.db'}", Clock(), repo_root)
    case_id = workflow.start("sato", "purchase_ringi", {"amount": 300_000})
    workflow.close()
    pdf = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF\n"  # 2 MiB: over the service's 1 MiB, under the pages'
    assert len(pdf) < MAX_BYTES
    with _service(tmp_path) as http:
        csrf = _sign_in(http, tokens["sato"])
        page = http.post(f"/web/cases/{case_id}/attachments", data={"csrf": csrf},
                         files={"file": ("見積書.pdf", pdf, "application/pdf")})
        assert page.status_code == 200 and "見積書.pdf" in page.text
        too_big = http.post("/v1/validate", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                            headers={"Content-Type": "application/json"})
        assert too_big.status_code == 413  # the REST routes keep their limit


def test_without_a_secret_the_pages_still_sign_in(tmp_path: Path, repo_root: Path) -> None:
    workflow, tokens = staffed(f"sqlite:///{tmp_path / 'cases.db'}", Clock(), repo_root)
    workflow.close()
    with _service(tmp_path, web_secret=None) as http:
        _sign_in(http, tokens["sato"])
        assert http.get("/web/").status_code == 200
