"""The routing core: what a process file means for one case. Pure: no clock, no staff, no I/O, no randomness.

Every part of bpr that moves a case through a process asks this module: the simulator (which adds time,
staff pools, calendars and the accounting of waiting around it), the analysis (which samples cases
through it), the redesign windows (which weigh its transitions), the graph (which draws its exits) and
the coming workflow engine (which adds people and persistence). Each rule below is written once, here.

**Exits** (:func:`exits`): where a step can send a case, with the kind of move and its probability where
the file gives one. A task, handoff, wait or join goes to ``next``; an approval to ``next`` or, rejected,
to ``reject.to``; a decision to one of its branches; a parallel step to all of its branches at once.

**Branch choice** (:func:`choose`). A decision by probability takes the first branch whose cumulative
probability exceeds the case's draw ``u`` in [0, 1) (the last branch takes what rounding leaves). A
decision by condition takes the first branch whose condition holds for the case's attributes;
``otherwise`` always holds. A condition that **cannot be evaluated** for a case (an attribute the case
does not have, values that cannot be ordered such as ``"A" < 3``) is an error of the file, never skipped:
:class:`RoutingError` names the step and the condition. So is a case for which no branch holds. The
simulation stops with that error; the analysis counts such a sampled case as one that cannot go on.

**Delegation (専決)** (:func:`decider`). An approval is decided by the role of its first delegation whose
condition holds for the case, else by its own role; a condition that cannot be evaluated is a
:class:`RoutingError`, as for branches.

**Rejection and rework** (:func:`approval_outcome`, :func:`after_reject`, :func:`after_pass`). An approval
with ``reject.probability`` p rejects a case whose draw ``u`` is below p, and the case goes to
``reject.to``. A case is *in rework* from a rejection until it passes again every approval that rejected
it (or ends): the set of approvals still to pass again is its rework state. A return to sender (the
workflow engine's 差戻し) is a rejection to a step the actor names.

**The parallel block** (:func:`blocks`). The block of a split is the set of steps that one of its branches
can reach without passing the split or the join, and that can reach the join without passing the split.
Every branch starts at once; a branch that arrives at the join waits there. A branch sent out of the block
(a co-signer returns the case to a step before the split) stops and arrives at the join *returned*. When
every branch has arrived, the case goes on to the join's ``next`` or, if a branch was returned, to where the
first returned branch (in order of arrival) was sent (:func:`after_join`). A branch that would reach an end
inside its block is a :class:`RoutingError` (soundness refuses such files).

**A case, step by step** (:class:`Router`): given a case state (attributes, one position per open branch,
open parallel blocks, rework state) and the outcome of the work just done (done, approved, rejected,
returned), :meth:`Router.advance` gives the next state: the open work items with their deciding role,
the branches opened, the joins completed, the end reached. Probability decisions ask the caller for the
case's draw (``draw(step_index) -> u``), so that the same function serves a seeded sample, a simulation's
common random numbers and a person's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported where blocks are found, not where cases are routed (workers)
    import networkx as nx

from bpr.model.conditions import Condition, ConditionError, compiled
from bpr.model.schema import Approval, Decision, End, Handoff, Join, Parallel, Process, Task, Wait

__all__ = [
    "APPROVAL", "DECIDE_C", "DECIDE_P", "END", "HANDOFF", "JOIN", "KIND_NAMES", "PARALLEL", "TASK", "WAIT",
    "WORK_KINDS", "APPROVED", "DONE", "REJECTED", "RETURNED",
    "Block", "CaseState", "Exit", "Move", "Route", "Router", "Routing", "RoutingError", "Token", "WorkItem",
    "after_join", "after_pass", "after_reject", "approval_outcome", "blocks", "choose", "compile_routing",
    "decider", "exits", "left_block", "parallel_blocks", "possible_next", "reachable",
]

# Kinds of step, as small integers: the simulator dispatches on them millions of times. Tasks and approvals
# come first (``kind <= APPROVAL`` is "work by a role").
TASK, APPROVAL, HANDOFF, DECIDE_P, DECIDE_C, PARALLEL, JOIN, END, WAIT = range(9)
KIND_NAMES = ("task", "approval", "handoff", "decision", "decision", "parallel", "join", "end", "wait")
WORK_KINDS = frozenset((TASK, APPROVAL, HANDOFF, WAIT))
"""Steps that hold a case for a while (someone or something works on it); the others route at once."""

# Outcomes of a work item (:meth:`Router.advance`).
DONE, APPROVED, REJECTED, RETURNED = "done", "approved", "rejected", "returned"


class RoutingError(Exception):
    """A case cannot be routed: a condition that cannot be evaluated, no branch that holds, an end reached
    inside a parallel block. The message names the step."""


# --- exits of a step (the schema's view; references are not checked here) ------------------------------


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out of a step: ``kind`` is ``next``, ``reject``, ``branch`` or ``split``; ``probability`` is
    ``None`` for a branch taken by a condition; ``when`` is the condition (``otherwise`` for the default)."""

    to: str
    kind: str
    probability: float | None
    when: str | None = None


