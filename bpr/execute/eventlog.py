"""The real cases' event log, in the record the simulation writes too (:mod:`bpr.interchange.eventlog`).

One record per finished piece of work (tasks, approvals, waits, and handoffs, which pass at once in an
e-approval): ready when its item was created, started when it was claimed (or finished, if nobody claimed
it first), ended when it was finished; the resource is the user who did it and ``on_behalf_of`` the absent
user they stood in for (代決). Each ended case adds one record at its end step with the case's outcome.
Cancelled work (a withdrawal, a migration) is not in the log: it was not done. Times carry the offset of
the process calendar's time zone (+09:00 for Japan), as in the simulated log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bpr.execute.definitions import Definition
from bpr.execute.store import cases, from_db, items
from bpr.interchange.eventlog import ENDED, ActivityRecord

__all__ = ["case_records"]


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime:
    aware = from_db(moment)
    assert aware is not None
    return aware.astimezone(zone)


def case_records(conn: Connection, definition_of: Callable[[Connection, int], Definition]) -> Iterator[ActivityRecord]:
    """Every case of the store (working tables or an archive file: the same tables), in case order."""
    case_rows = conn.execute(select(cases).order_by(cases.c.id))
    for case in case_rows.fetchall():
        definition = definition_of(conn, case.definition_id)
        process = definition.process
        zone = ZoneInfo(process.calendar.timezone)
        done = conn.execute(select(items).where(items.c.case_id == case.id, items.c.status == "done")
                            .order_by(items.c.done_at, items.c.id))
        for row in done:
            step = process.step(row.step) if row.step in definition.routing.index else None
            end = _local(row.done_at, zone)
            start = _local(row.claimed_at, zone) if row.claimed_at is not None else end
            yield ActivityRecord(str(case.id), row.step, step.label if step else row.step, row.role,
                                 row.done_by or "", _local(row.created_at, zone), min(start, end), end,
                                 row.outcome or "", "", row.on_behalf_of or "")
        if case.status == "ended":
            end = _local(case.ended_at, zone)
            end_step = case.end_step
            label = process.step(end_step).label if end_step in definition.routing.index else end_step
            yield ActivityRecord(str(case.id), end_step, label, "", "", end, end, end, case.outcome or ENDED)
