"""Where a sweep's runs run: this process, a pool of local worker processes, or a Dask cluster.

Every executor calls the same :func:`bpr.study.runs.run_version` on the same :class:`RunTask` data, so the
records, and the sweep's table, are the same to the byte whichever ran them. The protocol is small: use it
as a context manager (what it starts, it stops on leaving, however the block is left), :meth:`submit`
tasks at any time, and iterate :meth:`completed` for records in the order they finish; tasks submitted
while iterating are waited for too.

- :class:`InProcess` runs each task when :meth:`completed` asks for the next record (tests, one core).
- :class:`LocalPool` runs them in worker processes started here (``forkserver`` where available); workers
  end with this process however it ends (:mod:`bpr.simulate.lifeline`). A worker killed from outside breaks
  a ``ProcessPoolExecutor``; the pool is then started again and the tasks that were lost are submitted
  again, up to :data:`MAX_POOL_RESTARTS` times.
- :class:`DaskExecutor` (the ``bpr[dask]`` extra) sends them to a Dask distributed scheduler at an address,
  through a scheduler file, or to a ``LocalCluster`` it starts itself (and closes on leaving). When a worker
  dies, the scheduler gives its tasks to another; it checks first that the workers run this very bpr.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Protocol

from bpr.errors import BprError
from bpr.simulate.lifeline import stop_now, worker_pool
from bpr.study.fingerprint import BPR_VERSION
from bpr.study.runs import CODE, RunRecord, RunTask, run_version

__all__ = ["DaskExecutor", "Executor", "InProcess", "LocalPool", "MAX_POOL_RESTARTS", "worker_identity"]

MAX_POOL_RESTARTS = 3
"""Times a local pool whose worker was killed is started again before the sweep gives up."""


class Executor(Protocol):
    name: str

    def __enter__(self) -> Executor: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...

    def submit(self, task: RunTask) -> None: ...

    def completed(self) -> Iterator[RunRecord]: ...


class InProcess:
    """Runs each task in this process, one at a time."""

    name = "this process"

    def __init__(self) -> None:
        self._queue: deque[RunTask] = deque()

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._queue.clear()

    def submit(self, task: RunTask) -> None:
        self._queue.append(task)

    def completed(self) -> Iterator[RunRecord]:
        while self._queue:
            yield run_version(self._queue.popleft())


class LocalPool:
    """``workers`` worker processes on this machine (see module doc)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least 1 worker, got {workers}")
        self.workers = workers
        self.name = f"{workers} local worker process{'es' if workers > 1 else ''}"
        self.restarts = 0
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Future[RunRecord], RunTask] = {}

    def _start(self) -> ProcessPoolExecutor:
        return worker_pool(self.workers, preload=["bpr.study.runs"])

    def __enter__(self) -> LocalPool:
        self._pool = self._start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            if error is None:
                self._pool.shutdown(wait=True)
            else:  # Ctrl-C, SIGTERM or a failure: the runs still going are not wanted
                stop_now(self._pool)
            self._pool = None
        self._pending.clear()

    def submit(self, task: RunTask) -> None:
        assert self._pool is not None, "use the pool as a context manager"
        try:
            future = self._pool.submit(run_version, task)
        except BrokenProcessPool:  # a worker died since the last result: found here instead of in completed()
            self._restart([task])
            return
        self._pending[future] = task

    def completed(self) -> Iterator[RunRecord]:
        while self._pending:
            finished, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            lost: list[RunTask] = []
            for future in finished:
                task = self._pending.pop(future)
                try:
                    record = future.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                yield record
            if lost:
                self._restart(lost)

    def _restart(self, lost: list[RunTask]) -> None:
        """A worker died (killed from outside, out of memory): the pool is broken; start a new one and
        submit again every task that has no result."""
        self.restarts += 1
        if self.restarts > MAX_POOL_RESTARTS:
            raise BprError(f"worker processes died {self.restarts} times during the sweep (out of memory?); "
                           f"finished runs are stored, run the sweep again to continue")
        assert self._pool is not None
        tasks = lost + list(self._pending.values())
        stop_now(self._pool)
        self._pending.clear()
        self._pool = self._start()
        for task in tasks:
            self.submit(task)


