"""A process compiled for the engine: steps by index, roles by index, conditions parsed, rates resolved.

The engine runs millions of steps; looking steps up by id, walking pydantic models or parsing conditions
on that path would dominate its time. So a :class:`Plan` is built once per run (it is the same for every
replication) and holds only what the engine needs, in flat slot objects: one small record per kind of step
that holds a case for a while (:class:`WorkStep` for tasks and approvals, :class:`TransitStep` for handoffs,
:class:`WaitStep` for waits), each with its :class:`~bpr.model.routing.Route`; steps that only route
(decisions, splits, joins, ends) are their route itself. Where a case goes is the routing core's to say
(:mod:`bpr.model.routing`); a plan adds durations, staff and calendars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Union

from bpr.errors import SimulationError
from bpr.model.routing import (
    APPROVAL,
    DECIDE_C,
    DECIDE_P,
    END,
    HANDOFF,
    JOIN,
    PARALLEL,
    TASK,
    WAIT,
    Route,
    Routing,
    compile_routing,
)
from bpr.interchange.eventlog import ENDED
from bpr.model.schema import Approval, Arrival, Calendar, End, Handoff, Process, Task, Wait, parse_deadline, parse_timestamp
from bpr.model.volume import profile_shape, rate_per_open_minute

__all__ = ["Plan", "RolePlan", "PlanStep", "WorkStep", "TransitStep", "WaitStep", "ArrivalPlan", "build_plan",
           "TASK", "APPROVAL", "HANDOFF", "DECIDE_P", "DECIDE_C", "PARALLEL", "JOIN", "END", "WAIT"]


@dataclass(frozen=True, slots=True)
class RolePlan:
    index: int
    id: str
    name: str
    staff: int | None  # None: unlimited (no queue)
    calendar: Calendar
    hourly_cost: float
    external: bool


@dataclass(frozen=True, slots=True)
class WorkStep:
    """A task or an approval: work by a role (after delegation), perhaps from an in-tray, perhaps rejected."""

    index: int
    id: str
    name: str
    kind: int  # TASK or APPROVAL
    route: Route
    next: int
    role: int
    delegated: bool  # some delegation may change the deciding role (ask the route's decider)
    reject_p: float
    reject_to: int
    duration: Any
    citizen: bool
    stamp: bool
    paper: bool
    batch: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class TransitStep:
    """A handoff: the case travels (``delay``), leaving at the next of ``departures`` on its calendar."""

    index: int
    id: str
    name: str
    kind: int  # HANDOFF
    next: int
    delay: Any
    departures: tuple[str, ...] | None
    calendar: Calendar
    paper: bool
    mode: str


@dataclass(frozen=True, slots=True)
class WaitStep:
    """Someone outside the city has the case for ``duration`` of wall-clock time."""

    index: int
    id: str
    name: str
    kind: int  # WAIT
    next: int
    duration: Any
    party: str


PlanStep = Union[WorkStep, TransitStep, WaitStep, Route]
"""One step of a plan; decisions, splits, joins and ends are their route (:class:`~bpr.model.routing.Route`)."""


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
    times: tuple[float, ...] | None = None  # a replayed stream: its instants in minutes since the start, sorted


@dataclass(frozen=True, slots=True)
class Plan:
    process_id: str
    process_name: str
    calendar: Calendar
    roles: tuple[RolePlan, ...]
    steps: tuple[PlanStep, ...]
    arrivals: tuple[ArrivalPlan, ...]
    routing: Routing
    priorities: bool  # some streams differ in priority: roles queue by priority
    # For the event log, per step index: display names (an end step's route holds none) and the outcome an
    # end step gives its case (End.outcome, or "ended"; "" for other steps).
    step_names: tuple[str, ...]
    end_outcomes: tuple[str, ...]
    # The process deadline (標準処理期間) as (count, unit): unit "days", "business_days" or "working_hours".
    deadline: tuple[int, str] | None = None
    deadline_text: str = ""

    def role_index(self, role_id: str) -> int:
        for role in self.roles:
            if role.id == role_id:
                return role.index
        raise KeyError(role_id)


def _profile(arrival: Arrival, calendar: Calendar) -> tuple[tuple[tuple[float, ...], tuple[float, ...]] | None, float]:
    """Weekday and hour multipliers scaled so that their average over a week's open minutes is 1.

    A profile says *when* cases come, not how many (see :mod:`bpr.model.volume`), so it is normalised.
    """
    shape = profile_shape(arrival, calendar)
    if shape is None:
        return None, 1.0
    weekday, hour, norm, peak = shape
    if norm == 0:  # refused when the file is loaded; kept for plans built from unchecked processes
        raise SimulationError(
            f"the arrival profile of channel {arrival.channel!r} is 0 at every open hour: no case could arrive"
        )
    # The product weekday x hour is what scales the rate: normalise one factor only.
    return (tuple(w / norm for w in weekday), tuple(hour)), peak / norm


def build_plan(process: Process, start_date: date) -> Plan:
    """Compile ``process`` for the engine; rates of ``/year`` streams use the year of ``start_date``."""
    roles = tuple(
        RolePlan(
            index=i,
            id=role_id,
            name=role.name or role_id,
            staff=None if role.staff == "unlimited" else int(role.staff),
            calendar=(process.calendar_of(role.calendar).without_breaks() if role.through_lunch
                      else process.calendar_of(role.calendar)),
            hourly_cost=0.0 if role.external else float(role.hourly_cost),
            external=role.external,
        )
        for i, (role_id, role) in enumerate(process.roles.items())
    )
    routing = compile_routing(process)
    steps: list[PlanStep] = []
    for step, route in zip(process.steps, routing.steps):
        plan: PlanStep
        if isinstance(step, (Task, Approval)):
            batch = tuple(step.batch) if isinstance(step, Approval) and step.batch else None
            plan = WorkStep(route.index, step.id, step.label, route.kind, route, route.next, route.role,
                            bool(route.delegations), route.reject_p, route.reject_to, step.duration,
                            step.citizen_present, step.stamp, step.medium == "paper", batch)
        elif isinstance(step, Handoff):
            plan = TransitStep(route.index, step.id, step.label, HANDOFF, route.next, step.delay,
                               tuple(step.departures) if step.departures else None,
                               process.calendar_of(step.calendar), step.medium == "paper", step.mode)
        elif isinstance(step, Wait):
            plan = WaitStep(route.index, step.id, step.label, WAIT, route.next, step.duration, step.party)
        else:
            plan = route
        steps.append(plan)

    arrivals = []
    for a, arrival in enumerate(process.arrivals):
        calendar = process.calendar_of(arrival.calendar)
        replayed = arrival.replayed
        times = None
        if replayed is not None:
            origin = datetime.combine(start_date, time())
            times = tuple(sorted((parse_timestamp(text) - origin).total_seconds() / 60.0 for text in replayed))
            rate = len(times) / 525_600.0  # informative only: a replayed stream draws nothing
        else:
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
                start=routing.index[arrival.start or process.start_step],
                priority=arrival.priority,
                attributes=tuple(sorted(attributes.items())),
                profile=profile,
                profile_max=peak,
                times=times,
            )
        )
    priorities = len({arrival.priority for arrival in process.arrivals}) > 1
    return Plan(process.id, process.name, process.calendar, roles, tuple(steps), tuple(arrivals), routing,
                priorities, step_names=tuple(step.label for step in process.steps),
                end_outcomes=tuple((step.outcome or ENDED) if isinstance(step, End) else ""
                                   for step in process.steps),
                deadline=parse_deadline(process.deadline.within) if process.deadline is not None else None,
                deadline_text=process.deadline.within if process.deadline is not None else "")
