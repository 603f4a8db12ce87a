"""Worker processes end with the bpr process that started them, however it ends: Ctrl-C, SIGTERM, SIGKILL,
an out-of-memory kill, a closed terminal.

A worker busy with a long replication reads nothing from its owner, so the owner's end goes unnoticed until
the replication is over (a run of 1e9 arrivals a day left two workers at 10 GB each for as long as anyone
let them). Pipes do not tell either: ``forkserver`` hands every worker a copy of the owner's end of its own
liveness pipe, so the forkserver and its workers keep each other alive. So :func:`end_with`, called first
thing in a worker, sets up two guards of its own:

- a daemon thread that waits for the owner to end and then ends the worker: on Linux it waits on a pidfd
  of the owner (which tells exactly that process's end), elsewhere it checks every :data:`POLL_SECONDS`;
- where the owner is the worker's parent (``spawn`` workers) on Linux, the kernel also sends the worker
  SIGKILL when the owner ends (``prctl(PR_SET_PDEATHSIG)``), even if the thread could not run.

:func:`worker_pool` is the one way bpr starts such workers (its forkserver prints no traceback about an
owner killed mid-request: :mod:`bpr.simulate.quiet_orphan`), and :func:`stop_now` the way it stops them
without waiting for their work.
"""

from __future__ import annotations

import ctypes
import functools
import math
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

__all__ = ["ORPHANED", "POLL_SECONDS", "end_with", "ended", "ends_within", "stop_now", "worker_pool"]

POLL_SECONDS = 0.5
"""How often a worker checks its owner where the system cannot wait for a process's end."""

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
ORPHANED = 70
"""Exit status of a worker (or forkserver) whose owner went away (EX_SOFTWARE)."""


def worker_pool(workers: int, preload: list[str]) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that end with this one (:func:`end_with`).

    They fork from a ``forkserver`` where there is one (never a fork of this threaded process), which imports
    ``preload`` once for all of them, and :mod:`bpr.simulate.quiet_orphan`; elsewhere they are spawned."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload([*preload, "bpr.simulate.quiet_orphan"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=end_with,
                               initargs=(os.getpid(),))


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` (of :func:`worker_pool`) without waiting for the work it runs (``shutdown`` would wait
    for it: 30 s and more after a Ctrl-C): queued tasks are dropped, running workers are terminated, then
    killed when they have not ended within a second.

    Then the executor's manager thread is let end (it closes the pool's wake-up pipe once the workers are
    gone; a second at most). Before Python 3.12 the interpreter's exit wakes every executor's manager thread
    through that pipe with no lock against the close, so an exit while the thread was closing it printed an
    ``OSError: [Errno 9] Bad file descriptor`` traceback after a Ctrl-C (CPython gh-125451)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # the executor has no public handle
    manager = getattr(pool, "_executor_manager_thread", None)  # both gone from the pool once it shuts down
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 1.0
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)
    if manager is not None:
        manager.join(1.0)


def end_with(owner: int, ignore_interrupt: bool = True) -> None:
    """End this worker when process ``owner`` ends (see module doc); at once if it has ended already.

    With ``ignore_interrupt`` Ctrl-C is left to the owner, which stops its workers itself: a terminal sends
    SIGINT to every process of its foreground group, and a worker would print a traceback of its own."""
    if ignore_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux") and os.getppid() == owner:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the thread below still guards
            pass
    watch = _wait_for_end(owner) if hasattr(os, "pidfd_open") else None
    if watch is None:
        if ended(owner):
            os._exit(ORPHANED)
        watch = functools.partial(_poll_for_end, owner)
    threading.Thread(target=watch, name="bpr-lifeline", daemon=True).start()


def _wait_for_end(owner: int) -> Callable[[], None] | None:
    """A function that blocks until ``owner`` ends and then ends this process (``None`` without pidfds)."""
    try:
        pidfd = os.pidfd_open(owner)
    except ProcessLookupError:  # ended (and reaped) already
        os._exit(ORPHANED)
    except OSError:  # an old kernel, or not allowed: poll instead
        return None

    def wait() -> None:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)  # readable once the process has ended
        while not poller.poll():
            pass
        os._exit(ORPHANED)

    return wait


def _poll_for_end(owner: int) -> None:
    ends_within(owner, math.inf, POLL_SECONDS)
    os._exit(ORPHANED)


def ended(pid: int) -> bool:
    """Whether process ``pid`` is gone, or has ended and waits to be reaped (a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user: not ours, but alive
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):  # no /proc here
        return False


def ends_within(pid: int, seconds: float, every: float = 0.01) -> bool:
    """Whether process ``pid`` has ended or ends within ``seconds`` (checked every ``every`` seconds)."""
    deadline = time.monotonic() + seconds
    while not ended(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
    return True