def exits(step: object) -> list[Exit]:
    """Where ``step`` can send a case, in file order (see the module docstring)."""
    if isinstance(step, Approval):
        p = step.reject.probability if step.reject else 0.0
        out = [Exit(step.next, "next", 1.0 - p)]
        if step.reject:
            out.append(Exit(step.reject.to, "reject", p))
        return out
    if isinstance(step, (Task, Handoff, Wait, Join)):
        return [Exit(step.next, "next", 1.0)]
    if isinstance(step, Decision):
        return [Exit(b.to, "branch", b.probability, "otherwise" if b.otherwise else b.when) for b in step.next]
    if isinstance(step, Parallel):
        return [Exit(target, "split", 1.0) for target in step.next]
    return []


# --- the compiled routing of a process ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """How one step routes a case, with step and role references as indexes.

    Which fields mean something depends on ``kind``: ``next`` (task, approval, handoff, wait, join),
    ``role``, ``delegations``, ``reject_p``/``reject_to`` (task, approval), ``branch_to`` with ``branch_cum``
    (decision by probability: cumulative probabilities, the last infinite) or ``branch_when`` (decision by
    condition: ``None`` for otherwise), ``split_to``/``join`` (parallel), ``block``/``split`` (join).
    """

    index: int
    id: str
    kind: int
    next: int = -1
    role: int = -1
    delegations: tuple[tuple[Condition, int], ...] = ()
    reject_p: float = 0.0
    reject_to: int = -1
    branch_to: tuple[int, ...] = ()
    branch_cum: tuple[float, ...] = ()
    branch_when: tuple[Condition | None, ...] = ()
    split_to: tuple[int, ...] = ()
    join: int = -1
    split: int = -1
    block: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Routing:
    """A process compiled for routing: one :class:`Route` per step, in file order; roles in file order."""

    steps: tuple[Route, ...]
    roles: tuple[str, ...]
    index: Mapping[str, int]
    start: int

    def route(self, step_id: str) -> Route:
        return self.steps[self.index[step_id]]


def blocks(process: Process) -> dict[str, frozenset[str]]:
    """For each join, the steps of its parallel block (module docstring)."""
    return parallel_blocks([step for step in process.steps if isinstance(step, Parallel)], _graph(process))


def parallel_blocks(splits: Iterable[Parallel], graph: nx.DiGraph) -> dict[str, frozenset[str]]:
    """The blocks of ``splits`` on ``graph``, whose nodes are step ids and edges the steps' :func:`exits`
    (:func:`bpr.model.graph.build_graph` is such a graph)."""
    import networkx as nx

    out: dict[str, frozenset[str]] = {}
    for step in splits:
        if step.join not in graph:
            out[step.join] = frozenset()
            continue
        between = graph.subgraph(n for n in graph if n not in (step.id, step.join))
        reached: set[str] = set()
        for branch in step.next:
            if branch != step.join and branch not in reached and branch in between:
                reached |= {branch} | nx.descendants(between, branch)
        to_join = nx.ancestors(graph.subgraph(n for n in graph if n != step.id), step.join)
        out[step.join] = frozenset(reached & to_join)
    return out


def _graph(process: Process) -> nx.DiGraph:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(process.step_ids)
    graph.add_edges_from((step.id, e.to) for step in process.steps for e in exits(step) if e.to in graph)
    return graph


def compile_routing(process: Process) -> Routing:
    """Compile a valid ``process`` (references resolved) for routing."""
    index = {step.id: i for i, step in enumerate(process.steps)}
    role_at = {role_id: i for i, role_id in enumerate(process.roles)}
    members = blocks(process)
    split_of = {step.join: index[step.id] for step in process.steps if isinstance(step, Parallel)}
    routes: list[Route] = []
    for i, step in enumerate(process.steps):
        route: Route
        if isinstance(step, Approval):
            reject = step.reject if step.reject is not None and step.reject.probability > 0 else None
            route = Route(i, step.id, APPROVAL, next=index[step.next], role=role_at[step.role],
                          delegations=tuple((compiled(d.when), role_at[d.role]) for d in step.delegations),
                          reject_p=reject.probability if reject else 0.0,
                          reject_to=index[reject.to] if reject else -1)
        elif isinstance(step, Task):
            route = Route(i, step.id, TASK, next=index[step.next], role=role_at[step.role])
        elif isinstance(step, Handoff):
            route = Route(i, step.id, HANDOFF, next=index[step.next])
        elif isinstance(step, Wait):
            route = Route(i, step.id, WAIT, next=index[step.next])
        elif isinstance(step, Decision):
            targets = tuple(index[b.to] for b in step.next)
            if step.next[0].probability is not None:
                cumulative, total = [], 0.0
                for branch in step.next:
                    total += branch.probability or 0.0
                    cumulative.append(total)
                cumulative[-1] = float("inf")  # rounding never lets a draw fall off the end
                route = Route(i, step.id, DECIDE_P, branch_to=targets, branch_cum=tuple(cumulative))
            else:
                route = Route(i, step.id, DECIDE_C, branch_to=targets,
                              branch_when=tuple(None if b.otherwise else compiled(b.when or "") for b in step.next))
        elif isinstance(step, Parallel):
            route = Route(i, step.id, PARALLEL, split_to=tuple(index[t] for t in step.next), join=index[step.join])
        elif isinstance(step, Join):
            route = Route(i, step.id, JOIN, next=index[step.next], split=split_of.get(step.id, -1),
                          block=frozenset(index[m] for m in members.get(step.id, ())))
        elif isinstance(step, End):
            route = Route(i, step.id, END)
        else:  # pragma: no cover - the schema has no other step types
            raise RoutingError(f"step {step.id!r}: type {step.type!r} cannot be routed")
        routes.append(route)
    return Routing(tuple(routes), tuple(process.roles), index, index[process.start_step])


# --- the rules, one function each ------------------------------------------------------------------------


def _holds(condition: Condition, attributes: Mapping[str, Any], route: Route, what: str) -> bool:
    try:
        return condition.evaluate(attributes)
    except ConditionError as error:
        raise RoutingError(f"{what} {route.id!r}: {error}") from None


def choose(route: Route, attributes: Mapping[str, Any], u: float = 0.0) -> int:
    """The step a decision sends a case to: by the draw ``u`` or by the case's ``attributes``."""
    if route.kind == DECIDE_P:
        for k, edge in enumerate(route.branch_cum):
            if u < edge:
                return route.branch_to[k]
    for condition, target in zip(route.branch_when, route.branch_to):
        if condition is None or _holds(condition, attributes, route, "decision"):
            return target
    raise RoutingError(
        f"decision {route.id!r}: no branch matches a case with attributes {dict(attributes)}; "
        "add a last branch with 'otherwise: true'"
    )


