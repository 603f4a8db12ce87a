"""The pages: each turns a request into :class:`~bpr.execute.Workflow` calls and a template, nothing more.

What a user may see or do is the engine's answer (``Workflow.case``, ``inbox``, ``allowed_actions``); a
page never decides it. POSTs check the CSRF token first and answer with a redirect (303) to the page that
shows the result, so a reload never repeats an action.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from bpr.execute import BadInput, NotFound
from bpr.execute.deadlines import business_days_left
from bpr.execute.definitions import Definition
from bpr.execute.status import process_status
from bpr.web.app import WebContext
from bpr.web.diagram import case_diagram
from bpr.web.forms import Posted, attribute_fields, read_form, values_from
from bpr.web.session import Session

__all__ = ["add_pages"]

ACTIONS = ("approve", "reject", "return", "done")


def add_pages(app: FastAPI, web: WebContext) -> None:
    wf = web.workflow

    async def posted(request: Request) -> Posted:
        form = await read_form(request)
        web.check_csrf(request, form.get("csrf"))
        return form

    # --- signing in --------------------------------------------------------------------------------

    @app.get("/login")
    async def login_page(request: Request) -> Response:
        return web.render(request, "login.html", failed=False)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await posted(request)
        user = wf.authenticate(form.get("token").strip())
        if user is None:
            return web.render(request, "login.html", 401, failed=True)
        request.state.session = web.session(request).signed_in(user.id)
        return web.redirect(request, "/")

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await posted(request)
        request.state.session = Session.anonymous()
        return web.redirect(request, "/login")

    # --- 受信箱 ------------------------------------------------------------------------------------

    @app.get("/")
    async def inbox(request: Request) -> Response:
        user_id = web.user_id(request)
        query = request.query_params
        process, step = query.get("process") or None, query.get("step") or None
        overdue = query.get("overdue") == "1"
        items = wf.inbox(user_id, process=process, step=step, overdue=overdue)
        counts = wf.inbox_counts(user_id)
        now = wf.clock()
        calendars: dict[str, Definition] = {}
        rows = []
        for item in items:
            definition = calendars.setdefault(item.definition, wf.definition(item.definition))
            left = (business_days_left(now, item.due_at, definition.process.calendar)
                    if item.due_at is not None else None)
            rows.append({"item": item, "left": left})
        steps = sorted({s for per in counts["by_process"].values() for s in per})
        return web.render(request, "inbox.html", rows=rows, counts=counts, steps=steps,
                          chosen={"process": process or "", "step": step or "", "overdue": overdue},
                          user=wf.user(user_id))

    # --- the case ----------------------------------------------------------------------------------

    @app.get("/cases/{case_id}")
    async def case_page(request: Request, case_id: int) -> Response:
        user_id = web.user_id(request)
        case = wf.case(user_id, case_id)
        definition = wf.definition(case["definition"])
        allowed = wf.allowed_actions(user_id, case_id)
        names = {step.id: step.label for step in definition.process.steps}
        current = [i for i in case["items"] if i["status"] in ("open", "claimed")]
        return web.render(request, "case.html", case=case, allowed=allowed, names=names, current=current,
                          timeline=[_timeline_row(row) for row in wf.history(user_id, case_id)],
                          attachments=web.files.list(user_id, case_id), user=wf.user(user_id))

    @app.get("/cases/{case_id}/diagram.svg")
    async def diagram(request: Request, case_id: int) -> Response:
        user_id = web.user_id(request)
        case = wf.case(user_id, case_id)
        current = [i["step"] for i in case["items"] if i["status"] in ("open", "claimed")]
        svg = case_diagram(wf.definition(case["definition"]), current, web.lang(request))
        return Response(svg, media_type="image/svg+xml",
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

    @app.post("/cases/{case_id}/act")
    async def act(request: Request, case_id: int) -> Response:
        form = await posted(request)
        user_id = web.user_id(request)
        what, note = form.get("action"), form.get("note").strip()
        try:
            item_id, version = int(form.get("item")), int(form.get("version"))
        except ValueError:
            raise BadInput("the form names no item", "reload the case page") from None
        if what not in ACTIONS:
            raise BadInput(f"unknown action {what!r}", "use the buttons of the case page")
        _check_item_of_case(wf.case(user_id, case_id), item_id)
        if what == "return":
            wf.return_to_sender(user_id, item_id, version=version, note=note)
        else:
            wf.complete(user_id, item_id, what, version=version, note=note)
        return web.redirect(request, f"/cases/{case_id}")

    @app.post("/cases/{case_id}/withdraw")
    async def withdraw(request: Request, case_id: int) -> Response:
        form = await posted(request)
        wf.withdraw(web.user_id(request), case_id, note=form.get("note").strip())
        return web.redirect(request, f"/cases/{case_id}")

    @app.post("/cases/{case_id}/comment")
    async def comment(request: Request, case_id: int) -> Response:
        form = await posted(request)
        wf.comment(web.user_id(request), case_id, form.get("text"))
        return web.redirect(request, f"/cases/{case_id}#comments")

    @app.post("/cases/{case_id}/attachments")
    async def attach(request: Request, case_id: int) -> Response:
        form = await posted(request)
        user_id = web.user_id(request)
        if "file" not in form.files:
            raise BadInput("no file was chosen", "choose a PDF or an image, then attach it")
        name, claimed, content = form.files["file"]
        web.files.attach(user_id, case_id, name, content, claimed_type=claimed)
        return web.redirect(request, f"/cases/{case_id}#attachments")

    @app.get("/cases/{case_id}/attachments/{attachment_id}")
    async def attachment(request: Request, case_id: int, attachment_id: int) -> Response:
        found = web.files.get(web.user_id(request), case_id, attachment_id)
        assert found.content is not None
        # Served as what the content is, as a download with a neutral name: never rendered as a page.
        return Response(found.content, media_type=found.media_type, headers={
            "Content-Disposition": f'inline; filename="attachment-{found.id}"; '
                                   f"filename*=UTF-8''{_quoted(found.name)}",
            "Content-Security-Policy": "default-src 'none'; sandbox"})

    # --- 起案 --------------------------------------------------------------------------------------

    @app.get("/start")
    async def start_list(request: Request) -> Response:
        web.user_id(request)
        latest: dict[str, Definition] = {}
        for definition in wf.definitions():
            if definition.process_id not in latest or definition.version > latest[definition.process_id].version:
                latest[definition.process_id] = definition
        return web.render(request, "start_list.html", definitions=sorted(latest.values(), key=lambda d: d.process_id))

    @app.get("/start/{process_id}")
    async def start_form(request: Request, process_id: str) -> Response:
        web.user_id(request)
        definition = wf.definition(process_id)
        return web.render(request, "start.html", definition=definition,
                          fields=attribute_fields(definition.process))

    @app.post("/start/{process_id}")
    async def start(request: Request, process_id: str) -> Response:
        form = await posted(request)
        user_id = web.user_id(request)
        definition = wf.definition(process_id)
        case_id = wf.start(user_id, definition.process_id, values_from(definition.process, form))
        return web.redirect(request, f"/cases/{case_id}")

    # --- 代決 --------------------------------------------------------------------------------------

    @app.get("/absence")
    async def absence_page(request: Request) -> Response:
        user_id = web.user_id(request)
        others = [u for u in wf.users() if u.id != user_id and u.active]
        return web.render(request, "absence.html", others=others, absences=wf.absences(user_id))

    @app.post("/absence")
    async def absence(request: Request) -> Response:
        form = await posted(request)
        user_id = web.user_id(request)
        starts, ends = _local_time(web, form.get("starts")), _local_time(web, form.get("ends"))
        wf.add_absence(user_id, starts, ends, form.get("substitute"))
        return web.redirect(request, "/absence")

    # --- 状況 --------------------------------------------------------------------------------------

    @app.get("/dashboard")
    async def dashboard(request: Request) -> Response:
        user_id = web.user_id(request)
        latest = sorted({d.process_id: d for d in wf.definitions()}.values(), key=lambda d: d.process_id)
        processes = [process_status(wf, user_id, definition, wf.clock()) for definition in latest]
        return web.render(request, "dashboard.html", processes=processes)


def _check_item_of_case(case: dict[str, Any], item_id: int) -> None:
    """An item id typed into another case's form is refused as unknown, not acted on."""
    if all(item["id"] != item_id for item in case["items"]):
        raise NotFound(f"case {case['id']} has no item {item_id}", "reload the case page")


def _timeline_row(row: dict[str, Any]) -> dict[str, Any]:
    detail = json.loads(row["detail"]) if row["detail"] else {}
    at = datetime.fromisoformat(row["at"])  # the trail keeps naive UTC
    return {"at": at if at.tzinfo else at.replace(tzinfo=UTC), "actor": row["actor"],
            "on_behalf_of": row["on_behalf_of"], "action": row["action"], "step": detail.get("step", ""),
            "note": detail.get("note") or detail.get("text") or detail.get("name") or detail.get("outcome") or ""}


def _local_time(web: WebContext, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a date and time", "use the date and time fields") from None
    return moment.replace(tzinfo=web.zone) if moment.tzinfo is None else moment


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
