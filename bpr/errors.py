"""Errors raised by bpr.

Every error a user can cause carries enough to be fixed without reading code: the file, line and
column, the path to the offending field, a message with the bad value, and where possible a hint.

    BprError
    ├── ModelError          a process file or change list is invalid (carries every Issue at once)
    ├── ChangeError         a change cannot be applied to a process (names the change)
    └── SimulationError     a simulation cannot run as configured (bad options, overloaded horizon)

``Issue`` is one located problem; the CLI (exit 2) and the REST service (422) show the same text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem at ``file:line:column`` in the field at ``path`` (e.g. ``steps[1].duration``)."""

    message: str
    path: str = ""
    file: str = "<input>"
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: str = field(default="error")

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.column or 0, self.path)

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.path + ': ' if self.path else ''}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def format_issues(issues: tuple[Issue, ...] | list[Issue]) -> str:
    """All issues, one line each, in the order given."""
    return "\n".join(issue.format() for issue in issues)


def path_text(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """``("steps", 1, "duration")`` -> ``steps[1].duration``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class BprError(Exception):
    """Base of all errors that bpr raises on purpose."""


class ModelError(BprError):
    """A process file is invalid; ``issues`` holds every problem found, sorted by position."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues: tuple[Issue, ...] = tuple(sorted(issues, key=Issue.sort_key))
        super().__init__(format_issues(self.issues))


class ChangeError(ModelError):
    """A change does not apply; the issue's path names the change (``changes[2].remove``)."""


class SimulationError(BprError):
    """A simulation cannot run with the given configuration."""
