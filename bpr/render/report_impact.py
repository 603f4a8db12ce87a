"""The change list behind a report's after file, read for the impact of each change.

The impact itself is simulated by :mod:`bpr.study.impact` and drawn by
:func:`bpr.render.report_sections.impact_section`.
"""

from __future__ import annotations

from bpr.model.changes import Change, parse_changes
from bpr.model.load import read_yaml

__all__ = ["change_list"]


def change_list(text: str | bytes, file: str) -> tuple[Change, ...] | None:
    """The changes of a change-list file (``base:`` + ``changes:``), or ``None`` for a complete process file."""
    data, locations = read_yaml(text, file)
    if not isinstance(data, dict) or "changes" not in data or "base" not in data:
        return None
    return parse_changes(data["changes"], file=file, locations=locations)
