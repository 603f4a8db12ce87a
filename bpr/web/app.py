"""The web face's application: sessions, language, errors and templates; the pages are in ``pages``.

:func:`create_web_app` returns a FastAPI application meant to be mounted under a prefix of the main one
(``app.mount("/web", create_web_app(workflow, secret=...))``); it also runs on its own. Every link and
cookie path is built from the mount point (``root_path``), so either works.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from bpr.execute import Workflow, WorkflowError
from bpr.execute.attachments import CaseFiles
from bpr.web.forms import BodyTooLarge
from bpr.web.i18n import LANGS, translate
from bpr.web.session import COOKIE, MAX_AGE, Session, SessionSigner

__all__ = ["CsrfRefused", "NotSignedIn", "WebContext", "create_web_app"]

HERE = Path(__file__).resolve().parent
log = logging.getLogger("bpr.web")


class NotSignedIn(Exception):
    """A page that needs a user was asked for without a session: the answer is the sign-in page."""


class CsrfRefused(Exception):
    """A POST without the session's CSRF token (or with another): refused with 403."""


class WebContext:
    """What every page needs: the engine, the attachments, the templates, the signer, the time zone."""

    def __init__(self, workflow: Workflow, secret: str, timezone: str, secure_cookie: bool) -> None:
        self.workflow = workflow
        self.files = CaseFiles(workflow.engine, workflow.clock)
        self.signer = SessionSigner(secret)
        self.zone = ZoneInfo(timezone)
        self.secure_cookie = secure_cookie
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"], default=True),
                                     trim_blocks=True, lstrip_blocks=True)

    # --- per request -------------------------------------------------------------------------------

    def session(self, request: Request) -> Session:
        return request.state.session

    def user_id(self, request: Request) -> str:
        user_id = self.session(request).user_id
        if user_id is None:
            raise NotSignedIn
        return user_id

    def check_csrf(self, request: Request, sent: str | None) -> None:
        if not self.session(request).csrf_matches(sent):
            raise CsrfRefused

    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get("bpr_lang") or "ja"
        return asked if asked in LANGS else "ja"

    def url(self, request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '').rstrip('/')}{path}"

    def local(self, moment: datetime | str | None) -> str:
        if moment is None:
            return ""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def render(self, request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
        lang = self.lang(request)
        session = self.session(request)
        page = self.templates.get_template(template).render(
            t=lambda key, **kw: translate(key, lang, **kw), lang=lang, url=lambda p: self.url(request, p),
            local=self.local, csrf=session.csrf, signed_in=session.user_id, path=request.url.path, **values)
        return Response(page, status_code=status_code, media_type="text/html; charset=utf-8")

    def redirect(self, request: Request, path: str) -> RedirectResponse:
        return RedirectResponse(self.url(request, path), status_code=303)


def _install_session(app: FastAPI, web: WebContext) -> None:
    @app.middleware("http")
    async def session_cookie(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        found = web.signer.loads(request.cookies.get(COOKIE))
        request.state.session = found or Session.anonymous()
        response = await call_next(request)
        after: Session = request.state.session
        if found is None or after != found:
            response.set_cookie(COOKIE, web.signer.dumps(after), max_age=MAX_AGE, httponly=True, samesite="lax",
                                secure=web.secure_cookie, path=request.scope.get("root_path") or "/")
        asked = request.query_params.get("lang")
        if asked in LANGS:
            response.set_cookie("bpr_lang", asked, max_age=365 * 86400, httponly=True, samesite="lax",
                                secure=web.secure_cookie, path=request.scope.get("root_path") or "/")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; form-action 'self'; frame-ancestors 'none'")
        return response


def _install_errors(app: FastAPI, web: WebContext) -> None:
    @app.exception_handler(NotSignedIn)
    async def sign_in_first(request: Request, _: Exception) -> Response:
        return web.redirect(request, "/login")

    @app.exception_handler(CsrfRefused)
    async def csrf(request: Request, _: Exception) -> Response:
        lang = web.lang(request)
        return web.render(request, "error.html", 403, message=translate("forbidden", lang), hint="")

    @app.exception_handler(WorkflowError)
    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, WorkflowError)
        return web.render(request, "error.html", error.status, message=error.message, hint=error.hint)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, error: Exception) -> Response:
        return web.render(request, "error.html", 413, message=str(error), hint="")

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> Response:
        log.exception("web page %s failed", request.url.path)  # the details go to the log, not to the user
        lang = web.lang(request)
        return web.render(request, "error.html", 500, message=translate("internal", lang), hint="")


def create_web_app(workflow: Workflow, *, secret: str, timezone: str = "Asia/Tokyo",
                   secure_cookie: bool = False) -> FastAPI:
    """The e-approval pages (電子決裁) on ``workflow``.

    ``secret`` signs the session cookies (keep it out of the code: an environment setting; changing it
    signs everyone out). ``timezone`` is how times are shown and how absence times are read.
    ``secure_cookie`` marks cookies Secure: set it when the pages are served over HTTPS.
    """
    from bpr.web.pages import add_pages

    web = WebContext(workflow, secret, timezone, secure_cookie)
    app = FastAPI(title="bpr e-approval", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_session(app, web)
    _install_errors(app, web)
    add_pages(app, web)
    return app
