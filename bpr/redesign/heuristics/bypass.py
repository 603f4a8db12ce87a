"""Reviews that 専決 makes redundant: the role that decides a case later has already reviewed it.

When an approval A is delegated (専決) so that role R decides some cases, and an earlier approval X on
every path to A is R's own review, those cases reach R twice: once to review, once to decide. The
decision can take in what the review looked at (the same person reads the same request), so for those
cases X is not needed at all: ``remove: {step: X, when: C}`` puts a decision in front of X that sends the
cases R decides past it. The other cases still pass X.

X qualifies when it is an approval of role R with no delegations of its own (R reviews every case), no
``control:``, A follows it on every forward path (post-dominance, rework left out) and, if X returns
cases for rework, A can return them too (the decider can still send a request back). A review that the
analysis finds redundant for *every* case (BPR101, BPR103, BPR302) is left to the elimination heuristic,
which removes it altogether.

The model keeps A's duration and return probability as they are: the cases that skip X lose X's time
and X's returns. That is the claim, stated in the candidate's explanation.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from bpr.analysis.flow import forward_graph, post_dominators
from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval, Decision, Process
from bpr.redesign.context import Context
from bpr.redesign.heuristics.elimination import eliminate_approvals


def _both(own: str | None, exclusions: Sequence[str]) -> str | None:
    parts = ([f"({own})" if exclusions else own] if own is not None else []) + [f"not ({w})" for w in exclusions]
    return " and ".join(parts) if parts else None


def cases_decided_by(delegations: Sequence[tuple[str, str]], role: str) -> str | None:
    """The condition of the cases ``role`` decides through ``delegations`` (``(when, role)`` pairs, the first
    match decides), or None when it decides none. ``[("amount < 100", "kacho"), ("amount < 500", "bucho")]``
    gives ``amount < 100`` for kacho and ``(amount < 500) and not (amount < 100)`` for bucho."""
    parts: list[str] = []
    others: list[str] = []
    for when, holder in delegations:
        if holder == role:
            condition = _both(when, others)
            if condition is not None:
                parts.append(condition)
        else:
            others.append(when)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)


def eliminable(context: Context) -> set[str]:
    """Approvals the elimination heuristic removes for every case."""
    return {step for candidate in eliminate_approvals(context) for step in candidate.steps}


def reviews_before(context: Context, decider: str, role: str) -> list[str]:
    """Approvals by ``role`` that ``decider`` follows on every path, redundant for the cases ``role``
    decides there (module docstring), in file order."""
    process = context.process
    target = process.step(decider)
    assert isinstance(target, Approval)
    pdom = post_dominators(context.graph)
    later = forward_graph(context.graph)
    skip = eliminable(context)
    out: list[str] = []
    for step in process.steps:
        if (
            not isinstance(step, Approval)
            or step.id == decider
            or step.role != role
            or step.delegations
            or process.required_control(step.id) is not None
            or step.id in skip
            or decider not in pdom.get(step.id, ())
            or decider not in nx.descendants(later, step.id)
            or (step.reject is not None and step.reject.probability > 0 and target.reject is None)
        ):
            continue
        out.append(step.id)
    return out


def already_bypassed(process: Process, review: str, when: str) -> bool:
    """Whether a decision already sends the cases matching ``when`` past ``review`` (a bypass applied)."""
    onward = process.step(review).next  # type: ignore[union-attr]
    return any(
        isinstance(step, Decision)
        and any(b.to == review for b in step.next)
        and any(b.when == when and b.to == onward for b in step.next)
        for step in process.steps
    )


def bypass_text(process: Process, review: str, decider: str, role: str, when: str) -> str:
    """One plain sentence on why the cases ``role`` decides can skip ``review``."""
    step: Approval = process.step(review)  # type: ignore[assignment]
    decision: Approval = process.step(decider)  # type: ignore[assignment]
    returns = ""
    if step.reject is not None and step.reject.probability > 0:
        kept = decision.reject.probability if decision.reject is not None else 0.0
        returns = (
            f"; the review's returns ({step.reject.probability:.0%}) are no longer made for those cases, the "
            f"decision's own ({kept:.0%}) stay"
        )
    return (
        f"{role_label(process, role)} then decides the cases where {when}, and already reviews them at "
        f"{step_label(process, review)}: the same person would read the same request twice. Those cases skip "
        f"the review and are read once, when decided (the decision keeps its duration{returns})."
    )
