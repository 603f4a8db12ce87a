"""From findings to one change list that can be applied in one go.

Several rules may suggest changes to the same step (a rubber stamp that is also repeated later gets
``remove`` twice; a pair may be both mergeable and removable). Applied blindly, the second change would
name a step that no longer exists. :func:`suggested_changes` keeps the first suggestion for each step, in
the order of the findings (most serious first), and drops later ones that touch a step already removed,
merged away or restructured; given the process, it also drops any change that no longer applies after
the ones before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bpr.analysis.findings import Finding
from bpr.changes import apply_changes, parse_changes
from bpr.errors import BprError
from bpr.model.schema import Process

_RESHAPING = ("remove", "merge", "parallelize")
"""Changes after which the steps they name no longer stand where they stood."""


def _touched(change: dict[str, Any]) -> list[str]:
    ((kind, value),) = change.items()
    if kind == "remove":
        return [value]
    if kind in ("merge", "parallelize"):
        return list(value["steps"] if isinstance(value, dict) else value)
    if kind == "digitize":
        return list(value["steps"] if isinstance(value, dict) else value)
    if kind in ("delegate", "batch", "set"):
        return [value["step"]]
    return []


def suggested_changes(findings: Iterable[Finding], process: Process | None = None) -> list[dict[str, Any]]:
    """The findings' suggestions as one change list without conflicts (see module docstring).

    With ``process`` (the one analysed), each change is also tried on the result of the ones kept before
    it and dropped if it no longer applies: a removal reroutes returns and branches, which can turn a
    later suggestion (a parallel chain, a merge) into one the change language refuses. The list then
    applies as a whole, for certain.
    """
    changes: list[dict[str, Any]] = []
    reshaped: set[str] = set()
    current = process
    for finding in findings:
        change = finding.suggestion
        if not change or change in changes:
            continue
        steps = _touched(change)
        if reshaped & set(steps):
            continue
        if current is not None:
            try:
                current = apply_changes(current, parse_changes([change]))
            except BprError:
                continue
        if next(iter(change)) in _RESHAPING:
            reshaped.update(steps)
        changes.append(change)
    return changes
