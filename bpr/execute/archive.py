"""History that does not grow for ever: finished cases older than N days move to an archive file.

The archive is an SQLite file with the working tables' shape (cases, items, comments, the definitions
they ran on, and their audit rows), so the log export reads it like the store, and ``verify`` checks its
audit rows against the chain. Archiving the same cases into the same file again is harmless (rows already
there are skipped), so a crash between the archive's commit and the store's loses nothing.

Order of work, per batch: copy to the archive and commit it; then, in one transaction of the store, delete
the copied rows (audit rows only under the ``audit_archiving`` guard row) and append an ``archive`` audit
record that lists the moved sequence numbers and the archive file. The chain stays verifiable: a gap is
accounted for by that record, and the archived rows themselves when the archive file is given.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, delete, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.engine import Connection, Engine

from bpr.execute.audit import AuditRow, append
from bpr.execute.errors import BadInput
from bpr.execute.store import (
    action, audit, audit_archiving, cases, comments, definitions, items, metadata, notifications, timers, to_db,
)

__all__ = ["ArchiveResult", "archive_cases", "open_archive", "read_archive_audit"]

BATCH = 500


@dataclass(frozen=True)
class ArchiveResult:
    path: str
    cases: int
    audit_rows: int

    def summary(self) -> dict[str, Any]:
        return {"archive": self.path, "cases": self.cases, "audit_rows": self.audit_rows}


def open_archive(path: str | os.PathLike[str], create: bool = False) -> Engine:
    """The archive file as a database (created with the working tables' shape when ``create``)."""
    target = Path(path)
    if not create and not target.is_file():
        raise BadInput(f"no archive file {str(target)!r}")
    if create and target.exists() and not target.is_file():
        raise BadInput(f"{str(target)!r} is not a regular file", "name a file for the archive")
    engine = create_engine(f"sqlite:///{target}")
    try:
        if create:
            metadata.create_all(engine, tables=[definitions, cases, items, comments, audit])
        missing = {"definitions", "cases", "items", "audit"} - set(inspect(engine).get_table_names())
    except SQLAlchemyError:
        engine.dispose()
        raise BadInput(f"{str(target)!r} is not an archive file (not an SQLite database)",
                       "archive files are written by bpr cases archive") from None
    if missing:
        engine.dispose()
        raise BadInput(f"{str(target)!r} is not an archive file (it has no {', '.join(sorted(missing))} table)",
                       "archive files are written by bpr cases archive")
    return engine


def _ranges(numbers: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _copy(rows: list[Any], table: Table, into: Connection, key: str) -> None:
    if not rows:
        return
    have = set(into.execute(select(table.c[key]).where(table.c[key].in_([r[key] for r in rows]))).scalars())
    fresh = [dict(r) for r in rows if r[key] not in have]
    if fresh:
        into.execute(insert(table), fresh)


def _batches(conn: Connection, before: datetime) -> Iterator[list[int]]:
    while True:
        ids = list(conn.execute(select(cases.c.id).where(cases.c.status.in_(("ended", "withdrawn")),
                                                         cases.c.ended_at < to_db(before))
                                .order_by(cases.c.id).limit(BATCH)).scalars())
        if not ids:
            return
        yield ids


def archive_cases(store: Engine, path: str | os.PathLike[str], older_than_days: int, now: datetime,
                  by: str) -> ArchiveResult:
    """Move finished cases that ended more than ``older_than_days`` ago into the archive at ``path``."""
    if older_than_days < 0:
        raise BadInput(f"--older-than {older_than_days}: a number of days from 0")
    before = now - timedelta(days=older_than_days)
    archive = open_archive(path, create=True)
    moved_cases = moved_audit = 0
    try:
        while True:
            with store.connect() as peek:
                batch = next(_batches(peek, before), None)
            if not batch:
                break
            with store.connect() as read:
                case_rows = [r._mapping for r in read.execute(select(cases).where(cases.c.id.in_(batch)))]
                item_rows = [r._mapping for r in read.execute(select(items).where(items.c.case_id.in_(batch)))]
                comment_rows = [r._mapping for r in read.execute(select(comments)
                                                                 .where(comments.c.case_id.in_(batch)))]
                audit_rows = [r._mapping for r in read.execute(select(audit).where(audit.c.case_id.in_(batch)))]
                used = {r["definition_id"] for r in case_rows}
                definition_rows = [r._mapping for r in read.execute(select(definitions)
                                                                    .where(definitions.c.id.in_(used)))]
            with archive.begin() as into:
                _copy(definition_rows, definitions, into, "id")
                _copy(case_rows, cases, into, "id")
                _copy(item_rows, items, into, "id")
                _copy(comment_rows, comments, into, "id")
                _copy(audit_rows, audit, into, "seq")
            seqs = [r["seq"] for r in audit_rows]
            with action(store) as conn:
                for table, column in ((timers, timers.c.case_id), (notifications, notifications.c.case_id),
                                      (comments, comments.c.case_id), (items, items.c.case_id)):
                    conn.execute(delete(table).where(column.in_(batch)))
                conn.execute(insert(audit_archiving).values(id=1))
                conn.execute(delete(audit).where(audit.c.seq.in_(seqs)))
                conn.execute(delete(audit_archiving))
                conn.execute(delete(cases).where(cases.c.id.in_(batch)))
                append(conn, now, by, "archive", detail={"file": os.path.basename(os.fspath(path)),
                                                         "cases": [batch[0], batch[-1], len(batch)],
                                                         "moved": _ranges(seqs)})
            moved_cases += len(batch)
            moved_audit += len(seqs)
    finally:
        archive.dispose()
    return ArchiveResult(os.fspath(path), moved_cases, moved_audit)


def read_archive_audit(path: str | os.PathLike[str]) -> list[AuditRow]:
    """The audit rows kept in an archive file (for ``verify``)."""
    engine = open_archive(path)
    try:
        with engine.connect() as conn:
            return [AuditRow.of(r) for r in conn.execute(select(audit).order_by(audit.c.seq)).mappings()]
    finally:
        engine.dispose()
