"""How well a process file reproduces a log: simulate the log's period and measure distances.

The file is simulated from the log's first day for the log's length (no warm-up: the log starts empty
too, as far as we know), one replication with events, and the simulated log is measured like the real
one. Distances are 1-D Wasserstein (W1), in the unit of the measure, so they read as "off by this much on
average": cycle time (arrival to end, ended cases), waiting before each step (start − enable, wall
clock), and arrivals per hour (the counts of cases in each hour of the period, open or not).

A measure is flagged when its distance is more than :data:`WARN_SHARE` of the log's own mean of that
measure, and, for times, more than :data:`WARN_FLOOR` minutes (waits of a few minutes are noise at a
counter's scale): the model then cannot reproduce the log there, whatever its parameters say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bpr.model.schema import End, Process
from bpr.simulate.config import SimConfig
from bpr.simulate.results import event_records
from bpr.simulate.runner import simulate

from bpr.calibrate.calibrate import Calibration
from bpr.calibrate.clock import Clock
from bpr.calibrate.fit import wasserstein_samples
from bpr.calibrate.log import Log, log_from_records

__all__ = ["WARN_FLOOR", "WARN_SHARE", "Distance", "Measures", "accuracy", "measures"]

WARN_SHARE = 0.25
WARN_FLOOR = 15.0


@dataclass
class Measures:
    """What is compared: cycle times (minutes), waiting per step id (minutes), arrivals per hour."""

    cycle: np.ndarray
    waiting: dict[str, np.ndarray] = field(default_factory=dict)
    per_hour: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Distance:
    measure: str
    distance: float  # W1, in unit
    log_mean: float
    unit: str
    warn: bool

    def to_dict(self) -> dict[str, object]:
        return {"measure": self.measure, "distance": self.distance, "log_mean": self.log_mean, "unit": self.unit,
                "warn": self.warn}


def measures(process: Process, log: Log, first: float, last: float) -> Measures:
    """The measures of ``log`` for cases arriving in [first, last] (epoch seconds)."""
    ends = {step.id for step in process.steps if isinstance(step, End)} | {s.name for s in process.steps
                                                                          if isinstance(s, End) and s.name}
    begin = np.where(np.isnan(log.enable), log.start, np.fmin(log.enable, log.start))
    arrival: dict[str, float] = {}
    finish: dict[str, float] = {}
    waiting: dict[str, list[float]] = {}
    for i, case in enumerate(log.case):
        t = float(begin[i])
        if t < arrival.get(case, math.inf):
            arrival[case] = t
        activity = log.activity[i]
        if activity in ends:
            finish[case] = float(log.end[i])
        elif not math.isnan(log.enable[i]):
            waiting.setdefault(activity, []).append(float(log.start[i] - log.enable[i]) / 60.0)
    inside = {c for c, t in arrival.items() if first <= t <= last}
    cycle = np.asarray([(finish[c] - arrival[c]) / 60.0 for c in inside if c in finish])
    hours = max(int(math.ceil((last - first) / 3600.0)), 1)
    counts = np.bincount(((np.asarray([arrival[c] for c in inside]) - first) // 3600).astype(np.int64),
                         minlength=hours)[:hours]
    return Measures(cycle, {a: np.asarray(w) for a, w in waiting.items()}, counts.astype(float))


def _simulated(process: Process, clock: Clock, first: float, last: float, seed: int) -> Log:
    days = max(math.ceil((last - clock.origin_ts) / 86400.0), 1)
    config = SimConfig(replications=2, horizon=f"{days}d", warm_up="0d", seed=seed, start_date=clock.origin,
                       events=True)
    result = simulate(process, config)
    return log_from_records(event_records([("run", result)]), "<simulated>")


def accuracy(calibration: Calibration, process: Process, seed: int = 0,
             simulated: Log | None = None) -> list[Distance]:
    """Distances between ``process`` simulated over the log's period and the log (module docstring)."""
    log = calibration.log
    clock = calibration.clock
    t0, t1 = calibration.period
    first, last = clock.origin_ts + t0 * 60.0, clock.origin_ts + t1 * 60.0
    real = measures(calibration.process, log, first, last)
    sim_log = simulated or _simulated(process, clock, first, last, seed)
    sim = measures(process, sim_log, first, last)
    out = [_distance("cycle time", real.cycle, sim.cycle, "min"),
           _distance("arrivals per hour", real.per_hour, sim.per_hour, "cases")]
    for step in process.steps:
        if step.id in real.waiting and step.id in sim.waiting:
            out.append(_distance(f"waiting before {step.id}", real.waiting[step.id], sim.waiting[step.id], "min"))
    return out


def _distance(name: str, real: np.ndarray, sim: np.ndarray, unit: str) -> Distance:
    d = wasserstein_samples(real, sim)
    mean = float(np.mean(real)) if len(real) else math.nan
    floor = WARN_FLOOR if unit == "min" else 0.0
    warn = not (d <= WARN_SHARE * mean or d <= floor)
    return Distance(name, d, mean, unit, warn)

