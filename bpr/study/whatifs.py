"""Rules: what-ifs that find their own changes in each process of a sweep.

A city asks the same question of every procedure ("what if we stopped re-keying?"), but the steps differ
from one process to the next. A rule turns the question into the change list of one process:

==================  ==========================================================================================
``digitize-rekey``   ``digitize`` every step that re-keys data (the analysis's BPR301 suggestions); with
                     ``factor: 0.7`` their durations are multiplied by it, without it each step takes its
                     own ``digital_duration`` of the process file or keeps its duration (as ``digitize``
                     does: durations change only by a claim someone stated)
``remove-dominated`` ``remove`` every approval whose checks a later, equal or higher approval repeats (BPR101)
``delegate``         ``delegate`` approvals decided above the authority the case needs (BPR104)
``parallelize``      run serial approvals with disjoint checks side by side (BPR105)
``suggestions``      every suggestion of the analysis, or those of ``rules: [BPR101, BPR301]``, without conflicts
``add-staff``        ``add`` staff (default 1) to each role busier than ``above`` (default 0.85) in the
                     process's own baseline run: the only rule that needs a simulation first
==================  ==========================================================================================

A rule that finds nothing to change in a process gives *no change* for it (no run, a row that says so);
the analysis rules come from :func:`bpr.analysis.suggested_changes`, so every list they give applies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bpr.analysis import analyze, suggested_changes
from bpr.model import load
from bpr.model.schema import Process

__all__ = ["DEFAULT_RULES", "RULES", "Resolution", "check_rule", "needs_baseline", "resolve_rule"]

_ANALYSIS_RULES = {"digitize-rekey": ("BPR301",), "remove-dominated": ("BPR101",), "delegate": ("BPR104",),
                   "parallelize": ("BPR105",)}
_KNOWN_FINDINGS = ("BPR101", "BPR102", "BPR103", "BPR104", "BPR105", "BPR203", "BPR301", "BPR302", "BPR401")
"""Rule ids of the analysis whose findings carry a suggested change."""

RULES: dict[str, dict[str, Any]] = {
    "digitize-rekey": {"factor": None},
    "remove-dominated": {},
    "delegate": {},
    "parallelize": {},
    "suggestions": {"rules": None},
    "add-staff": {"above": 0.85, "add": 1},
}
"""Rule name -> its parameters and their defaults."""

DEFAULT_RULES = ("digitize-rekey", "remove-dominated", "add-staff")
"""The rules a catalogue folder is swept with when none are named."""


@dataclass(frozen=True)
class Resolution:
    """The changes a rule found for one process; empty with a ``note`` when it found none."""

    changes: tuple[dict[str, Any], ...]
    note: str = ""


def needs_baseline(rule: str) -> bool:
    """True for a rule that reads the process's baseline run (``add-staff``)."""
    return rule == "add-staff"


def check_rule(rule: Any, params: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """Problems of a rule as written: (message, field, hint) each; empty when it is fine."""
    if rule not in RULES:
        return [(f"unknown rule {rule!r}; rules: {', '.join(RULES)}", "rule", load.close_match(rule, list(RULES)))]
    problems: list[tuple[str, str, str | None]] = []
    if rule == "add-staff":
        above, add = params.get("above", 0.85), params.get("add", 1)
        if isinstance(above, bool) or not isinstance(above, (int, float)) or not 0 < above < 1:
            problems.append((f"'above' is a utilisation between 0 and 1, got {above!r}", "above", "above: 0.85"))
        if isinstance(add, bool) or not isinstance(add, int) or not 1 <= add <= 1000:
            problems.append((f"'add' is a whole number of staff from 1 to 1000, got {add!r}", "add", "add: 1"))
    if rule == "digitize-rekey" and "factor" in params:
        factor = params["factor"]
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 1:
            problems.append((f"'factor' multiplies the durations of the digitised steps: a number in (0, 1], "
                             f"got {factor!r}", "factor", "factor: 0.7"))
    if rule == "suggestions" and params.get("rules") is not None:
        ids = params["rules"]
        if not isinstance(ids, list) or not ids:
            problems.append(("'rules' is a list of analysis rule ids", "rules", "rules: [BPR101, BPR301]"))
        else:
            for rule_id in ids:
                if rule_id not in _KNOWN_FINDINGS:
                    problems.append((f"no analysis rule {rule_id!r} suggests changes; these do: "
                                     f"{', '.join(_KNOWN_FINDINGS)}", "rules", load.close_match(rule_id, list(_KNOWN_FINDINGS))))
    return problems


def resolve_rule(rule: str, params: Mapping[str, Any], process: Process,
                 baseline: Mapping[str, Sequence[float]] | None = None) -> Resolution:
    """The change list of ``rule`` for ``process``; ``baseline`` holds the per-replication values of its
    baseline run (:attr:`bpr.simulate.SimulationResult.values`), needed by :func:`needs_baseline` rules."""
    if needs_baseline(rule):
        if baseline is None:
            raise ValueError(f"rule {rule!r} needs the baseline run of {process.id!r}")
        return _add_staff(process, float(params.get("above", 0.85)), int(params.get("add", 1)), baseline)
    if rule in _ANALYSIS_RULES:
        found = _from_analysis(process, _ANALYSIS_RULES[rule], rule)
        factor = params.get("factor")
        if rule == "digitize-rekey" and found.changes and factor is not None:
            steps = [step for change in found.changes for step in change["digitize"]]
            return Resolution(({"digitize": {"steps": steps, "factor": float(factor)}},))
        return found
    ids = params.get("rules")
    return _from_analysis(process, tuple(ids) if ids else None, rule)


def _from_analysis(process: Process, ids: tuple[str, ...] | None, rule: str) -> Resolution:
    findings = [f for f in analyze(process).findings if ids is None or f.rule in ids]
    changes = suggested_changes(findings, process)
    if not changes:
        which = f" ({', '.join(ids)})" if ids else ""
        return Resolution((), f"the analysis suggests no change{which}")
    return Resolution(tuple(changes))


def _add_staff(process: Process, above: float, add: int, baseline: Mapping[str, Sequence[float]]) -> Resolution:
    staff: dict[str, int] = {}
    for role_id, role in process.roles.items():
        values = [v for v in baseline.get(f"role.{role_id}.utilisation", ()) if not math.isnan(v)]
        if not isinstance(role.staff, int) or role.external or not values:
            continue
        if math.fsum(values) / len(values) > above:
            staff[role_id] = role.staff + add
    if not staff:
        return Resolution((), f"no role is busier than {above:.0%}")
    return Resolution(({"staff": staff},))
