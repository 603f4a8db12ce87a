"""The workflow engine as one object: what the CLI, the REST service and the inbox pages all call.

``Workflow(url)`` opens (and upgrades) the store; every method is one transaction and takes the id of the
user who acts, as the face authenticated them: no method lets a caller name another actor. Times come from
``clock`` (UTC now by default; tests and the walk-through pass their own).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bpr.execute import actions, timers as timer_rules
from bpr.execute.archive import ArchiveResult, archive_cases, open_archive
from bpr.execute.access import check_may_read, readable_case_filter
from bpr.execute.audit import AuditRow, Verification, verify
from bpr.execute.definitions import Definition, deploy, get_definition, latest_definition, list_definitions
from bpr.execute.errors import BadInput, Forbidden
from bpr.execute.eventlog import case_records
from bpr.execute.inbox import InboxItem, inbox, inbox_counts
from bpr.execute.migrate import Migration, migrate_case, plan_migration
from bpr.execute.permissions import CaseActions, allowed_actions
from bpr.execute.people import (
    Absence, User, add_absence, add_user, get_user, list_absences, list_users, new_token, set_roles, user_for_token,
)
from bpr.execute.store import (
    action, audit, cases, comments, definitions, from_db, items, loads, notifications, open_store, reading,
    utc_now,
)
from bpr.interchange.eventlog import ActivityRecord, sort_records
from bpr.interchange.export import write_event_log
from bpr.model.schema import Process

__all__ = ["Workflow", "default_url"]


def default_url() -> str:
    """``BPR_DATABASE`` if set, else ``sqlite:///bpr-cases.db`` in the working directory."""
    return os.environ.get("BPR_DATABASE", "sqlite:///bpr-cases.db")


def _definition_cache() -> Callable[[Connection, int], Definition]:
    cache: dict[int, Definition] = {}

    def definition_of(conn: Connection, definition_id: int) -> Definition:
        found = cache.get(definition_id)
        if found is None:
            found = cache[definition_id] = get_definition(conn, definition_id)
        return found

    return definition_of


