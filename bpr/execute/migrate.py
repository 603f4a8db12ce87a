"""Going live with a redesign: move running cases from one deployed version to another (before → after).

Each open case of the source version is placed in the target version, step by step of where it stands:

- **Same step id → same step.** Its open item stays (same id, same person if they may still do it); its
  deciding role is worked out again under the target's delegation rules (専決).
- **A step the target lacks → where the new flow continues**: the case follows the *source* flow from that
  step (the way it would go for this case: decisions by its attributes) to the first step the target has,
  and goes on from there in the target (a handoff passes, a split opens its branches).
- **A mapping** (``{old_step: new_step}``, from a file) places a step explicitly, before either rule.
- **Parallel co-signing (合議).** A case at a step that the target runs inside a parallel block starts that
  block: the other branches open too, except those whose first step the case has already completed (it
  did them one after the other in the old version). A case inside a block of the source stays in it when the
  target has the same block; when the target does not, its one remaining branch continues alone, and a case
  with two or more branches still open cannot be placed.

A case that cannot be placed is refused with the reason (a decision by probability on the way, the end of
the flow, two open branches, a mapping to a step that does not exist). The dry run lists every case and
where it goes; the run moves the placeable ones, each in its own transaction, and records every move in the
audit trail. Nothing is deleted: items the move replaces are cancelled with outcome ``migrated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from bpr.execute.audit import append
from bpr.execute.definitions import Definition
from bpr.execute.errors import BadInput
from bpr.execute.runtime import CaseRow, apply_move, get_case
from bpr.execute.store import cases, items, timers, to_db
from bpr.model.routing import (
    DECIDE_C, DECIDE_P, DONE, END, HANDOFF, PARALLEL, WORK_KINDS, Block, CaseState, Move, RoutingError, Token, WorkItem,
    choose, decider,
)

__all__ = ["CaseMove", "Migration", "migrate_case", "plan_case", "plan_migration", "read_mapping"]


@dataclass(frozen=True)
class CaseMove:
    """Where one case goes: its steps now and in the target (``ok``), or why it cannot be placed."""

    case_id: int
    from_steps: tuple[str, ...]
    to_steps: tuple[str, ...] = ()
    ok: bool = True
    reason: str = ""

    def summary(self) -> dict[str, Any]:
        return {"case": self.case_id, "from": list(self.from_steps), "to": list(self.to_steps), "ok": self.ok,
                "reason": self.reason}


@dataclass
class Migration:
    source: str
    target: str
    dry_run: bool
    cases: list[CaseMove] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(move.ok for move in self.cases)

    @property
    def refused(self) -> int:
        return sum(not move.ok for move in self.cases)

    def summary(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "dry_run": self.dry_run, "moved": self.moved,
                "refused": self.refused, "cases": [move.summary() for move in self.cases]}


class _Unplaceable(Exception):
    pass


def _continue_in_source(source: Definition, target: Definition, step_id: str, attributes: Mapping[str, Any],
                        mapping: Mapping[str, str]) -> str:
    """The first step on the source flow from ``step_id`` (itself excluded) that the target has."""
    routing = source.routing
    route = routing.route(step_id)
    seen = {step_id}
    while True:
        if route.kind == END:
            raise _Unplaceable(f"{step_id} is gone and the old flow ends after it")
        if route.kind == DECIDE_P:
            raise _Unplaceable(f"{step_id} is gone and the old flow after it takes a decision by chance "
                               f"({route.id}); give a mapping")
        if route.kind == PARALLEL:
            raise _Unplaceable(f"{step_id} is gone and the old flow after it splits ({route.id}); give a mapping")
        if route.kind == DECIDE_C:
            try:
                nxt = choose(route, attributes)
            except RoutingError as error:
                raise _Unplaceable(str(error)) from None
        else:
            nxt = route.next
        route = routing.steps[nxt]
        if route.id in mapping:
            return mapping[route.id]
        if route.id in target.routing.index:
            return route.id
        if route.id in seen:
            raise _Unplaceable(f"{step_id} is gone and the old flow after it loops without reaching a step of "
                               f"{target.ref}; give a mapping")
        seen.add(route.id)


def _place(source: Definition, target: Definition, step_id: str, attributes: Mapping[str, Any],
           mapping: Mapping[str, str]) -> str:
    if step_id in mapping:
        placed = mapping[step_id]
        if placed not in target.routing.index:
            raise _Unplaceable(f"the mapping sends {step_id} to {placed!r}, which {target.ref} does not have")
        return placed
    if step_id in target.routing.index:
        return step_id
    return _continue_in_source(source, target, step_id, attributes, mapping)


def _block_of(target: Definition, step: int) -> list[int]:
    """The joins of the target's blocks that contain ``step``, outer first."""
    joins = [r for r in target.routing.steps if r.block and step in r.block]
    return [j.index for j in sorted(joins, key=lambda j: len(j.block), reverse=True)]


