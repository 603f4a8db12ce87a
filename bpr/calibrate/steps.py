"""Fitting what the log says about steps and roles: durations, rejections, in-tray sweeps, mail runs, staff.

* **Durations** of tasks and approvals are *working* minutes: open time of the calendar of the role that
  did the work between start and end (the simulation pauses work when the role is closed, so this gives
  back exactly the drawn duration). Handoff delays and waits are wall-clock minutes (end − start).
* **Rejections**: the share of an approval's executions that ended rejected (or returned), with the
  binomial standard error √(p(1−p)/n).
* **In-tray sweeps** (``batch``) and **mail runs** (``departures``): work that waits for a sweep starts at
  the sweep, to the second, on many days; work that does not wait starts at scattered instants. A time of
  day at which at least :data:`SWEEP_SHARE` of a step's starts (and at least :data:`SWEEP_MIN` of them)
  fall to the same second is a sweep, unless it is when the role's calendar opens (work queued overnight
  starts then too).
* **Staff**: the distinct resources who did a role's work; the most working at the same time is shown
  as well (a lower bound when some staff never appear).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from bpr.model.routing import REJECTED, RETURNED
from bpr.model.schema import Approval, Handoff, Process, Task, Wait

from bpr.calibrate.clock import Clock
from bpr.calibrate.fit import best_fit
from bpr.calibrate.log import Log
from bpr.calibrate.parameters import Parameter, duration_text, file_form, round_sig
from bpr.calibrate.replay import Replay

__all__ = ["SWEEP_MIN", "SWEEP_SHARE", "fit_steps", "sweep_times"]

SWEEP_SHARE = 0.02
SWEEP_MIN = 5


def _before_duration(dist: object) -> str:
    from bpr.model.distributions import _Dist

    if isinstance(dist, _Dist):
        form = file_form(dist)
        return form if isinstance(form, str) else ", ".join(f"{k}: {v}" for k, v in form.items())
    return str(dist)


def _text(form: Any) -> str:
    return form if isinstance(form, str) else ", ".join(f"{k}: {v}" for k, v in form.items())


def sweep_times(start_minutes: np.ndarray, openings: set[int]) -> list[int]:
    """Seconds of the day at which starts pile up (module docstring), sorted; ``openings`` are excluded."""
    if len(start_minutes) == 0:
        return []
    seconds = np.round((start_minutes % 1440.0) * 60.0).astype(np.int64) % 86400
    counts = Counter(seconds.tolist())
    need = max(SWEEP_MIN, math.ceil(SWEEP_SHARE * len(seconds)))
    return sorted(s for s, c in counts.items() if c >= need and s not in openings)


def _clock(second: int) -> str:
    minute = round(second / 60)
    return f"{minute // 60:02d}:{minute % 60:02d}"


def fit_steps(process: Process, log: Log, replay: Replay, clock: Clock) -> list[Parameter]:
    """Parameters of every step and role that the log shows (module docstring)."""
    rows_of: dict[int, list[int]] = defaultdict(list)
    for row, s in enumerate(replay.step_of_row):
        if s >= 0:
            rows_of[s].append(row)
    start = clock.minutes(log.start)
    end = clock.minutes(log.end)
    outcome_of: dict[int, str] = {}
    for case in replay.cases:
        outcome_of.update(case.outcomes)
    out: list[Parameter] = []
    for i, step in enumerate(process.steps):
        rows = rows_of.get(i, [])
        if not rows or not isinstance(step, (Task, Approval, Handoff, Wait)):
            continue
        index = np.asarray(rows)
        path = f"steps[{i}]"
        if isinstance(step, (Task, Approval)):
            minutes = np.empty(len(rows))
            by_role: dict[str, list[int]] = defaultdict(list)
            for k, row in enumerate(rows):
                role = log.role[row] if log.role[row] in process.roles else step.role
                by_role[role].append(k)
            for role, ks in by_role.items():
                sel = index[ks]
                minutes[ks] = clock.working_minutes(clock.role_calendar(role), start[sel], end[sel])
            out.append(_duration(process, path + ".duration", f"{step.id}: working time", step.duration, minutes))
        else:
            field = "delay" if isinstance(step, Handoff) else "duration"
            wall = np.maximum(end[index] - start[index], 0.0)
            out.append(_duration(process, f"{path}.{field}", f"{step.id}: {field} (wall clock)",
                                 getattr(step, field), wall))
        if isinstance(step, Approval):
            out.extend(_rejection(process, path, step, [outcome_of.get(r, log.outcome[r]) for r in rows]))
            openings = _openings(clock, step.role)
            out.extend(_clocks(process, f"{path}.batch", f"{step.id}: in-tray sweeps", step.batch,
                               sweep_times(start[index], openings), len(rows)))
        if isinstance(step, Handoff):
            out.extend(_clocks(process, f"{path}.departures", f"{step.id}: departures", step.departures,
                               sweep_times(start[index], set()), len(rows)))
    out.extend(_staff(process, log, replay, start, end))
    return out


def _openings(clock: Clock, role: str) -> set[int]:
    calendar = clock.process.role_calendar(role)
    if calendar.always:
        return set()
    return {int(begin) * 60 for begin, _ in calendar.periods()}


def _duration(process: Process, path: str, what: str, before: object, sample: np.ndarray) -> Parameter:
    fit = best_fit(sample)
    form = file_form(fit.dist)
    note = f"W1 {duration_text(fit.distance)} to the log"
    return Parameter(path, what, _before_duration(before), _text(form), fit.n,
                     f"mean ±{duration_text(1.96 * fit.mean_error)} (95%)", form, note, _line(process, path))


def _line(process: Process, path: str) -> int | None:
    where = process.location(path)
    return where[0] if where else None


def _rejection(process: Process, path: str, step: Approval, outcomes: list[str]) -> list[Parameter]:
    n = len(outcomes)
    k = sum(1 for o in outcomes if o in (REJECTED, RETURNED))
    p = k / n
    se = math.sqrt(p * (1 - p) / n)
    fitted = round(p, 3)
    if step.reject is None:
        if k == 0:
            return []
        return [Parameter(f"{path}.reject", f"{step.id}: rejection probability", "none", f"{fitted:g}", n,
                          f"±{1.96 * se:.3f} (95%)", None, f"{k} of {n} rejected; the file has no reject: add one",
                          _line(process, path))]
    return [Parameter(f"{path}.reject.probability", f"{step.id}: rejection probability",
                      f"{step.reject.probability:g}", f"{fitted:g}", n, f"±{1.96 * se:.3f} (95%)",
                      min(fitted, 0.999), f"{k} of {n} rejected", _line(process, f"{path}.reject.probability"))]


def _clocks(process: Process, path: str, what: str, before: tuple[str, ...] | None, seconds: list[int],
            n: int) -> list[Parameter]:
    fitted = [_clock(s) for s in seconds]
    before_text = ", ".join(before) if before else "none"
    if not fitted and not before:
        return []
    if before is None:
        return [Parameter(path, what, before_text, ", ".join(fitted), n, "to the second", None,
                          "starts pile up at these times; the file has none: add them", _line(process, path))]
    if not fitted:
        return [Parameter(path, what, before_text, "none seen", n, "", None,
                          "no start time repeats: the work does not seem to wait for a sweep", _line(process, path))]
    return [Parameter(path, what, before_text, ", ".join(fitted), n, "to the second", fitted, "",
                      _line(process, path))]


def _staff(process: Process, log: Log, replay: Replay, start: np.ndarray, end: np.ndarray) -> list[Parameter]:
    people: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    steps = process.steps
    for row, s in enumerate(replay.step_of_row):
        if s < 0 or not isinstance(steps[s], (Task, Approval)):
            continue
        role = log.role[row] if log.role[row] in process.roles else steps[s].role  # type: ignore[union-attr]
        if log.resource[row]:
            people[role].add(log.resource[row])
        spans[role].append((float(start[row]), float(end[row])))
    out = []
    for role_id, role in process.roles.items():
        if role_id not in people:
            continue
        count = len(people[role_id])
        busiest = _most_at_once(spans[role_id])
        value = count if role.staff != "unlimited" else None
        note = f"at most {busiest} at work at once"
        if role.staff == "unlimited":
            note += "; the file says unlimited: kept"
        out.append(Parameter(f"roles.{role_id}.staff", f"{role_id}: staff", str(role.staff), str(count),
                             len(spans[role_id]), "distinct resources", value, note,
                             _line(process, f"roles.{role_id}.staff") if "staff" in role.model_fields_set
                             else _line(process, f"roles.{role_id}")))
    return out


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    events = sorted([(a, 1) for a, b in spans if b > a] + [(b, -1) for a, b in spans if b > a])
    now = best = 0
    for _, change in events:
        now += change
        best = max(best, now)
    return best


