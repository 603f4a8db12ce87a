"""Why the service refuses or cannot do something, as located issues; a face says it its own way.

    BprError
    └── ServiceError        carries its issues, like a ModelError
        ├── Refused         the request cannot run as asked: the engine refuses the process, too long a run
        ├── Busy            too many runs queued or running; ``retry_after`` seconds until a slot is likely free
        ├── NoSuchJob       no job has this id
        └── JobOver         the job has already ended (it cannot be cancelled)

The REST face answers them with 422, 429 (and ``Retry-After``), 404 and 409 (:mod:`bpr.api.errors`).
"""

from __future__ import annotations

from typing import Self

from bpr.errors import BprError, Issue, ModelError

__all__ = ["REQUEST", "SERVER", "Busy", "JobOver", "NoSuchJob", "Refused", "ServiceError", "issues_of"]

REQUEST = "<request>"
"""The ``file`` of issues about the request itself rather than a process file."""

SERVER = "<server>"
"""The ``file`` of issues about the service (busy, stopped, an internal error), not about the request."""


class ServiceError(BprError):
    """A refusal of the service: ``issues`` says what and, where it can, how to do better."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(issue.format() for issue in issues))
        self.issues = issues

    @classmethod
    def one(cls, message: str, path: str = "", hint: str | None = None, file: str = REQUEST) -> Self:
        return cls([Issue(message, path=path, file=file, hint=hint)])


class Refused(ServiceError):
    """The request cannot run as asked (the process cannot be simulated, the run would take too long)."""


class Busy(ServiceError):
    """Too many runs are queued or running; a slot is likely free in ``retry_after`` seconds."""

    def __init__(self, issues: list[Issue], retry_after: int) -> None:
        super().__init__(issues)
        self.retry_after = retry_after


class NoSuchJob(ServiceError):
    """No job has the id asked for."""


class JobOver(ServiceError):
    """The job has already ended: done, failed or cancelled."""


def issues_of(error: BprError) -> list[Issue]:
    """The located issues of a library error (a plain BprError becomes one issue with its text)."""
    if isinstance(error, ModelError):
        return list(error.issues)
    if isinstance(error, ServiceError):
        return list(error.issues)
    return [Issue(str(error), file=REQUEST)]
