"""Every error the service returns has one shape: ``{"issues": [{file, line, column, path, message, hint}]}``.

The issues are :class:`bpr.errors.Issue` values, so a bad process file reads the same over REST as in the
CLI. Request-level problems (malformed JSON, a field of the wrong type, a missing token) are turned into
issues here too, with ``file`` naming where the problem is (``<request>``) and ``path`` the field. The
service runtime's refusals (:mod:`bpr.service.errors`) get their status here: 422, 429 with ``Retry-After``,
404, 409.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bpr.errors import Issue, path_text
from bpr.service.errors import REQUEST, SERVER, Busy, JobOver, NoSuchJob, Refused, ServiceError, issues_of

__all__ = ["REQUEST", "ApiError", "install_error_handlers", "issues_of", "service_error"]

_STATUS: dict[type[ServiceError], int] = {Refused: 422, Busy: 429, NoSuchJob: 404, JobOver: 409}

log = logging.getLogger("bpr.api")


class ApiError(Exception):
    """An error response: HTTP status, the issues, optional headers (``Retry-After``, ``WWW-Authenticate``)."""

    def __init__(self, status: int, issues: list[Issue], headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(issue.format() for issue in issues))
        self.status = status
        self.issues = issues
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, message: str, path: str = "", hint: str | None = None,
            headers: dict[str, str] | None = None, file: str = REQUEST) -> ApiError:
        return cls(status, [Issue(message, path=path, file=file, hint=hint)], headers)


def service_error(error: ServiceError) -> ApiError:
    """The answer to a refusal of the service runtime."""
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 422)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Busy) else None
    return ApiError(status, list(error.issues), headers)


def error_response(status: int, issues: list[Issue] | list[dict[str, Any]],
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = [issue.to_dict() if isinstance(issue, Issue) else issue for issue in issues]
    return JSONResponse({"issues": body}, status_code=status, headers=headers)


def _validation_issue(error: dict[str, Any]) -> Issue:
    loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    hint = None
    if kind == "json_invalid":
        detail = (error.get("ctx") or {}).get("error")
        message = f"the body is not valid JSON{': ' + str(detail) if detail else ''}"
        hint = "send Content-Type: application/json with a JSON object"
        loc = []
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field"
        hint = "see the request schema at /docs"
    elif kind in ("model_attributes_type", "dict_type", "model_type") and not loc:
        message = "the body must be a JSON object"
        hint = "send Content-Type: application/json with a JSON object"
    value = error.get("input")
    if kind not in ("missing", "json_invalid", "extra_forbidden") and isinstance(value, (str, int, float, bool)):
        text = repr(value)
        message += f" (got {text[:80] + '…' if len(text) > 80 else text})"
    line = None
    column = None
    return Issue(message, path=path_text([p for p in loc if isinstance(p, (str, int))]), file=REQUEST,
                 line=line, column=column, hint=hint)


def _allowed_methods(request: Request) -> list[str]:
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception that can reach the client to the issues shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.issues, error.headers)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, error: ServiceError) -> JSONResponse:
        answer = service_error(error)
        return error_response(answer.status, answer.issues, answer.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        issues = [_validation_issue(dict(e)) for e in error.errors()]
        return error_response(422, issues or [Issue("invalid request", file=REQUEST)])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such endpoint", 405: "method not allowed for this endpoint",
                    400: "the body could not be read"}
        hints = {404: "see /docs for the endpoints", 405: "see /docs for the endpoints",
                 400: "send a UTF-8 JSON object with Content-Type: application/json"}
        message = messages.get(error.status_code, str(error.detail))
        hint = hints.get(error.status_code)
        headers = dict(error.headers or {})
        if error.status_code == 405:  # every method of the path, not only those of the first route matched
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return error_response(error.status_code, [Issue(message, file=REQUEST, hint=hint)], headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, [Issue(f"internal error: {type(error).__name__}", file=SERVER,
                                          hint="this is a bug in bpr; please report it with the request")])
