"""Changes in plain words for the report, naming steps and roles by their display names.

Each change kind words itself (:mod:`bpr.changes`): English is the line the CLI prints with display names
next to the ids; Japanese, because a report for a mayor or a council should say 「課長補佐審査・押印」をなくす,
not ``remove: hosa_check``. This module passes the report's own ways of writing channels, conditions and
durations (:mod:`bpr.render.labels`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bpr.changes import Change, Words, describe_ja, describe_named, parse_changes
from bpr.changes.base import step_name
from bpr.model.schema import Process
from bpr.render.labels import channel_name, format_condition, format_minutes

__all__ = ["change_line", "change_lines", "step_name"]


def _words(process: Process | None) -> Words:
    return Words(process, channel=lambda channel: channel_name(channel, "ja"), condition=format_condition,
                 minutes=lambda minutes: format_minutes(minutes, "ja"))


def change_line(change: Change | dict[str, Any], process: Process | None, lang: str) -> str:
    """One line saying what ``change`` does; ``process`` is the version it applies to (for names)."""
    if isinstance(change, dict):
        (change,) = parse_changes([change])
    return describe_ja(change, _words(process)) if lang == "ja" else describe_named(change, process)


def change_lines(changes: Iterable[Change | dict[str, Any]], process: Process | None, lang: str) -> list[str]:
    return [change_line(change, process, lang) for change in changes]