def decider(route: Route, attributes: Mapping[str, Any]) -> int:
    """The role (index) that does the work of a task or approval for a case, after delegation rules (専決)."""
    for condition, role in route.delegations:
        if _holds(condition, attributes, route, "step"):
            return role
    return route.role


def approval_outcome(route: Route, u: float) -> bool:
    """True when an approval rejects the case whose draw is ``u`` (only asked when ``reject_p > 0``)."""
    return u < route.reject_p


def after_reject(rework: frozenset[int] | None, step: int) -> frozenset[int]:
    """The rework state after approval ``step`` rejected (or returned) the case."""
    return frozenset((step,)) if not rework else rework | {step}


def after_pass(rework: frozenset[int] | None, step: int) -> frozenset[int] | None:
    """The rework state after the case passed approval ``step``; ``None`` when the rework is over."""
    if not rework or step not in rework:
        return rework or None
    left = rework - {step}
    return left or None


def after_join(join: Route, returned: tuple[int, ...]) -> int:
    """Where a case goes once every branch reached ``join``: ``returned`` holds the steps that returned
    branches were sent to, in order of arrival."""
    return returned[0] if returned else join.next


def left_block(routing: Routing, join: int, target: int) -> int:
    """``target``, a step outside the block of ``join`` that a branch is sent to: the branch is returned.
    Going to an end instead would leave the join waiting for ever."""
    if routing.steps[target].kind == END:
        raise RoutingError(f"a branch of a parallel split reaches end {routing.steps[target].id!r} before its "
                           f"join {routing.steps[join].id!r}")
    return target


