"""Plan against actual: what a redesign promised, checked against the event log of the new process.

    measure_log(process, log) -> Actual             the log's figures, each with its 95% interval
    check_prediction(actual, result) -> Check       side by side with the simulation's, and a verdict

The figures (the same as the simulation's, so that they can be compared):

* **lead time**, calendar days from a case's arrival (its first ``enable``, else its first start, as
  :func:`bpr.calibrate.arrivals.arrival_times` reads it) to its last end; mean over the finished cases with
  a Student t interval on the case values;
* **deadline share** (when the process has ``deadline:``): the share of finished cases that ended by their
  deadline, counted in the process calendar as the simulation counts it
  (:meth:`bpr.simulate.calendar.WorkCalendar.due_time`); Wilson score interval;
* **staff-hours per case**: the working time (open time of the role's calendar between start and end) of
  the tasks and approvals done by the file's own staff (roles not ``external``); t interval on the case
  values. The simulation's figure is its staff-hours a year over its cases a year, per replication;
* **staff-hours a year**, when the log's arrivals span at least :data:`YEAR_DAYS` days: staff-hours per
  case times cases a year, ``(n − 1)`` arrivals over the span from the first to the last; normal interval
  with the relative errors of both added in quadrature (a compound Poisson total).

A case is *finished* when the log shows it reaching an end step of the file. The figures are of the cases
that arrived before the first case still open at the end of the log (all of them finished): counting every
finished case would leave out the slow cases of the last weeks and keep their quick ones, and so make the
lead time look shorter than it is. The cases left out are counted. The **verdict** of a figure is ``within`` when the log's interval
overlaps the prediction's (the log shows no clear difference), else ``better`` or ``worse`` by the side
the log's interval lies on; ``unknown`` when either has no value. Overlap is a cautious test: it errs
towards ``within``.

The log must be of the process checked: an activity that is not a step of the file is a :class:`LogError`
naming the log's line, as are a log without rows and a log in which no case finishes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from bpr.model.schema import Approval, End, Process, Task, parse_deadline
from bpr.simulate.estimate import Estimate
from bpr.simulate.results import SimulationResult

from bpr.calibrate.clock import Clock
from bpr.calibrate.log import Log, LogError
from bpr.calibrate.replay import step_of_activity

__all__ = ["FIGURES", "VERDICTS", "YEAR_DAYS", "Actual", "Check", "Figure", "Interval", "check_prediction", "verdict",
           "measure_log"]

YEAR_DAYS = 365.0
"""A log whose arrivals span fewer days gives no yearly staff-hours: the volume and the calendar change over
a year (the year-end closure, the start of the fiscal year), so a shorter log cannot stand for one."""

Z95 = 1.959963984540054
"""The 97.5% quantile of the standard normal distribution."""

FIGURES: dict[str, tuple[str, bool]] = {
    "lead_days": ("days", False),
    "deadline_share": ("ratio", True),
    "staff_hours_per_case": ("hours", False),
    "staff_hours_per_year": ("hours", False),
}
"""name -> (unit, whether more is better), in the order shown."""

VERDICTS = ("within", "better", "worse", "unknown")


@dataclass(frozen=True)
class Interval:
    """A figure with its 95% confidence interval (``n``: the cases or replications behind it)."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, estimate: Estimate) -> Interval:
        return cls(estimate.mean, estimate.low, estimate.high, estimate.n)

    def to_dict(self) -> dict[str, Any]:
        return {"mean": _num(self.mean), "ci95": [_num(self.low), _num(self.high)], "n": self.n}


@dataclass(frozen=True)
class Actual:
    """What the log of the new process shows (module docstring); times as ISO dates in the process zone."""

    process_id: str
    log: str
    cases: int  # finished cases, behind every figure
    open_cases: int  # cases the log shows no end of: left out
    late_cases: int  # finished cases that arrived after the first case still open: left out too
    first_arrival: str  # of the cases counted
    last_arrival: str
    span_days: float  # from the first arrival to the last, of every case (for the cases a year)
    deadline: str | None  # the process deadline as written (``30 days``)
    figures: dict[str, Interval]
    lead_days: tuple[float, ...]  # per finished case, in the log's order of cases
    staff_hours: tuple[float, ...]  # per finished case
    within_deadline: tuple[bool, ...]  # per finished case; empty without a deadline


