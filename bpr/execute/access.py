"""Who may do and see what: the engine's documented rules, in one place (docs/execute.md, "Who may do what").

**Act on an item** (claim, release, complete, approve, reject, return): the user holds the item's role
(its deciding role after delegation, 専決), or stands in for an absent user who does (代決: recorded *on
behalf of* that user). An item someone has claimed is theirs: others may act on it only as that person's
substitute while they are away. A wait (an outside reply) is recorded by whoever holds the role of the work
before it.

**Decide an approval** (approve, reject): besides the above, the deciding person's authority (the highest
``authority`` of their roles in the case's definition) must reach the level the step's
``required_authority`` sets for the case. A substitute decides with their own authority.

**Read a case**: its drafter; anyone who acted on it; anyone who holds the role of one of its open items or
stands in for such a user; and auditors (every case). Anyone else is told the case does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Connection

from bpr.execute.definitions import Definition
from bpr.execute.errors import Conflict, Forbidden, NotFound, Refused
from bpr.execute.people import User, authority_in, standing_for
from bpr.execute.store import cases, items
from bpr.model.conditions import ConditionError, compiled
from bpr.model.schema import Approval

__all__ = ["Acting", "acting_on", "check_authority", "readable_case_filter", "required_level", "check_may_read"]


@dataclass(frozen=True)
class Acting:
    """How a user acts on an item: as themself (``on_behalf_of`` None) or for an absent user (代決)."""

    user: User
    on_behalf_of: str | None


def acting_on(conn: Connection, user: User, item: Any, at: datetime) -> Acting:
    """May ``user`` act on ``item`` (a row of items) at ``at``? Raises :class:`Forbidden` if not."""
    if item.status not in ("open", "claimed"):
        by = f" by {item.done_by}" if item.done_by else ""
        raise Conflict(f"item {item.id} ({item.step}) is {item.status}{by} already: nothing is left to do on it",
                       "reload your inbox")
    absent_for = standing_for(conn, user.id, at)
    if item.claimed_by and item.claimed_by != user.id:
        if any(u.id == item.claimed_by for u in absent_for):
            return Acting(user, item.claimed_by)
        raise Forbidden(f"item {item.id} ({item.step}) is claimed by {item.claimed_by}",
                        "they can release it, or act through an absence with you as substitute")
    role = item.role
    if role == "":  # a wait with no work before it: the drafter records the reply
        drafter = conn.execute(select(cases.c.drafter).where(cases.c.id == item.case_id)).scalar()
        if drafter == user.id:
            return Acting(user, None)
    elif role in user.roles:
        return Acting(user, None)
    for other in absent_for:
        if role in other.roles:
            return Acting(user, other.id)
    raise Forbidden(f"item {item.id} ({item.step}) is for role {role or 'the drafter'}; {user.id} does not hold it",
                    "only holders of the role, or the substitute of an absent holder, may act on it")


def required_level(definition: Definition, step_id: str, attributes: dict[str, Any]) -> int:
    """The authority level the step's ``required_authority`` sets for a case (0: none)."""
    step = definition.process.step(step_id)
    if not isinstance(step, Approval):
        return 0
    for rule in step.required_authority:
        try:
            if rule.when is None or compiled(rule.when).evaluate(attributes):
                return rule.level
        except ConditionError as error:
            raise Refused(f"step {step_id!r}: required_authority cannot be read for this case: {error}") from None
    return 0


def check_authority(definition: Definition, acting: Acting, step_id: str, attributes: dict[str, Any]) -> None:
    level = required_level(definition, step_id, attributes)
    have = authority_in(acting.user, definition)
    if have < level:
        raise Refused(f"deciding {step_id} for this case needs authority {level}; {acting.user.id} has {have}",
                      "the item goes to someone with that authority (決裁権者), or escalates when overdue")


def readable_case_filter(conn: Connection, user: User, at: datetime) -> Any:
    """A WHERE clause on ``cases`` selecting what ``user`` may read (module docstring)."""
    if user.auditor:
        return cases.c.id.is_not(None)
    roles = set(user.roles)
    for other in standing_for(conn, user.id, at):
        roles |= other.roles
    acted = exists().where(items.c.case_id == cases.c.id,
                           or_(items.c.done_by == user.id, items.c.claimed_by == user.id,
                               items.c.on_behalf_of == user.id))
    holds = exists().where(items.c.case_id == cases.c.id, items.c.status.in_(("open", "claimed")),
                           items.c.role.in_(sorted(roles)))
    return or_(cases.c.drafter == user.id, acted, holds)


def check_may_read(conn: Connection, user: User, case_id: int, at: datetime) -> None:
    found = conn.execute(select(cases.c.id).where(cases.c.id == case_id,
                                                  readable_case_filter(conn, user, at))).first()
    if found is None:
        raise NotFound(f"no case {case_id}", "or it is not yours to see: ask its drafter or an auditor")

