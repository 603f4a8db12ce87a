"""Applying changes: each one rewires the process in file form, and the result is rebuilt and checked.

Applying works on the process in file form (``process_to_data``), rewires it, and rebuilds it with
``process_from_data`` after *each* change, so every check of a process file runs again and a change that
breaks the process is named as the culprit. The exact rules are in ``docs/changes.md``.
"""

from __future__ import annotations

import copy
from typing import Any

from bpr.changes.base import Change, Refused
from bpr.changes.parse import change_issue, parse_changes
from bpr.changes.wording import change_to_data
from bpr.errors import ChangeError, Issue, ModelError
from bpr.model.load import process_from_data, process_to_data
from bpr.model.schema import Process

__all__ = ["apply_changes"]


def apply_changes(process: Process, changes: Any, file: str = "<input>") -> Process:
    """Apply ``changes`` in order; the result is a new, fully checked Process (raises :class:`ChangeError`).

    ``changes`` are change models (from :func:`parse_changes`) or their file form (``{"remove": "x"}``).
    ``file`` names where the changes were written, for the locations of errors.
    """
    changes = list(changes)
    if any(isinstance(change, dict) for change in changes):  # file form, e.g. a finding's suggestion
        changes = list(parse_changes([c if isinstance(c, dict) else change_to_data(c) for c in changes], file=file))
    for index, change in enumerate(changes):
        data = copy.deepcopy(process_to_data(process))
        # The start is made explicit while rewiring, so that it follows the step it names even when
        # that step is removed or moves from the head of the list; it is left implicit again if it can be.
        implicit_start = not data.get("start")
        data["start"] = process.start_step
        breaches_before = _segregation_breaches(data)
        try:
            change.apply(data, process)
            _refuse_new_breaches(breaches_before, _segregation_breaches(data))
        except Refused as refused:
            raise ChangeError([change_issue(change, index, file, refused.loc, refused.message, refused.hint)]) from None
        if implicit_start and data["start"] == data["steps"][0]["id"]:
            del data["start"]
        try:
            process = process_from_data(data, file=file)
        except ModelError as error:
            raise ChangeError(_invalid_issues(error, change, index, file, data)) from None
    return process


def _invalid_issues(error: ModelError, change: Change, index: int, file: str, data: dict[str, Any]) -> list[Issue]:
    """The rebuilt process failed a check: name the change, and say what broke where."""
    issues = []
    for inner in error.issues:
        where = f"{inner.path}: " if inner.path else ""
        message = f"makes the process invalid: {where}{inner.message}"
        issues.append(change_issue(change, index, file, change.invalid_loc(inner.path, data), message, inner.hint))
    return issues


def _performers(step: dict[str, Any]) -> set[str]:
    """Roles that may perform a step: its role and the roles it is delegated to."""
    roles = {step["role"]} if step.get("role") else set()
    roles |= {d["role"] for d in step.get("delegations", []) or []}
    return roles


def _segregation_breaches(data: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(controlled step, step it must be separate from) -> roles that would perform both."""
    steps = {step["id"]: step for step in data["steps"]}
    out: dict[tuple[str, str], set[str]] = {}
    for step in data["steps"]:
        control = step.get("control") or {}
        for other in control.get("separate_from", []) or []:
            if other in steps:
                shared = _performers(step) & _performers(steps[other])
                if shared:
                    out[(step["id"], other)] = shared
    return out


def _refuse_new_breaches(before: dict[tuple[str, str], set[str]], after: dict[tuple[str, str], set[str]]) -> None:
    """A change may not let one role do two steps that a control keeps apart (a breach already in the
    base process is the base's problem, not the change's)."""
    for (controlled, other), roles in after.items():
        new = roles - before.get((controlled, other), set())
        if new:
            raise Refused(
                f"role {min(new)!r} would do both {other!r} and {controlled!r}, which a control of "
                f"{controlled!r} keeps apart (segregation of duties)",
                (),
                "give one of the steps to another role",
            )
