"""Run every rule on a process and put the findings in reading order."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bpr.analysis.findings import SEVERITIES, Finding
from bpr.analysis.rules import RULES, Rule
from bpr.analysis.summary import summarize
from bpr.model.graph import build_graph
from bpr.model.schema import Process


@dataclass(frozen=True)
class Analysis:
    """Findings sorted by severity, then by the position of their first step in the file; and the summary
    figures of :func:`bpr.analysis.summary.summarize`."""

    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity (every severity present, zero included)."""
        return {severity: sum(f.severity == severity for f in self.findings) for severity in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "findings": [f.to_dict() for f in self.findings]}


def analyze(process: Process, rules: Iterable[Rule] = RULES) -> Analysis:
    """Findings and summary of a valid process (load it with :mod:`bpr.model.load`, which checks soundness).

    ``rules`` selects which rules run (default all of :data:`~bpr.analysis.rules.RULES`).
    """
    G = build_graph(process)
    index = {step_id: i for i, step_id in enumerate(process.step_ids)}
    found: list[tuple[int, Finding]] = []
    for rule in rules:
        for finding in rule.check(G, process):
            first = index.get(finding.steps[0]) if finding.steps else None
            where = process.location(f"steps[{first}]") if first is not None else None
            found.append((len(found), dataclasses.replace(finding, line=where[0] if where else None)))

    def order(item: tuple[int, Finding]) -> tuple[int, int, str, int]:
        seq, finding = item
        position = min((index.get(s, len(index)) for s in finding.steps), default=len(index))
        return (SEVERITIES.index(finding.severity), position, finding.rule, seq)

    return Analysis([finding for _, finding in sorted(found, key=order)], summarize(G, process))
