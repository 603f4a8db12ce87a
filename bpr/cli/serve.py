"""``bpr serve``: the REST service (FastAPI under uvicorn) on 127.0.0.1:8000 unless told otherwise."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any

import typer

from bpr.cli.common import fail
from bpr.cli.interrupt import leave_to_the_server


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (env BPR_API_HOST; default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env BPR_API_PORT; default 8000).")] = None,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file of jobs and results (env BPR_API_DB).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Simulation worker processes (env BPR_API_WORKERS; default: cores).")
    ] = None,
    warm: Annotated[
        bool | None,
        typer.Option("--warm/--no-warm", help="While idle, simulate every shipped scenario (before and after) "
                                              "with the default options, so that the first what-if on one is "
                                              "quick (env BPR_API_WARM; default off). /healthz shows progress."),
    ] = None,
    database: Annotated[
        str | None, typer.Option(help="The workflow engine's database URL (env BPR_DATABASE; default "
                                      "sqlite:///…/bpr-cases.db beside the jobs file).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: warning, info, debug.")] = "info",
) -> None:
    """Run the REST service: POST /v1/validate, /v1/analyze, /v1/simulate, /v1/whatif, /v1/render; docs at /docs.

    Bearer-token auth when BPR_API_TOKEN is set; CORS only for the origins in BPR_API_CORS_ORIGINS.
    """
    import uvicorn
    from pydantic import ValidationError

    from bpr.api import Settings, create_app

    try:
        settings = Settings.from_env(host=host, port=port, db_path=db, workers=workers, warm=warm,
                                     database=database)
    except ValidationError as error:
        fail("\n".join(f"bpr serve: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    app = create_app(settings)
    leave_to_the_server()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, timeout_graceful_shutdown=5,
                log_config=_log_config(log_level))


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's own logging, with the service's messages (logger ``bpr``: the warm-up's progress, internal
    errors) printed the same way at the same level."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["bpr"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def register(app: typer.Typer) -> None:
    app.command()(serve)
