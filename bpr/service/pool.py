"""Simulation worker processes that a cancel can stop: a small pool built for jobs.

``concurrent.futures.ProcessPoolExecutor`` cannot stop a task once it runs, and a worker killed under it
breaks the whole pool. Here each worker process has its own pipe and a thread in the server that feeds it
tasks from one shared queue; cancelling a running task kills just that process and starts a fresh one.
Simulation is CPU-bound, so work runs in processes (one per core by default), never in the event loop.

Workers are started with the ``spawn`` method: the server has threads and an event loop, which ``fork``
would copy in an unknown state. A task is a module-level function and picklable arguments; it gets a
``progress(fraction)`` callable as a keyword argument and returns picklable data. A :class:`~bpr.errors.BprError`
raised by a task comes back as :class:`TaskFailed` carrying its issues.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bpr.simulate.lifeline import end_with

__all__ = ["TaskCancelled", "TaskFailed", "WorkerLost", "WorkerPool"]


class TaskFailed(Exception):
    """A task raised; ``issues`` holds its located issues (empty for an unexpected error)."""

    def __init__(self, kind: str, message: str, issues: list[dict[str, Any]], expected: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.issues = issues
        self.expected = expected  # a BprError (bad input or options), not a bug


class TaskCancelled(Exception):
    """The task was cancelled (queued, or its worker process was stopped)."""


class WorkerLost(Exception):
    """The worker process running a task died without being asked to (out of memory, killed from outside)."""


def _worker_main(conn: Any, preload: str | None, owner: int) -> None:
    # Ctrl-C is the server's to handle; and the worker ends with the server, however the server ends (a
    # worker in the middle of a task would not notice its pipe closing)
    end_with(owner, ignore_interrupt=True)
    if preload:
        __import__(preload)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message

        def progress(fraction: float) -> None:
            conn.send(("progress", float(fraction)))

        try:
            result = fn(*args, progress=progress)
            conn.send(("done", result))
        except BaseException as error:  # noqa: BLE001 - everything goes back to the server
            conn.send(("error", _describe(error)))


def _describe(error: BaseException) -> dict[str, Any]:
    from bpr.errors import BprError, ModelError

    issues: list[dict[str, Any]] = []
    if isinstance(error, ModelError):
        issues = [issue.to_dict() for issue in error.issues]
    expected = isinstance(error, BprError)
    message = str(error) if expected else "".join(traceback.format_exception_only(type(error), error)).strip()
    return {"kind": type(error).__name__, "message": message, "issues": issues, "expected": expected}


@dataclass(frozen=True)
class _Worker:
    """A worker process and the server's end of its pipe."""

    process: BaseProcess
    conn: Connection

    def stop(self) -> None:
        """Ask the worker to end; kill it when it has not within 2 s."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()


@dataclass(eq=False)
class _Task:
    id: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: Future[Any]
    on_progress: Callable[[float], None] | None = None
    on_start: Callable[[], None] | None = None
    cancelled: bool = False
    process: BaseProcess | None = field(default=None, repr=False)


class WorkerPool:
    """``size`` worker processes fed from one FIFO queue; tasks can be cancelled while they run."""

    def __init__(self, size: int, preload: str | None = None, start: bool = True) -> None:
        self.size = size
        self._preload = preload
        self._context = multiprocessing.get_context("spawn")
        self._queue: queue.Queue[_Task | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()  # re-entered: a future's done-callbacks run while it is held
        self._tasks: dict[int, _Task] = {}
        self._closed = False
        self._start_now = start
        self._threads = [
            threading.Thread(target=self._serve, name=f"bpr-worker-{i}", daemon=True) for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_progress: Callable[[float], None] | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> tuple[int, Future[Any]]:
        """Queue ``fn(*args, progress=...)``; returns the task id and a future of its result."""
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        task = _Task(next(self._ids), fn, args, Future(), on_progress, on_start)
        with self._lock:
            self._tasks[task.id] = task
        task.future.add_done_callback(functools.partial(self._forget, task.id))
        self._queue.put(task)
        return task.id, task.future

    def cancel(self, task_id: int) -> bool:
        """Cancel a queued task, or kill the process running it; False when it had already finished."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or task.future.done():
                return False
            if task.process is None:
                if task.future.running():  # its result is being handed over right now
                    return False
                task.cancelled = True
                task.future.set_exception(TaskCancelled())  # still queued: the feeding thread skips it
                return True
            task.cancelled = True
            task.process.kill()
            return True

    def queued(self) -> int:
        return self._queue.qsize()

    def pending(self) -> int:
        """Tasks submitted and not finished: queued or running."""
        with self._lock:
            return len(self._tasks)

    def shutdown(self) -> None:
        """Stop every worker now; unfinished futures are cancelled."""
        self._closed = True
        with self._lock:
            tasks = list(self._tasks.values())
        for task in tasks:
            self.cancel(task.id)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    # --- inside the feeding threads -------------------------------------------------------------------

    def _forget(self, task_id: int, _future: Future[Any] | None = None) -> None:
        with self._lock:
            self._tasks.pop(task_id, None)

    def _start_process(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_worker_main, args=(child, self._preload, os.getpid()), daemon=True)
        process.start()
        child.close()  # so that the parent sees EOF when the worker dies
        return _Worker(process, parent)

    def _serve(self) -> None:
        worker: _Worker | None = None
        if self._start_now:
            try:
                worker = self._start_process()
            except Exception:  # noqa: BLE001 - tried again when the first task comes
                pass

        try:
            while True:
                task = self._queue.get()
                if task is None or self._closed:
                    return
                if worker is None:
                    try:
                        worker = self._start_process()
                    except Exception as error:  # noqa: BLE001 - out of processes or memory, or any other
                        # failure to start: fail this task, not this feeding thread; try again with the next
                        with self._lock:
                            if not task.future.done():
                                task.future.set_exception(WorkerLost(f"cannot start a worker process: {error}"))
                        continue
                with self._lock:
                    if task.cancelled or task.future.done():
                        continue
                    task.process = worker.process
                    task.future.set_running_or_notify_cancel()
                if task.on_start is not None:
                    task.on_start()
                if not self._run(task, worker.conn):
                    worker.process.join(timeout=5)
                    worker.conn.close()
                    worker = None
                    if self._closed:
                        return
                    try:  # start the replacement now, so the next task does not wait for it
                        worker = self._start_process()
                    except Exception:  # noqa: BLE001 - tried again with the next task
                        pass
        finally:
            if worker is not None:
                worker.stop()

    def _run(self, task: _Task, conn: Connection) -> bool:
        """Run one task on the worker behind ``conn``; False when the worker process died."""
        try:
            conn.send((task.fn, task.args))
            while True:
                kind, payload = conn.recv()
                if kind == "progress":
                    if task.on_progress is not None:
                        task.on_progress(payload)
                    continue
                with self._lock:
                    task.process = None  # from here on a cancel cannot kill the worker
                    killed = task.cancelled
                if kind == "done":
                    task.future.set_result(payload)
                else:
                    task.future.set_exception(
                        TaskFailed(payload["kind"], payload["message"], payload["issues"], payload["expected"])
                    )
                return not killed
        except (EOFError, OSError, BrokenPipeError):
            with self._lock:
                task.process = None
            if task.cancelled or self._closed:
                task.future.set_exception(TaskCancelled())
            else:
                task.future.set_exception(WorkerLost("the simulation worker process died"))
            return False
        except Exception as error:  # noqa: BLE001 - pickling a task or its result failed: a bug, not bad input
            task.future.set_exception(error)
            return True
