"""The REST face of the workflow engine: definitions, cases, inbox, item actions, absences, the audit trail.

Each endpoint calls one :class:`~bpr.execute.Workflow` method for the user its bearer token names
(``Workflow.authenticate``): no body or query names the actor. The engine's refusals keep their meaning
(404, 403, 409, 422) and reach the client in the service's one error shape, message and hint. The
endpoints are plain functions: FastAPI runs them in its thread pool, off the event loop, since every call
waits on the database. Deploying a definition is the administrator's: it takes the server's
``BPR_API_TOKEN``, and is refused when the server has none.
"""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path as PathParam, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime
from sqlalchemy.exc import DataError, OperationalError

from bpr.api.cases_models import (
    DB_INT, AbsenceIn, AbsenceOut, ActionOut, AuditRowOut, CaseOut, CaseStart, CaseSummaryOut, CommentIn,
    CreatedOut, DefinitionOut, DeployOut, DeployRequest, ExportFormat, Id, InboxCountsOut, InboxItemOut, ItemAction,
    NotificationOut, ReturnAction, UserOut, VerificationOut, WithdrawIn, WithdrawOut,
)
from bpr.api.errors import REQUEST, error_response
from bpr.api.inputs import resolve_process
from bpr.api.models import IssuesResponse
from bpr.api.settings import Settings
from bpr.errors import Issue
from bpr.execute import Workflow, WorkflowError
from bpr.execute.people import User

__all__ = ["add_cases"]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": IssuesResponse, "description": text}
    for code, text in {
        400: "the body could not be read (not UTF-8, or not a body this endpoint takes)",
        401: "missing or unknown bearer token: every call acts as the user its token names",
        403: "the user may not do this (not their role, not the drafter, not an auditor)",
        404: "no such case or item, or not the user's to see (the same answer, so existence is not revealed)",
        409: "someone changed the item first: reload and try again",
        413: "the body is larger than this server accepts",
        415: "the body is not sent as JSON (Content-Type: application/json)",
        422: "invalid request, or the process refuses it (authority too low, the next actor has started…)",
        503: "the case database cannot be reached",
    }.items()
}

_user_token = HTTPBearer(auto_error=False, scheme_name="UserToken",
                         description="a user's token (Workflow.add_user / new_token): the calls act as that user")

CaseId = Annotated[int, PathParam(ge=1, le=DB_INT, description="the case's id")]
ItemId = Annotated[int, PathParam(ge=1, le=DB_INT, description="the item's id (from the inbox or the case)")]
Limit = Annotated[int, Query(ge=1, le=1000)]
NO_BODY, NO_RETURN_BODY, NO_WITHDRAW_BODY = ItemAction(), ReturnAction(), WithdrawIn()
"""What an action without a body means (never changed: the endpoints only read them)."""
Offset = Annotated[int, Query(ge=0, le=DB_INT)]


def _unauthorized(message: str) -> WorkflowError:
    error = WorkflowError(message, "send the header 'Authorization: Bearer <your token>'")
    error.status = 401
    return error


def _workflow(request: Request) -> Workflow:
    workflow: Workflow = request.app.state.workflow
    return workflow


