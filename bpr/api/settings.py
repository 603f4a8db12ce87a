"""Settings of the REST service: the runtime's (:class:`~bpr.service.settings.ServiceSettings`) and HTTP's.

Every limit lives here or there, so that a city's IT department can read in two short places what the
service will accept. Environment variables of HTTP (all optional; the runtime's are listed in
:mod:`bpr.service.settings`):

=========================  ==================================================================
``BPR_API_HOST``           address to bind (default ``127.0.0.1``: loopback only)
``BPR_API_PORT``           port (default 8000)
``BPR_API_TOKEN``          when set, every ``/v1`` request needs ``Authorization: Bearer <token>``
``BPR_API_CORS_ORIGINS``   comma-separated origins allowed by CORS (default none: CORS off)
``BPR_DATABASE``           the workflow engine's database URL (default ``sqlite:///…/bpr-cases.db``
                           beside the jobs file; ``postgresql+psycopg://…`` for a whole city hall)
``BPR_TIMER_SECONDS``      how often the engine's timers (reminders, escalations) are fired (default 30)
``BPR_WEB_SECRET``         signs the e-approval pages' session cookies (``/web/``); unset: a random one
                           per start (everyone signs in again after a restart)
``BPR_WEB_SECURE_COOKIE``  ``true`` when the pages are served over HTTPS (cookies marked Secure)
``BPR_WEB_TIMEZONE``       how the pages show times and read absence times (default ``Asia/Tokyo``)
=========================  ==================================================================

Every limit below can be set the same way, by its field name in capitals: ``BPR_API_MAX_REPLICATIONS=50``,
``BPR_API_SYNC_SECONDS=1``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bpr.service.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """What the service binds to, who may call it, how large a request may be, and the runtime's settings."""

    ENV_LISTS: ClassVar[frozenset[str]] = ServiceSettings.ENV_LISTS | {"cors_origins"}
    ENV_NAMES: ClassVar[dict[str, str]] = ServiceSettings.ENV_NAMES | {
        "database": "BPR_DATABASE", "timer_seconds": "BPR_TIMER_SECONDS", "web_secret": "BPR_WEB_SECRET",
        "web_secure_cookie": "BPR_WEB_SECURE_COOKIE", "web_timezone": "BPR_WEB_TIMEZONE"}

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    token: str | None = Field(default=None, description="bearer token; None means no authentication")
    cors_origins: tuple[str, ...] = ()
    database: str | None = Field(default=None, description="the workflow engine's database URL; None: "
                                                           "bpr-cases.db beside the jobs file (db_path)")
    timer_seconds: Annotated[float, Field(gt=0)] = 30.0
    web_secret: str | None = Field(default=None, repr=False,
                                   description="signs the web pages' session cookies; None: random per start")
    web_secure_cookie: bool = False
    web_timezone: str = "Asia/Tokyo"

    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    max_steps: Annotated[int, Field(ge=1)] = 500
    max_roles: Annotated[int, Field(ge=1)] = Field(
        default=500, description="roles of one process; each costs in every replication and summary")
    max_arrivals: Annotated[int, Field(ge=1)] = Field(
        default=100, description="arrival streams of one process; each is a stream of its own in every replication")
    max_replications: Annotated[int, Field(ge=2)] = 100
    max_horizon_days: Annotated[float, Field(gt=0)] = 5 * 365
    max_warm_up_days: Annotated[float, Field(ge=0)] = 365
    max_changes: Annotated[int, Field(ge=1)] = 200
    sync_seconds: Annotated[float, Field(ge=0)] = Field(
        default=2.0, description="requests estimated to take longer run as jobs (202 + poll)"
    )
    inline_wait_seconds: Annotated[float, Field(ge=0)] = Field(
        default=5.0, description="an inline run not finished after this is answered as the job it already is "
                                 "(202 + poll): the estimate assumes idle cores, a busy machine is slower"
    )
