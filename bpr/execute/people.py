"""Users, their roles, their tokens and their absences (with substitutes, 代決).

A user holds roles by the ids process files use (``kacho``, ``zaisei``). Their **authority** in a
definition is the highest ``authority`` of the roles they hold there. A token identifies a user to the REST
face; only its SHA-256 is stored.

**Absence and substitute.** A user records an absence (from–to) and names a substitute whose authority (in
every deployed definition where the absent user has one) is at least their own. While the absence lasts,
the substitute sees the absent user's work in their inbox and may act on it; the audit records the action
as the substitute's, *on behalf of* the absent user (代決).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from bpr.execute.audit import append
from bpr.execute.definitions import Definition, list_definitions
from bpr.execute.errors import BadInput, NotFound, Refused
from bpr.execute.store import absences, from_db, to_db, user_roles, users
from bpr.model.schema import ID_PATTERN

__all__ = [
    "Absence", "User", "absent", "add_absence", "add_user", "authority_in", "get_user", "list_absences", "list_users",
    "new_token", "set_roles", "standing_for",
    "user_for_token",
]

_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    roles: frozenset[str]
    auditor: bool
    active: bool

    def summary(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "roles": sorted(self.roles), "auditor": self.auditor}


@dataclass(frozen=True)
class Absence:
    id: int
    user_id: str
    starts: datetime
    ends: datetime
    substitute_id: str

    def summary(self) -> dict[str, object]:
        return {"id": self.id, "user": self.user_id, "substitute": self.substitute_id,
                "from": self.starts.isoformat(), "to": self.ends.isoformat()}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(conn: Connection, user_id: str, name: str, roles: Iterable[str], by: str, at: datetime,
             auditor: bool = False) -> tuple[User, str]:
    """Create a user with ``roles``; returns the user and their new token (shown once, stored hashed)."""
    roles = sorted(set(roles))
    for text in (user_id, *roles):
        if not _ID.match(text) or len(text) > 64:
            raise BadInput(f"{text!r} is not an id", "ids are ASCII letters, digits and _, starting with a letter")
    if conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is not None:
        raise Refused(f"user {user_id!r} exists already")
    token = secrets.token_urlsafe(24)
    conn.execute(insert(users).values(id=user_id, name=name or user_id, token_hash=_token_hash(token),
                                      auditor=auditor, active=True, created_at=to_db(at)))
    for role in roles:
        conn.execute(insert(user_roles).values(user_id=user_id, role=role))
    append(conn, at, by, "add_user", detail={"user": user_id, "roles": roles, "auditor": auditor})
    return get_user(conn, user_id), token


def set_roles(conn: Connection, user_id: str, roles: Iterable[str], by: str, at: datetime) -> User:
    get_user(conn, user_id)
    roles = sorted(set(roles))
    conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id))
    for role in roles:
        conn.execute(insert(user_roles).values(user_id=user_id, role=role))
    append(conn, at, by, "set_roles", detail={"user": user_id, "roles": roles})
    return get_user(conn, user_id)


def new_token(conn: Connection, user_id: str, by: str, at: datetime) -> str:
    get_user(conn, user_id)
    token = secrets.token_urlsafe(24)
    conn.execute(update(users).where(users.c.id == user_id).values(token_hash=_token_hash(token)))
    append(conn, at, by, "new_token", detail={"user": user_id})
    return token


def get_user(conn: Connection, user_id: str) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user {user_id!r}", "add the user first (bpr cases user add)")
    roles = frozenset(conn.execute(select(user_roles.c.role).where(user_roles.c.user_id == user_id)).scalars())
    return User(row.id, row.name, roles, row.auditor, row.active)


def list_users(conn: Connection) -> list[User]:
    return [get_user(conn, user_id) for user_id in conn.execute(select(users.c.id).order_by(users.c.id)).scalars()]


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(select(users.c.id).where(users.c.token_hash == _token_hash(token),
                                                users.c.active.is_(True))).first()
    return None if row is None else get_user(conn, row.id)


def authority_in(user: User, definition: Definition) -> int:
    """The user's authority in a definition: the highest of the roles they hold there (0 when none)."""
    roles = definition.process.roles
    return max((roles[r].authority for r in user.roles if r in roles), default=0)


def add_absence(conn: Connection, user: User, starts: datetime, ends: datetime, substitute_id: str,
                at: datetime) -> Absence:
    """``user`` will be away from ``starts`` to ``ends``; ``substitute_id`` acts for them (代決)."""
    if ends <= starts:
        raise BadInput(f"the absence ends ({ends.isoformat()}) before it starts ({starts.isoformat()})")
    if substitute_id == user.id:
        raise BadInput("a user cannot be their own substitute")
    substitute = get_user(conn, substitute_id)
    for definition in list_definitions(conn):
        need = authority_in(user, definition)
        have = authority_in(substitute, definition)
        if need and have < need:
            raise Refused(f"{substitute.id}'s authority in {definition.ref} is {have}, below {user.id}'s {need}",
                          "name a substitute with at least the same authority (代決者)")
    new_id = conn.execute(insert(absences).values(user_id=user.id, starts=to_db(starts), ends=to_db(ends),
                                                  substitute_id=substitute_id, created_at=to_db(at))
                          ).inserted_primary_key[0]  # type: ignore[index]
    append(conn, at, user.id, "absence", detail={"from": starts.isoformat(), "to": ends.isoformat(),
                                                 "substitute": substitute_id})
    return Absence(new_id, user.id, starts, ends, substitute_id)


def standing_for(conn: Connection, substitute_id: str, at: datetime) -> list[User]:
    """The users who are away at ``at`` and named ``substitute_id`` as their substitute."""
    moment = to_db(at)
    ids = conn.execute(select(absences.c.user_id).where(absences.c.substitute_id == substitute_id,
                                                        absences.c.starts <= moment, absences.c.ends > moment)
                       ).scalars()
    return [get_user(conn, user_id) for user_id in sorted(set(ids))]


def absent(conn: Connection, user_id: str, at: datetime) -> bool:
    moment = to_db(at)
    return conn.execute(select(absences.c.id).where(absences.c.user_id == user_id, absences.c.starts <= moment,
                                                    absences.c.ends > moment)).first() is not None


def list_absences(conn: Connection, user_id: str | None = None) -> list[Absence]:
    query = select(absences).order_by(absences.c.starts)
    if user_id is not None:
        query = query.where((absences.c.user_id == user_id) | (absences.c.substitute_id == user_id))
    out = []
    for row in conn.execute(query):
        starts, ends = from_db(row.starts), from_db(row.ends)
        assert starts is not None and ends is not None
        out.append(Absence(row.id, row.user_id, starts, ends, row.substitute_id))
    return out