def _open_block(target: Definition, state: CaseState, step: int, join: int, done_steps: set[str]) -> tuple[
        CaseState, list[WorkItem]]:
    """The case at ``step`` inside the block of ``join`` (module docstring: parallel co-signing)."""
    routing = target.routing
    split = routing.steps[routing.steps[join].split]
    tokens = [Token(step, (join,))]
    opened = [WorkItem(step, decider(routing.steps[step], state.attributes))]
    waiting = len(split.split_to)
    for start in split.split_to:
        if step in _branch(target, start, join):
            continue
        first = routing.steps[start]
        if first.id in done_steps:
            waiting -= 1
            continue
        if first.kind not in WORK_KINDS:
            raise _Unplaceable(f"the branch of {split.id} that starts at {first.id} does not start with work; "
                               "give a mapping")
        tokens.append(Token(start, (join,)))
        opened.append(WorkItem(start, decider(first, state.attributes) if first.kind <= 1 else -1))
    return CaseState(state.attributes, tuple(tokens), (Block(join, waiting, (), ()),), state.rework), opened


def _branch(target: Definition, start: int, join: int) -> set[int]:
    """The steps of the block of ``join`` that a branch starting at ``start`` reaches."""
    block = target.routing.steps[join].block
    seen = {start}
    todo = [start]
    while todo:
        route = target.routing.steps[todo.pop()]
        for nxt in (route.next, route.reject_to, *route.branch_to, *route.split_to):
            if nxt >= 0 and nxt in block and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def plan_case(source: Definition, target: Definition, case: CaseRow, done_steps: set[str],
              mapping: Mapping[str, str]) -> tuple[CaseMove, Move | None, dict[str, str]]:
    """Where ``case`` goes in ``target``: the move for the dry run, and the target state and the work to open."""
    s_steps = source.routing.steps
    from_steps = tuple(s_steps[t.step].id for t in case.state.tokens)
    attributes = case.attributes
    t_index = target.routing.index
    rework = None if case.state.rework is None else frozenset(
        t_index[s_steps[r].id] for r in case.state.rework if s_steps[r].id in t_index) or None
    try:
        placed = {s_steps[t.step].id: _place(source, target, s_steps[t.step].id, attributes, mapping)
                  for t in case.state.tokens}
        same_blocks = all(s_steps[b.join].id in t_index for b in case.state.blocks) and all(
            all(t_index[placed[s_steps[t.step].id]] in target.routing.steps[t_index[s_steps[j].id]].block
                for j in t.inside) for t in case.state.tokens)
        if case.state.blocks and same_blocks:
            state = CaseState(attributes, tuple(
                Token(t_index[placed[s_steps[t.step].id]], tuple(t_index[s_steps[j].id] for j in t.inside))
                for t in case.state.tokens), tuple(
                Block(t_index[s_steps[b.join].id], b.waiting, tuple(t_index[s_steps[r].id] for r in b.returned
                                                                     if s_steps[r].id in t_index),
                      tuple(t_index[s_steps[j].id] for j in b.inside)) for b in case.state.blocks), rework)
            opened = [WorkItem(t.step, decider(target.routing.steps[t.step], attributes)
                               if target.routing.steps[t.step].kind <= 1 else -1) for t in state.tokens]
        else:
            if len(case.state.tokens) != 1:
                raise _Unplaceable(f"the case is at {len(from_steps)} parallel steps ({', '.join(from_steps)}) "
                                   f"and {target.ref} does not run them in the same parallel block")
            step = t_index[placed[from_steps[0]]]
            route = target.routing.steps[step]
            joins = _block_of(target, step)
            if len(joins) > 1:
                raise _Unplaceable(f"{route.id} lies in nested parallel blocks of {target.ref}; give a mapping")
            if route.kind in WORK_KINDS and joins:
                state, opened = _open_block(target, CaseState(attributes, rework=rework), step, joins[0],
                                            done_steps)
            elif route.kind in WORK_KINDS:
                state = CaseState(attributes, (Token(step, ()),), (), rework)
                opened = [WorkItem(step, decider(route, attributes) if route.kind <= 1 else -1)]
            else:
                move = target.router.start(attributes, at=step)
                if move.ended:
                    raise _Unplaceable(f"in {target.ref} the case would end at once after {route.id}")
                state = CaseState(attributes, move.state.tokens, move.state.blocks, rework)
                opened = list(move.opened)
        state, opened = _through_handoffs(target, state, opened)
        if state.ended:
            raise _Unplaceable(f"in {target.ref} the case would end at once")
    except _Unplaceable as why:
        return CaseMove(case.id, from_steps, ok=False, reason=str(why)), None, {}
    except RoutingError as error:
        return CaseMove(case.id, from_steps, ok=False, reason=str(error)), None, {}
    to_steps = tuple(target.routing.steps[t.step].id for t in state.tokens)
    return CaseMove(case.id, from_steps, to_steps), Move(state, tuple(opened), (), (), False), placed