def possible_next(route: Route, attributes: Mapping[str, Any] | None) -> tuple[int, ...]:
    """Every step a case can go to from ``route`` (a rejection with probability 0 never happens). With
    ``attributes``, a decision by condition goes the one way it goes for that case (none if it cannot be
    routed); without, every branch is possible."""
    kind = route.kind
    if kind in (TASK, APPROVAL):
        return (route.next, route.reject_to) if route.reject_p > 0 else (route.next,)
    if kind in (HANDOFF, WAIT, JOIN):
        return (route.next,)
    if kind == DECIDE_P:
        previous = 0.0
        out = []
        for target, edge in zip(route.branch_to, route.branch_cum):
            if edge > previous:
                out.append(target)
            previous = edge
        return tuple(out)
    if kind == DECIDE_C:
        if attributes is None:
            return route.branch_to
        try:
            return (choose(route, attributes),)
        except RoutingError:
            return ()
    if kind == PARALLEL:
        return route.split_to
    return ()


def reachable(routing: Routing, start: int, attributes: Mapping[str, Any] | None = None) -> frozenset[int]:
    """The steps a case (with ``attributes``, or any case) starting at ``start`` can reach."""
    seen = {start}
    todo = [start]
    steps = routing.steps
    while todo:
        for target in possible_next(steps[todo.pop()], attributes):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


