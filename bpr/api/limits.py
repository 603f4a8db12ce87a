"""Bounded request bodies: a body larger than the limit is refused with 413 before anything parses it.

A pure ASGI middleware, so that it sees the bytes as they arrive: a declared ``Content-Length`` over the
limit is refused at once, and a chunked body is counted and refused as soon as it passes the limit.
"""

from __future__ import annotations

import json
from typing import Any

from bpr.errors import Issue

__all__ = ["BodySizeLimit"]

Scope = dict[str, Any]


class BodySizeLimit:
    """``skip``: path prefixes whose application bounds its bodies itself (the web pages' attachments)."""

    def __init__(self, app: Any, max_bytes: int, skip: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or any(scope["path"] == p.rstrip("/") or scope["path"].startswith(p)
                                          for p in self.skip):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(send)
                return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        issue = Issue(f"the request body is larger than {self.max_bytes // 1024} KiB", file="<request>",
                      hint="a process file is a few kilobytes; split large studies into several requests")
        payload = json.dumps({"issues": [issue.to_dict()]}, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})
