"""Simulation requests as :class:`~bpr.api.jobs.Work`: the plan, one task per replication, the summary.

The answer is exactly what ``bpr.simulate.simulate`` / ``compare`` return (``.to_dict()``, the JSON of
``bpr simulate --format json``): the same plan, the same ``run_replication`` per replication, put back in
replication order and summarised by the same functions. Only the place where replications run differs:
the service's own worker processes, so that they can be shared, counted and cancelled.

**Run-time estimate** (decides inline vs job, and the ``Retry-After`` of a 429)::

    work    = sum over versions of  cases x steps x replications
    cases   = cases a year of all arrival streams (bpr.model.volume.annual_cases) x (warm-up + horizon) in years
    seconds = work / case_steps_per_second / min(workers, tasks)

``case_steps_per_second`` (Settings, default 200 000) is what one core of a small server does, measured
with ``bench/load_api.py``; steps count every step of the file, so loops and branches make it rough, which is
all a threshold of about 2 s needs.
"""

from __future__ import annotations

import asyncio
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bpr.api.errors import ApiError, issues_of
from bpr.api.jobs import Work, request_key
from bpr.api.settings import Settings
from bpr.api.tasks import replicate
from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.model.volume import annual_cases
from bpr.simulate.config import MINUTES_PER_YEAR, SimConfig
from bpr.simulate.plan import Plan, build_plan
from bpr.simulate.results import compare_results, summarize

__all__ = ["BPR_VERSION", "CODE_FINGERPRINT", "cases_per_replication", "check_estimate", "code_fingerprint",
           "estimate_seconds", "plan_of", "simulate_work", "whatif_work"]

try:
    BPR_VERSION = version("bpr")
except PackageNotFoundError:  # running from a source tree that is not installed
    BPR_VERSION = "0+unknown"


def code_fingerprint(*folders: str) -> str:
    """Hash of the sources that decide a result (the ``bpr`` subpackages named, with their subfolders), so
    that stored results of older code are never served for newer code, even when the version string did
    not change."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_FINGERPRINT = code_fingerprint("model", "simulate")
"""The code behind a simulation or what-if: the model and the engine."""


def cases_per_replication(process: Process, config: SimConfig) -> float:
    years = (config.horizon_minutes + config.warm_up_minutes) / MINUTES_PER_YEAR
    return sum(annual_cases(process, arrival, config.start_date.year) for arrival in process.arrivals) * years


def estimate_seconds(processes: list[Process], config: SimConfig, settings: Settings) -> float:
    """Expected wall time of simulating ``processes`` with ``config`` on this server (see module doc)."""
    work = sum(cases_per_replication(p, config) * len(p.steps) for p in processes) * config.replications
    tasks = len(processes) * config.replications
    return work / settings.case_steps_per_second / max(1, min(settings.workers, tasks))


def plan_of(process: Process, config: SimConfig) -> Plan:
    try:
        return build_plan(process, config.start_date)
    except BprError as error:
        raise ApiError(422, issues_of(error)) from None
    except (KeyError, ValueError) as error:  # as bpr.simulate.runner words it
        raise ApiError.one(422, f"process {process.id!r} cannot be simulated: {error}") from None


def check_estimate(seconds: float, settings: Settings) -> None:
    if seconds > settings.max_estimate_seconds:
        raise ApiError.one(
            422, f"this run would take about {seconds / 60:.0f} min here; the limit is "
                 f"{settings.max_estimate_seconds / 60:.0f} min", path="options",
            hint="fewer replications or a shorter horizon; large studies run better with the CLI")


def _key_data(process: Process) -> dict[str, Any]:
    return process.model_dump(mode="json")


async def simulate_work(process: Process, config: SimConfig, settings: Settings) -> Work:
    plan = await asyncio.to_thread(plan_of, process, config)
    estimate = estimate_seconds([process], config, settings)
    check_estimate(estimate, settings)
    key = request_key("simulate", {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT, "process": _key_data(process),
                                   "config": config.model_dump(mode="json")})

    def combine(outputs: list[Any]) -> dict[str, Any]:
        return summarize(plan, config, outputs).to_dict()

    tasks = [(replicate, (plan, config, r)) for r in range(config.replications)]
    return Work("simulate", key, estimate, tasks, combine)  # type: ignore[arg-type]


async def whatif_work(before: Process, after: Process, config: SimConfig, settings: Settings) -> Work:
    plans = await asyncio.to_thread(lambda: (plan_of(before, config), plan_of(after, config)))
    estimate = estimate_seconds([before, after], config, settings)
    check_estimate(estimate, settings)
    key = request_key("whatif", {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT, "before": _key_data(before), "after": _key_data(after),
                                 "config": config.model_dump(mode="json")})
    n = config.replications

    def combine(outputs: list[Any]) -> dict[str, Any]:
        first = summarize(plans[0], config, outputs[:n])
        second = summarize(plans[1], config, outputs[n:])
        return compare_results(first, second).to_dict()

    tasks = [(replicate, (plans[group], config, r)) for group in (0, 1) for r in range(n)]
    return Work("whatif", key, estimate, tasks, combine)  # type: ignore[arg-type]
