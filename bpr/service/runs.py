"""Simulation requests as :class:`~bpr.service.jobs.Work`: the plan, one task per replication, the summary.

The answer is exactly what ``bpr.simulate.simulate`` / ``compare`` return (``.to_dict()``, the JSON of
``bpr simulate --format json``): the same plan (``plan_for``), the same ``replicate`` per replication, put
back in replication order and summarised by the same functions. Only the place where replications run
differs: the service's own worker processes, so that they can be shared, counted and cancelled, or none at
all for a replication kept from an earlier request (:mod:`bpr.service.replicas`: the same output a rerun would
give, so the answer is the same to the byte).

A request for a precision (``options.precision``) runs in rounds, as ``bpr simulate --precision`` does
(:mod:`bpr.simulate.precision`): each round is one task per replication, spread over the workers, taking
kept replications and leaving its own like any other run; after each round
:class:`~bpr.simulate.precision.Precision` says whether the answer is final or how many replications the
next round brings the run to. The answer is ``run_to_precision``'s, to the byte.

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
from collections.abc import Callable, Collection, Sequence
from typing import Any

from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.service.errors import Refused, issues_of
from bpr.service.jobs import Round, Task, Work, request_key
from bpr.service.replicas import ReplicaCache, ReplicaKey, replica_keys, run_digest
from bpr.service.settings import ServiceSettings
from bpr.service.tasks import replicate
from bpr.simulate.budget import cases_per_replication, estimated_seconds
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput
from bpr.simulate.plan import Plan
from bpr.simulate.precision import FIRST, LEAST, Precision, check_precision
from bpr.simulate.results import Comparison, SimulationResult, compare_results, summarize
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


def _to_run(wanted: list[list[ReplicaKey]],
            found: Collection[ReplicaKey]) -> dict[ReplicaKey, tuple[int, int]]:
    """The replications of ``wanted`` (the keys of each version) not in ``found``, in order, each once (a
    what-if whose changes leave the process as it was wants each twice): key -> (version, replication)."""
    missing: dict[ReplicaKey, tuple[int, int]] = {}
    for which, keys in enumerate(wanted):
        for replica in keys:
            if replica not in found and replica not in missing:
                missing[replica] = (which, replica.replication)
    return missing


def _runs(missing: dict[ReplicaKey, tuple[int, int]], versions: int) -> list[int]:
    """How many of ``missing`` each version runs."""
    return [sum(1 for v, _ in missing.values() if v == which) for which in range(versions)]


def _replications_work(kind: str, key: str, processes: list[Process], datas: list[dict[str, Any]],
                       plans: list[Plan], config: SimConfig, settings: ServiceSettings, replicas: ReplicaCache | None,
                       summarise: Callable[[list[list[ReplicationOutput]]], dict[str, Any]]) -> Work:
    """Work that runs the replications of ``processes`` not found in ``replicas`` and summarises all of them.

    Outputs found are held by the work from here on (an eviction meanwhile changes nothing). A replication
    wanted twice (a what-if whose changes leave the process as it was) runs once. The fresh outputs are
    kept in ``replicas`` once the run is stored as done (``Work.keep``)."""
    wanted = [run_keys(data, config) for data in datas]
    found = replicas.get_many({k for keys in wanted for k in keys}) if replicas is not None else {}
    missing = _to_run(wanted, found)
    estimate = estimate_seconds(processes, config, settings, _runs(missing, len(processes)))
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
                 settings: ServiceSettings, replicas: ReplicaCache | None = None) -> Work:
    """The work of a simulation or what-if asking for a precision (``options.precision``): rounds of
    replications until the answer is final, each round one task per replication not kept in ``replicas``
    (see the module doc). The estimate is that of :data:`~bpr.simulate.precision.LEAST` replications and as
    many again, the usual case; call it in a thread (it compiles and hashes like :func:`simulate_work`)."""
    try:
        check_precision(target, most)
    except ValueError as error:  # a server whose replication limit is below LEAST
        raise Refused.one(str(error), path="options.max_replications") from None
    processes = [before] if after is None else [before, after]
    plans = [plan_of(process, config) for process in processes]
    datas = [_key_data(process) for process in processes]
    digests = [run_digest(CODE_FINGERPRINT, data, config) for data in datas]
    kind = "simulate" if after is None else "whatif"
    versions = {"process": datas[0]} if after is None else {"before": datas[0], "after": datas[1]}
    key = request_key(kind, {"bpr": BPR_VERSION, "code": CODE_FINGERPRINT, **versions,
                             "config": config.model_dump(mode="json", exclude={"replications"}),
                             "precision": target, "max_replications": most})

    def counted(count: int) -> SimConfig:
        return config.model_copy(update={"replications": count})

    def keys(start: int, stop: int) -> list[list[ReplicaKey]]:
        return [replica_keys(digest, counted(stop))[start:stop] for digest in digests]

    def look_up(start: int, stop: int, held: dict[ReplicaKey, ReplicationOutput]
                ) -> tuple[dict[ReplicaKey, ReplicationOutput], dict[ReplicaKey, tuple[int, int]]]:
        """Replications ``start .. stop - 1``: the outputs at hand (``held`` and those kept in ``replicas``,
        held by the work from here on) and those to run."""
        wanted = keys(start, stop)
        found = replicas.get_many({k for ks in wanted for k in ks}) if replicas is not None else {}
        return {**held, **found}, _to_run(wanted, found)

    def summary(count: int, outputs: dict[ReplicaKey, ReplicationOutput]) -> SimulationResult | Comparison:
        results = [summarize(plan, counted(count), [outputs[k] for k in ks])
                   for plan, ks in zip(plans, keys(0, count))]
        return results[0] if after is None else compare_results(results[0], results[1])

    def round_to(count: int, at_hand: dict[ReplicaKey, ReplicationOutput],
                 missing: dict[ReplicaKey, tuple[int, int]], sent: list[ReplicaKey], ahead: int) -> Round:
        """The round that brings the run to ``count`` replications by running ``missing``; ``sent``: the keys
        of the tasks of the rounds before, in order."""
        order = [*sent, *missing]

        def combine(results: list[Any]) -> Any:
            outputs = {**at_hand, **dict(zip(missing, results))}
            answer = summary(count, outputs)
            precision = Precision.of(answer, target, most)
            following = precision.next_count
            if following is None:
                return {**answer.to_dict(), "precision": precision.to_dict()}
            return round_to(following, *look_up(count, following, outputs), order, ahead=0)

        def keep(results: list[Any]) -> None:  # the results of every round's tasks, in the order sent
            if replicas is not None:
                replicas.put_many(zip(order, results))

        tasks: list[Task] = [(replicate, (plans[which], config, r)) for which, r in missing.values()]
        return Round(tasks, combine, keep, ahead)

    at_hand, usual = look_up(0, LEAST, {})  # the usual run: LEAST replications, then about as many again
    missing = {key: run for key, run in usual.items() if run[1] < FIRST}
    estimate = 2 * estimate_seconds(processes, counted(LEAST), settings, _runs(usual, len(processes)))
    check_estimate(estimate, settings)
    first = round_to(FIRST, at_hand, missing, [], ahead=len(usual) - len(missing))
    return Work(kind, key, estimate, first.tasks, first.combine, first.keep, first.ahead)
