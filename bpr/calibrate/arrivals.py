"""Fitting arrival streams: the rate per channel and its weekday/hour profile.

A case arrives when its first work became ready (its earliest ``enable``; its earliest start when the log
has no enable times). The rate is the Poisson estimate over the open time of the stream's calendar between
the first and the last arrival, ``(n − 1) / open minutes`` (edge-free: the first arrival only marks the
start), with standard error ``rate / √(n − 1)``; it is written in the file's own period by the ratio to
the file's rate per open minute (:func:`bpr.model.volume.rate_per_open_minute`), so ``/day``, ``/hour``
and ``/year`` keep their meaning. The profile weight of a weekday (an hour) is its arrivals per open
minute over the stream's average: ``(c_d / O_d) / (n / O)``; relative standard error ``1/√c_d``.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from bpr.model.schema import Process
from bpr.model.units import format_rate, parse_rate
from bpr.model.volume import rate_per_open_minute

from bpr.calibrate.clock import Clock
from bpr.calibrate.log import Log
from bpr.calibrate.parameters import Parameter, round_sig
from bpr.calibrate.replay import Replay

__all__ = ["WEEKDAY_NAMES", "arrival_times", "fit_arrivals"]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def arrival_times(log: Log, clock: Clock, replay: Replay) -> dict[str, tuple[float, str]]:
    """Case -> (arrival in model minutes, channel); the channel is the log's, else the stream whose start
    step the case began at (when that tells the streams apart), else ``""``."""
    begin = np.where(np.isnan(log.enable), log.start, np.fmin(log.enable, log.start))
    minutes = clock.minutes(begin)
    process = clock.process
    starts = [a.start or process.start_step for a in process.arrivals]
    by_start = {s: a.channel for s, a in zip(starts, process.arrivals) if starts.count(s) == 1}
    if len(process.arrivals) == 1:
        by_start = {s: process.arrivals[0].channel for s in set(starts) | {process.start_step}}
    out = {}
    for case in replay.cases:
        first = min(case.rows, key=lambda r: minutes[r])
        channel = log.channel[first]
        if not channel and case.start >= 0:
            channel = by_start.get(process.steps[case.start].id, "")
        out[case.case] = (float(minutes[first]), channel)
    return out


def _open_minutes_by(clock: Clock, calendar_name: str | None, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """Open minutes of the calendar per weekday (7) and per hour of the day (24) over the days of [t0, t1]."""
    calendar = clock.process.calendar_of(calendar_name)
    compiled = clock.calendar(calendar_name)
    by_day, by_hour = np.zeros(7), np.zeros(24)
    periods = [(0, 1440)] if calendar.always else list(calendar.periods())
    for day in range(int(t0 // 1440), int(t1 // 1440) + 1):
        if not calendar.always and not compiled.is_open_day(day * 1440.0):
            continue
        weekday = (clock.origin.weekday() + day) % 7
        for begin, end in periods:
            by_day[weekday] += end - begin
            for h in range(24):
                overlap = min(end, (h + 1) * 60) - max(begin, h * 60)
                if overlap > 0:
                    by_hour[h] += overlap
    return by_day, by_hour


def fit_arrivals(process: Process, arrivals: dict[str, tuple[float, str]], clock: Clock) -> list[Parameter]:
    """Rate and profile of every stream whose channel is unique in the file (module docstring)."""
    times: dict[str, list[float]] = defaultdict(list)
    for t, channel in arrivals.values():
        times[channel].append(t)
    channels = [a.channel for a in process.arrivals]
    out: list[Parameter] = []
    for i, arrival in enumerate(process.arrivals):
        seen = np.sort(np.asarray(times.get(arrival.channel, [])))
        path = f"arrivals[{i}]"
        if channels.count(arrival.channel) > 1 or len(seen) < 3 or arrival.rate is None:
            continue  # (a replayed stream has no rate to fit)
        compiled = clock.calendar(arrival.calendar)
        exposure = compiled.open_minutes_between(float(seen[0]), float(seen[-1]))
        if exposure <= 0:
            continue
        per_minute = (len(seen) - 1) / exposure
        count, period = parse_rate(arrival.rate)
        scale = count / rate_per_open_minute(process, arrival)
        fitted = round_sig(per_minute * scale)
        se = fitted / math.sqrt(len(seen) - 1)
        text = format_rate(fitted, period)
        out.append(Parameter(f"{path}.rate", f"{arrival.channel}: arrival rate", arrival.rate, text, len(seen),
                             f"±{round_sig(1.96 * se, 2):g}/{period} (95%)", text, "",
                             _line(process, f"{path}.rate")))
        out.append(_profile(process, path, arrival.channel, seen, clock, arrival.calendar,
                            arrival.profile is not None))
    return out


def _profile(process: Process, path: str, channel: str, seen: np.ndarray, clock: Clock, calendar: str | None,
             in_file: bool) -> Parameter:
    open_day, open_hour = _open_minutes_by(clock, calendar, float(seen[0]), float(seen[-1]))
    day = np.floor(seen / 1440.0).astype(np.int64)
    weekday = (clock.origin.weekday() + day) % 7
    hour = ((seen - day * 1440.0) // 60).astype(np.int64)
    n, total = len(seen), float(open_day.sum())
    day_counts = np.bincount(weekday, minlength=7)
    hour_counts = np.bincount(hour, minlength=24)
    weights_day = {WEEKDAY_NAMES[d]: round(float(day_counts[d] / open_day[d] / (n / total)), 2)
                   for d in range(7) if open_day[d] > 0}
    total_h = float(open_hour.sum())
    weights_hour = {h: round(float(hour_counts[h] / open_hour[h] / (n / total_h)), 2)
                    for h in range(24) if open_hour[h] > 0}
    worst = max([1 / math.sqrt(c) for c in day_counts[open_day > 0] if c > 0] + [0.0])
    value = {"weekday": weights_day, "hour": weights_hour}
    before = "none"
    arrival = process.arrivals[int(path[path.index("[") + 1:path.index("]")])]
    if arrival.profile is not None:
        before = _profile_text(arrival.profile.weekday, arrival.profile.hour)
    return Parameter(f"{path}.profile", f"{channel}: arrival profile", before,
                     _profile_text(weights_day, weights_hour), n, f"±{round(100 * 1.96 * worst)}% per weekday (95%)",
                     value if in_file else None, "" if in_file else "the file has no profile: add it to use this",
                     _line(process, f"{path}.profile" if in_file else path))


def _profile_text(weekday: dict, hour: dict) -> str:
    days = " ".join(f"{d} {w:g}" for d, w in weekday.items())
    hours = " ".join(f"{h}h {w:g}" for h, w in hour.items())
    return "; ".join(part for part in (days, hours) if part) or "none"


def _line(process: Process, path: str) -> int | None:
    where = process.location(path)
    return where[0] if where else None
