"""How big a run is before it runs: expected cases, work and wall time, so that faces can refuse a run
that would not end (``rate: 1000000000/day``, ``--horizon 999999y``) instead of starting it.

The work of a run is counted in case-steps::

    cases   = cases a year of all arrival streams (bpr.model.volume.annual_cases) x (warm-up + horizon) in years
    work    = sum over versions of  cases x steps x replications
    seconds = work / case_steps_per_second / min(workers, replications to run)

Steps count every step of the file, so loops and branches make it rough: it is an order of magnitude,
which is all a limit of minutes needs. :data:`CASE_STEPS_PER_SECOND` is what one core of a small server
does (``bench/load_api.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bpr.model.schema import Process
from bpr.model.volume import annual_cases
from bpr.simulate.config import MINUTES_PER_YEAR, SimConfig

__all__ = ["CASE_STEPS_PER_SECOND", "cases_per_replication", "estimated_seconds", "format_seconds",
           "replications_within"]

CASE_STEPS_PER_SECOND = 200_000.0
"""Simulation speed of one core, in case-steps a second."""


def cases_per_replication(process: Process, config: SimConfig) -> float:
    """Expected arrivals in one replication (warm-up and measurement window)."""
    years = (config.horizon_minutes + config.warm_up_minutes) / MINUTES_PER_YEAR
    return math.fsum(annual_cases(process, arrival, config.start_date.year) for arrival in process.arrivals) * years


def estimated_seconds(processes: Sequence[Process], config: SimConfig, workers: int,
                      case_steps_per_second: float = CASE_STEPS_PER_SECOND,
                      runs: Sequence[int] | None = None) -> float:
    """Expected wall time of simulating ``processes`` with ``config`` on ``workers`` cores (see module doc);
    ``runs`` are the replications of each process that have to run (default: all of them)."""
    counts = [config.replications] * len(processes) if runs is None else list(runs)
    work = math.fsum(cases_per_replication(p, config) * len(p.steps) * n for p, n in zip(processes, counts) if n)
    return work / case_steps_per_second / max(1, min(workers, sum(counts)))


def replications_within(processes: Sequence[Process], config: SimConfig, workers: int, seconds: float,
                         case_steps_per_second: float = CASE_STEPS_PER_SECOND) -> int:
    """The most replications of each of ``processes`` that :func:`estimated_seconds` expects to end within
    ``seconds`` on ``workers`` cores (at least 1): the bound of a run whose count is not known beforehand."""
    single = config.model_copy(update={"replications": 1})
    one = estimated_seconds(processes, single, 1, case_steps_per_second)
    if one <= 0:
        return 10**9
    return max(1, int(seconds * max(1, workers) / one))


def format_seconds(seconds: float) -> str:
    """``90`` -> ``"2 min"``; long spans in hours, days or years, so that an estimate reads at a glance."""
    if not math.isfinite(seconds):
        return "for ever"
    for size, unit in ((365 * 86400, "years"), (86400, "days"), (3600, "h"), (60, "min")):
        if seconds >= 2 * size:
            return f"{seconds / size:,.0f} {unit}"
    return f"{seconds:.0f} s"
