"""Calibrating a process file from an event log: replay for conformance, then fit every parameter.

:func:`calibrate` is the library call behind ``bpr calibrate``; it reads nothing and prints nothing. Its
:class:`Calibration` holds the table of parameters (before, fitted, sample size, uncertainty) and the
conformance issues, each at the line of the process file it is about: activities the file lacks, steps
the log never shows, and cases whose path the file does not allow (grouped by where they leave it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from bpr.errors import Issue
from bpr.model.routing import WORK_KINDS, compile_routing
from bpr.model.schema import End, Process

from bpr.calibrate.arrivals import arrival_times, fit_arrivals
from bpr.calibrate.branches import fit_branches
from bpr.calibrate.clock import Clock
from bpr.calibrate.log import Log, LogError
from bpr.calibrate.parameters import Parameter
from bpr.calibrate.replay import Replay, replay
from bpr.calibrate.steps import fit_steps

__all__ = ["Calibration", "calibrate", "conformance_issues"]


@dataclass
class Calibration:
    """What the log says about the file: fitted parameters and where the log leaves the file."""

    process: Process
    log: Log
    parameters: list[Parameter]
    issues: list[Issue]
    replay: Replay
    clock: Clock
    arrivals: dict[str, tuple[float, str]]  # case -> (arrival, model minutes; channel)

    @property
    def cases(self) -> int:
        return len(self.replay.cases)

    @property
    def period(self) -> tuple[float, float]:
        """First and last arrival, model minutes."""
        times = [t for t, _ in self.arrivals.values()]
        return (min(times), max(times))


def calibrate(process: Process, log: Log) -> Calibration:
    """Replay ``log`` through ``process`` and fit its parameters (module docstring)."""
    if len(log) == 0:
        raise LogError(f"{log.file}: the log holds no rows; nothing to calibrate from")
    clock = Clock(process, float(np.nanmin(log.start)), float(np.nanmax(log.end)))
    replayed = replay(process, log)
    arrivals = arrival_times(log, clock, replayed)
    parameters = (fit_arrivals(process, arrivals, clock) + fit_steps(process, log, replayed, clock)
                  + fit_branches(process, log, replayed))
    parameters.sort(key=lambda p: (p.line or 0, p.path))
    return Calibration(process, log, parameters, conformance_issues(process, log, replayed), replayed, clock,
                       arrivals)


def _at(process: Process, path: str, message: str, hint: str | None = None) -> Issue:
    where = process.location(path) or (None, None)
    return Issue(message, path, process.source_file, where[0], where[1], hint, "warning")


def conformance_issues(process: Process, log: Log, replayed: Replay) -> list[Issue]:
    """Where the log leaves the file, one issue per finding, at the file's line (module docstring)."""
    issues = []
    for activity, rows in replayed.unknown.most_common():
        issues.append(_at(process, "steps", f"activity {activity!r} of the log ({rows} rows, first at "
                                            f"{log.file}:{replayed.unknown_line[activity]}) is not a step of the file",
                          "add the step, or map the activity to a step id"))
    routing = compile_routing(process)
    for i, step in enumerate(process.steps):
        if (routing.steps[i].kind in WORK_KINDS or isinstance(step, End)) and replayed.executed[i] == 0:
            issues.append(_at(process, f"steps[{i}]", f"step {step.id!r} never happens in the log"))
    grouped: dict[tuple[int, str], list[str]] = defaultdict(list)
    for case in replayed.deviating:
        grouped[(case.problem_step, case.problem)].append(case.case)
    for (at, problem), cases in sorted(grouped.items(), key=lambda item: -len(item[1])):
        path = f"steps[{at}]" if at >= 0 else "steps"
        shown = ", ".join(cases[:3]) + (", …" if len(cases) > 3 else "")
        issues.append(_at(process, path, f"{len(cases)} case(s) the file does not allow: {problem} ({shown})"))
    return sorted(issues, key=lambda issue: (issue.line or 0, issue.message))
