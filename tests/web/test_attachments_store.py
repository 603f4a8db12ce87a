"""The attachments store and the actions a user may take (the two engine parts the pages added), on SQLite
and on PostgreSQL: files keep their bytes and hash, only the case's readers reach them, and the buttons a
page shows are exactly the actions the engine then accepts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from webhelp import Clock, staffed

from bpr.execute import BadInput, NotFound, Refused
from bpr.execute.attachments import CaseFiles, media_type_of

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))


@pytest.fixture
def ringi(store_url: str, clock: Clock, repo_root: Path) -> Any:
    workflow, _ = staffed(store_url, clock, repo_root)
    yield workflow
    workflow.close()


def started(workflow: Any) -> int:
    case_id = workflow.start("sato", "purchase_ringi", {"amount": 300_000})
    workflow.complete("sato", [i for i in workflow.inbox("sato") if i.case_id == case_id][0].id)
    return int(case_id)


@pytest.mark.parametrize(("content", "media_type"), [
    (PDF, "application/pdf"), (JPEG, "image/jpeg"), (b"\x89PNG\r\n\x1a\n\0", "image/png"),
    (b"GIF89a\x01\x00", "image/gif"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"PK\x03\x04 a zip named .pdf", None), (b"<svg onload=alert(1)>", None), (b"", None),
])
def test_the_type_is_read_from_the_first_bytes(content: bytes, media_type: str | None) -> None:
    assert media_type_of(content) == media_type


def test_a_file_is_kept_with_its_hash_and_audited(ringi: Any) -> None:
    files = CaseFiles(ringi.engine, ringi.clock)
    case_id = started(ringi)
    first = files.attach("sato", case_id, "見積書.pdf", PDF)
    second = files.attach("suzuki", case_id, "写真.jpg", JPEG, claimed_type="image/jpeg")
    assert [(f.name, f.media_type, f.size, f.uploaded_by) for f in files.list("suzuki", case_id)] == [
        ("見積書.pdf", "application/pdf", len(PDF), "sato"), ("写真.jpg", "image/jpeg", len(JPEG), "suzuki")]
    got = files.get("sato", case_id, second.id)
    assert (got.content, got.sha256) == (JPEG, hashlib.sha256(JPEG).hexdigest())
    attached = [r for r in ringi.history("sato", case_id) if r["action"] == "attach"]
    assert [(r["actor"], hashlib.sha256(PDF if r["actor"] == "sato" else JPEG).hexdigest() in r["detail"])
            for r in attached] == [("sato", True), ("suzuki", True)]
    assert first.id != second.id and ringi.verify().ok


def test_only_readers_of_the_case_reach_its_files(ringi: Any) -> None:
    files = CaseFiles(ringi.engine, ringi.clock)
    case_id = started(ringi)
    attached = files.attach("sato", case_id, "見積書.pdf", PDF)
    for call in (lambda: files.list("hoken", case_id), lambda: files.get("hoken", case_id, attached.id),
                 lambda: files.attach("hoken", case_id, "x.pdf", PDF)):
        with pytest.raises(NotFound, match=f"no case {case_id}"):
            call()
    other = started(ringi)
    with pytest.raises(NotFound, match=f"case {other} has no attachment {attached.id}"):
        files.get("sato", other, attached.id)  # a file is reached through its own case only


def test_a_file_that_is_not_what_it_claims_is_refused(ringi: Any) -> None:
    files = CaseFiles(ringi.engine, ringi.clock)
    case_id = started(ringi)
    with pytest.raises(BadInput, match=r"見積書\.pdf is not a PDF or an image \(it begins b'<html>"):
        files.attach("sato", case_id, "見積書.pdf", b"<html></html>")
    with pytest.raises(BadInput, match="was sent as application/pdf but its content is image/jpeg"):
        files.attach("sato", case_id, "見積書.pdf", JPEG, claimed_type="application/pdf")
    assert files.list("sato", case_id) == []


def test_a_changed_file_is_refused_on_reading(ringi: Any) -> None:
    files = CaseFiles(ringi.engine, ringi.clock)
    case_id = started(ringi)
    attached = files.attach("sato", case_id, "見積書.pdf", PDF)
    with ringi.engine.begin() as conn:
        conn.execute(text("UPDATE attachments SET content = :c WHERE id = :i"), {"c": PDF + b"x", "i": attached.id})
    with pytest.raises(Refused, match="does not match its stored SHA-256"):
        files.get("sato", case_id, attached.id)


def test_the_actions_offered_are_the_ones_the_engine_accepts(ringi: Any, clock: Clock) -> None:
    case_id = started(ringi)
    sato = ringi.allowed_actions("sato", case_id)
    assert (sato.items, sato.withdraw) == ((), True)  # the drafter may withdraw until someone claims the check
    [check] = ringi.allowed_actions("suzuki", case_id).items
    assert (check.step, check.actions, check.on_behalf_of) == ("kakaricho_check", ("approve", "reject", "return"),
                                                               None)
    with pytest.raises(NotFound):
        ringi.allowed_actions("hoken", case_id)
    ringi.approve("suzuki", check.item_id)
    assert ringi.allowed_actions("sato", case_id).withdraw is False
    ringi.approve("zai", [i for i in ringi.inbox("zai") if i.case_id == case_id][0].id)
    ringi.approve("kei", [i for i in ringi.inbox("kei") if i.case_id == case_id][0].id)
    with pytest.raises(NotFound):  # 課長専決: the decision is kato's; the director cannot even see it ...
        ringi.allowed_actions("ito", case_id)
    ringi.add_absence("kato", clock.now, clock.now.replace(year=2028), "ito")  # ... until kato is away
    [kessai] = ringi.allowed_actions("ito", case_id).items
    assert (kessai.step, kessai.actions, kessai.on_behalf_of) == ("kessai", ("approve", "reject", "return"), "kato")
    ringi.approve("ito", kessai.item_id)
    [row] = [r for r in ringi.history("ito", case_id) if r["action"] == "approve" and r["actor"] == "ito"]
    assert row["on_behalf_of"] == "kato"
