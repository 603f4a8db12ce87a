"""Steps a redesign must not take away because the law or an outside body requires them.

A step is a **required control** when it says so (``control:``) or its role does (``roles.X.control``: a
statutory committee such as 介護認定審査会); :meth:`bpr.model.schema.Process.required_control` answers
that. The rules never suggest removing, merging or bypassing such a step.

A step that only **looks** statutory — a committee, council, board or outside body by its name, the name
or department of its role, or a role that sits on a few set days (a calendar with ``nth``, ``every_weeks``
or ``month_days``, or one weekday) — is not suggested for removal either, and the finding says how to mark
it (:func:`statutory_hint`): bpr cannot know the law, the analyst can.
"""

from __future__ import annotations

import re

from bpr.analysis.text import step_label
from bpr.model.schema import Approval, Calendar, Process, Task, Wait

__all__ = ["looks_statutory", "statutory_hint"]

_BODY = re.compile(r"審査会|委員会|協議会|審議会|評議会|会議|理事会|議会|専門部会|committee|council|board|panel|"
                   r"tribunal|commission|assembly", re.IGNORECASE)


def _sits_on_set_days(calendar: Calendar) -> bool:
    return not calendar.always and (calendar.nth is not None or calendar.every_weeks is not None
                                    or calendar.month_days is not None or len(calendar.days) == 1)


def looks_statutory(process: Process, step_id: str) -> bool:
    """Whether step ``step_id`` looks like a committee, council or outside body that is not marked as a
    required control (see the module docstring); ``False`` for a step already marked."""
    if process.required_control(step_id) is not None:
        return False
    step = process.step(step_id)
    if isinstance(step, Wait):
        return step.party in ("committee", "external")
    if not isinstance(step, (Task, Approval)):
        return False
    role = process.roles.get(step.role)
    texts = [step.id, step.name, step.role]
    if role is not None:
        texts += [role.name, role.department]
    if any(_BODY.search(text) for text in texts if text):
        return True
    if role is not None and role.calendar is not None and role.calendar in process.calendars:
        return _sits_on_set_days(process.calendars[role.calendar])
    return False


def statutory_hint(process: Process, step_id: str) -> str:
    """The sentence a finding adds about a step that looks statutory: how to mark it."""
    step = process.step(step_id)
    role = getattr(step, "role", None)
    where = (f"'control: {{kind: legal, basis: …}}' on the step, or on its role {role!r} (every step of the "
             "role is then kept)" if role else "'control: {kind: legal, basis: …}' on the step")
    return (f"{step_label(process, step_id)} looks like a committee, council or outside body; if the law requires "
            f"it (法定), mark it as a required control with {where}, so that no redesign removes or bypasses it")
