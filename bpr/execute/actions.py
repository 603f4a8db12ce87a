"""What people do to cases: start, claim, release, complete, approve, reject, return to sender (差戻し),
withdraw (引戻し) and comment. Each function runs inside the caller's one transaction
(:func:`bpr.execute.store.action`), checks the rules of :mod:`bpr.execute.access`, asks the routing core
where the case goes, and records itself in the audit trail with the definition version it ran on.

**Return to sender (差戻し)** sends the case from an open item back to the previous actor (the most recent
finished work of the case, claimed for the same person) or to an earlier work step chosen from the case's
history. The routing core treats it as a rejection to that step: the case is in rework until it passes
this approval again. Inside a parallel co-signing (合議), a return to a step before the split returns that
branch; the case goes back once every branch has arrived.

**Withdraw (引戻し)** is the drafter's: when the latest finished work of the case is theirs and nobody has
claimed what it opened, the case goes back to that step, claimed by the drafter; the opened items are
cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bpr.execute.access import Acting, acting_on, check_authority
from bpr.execute.audit import append
from bpr.execute.deadlines import due_after
from bpr.execute.definitions import Definition
from bpr.execute.errors import BadInput, Conflict, Forbidden, NotFound, Refused
from bpr.execute.people import User
from bpr.execute.runtime import (
    CaseRow, apply_move, check_attributes, decode_state, encode_state, get_case, open_item, save_case,
)
from bpr.execute.store import cases, comments, dumps, items, timers, to_db
from bpr.model.routing import (
    APPROVAL, APPROVED, DONE, REJECTED, RETURNED, TASK, CaseState, Move, RoutingError, WORK_KINDS,
)

__all__ = ["claim", "comment", "complete", "release", "return_to_sender", "start_case", "withdraw"]

DefinitionOf = Callable[[Connection, int], Definition]

OUTCOMES = {"done": DONE, "approve": APPROVED, "approved": APPROVED, "reject": REJECTED, "rejected": REJECTED}


def _choices(definition: Definition, choice: Mapping[str, str] | None) -> Callable[[int], float]:
    """A decision by probability, in a real case, is a person's choice: ``choice`` maps the decision's id to
    the branch taken; the core receives the draw that selects that branch."""

    def draw(step: int) -> float:
        route = definition.routing.steps[step]
        wanted = (choice or {}).get(route.id)
        targets = [definition.routing.steps[t].id for t in route.branch_to]
        if wanted not in targets:
            raise BadInput(f"decision {route.id!r} is taken by a person: say which way it goes",
                           f"give choice {route.id}={'|'.join(targets)}")
        k = targets.index(wanted)
        return route.branch_cum[k - 1] if k else 0.0

    return draw


def _routed(fn: Callable[[], Move]) -> Move:
    try:
        return fn()
    except RoutingError as error:
        raise Refused(f"the case cannot be routed: {error}") from None


def start_case(conn: Connection, definition: Definition, drafter: User, attributes: Mapping[str, Any],
               at: datetime, choice: Mapping[str, str] | None = None) -> int:
    """A new case of ``definition`` with ``attributes``; its first work is claimed by the drafter when they
    hold its role (and must be open to them: a user starts only cases whose first work they may do)."""
    values = check_attributes(definition, attributes)
    move = _routed(lambda: definition.router.start(values, draw=_choices(definition, choice)))
    roles = definition.routing.roles
    first_roles = {roles[w.role] for w in move.opened if w.role >= 0}
    if first_roles and not first_roles & drafter.roles:
        raise Forbidden(f"{drafter.id} may not start {definition.ref}: its first work is for "
                        f"{', '.join(sorted(first_roles))}", "a holder of that role drafts (起案) the case")
    process = definition.process
    due = None
    if process.deadline is not None:
        due = due_after(at, process.deadline.within, process.calendar)
    case_id = int(conn.execute(insert(cases).values(
        definition_id=definition.id, status="open", outcome="", end_step="", attributes=dumps(values),
        state=encode_state(definition, CaseState(values)), drafter=drafter.id, started_at=to_db(at),
        due_at=to_db(due) if due else None, version=1)).inserted_primary_key[0])  # type: ignore[index]
    if due is not None:
        conn.execute(insert(timers).values(case_id=case_id, kind="case_due", due_at=to_db(due), status="pending"))
    append(conn, at, drafter.id, "start", case_id=case_id, definition_id=definition.id,
           detail={"attributes": values})
    case, _ = get_case(conn, case_id, lambda c, i: definition)
    claim_for = {w.step: drafter.id for w in move.opened if w.role >= 0 and roles[w.role] in drafter.roles}
    apply_move(conn, case, definition, move, at, drafter.id, claim_for)
    return case_id


def _item(conn: Connection, item_id: int) -> Any:
    row = conn.execute(select(items).where(items.c.id == item_id)).first()
    if row is None:
        raise NotFound(f"no item {item_id}")
    return row


def _check_version(item: Any, version: int | None) -> None:
    if version is not None and item.version != version:
        raise Conflict(f"item {item.id} ({item.step}) changed since version {version} (now {item.version}, "
                       f"{item.status}{' by ' + item.done_by if item.done_by else ''})", "reload your inbox")


def _update_item(conn: Connection, item: Any, **values: Any) -> None:
    """Optimistic lock: the update applies only to the version that was read."""
    done = conn.execute(update(items).where(items.c.id == item.id, items.c.version == item.version)
                        .values(version=item.version + 1, **values))
    if done.rowcount != 1:
        raise Conflict(f"item {item.id} ({item.step}) was changed by someone else meanwhile", "reload your inbox")


def claim(conn: Connection, user: User, item_id: int, at: datetime, version: int | None = None) -> Acting:
    item = _item(conn, item_id)
    _check_version(item, version)
    acting = acting_on(conn, user, item, at)
    if item.claimed_by == user.id:
        return acting
    _update_item(conn, item, status="claimed", claimed_by=user.id, claimed_at=to_db(at))
    append(conn, at, user.id, "claim", case_id=item.case_id, item_id=item.id, on_behalf_of=acting.on_behalf_of,
           definition_id=_definition_id(conn, item.case_id), detail={"step": item.step})
    return acting


def release(conn: Connection, user: User, item_id: int, at: datetime, version: int | None = None) -> None:
    item = _item(conn, item_id)
    _check_version(item, version)
    acting = acting_on(conn, user, item, at)
    if item.status != "claimed":
        raise Refused(f"item {item.id} ({item.step}) is not claimed")
    _update_item(conn, item, status="open", claimed_by=None, claimed_at=None)
    append(conn, at, user.id, "release", case_id=item.case_id, item_id=item.id, on_behalf_of=acting.on_behalf_of,
           definition_id=_definition_id(conn, item.case_id), detail={"step": item.step})


def _definition_id(conn: Connection, case_id: int) -> int:
    return int(conn.execute(select(cases.c.definition_id).where(cases.c.id == case_id)).scalar_one())


def _finish(conn: Connection, item: Any, acting: Acting, outcome: str, at: datetime, case: CaseRow) -> None:
    _update_item(conn, item, status="done", done_at=to_db(at), done_by=acting.user.id,
                 on_behalf_of=acting.on_behalf_of, outcome=outcome, state_before=case.state_text,
                 claimed_at=item.claimed_at or to_db(at), claimed_by=item.claimed_by or acting.user.id)
    conn.execute(update(timers).where(timers.c.item_id == item.id, timers.c.status == "pending")
                 .values(status="cancelled"))


def complete(conn: Connection, user: User, item_id: int, outcome: str, at: datetime, definition_of: DefinitionOf,
             version: int | None = None, choice: Mapping[str, str] | None = None, note: str = "") -> list[int]:
    """Finish an item: ``done`` (a task or a wait), ``approve`` or ``reject`` (an approval; a rejection goes
    where the file's ``reject.to`` says). Returns the ids of the items it opened."""
    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome {outcome!r}", "use done, approve or reject")
    result = OUTCOMES[outcome]
    item = _item(conn, item_id)
    _check_version(item, version)
    acting = acting_on(conn, user, item, at)
    case, definition = get_case(conn, item.case_id, definition_of)
    route = definition.routing.route(item.step)
    if route.kind == APPROVAL and result == DONE:
        raise BadInput(f"{item.step} is an approval: approve or reject it")
    if route.kind != APPROVAL and result != DONE:
        raise BadInput(f"{item.step} is not an approval: complete it with done")
    if route.kind == APPROVAL:
        check_authority(definition, acting, item.step, case.attributes)
    if result == REJECTED and route.reject_to < 0:
        raise Refused(f"{item.step} has no reject.to in {definition.ref}", "return the case to sender instead")
    move = _routed(lambda: definition.router.advance(case.state, route.index, result,
                                                     _choices(definition, choice)))
    _finish(conn, item, acting, result, at, case)
    append(conn, at, user.id, outcome if outcome in ("done", "approve", "reject") else result, case_id=case.id,
           item_id=item.id, definition_id=definition.id, on_behalf_of=acting.on_behalf_of,
           detail={"step": item.step, "note": note} if note else {"step": item.step})
    _, opened = apply_move(conn, case, definition, move, at, user.id)
    return opened


def _history(conn: Connection, case_id: int) -> list[Any]:
    return list(conn.execute(select(items).where(items.c.case_id == case_id, items.c.status == "done",
                                                 items.c.kind != "handoff").order_by(items.c.id)))


def return_to_sender(conn: Connection, user: User, item_id: int, at: datetime, definition_of: DefinitionOf,
                     to: str | None = None, version: int | None = None, note: str = "") -> list[int]:
    """差戻し: back to the previous actor (``to`` None) or to the earlier step ``to`` (module docstring)."""
    item = _item(conn, item_id)
    _check_version(item, version)
    acting = acting_on(conn, user, item, at)
    case, definition = get_case(conn, item.case_id, definition_of)
    route = definition.routing.route(item.step)
    if route.kind not in (TASK, APPROVAL):
        raise Refused(f"{item.step} is not a task or an approval: there is nobody to return it from")
    history = _history(conn, case.id)
    if not history:
        raise Refused(f"case {case.id} has no earlier work to return to")
    if to is None:
        previous = history[-1]
        target, person = previous.step, previous.done_by
    else:
        done_steps = [row.step for row in history]
        if to not in done_steps:
            raise BadInput(f"case {case.id} has not been at {to!r}",
                           f"return it to one of the steps it has been at: {', '.join(dict.fromkeys(done_steps))}")
        target, person = to, None
    target_route = definition.routing.route(target)
    if target_route.kind not in WORK_KINDS:
        raise BadInput(f"{target!r} is not a work step")
    move = _routed(lambda: definition.router.advance(case.state, route.index, RETURNED, to=target_route.index))
    _finish(conn, item, acting, RETURNED, at, case)
    conn.execute(update(items).where(items.c.id == item.id).values(returned_to=target, returned_to_user=person))
    append(conn, at, user.id, "return", case_id=case.id, item_id=item.id, definition_id=definition.id,
           on_behalf_of=acting.on_behalf_of, detail={"step": item.step, "to": target, "to_user": person,
                                                     "note": note})
    _, opened = apply_move(conn, case, definition, move, at, user.id)
    return opened


def withdraw(conn: Connection, user: User, case_id: int, at: datetime, definition_of: DefinitionOf,
             note: str = "") -> int:
    """引戻し (module docstring). Returns the id of the drafter's reopened item."""
    case, definition = get_case(conn, case_id, definition_of)
    if case.drafter != user.id:
        raise Forbidden(f"only the drafter of case {case_id} ({case.drafter}) may withdraw it")
    if case.status != "open":
        raise Refused(f"case {case_id} is {case.status}")
    history = _history(conn, case_id)
    if not history or history[-1].done_by != user.id:
        raise Refused(f"the latest work on case {case_id} is not {user.id}'s: it can no longer be withdrawn",
                      "ask the current holder to return it to sender (差戻し)")
    last = history[-1]
    open_rows = list(conn.execute(select(items).where(items.c.case_id == case_id,
                                                      items.c.status.in_(("open", "claimed")))))
    started = [row for row in open_rows if row.status == "claimed"]
    if started:
        raise Refused(f"{started[0].claimed_by} has started {started[0].step}: the case can no longer be withdrawn",
                      "ask them to return it to sender (差戻し)")
    for row in open_rows:
        _update_item(conn, row, status="cancelled", done_at=to_db(at), outcome="withdrawn")
        conn.execute(update(timers).where(timers.c.item_id == row.id, timers.c.status == "pending")
                     .values(status="cancelled"))
    before = decode_state(definition, last.state_before, case.attributes)
    save_case(conn, case, definition, before, at)
    item_id = open_item(conn, case_id, definition, definition.routing.index[last.step], last.role, at, user.id)
    append(conn, at, user.id, "withdraw", case_id=case_id, item_id=item_id, definition_id=definition.id,
           detail={"step": last.step, "cancelled": [row.id for row in open_rows], "note": note})
    return item_id


def comment(conn: Connection, user: User, case_id: int, text: str, at: datetime) -> int:
    text = text.strip()
    if not text:
        raise BadInput("an empty comment")
    if len(text) > 10_000:
        raise BadInput(f"a comment of {len(text)} characters", "keep comments under 10,000 characters")
    if "\x00" in text:  # PostgreSQL cannot store it: refuse it here, on both databases, not as a crash there
        raise BadInput("a comment with a NUL character", "send plain text")
    comment_id = int(conn.execute(insert(comments).values(case_id=case_id, author=user.id, at=to_db(at),
                                                          text=text)).inserted_primary_key[0])  # type: ignore[index]
    append(conn, at, user.id, "comment", case_id=case_id, definition_id=_definition_id(conn, case_id),
           detail={"comment": comment_id, "text": text})
    return comment_id

