"""A running case between actions: its routing state in the database, and what a routing move does there.

The routing core (:mod:`bpr.model.routing`) decides where a case goes; this module stores its answer. The
case's :class:`~bpr.model.routing.CaseState` is kept by step *id* (not index), so that it reads the same
in every version of the process that has those steps (migration relies on it). Each work item the core
opens becomes an item row for its deciding role, with its deadline and timers; a handoff has no one to do
it in an e-approval and passes at once (recorded, with no duration); the end of the case records its
outcome. What the file says about people's durations and rejection rates is not imposed here: it is what the
event log will measure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bpr.execute.audit import append
from bpr.execute.deadlines import before_due, due_after
from bpr.execute.definitions import Definition
from bpr.execute.errors import BadInput, Conflict, NotFound
from bpr.execute.store import cases, dumps, from_db, items, loads, timers, to_db, user_roles
from bpr.model.distributions import Choice
from bpr.model.routing import (
    DONE, HANDOFF, KIND_NAMES, WAIT, Block, CaseState, Move, RoutingError, Token, WorkItem,
)
from bpr.model.schema import Approval, Task

__all__ = [
    "CaseRow", "SYSTEM", "apply_move", "check_attributes", "decode_state", "encode_state", "get_case",
    "open_item", "save_case",
]

SYSTEM = "system"
"""The actor of what nobody does by hand: handoffs passing, timers firing."""


@dataclass(frozen=True)
class CaseRow:
    id: int
    definition_id: int
    status: str
    outcome: str
    attributes: dict[str, Any]
    state: CaseState
    drafter: str
    started_at: datetime
    ended_at: datetime | None
    due_at: datetime | None
    version: int
    state_text: str


def encode_state(definition: Definition, state: CaseState) -> str:
    ids = [route.id for route in definition.routing.steps]
    return dumps({
        "tokens": [[ids[t.step], [ids[j] for j in t.inside]] for t in state.tokens],
        "blocks": [[ids[b.join], b.waiting, [ids[r] for r in b.returned], [ids[j] for j in b.inside]]
                   for b in state.blocks],
        "rework": None if state.rework is None else sorted(ids[s] for s in state.rework),
        "ended": state.ended,
    })


def decode_state(definition: Definition, text: str, attributes: Mapping[str, Any]) -> CaseState:
    """The stored state in ``definition``'s indexes; a step the definition lacks is a :class:`KeyError`."""
    index = definition.routing.index
    data = loads(text)
    return CaseState(
        dict(attributes),
        tuple(Token(index[step], tuple(index[j] for j in inside)) for step, inside in data["tokens"]),
        tuple(Block(index[join], waiting, tuple(index[r] for r in returned), tuple(index[j] for j in inside))
              for join, waiting, returned, inside in data["blocks"]),
        None if data["rework"] is None else frozenset(index[s] for s in data["rework"]),
        data["ended"],
    )


