"""Runs of the simulation: inline when quick, as jobs when not, each stored with its result.

Every run, inline or not, gets a row in the :class:`~bpr.service.store.JobStore` keyed by the hash of its
canonical request, so an identical request is answered from the store. A run goes to the
:class:`~bpr.service.pool.WorkerPool` (never the event loop); the manager counts what is queued or running
and refuses more than ``max_active`` (:class:`~bpr.service.errors.Busy`, with the seconds to wait worked out
from the estimates).

A run may go in rounds: its ``combine`` answers with a :class:`Round` of more tasks when the results so far
ask for them (a run to a precision: each round's count follows from the last), and the round's own
``combine`` takes over. Every round is a new set of pool tasks, spread over the workers and stopped by a
cancel like the first.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bpr.errors import BprError, Issue
from bpr.service.errors import SERVER, Busy, JobOver, NoSuchJob, issues_of
from bpr.service.pool import TaskCancelled, TaskFailed, WorkerLost, WorkerPool
from bpr.service.settings import ServiceSettings
from bpr.service.store import ACTIVE, JobRecord, JobStore

__all__ = ["JobManager", "Outcome", "Round", "Task", "Work", "request_key"]

Task = tuple[Callable[..., Any], tuple[Any, ...]]
"""A task for the worker pool: a module-level function and its (picklable) arguments."""


def request_key(kind: str, payload: Any) -> str:
    """SHA-256 of the canonical JSON of a request (sorted keys, no spaces): equal requests, equal keys."""
    text = json.dumps({"kind": kind, "request": payload}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Work:
    """What to run: each ``fn(*args, progress=...)`` of ``tasks`` in a worker process, then
    ``combine(results)`` (in a thread of the server) for the answer, or for a :class:`Round` of more tasks;
    ``estimate`` in seconds. A job's progress is the mean over its tasks of how far each is: 1 when done,
    else what the task last reported through ``progress(fraction)`` (0 for a task that reports nothing, such
    as one replication), ``ahead`` tasks expected in a later round counting as not started.
    ``keep(results)``, when given, is called only after the answer is stored as done: never with the
    results of a job that was cancelled or failed. Work may have no tasks (everything it needs is at hand):
    it then needs no worker and, with nothing ``ahead``, is never refused as too much."""

    kind: str
    key: str
    estimate: float
    tasks: list[Task]
    combine: Callable[[list[Any]], Any]
    keep: Callable[[list[Any]], None] | None = None
    ahead: int = 0


@dataclass(frozen=True)
class Round:
    """More tasks a run needs before its answer, as its ``combine`` returns them: ``tasks`` go to the
    workers, then this ``combine`` (answer or another round) and ``keep`` replace the earlier ones. The last
    ``keep`` gets the results of every round's tasks, in the order they were sent. The job's progress counts
    these tasks from here on and never goes back: it holds until they catch up with it."""

    tasks: list[Task]
    combine: Callable[[list[Any]], Any]
    keep: Callable[[list[Any]], None] | None = None
    ahead: int = 0


@dataclass(frozen=True)
class Outcome:
    """The answer to a submitted run: the job record, whether it came from the store, and how many tasks
    its run sent to the workers (None when answered from the store; for a job still running, those sent so
    far)."""

    record: JobRecord
    inline: bool
    from_store: bool = False
    tasks: int | None = None


@dataclass
class _Active:
    job_id: str
    key: str
    estimate: float
    task_ids: list[int]  # of every round so far
    finished: asyncio.Future[None]
    started: float = field(default_factory=time.monotonic)


class _Progress:
    """A job's progress: the mean over its tasks of how far each is, with the tasks expected ``ahead``
    counted as not started, at most 0.99 until the answer is stored. A round adds tasks (and replaces the
    guess of those ahead); what is reported never goes back."""

    def __init__(self, report: Callable[[float], None]) -> None:
        self._report = report
        self._shares: list[float] = []  # each task's: 1 when done, its own progress(fraction) meanwhile
        self._ahead = 0
        self._sent = 0.0
        self._lock = threading.Lock()  # callbacks come from several feeding threads

    def add(self, count: int, ahead: int) -> int:
        """Count ``count`` more tasks, and ``ahead`` expected after them; the index of the first."""
        with self._lock:
            first = len(self._shares)
            self._shares.extend([0.0] * count)
            self._ahead = ahead
            return first

    def advance(self, index: int, fraction: float) -> None:
        with self._lock:
            if fraction <= self._shares[index]:
                return  # a task's progress never goes back (a redesign's planned total can grow)
            self._shares[index] = min(1.0, fraction)
            value = sum(self._shares) / (len(self._shares) + self._ahead) * 0.99
            if value > self._sent:  # nor the job's, when a round has grown the count of tasks
                self._sent = value
                self._report(value)


class JobManager:
    """Starts runs in the pool, writes their outcome to the store, cancels them on request."""

    def __init__(self, store: JobStore, pool: WorkerPool, settings: ServiceSettings) -> None:
        self.store = store
        self.pool = pool
        self.settings = settings
        self._active: dict[str, _Active] = {}
        self._by_key: dict[str, str] = {}
        self._quiet_since = time.monotonic()

    @property
    def active_count(self) -> int:
        return len(self._active)

    def idle_seconds(self) -> float:
        """How long no run has been queued or running and no task has been waiting in the pool (0 while
        one is): work nobody asked for (:mod:`bpr.service.warm`) starts only after a quiet spell."""
        if self._active or self.pool.pending():
            return 0.0
        return time.monotonic() - self._quiet_since

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the estimated work still ahead, spread over the workers."""
        now = time.monotonic()
        remaining = sum(max(a.estimate - (now - a.started), 0.5) for a in self._active.values())
        return max(1, math.ceil(remaining / max(1, self.pool.size)))

    async def submit(self, work: Work, inline: bool) -> Outcome:
        """Answer from the store, join an identical run, or start a new one (:class:`Busy` when saturated)."""
        done = self.store.find_done(work.key)
        if done is not None:
            return Outcome(done, inline=True, from_store=True)
        job_id = self._by_key.get(work.key)
        if job_id is None:
            job_id = self._start(work)
        active = self._active.get(job_id)
        if inline and active is not None:
            await asyncio.shield(active.finished)
        tasks = len(active.task_ids) if active is not None else len(work.tasks)  # of every round, once done
        record = self.store.get(job_id)
        assert record is not None
        return Outcome(record, inline=inline, tasks=tasks)

    def _start(self, work: Work) -> str:
        if (work.tasks or work.ahead) and self.active_count >= self.settings.max_active:
            seconds = self.retry_after()
            raise Busy([Issue(f"the service is busy: {self.active_count} runs queued or running (limit "
                              f"{self.settings.max_active})", file=SERVER, hint=f"retry after {seconds} s")], seconds)
        record = self.store.create(work.key, work.kind, work.estimate)
        loop = asyncio.get_running_loop()
        job_id = record.id
        if not work.tasks:
            self.store.mark_running(job_id)  # nothing to wait for: it runs at once, in the server
        progress = _Progress(functools.partial(self.store.set_progress, job_id))
        finished: asyncio.Future[None] = loop.create_future()
        active = _Active(job_id, work.key, work.estimate, [], finished)
        gathered = self._send(active, work.tasks, work.ahead, progress)
        self._active[job_id] = active
        self._by_key[work.key] = job_id
        loop.create_task(self._finish(active, gathered, work, progress))
        return job_id

    def _send(self, active: _Active, tasks: list[Task], ahead: int,
              progress: _Progress) -> asyncio.Future[list[Any]]:
        """Send the tasks of a round to the pool, counted in ``progress`` and cancelled with the job; the
        future of their results, in order."""
        job_id = active.job_id
        first = progress.add(len(tasks), ahead)
        started = [False]

        def on_start() -> None:  # called from a feeding thread
            if not started[0]:
                started[0] = True
                self.store.mark_running(job_id)

        def on_done(index: int, future: Any) -> None:
            if future.exception() is None:  # tasks finished, not those cancelled or failed
                progress.advance(index, 1.0)

        submitted = [
            self.pool.submit(fn, *args, on_start=on_start,
                             on_progress=functools.partial(progress.advance, index))
            for index, (fn, args) in enumerate(tasks, start=first)
        ]
        for index, (_, future) in enumerate(submitted, start=first):
            future.add_done_callback(functools.partial(on_done, index))
        active.task_ids.extend(task for task, _ in submitted)
        wrapped = [asyncio.wrap_future(future) for _, future in submitted]
        for each in wrapped:  # after the first failure the others' errors are expected: mark them seen
            each.add_done_callback(lambda f: f.cancelled() or f.exception())
        return asyncio.gather(*wrapped)

    async def _gather(self, job_id: str, gathered: asyncio.Future[list[Any]]) -> list[Any]:
        try:
            return await gathered
        except BaseException:
            self._cancel_tasks(job_id)  # one replication failed: the others are of no use
            raise

    async def _finish(self, active: _Active, gathered: asyncio.Future[list[Any]], work: Work,
                      progress: _Progress) -> None:
        job_id, finished = active.job_id, active.finished
        keep = work.keep
        results: list[Any] = []  # of every round, in the order sent
        try:
            round_results = await self._gather(job_id, gathered)
            results.extend(round_results)
            result = await asyncio.to_thread(work.combine, round_results)
            while isinstance(result, Round):
                if self._active.get(job_id) is not active:
                    raise TaskCancelled()  # cancelled while the last round was combined: no more rounds
                keep = result.keep
                sent = self._send(active, result.tasks, result.ahead, progress)
                round_results = await self._gather(job_id, sent)
                results.extend(round_results)
                result = await asyncio.to_thread(result.combine, round_results)
        except TaskCancelled:
            self.store.fail(job_id, [_issue("the job was cancelled")], status="cancelled")
        except TaskFailed as error:
            issues = error.issues or [_issue(error.message if error.expected else f"internal error: {error.message}")]
            self.store.fail(job_id, issues)
        except WorkerLost as error:
            self.store.fail(job_id, [_issue(str(error), hint="the run may need more memory; try fewer replications")])
        except BprError as error:  # found while combining (a summary the library refuses)
            self.store.fail(job_id, [issue.to_dict() for issue in issues_of(error)])
        except Exception as error:  # noqa: BLE001 - a bug must still end the job, with its name
            self.store.fail(job_id, [_issue(f"internal error: {type(error).__name__}: {error}")])
        else:
            stored = await asyncio.to_thread(self.store.finish, job_id, result)
            if stored and keep is not None:  # not when a cancel came while combining
                await asyncio.to_thread(keep, results)
        finally:
            self._forget(job_id)
            if not finished.done():
                finished.set_result(None)

    def _forget(self, job_id: str) -> None:
        active = self._active.pop(job_id, None)
        if active is not None and not self._active:
            self._quiet_since = time.monotonic()
        if active is not None and self._by_key.get(active.key) == job_id:
            del self._by_key[active.key]
        if active is not None and not active.finished.done():
            active.finished.set_result(None)  # an inline request waiting on it answers now

    def cancel(self, job_id: str) -> JobRecord:
        """Stop a queued or running job (its worker process is stopped); :class:`NoSuchJob` for an unknown id,
        :class:`JobOver` when it has already ended."""
        record = self.store.get(job_id)
        if record is None:
            raise NoSuchJob.one(f"no job {job_id[:64]!r}", path="id", hint="jobs are listed by the id that POST "
                                                                           "returned")
        if record.status not in ACTIVE:
            raise JobOver.one(f"job {job_id} is already {record.status}", path="id")
        self._cancel_tasks(job_id)
        self.store.fail(job_id, [_issue("the job was cancelled by a DELETE request")], status="cancelled")
        self._forget(job_id)  # no longer counts against the limit, even before its worker is replaced
        record = self.store.get(job_id)
        assert record is not None
        return record

    def _cancel_tasks(self, job_id: str) -> None:
        active = self._active.get(job_id)
        if active is not None:
            for task_id in active.task_ids:
                self.pool.cancel(task_id)

    def shutdown(self) -> None:
        """Stop the workers; jobs still active are failed with the reason."""
        for job_id in list(self._active):
            self.store.fail(job_id, [_issue("the server stopped before the job finished",
                                            hint="submit the request again")])
        self.pool.shutdown()


def _issue(message: str, hint: str | None = None) -> dict[str, Any]:
    return Issue(message, file=SERVER, hint=hint).to_dict()
