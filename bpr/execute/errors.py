"""Errors of the workflow engine: each says what was refused and why, in words a clerk can act on.

    WorkflowError (a BprError)
    ├── NotFound      no such case, item, user or definition (or the user may not see it: same answer)
    ├── Forbidden     the user may not do this (not their role, not the drafter, not their case)
    ├── Refused       the rules of the process refuse it (authority too low, the next actor has started)
    ├── Conflict      someone else changed the item first (two people finishing the same item)
    └── BadInput      attributes, dates or a mapping that cannot be used

The faces map them to exit code 2 (CLI) and to 404, 403, 422, 409, 422 (REST).
"""

from __future__ import annotations

from bpr.errors import BprError

__all__ = ["BadInput", "Conflict", "Forbidden", "NotFound", "Refused", "WorkflowError"]


class WorkflowError(BprError):
    """Base of the engine's refusals; ``hint`` says what to do instead, when there is something to do."""

    status = 400

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}" if hint else message)


class NotFound(WorkflowError):
    status = 404


class Forbidden(WorkflowError):
    status = 403


class Refused(WorkflowError):
    status = 422


class Conflict(WorkflowError):
    status = 409


class BadInput(WorkflowError):
    status = 422
