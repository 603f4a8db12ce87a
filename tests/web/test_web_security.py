"""The pages' security promises, through the HTTP face: markup typed by users stays text, forms need their
CSRF token, another department's case cannot be reached by editing a URL or a form, an upload is typed by its
content, and sessions cannot be forged. Run in-process (Starlette's test client): no browser needed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from webhelp import SECRET

from bpr.execute import Workflow
from bpr.execute.attachments import MAX_BYTES
from bpr.web import create_web_app
from bpr.web.session import COOKIE

SCRIPT = "<script>alert('x')</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def item_of(workflow: Workflow, user: str, step: str) -> Any:
    found = [i for i in workflow.inbox(user) if i.step == step]
    assert len(found) == 1, [i.step for i in workflow.inbox(user)]
    return found[0]


@pytest.fixture
def case_id(staff: tuple[Workflow, dict[str, str]]) -> int:
    """A case drafted by sato, waiting for suzuki's check (係長審査)."""
    workflow, _ = staff
    case = workflow.start("sato", "purchase_ringi", {"amount": 300_000})
    workflow.complete("sato", item_of(workflow, "sato", "kian").id)
    return case


def test_markup_in_a_comment_and_a_note_is_shown_as_text(staff: Any, client_for: Any, case_id: int) -> None:
    workflow, _ = staff
    sato = client_for("sato")
    assert sato.http.post(f"/cases/{case_id}/comment", data={"csrf": sato.csrf, "text": SCRIPT}).status_code == 200
    suzuki = client_for("suzuki")
    item = item_of(workflow, "suzuki", "kakaricho_check")
    suzuki.http.post(f"/cases/{case_id}/act", data={"csrf": suzuki.csrf, "item": item.id, "version": item.version,
                                                     "action": "return", "note": SCRIPT})
    page = sato.http.get(f"/cases/{case_id}").text
    assert SCRIPT not in page
    # the comment (in the comments and in the timeline) and the note of the return (in the timeline)
    assert page.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 3
    assert "<script" not in page  # the pages carry no script of their own either


def test_markup_in_an_attribute_value_is_shown_as_text(client_for: Any) -> None:
    sato = client_for("sato")
    page = sato.http.post("/start/purchase_ringi", data={"csrf": sato.csrf, "amount": SCRIPT})
    assert page.status_code == 422
    assert SCRIPT not in page.text
    message = re.search(r'id="error-message">([^<]*)<', page.text)
    assert message and "&lt;script&gt;" in message.group(1) and "amount" in message.group(1)


@pytest.mark.parametrize(("path", "fields"), [
    ("/cases/{case}/comment", {"text": "ok"}),
    ("/cases/{case}/act", {"item": "0", "version": "1", "action": "approve"}),
    ("/cases/{case}/withdraw", {}),
    ("/start/purchase_ringi", {"amount": "300000"}),
    ("/absence", {"starts": "2027-04-06T09:00", "ends": "2027-04-07T09:00", "substitute": "ito"}),
    ("/logout", {}),
])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(staff: Any, client_for: Any, case_id: int,
                                                                      path: str, fields: dict[str, str],
                                                                      token: str | None) -> None:
    workflow, _ = staff
    before = len(workflow.history("sato", case_id)), len(workflow.absences())
    sato = client_for("sato")
    data = dict(fields, **({"csrf": token} if token else {}))
    answer = sato.http.post(path.format(case=case_id), data=data, follow_redirects=False)
    assert answer.status_code == 403, answer.text
    assert (len(workflow.history("sato", case_id)), len(workflow.absences())) == before
    assert sato.http.get("/").status_code == 200  # still signed in: the refused logout did nothing


def test_an_upload_without_the_csrf_token_is_refused(client_for: Any, case_id: int) -> None:
    sato = client_for("sato")
    answer = sato.http.post(f"/cases/{case_id}/attachments", files={"file": ("a.pdf", PDF, "application/pdf")})
    assert answer.status_code == 403


def test_another_departments_case_cannot_be_opened_or_acted_on_by_editing_the_url(
        staff: Any, client_for: Any, case_id: int) -> None:
    workflow, _ = staff
    sato = client_for("sato")
    sato.http.post(f"/cases/{case_id}/attachments", data={"csrf": sato.csrf},
                   files={"file": ("見積書.pdf", PDF, "application/pdf")})
    item = item_of(workflow, "suzuki", "kakaricho_check")
    before = workflow.history("sato", case_id)
    hoken = client_for("hoken")
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/diagram.svg", f"/cases/{case_id}/attachments/1"):
        answer = hoken.http.get(path)
        assert answer.status_code == 404, path
        assert "300,000" not in answer.text and "見積書" not in answer.text
    posts = [(f"/cases/{case_id}/act", {"item": item.id, "version": item.version, "action": "approve"}),
             (f"/cases/{case_id}/comment", {"text": "見ました"}),
             (f"/cases/{case_id}/withdraw", {})]
    for path, fields in posts:
        assert hoken.http.post(path, data=dict(fields, csrf=hoken.csrf)).status_code in (403, 404), path
    upload = hoken.http.post(f"/cases/{case_id}/attachments", data={"csrf": hoken.csrf},
                             files={"file": ("x.pdf", PDF, "application/pdf")})
    assert upload.status_code == 404
    assert workflow.history("sato", case_id) == before