def worker_identity() -> tuple[str, str]:
    """The bpr version and code hash of the process it runs in (asked of every Dask worker)."""
    return BPR_VERSION, CODE


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster: ``address`` (``tcp://host:8786``), ``scheduler_file``, or
    ``local_workers`` worker processes of a ``LocalCluster`` started here."""

    def __init__(self, address: str | None = None, *, scheduler_file: str | None = None,
                 local_workers: int | None = None, wait_for_workers: float = 60.0) -> None:
        if sum(x is not None for x in (address, scheduler_file, local_workers)) != 1:
            raise ValueError("give exactly one of address, scheduler_file, local_workers")
        self.address = address
        self.scheduler_file = scheduler_file
        self.local_workers = local_workers
        self.wait_for_workers = wait_for_workers
        where = address or scheduler_file or f"a local cluster of {local_workers} workers"
        self.name = f"Dask ({where})"
        self.client: Any = None
        self.cluster: Any = None
        self._futures: Any = None
        self._all: list[Any] = []

    def __enter__(self) -> DaskExecutor:
        try:
            import dask
            import distributed
        except ImportError:
            raise BprError("running on Dask needs the dask extra: pip install 'bpr[dask]'") from None
        try:
            if self.local_workers is not None:
                # One thread per worker (a run is pure Python), and no statistical profiler sampling the
                # workers' stacks every 10 ms: nobody reads its profiles here, and the runs would pay for it.
                with dask.config.set({"distributed.worker.profile.enabled": False}):
                    self.cluster = distributed.LocalCluster(
                        n_workers=self.local_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                        silence_logs=logging.ERROR)
                self.client = distributed.Client(self.cluster)
            elif self.scheduler_file is not None:
                self.client = distributed.Client(scheduler_file=self.scheduler_file, timeout="30s")
            else:
                self.client = distributed.Client(self.address, timeout="30s")
            self.client.wait_for_workers(1, timeout=self.wait_for_workers)
            self._check_workers()
        except BaseException as error:
            self.__exit__(type(error), error, None)
            if isinstance(error, (OSError, TimeoutError)):
                raise BprError(f"cannot use the Dask cluster at {self.address or self.scheduler_file}: {error}"
                               ) from None
            raise
        # on this client's event loop: without one, as_completed takes the default client's, which is another
        # when this process has a client of its own (a future waited on in two loops fails when it is lost)
        self._futures = distributed.as_completed(loop=self.client.loop)
        return self

    def _check_workers(self) -> None:
        ours = (BPR_VERSION, CODE)
        for worker, theirs in sorted(self.client.run(worker_identity).items()):
            if tuple(theirs) != ours:
                raise BprError(f"Dask worker {worker} runs bpr {theirs[0]} (code {theirs[1]}), this is bpr "
                               f"{ours[0]} (code {ours[1]}): install the same bpr on every worker")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self.client is not None:
                if self._all:
                    self.client.cancel(self._all, force=True)
                self.client.close()
        finally:
            self.client = None
            self._all = []
            if self.cluster is not None:
                self.cluster.close()
                self.cluster = None

    def submit(self, task: RunTask) -> None:
        future = self.client.submit(run_version, task, key=f"bpr-run-{task.key}", pure=False)
        self._all.append(future)
        self._futures.add(future)

    def completed(self) -> Iterator[RunRecord]:
        for future in self._futures:
            try:
                record = future.result()
            except Exception as error:
                if type(error).__name__ != "KilledWorker":
                    raise
                raise BprError(f"Dask gave up on a run after its workers died repeatedly ({error}); finished "
                               "runs are stored, run the sweep again to continue") from None
            future.release()
            yield record