def check_attributes(definition: Definition, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """A new case's attributes, checked against the file's ``attributes``: every one given, none unknown,
    numbers finite, choices among the listed values."""
    declared = definition.process.attributes
    unknown = sorted(set(attributes) - set(declared))
    if unknown:
        raise BadInput(f"{definition.ref} has no attribute {', '.join(map(repr, unknown))}",
                       f"its attributes are: {', '.join(declared) or 'none'}")
    missing = [name for name in declared if name not in attributes]
    if missing:
        raise BadInput(f"a case of {definition.ref} needs {', '.join(map(repr, missing))}",
                       "give every attribute the process file declares (its conditions read them)")
    out: dict[str, Any] = {}
    for name, dist in declared.items():
        value = attributes[name]
        if isinstance(dist, Choice):
            allowed = [v for v in dist.values]
            if value not in allowed:
                raise BadInput(f"attribute {name!r} is {value!r}, not one of {allowed}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or \
                value in (float("inf"), float("-inf")):
            raise BadInput(f"attribute {name!r} must be a finite number, got {value!r}")
        out[name] = value
    return out


def _case_row(row: Any, definition: Definition) -> CaseRow:
    attributes = loads(row.attributes)
    started_at = from_db(row.started_at)
    assert started_at is not None
    return CaseRow(row.id, row.definition_id, row.status, row.outcome, attributes,
                   decode_state(definition, row.state, attributes), row.drafter, started_at,
                   from_db(row.ended_at), from_db(row.due_at), row.version, row.state)


def get_case(conn: Connection, case_id: int, definition_of: Any) -> tuple[CaseRow, Definition]:
    """The case and its definition (``definition_of(conn, id)`` loads definitions, cached)."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case {case_id}")
    definition = definition_of(conn, row.definition_id)
    return _case_row(row, definition), definition


def save_case(conn: Connection, case: CaseRow, definition: Definition, state: CaseState, at: datetime,
              **values: Any) -> None:
    """Write the case's new state, checking that nobody else moved it meanwhile (optimistic lock)."""
    done = conn.execute(update(cases).where(cases.c.id == case.id, cases.c.version == case.version).values(
        state=encode_state(definition, state), version=case.version + 1, **values))
    if done.rowcount != 1:
        raise Conflict(f"case {case.id} was changed by someone else meanwhile", "reload it and try again")


def _deadline_of(definition: Definition, step_id: str) -> Any:
    step = definition.process.step(step_id)
    return step.deadline if isinstance(step, (Task, Approval)) else None


def open_item(conn: Connection, case_id: int, definition: Definition, step: int, role: str, at: datetime,
              claimed_by: str | None = None) -> int:
    """A new item for ``role`` at ``step``, with its deadline's timers."""
    route = definition.routing.steps[step]
    process = definition.process
    deadline = _deadline_of(definition, route.id)
    due = None
    calendar = process.role_calendar(role) if role in process.roles else process.calendar
    if deadline is not None:
        due = due_after(at, deadline.within, calendar)
    item_id = conn.execute(insert(items).values(
        case_id=case_id, step=route.id, kind=KIND_NAMES[route.kind], role=role,
        status="claimed" if claimed_by else "open", created_at=to_db(at), claimed_by=claimed_by,
        claimed_at=to_db(at) if claimed_by else None, due_at=to_db(due) if due else None, escalations=0,
        version=1)).inserted_primary_key[0]  # type: ignore[index]
    if deadline is not None and due is not None:
        if deadline.escalate:
            conn.execute(insert(timers).values(case_id=case_id, item_id=item_id, kind="escalate",
                                               due_at=to_db(due), status="pending"))
        if deadline.remind_before:
            remind = before_due(due, deadline.remind_before, calendar)
            if remind > at:
                conn.execute(insert(timers).values(case_id=case_id, item_id=item_id, kind="remind",
                                                   due_at=to_db(remind), status="pending"))
    return int(item_id)


def _pass_handoff(conn: Connection, case_id: int, definition: Definition, step: int, at: datetime) -> None:
    route = definition.routing.steps[step]
    conn.execute(insert(items).values(
        case_id=case_id, step=route.id, kind="handoff", role="", status="done", created_at=to_db(at),
        claimed_at=to_db(at), done_at=to_db(at), done_by=SYSTEM, outcome=DONE, escalations=0, version=1))


def last_role(conn: Connection, case_id: int) -> str:
    """The role of the case's most recent finished work (who waits for an outside reply)."""
    row = conn.execute(select(items.c.role).where(items.c.case_id == case_id, items.c.status == "done",
                                                  items.c.role != "").order_by(items.c.id.desc()).limit(1)).first()
    return "" if row is None else str(row.role)


def _returned_to(conn: Connection, case_id: int, step: str, role: str) -> str | None:
    """The previous actor a return to sender (差戻し) named for ``step``, if the work opening there is that
    return's (no item at ``step`` was opened since) and they still hold the role."""
    back = conn.execute(select(items.c.id, items.c.returned_to_user).where(
        items.c.case_id == case_id, items.c.returned_to == step).order_by(items.c.id.desc()).limit(1)).first()
    if back is None or not back.returned_to_user:
        return None
    later = conn.execute(select(items.c.id).where(items.c.case_id == case_id, items.c.step == step,
                                                  items.c.id > back.id).limit(1)).first()
    if later is not None:
        return None
    holds = conn.execute(select(user_roles.c.user_id).where(user_roles.c.user_id == back.returned_to_user,
                                                            user_roles.c.role == role)).first()
    return str(back.returned_to_user) if holds is not None else None


def apply_move(conn: Connection, case: CaseRow, definition: Definition, move: Move, at: datetime, actor: str,
               claim_for: Mapping[int, str] | None = None, **case_values: Any) -> tuple[CaseState, list[int]]:
    """Store what the core decided: items for the opened work (handoffs pass at once, asking the core again),
    the end of the case, and ``case_values`` (a migration's new definition). Returns the final state and the
    new items' ids."""
    router = definition.router
    state = move.state
    opened = list(move.opened)
    new_items: list[int] = []
    end = move.end
    while opened:
        work: WorkItem = opened.pop(0)
        route = definition.routing.steps[work.step]
        if route.kind == HANDOFF:
            _pass_handoff(conn, case.id, definition, work.step, at)
            try:
                nxt = router.advance(state, work.step, DONE)
            except RoutingError as error:
                raise BadInput(f"case {case.id} cannot go on: {error}") from None
            state = nxt.state
            opened.extend(nxt.opened)
            if nxt.ended:
                end = nxt.end
            continue
        if route.kind == WAIT:
            role = last_role(conn, case.id)
        else:
            role = definition.routing.roles[work.role] if work.role >= 0 else ""
        claimer = (claim_for or {}).get(work.step) or _returned_to(conn, case.id, route.id, role)
        new_items.append(open_item(conn, case.id, definition, work.step, role, at, claimer))
    values: dict[str, Any] = dict(case_values)
    if state.ended:
        step = definition.process.step(definition.routing.steps[end].id) if end >= 0 else None
        outcome = (getattr(step, "outcome", "") or (step.id if step else "ended"))
        values.update(status="ended", outcome=outcome, end_step=step.id if step else "", ended_at=to_db(at))
        conn.execute(update(timers).where(timers.c.case_id == case.id, timers.c.status == "pending")
                     .values(status="cancelled"))
        append(conn, at, actor, "end", case_id=case.id, definition_id=definition.id,
               detail={"outcome": outcome, "end": step.id if step else ""})
    save_case(conn, case, definition, state, at, **values)
    return state, new_items