@dataclass(frozen=True)
class Figure:
    """One figure predicted and measured, with the verdict."""

    name: str
    unit: str
    predicted: Interval
    actual: Interval
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "predicted": self.predicted.to_dict(), "actual": self.actual.to_dict(),
                "verdict": self.verdict}


@dataclass(frozen=True)
class Check:
    """The prediction of a simulation against the log of the process it simulated."""

    actual: Actual
    figures: tuple[Figure, ...]
    replications: int

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        a = self.actual
        return {
            "process": a.process_id, "log": a.log, "cases": a.cases, "open_cases": a.open_cases,
            "late_cases": a.late_cases,
            "first_arrival": a.first_arrival, "last_arrival": a.last_arrival, "span_days": _num(a.span_days),
            "deadline": a.deadline, "replications": self.replications, "year_days": YEAR_DAYS,
            "figures": {f.name: f.to_dict() for f in self.figures},
        }


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _wilson(successes: int, n: int) -> Interval:
    """The share ``successes / n`` with its Wilson score interval (sound at 0% and 100% too)."""
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(p, max(centre - half, 0.0), min(centre + half, 1.0), n)


def _refuse_unknown(process: Process, log: Log, steps: list[int]) -> None:
    bad = next((i for i, s in enumerate(steps) if s < 0), None)
    if bad is None:
        return
    names = sorted({log.activity[i] for i, s in enumerate(steps) if s < 0})
    line = log.lines[bad] if log.lines else 0
    shown = ", ".join(repr(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
    raise LogError(f"{log.file}:{line}: activity {log.activity[bad]!r} is not a step of {process.id!r} "
                   f"(not in the file: {shown}); the check reads the log of the process it checks — is this the "
                   "log of another version?")


def measure_log(process: Process, log: Log) -> Actual:
    """The figures of ``log``, a log of ``process`` (module docstring)."""
    if len(log) == 0:
        raise LogError(f"{log.file}: the log holds no rows; nothing to check")
    names = step_of_activity(process)
    steps = [names.get(a, -1) for a in log.activity]
    _refuse_unknown(process, log, steps)
    clock = Clock(process, float(np.nanmin(log.start)), float(np.nanmax(log.end)))
    begin_seconds = np.where(np.isnan(log.enable), log.start, np.fmin(log.enable, log.start))
    begin = clock.minutes(begin_seconds)
    start, end = clock.minutes(log.start), clock.minutes(log.end)
    # Working hours of every row done by the file's own staff (0 for the rest).
    work = np.zeros(len(log))
    by_role: dict[str, list[int]] = {}
    for i, s in enumerate(steps):
        step = process.steps[s]
        if isinstance(step, (Task, Approval)):
            role = log.role[i] if log.role[i] in process.roles else step.role
            if not process.roles[role].external:
                by_role.setdefault(role, []).append(i)
    for role, rows in by_role.items():
        index = np.asarray(rows)
        work[index] = clock.working_minutes(clock.role_calendar(role), start[index], end[index]) / 60.0
    deadline = parse_deadline(process.deadline.within) if process.deadline is not None else None
    calendar = clock.calendar(None)
    cases = []  # (arrival, finish or None, rows); model minutes
    for rows in log.by_case().values():
        finished = any(isinstance(process.steps[steps[r]], End) for r in rows)
        first = min(rows, key=lambda r: begin[r])
        cases.append((float(begin[first]), float(max(end[r] for r in rows)) if finished else None, rows))
    arrivals = [arrival for arrival, _, _ in cases]
    still_open = [arrival for arrival, finish, _ in cases if finish is None]
    cut = min(still_open, default=math.inf)
    lead: list[float] = []
    hours: list[float] = []
    within: list[bool] = []
    counted: list[float] = []
    for arrival, finish, rows in cases:
        if finish is None or arrival >= cut:
            continue
        counted.append(float(min(begin_seconds[r] for r in rows)))
        lead.append((finish - arrival) / 1440.0)
        hours.append(float(sum(work[r] for r in rows)))
        if deadline is not None:
            within.append(finish <= calendar.due_time(arrival, *deadline))
    if not lead:
        first_open = min((c for c in cases if c[1] is None), key=lambda c: c[0])
        raise LogError(f"{log.file}: no case that arrived before the first case still open (line "
                       f"{log.lines[first_open[2][0]] if log.lines else '?'}) reaches an end step of {process.id!r}; the check needs finished "
                       "cases — extract the log later, or leave out cases that will never end")
    n = len(lead)
    figures = {"lead_days": Interval.of(Estimate.of(lead, floor=0.0)),
               "staff_hours_per_case": Interval.of(Estimate.of(hours, floor=0.0))}
    if deadline is not None:
        figures["deadline_share"] = _wilson(sum(within), n)
    span = (max(arrivals) - min(arrivals)) / 1440.0
    if span >= YEAR_DAYS and len(arrivals) >= 2:
        per_case = figures["staff_hours_per_case"]
        rate = (len(arrivals) - 1) / span * YEAR_DAYS
        yearly = per_case.mean * rate
        sd = float(np.std(hours, ddof=1)) if n > 1 else math.inf
        relative = math.sqrt((sd / math.sqrt(n) / per_case.mean) ** 2 + 1.0 / (len(arrivals) - 1)) \
            if per_case.mean > 0 else 0.0
        figures["staff_hours_per_year"] = Interval(yearly, max(yearly * (1 - Z95 * relative), 0.0),
                                                   yearly * (1 + Z95 * relative), n)
    return Actual(process.id, log.file, n, len(still_open), len(cases) - n - len(still_open),
                  _date(clock, min(counted)), _date(clock, max(counted)), span,
                  process.deadline.within if process.deadline is not None else None, figures, tuple(lead),
                  tuple(hours), tuple(within))


def _date(clock: Clock, seconds: float) -> str:
    return datetime.fromtimestamp(seconds, clock.zone).date().isoformat()


def _predicted(result: SimulationResult) -> dict[str, Interval]:
    out = {"lead_days": Interval.of(result.kpis["lead_days"].mean),
           "staff_hours_per_year": Interval.of(result.yearly["staff_hours_per_year"])}
    per_case = [h / c if c else math.nan for h, c in zip(result.values["staff_hours_per_year"],
                                                         result.values["cases_per_year"])]
    out["staff_hours_per_case"] = Interval.of(Estimate.of(per_case, floor=0.0))
    if result.deadline is not None:
        out["deadline_share"] = Interval.of(result.deadline.share_within)
    return out


def verdict(predicted: Interval, actual: Interval, more_is_better: bool) -> str:
    """``within`` when the intervals overlap, else ``better``/``worse`` (module docstring)."""
    bounds = (predicted.low, predicted.high, actual.low, actual.high)
    if any(math.isnan(b) for b in bounds):
        return "unknown"
    if actual.high < predicted.low:
        return "better" if not more_is_better else "worse"
    if actual.low > predicted.high:
        return "better" if more_is_better else "worse"
    return "within"


def check_prediction(actual: Actual, result: SimulationResult) -> Check:
    """The figures of ``result`` (a simulation of the process the log is of) against ``actual``."""
    if result.process_id != actual.process_id:
        raise LogError(f"{actual.log}: the log was measured against process {actual.process_id!r}, the prediction "
                       f"is of {result.process_id!r}")
    predicted = _predicted(result)
    figures = []
    for name, (unit, more_is_better) in FIGURES.items():
        if name in predicted and name in actual.figures:
            figures.append(Figure(name, unit, predicted[name], actual.figures[name],
                                  verdict(predicted[name], actual.figures[name], more_is_better)))
    return Check(actual, tuple(figures), result.config.replications)