def _user(request: Request,
          credentials: HTTPAuthorizationCredentials | None = Depends(_user_token)) -> User:  # noqa: B008
    """The user the bearer token names (401 when there is none or it names nobody)."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized("this endpoint needs a user's bearer token")
    user = _workflow(request).authenticate(credentials.credentials)
    if user is None:
        raise _unauthorized("unknown bearer token")
    return user


Me = Annotated[User, Depends(_user)]
Engine = Annotated[Workflow, Depends(_workflow)]


def _admin(settings: Settings) -> Any:
    def check(credentials: HTTPAuthorizationCredentials | None = Depends(_user_token)) -> None:  # noqa: B008
        given = credentials.credentials if credentials is not None else ""
        if not given:
            raise _unauthorized("deploying needs the server's administrator token (BPR_API_TOKEN)")
        if settings.token is None:
            error = WorkflowError("deploying definitions is switched off on this server",
                                  "set BPR_API_TOKEN for the administrator, or deploy with the CLI")
            error.status = 403
            raise error
        if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), settings.token.encode("utf-8")):
            raise _unauthorized("deploying needs the server's administrator token (BPR_API_TOKEN)")

    return check


def _router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=_RESPONSES)

    @router.get("/me", response_model=UserOut, tags=["people"])
    def me(user: Me) -> dict[str, object]:
        """Who the token names: id, name, roles, whether an auditor."""
        return user.summary()

    @router.get("/definitions", response_model=list[DefinitionOut], tags=["definitions"])
    def definitions(user: Me, workflow: Engine) -> list[dict[str, object]]:
        """Every deployed version of every process, oldest first."""
        return [d.summary() for d in workflow.definitions()]

    @router.post("/definitions", response_model=DeployOut, status_code=201, tags=["definitions"],
                 dependencies=[Depends(_admin(settings))])
    def deploy(body: DeployRequest, workflow: Engine, response: Response) -> dict[str, Any]:
        """Deploy a process as a new immutable version (the administrator's token: BPR_API_TOKEN). The same
        content again answers 200 with the version already there."""
        process = resolve_process(body, settings)
        definition, created = workflow.deploy(process, by="admin")
        if not created:
            response.status_code = 200
        return {"definition": definition.summary(), "created": created}

    @router.post("/cases", response_model=CreatedOut, status_code=201, tags=["cases"])
    def start(body: CaseStart, user: Me, workflow: Engine, response: Response) -> dict[str, int]:
        """Start (起案) a case of a process with its attributes; its first work is claimed by the drafter."""
        case_id = workflow.start(user.id, body.process, body.attributes, body.choice)
        response.headers["Location"] = f"/v1/cases/{case_id}"
        return {"id": case_id}

    @router.get("/cases", response_model=list[CaseSummaryOut], tags=["cases"])
    def cases(user: Me, workflow: Engine, status: Annotated[str | None, Query(pattern="^(open|ended|withdrawn)$")]
              = None, process: Annotated[Id | None, Query()] = None, limit: Limit = 100,
              offset: Offset = 0) -> list[dict[str, Any]]:
        """The cases the user may read (docs/execute.md, "Who may do what"), newest first."""
        return workflow.cases(user.id, status=status, process=process, limit=limit, offset=offset)

    @router.get("/cases/{case_id}", response_model=CaseOut, tags=["cases"])
    def case(case_id: CaseId, user: Me, workflow: Engine) -> dict[str, Any]:
        """A case with its items (done and open) and comments; 404 when it is not the user's to read."""
        return workflow.case(user.id, case_id)

    @router.get("/cases/{case_id}/history", response_model=list[AuditRowOut], tags=["cases"])
    def history(case_id: CaseId, user: Me, workflow: Engine) -> list[dict[str, Any]]:
        """The case's audit rows: who did what, when, on behalf of whom."""
        return workflow.history(user.id, case_id)

    @router.post("/cases/{case_id}/withdraw", response_model=WithdrawOut, tags=["cases"])
    def withdraw(case_id: CaseId, user: Me, workflow: Engine,
                 body: WithdrawIn = NO_WITHDRAW_BODY) -> dict[str, int]:
        """引戻し: the drafter takes the case back while the next actor has not started."""
        item = workflow.withdraw(user.id, case_id, note=body.note)
        return {"case": case_id, "item": item}

    @router.post("/cases/{case_id}/comments", response_model=CreatedOut, status_code=201, tags=["cases"])
    def comment(case_id: CaseId, body: CommentIn, user: Me, workflow: Engine) -> dict[str, int]:
        """Comment on a case the user may read."""
        return {"id": workflow.comment(user.id, case_id, body.text)}

    @router.get("/inbox", response_model=list[InboxItemOut], tags=["inbox"])
    def inbox(user: Me, workflow: Engine, process: Annotated[Id | None, Query()] = None,
              step: Annotated[Id | None, Query()] = None, due_before: Annotated[AwareDatetime | None, Query()] = None,
              overdue: bool = False, limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
        """The user's open work (their roles, what they claimed, what they do for an absent user), due first."""
        found = workflow.inbox(user.id, process=process, step=step, due_before=due_before, overdue=overdue,
                               limit=limit, offset=offset)
        return [item.summary() for item in found]

    @router.get("/inbox/counts", response_model=InboxCountsOut, tags=["inbox"])
    def inbox_counts(user: Me, workflow: Engine,
                     process: Annotated[Id | None, Query()] = None) -> dict[str, Any]:
        """How much waits for the user: in all, overdue, per process and step."""
        return workflow.inbox_counts(user.id, process=process)

    items: dict[str, Any] = {"tags": ["items"], "response_model": ActionOut}

    @router.post("/items/{item_id}/claim", **items)
    def claim(item_id: ItemId, user: Me, workflow: Engine, body: ItemAction = NO_BODY) -> dict[str, Any]:
        """Take an open item: it leaves the others' inboxes until released."""
        workflow.claim(user.id, item_id, version=body.version)
        return {"item": item_id, "action": "claim", "opened": []}

    @router.post("/items/{item_id}/release", **items)
    def release(item_id: ItemId, user: Me, workflow: Engine, body: ItemAction = NO_BODY) -> dict[str, Any]:
        """Give a claimed item back to its role."""
        workflow.release(user.id, item_id, version=body.version)
        return {"item": item_id, "action": "release", "opened": []}

    @router.post("/items/{item_id}/complete", **items)
    def complete(item_id: ItemId, user: Me, workflow: Engine, body: ItemAction = NO_BODY) -> dict[str, Any]:
        """Finish a task or record a wait's reply; answers the items it opened."""
        opened = workflow.complete(user.id, item_id, "done", version=body.version, choice=body.choice,
                                   note=body.note)
        return {"item": item_id, "action": "complete", "opened": opened}

    @router.post("/items/{item_id}/approve", **items)
    def approve(item_id: ItemId, user: Me, workflow: Engine, body: ItemAction = NO_BODY) -> dict[str, Any]:
        """Approve (決裁・合議): needs the authority the step's required_authority sets for the case."""
        opened = workflow.approve(user.id, item_id, version=body.version, choice=body.choice, note=body.note)
        return {"item": item_id, "action": "approve", "opened": opened}

    @router.post("/items/{item_id}/reject", **items)
    def reject(item_id: ItemId, user: Me, workflow: Engine, body: ItemAction = NO_BODY) -> dict[str, Any]:
        """Reject: the case goes where the file's reject.to says."""
        opened = workflow.reject(user.id, item_id, version=body.version, choice=body.choice, note=body.note)
        return {"item": item_id, "action": "reject", "opened": opened}

    @router.post("/items/{item_id}/return", **items)
    def return_to_sender(item_id: ItemId, user: Me, workflow: Engine,
                         body: ReturnAction = NO_RETURN_BODY) -> dict[str, Any]:
        """差戻し: back to the previous actor, or to the earlier step `to` of the case's history."""
        opened = workflow.return_to_sender(user.id, item_id, to=body.to, version=body.version, note=body.note)
        return {"item": item_id, "action": "return", "opened": opened}

    @router.get("/absences", response_model=list[AbsenceOut], tags=["people"])
    def absences(user: Me, workflow: Engine) -> list[dict[str, object]]:
        """The user's absences and those they stand in for."""
        return [a.summary() for a in workflow.absences(user.id)]

    @router.post("/absences", response_model=AbsenceOut, status_code=201, tags=["people"])
    def add_absence(body: AbsenceIn, user: Me, workflow: Engine) -> dict[str, object]:
        """Record the user's absence and their substitute (代決), who needs at least the user's authority."""
        return workflow.add_absence(user.id, body.starts, body.ends, body.substitute).summary()

    @router.get("/notifications", response_model=list[NotificationOut], tags=["people"])
    def notifications(user: Me, workflow: Engine, limit: Limit = 100) -> list[dict[str, Any]]:
        """Reminders, overdue and escalation notices, returns: the user's and their roles', newest first."""
        return workflow.notifications(user.id, limit=limit)

    @router.get("/audit/verify", response_model=VerificationOut, tags=["audit"])
    def verify(user: Me, workflow: Engine) -> dict[str, Any]:
        """Walk the hash-chained audit trail and report every break (auditors only)."""
        workflow.require_auditor(user.id)
        found = workflow.verify()
        return {"ok": found.ok, "rows": found.rows, "archived": found.archived, "problems": list(found.problems)}

    @router.get("/export", tags=["audit"], response_class=Response,
                responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                             "application/xml": {"schema": {"type": "string"}}},
                                 "description": "the event log of every case (CSV or XES)"}})
    def export(user: Me, workflow: Engine, format: ExportFormat = "csv") -> Response:  # noqa: A002
        """The event log of the cases, as `bpr simulate --events` writes a simulated one (auditors only)."""
        workflow.require_auditor(user.id)
        with tempfile.TemporaryDirectory(prefix="bpr-export-") as folder:
            path = Path(folder) / f"cases.{format}"
            workflow.export_log(path)
            content = path.read_bytes()
        media = "text/csv" if format == "csv" else "application/xml"
        return Response(content, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="cases.{format}"'})

    return router


def _install_errors(app: FastAPI) -> None:
    """The engine's refusals and a database that cannot be reached, in the service's error shape."""

    @app.exception_handler(WorkflowError)
    async def _refused(_request: Request, error: WorkflowError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return error_response(error.status, [Issue(error.message, file=REQUEST, hint=error.hint or None)], headers)

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, error: DataError) -> JSONResponse:
        return error_response(422, [Issue("a value the case database cannot store", file=REQUEST,
                                          hint="check the lengths and characters of the values sent")])

    @app.exception_handler(OperationalError)
    async def _unreachable(_request: Request, error: OperationalError) -> JSONResponse:
        return error_response(503, [Issue("the case database cannot be reached", file="<server>",
                                          hint="retry shortly; the administrator checks BPR_DATABASE")],
                              {"Retry-After": "5"})


def add_cases(app: FastAPI, settings: Settings) -> None:
    """Add the workflow endpoints and their error answers to ``app`` (its lifespan opens them:
    :func:`bpr.api.cases_runtime.open_cases`)."""
    _install_errors(app)
    app.include_router(_router(settings))