def _through_handoffs(target: Definition, state: CaseState, opened: list[WorkItem]) -> tuple[
        CaseState, list[WorkItem]]:
    """Handoffs pass at once in an e-approval: the case is placed where its work waits."""
    out: list[WorkItem] = []
    todo = list(opened)
    while todo:
        work = todo.pop(0)
        if target.routing.steps[work.step].kind != HANDOFF:
            out.append(work)
            continue
        move = target.router.advance(state, work.step, DONE)
        state = move.state
        todo.extend(move.opened)
    return state, out


def _done_steps(conn: Connection, case_id: int) -> set[str]:
    return set(conn.execute(select(items.c.step).where(items.c.case_id == case_id, items.c.status == "done",
                                                       items.c.outcome.in_(("done", "approved")))).scalars())


def open_cases_of(conn: Connection, definition: Definition) -> list[int]:
    return list(conn.execute(select(cases.c.id).where(cases.c.definition_id == definition.id,
                                                      cases.c.status == "open").order_by(cases.c.id)).scalars())


def check_mapping(source: Definition, target: Definition, mapping: Mapping[str, str]) -> None:
    for old, new in mapping.items():
        if old not in source.routing.index:
            raise BadInput(f"the mapping names step {old!r}, which {source.ref} does not have")
        if new not in target.routing.index:
            raise BadInput(f"the mapping sends {old!r} to {new!r}, which {target.ref} does not have")


def migrate_case(conn: Connection, source: Definition, target: Definition, case_id: int,
                 mapping: Mapping[str, str], at: datetime | None, by: str, apply: bool) -> CaseMove:
    """Plan (and with ``apply``, carry out) the move of one case, in the caller's transaction."""
    case, _ = get_case(conn, case_id, lambda c, i: source)
    if case.definition_id != source.id or case.status != "open":
        return CaseMove(case_id, (), ok=False, reason=f"the case is no longer an open case of {source.ref}")
    move, target_move, placed = plan_case(source, target, case, _done_steps(conn, case_id), mapping)
    if not apply or target_move is None or at is None:
        return move
    open_rows = list(conn.execute(select(items).where(items.c.case_id == case_id,
                                                      items.c.status.in_(("open", "claimed")))))
    unchanged = {target.routing.index[row.step]: row for row in open_rows
                 if placed.get(row.step) == row.step and row.step in target.routing.index}
    kept: set[int] = set()
    opened = []
    roles = target.routing.roles
    for work in target_move.opened:
        row = unchanged.get(work.step)
        if row is None:
            opened.append(work)
            continue
        kept.add(row.id)
        role = roles[work.role] if work.role >= 0 else row.role
        if role != row.role:  # another decider under the target's delegation: the claim goes with the old role
            conn.execute(update(items).where(items.c.id == row.id, items.c.version == row.version).values(
                role=role, status="open", claimed_by=None, claimed_at=None, version=row.version + 1))
    for row in open_rows:
        if row.id not in kept:
            conn.execute(update(items).where(items.c.id == row.id).values(
                status="cancelled", outcome="migrated", done_at=to_db(at), version=row.version + 1))
            conn.execute(update(timers).where(timers.c.item_id == row.id, timers.c.status == "pending")
                         .values(status="cancelled"))
    append(conn, at, by, "migrate", case_id=case_id, definition_id=target.id,
           detail={"from": source.ref, "to": target.ref, "from_steps": list(move.from_steps),
                   "to_steps": list(move.to_steps)})
    apply_move(conn, case, target, Move(target_move.state, tuple(opened), (), (), False), at, by,
               definition_id=target.id)
    return move


def plan_migration(conn: Connection, source: Definition, target: Definition,
                   mapping: Mapping[str, str]) -> Migration:
    """The dry run: every open case of ``source`` and where it would go."""
    check_mapping(source, target, mapping)
    plan = Migration(source.ref, target.ref, True)
    for case_id in open_cases_of(conn, source):
        plan.cases.append(migrate_case(conn, source, target, case_id, mapping, None, "", apply=False))
    return plan


def read_mapping(raw: bytes | str, file: str) -> dict[str, str]:
    """A mapping file: ``steps: {old_step: new_step, ...}`` (or the bare mapping)."""
    from bpr.model.load import read_yaml

    data, _ = read_yaml(raw, file)
    if isinstance(data, dict) and set(data) == {"steps"}:
        data = data["steps"]
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise BadInput(f"{file}: a mapping file is 'steps:' followed by lines 'old_step: new_step'")
    return dict(data)
