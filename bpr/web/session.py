"""The signed session cookie and its CSRF token: who is signed in, without a session table.

The cookie holds ``{"u": user id or null, "csrf": token, "iat": seconds}`` as base64 JSON followed by an
HMAC-SHA256 of it under the app's secret: the browser can read it but not change it. It is HttpOnly (no
script reads it) and SameSite=Lax (other sites' forms do not carry it); every POST form also carries the
CSRF token, which must equal the cookie's (a form posted from elsewhere cannot know it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

__all__ = ["COOKIE", "MAX_AGE", "Session", "SessionSigner"]

COOKIE = "bpr_session"
MAX_AGE = 12 * 3600
"""A working day and more: staff sign in once in the morning."""


@dataclass(frozen=True)
class Session:
    user_id: str | None
    csrf: str
    issued: int

    @classmethod
    def anonymous(cls) -> Session:
        return cls(None, secrets.token_urlsafe(24), int(time.time()))

    def signed_in(self, user_id: str) -> Session:
        """A fresh session for ``user_id``: a new CSRF token too, so that one seen before sign-in is useless."""
        return Session(user_id, secrets.token_urlsafe(24), int(time.time()))

    def csrf_matches(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), str(sent).encode())


class SessionSigner:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the web session secret must be at least 16 characters (use secrets.token_urlsafe)")
        self._key = hashlib.sha256(b"bpr-web-session\0" + secret.encode()).digest()

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode().rstrip("=")

    def dumps(self, session: Session) -> str:
        payload = json.dumps({"u": session.user_id, "csrf": session.csrf, "iat": session.issued},
                             separators=(",", ":")).encode()
        body = base64.urlsafe_b64encode(payload).rstrip(b"=")
        return f"{body.decode()}.{self._mac(body)}"

    def loads(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session in a cookie, or None when it is missing, altered or older than :data:`MAX_AGE`."""
        if not cookie or "." not in cookie:
            return None
        body, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(self._mac(body.encode()), mac):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = Session(data["u"], str(data["csrf"]), int(data["iat"]))
        except (ValueError, KeyError, TypeError):
            return None
        if (now if now is not None else time.time()) - session.issued > MAX_AGE:
            return None
        return session
