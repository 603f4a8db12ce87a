"""Idle-time warm-up (``bpr serve --warm``): the shipped scenarios simulated before anyone asks.

A what-if against a base whose replications are kept (:mod:`bpr.service.replicas`) simulates only its
changed version; the first what-if on a base simulates both and is about twice as slow. With the warm-up on,
the server uses the time it has nothing else to do to compute the replications that a request with the
**default options** (those a simulate or what-if gets when it gives none: ``SimConfig``'s, as the face builds
them: :class:`Shipped`) would compute for the before and after file of every shipped scenario
(``GET /v1/scenarios``), and keeps them under the very keys a request looks up
(:func:`bpr.service.runs.run_keys`): ``SimConfig``'s count of them (20), as many as a request's run to the
default precision (±2%) of a shipped scenario or its redesign needs. Replication ``r`` serves every later
request on that file with the same options and at least ``r + 1`` replications (a fixed count, or the rounds
of a run to a precision), and a kept output is the output the request would compute, so its answer is the
same to the byte, only sooner.
Befores go first (the base of every what-if), then afters (what an analyst compares with), each set
cheapest first, so that the quick scenarios are warm soonest.

Real work first. One replication at a time goes to the shared worker pool, and only after the service has
been idle for :data:`QUIET_SECONDS` (no run queued or running, no task in the pool): a request arriving
meanwhile waits at most for that one replication (a few hundred milliseconds for most scenarios). The
warm-up does not count as a run (no job, no limit, no progress anywhere but ``/healthz``), never delays the
start (it runs as a task of the event loop, the scenarios are read in a thread), and stops at shutdown
(the replication in flight is stopped with the pool).

Bounded: it fills at most :data:`CACHE_SHARE` of either bound of the cache, leaving the rest to requests,
and never evicts anything (:meth:`~bpr.service.replicas.ReplicaCache.put_within`). When the next output does
not fit, it says so in the log and stops, rather than pushing out what requests use, or its own earlier
outputs, over and over. Its outputs are kept *protected*, like those requests have found again: the afters
of an analyst's what-ifs are dropped before them, so a session on one scenario leaves the others warm.
When requests' own bases need the room, the warm outputs least recently used go (the first files warmed
are made the last to go).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bpr.model.schema import Process
from bpr.service.errors import ServiceError
from bpr.service.jobs import JobManager
from bpr.service.pool import TaskCancelled, TaskFailed, WorkerLost
from bpr.service.replicas import ReplicaCache, ReplicaKey
from bpr.service.runs import estimate_seconds, plan_of, run_keys
from bpr.service.settings import ServiceSettings
from bpr.service.tasks import replicate
from bpr.simulate.config import SimConfig
from bpr.simulate.plan import Plan

__all__ = ["CACHE_SHARE", "QUIET_SECONDS", "Shipped", "Variant", "Warmer"]

log = logging.getLogger(__name__)

CACHE_SHARE = 0.75
"""The warm-up adds outputs only while the cache then holds at most this share of its entries and bytes."""

QUIET_SECONDS = 0.5
"""Idle time before the next warm replication goes to the pool: a client sending its next request right
after an answer does not find a warm replication ahead of it."""

_POLL_SECONDS = 0.05
Variant = Literal["before", "after"]
_VARIANTS: tuple[Variant, ...] = ("before", "after")
_MIB = 1024 * 1024


class Shipped(Protocol):
    """The shipped scenarios and the default options as the face reads them: the warm-up computes what a
    request for them would, so it reads them the same way. Refusals are :class:`ServiceError`."""

    def default_config(self) -> SimConfig:
        """The options of a request that gives none."""

    def names(self) -> list[str]:
        """The shipped scenarios, in the order they are listed."""

    def process(self, name: str, variant: Variant) -> Process:
        """The ``variant`` (before or after) of scenario ``name``, read and checked as a request would be."""


class _Stop(Exception):
    """The warm-up cannot go on (its message says why)."""


@dataclass(frozen=True)
class _Target:
    """One scenario file to warm: its compiled plan and the keys of its replications."""

    scenario: str
    variant: Variant
    plan: Plan
    keys: list[ReplicaKey]
    seconds: float  # estimated seconds of one replication (bpr.service.runs.estimate_seconds)

    @property
    def label(self) -> str:
        return f"{self.scenario}/{self.variant}"


class Warmer:
    """Fills the replica cache with the shipped scenarios' replications while the workers are idle."""

    def __init__(self, settings: ServiceSettings, jobs: JobManager, replicas: ReplicaCache, shipped: Shipped) -> None:
        self.settings = settings
        self.jobs = jobs
        self.replicas = replicas
        self.shipped = shipped
        self.state = "off" if not settings.warm else "pending"
        self.done = 0
        self.total = 0
        self.message: str | None = None
        self.worker_seconds = 0.0  # time the warm replications took in the workers, all told
        self._task: asyncio.Task[None] | None = None
        self._kept: list[ReplicaKey] = []  # in the order warmed

    def status(self) -> dict[str, Any]:
        """What ``/healthz`` shows under ``warm``."""
        return {"state": self.state, "done": self.done, "total": self.total, "message": self.message}

    def start(self) -> None:
        """Start warming in the background (inside the running event loop); nothing when it is off."""
        if self.settings.warm:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="bpr-warm-up")

    async def stop(self) -> None:
        """Stop warming (at shutdown, before the pool is shut down, which stops the replication in flight);
        the outputs kept stay."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    # --- inside the event loop ---------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._warm()
        except asyncio.CancelledError:
            if self.state in ("pending", "warming"):
                self.state, self.message = "stopped", "the server stopped"
                log.info("warming: stopped by the server's shutdown after %d of %d replications", self.done,
                         self.total)
            raise
        except Exception as error:  # a bug ends the warm-up, never the server
            self.state, self.message = "stopped", f"internal error: {type(error).__name__}: {error}"
            log.exception("warming: stopped by an internal error")

    async def _warm(self) -> None:
        try:
            await self._fill()
        except _Stop as stop:
            self._stop(str(stop))
        finally:  # the first files warmed (cheap befores: quick what-ifs) are the last the cache lets go
            self.replicas.touch(reversed(self._kept))

    async def _fill(self) -> None:
        if not self.replicas.enabled:
            self._stop("the replica cache is off (BPR_API_REPLICA_CACHE_ENTRIES or _BYTES is 0): nothing to keep")
            return
        started = time.monotonic()
        found = await asyncio.to_thread(_targets, self.settings, self.shipped)
        if isinstance(found, str):
            self._stop(found)
            return
        targets, config, skipped = found
        self.total = sum(len(target.keys) for target in targets)
        if skipped:
            self.message = "; ".join(skipped)
            for problem in skipped:
                log.warning("warming: skipped %s", problem)
        self.state = "warming"
        log.info("warming: %d replications of %d scenario files with the default options (the first %d "
                 "replications of %s after a %s warm-up, seed %d), one at a time while the workers are idle; "
                 "about %.0f s of computing", self.total, len(targets), config.replications, config.horizon,
                 config.warm_up, config.seed, sum(t.seconds * len(t.keys) for t in targets))
        entries = int(self.replicas.max_entries * CACHE_SHARE)
        size = int(self.replicas.max_bytes * CACHE_SHARE)
        for target in targets:
            ran, target_started = 0, time.monotonic()
            for replication, key in enumerate(target.keys):
                if key not in self.replicas:
                    await self._until_idle()
                if key not in self.replicas:  # not computed by a request meanwhile
                    output = await self._replicate(target, config, replication)
                    if output is None:  # that file failed (logged): on with the next
                        self.total -= len(target.keys) - replication
                        break
                    ran += 1
                    if not self.replicas.put_within(key, output, entries, size):
                        self._cache_full(entries, size)
                        return
                self.done += 1
                self._kept.append(key)
            log.info("warming: %s: %d replications run in %.1f s (%d of %d done)", target.label, ran,
                     time.monotonic() - target_started, self.done, self.total)
        self.state = "done"
        stats = self.replicas.stats()
        log.info("warming: done in %.0f s: %d replications, %.0f s in the workers; the cache holds %d outputs, "
                 "%.0f MiB", time.monotonic() - started, self.done, self.worker_seconds, stats["entries"],
                 stats["bytes"] / _MIB)

    async def _until_idle(self) -> None:
        while self.jobs.idle_seconds() < QUIET_SECONDS:
            await asyncio.sleep(_POLL_SECONDS)

    async def _replicate(self, target: _Target, config: SimConfig, replication: int) -> Any:
        """One replication in the pool; None when it failed (logged: the rest of that file is skipped)."""
        pool = self.jobs.pool
        started = time.monotonic()
        _, future = pool.submit(replicate, target.plan, config, replication)
        try:  # cancelled at shutdown: the pool, shut down next, stops the replication in flight
            output = await asyncio.wrap_future(future)
        except TaskFailed as error:  # the engine refused this file: skip it
            problem = f"{target.label}: replication {replication} failed: {error}"
            log.warning("warming: %s; the rest of that file is skipped", problem)
            self.message = problem if self.message is None else f"{self.message}; {problem}"
            return None
        except (WorkerLost, TaskCancelled) as error:  # out of memory, or stopped from outside: no more
            raise _Stop(f"{target.label}: replication {replication}: {str(error) or 'cancelled'}; warming "
                        f"stopped after {self.done} of {self.total} replications") from None
        finally:
            self.worker_seconds += time.monotonic() - started
        return output

    def _stop(self, message: str) -> None:
        self.state, self.message = "stopped", message
        log.warning("warming: %s", message)

    def _cache_full(self, entries: int, size: int) -> None:
        stats = self.replicas.stats()
        self._stop(
            f"the replica cache cannot hold more: stopped after {self.done} of {self.total} replications (the "
            f"warming fills at most {CACHE_SHARE:.0%} of the cache, {entries} outputs and {size / _MIB:.0f} MiB; "
            f"it holds {stats['entries']} outputs, {stats['bytes'] / _MIB:.0f} MiB); raise "
            f"BPR_API_REPLICA_CACHE_BYTES or BPR_API_REPLICA_CACHE_ENTRIES, or warm fewer scenarios "
            f"(BPR_API_WARM_SCENARIOS)")


def _targets(settings: ServiceSettings, shipped: Shipped) -> tuple[list[_Target], SimConfig, list[str]] | str:
    """The scenario files to warm, in order (befores, then afters, each cheapest first), the options, and
    what was skipped; or why nothing can be warmed. Reads and compiles the files: run in a thread."""
    try:
        config = shipped.default_config()
    except ServiceError as error:
        return f"this server refuses the default options, so nothing to warm: {error}"
    names = shipped.names()
    skipped: list[str] = []
    if settings.warm_scenarios is not None:
        skipped += [f"no shipped scenario {name!r}" for name in settings.warm_scenarios if name not in names]
        names = [name for name in names if name in settings.warm_scenarios]
    targets: list[_Target] = []
    for name in names:
        for variant in _VARIANTS:
            if not (settings.scenarios_dir / name / f"{variant}.yaml").is_file():
                continue
            try:
                process = shipped.process(name, variant)
                plan = plan_of(process, config)
            except ServiceError as error:
                skipped.append(f"{name}/{variant}: {error}")
                continue
            seconds = estimate_seconds([process], config, settings, [1])
            targets.append(_Target(name, variant, plan, run_keys(process, config), seconds))
    if not targets:
        return "no scenario to warm" + (f" ({'; '.join(skipped)})" if skipped else "")
    targets.sort(key=lambda target: (_VARIANTS.index(target.variant), target.seconds, target.scenario))
    return targets, config, skipped
