"""Files attached to a case (稟議の添付書類): PDF and images, each kept with its SHA-256.

The type is read from the content's first bytes (magic numbers), never from the file name or the type the
browser claims: a file named ``見積書.pdf`` that does not start with ``%PDF-`` is refused, so what a reader
opens is what the list says. Files are read and added by those who may read the case
(:func:`bpr.execute.access.check_may_read`: anyone else is told the case does not exist), and every upload
is in the audit trail with its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from bpr.execute.access import check_may_read
from bpr.execute.audit import append
from bpr.execute.errors import BadInput, NotFound, Refused
from bpr.execute.people import get_user
from bpr.execute.store import action, attachments, cases, from_db, reading, to_db

__all__ = ["MAX_BYTES", "Attachment", "CaseFiles", "add_attachment", "get_attachment", "list_attachments",
           "media_type_of"]

MAX_BYTES = 10 * 1024 * 1024
"""The largest file accepted (10 MiB): scans of a few pages, not archives of drawings."""

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def media_type_of(content: bytes) -> str | None:
    """The media type the content's first bytes show (PDF, PNG, JPEG, GIF, WebP), or None."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class Attachment:
    id: int
    case_id: int
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    content: bytes | None = None  # only when asked for (get_attachment)


def add_attachment(conn: Connection, user_id: str, case_id: int, name: str, content: bytes, at: datetime,
                   claimed_type: str | None = None) -> Attachment:
    """Attach ``content`` to the case; refused when too large, empty, or neither a PDF nor an image, and when
    ``claimed_type`` (what the uploader said it is) differs from what the content is."""
    user = get_user(conn, user_id)
    check_may_read(conn, user, case_id, at)
    shown = name.strip() or "file"
    if len(shown) > 255:
        raise BadInput(f"a file name of {len(shown)} characters", "shorten it to 255 characters or fewer")
    if not content:
        raise BadInput(f"{shown} is empty")
    if len(content) > MAX_BYTES:
        raise BadInput(f"{shown} is {len(content):,} bytes, over the limit of {MAX_BYTES:,}",
                       "scan at a lower resolution or split the file")
    media_type = media_type_of(content)
    if media_type is None:
        raise BadInput(f"{shown} is not a PDF or an image (it begins {content[:8]!r})",
                       "attach PDF, PNG, JPEG, GIF or WebP files")
    if claimed_type and claimed_type not in ("application/octet-stream", media_type):
        raise BadInput(f"{shown} was sent as {claimed_type} but its content is {media_type}")
    status = conn.execute(select(cases.c.status).where(cases.c.id == case_id)).scalar_one()
    if status != "open":
        raise Refused(f"case {case_id} is {status}: its papers are closed")
    digest = hashlib.sha256(content).hexdigest()
    new_id = int(conn.execute(insert(attachments).values(
        case_id=case_id, name=shown, media_type=media_type, size=len(content), sha256=digest, content=content,
        uploaded_by=user.id, uploaded_at=to_db(at))).inserted_primary_key[0])  # type: ignore[index]
    append(conn, at, user.id, "attach", case_id=case_id,
           detail={"attachment": new_id, "name": shown, "media_type": media_type, "size": len(content),
                   "sha256": digest})
    return Attachment(new_id, case_id, shown, media_type, len(content), digest, user.id, at)


def _attachment(row: object, with_content: bool) -> Attachment:
    uploaded = from_db(getattr(row, "uploaded_at"))
    assert uploaded is not None
    return Attachment(getattr(row, "id"), getattr(row, "case_id"), getattr(row, "name"), getattr(row, "media_type"),
                      getattr(row, "size"), getattr(row, "sha256"), getattr(row, "uploaded_by"), uploaded,
                      bytes(getattr(row, "content")) if with_content else None)


def list_attachments(conn: Connection, user_id: str, case_id: int, at: datetime) -> list[Attachment]:
    check_may_read(conn, get_user(conn, user_id), case_id, at)
    columns = [c for c in attachments.c if c.name != "content"]
    rows = conn.execute(select(*columns).where(attachments.c.case_id == case_id).order_by(attachments.c.id))
    return [_attachment(row, False) for row in rows]


def get_attachment(conn: Connection, user_id: str, case_id: int, attachment_id: int, at: datetime) -> Attachment:
    """One file with its content, for a reader of its case; checked against its stored hash."""
    check_may_read(conn, get_user(conn, user_id), case_id, at)
    row = conn.execute(select(attachments).where(attachments.c.id == attachment_id,
                                                 attachments.c.case_id == case_id)).first()
    if row is None:
        raise NotFound(f"case {case_id} has no attachment {attachment_id}")
    found = _attachment(row, True)
    assert found.content is not None
    if hashlib.sha256(found.content).hexdigest() != found.sha256:
        raise Refused(f"attachment {attachment_id} of case {case_id} does not match its stored SHA-256",
                      "the file was changed outside bpr: ask an administrator to restore it")
    return found


class CaseFiles:
    """The attachments of a workflow's store, one transaction per call (as :class:`Workflow` does for the
    rest). ``CaseFiles(workflow.engine, workflow.clock)``."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def attach(self, user_id: str, case_id: int, name: str, content: bytes,
               claimed_type: str | None = None) -> Attachment:
        with action(self.engine) as conn:
            return add_attachment(conn, user_id, case_id, name, content, self.clock(), claimed_type)

    def list(self, user_id: str, case_id: int) -> list[Attachment]:
        with reading(self.engine) as conn:
            return list_attachments(conn, user_id, case_id, self.clock())

    def get(self, user_id: str, case_id: int, attachment_id: int) -> Attachment:
        with reading(self.engine) as conn:
            return get_attachment(conn, user_id, case_id, attachment_id, self.clock())
