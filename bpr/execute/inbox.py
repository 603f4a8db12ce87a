"""A user's inbox: the open work they may do now, with filters and counts.

What is in it follows :mod:`bpr.execute.access`: open items of the user's roles, items they have claimed,
and the same for every absent user they stand in for (marked *for* that user, 代決). Items claimed by
someone else are not in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection

from bpr.execute.people import User, standing_for
from bpr.execute.store import cases, definitions, from_db, items, to_db

__all__ = ["InboxItem", "inbox", "inbox_counts"]


@dataclass(frozen=True)
class InboxItem:
    id: int
    case_id: int
    process: str
    definition: str
    step: str
    step_name: str
    kind: str
    role: str
    status: str
    claimed_by: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    version: int
    for_user: str | None  # the absent user this work is done for (代決), if any

    def summary(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["created_at"] = self.created_at.isoformat()
        out["due_at"] = self.due_at.isoformat() if self.due_at else None
        return out


def _visible(conn: Connection, user: User, at: datetime) -> tuple[Any, dict[str, str]]:
    """The WHERE clause of a user's inbox, and for each role held only through an absence, whose it is."""
    own_roles = sorted(user.roles)
    clauses = [items.c.claimed_by == user.id,
               and_(items.c.status == "open", items.c.role.in_(own_roles))]
    through: dict[str, str] = {}
    for other in standing_for(conn, user.id, at):
        clauses.append(items.c.claimed_by == other.id)
        roles = sorted(other.roles - user.roles)
        clauses.append(and_(items.c.status == "open", items.c.role.in_(roles)))
        for role in roles:
            through.setdefault(role, other.id)
    return and_(items.c.status.in_(("open", "claimed")), or_(*clauses)), through


def _filtered(query: Any, process: str | None, step: str | None, due_before: datetime | None, overdue: bool,
              at: datetime) -> Any:
    if process:
        query = query.where(definitions.c.process_id == process)
    if step:
        query = query.where(items.c.step == step)
    if due_before is not None:
        query = query.where(items.c.due_at.is_not(None), items.c.due_at <= to_db(due_before))
    if overdue:
        query = query.where(items.c.due_at.is_not(None), items.c.due_at < to_db(at))
    return query


def inbox(conn: Connection, user: User, at: datetime, *, process: str | None = None, step: str | None = None,
          due_before: datetime | None = None, overdue: bool = False, limit: int = 100,
          offset: int = 0, step_names: Any = None) -> list[InboxItem]:
    """The user's open work, oldest due first (then oldest first)."""
    where, through = _visible(conn, user, at)
    query = (select(items, definitions.c.process_id, definitions.c.version.label("def_version"))
             .join(cases, cases.c.id == items.c.case_id)
             .join(definitions, definitions.c.id == cases.c.definition_id)
             .where(where))
    query = _filtered(query, process, step, due_before, overdue, at)
    query = query.order_by(items.c.due_at.is_(None), items.c.due_at, items.c.id).limit(limit).offset(offset)
    now = to_db(at)
    out = []
    for row in conn.execute(query):
        created = from_db(row.created_at)
        assert created is not None
        for_user = (row.claimed_by if row.claimed_by and row.claimed_by != user.id
                    else None if row.role in user.roles else through.get(row.role))
        name = step_names(row.process_id, row.def_version, row.step) if step_names else row.step
        out.append(InboxItem(row.id, row.case_id, row.process_id, f"{row.process_id}@{row.def_version}", row.step,
                             name, row.kind, row.role, row.status, row.claimed_by, created, from_db(row.due_at),
                             row.due_at is not None and row.due_at < now, row.version, for_user))
    return out


def inbox_counts(conn: Connection, user: User, at: datetime, *, process: str | None = None) -> dict[str, Any]:
    """How much is waiting: in all, overdue, and per process and step (counted by the database)."""
    where, _ = _visible(conn, user, at)
    now = to_db(at)
    late = func.sum(case((and_(items.c.due_at.is_not(None), items.c.due_at < now), 1), else_=0))
    query = (select(definitions.c.process_id, items.c.step, func.count().label("n"), late.label("late"))
             .join(cases, cases.c.id == items.c.case_id)
             .join(definitions, definitions.c.id == cases.c.definition_id).where(where)
             .group_by(definitions.c.process_id, items.c.step))
    query = _filtered(query, process, None, None, False, at)
    total = overdue = 0
    per: dict[str, dict[str, int]] = {}
    for row in conn.execute(query):
        total += row.n
        overdue += int(row.late or 0)
        per.setdefault(row.process_id, {})[row.step] = row.n
    return {"total": total, "overdue": overdue, "by_process": per}
