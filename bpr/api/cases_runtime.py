"""The workflow engine inside the service: one :class:`~bpr.execute.Workflow` on the configured database,
and the timer thread that fires reminders and escalations.

The timers run in a thread of their own, not as a task of the event loop: ``Workflow.tick`` blocks on the
database, and a thread can be told to stop and be joined at shutdown, so nothing is left running (a worker
thread of ``asyncio.to_thread`` cannot be stopped once it has started).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bpr.api.settings import Settings
from bpr.execute import Workflow

__all__ = ["TimerThread", "database_url", "open_cases"]

log = logging.getLogger("bpr.api.cases")


def database_url(settings: Settings) -> str:
    """``BPR_DATABASE`` / ``--database``, else ``bpr-cases.db`` in the folder of the jobs file."""
    if settings.database:
        return settings.database
    return f"sqlite:///{settings.db_path.parent / 'bpr-cases.db'}"


class TimerThread:
    """Calls ``workflow.tick()`` every ``seconds`` until :meth:`stop`; a failing tick is logged, not fatal
    (the next one retries: timers fire once, when their transaction commits)."""

    def __init__(self, workflow: Workflow, seconds: float) -> None:
        self.workflow = workflow
        self.seconds = seconds
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bpr-timers", daemon=False)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fired = self.workflow.tick()
                if fired:
                    log.info("timers fired: %s", fired)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the timers
                log.exception("firing timers failed; retrying in %s s", self.seconds)
            self.ticks += 1
            self._stop.wait(self.seconds)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


@asynccontextmanager
async def open_cases(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Open the engine's store (created or upgraded) and start the timers; stop both at shutdown."""
    workflow = await asyncio.to_thread(Workflow, database_url(settings))
    timers = TimerThread(workflow, settings.timer_seconds)
    app.state.workflow, app.state.timers = workflow, timers
    timers.start()
    try:
        yield
    finally:
        await asyncio.to_thread(timers.stop)
        workflow.close()
