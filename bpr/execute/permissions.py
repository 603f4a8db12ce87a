"""Which actions a user may take on a case now: the buttons a face shows, computed from the rules of
:mod:`bpr.execute.access` without trying anything.

A face that offered a button the engine then refused would teach people to distrust it; one that hid a
permitted action would send them to the REST service. So the answer here follows the same checks the actions
make (role or 代決 through :func:`~bpr.execute.access.acting_on`, authority through
:func:`~bpr.execute.access.check_authority`, withdraw's conditions as :func:`bpr.execute.actions.withdraw`
states them); the actions themselves still check again when they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bpr.execute.access import acting_on, check_authority, check_may_read
from bpr.execute.definitions import Definition
from bpr.execute.errors import Conflict, Forbidden, Refused
from bpr.execute.people import User
from bpr.execute.runtime import get_case
from bpr.execute.store import items
from bpr.model.routing import APPROVAL, TASK, WAIT

__all__ = ["CaseActions", "ItemActions", "allowed_actions"]


@dataclass(frozen=True)
class ItemActions:
    """What the user may do on one open item: ``actions`` among done, approve, reject, return."""

    item_id: int
    step: str
    version: int
    actions: tuple[str, ...]
    on_behalf_of: str | None  # the absent user the action would be recorded for (代決)


@dataclass(frozen=True)
class CaseActions:
    items: tuple[ItemActions, ...]
    withdraw: bool
    comment: bool

    @property
    def any(self) -> bool:
        return bool(self.items) or self.withdraw


def _finished_work(conn: Connection, case_id: int) -> list[object]:
    return list(conn.execute(select(items.c.step, items.c.done_by).where(
        items.c.case_id == case_id, items.c.status == "done", items.c.kind != "handoff").order_by(items.c.id)))


def allowed_actions(conn: Connection, user: User, case_id: int, at: datetime,
                    definition_of: Callable[[Connection, int], Definition]) -> CaseActions:
    """The actions ``user`` may take on case ``case_id`` at ``at``; :class:`NotFound` if they may not read it."""
    check_may_read(conn, user, case_id, at)
    case, definition = get_case(conn, case_id, definition_of)
    if case.status != "open":
        return CaseActions((), False, True)
    history = _finished_work(conn, case_id)
    open_rows = list(conn.execute(select(items).where(items.c.case_id == case_id,
                                                      items.c.status.in_(("open", "claimed")))
                                  .order_by(items.c.id)))
    found = []
    for row in open_rows:
        try:
            acting = acting_on(conn, user, row, at)
        except (Forbidden, Conflict):
            continue
        route = definition.routing.route(row.step)
        possible: list[str] = []
        if route.kind == APPROVAL:
            try:
                check_authority(definition, acting, row.step, case.attributes)
                possible += ["approve", "reject"] if route.reject_to >= 0 else ["approve"]
            except Refused:
                pass
        elif route.kind in (TASK, WAIT):
            possible.append("done")
        if route.kind in (TASK, APPROVAL) and history:
            possible.append("return")
        if possible:
            found.append(ItemActions(row.id, row.step, row.version, tuple(possible), acting.on_behalf_of))
    withdraw = (case.drafter == user.id and bool(history) and getattr(history[-1], "done_by") == user.id
                and not any(row.status == "claimed" for row in open_rows))
    return CaseActions(tuple(found), withdraw, True)
