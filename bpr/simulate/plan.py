"""A process compiled for the engine: steps by index, roles by index, conditions parsed, rates resolved.

The engine runs millions of steps; looking steps up by id, walking pydantic models or parsing conditions
on that path would dominate its time. So a :class:`Plan` is built once per run (it is the same for every
replication) and holds only what the engine needs, in flat slot objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from bpr.errors import SimulationError
from bpr.model.conditions import Condition, compiled
from bpr.model.graph import build_graph
from bpr.model.schema import (
    WEEKDAYS,
    Approval,
    Arrival,
    Calendar,
    Decision,
    End,
    Handoff,
    Join,
    Parallel,
    Process,
    Task,
    Wait,
)
from bpr.model.volume import rate_per_open_minute

__all__ = ["Plan", "RolePlan", "StepPlan", "ArrivalPlan", "build_plan",
           "TASK", "APPROVAL", "HANDOFF", "DECIDE_P", "DECIDE_C", "PARALLEL", "JOIN", "END", "WAIT"]

TASK, APPROVAL, HANDOFF, DECIDE_P, DECIDE_C, PARALLEL, JOIN, END, WAIT = range(9)


@dataclass(frozen=True, slots=True)
class RolePlan:
    index: int
    id: str
    name: str
    staff: int | None  # None: unlimited (no queue)
    calendar: Calendar
    hourly_cost: float
    external: bool


class StepPlan:
    """One step, flattened; which fields are used depends on ``kind``."""

    __slots__ = (
        "index", "id", "name", "kind", "role", "duration", "citizen", "stamp", "paper", "approval",
        "reject_p", "reject_to", "batch", "delegations", "next", "branch_cum", "branch_to", "branch_when",
        "split_to", "join", "delay", "departures", "calendar", "mode", "party", "block",
    )

    def __init__(self, index: int, step_id: str, name: str, kind: int) -> None:
        self.index = index
        self.id = step_id
        self.name = name
        self.kind = kind
        self.role = -1
        self.duration: Any = None
        self.citizen = False
        self.stamp = False
        self.paper = False
        self.approval = False
        self.reject_p = 0.0
        self.reject_to = -1
        self.batch: tuple[str, ...] | None = None
        self.delegations: tuple[tuple[Condition, int], ...] = ()
        self.next = -1
        self.branch_cum: tuple[float, ...] = ()
        self.branch_to: tuple[int, ...] = ()
        self.branch_when: tuple[Condition | None, ...] = ()
        self.split_to: tuple[int, ...] = ()
        self.join = -1
        self.delay: Any = None
        self.departures: tuple[str, ...] | None = None
        self.calendar: Calendar | None = None
        self.mode = ""
        self.party = ""
        self.block: frozenset[int] | None = None  # a join: the steps of its parallel block


@dataclass(frozen=True, slots=True)
class ArrivalPlan:
    """One arrival stream: rate per open minute of its calendar, shaped by an optional profile."""

    index: int
    channel: str
    rate: float  # mean arrivals per open minute
    regular: bool
    calendar: Calendar
    start: int
    priority: int
    attributes: tuple[tuple[str, Any], ...]  # (name, distribution), sorted by name
    profile: tuple[tuple[float, ...], tuple[float, ...]] | None  # (weekday x7, hour x24) multipliers, normalised
    profile_max: float


@dataclass(frozen=True, slots=True)
class Plan:
    process_id: str
    process_name: str
    calendar: Calendar
    roles: tuple[RolePlan, ...]
    steps: tuple[StepPlan, ...]
    arrivals: tuple[ArrivalPlan, ...]
    priorities: bool  # some streams differ in priority: roles queue by priority

    def role_index(self, role_id: str) -> int:
        for role in self.roles:
            if role.id == role_id:
                return role.index
        raise KeyError(role_id)


def _profile(arrival: Arrival, calendar: Calendar) -> tuple[tuple[tuple[float, ...], tuple[float, ...]] | None, float]:
    """Weekday and hour multipliers scaled so that their average over a week's open minutes is 1.

    A profile says *when* cases come, not how many (see :mod:`bpr.model.volume`), so it is normalised.
    """
    if arrival.profile is None or (not arrival.profile.weekday and not arrival.profile.hour):
        return None, 1.0
    weekday = [float(arrival.profile.weekday.get(day, 1.0)) for day in WEEKDAYS]  # type: ignore[call-overload]
    hour = [float(arrival.profile.hour.get(h, 1.0)) for h in range(24)]
    days = range(7) if calendar.always else [WEEKDAYS.index(day) for day in calendar.days]
    total = weight = 0.0
    peak = 0.0
    for day in days:
        for start, end in calendar.periods():
            for h in range(24):
                overlap = min(end, (h + 1) * 60) - max(start, h * 60)
                if overlap > 0:
                    m = weekday[day] * hour[h]
                    total += overlap
                    weight += overlap * m
                    peak = max(peak, m)
    if total == 0 or weight == 0:
        raise SimulationError(
            f"the arrival profile of channel {arrival.channel!r} is 0 at every open hour: no case could arrive"
        )
    norm = weight / total
    # The product weekday x hour is what scales the rate: normalise one factor only.
    return (tuple(w / norm for w in weekday), tuple(hour)), peak / norm


def _blocks(process: Process) -> dict[str, frozenset[str]]:
    """For each join, the steps of its parallel block: those a branch passes on its way to the join.

    A step belongs to the block when a branch can reach it without passing the split or the join, and it
    can reach the join without passing the split. A return for rework to a step before the split is an
    edge out of the block (that step reaches the join only through the split again).
    """
    graph = build_graph(process)
    blocks: dict[str, frozenset[str]] = {}
    for step in process.steps:
        if not isinstance(step, Parallel):
            continue
        between = graph.subgraph(n for n in graph if n not in (step.id, step.join))
        reached: set[str] = set()
        for branch in step.next:
            if branch != step.join and branch not in reached:
                reached |= {branch} | nx.descendants(between, branch)
        to_join = nx.ancestors(graph.subgraph(n for n in graph if n != step.id), step.join)
        blocks[step.join] = frozenset(reached & to_join)
    return blocks


def build_plan(process: Process, start_date: date) -> Plan:
    """Compile ``process`` for the engine; rates of ``/year`` streams use the year of ``start_date``."""
    roles = tuple(
        RolePlan(
            index=i,
            id=role_id,
            name=role.name or role_id,
            staff=None if role.staff == "unlimited" else int(role.staff),
            calendar=process.calendar_of(role.calendar),
            hourly_cost=0.0 if role.external else float(role.hourly_cost),
            external=role.external,
        )
        for i, (role_id, role) in enumerate(process.roles.items())
    )
    role_at = {role.id: role.index for role in roles}
    index = {step.id: i for i, step in enumerate(process.steps)}
    blocks = _blocks(process)
    steps: list[StepPlan] = []
    for i, step in enumerate(process.steps):
        if isinstance(step, (Task, Approval)):
            plan = StepPlan(i, step.id, step.label, APPROVAL if isinstance(step, Approval) else TASK)
            plan.role = role_at[step.role]
            plan.duration = step.duration
            plan.citizen = step.citizen_present
            plan.stamp = step.stamp
            plan.paper = step.medium == "paper"
            plan.next = index[step.next]
            if isinstance(step, Approval):
                plan.approval = True
                if step.reject is not None and step.reject.probability > 0:
                    plan.reject_p = step.reject.probability
                    plan.reject_to = index[step.reject.to]
                plan.batch = tuple(step.batch) if step.batch else None
                plan.delegations = tuple((compiled(d.when), role_at[d.role]) for d in step.delegations)
        elif isinstance(step, Handoff):
            plan = StepPlan(i, step.id, step.label, HANDOFF)
            plan.delay = step.delay
            plan.departures = tuple(step.departures) if step.departures else None
            plan.calendar = process.calendar_of(step.calendar)
            plan.paper = step.medium == "paper"
            plan.mode = step.mode
            plan.next = index[step.next]
        elif isinstance(step, Wait):
            plan = StepPlan(i, step.id, step.label, WAIT)
            plan.duration = step.duration
            plan.party = step.party
            plan.next = index[step.next]
        elif isinstance(step, Decision):
            by_probability = step.next[0].probability is not None
            plan = StepPlan(i, step.id, step.label, DECIDE_P if by_probability else DECIDE_C)
            plan.branch_to = tuple(index[b.to] for b in step.next)
            if by_probability:
                cumulative, total = [], 0.0
                for branch in step.next:
                    total += branch.probability or 0.0
                    cumulative.append(total)
                cumulative[-1] = float("inf")  # rounding never lets a draw fall off the end
                plan.branch_cum = tuple(cumulative)
            else:
                plan.branch_when = tuple(None if b.otherwise else compiled(b.when or "") for b in step.next)
        elif isinstance(step, Parallel):
            plan = StepPlan(i, step.id, step.label, PARALLEL)
            plan.split_to = tuple(index[target] for target in step.next)
            plan.join = index[step.join]
        elif isinstance(step, Join):
            plan = StepPlan(i, step.id, step.label, JOIN)
            plan.next = index[step.next]
            plan.block = frozenset(index[member] for member in blocks.get(step.id, ()))
        elif isinstance(step, End):
            plan = StepPlan(i, step.id, step.label, END)
        else:  # pragma: no cover - the schema has no other step types
            raise SimulationError(f"step {step.id!r}: type {step.type!r} cannot be simulated")
        steps.append(plan)

    arrivals = []
    for a, arrival in enumerate(process.arrivals):
        calendar = process.calendar_of(arrival.calendar)
        try:
            rate = rate_per_open_minute(process, arrival, start_date.year)
        except ValueError as error:
            raise SimulationError(f"arrivals[{a}] ({arrival.channel}): {error}") from None
        attributes = dict(process.attributes)
        attributes.update(arrival.attributes)
        profile, peak = _profile(arrival, calendar)
        arrivals.append(
            ArrivalPlan(
                index=a,
                channel=arrival.channel,
                rate=rate,
                regular=arrival.pattern == "regular",
                calendar=calendar,
                start=index[arrival.start or process.start_step],
                priority=arrival.priority,
                attributes=tuple(sorted(attributes.items())),
                profile=profile,
                profile_max=peak,
            )
        )
    priorities = len({arrival.priority for arrival in process.arrivals}) > 1
    return Plan(process.id, process.name, process.calendar, roles, tuple(steps), tuple(arrivals), priorities)
