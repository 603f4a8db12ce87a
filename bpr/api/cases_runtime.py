"""The workflow engine inside the service: one :class:`~bpr.execute.Workflow` on the configured database,
the timer thread that fires reminders and escalations, and the e-approval pages (``/web/``) on it.

The timers run in a thread of their own, not as a task of the event loop: ``Workflow.tick`` blocks on the
database, and a thread can be told to stop and be joined at shutdown, so nothing is left running (a worker
thread of ``asyncio.to_thread`` cannot be stopped once it has started).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from bpr.api.errors import error_response
from bpr.api.settings import Settings
from bpr.errors import Issue
from bpr.execute import Workflow
from bpr.web import create_web_app

__all__ = ["TimerThread", "WebPages", "database_url", "open_cases"]

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
    if settings.web_secret is None:
        log.warning("BPR_WEB_SECRET is not set: the web pages sign their cookies with a key of this start only")
    app.state.web = create_web_app(workflow, secret=settings.web_secret or secrets.token_urlsafe(32),
                                   timezone=settings.web_timezone, secure_cookie=settings.web_secure_cookie)
    timers.start()
    try:
        yield
    finally:
        await asyncio.to_thread(timers.stop)
        workflow.close()


class WebPages:
    """Mounted at ``/web`` when the service is built; the pages' application exists once the lifespan has
    opened the engine (``app.state.web``), and each request goes on to it."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        pages = getattr(self.app.state, "web", None)
        if pages is None:
            answer = error_response(503, [Issue("the case database is not open yet", file="<request>",
                                                hint="wait until the server has started")])
            await answer(scope, receive, send)
            return
        await pages(scope, receive, send)
