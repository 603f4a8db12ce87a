"""Task elimination: drop approvals that add a wait but no control.

From the analysis: an approval whose checks a later approval of equal or higher authority repeats on
every path (BPR101), an approval that never rejects while another signs off after it (BPR103), an
approval that only presses a seal (BPR302). Each such approval becomes one candidate ``remove: STEP``.
A step marked ``control:`` is never proposed (the rules already leave controls out; checked again here).
"""

from __future__ import annotations

from bpr.analysis.text import step_label
from bpr.model.schema import Approval
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

RULES = ("BPR101", "BPR103", "BPR302")

_WHY = {
    "BPR101": "a later approval repeats its checks with equal or higher authority on every path",
    "BPR103": "it never returns a case, and another approval signs off after it on every path",
    "BPR302": "it only presses a seal, and another approval signs off after it on every path",
}


def eliminate_approvals(context: Context) -> list[Candidate]:
    """One ``remove`` candidate per redundant approval (see module docstring)."""
    process = context.process
    reasons: dict[str, list[tuple[str, str]]] = {}
    for finding in context.analysis.findings:
        suggestion = finding.suggestion or {}
        if finding.rule not in RULES or "remove" not in suggestion:
            continue
        step_id = suggestion["remove"]
        step = process.step(step_id)
        if not isinstance(step, Approval) or process.required_control(step.id) is not None:
            continue
        reasons.setdefault(step_id, []).append((finding.rule, finding.message))
    out: list[Candidate] = []
    for step_id in process.step_ids:
        if step_id not in reasons:
            continue
        rules = tuple(dict.fromkeys(rule for rule, _ in reasons[step_id]))
        why = _WHY[rules[0]]
        out.append(
            Candidate(
                id=candidate_id("eliminate", step_id),
                heuristic="eliminate",
                title=f"Remove the approval {step_label(process, step_id)}",
                explanation=(
                    f"It adds a wait but no control: {why} ({rules[0]}: {reasons[step_id][0][1]}). "
                    "Removed, cases go straight to its next step."
                ),
                changes=({"remove": step_id},),
                steps=(step_id,),
                sources=rules,
            )
        )
    return out
