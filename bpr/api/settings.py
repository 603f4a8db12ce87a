"""Settings of the REST service: one frozen pydantic model, built from environment variables and options.

Every limit lives here, so that a city's IT department can read in one place what the service will accept.
Environment variables (all optional):

=========================  ==================================================================
``BPR_API_HOST``           address to bind (default ``127.0.0.1``: loopback only)
``BPR_API_PORT``           port (default 8000)
``BPR_API_DB``             SQLite file of jobs and results (default: see :func:`default_db_path`)
``BPR_API_WORKERS``        simulation worker processes (default: the number of cores)
``BPR_API_TOKEN``          when set, every ``/v1`` request needs ``Authorization: Bearer <token>``
``BPR_API_CORS_ORIGINS``   comma-separated origins allowed by CORS (default none: CORS off)
``BPR_API_SCENARIOS``      folder of shipped scenarios (default: the repository's ``scenarios/``)
``BPR_API_WARM``           ``1``: warm the shipped scenarios while idle (:mod:`bpr.api.warm`; default off)
``BPR_API_WARM_SCENARIOS`` comma-separated scenarios to warm (default: every shipped one)
=========================  ==================================================================

Every limit below can be set the same way, by its field name in capitals: ``BPR_API_MAX_ACTIVE=8``,
``BPR_API_MAX_REPLICATIONS=50``, ``BPR_API_SYNC_SECONDS=1``; so can the memory kept for replications that
later requests reuse (:mod:`bpr.api.replicas`): ``BPR_API_REPLICA_CACHE_BYTES=536870912``,
``BPR_API_REPLICA_CACHE_ENTRIES=0`` (off).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings", "default_db_path", "default_scenarios_dir"]


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/bpr/jobs.sqlite`` (``~/.local/share/bpr/jobs.sqlite``) when a home folder exists,
    else ``./bpr-jobs.sqlite``."""
    base = os.environ.get("XDG_DATA_HOME")
    if base:
        return Path(base) / "bpr" / "jobs.sqlite"
    home = Path.home() if "HOME" in os.environ else None
    if home is not None and home.is_dir():
        return home / ".local" / "share" / "bpr" / "jobs.sqlite"
    return Path("bpr-jobs.sqlite")


def default_scenarios_dir() -> Path:
    """The shipped scenarios: ``bpr/scenarios`` when installed as package data, else the repository's."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "scenarios"
    if inside.is_dir():
        return inside
    return package.parent / "scenarios"


class Settings(BaseModel):
    """What the service binds to, where it keeps jobs, and how much it accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    db_path: Path = Field(default_factory=default_db_path)
    workers: Annotated[int, Field(ge=1, le=64)] = Field(default_factory=lambda: os.cpu_count() or 1)
    token: str | None = Field(default=None, description="bearer token; None means no authentication")
    cors_origins: tuple[str, ...] = ()
    scenarios_dir: Path = Field(default_factory=default_scenarios_dir)

    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    max_steps: Annotated[int, Field(ge=1)] = 500
    max_replications: Annotated[int, Field(ge=2)] = 100
    max_horizon_days: Annotated[float, Field(gt=0)] = 5 * 365
    max_warm_up_days: Annotated[float, Field(ge=0)] = 365
    max_changes: Annotated[int, Field(ge=1)] = 200
    max_active: Annotated[int, Field(ge=1)] = Field(
        default=32, description="jobs and inline runs queued or running at once; more get 429"
    )
    sync_seconds: Annotated[float, Field(ge=0)] = Field(
        default=2.0, description="requests estimated to take longer run as jobs (202 + poll)"
    )
    inline_wait_seconds: Annotated[float, Field(ge=0)] = Field(
        default=5.0, description="an inline run not finished after this is answered as the job it already is "
                                 "(202 + poll): the estimate assumes idle cores, a busy machine is slower"
    )
    case_steps_per_second: Annotated[float, Field(gt=0)] = Field(
        default=200_000.0, description="simulation speed of one core, for the run-time estimate"
    )
    max_estimate_seconds: Annotated[float, Field(gt=0)] = Field(
        default=900.0, description="runs estimated to take longer are refused (422): use the CLI for those"
    )
    warm_workers: bool = Field(default=True, description="start the worker processes with the server, "
                                                          "not at the first simulation")
    job_result_days: Annotated[float, Field(gt=0)] = Field(
        default=30, description="finished jobs older than this are deleted at start-up"
    )
    replica_cache_entries: Annotated[int, Field(ge=0)] = Field(
        default=4096, description="replication outputs kept in memory for later requests with the same process "
                                  "and options (a what-if then runs only its changed version); 0 keeps none"
    )
    replica_cache_bytes: Annotated[int, Field(ge=0)] = Field(
        default=256 * 1024 * 1024, description="about how much memory those outputs may take (0.2-3.5 MB each "
                                               "for the shipped scenarios); 0 keeps none"
    )

    warm: bool = Field(
        default=False, description="while idle, compute the replications of each shipped scenario (before and "
                                   "after) with the default options and keep them, so that the first what-if "
                                   "on a scenario is quick (bpr serve --warm)"
    )
    warm_scenarios: tuple[str, ...] | None = Field(
        default=None, description="the scenarios the warm-up computes; None: every shipped one"
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **options: Any) -> Settings:
        """Settings from ``BPR_API_*`` variables; ``options`` that are not None (CLI flags) win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        listed = {"cors_origins": "BPR_API_CORS_ORIGINS", "warm_scenarios": "BPR_API_WARM_SCENARIOS"}
        names = {field: "BPR_API_" + field.upper() for field in cls.model_fields if field not in listed}
        names.update(db_path="BPR_API_DB", scenarios_dir="BPR_API_SCENARIOS")
        for field, name in names.items():
            if env.get(name):
                values[field] = env[name]
        for field, name in listed.items():  # comma-separated lists
            if env.get(name):
                values[field] = tuple(item.strip() for item in env[name].split(",") if item.strip())
        values.update({key: value for key, value in options.items() if value is not None})
        return cls.model_validate(values)
