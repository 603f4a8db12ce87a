"""Timers: reminders before a deadline, escalation when work is overdue, the case's own deadline.

Timers are rows, so they survive restarts. A timer fires once: firing marks it ``fired`` only if it is still
``pending`` (checked by the same UPDATE that marks it), inside the one transaction that also does what it
fires, so a crash before commit leaves it pending and a second process finds it fired.

**Escalation** hands an overdue item to the next higher authority: the role with the smallest authority
above the item's role (one of the same department first, then in file order); a claimed item is released
to it. The item's deadline starts again from then, so work that stays overdue climbs one level per deadline.
When no role is higher, the item stays and its role is notified that it is overdue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bpr.execute.audit import append
from bpr.execute.deadlines import due_after
from bpr.execute.definitions import Definition
from bpr.execute.runtime import SYSTEM
from bpr.execute.store import cases, items, notifications, timers, to_db
from bpr.model.schema import Approval, Process, Task

__all__ = ["due_timers", "fire", "next_authority"]


def next_authority(process: Process, role: str) -> str | None:
    """The role an overdue item of ``role`` escalates to (module docstring), or None."""
    if role not in process.roles:
        return None
    current = process.roles[role]
    higher = [(r.authority, r.department != current.department, k, rid)
              for k, (rid, r) in enumerate(process.roles.items())
              if r.authority > current.authority and not r.external]
    return min(higher)[3] if higher else None


def due_timers(conn: Connection, at: datetime, limit: int = 1000) -> list[int]:
    return list(conn.execute(select(timers.c.id).where(timers.c.status == "pending", timers.c.due_at <= to_db(at))
                             .order_by(timers.c.due_at, timers.c.id).limit(limit)).scalars())


def _notify(conn: Connection, at: datetime, kind: str, text: str, case_id: int, item_id: int | None,
            user_id: str | None = None, role: str | None = None) -> None:
    conn.execute(insert(notifications).values(at=to_db(at), user_id=user_id, role=role, case_id=case_id,
                                              item_id=item_id, kind=kind, text=text))


def fire(conn: Connection, timer_id: int, at: datetime, definition_of: Any) -> str | None:
    """Fire one timer in the caller's transaction; returns what it did, or None if it had fired already."""
    timer = conn.execute(select(timers).where(timers.c.id == timer_id)).first()
    if timer is None:
        return None
    done = conn.execute(update(timers).where(timers.c.id == timer_id, timers.c.status == "pending")
                        .values(status="fired", fired_at=to_db(at)))
    if done.rowcount != 1:
        return None
    case = conn.execute(select(cases).where(cases.c.id == timer.case_id)).one()
    definition: Definition = definition_of(conn, case.definition_id)
    if timer.kind == "case_due":
        text = f"case {case.id} ({definition.process.name}) has passed its deadline (標準処理期間)"
        _notify(conn, at, "overdue", text, case.id, None, user_id=case.drafter)
        append(conn, at, SYSTEM, "case_overdue", case_id=case.id, definition_id=definition.id, detail={})
        return "case_overdue"
    item = conn.execute(select(items).where(items.c.id == timer.item_id)).one()
    if item.status not in ("open", "claimed"):
        return None
    if timer.kind == "remind":
        _notify(conn, at, "remind", f"{item.step} of case {case.id} is due soon", case.id, item.id,
                user_id=item.claimed_by, role=None if item.claimed_by else item.role)
        append(conn, at, SYSTEM, "remind", case_id=case.id, item_id=item.id, definition_id=definition.id,
               detail={"step": item.step})
        return "remind"
    higher = next_authority(definition.process, item.role)
    if higher is None:
        _notify(conn, at, "overdue", f"{item.step} of case {case.id} is overdue", case.id, item.id,
                role=item.role)
        append(conn, at, SYSTEM, "overdue", case_id=case.id, item_id=item.id, definition_id=definition.id,
               detail={"step": item.step, "role": item.role})
        return "overdue"
    step = definition.process.step(item.step)
    deadline = step.deadline if isinstance(step, (Task, Approval)) else None
    calendar = definition.process.role_calendar(higher)
    due = due_after(at, deadline.within, calendar) if deadline else None
    conn.execute(update(items).where(items.c.id == item.id, items.c.version == item.version).values(
        role=higher, status="open", claimed_by=None, claimed_at=None, escalations=item.escalations + 1,
        due_at=to_db(due) if due else None, version=item.version + 1))
    if due is not None:
        conn.execute(insert(timers).values(case_id=case.id, item_id=item.id, kind="escalate", due_at=to_db(due),
                                           status="pending"))
    _notify(conn, at, "escalated", f"{item.step} of case {case.id} is overdue and escalated to you", case.id,
            item.id, role=higher)
    append(conn, at, SYSTEM, "escalate", case_id=case.id, item_id=item.id, definition_id=definition.id,
           detail={"step": item.step, "from": item.role, "to": higher, "claimed_by": item.claimed_by})
    return "escalate"
