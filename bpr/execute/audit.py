"""The audit trail: who did what, when, on which definition; append-only and hash-chained.

Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own fields in canonical JSON, so
changing, removing or reordering any row breaks the chain from there on; :func:`verify` walks it and names
the first row that does not match. The database refuses updates and deletes of audit rows (triggers made by
the schema migration); the chain catches what someone with the database's owner rights does anyway.

Rows moved to an archive file (:mod:`bpr.execute.archive`) leave a gap that the archive's own audit record
accounts for: :func:`verify` checks that every missing sequence number is listed by one, and, given the
archive files, checks the moved rows too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bpr.execute.store import audit, audit_head, dumps, loads, to_db

__all__ = ["AuditRow", "Verification", "append", "row_hash", "verify", "verify_rows"]

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime  # naive UTC, as stored
    actor: str
    on_behalf_of: str | None
    action: str
    case_id: int | None
    item_id: int | None
    definition_id: int | None
    detail: str  # canonical JSON
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: Any) -> AuditRow:
        """From a database row mapping (or any mapping with the fields)."""
        return cls(**{name: row[name] for name in cls.__slots__})

    def as_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}
        out["at"] = self.at.replace(tzinfo=UTC).isoformat()  # stored as naive UTC
        return out


def row_hash(prev_hash: str, seq: int, at: datetime, actor: str, on_behalf_of: str | None, action: str,
             case_id: int | None, item_id: int | None, definition_id: int | None, detail: str) -> str:
    body = dumps([seq, at.isoformat(timespec="microseconds"), actor, on_behalf_of, action, case_id, item_id,
                  definition_id, detail])
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(conn: Connection, at: datetime, actor: str, action: str, *, case_id: int | None = None,
           item_id: int | None = None, definition_id: int | None = None, on_behalf_of: str | None = None,
           detail: Mapping[str, Any] | None = None) -> int:
    """Record one action in the caller's transaction (which holds the head: :func:`store.action`)."""
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    seq = head.seq + 1
    stamp = to_db(at)
    text = dumps(dict(detail or {}))
    digest = row_hash(head.hash, seq, stamp, actor, on_behalf_of, action, case_id, item_id, definition_id, text)
    conn.execute(insert(audit).values(seq=seq, at=stamp, actor=actor, on_behalf_of=on_behalf_of, action=action,
                                      case_id=case_id, item_id=item_id, definition_id=definition_id,
                                      detail=text, prev_hash=head.hash, hash=digest))
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest))
    return seq


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of :func:`verify`: ``ok``, how many rows were checked, and each problem found."""

    rows: int
    archived: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _archived_ranges(rows: Iterable[AuditRow]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for row in rows:
        if row.action == "archive":
            out.extend((int(a), int(b)) for a, b in loads(row.detail).get("moved", []))
    return out


def verify_rows(rows: list[AuditRow], head: tuple[int, str] | None = None) -> Verification:
    """Check a chain given as rows in sequence order (database rows, with archived rows merged in)."""
    problems: list[str] = []
    by_seq = {row.seq: row for row in rows}
    covered = _archived_ranges(rows)

    def archived(seq: int) -> bool:
        return any(a <= seq <= b for a, b in covered)

    previous_seq = 0
    for row in rows:
        expected = row_hash(row.prev_hash, row.seq, row.at, row.actor, row.on_behalf_of, row.action, row.case_id,
                            row.item_id, row.definition_id, row.detail)
        if expected != row.hash:
            problems.append(f"audit row {row.seq} ({row.action} by {row.actor}) was changed: its hash does not match")
        if row.seq == 1 and row.prev_hash != GENESIS:
            problems.append("audit row 1 does not start the chain")
        before = by_seq.get(row.seq - 1)
        if before is not None and row.prev_hash != before.hash:
            problems.append(f"audit row {row.seq} does not follow row {row.seq - 1}: a row was changed or inserted")
        for missing in range(previous_seq + 1, row.seq):
            if not archived(missing):
                problems.append(f"audit row {missing} is missing and no archive record lists it: it was deleted")
                break
        previous_seq = row.seq
    if head is not None:
        seq, digest = head
        last = rows[-1] if rows else None
        if last is None and seq != 0 or last is not None and (last.seq != seq or last.hash != digest):
            problems.append(f"the trail ends at row {last.seq if last else 0} but its head says row {seq}: "
                            "rows at the end were deleted")
    return Verification(len(rows), sum(b - a + 1 for a, b in covered), tuple(problems))


def verify(conn: Connection, archived_rows: Iterable[AuditRow] = ()) -> Verification:
    """Walk the whole trail of the database (plus rows read from archive files) and report every break."""
    rows = {row.seq: row for row in archived_rows}
    for row in conn.execute(select(audit).order_by(audit.c.seq)).mappings():
        rows[row["seq"]] = AuditRow.of(row)
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    return verify_rows([rows[k] for k in sorted(rows)], (head.seq, head.hash))
