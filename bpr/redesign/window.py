"""How long to simulate a redesign: a window chosen from the process, several times its lead time.

Staff-hours a year are the work done *inside* the measurement window, and lead times are those of the cases
that arrive in it, followed until they end or the drain limit. Both mean something only in a steady state:

- the **warm-up** must let cases that arrived before the window reach every step, or the window starts
  with the later steps under-loaded; a redesign that makes cases faster then brings their later work into
  the window sooner and seems to *add* staff-hours;
- the **horizon** must be long compared with the lead time, or which open days feed the window (a lag of
  two weeks before, one week after) moves staff-hours by a day's work in a few weeks' total;
- the **drain** must let nearly every measured case end, or the slow ones (those that loop through
  revisions) are cut off, lead times look shorter than they are and the run warns of unfinished cases.

A fixed four weeks is fine for a process of hours or days and wrong for one of weeks (road occupancy: a
police reply by post, revisions that restart the consultations). So the window follows the process:
:func:`expected_lead_time` estimates, without queues, the calendar time an average case spends in it, and
:func:`window_for` makes warm-up and horizon :data:`WINDOW_FACTOR` times that (whole weeks, at least
:data:`MINIMUM_WINDOW`, at most :data:`MAXIMUM_WINDOW`) and the drain :data:`DRAIN_FACTOR` times it (at least
the horizon). A run ends as soon as every measured case is done, so a long drain limit costs nothing
unless cases are really that slow.

**The estimate.** Expected visits of every step come from the routing (decision shares as the analysis
estimates them from sampled cases, rework probabilities, the branches of a parallel split all visited) by
solving the linear flow equations; each visit costs, in calendar minutes: a staff step its mean duration
stretched by its role's calendar (a week's minutes over the open minutes of its working week) plus, when
batched, half the calendar time between in-tray sweeps; a handoff its mean delay plus half the calendar time
between departures; a wait its mean duration. Branches of a parallel split are added one after another (an
upper bound). Queues are left out, so for a busy process the estimate is low; the factors leave room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bpr.analysis.cases import CaseSample, arrival_shares, branch_probabilities
from bpr.model.graph import build_graph
from bpr.model.routing import exits
from bpr.model.schema import Approval, Calendar, Decision, Handoff, Join, Parallel, Process, Task, Wait
from bpr.simulate import SimConfig
from bpr.simulate.config import parse_span

__all__ = [
    "DRAIN_FACTOR",
    "MAXIMUM_WINDOW",
    "MINIMUM_WINDOW",
    "WINDOW_FACTOR",
    "Window",
    "config_for",
    "expected_lead_time",
    "expected_visits",
    "window_for",
]

WINDOW_FACTOR = 5.0
"""Warm-up and horizon are this many times the expected lead time (the estimate leaves queues out and is a
quarter to a third below the simulated lead time of the shipped scenarios: about 3.5 real lead times)."""
DRAIN_FACTOR = 10.0
"""Measured cases are followed for up to this many times the expected lead time after the window."""
MINIMUM_WINDOW = "4w"
"""Shortest warm-up and horizon: a month of working days, holidays and weekly rhythms included."""
MAXIMUM_WINDOW = "52w"
"""Longest warm-up and horizon chosen automatically (give --horizon and --warm-up to go beyond)."""

WEEK = 7 * 1440.0


def _open_week(calendar: Calendar) -> float:
    """Open minutes in a week of ``calendar`` (holidays aside)."""
    return WEEK if calendar.always else len(calendar.days) * calendar.minutes_per_day()


def _stretch(calendar: Calendar) -> float:
    """Calendar minutes per open minute of ``calendar``."""
    open_week = _open_week(calendar)
    return WEEK / open_week if open_week > 0 else 1.0


def _between(times: tuple[str, ...] | None, calendar: Calendar) -> float:
    """Half the mean calendar time between set times (``departures``, ``batch``) on open days."""
    if not times:
        return 0.0
    days = 7 if calendar.always else max(len(calendar.days), 1)
    return 0.5 * WEEK / (days * len(times))


def _visit_time(process: Process, step: object) -> float:
    if isinstance(step, (Task, Approval)):
        calendar = process.role_calendar(step.role)
        time = step.duration.mean * _stretch(calendar)
        if isinstance(step, Approval):
            time += _between(step.batch, calendar)
        return time
    if isinstance(step, Handoff):
        return step.delay.mean + _between(step.departures, process.calendar_of(step.calendar))
    if isinstance(step, Wait):
        return step.duration.mean
    return 0.0


def expected_visits(process: Process) -> dict[str, float]:
    """Expected visits of every step per arriving case (module docstring)."""
    G = build_graph(process)
    ids = list(process.step_ids)
    index = {step_id: i for i, step_id in enumerate(ids)}
    decisions = branch_probabilities(process, CaseSample.of(G, process))
    joins = {step.join: len(step.next) for step in process.steps if isinstance(step, Parallel)}
    flow = np.zeros((len(ids), len(ids)))  # flow[i, j]: expected moves from i to j per visit of i

    def move(source: str, target: str, weight: float) -> None:
        if isinstance(process.step(target), Join):
            weight /= joins.get(target, 1)  # every branch arrives; the join passes the case on once
        flow[index[source], index[target]] += weight

    for step in process.steps:
        if isinstance(step, Decision):
            for branch in {b.to for b in step.next}:
                move(step.id, branch, decisions.get((step.id, branch), 0.0))
        else:  # the routing core's exits: every parallel branch, a rejection with its probability
            for out in exits(step):
                move(step.id, out.to, out.probability or 0.0)
    entries = np.zeros(len(ids))
    for start, share in arrival_shares(process).items():
        entries[index[start]] += share
    system = np.eye(len(ids)) - flow.T
    try:
        visits = np.linalg.solve(system, entries)
    except np.linalg.LinAlgError:
        visits = np.linalg.lstsq(system, entries, rcond=None)[0]
    return {step_id: max(0.0, float(v)) for step_id, v in zip(ids, visits)}


def expected_lead_time(process: Process) -> float:
    """Queue-free estimate of the mean calendar minutes from arrival to end (module docstring)."""
    visits = expected_visits(process)
    return sum(visits[step.id] * _visit_time(process, step) for step in process.steps)


@dataclass(frozen=True)
class Window:
    """Warm-up, horizon and drain chosen for a process, and the lead time they were chosen from."""

    lead_time: float
    """Expected lead time in minutes (:func:`expected_lead_time`)."""
    warm_up: str
    horizon: str
    drain: str


def _weeks(minutes: float, low: float, high: float) -> str:
    weeks = math.ceil(max(low, min(high, minutes)) / WEEK - 1e-9)
    return f"{max(weeks, 1)}w"


def window_for(process: Process, minimum: str = MINIMUM_WINDOW) -> Window:
    """Warm-up, horizon and drain for ``process`` (module docstring); ``minimum`` is the shortest warm-up
    and horizon."""
    lead = expected_lead_time(process)
    low, high = parse_span(minimum), parse_span(MAXIMUM_WINDOW)
    span = _weeks(WINDOW_FACTOR * lead, low, high)
    drain = f"{math.ceil(max(parse_span(span), 30 * 1440.0, DRAIN_FACTOR * lead) / 1440.0 - 1e-9)}d"
    return Window(lead, span, span, drain)


def config_for(
    process: Process,
    replications: int = 10,
    seed: int = 0,
    workers: int = 1,
    horizon: str | None = None,
    warm_up: str | None = None,
    minimum: str = MINIMUM_WINDOW,
) -> SimConfig:
    """The simulation settings of a redesign of ``process``: the window of :func:`window_for`, except
    where ``horizon`` or ``warm_up`` are given; the drain is at least the horizon."""
    window = window_for(process, minimum)
    config = SimConfig(
        replications=replications,
        horizon=horizon or window.horizon,
        warm_up=warm_up or window.warm_up,
        seed=seed,
        workers=workers,
    )  # validates what was given
    drain_days = max(parse_span(window.drain), config.horizon_minutes) / 1440.0
    return config.model_copy(update={"drain": f"{math.ceil(drain_days - 1e-9)}d"})
