"""Waiting made on purpose: approvers who clear their in-tray only at set times."""

from __future__ import annotations

import networkx as nx

from bpr.analysis.findings import Finding, RuleInfo
from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval, Process

BATCHED = RuleInfo("BPR401", "batched-approval", "info", "an approval that waits for an in-tray sweep")


def batched_approvals(G: nx.DiGraph, process: Process) -> list[Finding]:
    """BPR401: an approval with ``batch`` times; working the in-tray continuously removes that wait."""
    out: list[Finding] = []
    for step in process.steps:
        if isinstance(step, Approval) and step.batch is not None:
            times = ", ".join(step.batch) if step.batch else "no set time"
            message = (
                f"{step_label(process, step.id)}: {role_label(process, step.role)} clears the in-tray only at "
                f"{times}, so every case waits for the next sweep"
            )
            out.append(BATCHED.finding((step.id,), message, {"batch": {"step": step.id, "at": None}}))
    return out
