"""Conformance: each case of a log replayed through the process file's routing core.

The replay asks :class:`bpr.model.routing.Router` — the one meaning of a file — where a case can go, and
checks that the log's next activity is among the work the case then has open. It is a replay of the
*flow*: every decision may take any of its branches (which one a condition or a draw would pick is fitted
afterwards, from the branches the cases took) and delegations are ignored (the role that did the work is
in the log). An approval whose outcome the log does not give is read as approved, or as rejected when only
that explains the next activity.

Cases follow few distinct paths, so a move is computed once per (state, step, outcome, next activity) and
then looked up: a log of a million events replays in seconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from bpr.model.routing import (
    APPROVAL,
    APPROVED,
    DECIDE_C,
    DECIDE_P,
    DONE,
    END,
    REJECTED,
    RETURNED,
    WORK_KINDS,
    CaseState,
    Move,
    Router,
    Routing,
    RoutingError,
    compile_routing,
)
from bpr.model.schema import Process

from bpr.calibrate.log import Log

__all__ = ["CaseReplay", "Replay", "replay", "step_of_activity"]


@dataclass
class CaseReplay:
    """One case: the branches its decisions took (decision step index -> branch index, in order), the
    outcome the replay read for each work row, and the first place the file could not follow it."""

    case: str
    rows: list[int]
    branches: list[tuple[int, int]] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)
    problem: str = ""
    problem_step: int = -1
    ended: bool = False
    start: int = -1


@dataclass
class Replay:
    """Every case replayed, and what the log holds that the file lacks."""

    cases: list[CaseReplay]
    step_of_row: list[int]  # step index of each row, -1 for an activity the file lacks
    unknown: Counter[str]  # activity -> rows
    unknown_line: dict[str, int]  # activity -> first line of the log naming it
    executed: Counter[int]  # step index -> rows

    @property
    def deviating(self) -> list[CaseReplay]:
        return [c for c in self.cases if c.problem]


class _Need(Exception):
    def __init__(self, step: int) -> None:
        self.step = step


def _structural(routing: Routing) -> Routing:
    """The routing with every decision a free choice among its branches and no delegation (module docstring)."""
    steps = []
    for route in routing.steps:
        if route.kind in (DECIDE_P, DECIDE_C):
            k = len(route.branch_to)
            route = replace(route, kind=DECIDE_P, branch_cum=tuple((j + 1) / k for j in range(k - 1)) + (float("inf"),),
                            branch_when=())
        elif route.delegations:
            route = replace(route, delegations=())
        steps.append(route)
    return replace(routing, steps=tuple(steps))


def step_of_activity(process: Process) -> dict[str, int]:
    """Log activity -> step index: by step id, else by display name (a log written by people uses names)."""
    index = {step.id: i for i, step in enumerate(process.steps)}
    for i, step in enumerate(process.steps):
        if step.name and step.name not in index:
            index[step.name] = i
    return index


_Key = tuple[Any, ...]


class _Replayer:
    def __init__(self, process: Process) -> None:
        self.routing = _structural(compile_routing(process))
        self.router = Router(self.routing)
        self.cache: dict[_Key, tuple[Move, tuple[tuple[int, int], ...], str] | None] = {}
        self.empty: dict[str, Any] = {}

    def _moves(self, go: Any) -> Any:
        """Every move ``go(draw)`` can make, one per combination of branches of the decisions it passes."""
        todo: list[dict[int, int]] = [{}]
        tried = 0
        while todo and tried < 256:
            choice = todo.pop(0)
            tried += 1

            def draw(step: int, choice: dict[int, int] = choice) -> float:
                if step not in choice:
                    raise _Need(step)
                k = len(self.routing.steps[step].branch_to)
                return (choice[step] + 0.5) / k

            try:
                move = go(draw)
            except _Need as need:
                k = len(self.routing.steps[need.step].branch_to)
                todo.extend({**choice, need.step: j} for j in range(k))
                continue
            except RoutingError:
                continue
            yield move, tuple(sorted(choice.items()))

    @staticmethod
    def _fits(move: Move, next_step: int) -> bool:
        if next_step < 0:
            return True
        if move.ended:
            return move.end == next_step
        return any(t.step == next_step for t in move.state.tokens)

    def start(self, at: int, next_step: int) -> tuple[Move, tuple[tuple[int, int], ...]] | None:
        key = ("start", at, next_step)
        if key not in self.cache:
            found = None
            for move, choice in self._moves(lambda draw: self.router.start(self.empty, at, draw)):
                if self._fits(move, next_step):
                    found = (move, choice, "")
                    break
            self.cache[key] = found
        hit = self.cache[key]
        return None if hit is None else (hit[0], hit[1])

    def advance(self, state: CaseState, step: int, outcome: str,
                next_step: int) -> tuple[Move, tuple[tuple[int, int], ...], str] | None:
        key = (state.tokens, state.blocks, state.rework, step, outcome, next_step)
        if key in self.cache:
            return self.cache[key]
        route = self.routing.steps[step]
        if outcome in (APPROVED, DONE, REJECTED, RETURNED):
            options = [outcome]
        elif route.kind == APPROVAL and route.reject_to >= 0:
            options = [APPROVED, REJECTED]
        else:
            options = [APPROVED if route.kind == APPROVAL else DONE]
        found = None
        for option in options:
            to = next_step if option == RETURNED else None
            try:
                moves = list(self._moves(lambda draw, o=option, t=to: self.router.advance(state, step, o, draw, t)))
            except RoutingError:
                continue
            for move, choice in moves:
                if self._fits(move, next_step):
                    found = (move, choice, option)
                    break
            if found:
                break
        self.cache[key] = found
        return found


def replay(process: Process, log: Log) -> Replay:
    """Replay every case of ``log`` through ``process`` (module docstring)."""
    names = step_of_activity(process)
    step_of_row = [names.get(a, -1) for a in log.activity]
    unknown: Counter[str] = Counter()
    unknown_line: dict[str, int] = {}
    executed: Counter[int] = Counter()
    for i, s in enumerate(step_of_row):
        if s < 0:
            unknown[log.activity[i]] += 1
            unknown_line.setdefault(log.activity[i], log.lines[i] if log.lines else 0)
        else:
            executed[s] += 1
    replayer = _Replayer(process)
    kinds = [route.kind for route in replayer.routing.steps]
    starts = [replayer.routing.index[a.start] if a.start else replayer.routing.start for a in process.arrivals]
    start_of_channel: dict[str, int] = {a.channel: s for a, s in zip(process.arrivals, starts)}
    candidates = list(dict.fromkeys([replayer.routing.start, *starts]))
    cases = []
    for case_id, rows in log.by_case().items():
        cases.append(_replay_case(replayer, case_id, rows, step_of_row, kinds, log, start_of_channel, candidates))
    return Replay(cases, step_of_row, unknown, unknown_line, executed)


def _replay_case(replayer: _Replayer, case_id: str, rows: list[int], step_of_row: list[int], kinds: list[int],
                 log: Log, start_of_channel: dict[str, int], candidates: list[int]) -> CaseReplay:
    result = CaseReplay(case_id, rows)
    steps = [step_of_row[r] for r in rows]
    if any(s < 0 for s in steps):
        bad = next(log.activity[r] for r, s in zip(rows, steps) if s < 0)
        result.problem = f"activity {bad!r} is not a step of the file"
        return result
    first = steps[0]
    channel = log.channel[rows[0]]
    order = ([start_of_channel[channel]] if channel in start_of_channel else []) + candidates
    begun = None
    for at in dict.fromkeys(order):
        begun = replayer.start(at, first)
        if begun is not None:
            result.start = at
            break
    if begun is None:
        result.problem = f"starts at {replayer.routing.steps[first].id!r}, where no case of the file starts"
        result.problem_step = first
        return result
    move, choice = begun
    result.branches.extend(choice)
    state = move.state
    for k, (row, step) in enumerate(zip(rows, steps)):
        if kinds[step] == END:
            if not (move.ended and move.end == step):
                result.problem = f"ends at {replayer.routing.steps[step].id!r} before the file lets it end"
                result.problem_step = step
                return result
            result.ended = True
            continue
        if kinds[step] not in WORK_KINDS:
            continue  # a routing step written to the log: nothing to replay
        if state.ended:
            result.problem = f"{replayer.routing.steps[step].id!r} happens after the case ended"
            result.problem_step = step
            return result
        nxt = next((steps[j] for j in range(k + 1, len(steps)) if kinds[steps[j]] in WORK_KINDS or kinds[steps[j]] == END),
                   -1)
        advanced = replayer.advance(state, step, log.outcome[row], nxt)
        if advanced is None:
            target = replayer.routing.steps[nxt].id if nxt >= 0 else "?"
            result.problem = (f"goes from {replayer.routing.steps[step].id!r} ({log.outcome[row] or 'no outcome'}) "
                              f"to {target!r}, which the file does not allow")
            result.problem_step = step
            return result
        move, choice, outcome = advanced
        result.branches.extend(choice)
        result.outcomes[row] = outcome
        state = move.state
    result.ended = result.ended or state.ended
    return result
