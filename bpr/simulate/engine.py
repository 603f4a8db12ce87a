"""The simpy engine: one replication of a compiled process, from arrivals to per-case and per-role figures.

No I/O, no clock, no global randomness: a replication is a pure function of (plan, config, replication).
Cases are generators driven by simpy events (:func:`bpr.simulate.kernel.start_flow`); time is minutes since ``start_date`` 00:00.

**Staff and calendars.** A role is a staff pool with one slot per staff member (:class:`~bpr.simulate.pool.Pool`,
a lean resource on simpy events with the semantics of ``simpy.Resource``, or of ``PriorityResource`` when
arrival streams differ in ``priority``: a higher number is served first, FIFO within a priority);
``unlimited`` staff means no pool and no queue. A step with no work (``0m``) passes at once, even while the
role is closed. Every staff member of a role works
the role's calendar. The rule for work and closing time: a case that gets a staff member while the role
is closed waits, holding that staff member, until the next opening (nobody else could start earlier:
all of the role's staff share the calendar, so FIFO order is kept); work then runs in open time only —
a task that does not fit before closing **pauses at closing and resumes at the next opening**, with the
same staff member, as many times as needed (:meth:`WorkCalendar.finish_time`).

**Steps.** ``approval``: a delegation whose condition matches changes the deciding role (and so its queue
and calendar); with ``batch`` the case waits in the in-tray until the next sweep time on an open day of
the deciding role's calendar and then queues for the approver; after the work a rejection (drawn per
case, see :mod:`bpr.simulate.streams`) sends the case to ``reject.to``. ``handoff``: waits for the next
departure (``departures`` on open days of its calendar) and travels ``delay`` of wall-clock time.
``wait``: the case waits ``duration`` of wall-clock time for someone outside the city (the applicant, a
committee, another agency), with no staff and no calendar; the next step starts in its own working time.
``decision``: by probability (drawn per case) or the first branch whose condition holds (``otherwise``
always holds). ``parallel``: every branch runs at once; the ``join`` lets the case go on when the last
branch arrives. A branch that is sent out of its block (a co-signer returns the case to a step before the
split) stops and arrives at the join *returned*; once every branch has arrived, the case goes where the
first returned branch (in time) was sent instead of to the join's ``next`` (the block of a join:
:func:`bpr.simulate.plan._blocks`).

**Where the time goes.** Lead time = end - arrival. Touch time = minutes of staff work on the case (all
branches). Every other minute on the case's path is *waiting*, split by cause so that the causes add up
exactly to ``lead time - path touch time``:

* ``contention``: queueing for a busy role, counted in the role's open time;
* ``priority``: the part of that queueing after a case that arrived later was served first (overtaken);
* ``batching``: in an in-tray until the sweep, counted in the role's open time;
* ``unavailability``: closed time of the role's calendar while queueing or in an in-tray, and the pauses
  inside a task (evening, weekend, holiday);
* ``transport``: all the time in handoff steps (waiting for the mail run and the trip itself);
* ``external``: all the time in wait steps (the applicant's corrections, a committee, another agency);
* ``rework``: any waiting (of any of the causes above) while the case is in rework, i.e. after an
  approval rejected it and before the case passes that same approval again (or ends). Rework belongs to
  the case, not to a branch: a rejection in one branch of a split puts the waiting of every branch in rework.

For a parallel split the case's path is the *critical path*: at each join, the branch that arrived last
(the first such branch on ties); its waiting and touch time are the case's. The other branches add to
touch time (staff effort) and counts but not to the waiting split. ``path_touch`` is the touch time on the
critical path, so that ``lead = path_touch + sum(waiting causes)`` for every case.

Counter wait = waiting (any cause) at ``citizen_present`` steps: the citizen is there. A visit starts
at a ``citizen_present`` step reached after a task/approval that was not ``citizen_present``, after a
wait (the citizen went home meanwhile), or as the first work of the case. Stamps, paper steps (tasks,
approvals and handoffs on paper), handoffs and approvals are counted as they are executed, rework included.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any, NamedTuple, cast

import numpy as np
import simpy

from bpr.errors import SimulationError
from bpr.model.routing import (
    APPROVED,
    DONE,
    REJECTED,
    Route,
    RoutingError,
    after_join,
    after_pass,
    after_reject,
    approval_outcome,
    choose,
    decider,
    left_block,
)
from bpr.simulate.calendar import WorkCalendar, work_calendar
from bpr.simulate.config import SimConfig
from bpr.simulate.kernel import run_until, start_flow
from bpr.simulate.plan import (
    APPROVAL,
    DECIDE_C,
    DECIDE_P,
    HANDOFF,
    JOIN,
    PARALLEL,
    WAIT,
    ArrivalPlan,
    Plan,
    TransitStep,
    WaitStep,
    WorkStep,
)
from bpr.simulate.pool import Pool
from bpr.simulate.sampling import BLOCK, block_sampler, blocks
from bpr.simulate.streams import Streams, case_uniform, stream_key

__all__ = ["CASE_FIELDS", "EVENT_FIELDS", "QUANTILES", "Event", "ReplicationOutput", "replicate", "run_replication"]

CASE_FIELDS: tuple[str, ...] = (
    "lead_time", "lead_days", "business_days", "touch_time", "path_touch", "waiting",
    "wait_contention", "wait_priority", "wait_batching", "wait_unavailability", "wait_transport",
    "wait_external", "wait_rework", "counter_wait", "rework_time", "visits", "stamps", "handoffs",
    "paper_steps", "approvals", "e_approvals", "rejections", "overtime", "within_deadline", "deadline_lead",
)
"""One row per measured case, in this order (see the module docstring and docs/results.md)."""

class Event(NamedTuple):
    """One activity of a case in the event log: when it became ready (``enable``), started and ended, in
    minutes since the start date; ``channel`` is the arrival stream's index; ``resource`` the staff member
    (``role#n``), the handoff's mode or the outside party; ``outcome`` ``done``, or for an approval
    ``approved`` or ``rejected``. A case that ends adds one event at its end step, of no duration, with
    no role or resource and the case's outcome (:attr:`~bpr.simulate.plan.Plan.end_outcomes`). Made into
    the shared record of real and simulated logs by :func:`bpr.simulate.results.event_records`."""

    case_id: int
    channel: int
    activity: str
    activity_name: str
    role: str
    resource: str
    enable: float
    start: float
    end: float
    outcome: str


EVENT_FIELDS: tuple[str, ...] = Event._fields

QUANTILES = (0.5, 0.9)
"""The percentiles of every per-case figure that a replication reports (p50, p90)."""

QUEUE_SAMPLES = 240
"""Snapshots of each role's queue length in the window (to see whether queues keep growing): one in each
of this many equal slices of the window, at a random instant of the slice (stream ``queue-samples``), so
that the snapshots do not all fall at the same time of day or of the week."""

_CHUNK = 4096
_BUSINESS_DAYS = CASE_FIELDS.index("business_days")
_NO_DEADLINE = (0.0, 0.0)  # within, deadline_lead of a case when the process has no deadline


class _Track:
    """Where the time of one path through the process went (a case, or one branch of a split)."""

    __slots__ = ("touch", "cont", "prio", "batch", "unav", "transport", "external", "rework", "citizen_last")

    def __init__(self) -> None:
        self.touch = self.cont = self.prio = self.batch = self.unav = self.transport = self.external = 0.0
        self.rework = 0.0
        self.citizen_last = False

    def copy(self) -> _Track:
        other = _Track.__new__(_Track)
        other.touch, other.cont, other.prio, other.batch = self.touch, self.cont, self.prio, self.batch
        other.unav, other.transport, other.external = self.unav, self.transport, self.external
        other.rework = self.rework
        other.citizen_last = self.citizen_last
        return other


class _Case:
    __slots__ = ("id", "key", "channel", "arrival", "priority", "attrs", "measured", "effort", "stamps", "visits",
                 "handoffs", "paper", "approvals", "e_approvals", "rejections", "counter", "draws", "pending",
                 "since", "rework_time", "trail", "overtime")

    def __init__(self, case_id: int, key: int, channel: int, arrival: float, priority: int, attrs: dict[str, Any],
                 measured: bool) -> None:
        self.id = case_id
        self.key = key
        self.channel = channel
        self.arrival = arrival
        self.priority = priority
        self.attrs = attrs
        self.measured = measured
        self.effort = self.counter = self.overtime = 0.0
        self.stamps = self.visits = self.handoffs = self.paper = 0
        self.approvals = self.e_approvals = self.rejections = 0
        self.draws: dict[int, int] | None = None  # per-case draws made so far, by step
        # Rework belongs to the case, whichever branch of a split it happens in: the approvals that rejected
        # it and were not passed since, when that began, and the time in rework so far.
        self.pending: frozenset[int] | None = None
        self.since = 0.0
        self.rework_time = 0.0
        # (step, waiting) of every timed step passed, for the per-step figures; measured cases only.
        self.trail: list[tuple[int, float]] | None = [] if measured else None

    def uniform(self, step: int, key: int) -> float:
        """The case's own uniform number for its next draw at ``step`` (see streams.case_uniform)."""
        draws = self.draws
        if draws is None:
            self.draws = draws = {}
        n = draws.get(step, 0)
        draws[step] = n + 1
        return case_uniform(self.key, key, n)


class _Role:
    """A role at run time: its staff pool (``None`` for unlimited staff) and its compiled calendar."""

    __slots__ = ("index", "id", "pool", "calendar", "always", "free", "staff", "seg")

    def __init__(self, index: int, role_id: str, pool: Pool | None, calendar: WorkCalendar,
                 staff: int | None, events: bool) -> None:
        self.index = index
        self.id = role_id
        self.pool = pool
        self.calendar = calendar
        self.always = calendar.always
        self.staff = staff
        # Which staff member works on what: only kept for the event log.
        self.free = list(range(staff, 0, -1)) if (events and staff is not None) else None
        # The stretch of the calendar around the last query (WorkCalendar.segment); empty until the first.
        self.seg: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@dataclass
class ReplicationOutput:
    """What one replication hands back: small, picklable, the same whatever process computed it."""

    replication: int
    window: tuple[float, float]
    arrived: int  # measured cases (arrived in the window)
    completed: int
    unfinished: int
    by_channel: dict[str, int]
    sums: np.ndarray  # per CASE_FIELDS, over completed measured cases
    # Rows QUANTILES x CASE_FIELDS: the percentiles of a uniform sample of at most config.case_sample cases,
    # taken where the replication ran (a few hundred bytes to send back instead of megabytes); None: no case.
    quantiles: np.ndarray | None
    busy: list[float]  # per role: work minutes in open time inside the window
    tasks: list[int]  # per role: tasks (and approvals) done wholly inside the window
    available: list[float]  # per role: staff x open minutes in the window (inf when unlimited)
    queue_samples: list[list[int]]  # per role: queue length in each of QUEUE_SAMPLES slices of the window
    wip_minutes: float  # integral of cases in process over the window
    events: list[Event] | None = None
    stopped_at: float = 0.0
    case_count: int = 0  # every case created, measured or not
    # Per step, over the completed measured cases: minutes waited there, and times passed.
    step_waiting: list[float] = field(default_factory=list)
    step_visits: list[int] = field(default_factory=list)
    overtime: list[float] = field(default_factory=list)  # per role: counter work minutes after closing
    # The sampled cases themselves (rows of CASE_FIELDS), only when asked for (run_replication's keep_sample).
    sample: np.ndarray | None = None


class _Reservoir:
    """Uniform sample of at most ``capacity`` rows (Algorithm R, vectorised per chunk)."""

    def __init__(self, capacity: int, width: int, rng: np.random.Generator) -> None:
        self.capacity = capacity
        self.rows = np.empty((0, width))
        self.seen = 0
        self.rng = rng

    def add(self, chunk: np.ndarray) -> None:
        free = self.capacity - len(self.rows)
        if free > 0:
            self.rows = np.vstack([self.rows, chunk[:free]])
            self.seen += min(free, len(chunk))
            chunk = chunk[free:]
        if len(chunk) == 0:
            return
        index = self.seen + np.arange(len(chunk))
        slots = np.floor(self.rng.random(len(chunk)) * (index + 1)).astype(np.int64)
        keep = slots < self.capacity
        slots, rows = slots[keep][::-1], chunk[keep][::-1]
        slots, first = np.unique(slots, return_index=True)  # the last write to a slot wins, as in order
        self.rows[slots] = rows[first]
        self.seen += len(chunk)


class _Replication:
    def __init__(self, plan: Plan, config: SimConfig, replication: int, events: bool) -> None:
        self.plan = plan
        self.config = config
        self.env = env = simpy.Environment()
        self.streams = streams = Streams(config.seed, replication)
        self.replication = replication
        years = (config.warm_up_minutes + config.horizon_minutes + config.drain_minutes) / (365 * 1440.0)
        self.calendar_cache: dict[Any, WorkCalendar] = {}
        self.w0 = config.warm_up_minutes
        self.w1 = self.w0 + config.horizon_minutes
        self.cap = self.w1 + config.drain_minutes
        self.years = years
        self.roles = []
        for role in plan.roles:
            pool = Pool(env, role.staff, plan.priorities) if role.staff is not None else None
            self.roles.append(_Role(role.index, role.id, pool, self.calendar(role.calendar), role.staff, events))
        # Per step, its sampler (None where the step has no duration or delay).
        self.durations: list[Any] = [block_sampler(s.duration, streams.get(f"duration:{s.id}"))
                          if isinstance(s, (WorkStep, WaitStep)) else None for s in plan.steps]
        self.delays: list[Any] = [block_sampler(s.delay, streams.get(f"delay:{s.id}")) if isinstance(s, TransitStep) else None
                       for s in plan.steps]
        # Keys of the per-case draws (see bpr.simulate.streams.case_uniform).
        self.draw_keys = [stream_key(f"decision:{s.id}") if s.kind == DECIDE_P
                          else stream_key(f"reject:{s.id}") if isinstance(s, WorkStep) and s.reject_p > 0
                          else 0 for s in plan.steps]
        self.step_calendars: list[Any] = [self.calendar(s.calendar) if isinstance(s, TransitStep) else None
                               for s in plan.steps]
        self.busy = [0.0] * len(plan.roles)
        self.overtime = [0.0] * len(plan.roles)  # per role: work minutes after closing at the counter
        self.step_waiting = [0.0] * len(plan.steps)
        self.step_visits = [0] * len(plan.steps)
        self.tasks = [0] * len(plan.roles)  # tasks done wholly inside the window, per role
        self.events: list[Event] | None = [] if events else None
        # Rows of CASE_FIELDS of the cases finished since the last flush, flat, and their (arrival, end): an
        # array grows by a tuple in C, and business days are counted for a whole chunk at once.
        self.rows = array("d")
        self.spans = array("d")
        self.sums = np.zeros(len(CASE_FIELDS))
        self.reservoir = _Reservoir(config.case_sample, len(CASE_FIELDS), streams.get("reservoir"))
        self.process_calendar = self.calendar(plan.calendar)
        self.next_id = 0
        self.arrived = 0
        self.completed = 0
        self.open_measured = 0
        self.draining = False
        self.done = env.event()
        self.by_channel: dict[str, int] = {}
        # Work in process: the integral over the window of the number of cases in process. Finished cases
        # add their overlap with the window; for those still in process at the end, these running totals
        # give theirs (cases that arrived before the window; count and arrival sum of those inside it).
        self.wip = 0.0
        self.open_before = 0
        self.open_inside = 0
        self.open_inside_sum = 0.0
        self.queue_samples: list[list[int]] = [[] for _ in plan.roles]

    def calendar(self, calendar: Any) -> WorkCalendar:
        return work_calendar(calendar, self.config.start_date, round(self.years + 1))

    # --- arrivals ----------------------------------------------------------------------------------

    def arrival_times(self, arrival: ArrivalPlan, stream_name: str) -> Iterator[float]:
        """Wall-clock arrival times of a stream, computed a block at a time (numpy, not per case).

        Poisson: exponential gaps in open time of the stream's calendar at ``rate x peak`` of the profile,
        mapped to wall time, kept with probability ``profile(t) / peak`` (thinning). Regular: the k-th case
        at ``k / rate`` of open time, the first at the first opening. Replayed: the stream's instants as
        they are (those before the start date lie outside the run), the same in every replication.
        """
        if arrival.times is not None:
            yield from (t for t in arrival.times if t >= 0.0)
            return
        rng = self.streams.get(f"arrivals:{stream_name}")
        calendar = self.calendar(arrival.calendar)
        profile = None if arrival.regular else arrival.profile
        if profile is not None:
            weekday_weight = np.asarray(profile[0])
            hour_weight = np.asarray(profile[1])
            start_weekday = self.config.start_date.weekday()
        scale = 1.0 / (arrival.rate * arrival.profile_max)
        # Open time up to the end of the run: a block of a rare stream (a few cases a year) reaches centuries
        # ahead, and no calendar is built that far; the stream ends with the last case before the end.
        limit = self.cap if calendar.always else (math.inf if calendar.never_open
                                                  else calendar.time_to_offset(self.cap))
        offset = 0.0
        k = 0
        while True:
            if arrival.regular:
                offsets = np.arange(k, k + BLOCK, dtype=float) / arrival.rate
                k += BLOCK
            else:
                offsets = offset + np.cumsum(rng.exponential(scale, BLOCK))
                offset = float(offsets[-1])
            inside = int(np.searchsorted(offsets, limit, side="left"))
            if inside < BLOCK:
                offsets = offsets[:inside]
            times = offsets if calendar.always else calendar.offsets_to_times(offsets)
            if profile is not None:
                day = np.floor(times / 1440.0)
                weight = (weekday_weight[((start_weekday + day) % 7).astype(np.int64)]
                          * hour_weight[((times - day * 1440.0) // 60.0).astype(np.int64)])
                times = times[rng.random(BLOCK)[:len(times)] * arrival.profile_max < weight]
            yield from times.tolist()
            if inside < BLOCK:
                return

    def arrivals(self, arrival: ArrivalPlan, stream_name: str) -> Any:
        env = self.env
        cap = self.cap
        w0, w1 = self.w0, self.w1
        attribute_samplers = [(name, block_sampler(dist, self.streams.get(f"attr:{stream_name}:{name}")))
                              for name, dist in arrival.attributes]
        case_keys = blocks(self.streams.get(f"case:{stream_name}").bit_generator.random_raw)
        channel = arrival.index
        priority = arrival.priority
        start_step = arrival.start
        flow = self.flow
        start = start_flow
        now = env.now  # then what each pause evaluates to (kernel.start_flow)
        for t in self.arrival_times(arrival, stream_name):
            if t >= cap:
                return
            if t > now:
                now = yield t - now
            measured = w0 <= t < w1
            attrs = {name: next(sampler) for name, sampler in attribute_samplers} if attribute_samplers else {}
            case = _Case(self.next_id, next(case_keys), channel, t, priority, attrs, measured)
            self.next_id += 1
            if t < w0:
                self.open_before += 1
            elif measured:
                self.open_inside += 1
                self.open_inside_sum += t
                self.arrived += 1
                self.open_measured += 1
                self.by_channel[arrival.channel] = self.by_channel.get(arrival.channel, 0) + 1
            start(env, flow(case, _Track(), start_step, -1))

    # --- the case flow -----------------------------------------------------------------------------

    def flow(self, case: _Case, track: _Track, sid: int, stop: int) -> Any:
        """Run ``case`` from step ``sid`` until an end (``stop == -1``) or, for a branch of a parallel split,
        until it reaches the join ``stop`` or leaves the block (see :meth:`_left_block`).

        A branch returns ``(time, track, -1)`` at the join, or ``(time, track, target)`` when it left the
        block for ``target`` (a return for rework to a step before the split).
        """
        env = self.env
        # Dispatched on ``kind`` (small integers), not on the record's type: the hot path of the engine.
        steps: tuple[Any, ...] = self.plan.steps
        roles = self.roles
        busy = self.busy
        tasks = self.tasks
        w0, w1 = self.w0, self.w1
        events = self.events
        durations = self.durations
        inside = steps[stop].block if stop >= 0 else None
        now = env.now  # kept up to date from what each pause evaluates to (kernel.start_flow)
        while True:
            if sid == stop:
                return now, track, -1
            if inside is not None and sid not in inside:
                return now, track, self._left_block(sid, stop)
            st = steps[sid]
            kind = st.kind
            if kind <= APPROVAL:  # TASK or APPROVAL
                t0 = now
                role = roles[st.role]
                if st.delegated:
                    role = roles[self._decider(st, case)]
                calendar = role.calendar
                always = role.always
                queued = t0
                batch_open = 0.0
                if st.batch is not None:
                    queued = calendar.next_clock(t0, st.batch)
                    if queued > t0:
                        batch_open = (queued - t0) if always else calendar.open_minutes_between(t0, queued)
                        now = yield queued - t0
                pool = role.pool
                overtaken = None
                if pool is not None:
                    if pool.busy < pool.capacity and not pool.waiting:  # a free staff member (see Pool)
                        pool.busy += 1
                    else:
                        overtaken = yield pool.wait(case.priority)
                        now = env.now
                acquired = now
                if events is not None:
                    member = role.free.pop() if role.free else 0
                work = next(durations[sid])
                counter = st.citizen and not always and st.batch is None
                overtime = 0.0
                if always:
                    if work > 0:
                        now = yield work
                    finish = now
                elif counter:
                    # At the counter (受付終了): the citizen is there from ``present`` (the opening, for a case
                    # that reached the step while closed) and, once there, is served to the end without a
                    # pause, after closing too; the staff's minutes after closing are overtime.
                    # Calendar queries as arithmetic inside the role's stretch (WorkCalendar.segment).
                    lo, s, e, c = role.seg
                    if not lo <= t0 < e:
                        role.seg = lo, s, e, c = calendar.segment(t0)
                    present = t0 if t0 >= s else s  # open at t0, or the next opening
                    begin = acquired if acquired >= present else present
                    finish = begin + work
                    if work > 0:
                        if not begin < e:
                            role.seg = lo, s, e, c = calendar.segment(begin)
                        if finish < e and begin >= s:  # no closing in between: all of it in open time
                            overtime = work - ((c + (finish - s)) - (c + (begin - s) if begin > s else c))
                        else:
                            overtime = work - calendar.open_minutes_between(begin, finish)
                        if overtime < 1e-9:
                            overtime = 0.0
                    if finish > acquired:
                        now = yield finish - acquired
                else:
                    # Work starts at the next opening and pauses while closed (WorkCalendar.finish_time).
                    if work > 0:
                        lo, s, e, c = role.seg
                        if not lo <= acquired < e:
                            role.seg = lo, s, e, c = calendar.segment(acquired)
                        finish = (acquired if acquired > s else s) + work
                        if finish > e:  # it does not fit before closing
                            finish = calendar.finish_time(acquired, work)
                    else:
                        finish = acquired
                    if finish > acquired:
                        now = yield finish - acquired
                if pool is not None:
                    if pool.waiting:
                        pool.hand_over()
                    else:
                        pool.busy -= 1
                # Drawn here, where the event log needs it; the draw is the case's own, so when it is made
                # changes no number.
                rejected = kind == APPROVAL and st.reject_p > 0 and approval_outcome(
                    st.route, case.uniform(sid, self.draw_keys[sid]))
                if events is not None:
                    if role.free is not None:
                        role.free.append(member)
                    start = (acquired if (always or work <= 0) else finish - work if counter
                             else calendar.next_open(acquired))
                    self._log(case, st, role, member, t0, start, finish,
                              REJECTED if rejected else APPROVED if kind == APPROVAL else DONE)
                # Where the waiting went (see module docstring). Between getting a staff member and starting
                # the role is closed, so open queueing time up to ``acquired`` is open queueing up to the start.
                waited = finish - t0 - work
                if waited < 0.0:  # rounding only (finish = start + work on a grid of coarser floats)
                    waited = 0.0
                if case.pending is not None:
                    track.rework += waited
                elif counter:  # closed time before the citizen is there; queueing once there is contention
                    there = finish - work - present if finish - work > present else 0.0
                    if overtaken is not None:
                        ahead = acquired - (overtaken if overtaken > present else present)
                        ahead = ahead if ahead > 0.0 else 0.0
                        track.prio += ahead
                        track.cont += there - ahead
                    else:
                        track.cont += there
                    track.unav += waited - there
                elif always:  # open all the time: queueing is contention (or priority), nothing else
                    if overtaken is not None:
                        track.prio += acquired - overtaken
                        track.cont += overtaken - queued
                    else:
                        track.cont += acquired - queued
                    track.batch += batch_open
                else:
                    lo, s, e, c = role.seg
                    if not lo <= acquired < e:
                        role.seg = lo, s, e, c = calendar.segment(acquired)
                    at = c + (acquired - s) if acquired > s else c  # open minutes up to ``acquired``
                    if acquired <= queued:
                        queue_open = 0.0
                    elif queued >= lo:
                        queue_open = at - (c + (queued - s) if queued > s else c)
                    else:
                        queue_open = calendar.open_minutes_between(queued, acquired)
                    if overtaken is not None:
                        if acquired <= overtaken:
                            ahead = 0.0
                        elif overtaken >= lo:
                            ahead = at - (c + (overtaken - s) if overtaken > s else c)
                        else:
                            ahead = calendar.open_minutes_between(overtaken, acquired)
                        track.prio += ahead
                        track.cont += queue_open - ahead
                    else:
                        track.cont += queue_open
                    track.batch += batch_open
                    track.unav += waited - queue_open - batch_open
                if case.trail is not None:
                    case.trail.append((sid, waited))
                track.touch += work
                case.effort += work
                if acquired >= w0 and finish <= w1:
                    busy[role.index] += work - overtime
                    tasks[role.index] += 1
                    if overtime:
                        self.overtime[role.index] += overtime
                elif finish > w0 and acquired < w1:  # work partly outside the window: count the inside
                    lo, hi = max(acquired, w0), min(finish, w1)
                    busy[role.index] += (hi - lo) if always else calendar.open_minutes_between(lo, hi)
                case.overtime += overtime
                if st.citizen:
                    # Only while the citizen is there: not the closed time before they could come.
                    case.counter += (finish - work - present if finish - work > present else 0.0) if counter else waited
                    if not track.citizen_last:
                        case.visits += 1
                        track.citizen_last = True
                else:
                    track.citizen_last = False
                if st.stamp:
                    case.stamps += 1
                if st.paper:
                    case.paper += 1
                if kind == APPROVAL:
                    case.approvals += 1
                    if not st.paper and not st.stamp:
                        case.e_approvals += 1
                    if rejected:
                        case.rejections += 1
                        if case.pending is None:
                            case.since = finish
                        case.pending = after_reject(case.pending, sid)
                        sid = st.reject_to
                        continue
                    if case.pending is not None:
                        case.pending = after_pass(case.pending, sid)
                        if case.pending is None:
                            case.rework_time += finish - case.since
                sid = st.next
            elif kind == HANDOFF:
                t0 = now
                depart = self.step_calendars[sid].next_clock(t0, st.departures) if st.departures else t0
                arrive = depart + next(self.delays[sid])
                if arrive > t0:
                    now = yield arrive - t0
                if case.pending is not None:
                    track.rework += arrive - t0
                else:
                    track.transport += arrive - t0
                if case.trail is not None:
                    case.trail.append((sid, arrive - t0))
                case.handoffs += 1
                if st.paper:
                    case.paper += 1
                if events is not None:
                    events.append(Event(case.id, case.channel, st.id, st.name, "", st.mode, t0, depart, arrive,
                                        DONE))
                sid = st.next
            elif kind == WAIT:
                # Someone outside has the case: wall-clock time, no staff, no calendar (the next step has
                # its own).
                t0 = now
                wait = next(durations[sid])
                if wait > 0:
                    now = yield wait
                    wait = now - t0
                if case.pending is not None:
                    track.rework += wait
                else:
                    track.external += wait
                if case.trail is not None:
                    case.trail.append((sid, wait))
                track.citizen_last = False  # the citizen has gone home meanwhile: coming back is a new visit
                if events is not None:
                    events.append(Event(case.id, case.channel, st.id, st.name, "", st.party, t0, t0, now,
                                        DONE))
                sid = st.next
            elif kind == DECIDE_P:
                sid = choose(st, case.attrs, case.uniform(sid, self.draw_keys[sid]))
            elif kind == DECIDE_C:
                sid = self._choose(st, case)
            elif kind == PARALLEL:
                branches: list[simpy.Event] = []
                for target in st.split_to:
                    branch_done = simpy.Event(env)
                    start_flow(env, self.flow(case, track.copy(), target, st.join), branch_done)
                    branches.append(branch_done)
                yield env.all_of(branches)
                now = env.now
                # The critical path goes on: the branch that reached the join last (first of ties). If a
                # branch was returned out of the block, the case goes where the first return sent it.
                latest, chosen = -math.inf, track
                back, back_at = -1, math.inf
                for branch in branches:
                    arrived, done, target = cast(tuple[float, _Track, int], branch.value)  # the flow's return
                    if arrived > latest:
                        latest, chosen = arrived, done
                    if target >= 0 and arrived < back_at:
                        back, back_at = target, arrived
                track = chosen
                sid = after_join(steps[st.join], () if back < 0 else (back,))
            elif kind == JOIN:
                sid = st.next
            else:  # END (never inside a parallel block: a branch leaves the block before reaching one)
                if events is not None:
                    now = env.now
                    events.append(Event(case.id, case.channel, st.id, self.plan.step_names[sid], "", "", now,
                                        now, now, self.plan.end_outcomes[sid]))
                self._finish(case, track)
                return None

    def _left_block(self, target: int, join: int) -> int:
        """``target``, a step outside the parallel block of ``join`` that a branch is about to go to: the
        branch stops and is marked returned at the join (:func:`bpr.model.routing.left_block`)."""
        try:
            return left_block(self.plan.routing, join, target)
        except RoutingError as error:
            raise SimulationError(str(error)) from None

    def _decider(self, st: WorkStep, case: _Case) -> int:
        try:
            return decider(st.route, case.attrs)
        except RoutingError as error:
            raise SimulationError(str(error)) from None

    def _choose(self, st: Route, case: _Case) -> int:
        try:
            return choose(st, case.attrs)
        except RoutingError as error:
            raise SimulationError(str(error)) from None

    def _log(self, case: _Case, st: Any, role: _Role, member: int, enable: float, start: float, end: float,
             outcome: str) -> None:
        # Staff members are numbered (role#1, role#2, ...) for the event log only; unlimited roles are one name.
        resource = f"{role.id}#{member}" if role.free is not None else role.id
        assert self.events is not None  # _log is called only when the event log is kept
        self.events.append(Event(case.id, case.channel, st.id, st.name, role.id, resource,
                            enable, start, end, outcome))

    def _finish(self, case: _Case, track: _Track) -> None:
        end = self.env.now
        arrival = case.arrival
        if not case.measured:
            if arrival < self.w0:
                self.open_before -= 1
                if end > self.w0:
                    self.wip += min(end, self.w1) - self.w0
            return
        self.open_inside -= 1
        self.open_inside_sum -= arrival
        self.wip += (end if end < self.w1 else self.w1) - arrival
        lead = end - arrival
        if case.pending is not None:
            case.rework_time += end - case.since
        self.spans.extend((arrival, end))
        rows = self.rows
        rows.extend((
            lead, lead / 1440.0, 0.0,  # business days: counted in _flush
            case.effort, track.touch, lead - track.touch,
            track.cont, track.prio, track.batch, track.unav, track.transport, track.external, track.rework,
            case.counter, case.rework_time, case.visits, case.stamps, case.handoffs, case.paper,
            case.approvals, case.e_approvals, case.rejections, case.overtime,
        ))
        rows.extend(self._deadline(arrival, end) if self.plan.deadline is not None else _NO_DEADLINE)
        step_waiting, step_visits = self.step_waiting, self.step_visits
        for step, waited in case.trail or ():
            step_waiting[step] += waited
            step_visits[step] += 1
        if len(self.spans) >= 2 * _CHUNK:
            self._flush()
        self.completed += 1
        self.open_measured -= 1
        if self.draining and self.open_measured == 0 and not self.done.triggered:
            self.done.succeed()

    def _deadline(self, arrival: float, end: float) -> tuple[float, float]:
        """(1.0 if the case ended by its deadline else 0.0, its lead time in the deadline's unit); (0, 0) when
        the process has no deadline. Counted in the process calendar (see WorkCalendar.due_time)."""
        deadline = self.plan.deadline
        if deadline is None:
            return 0.0, 0.0
        count, unit = deadline
        calendar = self.process_calendar
        within = 1.0 if end <= calendar.due_time(arrival, count, unit) else 0.0
        if unit == "days":
            return within, (end - arrival) / 1440.0
        if unit == "business_days":
            return within, float(calendar.business_days_between(arrival, end))
        return within, calendar.open_minutes_between(arrival, end) / 60.0

    def _flush(self) -> None:
        if self.spans:
            chunk = np.frombuffer(self.rows, dtype=float).reshape(-1, len(CASE_FIELDS)).copy()
            spans = np.frombuffer(self.spans, dtype=float).reshape(-1, 2)
            chunk[:, _BUSINESS_DAYS] = self.process_calendar.business_days_between_many(spans[:, 0], spans[:, 1])
            self.rows = array("d")
            self.spans = array("d")
            self.sums += chunk.sum(axis=0)
            self.reservoir.add(chunk)

    # --- the run -----------------------------------------------------------------------------------

    def _watch(self) -> Any:
        """Queue snapshots in the window; at its end, start draining; at the drain limit, stop."""
        env = self.env
        step = (self.w1 - self.w0) / QUEUE_SAMPLES
        jitter = self.streams.get("queue-samples").random(QUEUE_SAMPLES).tolist()
        for k in range(QUEUE_SAMPLES):
            t = self.w0 + (k + jitter[k]) * step
            yield env.timeout(t - env.now)
            for role in self.roles:
                self.queue_samples[role.index].append(len(role.pool) if role.pool is not None else 0)
        yield env.timeout(self.w1 - env.now)
        self.draining = True
        if self.open_measured == 0:
            self.done.succeed()
            return
        yield env.timeout(self.cap - env.now)
        if not self.done.triggered:
            self.done.succeed()

    def run(self, keep_sample: bool = False) -> ReplicationOutput:
        env = self.env
        seen: dict[str, int] = {}
        for arrival in self.plan.arrivals:
            count = seen.get(arrival.channel, 0)
            seen[arrival.channel] = count + 1
            name = arrival.channel if count == 0 else f"{arrival.channel}#{count}"
            start_flow(env, self.arrivals(arrival, name))
        env.process(self._watch())
        run_until(env, self.done)
        self._flush()
        self.wip += self.open_before * (self.w1 - self.w0) + self.open_inside * self.w1 - self.open_inside_sum
        available = []
        for role, plan_role in zip(self.roles, self.plan.roles):
            if plan_role.staff is None:
                available.append(math.inf)
            else:
                available.append(plan_role.staff * role.calendar.open_minutes_between(self.w0, self.w1))
        output = ReplicationOutput(
            replication=self.replication,
            window=(self.w0, self.w1),
            arrived=self.arrived,
            completed=self.completed,
            unfinished=self.arrived - self.completed,
            by_channel=dict(sorted(self.by_channel.items())),
            sums=self.sums,
            quantiles=np.quantile(self.reservoir.rows, QUANTILES, axis=0) if len(self.reservoir.rows) else None,
            sample=self.reservoir.rows if keep_sample else None,
            busy=list(self.busy),
            tasks=list(self.tasks),
            available=available,
            queue_samples=self.queue_samples,
            wip_minutes=self.wip,
            events=self.events,
            stopped_at=env.now,
            case_count=self.next_id,
            step_waiting=self.step_waiting,
            step_visits=self.step_visits,
            overtime=self.overtime,
        )
        # The cases still in flight are generators that hold this replication, and the schedule holds them: a
        # cycle that only a full collection frees. Let it hold nothing large meanwhile (the sample is
        # megabytes; the draws' blocks add up).
        del self.reservoir, self.streams, self.durations, self.delays
        return output


def run_replication(plan: Plan, config: SimConfig, replication: int, events: bool = False,
                    keep_sample: bool = False) -> ReplicationOutput:
    """Simulate replication ``replication`` of ``plan`` (see the module docstring for the rules); with
    ``keep_sample`` the output keeps the sampled cases themselves (tests of per-case figures read them)."""
    return _Replication(plan, config, replication, events).run(keep_sample)


def replicate(plan: Plan, config: SimConfig, replication: int) -> ReplicationOutput:
    """Replication ``replication`` of ``plan``, as :func:`bpr.simulate.simulate` runs it: the event log, when
    asked for, is kept for replication 0 only. The output depends only on (plan, config without
    ``replications`` and ``workers``, replication): a replication run elsewhere (another process, or kept from
    an earlier run) is the one ``simulate`` would compute. Here, not in the runner, so that a worker process
    that runs it imports the engine alone."""
    return run_replication(plan, config, replication, events=config.events and replication == 0)
