"""The change list behind a report's after file, read for the impact of each change.

The impact itself is simulated by :mod:`bpr.study.impact` and drawn by
:func:`bpr.render.report_sections.impact_section`.
"""

from __future__ import annotations

from bpr.changes import Change, read_change_list

__all__ = ["change_list"]


def change_list(text: str | bytes, file: str) -> tuple[Change, ...] | None:
    """The changes of a change-list file (``base:`` + ``changes:``), or ``None`` for a complete process file."""
    listed = read_change_list(text, file)
    return None if listed is None else listed.parse()
