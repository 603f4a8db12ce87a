"""From findings to one change list that can be applied in one go.

Several rules may suggest changes to the same step (a rubber stamp that is also repeated later gets
``remove`` twice; a pair may be both mergeable and removable). Applied blindly, the second change would
name a step that no longer exists. :func:`suggested_changes` keeps the first suggestion for each step, in
the order of the findings (most serious first), and drops later ones that touch a step already removed,
merged away or restructured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bpr.analysis.findings import Finding

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


def suggested_changes(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The findings' suggestions as one change list without conflicts (see module docstring)."""
    changes: list[dict[str, Any]] = []
    reshaped: set[str] = set()
    for finding in findings:
        change = finding.suggestion
        if not change or change in changes:
            continue
        steps = _touched(change)
        if reshaped & set(steps):
            continue
        kind = next(iter(change))
        if kind in _RESHAPING:
            reshaped.update(steps)
        changes.append(change)
    return changes