class Workflow:
    """The engine on one database (module docstring)."""

    def __init__(self, url: str | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.url = url or default_url()
        self.engine = open_store(self.url)
        self.clock = clock
        self.definition_of = _definition_cache()

    def close(self) -> None:
        self.engine.dispose()

    # --- definitions and people --------------------------------------------------------------------

    def deploy(self, process: Process, by: str = "admin") -> tuple[Definition, bool]:
        with action(self.engine) as conn:
            return deploy(conn, process, by, self.clock())

    def definitions(self) -> list[Definition]:
        with reading(self.engine) as conn:
            return list_definitions(conn)

    def definition(self, ref: str) -> Definition:
        with reading(self.engine) as conn:
            return latest_definition(conn, ref)

    def add_user(self, user_id: str, name: str, roles: Iterable[str], by: str = "admin",
                 auditor: bool = False) -> tuple[User, str]:
        with action(self.engine) as conn:
            return add_user(conn, user_id, name, roles, by, self.clock(), auditor)

    def set_roles(self, user_id: str, roles: Iterable[str], by: str = "admin") -> User:
        with action(self.engine) as conn:
            return set_roles(conn, user_id, roles, by, self.clock())

    def new_token(self, user_id: str, by: str = "admin") -> str:
        with action(self.engine) as conn:
            return new_token(conn, user_id, by, self.clock())

    def user(self, user_id: str) -> User:
        with reading(self.engine) as conn:
            return get_user(conn, user_id)

    def users(self) -> list[User]:
        with reading(self.engine) as conn:
            return list_users(conn)

    def authenticate(self, token: str) -> User | None:
        with reading(self.engine) as conn:
            return user_for_token(conn, token)

    def add_absence(self, user_id: str, starts: datetime, ends: datetime, substitute: str) -> Absence:
        with action(self.engine) as conn:
            return add_absence(conn, get_user(conn, user_id), starts, ends, substitute, self.clock())

    def absences(self, user_id: str | None = None) -> list[Absence]:
        with reading(self.engine) as conn:
            return list_absences(conn, user_id)

    # --- actions -----------------------------------------------------------------------------------

    def start(self, user_id: str, ref: str, attributes: Mapping[str, Any],
              choice: Mapping[str, str] | None = None) -> int:
        with action(self.engine) as conn:
            definition = latest_definition(conn, ref)
            return actions.start_case(conn, definition, get_user(conn, user_id), attributes, self.clock(), choice)

    def claim(self, user_id: str, item_id: int, version: int | None = None) -> None:
        with action(self.engine) as conn:
            actions.claim(conn, get_user(conn, user_id), item_id, self.clock(), version)

    def release(self, user_id: str, item_id: int, version: int | None = None) -> None:
        with action(self.engine) as conn:
            actions.release(conn, get_user(conn, user_id), item_id, self.clock(), version)

    def complete(self, user_id: str, item_id: int, outcome: str = "done", version: int | None = None,
                 choice: Mapping[str, str] | None = None, note: str = "") -> list[int]:
        with action(self.engine) as conn:
            return actions.complete(conn, get_user(conn, user_id), item_id, outcome, self.clock(),
                                    self.definition_of, version, choice, note)

    def approve(self, user_id: str, item_id: int, **options: Any) -> list[int]:
        return self.complete(user_id, item_id, "approve", **options)

    def reject(self, user_id: str, item_id: int, **options: Any) -> list[int]:
        return self.complete(user_id, item_id, "reject", **options)

    def return_to_sender(self, user_id: str, item_id: int, to: str | None = None, version: int | None = None,
                         note: str = "") -> list[int]:
        with action(self.engine) as conn:
            return actions.return_to_sender(conn, get_user(conn, user_id), item_id, self.clock(),
                                            self.definition_of, to, version, note)

    def withdraw(self, user_id: str, case_id: int, note: str = "") -> int:
        with action(self.engine) as conn:
            user = get_user(conn, user_id)
            check_may_read(conn, user, case_id, self.clock())
            return actions.withdraw(conn, user, case_id, self.clock(), self.definition_of, note)

    def comment(self, user_id: str, case_id: int, text: str) -> int:
        with action(self.engine) as conn:
            user = get_user(conn, user_id)
            check_may_read(conn, user, case_id, self.clock())
            return actions.comment(conn, user, case_id, text, self.clock())

    def tick(self) -> list[tuple[int, str]]:
        """Fire every timer that is due; each in its own transaction. Returns (timer, what it did)."""
        now = self.clock()
        with reading(self.engine) as conn:
            due = timer_rules.due_timers(conn, now)
        fired = []
        for timer_id in due:
            with action(self.engine) as conn:
                what = timer_rules.fire(conn, timer_id, now, self.definition_of)
            if what:
                fired.append((timer_id, what))
        return fired

    # --- reading -----------------------------------------------------------------------------------

    def inbox(self, user_id: str, **filters: Any) -> list[InboxItem]:
        with reading(self.engine) as conn:
            names = partial(_step_name, conn, self.definition_of)
            return inbox(conn, get_user(conn, user_id), self.clock(), step_names=names, **filters)

    def inbox_counts(self, user_id: str, process: str | None = None) -> dict[str, Any]:
        with reading(self.engine) as conn:
            return inbox_counts(conn, get_user(conn, user_id), self.clock(), process=process)

    def cases(self, user_id: str, status: str | None = None, process: str | None = None, limit: int = 100,
              offset: int = 0) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            user = get_user(conn, user_id)
            query = (select(cases, definitions.c.process_id, definitions.c.version.label("def_version"))
                     .join(definitions, definitions.c.id == cases.c.definition_id)
                     .where(readable_case_filter(conn, user, self.clock())))
            if status:
                query = query.where(cases.c.status == status)
            if process:
                query = query.where(definitions.c.process_id == process)
            rows = conn.execute(query.order_by(cases.c.id.desc()).limit(limit).offset(offset))
            return [_case_summary(row) for row in rows]

    def case(self, user_id: str, case_id: int) -> dict[str, Any]:
        """A case as its reader sees it: attributes, status, items (history and open work), comments."""
        with reading(self.engine) as conn:
            user = get_user(conn, user_id)
            check_may_read(conn, user, case_id, self.clock())
            row = conn.execute(select(cases, definitions.c.process_id, definitions.c.version.label("def_version"))
                               .join(definitions, definitions.c.id == cases.c.definition_id)
                               .where(cases.c.id == case_id)).one()
            out = _case_summary(row)
            definition = self.definition_of(conn, row.definition_id)
            out["items"] = [_item_summary(r, definition) for r in
                            conn.execute(select(items).where(items.c.case_id == case_id).order_by(items.c.id))]
            out["comments"] = [{"id": r.id, "author": r.author, "at": _iso(r.at), "text": r.text} for r in
                               conn.execute(select(comments).where(comments.c.case_id == case_id)
                                            .order_by(comments.c.id))]
            return out

    def allowed_actions(self, user_id: str, case_id: int) -> CaseActions:
        """What ``user_id`` may do on the case now (:mod:`bpr.execute.permissions`): the buttons to show."""
        with reading(self.engine) as conn:
            return allowed_actions(conn, get_user(conn, user_id), case_id, self.clock(), self.definition_of)

    def history(self, user_id: str, case_id: int) -> list[dict[str, Any]]:
        """The audit rows of one case (who did what, when), for its readers."""
        with reading(self.engine) as conn:
            check_may_read(conn, get_user(conn, user_id), case_id, self.clock())
            rows = conn.execute(select(audit).where(audit.c.case_id == case_id).order_by(audit.c.seq)).mappings()
            return [AuditRow.of(r).as_dict() for r in rows]

    def notifications(self, user_id: str, limit: int = 100) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            user = get_user(conn, user_id)
            query = (select(notifications).where((notifications.c.user_id == user.id)
                                                 | notifications.c.role.in_(sorted(user.roles)))
                     .order_by(notifications.c.id.desc()).limit(limit))
            return [{"id": r.id, "at": _iso(r.at), "kind": r.kind, "case_id": r.case_id, "item_id": r.item_id,
                     "text": r.text} for r in conn.execute(query)]

    def verify(self, archived: Iterable[AuditRow] = ()) -> Verification:
        with reading(self.engine) as conn:
            return verify(conn, archived)

    # --- going live, the log, the archive ----------------------------------------------------------

    def migrate(self, source_ref: str, target_ref: str, mapping: Mapping[str, str] | None = None,
                dry_run: bool = True, by: str = "admin") -> Migration:
        """Move the open cases of ``source_ref`` to ``target_ref`` (:mod:`bpr.execute.migrate`); with
        ``dry_run`` only say where each would go. Each case moves in a transaction of its own."""
        mapping = dict(mapping or {})
        with reading(self.engine) as conn:
            source, target = latest_definition(conn, source_ref), latest_definition(conn, target_ref)
            if source.process_id != target.process_id:
                raise BadInput(f"{source.ref} and {target.ref} are different processes",
                               "a migration moves cases between versions of one process")
            if source.id == target.id:
                raise BadInput(f"{source.ref} is already the version named", "name the version to move to")
            plan = plan_migration(conn, source, target, mapping)
        if dry_run:
            return plan
        done = Migration(source.ref, target.ref, False)
        for move in plan.cases:
            if not move.ok:
                done.cases.append(move)
                continue
            with action(self.engine) as conn:
                done.cases.append(migrate_case(conn, source, target, move.case_id, mapping, self.clock(), by,
                                               apply=True))
        return done

    def records(self, archives: Iterable[str | os.PathLike[str]] = ()) -> list[ActivityRecord]:
        """The event log of every case: archived ones (from the archive files given) and the store's."""
        out: list[ActivityRecord] = []
        for path in archives:
            engine = open_archive(path)
            try:
                with engine.connect() as conn:
                    out.extend(case_records(conn, _definition_cache()))
            finally:
                engine.dispose()
        with reading(self.engine) as conn:
            out.extend(case_records(conn, self.definition_of))
        return out

    def export_log(self, path: str | os.PathLike[str], archives: Iterable[str | os.PathLike[str]] = ()) -> int:
        """Write the event log to ``path``: XES when it ends in ``.xes``, else CSV. Returns the records."""
        records = sort_records(self.records(archives))
        write_event_log(records, path, log_name="bpr cases")
        return len(records)

    def archive(self, older_than_days: int, path: str | os.PathLike[str], by: str = "admin") -> ArchiveResult:
        return archive_cases(self.engine, path, older_than_days, self.clock(), by)

    def require_auditor(self, user_id: str) -> User:
        user = self.user(user_id)
        if not user.auditor:
            raise Forbidden(f"{user_id} is not an auditor", "the audit trail and exports are for auditors")
        return user


def _iso(moment: datetime | None) -> str | None:
    aware = from_db(moment)
    return aware.isoformat() if aware else None


def _case_summary(row: Any) -> dict[str, Any]:
    return {"id": row.id, "definition": f"{row.process_id}@{row.def_version}", "process": row.process_id,
            "status": row.status, "outcome": row.outcome, "drafter": row.drafter,
            "attributes": loads(row.attributes), "started_at": _iso(row.started_at),
            "ended_at": _iso(row.ended_at), "due_at": _iso(row.due_at), "version": row.version}


def _item_summary(row: Any, definition: Definition) -> dict[str, Any]:
    step = definition.process.step(row.step) if row.step in definition.routing.index else None
    return {"id": row.id, "step": row.step, "step_name": step.label if step else row.step, "kind": row.kind,
            "role": row.role, "status": row.status, "created_at": _iso(row.created_at),
            "claimed_by": row.claimed_by, "done_at": _iso(row.done_at), "done_by": row.done_by,
            "on_behalf_of": row.on_behalf_of, "outcome": row.outcome, "due_at": _iso(row.due_at),
            "escalations": row.escalations, "version": row.version}


def _step_name(conn: Connection, definition_of: Any, process_id: str, version: int, step: str) -> str:
    row = conn.execute(select(definitions.c.id).where(definitions.c.process_id == process_id,
                                                      definitions.c.version == version)).scalar_one()
    definition = definition_of(conn, row)
    return str(definition.process.step(step).label) if step in definition.routing.index else step

