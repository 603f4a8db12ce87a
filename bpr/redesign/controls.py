"""Required controls survive a redesign: the check that says which ones a redesign weakens.

A step with ``control:`` is a required control (legal basis, segregation of duties, audit). The change
language already refuses to remove or merge such a step, and refuses a change that lets one role perform a
step and one of its ``separate_from`` steps. :func:`weakened_controls` checks a finished redesign as a
whole, whichever way it was written (a change list, or a complete "after" file), and says in plain words
what got weaker:

1. a control step is gone, or no longer marked ``control:``, or its kind changed;
2. a role performs both a control step and one of the steps it must be separate from (its own role or a
   role it is delegated to), where no role did before; a ``separate_from`` partner that disappeared is
   reported too (who prepares the case now is no longer visible);
3. every case of a channel passed the control before, and some no longer do (rewired around it; a valid
   process has no unreachable step, so a control no case reaches cannot occur);
4. cases decided below the authority their ``required_authority`` row asks (analysis rule BPR106) at a
   step where that did not happen before; and a control step now decided by a less senior role than before.

Channels that the redesign adds (an online stream) are not compared: their path is new by design.
"""

from __future__ import annotations

from typing import Any

from bpr.analysis import RULES_BY_ID, analyze
from bpr.analysis.flow import post_dominators
from bpr.analysis.text import role_label, step_label
from bpr.model.graph import build_graph
from bpr.model.schema import Approval, Process, Task

__all__ = ["control_steps", "controls_summary", "performers", "segregation_conflict", "weakened_controls"]

INSUFFICIENT_AUTHORITY = "BPR106"


def control_steps(process: Process) -> list[str]:
    """Ids of the steps marked as required controls, in file order."""
    return [step.id for step in process.steps if process.required_control(step.id) is not None]


def performers(process: Process, step_id: str) -> set[str]:
    """Roles that may perform a step: its own role and every role it is delegated to."""
    try:
        step = process.step(step_id)
    except KeyError:
        return set()
    roles = {step.role} if isinstance(step, (Task, Approval)) else set()
    if isinstance(step, Approval):
        roles |= {d.role for d in step.delegations}
    return roles


def segregation_conflict(process: Process, step_id: str, role: str) -> str | None:
    """Why giving ``step_id`` to ``role`` (as its role or a delegate) would break segregation of duties,
    or None. Both directions count: the step's own ``separate_from`` list, and controls naming the step."""
    for step in process.steps:
        if step.control is None:
            continue
        if step.id == step_id:
            for other in step.control.separate_from:
                if role in performers(process, other):
                    return f"{step_id} must be separate from {other}, which {role} performs"
        elif step_id in step.control.separate_from and role in performers(process, step.id):
            return f"{step.id} must be separate from {step_id}, and {role} performs {step.id}"
    return None


def _passed_by_every_case(process: Process, controls: set[str]) -> dict[str, set[str]]:
    """Channel -> those of ``controls`` that every case of the channel passes (post-dominators of its first
    step)."""
    G = build_graph(process)
    pdom = post_dominators(G)
    out: dict[str, set[str]] = {}
    for arrival in process.arrivals:
        entry = arrival.start or process.start_step
        passed = ({entry} | set(pdom.get(entry, []))) & controls
        out[arrival.channel] = out.get(arrival.channel, passed) & passed
    return out


def _short_authority(process: Process) -> set[tuple[str, str]]:
    """(step, message) of BPR106 findings: cases decided below the authority their row asks."""
    analysis = analyze(process, rules=[RULES_BY_ID[INSUFFICIENT_AUTHORITY]])
    return {(finding.steps[0], finding.message) for finding in analysis.findings}


def _min_authority(process: Process, step_id: str) -> int | None:
    levels = [process.roles[r].authority for r in performers(process, step_id) if r in process.roles]
    return min(levels) if levels else None


def weakened_controls(before: Process, after: Process) -> list[str]:
    """What ``after`` weakens of the controls of ``before``, one sentence each (empty: every control kept).

    See the module docstring for the four checks.
    """
    problems: list[str] = []
    after_ids = set(after.step_ids)
    for step_id in control_steps(before):
        old_control = before.required_control(step_id)
        assert old_control is not None
        label = step_label(before, step_id)
        if step_id not in after_ids:
            problems.append(f"control {label} ({old_control.kind}: {old_control.basis}) was removed")
            continue
        new = after.step(step_id)
        new_control = after.required_control(step_id)
        if new_control is None:
            problems.append(f"{label} is no longer marked as a control ({old_control.kind}: {old_control.basis})")
            continue
        if new_control.kind != old_control.kind:
            problems.append(f"control {label} changed kind from {old_control.kind} to {new_control.kind}")
        for other in old_control.separate_from:
            if other not in after_ids:
                problems.append(
                    f"{step_label(before, other)}, which {label} must be separate from, is gone: "
                    "who performs it now is no longer visible"
                )
                continue
            shared_before = performers(before, step_id) & performers(before, other)
            shared_after = performers(after, step_id) & performers(after, other)
            for role in sorted(shared_after - shared_before):
                problems.append(
                    f"role {role_label(after, role)} would perform both {step_label(after, other)} and {label}, "
                    f"which segregation of duties keeps apart ({old_control.basis})"
                )
        low_before, low_after = _min_authority(before, step_id), _min_authority(after, step_id)
        if (isinstance(new, Approval) and not new.required_authority and low_before is not None
                and low_after is not None and low_after < low_before):
            problems.append(
                f"control {label} would be decided at authority {low_after}, below {low_before} before, "
                "and it states no required_authority that allows it"
            )
    controls = set(control_steps(before))
    passed_before = _passed_by_every_case(before, controls)
    passed_after = _passed_by_every_case(after, controls)
    for channel, controls in passed_before.items():
        if channel not in passed_after:
            continue
        for step_id in sorted(controls - passed_after[channel], key=before.step_ids.index):
            if step_id in after_ids:
                problems.append(
                    f"every {channel} case passed control {step_label(before, step_id)} before; "
                    "after the redesign some cases bypass it"
                )
    short_before = {step for step, _ in _short_authority(before)}
    for step_id, message in sorted(_short_authority(after)):
        if step_id not in short_before:
            problems.append(f"below the required authority at {step_label(after, step_id)}: {message}")
    return problems


def controls_summary(before: Process, after: Process) -> dict[str, Any]:
    """``{"kept": bool, "weakened": [...], "controls": [ids]}`` for results."""
    weakened = weakened_controls(before, after)
    return {"kept": not weakened, "weakened": weakened, "controls": control_steps(before)}
