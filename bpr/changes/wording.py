"""Changes in words and back to their file form: what the CLI prints, what reports and redesigns show."""

from __future__ import annotations

from typing import Any

from bpr.changes.base import Change, Words, step_name
from bpr.model.schema import Process

__all__ = ["change_to_data", "describe", "describe_ja", "describe_named", "step_name"]


def _checked(change: Any) -> Change:
    if not isinstance(change, Change):
        raise TypeError(f"not a change: {change!r}")
    return change


def change_to_data(change: Change) -> dict[str, Any]:
    """Change model -> its file form, the shortest that :func:`~bpr.changes.parse_changes` reads back equal."""
    return _checked(change).to_data()


def describe(change: Change) -> str:
    """One plain-English line saying what the change does (for reports and redesign suggestions)."""
    return _checked(change).describe()


def describe_named(change: Change, process: Process | None) -> str:
    """The English line, followed by the display names of the steps it names (``hosa_check (課長補佐審査)``)."""
    line = describe(change)
    if process is None:
        return line
    names = [f"{s} ({step_name(process, s)})" for s in change.named_steps() if step_name(process, s) != s]
    return line + (" — " + "; ".join(names) if names else "")


def describe_ja(change: Change, words: Words) -> str:
    """One Japanese line for a report: 「課長補佐審査・押印」をなくす, not ``remove: hosa_check``."""
    return _checked(change).ja(words)
