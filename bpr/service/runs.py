"""Simulation requests as :class:`~bpr.service.jobs.Work`: the plan, one task per replication, the summary.

The answer is exactly what ``bpr.simulate.simulate`` / ``compare`` return (``.to_dict()``, the JSON of
``bpr simulate --format json``): the same plan (``plan_for``), the same ``replicate`` per replication, put
back in replication order and summarised by the same functions. Only the place where replications run
differs: the service's own worker processes, so that they can be shared, counted and cancelled, or none at
all for a replication kept from an earlier request (:mod:`bpr.service.replicas`: the same output a rerun would
give, so the answer is the same to the byte).

**Run-time estimate** (decides inline vs job, and the ``Retry-After`` of a 429)::

    work    = sum over versions of  cases x steps x replications to run (those not kept from earlier requests)
    cases   = cases a year of all arrival streams (bpr.model.volume.annual_cases) x (warm-up + horizon) in years
    seconds = work / case_steps_per_second / min(workers, tasks)

``case_steps_per_second`` (Settings, default 200 000) is what one core of a small server does, measured
with ``bench/load_api.py``; steps count every step of the file, so loops and branches make it rough, which is
all a threshold of about 2 s needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.service.errors import Refused, issues_of
from bpr.service.jobs import Task, Work, request_key
from bpr.service.replicas import ReplicaCache, ReplicaKey, replica_keys, run_digest
from bpr.service.settings import ServiceSettings
from bpr.service.tasks import precise_job, replicate
from bpr.simulate.budget import cases_per_replication, estimated_seconds
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput
from bpr.simulate.plan import Plan
from bpr.simulate.results import compare_results, summarize
from bpr.simulate.runner import plan_for
from bpr.study.fingerprint import BPR_VERSION, code_fingerprint

__all__ = ["BPR_VERSION", "CODE_FINGERPRINT", "cases_per_replication", "check_estimate", "code_fingerprint",
           "estimate_seconds", "plan_of", "precise_work", "run_keys", "simulate_work", "whatif_work"]

CODE_FINGERPRINT = code_fingerprint("model", "simulate")
"""The code behind a simulation or what-if: the model and the engine."""


def estimate_seconds(processes: list[Process], config: SimConfig, settings: ServiceSettings,
                     runs: Sequence[int] | None = None) -> float:
    """Expected wall time of simulating ``processes`` with ``config`` on this server (see module doc and
    :mod:`bpr.simulate.budget`, which the CLI's estimate shares); ``runs`` are the replications of each
    process that have to run (default: all of them)."""
    return estimated_seconds(processes, config, settings.workers, settings.case_steps_per_second, runs)


def plan_of(process: Process, config: SimConfig) -> Plan:
    """The compiled plan of ``process`` (:func:`bpr.simulate.runner.plan_for`); :class:`Refused` with the
    issues when the engine cannot run it."""
    try:
        return plan_for(process, config)
    except BprError as error:
        raise Refused(issues_of(error)) from None


def check_estimate(seconds: float, settings: ServiceSettings) -> None:
    """:class:`Refused` when a run estimated at ``seconds`` is over the service's limit."""
    if seconds > settings.max_estimate_seconds:
        raise Refused.one(
            f"this run would take about {seconds / 60:.0f} min here; the limit is "
            f"{settings.max_estimate_seconds / 60:.0f} min", path="options",
            hint="fewer replications or a shorter horizon; large studies run better with the CLI")


def _key_data(process: Process) -> dict[str, Any]:
    return process.model_dump(mode="json")


def run_keys(process: Process | dict[str, Any], config: SimConfig) -> list[ReplicaKey]:
    """The replica-cache keys of the replications of ``process`` (or its ``model_dump(mode="json")``) that
    ``config`` asks for: the keys a simulate or what-if request looks up, and the warm-up fills."""
    data = process if isinstance(process, dict) else _key_data(process)
    return replica_keys(run_digest(CODE_FINGERPRINT, data, config), config)


def _replications_work(kind: str, key: str, processes: list[Process], datas: list[dict[str, Any]],
                       plans: list[Plan], config: SimConfig, settings: ServiceSettings, replicas: ReplicaCache | None,
                       summarise: Callable[[list[list[ReplicationOutput]]], dict[str, Any]]) -> Work:
    """Work that runs the replications of ``processes`` not found in ``replicas`` and summarises all of them.

    Outputs found are held by the work from here on (an eviction meanwhile changes nothing). A replication
    wanted twice (a what-if whose changes leave the process as it was) runs once. The fresh outputs are
    kept in ``replicas`` once the run is stored as done (``Work.keep``)."""
    wanted = [run_keys(data, config) for data in datas]
    found = replicas.get_many({k for keys in wanted for k in keys}) if replicas is not None else {}
    missing: dict[ReplicaKey, tuple[int, int]] = {}  # what runs: (which version, replication), in order
    for which, keys in enumerate(wanted):
        for r, replica in enumerate(keys):
            if replica not in found and replica not in missing:
                missing[replica] = (which, r)
    runs = [sum(1 for v, _ in missing.values() if v == which) for which in range(len(processes))]
    estimate = estimate_seconds(processes, config, settings, runs)
    check_estimate(estimate, settings)
    order = list(missing)

    def combine(results: list[Any]) -> dict[str, Any]:
        fresh = dict(zip(order, results))
        return summarise([[found[k] if k in found else fresh[k] for k in keys] for keys in wanted])

    def keep(results: list[Any]) -> None:
        if replicas is not None:
            replicas.put_many(zip(order, results))

    tasks: list[Task] = [(replicate, (plans[which], config, r)) for which, r in missing.values()]
    return Work(kind, key, estimate, tasks, combine, keep)


async def simulate_work(process: Process, config: SimConfig, settings: ServiceSettings,
                        replicas: ReplicaCache | None = None) -> Work:
    """The work of a simulation request, prepared in a thread: compiling, hashing and the estimate grow
    with the process (10,000 roles held the event loop, and /healthz, for 2 s)."""
    return await asyncio.to_thread(_simulate_work, process, config, settings, replicas)


def _simulate_work(process: Process, config: SimConfig, settings: ServiceSettings,
                   replicas: ReplicaCache | None) -> Work:
    plan = plan_of(process, config)
    data = _key_data(process)
    key = request_key("simulate", {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT, "process": data,
                                   "config": config.model_dump(mode="json")})

    def summarise(outputs: list[list[ReplicationOutput]]) -> dict[str, Any]:
        return summarize(plan, config, outputs[0]).to_dict()

    return _replications_work("simulate", key, [process], [data], [plan], config, settings, replicas, summarise)


async def whatif_work(before: Process, after: Process, config: SimConfig, settings: ServiceSettings,
                      replicas: ReplicaCache | None = None) -> Work:
    """The work of a what-if request, prepared in a thread (see :func:`simulate_work`)."""
    return await asyncio.to_thread(_whatif_work, before, after, config, settings, replicas)


def _whatif_work(before: Process, after: Process, config: SimConfig, settings: ServiceSettings,
                 replicas: ReplicaCache | None) -> Work:
    plans = [plan_of(before, config), plan_of(after, config)]
    datas = [_key_data(before), _key_data(after)]
    key = request_key("whatif", {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT, "before": datas[0],
                                 "after": datas[1], "config": config.model_dump(mode="json")})

    def summarise(outputs: list[list[ReplicationOutput]]) -> dict[str, Any]:
        first, second = (summarize(plan, config, out) for plan, out in zip(plans, outputs))
        return compare_results(first, second).to_dict()

    return _replications_work("whatif", key, [before, after], datas, plans, config, settings, replicas, summarise)


def precise_work(before: Process, after: Process | None, config: SimConfig, target: float, most: int,
                 settings: ServiceSettings) -> Work:
    """The work of a simulation or what-if asking for a precision (``options.precision``): one task that runs
    rounds of replications until the target (:func:`bpr.service.tasks.precise_job`). The estimate is its
    first round's and a second as long, the usual case; call it in a thread."""
    from bpr.simulate.precision import FIRST

    processes = [before] if after is None else [before, after]
    for process in processes:
        plan_of(process, config)
    estimate = 2 * estimate_seconds(processes, config.model_copy(update={"replications": FIRST}), settings)
    check_estimate(estimate, settings)
    kind = "simulate" if after is None else "whatif"
    key = request_key(kind, {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT,
                             **({"process": _key_data(before)} if after is None else
                                {"before": _key_data(before), "after": _key_data(after)}),
                             "config": config.model_dump(mode="json", exclude={"replications"}),
                             "precision": target, "max_replications": most})

    def combine(outputs: list[Any]) -> dict[str, Any]:
        answer: dict[str, Any] = outputs[0]
        return answer

    task: Task = (precise_job, (before, after, config, target, most))
    return Work(kind, key, estimate, [task], combine)