# --- a case, step by step --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """One position of a case: the work step it is at, and the joins of the blocks it is inside (outer first)."""

    step: int
    inside: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """An open parallel block of a case: its join, the branches not yet arrived, the steps returned branches
    were sent to (in order of arrival), and the blocks around it."""

    join: int
    waiting: int
    returned: tuple[int, ...]
    inside: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Work waiting for someone: a step and the role that decides it after delegation (-1: no role)."""

    step: int
    role: int


@dataclass(frozen=True, slots=True)
class CaseState:
    """Everything routing needs to know of a case between two pieces of work."""

    attributes: Mapping[str, Any]
    tokens: tuple[Token, ...] = ()
    blocks: tuple[Block, ...] = ()
    rework: frozenset[int] | None = None
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Move:
    """What one outcome did: the new state, the work items opened, the splits passed, the joins completed,
    and whether the case ended (at the end step ``end``, -1 while it runs)."""

    state: CaseState
    opened: tuple[WorkItem, ...]
    split: tuple[int, ...]
    joined: tuple[int, ...]
    ended: bool
    end: int = -1


Draw = Callable[[int], float]


def _no_draw(step: int) -> float:
    raise RoutingError(f"step {step}: a decision by probability needs the case's draw")


class Router:
    """Moves one case through a compiled process (module docstring): :meth:`start`, then :meth:`advance`
    once per finished work item. Pure: states are immutable values."""

    def __init__(self, routing: Routing) -> None:
        self.routing = routing

    def start(self, attributes: Mapping[str, Any], at: int | None = None, draw: Draw = _no_draw) -> Move:
        """A new case at ``at`` (default: the process start)."""
        state = CaseState(dict(attributes))
        return self._go(state, (), self.routing.start if at is None else at, draw)

    def advance(self, state: CaseState, step: int, outcome: str, draw: Draw = _no_draw,
                to: int | None = None) -> Move:
        """The case after the work at ``step`` ended with ``outcome`` (``done``, ``approved``,
        ``rejected``, or ``returned`` to the step ``to``)."""
        tokens = [t for t in state.tokens if t.step == step]
        if not tokens:
            raise RoutingError(f"the case has no work at step {self.routing.steps[step].id!r}")
        token = tokens[0]
        rest = list(state.tokens)
        rest.remove(token)
        route = self.routing.steps[step]
        rework = state.rework
        if outcome == REJECTED:
            if route.reject_to < 0:
                raise RoutingError(f"step {route.id!r} cannot reject a case")
            target, rework = route.reject_to, after_reject(rework, step)
        elif outcome == RETURNED:
            if to is None or not 0 <= to < len(self.routing.steps) or self.routing.steps[to].kind not in WORK_KINDS:
                raise RoutingError(f"step {route.id!r}: a return names the work step the case goes back to")
            target, rework = to, after_reject(rework, step)
        else:
            if route.kind == APPROVAL:
                rework = after_pass(rework, step)
            target = route.next
        state = replace(state, tokens=tuple(rest), rework=rework)
        return self._go(state, token.inside, target, draw)

    def _go(self, state: CaseState, inside: tuple[int, ...], target: int, draw: Draw) -> Move:
        opened: list[WorkItem] = []
        split: list[int] = []
        joined: list[int] = []
        tokens = list(state.tokens)
        open_blocks = list(state.blocks)
        ended = state.ended
        end = -1
        steps = self.routing.steps
        todo = [(inside, target)]
        while todo:
            inside, sid = todo.pop(0)
            while True:
                if inside:
                    join = inside[-1]
                    if sid == join or sid not in steps[join].block:
                        back = () if sid == join else (left_block(self.routing, join, sid),)
                        k = next(i for i, b in enumerate(open_blocks) if b.join == join and b.inside == inside[:-1])
                        block = open_blocks[k]
                        block = replace(block, waiting=block.waiting - 1, returned=block.returned + back)
                        if block.waiting > 0:
                            open_blocks[k] = block
                            break
                        del open_blocks[k]
                        joined.append(join)
                        inside, sid = inside[:-1], after_join(steps[join], block.returned)
                        continue
                route = steps[sid]
                kind = route.kind
                if kind in WORK_KINDS:
                    token = Token(sid, inside)
                    tokens.append(token)
                    opened.append(WorkItem(sid, decider(route, state.attributes) if kind <= APPROVAL else -1))
                    break
                if kind == DECIDE_P:
                    sid = choose(route, state.attributes, draw(sid))
                elif kind == DECIDE_C:
                    sid = choose(route, state.attributes)
                elif kind == PARALLEL:
                    split.append(sid)
                    open_blocks.append(Block(route.join, len(route.split_to), (), inside))
                    todo[:0] = [(inside + (route.join,), t) for t in route.split_to]
                    break
                elif kind == JOIN:
                    sid = route.next
                else:  # END
                    ended, end = True, sid
                    break
        rework = None if ended else state.rework
        new = replace(state, tokens=tuple(tokens), blocks=tuple(open_blocks), rework=rework, ended=ended)
        return Move(new, tuple(opened), tuple(split), tuple(joined), ended, end)
