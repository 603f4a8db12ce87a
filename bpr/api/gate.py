"""The checks a request passes before its body is read: the bearer token (401), then the content type (415).

FastAPI reads and parses a body before it runs a route's dependencies, so a malformed JSON body sent
without the token was answered 422 (telling a caller without the token how the body was wrong) and a body
of another type was parsed as JSON anyway. This pure ASGI middleware answers first, for ``/v1/`` paths.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.routing import Match

from bpr.api.errors import REQUEST, error_response
from bpr.errors import Issue

__all__ = ["RequestGate", "token_matches"]

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def token_matches(given: str, token: str) -> bool:
    """Constant-time comparison of a bearer token with the server's."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def _json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _leaves(routes: list[Any]) -> list[Any]:
    """The routes themselves: FastAPI keeps an included router as one entry that wraps its own routes."""
    found: list[Any] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found.extend(_leaves(inner.routes) if inner is not None else [route])
    return found


class RequestGate:
    """``router``'s routes say which requests carry a JSON body: those that match a route in full (path and
    method); any other request goes on to be answered 404 or 405 as usual."""

    def __init__(self, app: Any, token: str | None, router: Any, guarded: Any = None, prefix: str = "/v1/") -> None:
        self.app = app
        self.token = token
        self.router = router
        self.guarded = guarded if guarded is not None else router
        self.prefix = prefix

    def _guarded(self, scope: dict[str, Any]) -> bool:
        """A request for one of ``guarded``'s paths: the workflow engine's routes, with their per-user tokens,
        are not behind the server's token."""
        return any(route.matches(scope)[0] is not Match.NONE for route in _leaves(self.guarded.routes))

    def _takes_body(self, scope: dict[str, Any], headers: dict[str, str]) -> bool:
        """A body sent to a route that reads one; a bodiless POST (claim, release) has no type to check."""
        if scope["method"] not in _BODY_METHODS:
            return False
        sent = headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers
        reads = any(route.matches(scope)[0] is Match.FULL and getattr(route, "body_field", None) is not None
                    for route in _leaves(self.router.routes))
        return reads and (sent or "content-type" in headers)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers") or []}
        answer = None
        if self.token and self._guarded(scope):
            scheme, _, given = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token_matches(given.strip(), self.token):
                answer = error_response(401, [Issue(
                    "missing or wrong bearer token" if given else "this server needs a bearer token",
                    file=REQUEST, hint="send the header 'Authorization: Bearer <token>'")],
                    {"WWW-Authenticate": "Bearer"})
        if answer is None and not _json_type(headers.get("content-type", "")) and self._takes_body(scope, headers):
            given_type = headers.get("content-type", "")
            answer = error_response(415, [Issue(
                f"the body must be JSON, got {given_type[:60]!r}" if given_type else "the body must be JSON; "
                "no Content-Type was sent", file=REQUEST, hint="send Content-Type: application/json")])
        if answer is None:
            await self.app(scope, receive, send)
        else:
            await answer(scope, receive, send)
