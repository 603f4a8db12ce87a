"""Where the workflow engine keeps its state: the tables, the connection, and one transaction per action.

**Databases.** SQLite by default (one file, e.g. ``sqlite:///cases.db``), PostgreSQL for a whole city hall
(``postgresql+psycopg://user@host/db``). The schema is created and upgraded by Alembic
(:mod:`bpr.execute.schema_migrations`); :func:`open_store` upgrades a database to the current schema.

**Times** are stored as naive UTC (``timestamp without time zone``): both databases keep them exactly, and
every conversion to local time (calendars, exports) happens in Python with the process's time zone.

**One action, one transaction** (:func:`action`). Every action first locks the audit trail's head row
(``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite): actions are applied one after
the other, the hash chain has one order, and a crash leaves either the whole action or nothing. Rows that
people race for (items, cases) carry a ``version`` that every update checks (optimistic locking): the
second of two people completing the same item finds the version moved and gets a clear conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    LargeBinary,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

__all__ = [
    "absences", "action", "attachments", "audit", "audit_archiving", "audit_head", "cases", "comments", "definitions", "dumps", "items", "loads",
    "metadata", "notifications", "open_store", "reading", "timers", "to_db", "from_db", "user_roles", "users",
    "utc_now",
]

metadata = MetaData()

ID = 64  # length of step, role, user and process ids (the file format's limit)

definitions = Table(
    "definitions", metadata,
    Column("id", Integer, primary_key=True),
    Column("process_id", String(ID), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("label", Text, nullable=False),  # the file's own `version:` text
    Column("source", Text, nullable=False),  # the complete process as JSON (change lists applied)
    Column("deployed_at", DateTime, nullable=False),
    Column("deployed_by", String(ID), nullable=False),
    UniqueConstraint("process_id", "version"),
    UniqueConstraint("process_id", "content_hash"),
)

users = Table(
    "users", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), unique=True),
    Column("auditor", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

user_roles = Table(
    "user_roles", metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("role", String(ID), primary_key=True),
    Index("ix_user_roles_role", "role"),
)

absences = Table(
    "absences", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("starts", DateTime, nullable=False),
    Column("ends", DateTime, nullable=False),
    Column("substitute_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_absences_user", "user_id"),
    Index("ix_absences_substitute", "substitute_id"),
)

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("definition_id", Integer, ForeignKey("definitions.id"), nullable=False),
    Column("status", String(16), nullable=False),  # open | ended | withdrawn
    Column("outcome", String(ID), nullable=False),
    Column("end_step", String(ID), nullable=False),  # the end step reached ("" while running or withdrawn)
    Column("attributes", Text, nullable=False),
    Column("state", Text, nullable=False),  # the routing core's CaseState, by step id
    Column("drafter", String(ID), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("due_at", DateTime),
    Column("version", Integer, nullable=False),
    Index("ix_cases_status", "status", "ended_at"),
    Index("ix_cases_definition", "definition_id"),
)

items = Table(
    "items", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("step", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),  # task | approval | wait
    Column("role", String(ID), nullable=False),  # who decides, after delegation; "" for a wait
    Column("status", String(16), nullable=False),  # open | claimed | done | cancelled
    Column("created_at", DateTime, nullable=False),
    Column("claimed_by", String(ID)),
    Column("claimed_at", DateTime),
    Column("done_at", DateTime),
    Column("done_by", String(ID)),
    Column("on_behalf_of", String(ID)),
    Column("outcome", String(16)),
    Column("due_at", DateTime),
    Column("escalations", Integer, nullable=False),
    Column("state_before", Text),  # the case state before this item was completed (for withdraw)
    Column("returned_to", String(ID)),  # 差戻し: the step the case was sent back to ...
    Column("returned_to_user", String(ID)),  # ... and the person it goes back to (the previous actor)
    Column("version", Integer, nullable=False),
    Index("ix_items_case", "case_id"),
    Index("ix_items_open_role", "status", "role"),
    Index("ix_items_claimed_by", "claimed_by", "status"),
)

comments = Table(
    "comments", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("item_id", Integer),
    Column("author", String(ID), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_comments_case", "case_id"),
)

timers = Table(
    "timers", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("item_id", Integer),
    Column("kind", String(16), nullable=False),  # remind | escalate | case_due
    Column("due_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending | fired | cancelled
    Column("fired_at", DateTime),
    Index("ix_timers_pending", "status", "due_at"),
    Index("ix_timers_case", "case_id"),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_id", String(ID)),
    Column("role", String(ID)),
    Column("case_id", Integer, nullable=False),
    Column("item_id", Integer),
    Column("kind", String(16), nullable=False),  # remind | overdue | escalated | returned
    Column("text", Text, nullable=False),
    Index("ix_notifications_user", "user_id"),
    Index("ix_notifications_role", "role"),
)

audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(ID), nullable=False),
    Column("on_behalf_of", String(ID)),
    Column("action", String(32), nullable=False),
    Column("case_id", Integer),
    Column("item_id", Integer),
    Column("definition_id", Integer),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_case", "case_id"),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_archiving = Table(
    "audit_archiving", metadata,  # a row here, only inside the archive's transaction, lets it move audit rows
    Column("id", Integer, primary_key=True, autoincrement=False),
)

# Added by schema revision 0002. No foreign key to cases: archiving deletes cases from the working tables,
# and a file must not stop that (the archive does not carry files yet).
attachments = Table(
    "attachments", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, nullable=False),
    Column("name", Text, nullable=False),  # the file name as uploaded: shown, never used as a path
    Column("media_type", String(64), nullable=False),  # from the content's first bytes, not from the name
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(ID), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Index("ix_attachments_case", "case_id"),
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> datetime:
    """An aware datetime as the naive UTC the tables hold."""
    if moment.tzinfo is None:
        raise ValueError("the engine takes aware datetimes only")
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def dumps(value: Any) -> str:
    """Canonical JSON: the same value always gives the same text (hashes and comparisons rely on it)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _sqlite_immediate(engine: Engine) -> None:
    """SQLite: take the write lock when the transaction begins (BEGIN IMMEDIATE), so that two writers never
    both read and then fail to upgrade; wait up to 30 s for it; write-ahead log for concurrent readers."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.info.get("begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_store_engine(url: str) -> Engine:
    """An SQLAlchemy engine for ``url`` with the settings the engine's guarantees need."""
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_immediate(engine)
        return engine
    return create_engine(url, pool_size=20, max_overflow=10, pool_pre_ping=True)


def open_store(url: str, upgrade: bool = True) -> Engine:
    """Connect to ``url`` and bring its schema to the current version (Alembic)."""
    from bpr.execute.schema_migrations import upgrade_to_head

    engine = create_store_engine(url)
    if upgrade:
        upgrade_to_head(engine)
    return engine


@contextmanager
def action(engine: Engine) -> Iterator[Connection]:
    """One action: one transaction that holds the audit trail's head (module docstring)."""
    with engine.begin() as conn:
        conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update()).one()
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: on SQLite a deferred one, so that readers do not queue behind writers."""
    with engine.connect() as conn:
        conn.info["begin"] = "DEFERRED"
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop("begin", None)
