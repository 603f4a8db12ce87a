"""The FastAPI application: routes that read a request, call the library, and shape the answer.

See docs/api.md for every endpoint with an example. Order of checks on a request: body size (413), bearer
token (401), content type (415), request shape (422), the process and changes (422 with the library's
issues), limits (413/422), saturation (429). Simulations and redesigns run as work of the service runtime (:mod:`bpr.service`:
job store, worker processes, kept replications, warm-up); everything else is quick and runs in the thread
pool of the server, never blocking the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline

from bpr.api.cases import add_cases
from bpr.api.cases_runtime import WebPages, open_cases
from bpr.api.errors import ApiError, install_error_handlers, issues_of
from bpr.api.inputs import check_size, list_scenarios, precision_of, resolve_changes, resolve_process, sim_config
from bpr.api.gate import RequestGate, token_matches
from bpr.api.limits import BodySizeLimit
from bpr.api.models import (
    AnalyzeRequest,
    HealthResponse,
    IssuesResponse,
    JobOut,
    RedesignRequest,
    RenderRequest,
    ScenariosResponse,
    SimulateRequest,
    ValidateRequest,
    ValidateResponse,
    WhatIfRequest,
)
from bpr.api.redesign import INLINE_BASE, redesign_call
from bpr.api.settings import Settings
from bpr.api.shipped import ShippedScenarios
from bpr.errors import BprError
from bpr.service.jobs import JobManager, Outcome, Work
from bpr.service.redesign import redesign_work
from bpr.service.runs import BPR_VERSION, precise_work, simulate_work, whatif_work
from bpr.service.runtime import Service

__all__ = ["DOCS_ASSETS", "create_app"]

DOCS_ASSETS = "/docs-assets"
"""Where the scripts, styles and icon of /docs and /redoc are served from (package ``fastapi-offline``), so
that the API documentation works on a closed network."""

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": IssuesResponse, "description": text}
    for code, text in {
        400: "the body could not be read (not UTF-8, or not a body this endpoint takes)",
        401: "missing or wrong bearer token (only when BPR_API_TOKEN is set)",
        413: "body, process or change list larger than this server accepts",
        415: "the body is not sent as JSON (Content-Type: application/json)",
        422: "invalid request, process or changes: located issues as the CLI prints them",
        429: "too many runs queued or running: retry after the Retry-After header's seconds",
    }.items()
}
_JOB_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobOut, "description": "run as a job: poll the Location header (GET /v1/jobs/{id})",
          "headers": {"Location": {"schema": {"type": "string"}, "description": "URL of the job"}}},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service with its own runtime (:class:`~bpr.service.runtime.Service`: job store, worker pool, kept
    replications, warm-up), opened at start-up and closed at shutdown."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = Service(settings, ShippedScenarios(settings))
        app.state.service = service
        app.state.jobs, app.state.replicas, app.state.warmer = service.jobs, service.replicas, service.warmer
        service.start()  # the warm-up, in the background: the server answers at once
        try:
            async with open_cases(app, settings):  # the workflow engine's store and timers
                yield
        finally:
            await service.close()

    app = FastAPIOffline(  # /docs and /redoc load Swagger UI and ReDoc from this server, not from a CDN
        static_url=DOCS_ASSETS,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the public validator
        title="bpr",
        version=BPR_VERSION,
        summary="Redesign paper- and approval-heavy processes: validate, analyze, simulate, what-if, redesign, "
                "render.",
        description="A face on the bpr library: the same checks and numbers as the `bpr` command. "
                    "Every error is a 4xx with `{\"issues\": [...]}` located like the CLI's messages.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    dependencies = [Depends(_bearer(settings.token))] if settings.token else []
    v1 = APIRouter(prefix="/v1", dependencies=dependencies, responses=_ERRORS)
    # inside the size limit: 413, then 401 (for v1's routes; the workflow's have per-user tokens), then 415
    app.add_middleware(RequestGate, token=settings.token, router=app.router, guarded=v1)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, skip=("/web/",))  # pages bound their own
    if settings.cors_origins:  # added last, so outermost: error answers carry the CORS headers too
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"],
                           expose_headers=["Location", "Retry-After", "X-BPR-Job", "X-BPR-From-Store",
                                           "X-BPR-Replications-Run"])

    _routes(v1, settings)
    app.include_router(v1)
    add_cases(app, settings)  # per-user tokens: not behind BPR_API_TOKEN, which only deploys there
    app.mount("/web", WebPages(app), name="web")  # the e-approval pages: sign-in with the engine's users

    @app.get("/healthz", response_model=HealthResponse, tags=["service"])
    async def healthz(request: Request) -> dict[str, Any]:
        """Liveness: always open (no token), says how busy the service is."""
        service: Service = request.app.state.service
        return {"status": "ok", "version": BPR_VERSION, **service.health()}

    return app


def _bearer(token: str | None) -> Any:
    scheme = HTTPBearer(auto_error=False, description="set when the server has BPR_API_TOKEN")

    # Depends in the default, not in Annotated: the annotation is a string here and ``scheme`` a local.
    async def check(credentials: HTTPAuthorizationCredentials | None = Depends(scheme)) -> None:  # noqa: B008
        assert token is not None
        given = credentials.credentials if credentials is not None else ""
        if not token_matches(given, token):  # RequestGate answered already; this documents the scheme
            raise ApiError.one(401, "missing or wrong bearer token" if given else "this server needs a bearer token",
                               hint="send the header 'Authorization: Bearer <token>'",
                               headers={"WWW-Authenticate": "Bearer"})

    return check


async def _submit(jobs: JobManager, work: Work, inline: bool, wait_seconds: float) -> Outcome:
    """Submit ``work``; for an inline run, wait at most ``wait_seconds`` for its end. The estimate that made
    it inline assumes idle cores: on a busy machine a run estimated at 2 s can take several times that, and
    a client must not wait past its own timeout for an answer it was promised quickly. A run still going
    then is answered 202 as the job it already is (submitting it again joins it), and goes on."""
    if not inline:
        return await jobs.submit(work, inline=False)
    waiting = asyncio.ensure_future(jobs.submit(work, inline=True))
    await asyncio.wait({waiting}, timeout=wait_seconds)
    if waiting.done():
        return waiting.result()
    waiting.cancel()  # stops the waiting only: the run itself is shielded from it
    return await jobs.submit(work, inline=False)


def _answer(outcome: Outcome) -> Response:
    """An inline result (200), a job (202 + Location), or the failure of an inline run."""
    record = outcome.record
    headers = {"X-BPR-Job": record.id, "X-BPR-From-Store": "true" if outcome.from_store else "false"}
    if outcome.tasks is not None:  # replications this run simulates; the others were kept from earlier runs
        headers["X-BPR-Replications-Run"] = str(outcome.tasks)
    if record.status == "done":
        return JSONResponse(record.result, headers=headers)
    if not outcome.inline or record.status in ("queued", "running"):
        headers["Location"] = f"/v1/jobs/{record.id}"
        return JSONResponse(record.to_dict(), status_code=202, headers=headers)
    issues = record.issues or []
    if record.status == "cancelled":
        return JSONResponse({"issues": issues}, status_code=409, headers=headers)
    server_fault = any(issue.get("file") == "<server>" for issue in issues)
    return JSONResponse({"issues": issues}, status_code=500 if server_fault else 422, headers=headers)


def _routes(v1: APIRouter, settings: Settings) -> None:
    @v1.post("/validate", response_model=ValidateResponse, tags=["model"])
    def validate(body: ValidateRequest) -> dict[str, Any]:
        """Check a process: schema, references, soundness; 422 with every issue at once when it is invalid."""
        from bpr.model.load import process_to_data

        process = resolve_process(body, settings)
        return {"valid": True, "process": process.id, "name": process.name, "steps": len(process.steps),
                "issues": [], "normalized": process_to_data(process)}

    @v1.post("/analyze", tags=["model"], response_model=dict[str, Any])
    def analyze(body: AnalyzeRequest) -> dict[str, Any]:
        """Findings (redundant approvals, handoffs, re-keying…) and summary: the JSON of `bpr analyze`."""
        from bpr.analysis import analyze as run_analysis

        process = resolve_process(body, settings)
        try:
            result = run_analysis(process)
        except BprError as error:
            raise ApiError(422, issues_of(error)) from None
        return {"file": process.source_file, "process": process.id, "summary": result.summary,
                "findings": [finding.to_dict() for finding in result.findings]}

    @v1.post("/simulate", tags=["simulation"], response_model=dict[str, Any], responses=_JOB_ACCEPTED)
    async def simulate(body: SimulateRequest, request: Request) -> Response:
        """Simulate one process: the JSON of `bpr simulate FILE --format json` (inline, or a job when long)."""
        process = await asyncio.to_thread(resolve_process, body, settings)
        config = sim_config(body.options, settings)
        precision = precision_of(body.options, settings)
        if precision is not None:
            work = await asyncio.to_thread(precise_work, process, None, config, *precision, settings,
                                           request.app.state.replicas)
        else:
            work = await simulate_work(process, config, settings, request.app.state.replicas)
        inline = body.mode == "auto" and work.estimate <= settings.sync_seconds
        return _answer(await _submit(request.app.state.jobs, work, inline, settings.inline_wait_seconds))

    @v1.post("/whatif", tags=["simulation"], response_model=dict[str, Any], responses=_JOB_ACCEPTED)
    async def whatif(body: WhatIfRequest, request: Request) -> Response:
        """Apply changes to a base process and compare before/after: the JSON of
        `bpr simulate BEFORE AFTER --format json` (inline, or a job when long)."""
        before, after = await asyncio.to_thread(_changed, body, settings)
        config = sim_config(body.options, settings)
        precision = precision_of(body.options, settings)
        if precision is not None:
            work = await asyncio.to_thread(precise_work, before, after, config, *precision, settings,
                                           request.app.state.replicas)
        else:
            work = await whatif_work(before, after, config, settings, request.app.state.replicas)
        inline = body.mode == "auto" and work.estimate <= settings.sync_seconds
        return _answer(await _submit(request.app.state.jobs, work, inline, settings.inline_wait_seconds))

    @v1.post("/redesign", tags=["redesign"], status_code=202, response_model=JobOut,
             responses={202: {"description": "the redesign job (status done, with its result, when an identical "
                                             "request is in the store): poll the Location header",
                              "headers": {"Location": {"schema": {"type": "string"},
                                                       "description": "URL of the job"}}}})
    async def redesign(body: RedesignRequest, request: Request) -> Response:
        """Propose improvements, simulate and rank them, combine the best into a plan: `bpr redesign` as a
        job. When done, the job's `result` is the JSON of `bpr redesign --format json` plus `plan_yaml`."""
        process = await asyncio.to_thread(resolve_process, body, settings)
        base = process.source_file if body.scenario is not None else INLINE_BASE
        call = await asyncio.to_thread(redesign_call, process, body.options, base, settings)
        jobs: JobManager = request.app.state.jobs
        stored = jobs.store.find_done(call.key)  # before the estimate, which asks the heuristics
        if stored is not None:
            outcome = Outcome(stored, inline=False, from_store=True)
        else:
            work = await asyncio.to_thread(redesign_work, call, settings)
            outcome = await jobs.submit(work, inline=False)
        record = outcome.record
        headers = {"Location": f"/v1/jobs/{record.id}", "X-BPR-Job": record.id,
                   "X-BPR-From-Store": "true" if outcome.from_store else "false"}
        return JSONResponse(record.to_dict(), status_code=202, headers=headers)

    @v1.post("/render", tags=["model"], response_class=Response,
             responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}},
                              "description": "the swimlane diagram as SVG"},
                         503: {"model": IssuesResponse, "description": "Graphviz is not installed"}})
    def render(body: RenderRequest) -> Response:
        """The swimlane diagram of a process as SVG (Graphviz), optionally with the analysis findings."""
        from bpr.analysis import analyze as run_analysis
        from bpr.render.dot import render_dot
        from bpr.render.graphviz_run import GraphvizNotFound, run_dot

        process = resolve_process(body, settings)
        try:
            findings = run_analysis(process).findings if body.findings else []
            svg = run_dot(render_dot(process, findings=findings, lang=body.lang), "svg")
        except GraphvizNotFound as error:
            raise ApiError.one(503, str(error), file="<server>") from None
        except BprError as error:
            raise ApiError(422, issues_of(error)) from None
        return Response(svg, media_type="image/svg+xml")

    @v1.get("/scenarios", response_model=ScenariosResponse, tags=["model"])
    def scenarios() -> dict[str, Any]:
        """The shipped scenarios, to use by name as `scenario` in any request."""
        return {"scenarios": list_scenarios(settings)}

    @v1.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"],
            responses={404: {"model": IssuesResponse, "description": "no such job"}})
    async def get_job(job_id: str, request: Request) -> dict[str, Any]:
        """A job's status and progress; its result once done, its issues once failed or cancelled."""
        record = request.app.state.jobs.store.get(job_id)
        if record is None:
            raise ApiError.one(404, f"no job {job_id[:64]!r}", path="job_id",
                               hint="use the id (or Location) that POST returned")
        return record.to_dict()

    @v1.delete("/jobs/{job_id}", response_model=JobOut, tags=["jobs"],
               responses={404: {"model": IssuesResponse, "description": "no such job"},
                          409: {"model": IssuesResponse, "description": "the job is already over"}})
    async def cancel_job(job_id: str, request: Request) -> dict[str, Any]:
        """Cancel a queued or running job: its worker processes stop, its status becomes cancelled."""
        return request.app.state.jobs.cancel(job_id).to_dict()


def _changed(body: WhatIfRequest, settings: Settings) -> tuple[Any, Any]:
    """The base process and the process with the request's changes applied (422 with located issues)."""
    from bpr.changes import apply_changes

    before = resolve_process(body, settings)
    if body.after is not None:
        if body.changes is not None or body.changes_yaml is not None:
            raise ApiError.one(422, "give either after or changes, not both", path="after")
        return before, resolve_process(body.after, settings, field="after.")
    changes, file, _ = resolve_changes(body.changes, body.changes_yaml, settings)
    try:
        after = apply_changes(before, changes, file=file)
    except BprError as error:
        raise ApiError(422, issues_of(error)) from None
    check_size(after, settings)
    return before, after