def test_an_item_of_another_case_typed_into_a_form_is_refused(staff: Any, client_for: Any, case_id: int) -> None:
    workflow, _ = staff
    other = workflow.start("sato", "purchase_ringi", {"amount": 200_000})
    workflow.complete("sato", [i for i in workflow.inbox("sato") if i.case_id == other][0].id)
    theirs = [i for i in workflow.inbox("suzuki") if i.case_id == other][0]
    suzuki = client_for("suzuki")
    answer = suzuki.http.post(f"/cases/{case_id}/act", data={"csrf": suzuki.csrf, "item": theirs.id,
                                                            "version": theirs.version, "action": "approve"})
    assert answer.status_code == 404
    assert f"case {case_id} has no item {theirs.id}" in answer.text


@pytest.mark.parametrize(("name", "content", "sent_as", "message"), [
    ("見積書.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "is not a PDF or an image"),
    ("見積書.pdf", PNG, "application/pdf", "was sent as application/pdf but its content is image/png"),
    ("empty.pdf", b"", "application/pdf", "is empty"),
])
def test_an_upload_that_is_not_what_it_claims_is_refused(staff: Any, client_for: Any, case_id: int, name: str,
                                                         content: bytes, sent_as: str, message: str) -> None:
    workflow, _ = staff
    sato = client_for("sato")
    answer = sato.http.post(f"/cases/{case_id}/attachments", data={"csrf": sato.csrf},
                            files={"file": (name, content, sent_as)})
    assert answer.status_code == 422
    assert message in answer.text
    assert "attach" not in [row["action"] for row in workflow.history("sato", case_id)]


def test_an_upload_over_the_size_limit_is_refused(client_for: Any, case_id: int) -> None:
    sato = client_for("sato")
    big = b"%PDF-" + b"0" * MAX_BYTES
    answer = sato.http.post(f"/cases/{case_id}/attachments", data={"csrf": sato.csrf},
                            files={"file": ("big.pdf", big, "application/pdf")})
    assert answer.status_code in (413, 422)
    assert "10,485,760" in answer.text or "over" in answer.text


def test_a_pdf_is_kept_with_its_hash_and_served_as_itself(staff: Any, client_for: Any, case_id: int) -> None:
    import hashlib

    workflow, _ = staff
    sato = client_for("sato")
    page = sato.http.post(f"/cases/{case_id}/attachments", data={"csrf": sato.csrf},
                          files={"file": ("見積書.pdf", PDF, "application/octet-stream")})
    assert page.status_code == 200 and "見積書.pdf" in page.text
    assert hashlib.sha256(PDF).hexdigest()[:16] in page.text
    served = sato.http.get(f"/cases/{case_id}/attachments/1")
    assert (served.content, served.headers["content-type"]) == (PDF, "application/pdf")
    assert "sandbox" in served.headers["content-security-policy"]
    [attached] = [row for row in workflow.history("sato", case_id) if row["action"] == "attach"]
    assert hashlib.sha256(PDF).hexdigest() in attached["detail"]


def test_the_session_cookie_is_httponly_lax_and_cannot_be_forged(staff: Any) -> None:
    from starlette.testclient import TestClient

    workflow, tokens = staff
    http = TestClient(create_web_app(workflow, secret=SECRET))
    login = http.get("/login")
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    http.post("/login", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', login.text).group(1),  # type: ignore[union-attr]
                              "token": tokens["sato"]})
    assert http.get("/", follow_redirects=False).status_code == 200
    body, mac = http.cookies[COOKIE].rsplit(".", 1)
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["u"] = "ito"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    http.cookies.set(COOKIE, f"{forged}.{mac}")
    answer = http.get("/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_a_wrong_token_does_not_sign_in(staff: Any) -> None:
    from starlette.testclient import TestClient

    workflow, _ = staff
    http = TestClient(create_web_app(workflow, secret=SECRET))
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = http.post("/login", data={"csrf": csrf, "token": "not-a-token"})
    assert answer.status_code == 401
    assert http.get("/", follow_redirects=False).status_code == 303


def test_a_failure_inside_a_page_shows_no_traceback(staff: Any, client_for: Any, monkeypatch: Any) -> None:
    workflow, _ = staff
    sato = client_for("sato")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(workflow, "inbox", broken)
    answer = sato.http.get("/")
    assert answer.status_code == 500
    assert "内部エラー" in answer.text
    assert "Traceback" not in answer.text and "hunter2" not in answer.text


def test_the_diagram_outlines_the_current_steps_only(staff: Any, client_for: Any, case_id: int) -> None:
    import re as regex

    svg = client_for("sato").http.get(f"/cases/{case_id}/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    marked = regex.findall(r'<g id="[^"]+" class="node bpr-current">\s*<title>([^<]+)</title>', svg.text)
    assert marked == ["kakaricho_check"]
