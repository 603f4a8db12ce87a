"""Deployed definitions: a process file frozen as an immutable, numbered version of its process.

Deploying stores the complete process (change lists applied) as canonical JSON with its SHA-256. Deploying
the same content again returns the version already there; new content for the same process id gets the
next version number. A definition is never changed or removed: running cases name the version they run on,
and move to another only by an explicit migration (:mod:`bpr.execute.migrate`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from bpr.execute.audit import append
from bpr.execute.errors import NotFound
from bpr.execute.store import definitions, dumps, from_db, loads, to_db
from bpr.model.load import process_from_data, process_to_data
from bpr.model.routing import Router, Routing, compile_routing
from bpr.model.schema import Process

__all__ = ["Definition", "deploy", "get_definition", "latest_definition", "list_definitions"]


@dataclass(frozen=True)
class Definition:
    """One deployed version: ``ref`` (``purchase_ringi@2``) is how people and files name it."""

    id: int
    process_id: str
    version: int
    content_hash: str
    name: str
    label: str
    deployed_at: datetime
    deployed_by: str
    process: Process
    routing: Routing

    @property
    def ref(self) -> str:
        return f"{self.process_id}@{self.version}"

    @property
    def router(self) -> Router:
        return Router(self.routing)

    def summary(self) -> dict[str, object]:
        return {"id": self.id, "ref": self.ref, "process_id": self.process_id, "version": self.version,
                "name": self.name, "label": self.label, "content_hash": self.content_hash,
                "deployed_at": self.deployed_at.isoformat(), "deployed_by": self.deployed_by}


@lru_cache(maxsize=64)
def _compiled(content_hash: str, source: str) -> tuple[Process, Routing]:
    """Definitions never change, so each one is parsed and compiled once per process (keyed by content)."""
    process = process_from_data(loads(source), file=f"definition {content_hash[:12]}")
    return process, compile_routing(process)


def _definition(row: object) -> Definition:
    process, routing = _compiled(row.content_hash, row.source)  # type: ignore[attr-defined]
    deployed_at = from_db(row.deployed_at)  # type: ignore[attr-defined]
    assert deployed_at is not None
    return Definition(row.id, row.process_id, row.version, row.content_hash, row.name,  # type: ignore[attr-defined]
                      row.label, deployed_at, row.deployed_by, process, routing)  # type: ignore[attr-defined]


def deploy(conn: Connection, process: Process, by: str, at: datetime) -> tuple[Definition, bool]:
    """Deploy ``process``; returns the definition and whether it is new."""
    source = dumps(process_to_data(process))
    digest = hashlib.sha256(source.encode()).hexdigest()
    found = conn.execute(select(definitions).where(definitions.c.process_id == process.id,
                                                   definitions.c.content_hash == digest)).first()
    if found is not None:
        return _definition(found), False
    version = (conn.execute(select(func.max(definitions.c.version))
                            .where(definitions.c.process_id == process.id)).scalar() or 0) + 1
    new_id = conn.execute(insert(definitions).values(
        process_id=process.id, version=version, content_hash=digest, name=process.name, label=process.version,
        source=source, deployed_at=to_db(at), deployed_by=by)).inserted_primary_key[0]  # type: ignore[index]
    append(conn, at, by, "deploy", definition_id=new_id,
           detail={"ref": f"{process.id}@{version}", "content_hash": digest})
    return get_definition(conn, new_id), True


def get_definition(conn: Connection, definition_id: int) -> Definition:
    row = conn.execute(select(definitions).where(definitions.c.id == definition_id)).first()
    if row is None:
        raise NotFound(f"no definition {definition_id}")
    return _definition(row)


def latest_definition(conn: Connection, ref: str) -> Definition:
    """``purchase_ringi`` (the newest version) or ``purchase_ringi@2``."""
    process_id, _, version = ref.partition("@")
    query = select(definitions).where(definitions.c.process_id == process_id)
    if version:
        if not version.isdigit():
            raise NotFound(f"no definition {ref!r}", "name a version as process@N, e.g. purchase_ringi@2")
        query = query.where(definitions.c.version == int(version))
    row = conn.execute(query.order_by(definitions.c.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"no definition {ref!r}", "deploy the process file first (bpr cases deploy FILE)")
    return _definition(row)


def list_definitions(conn: Connection) -> list[Definition]:
    rows = conn.execute(select(definitions).order_by(definitions.c.process_id, definitions.c.version))
    return [_definition(row) for row in rows]
