"""Delegation of authority by case attribute (専決): let the level a case needs decide it.

For an approval with ``required_authority`` rows (専決規程: cases matching ``when`` need at least
``level``), every row asking less than the approval's own role holds becomes a delegation to the least
senior existing role whose authority is at least that level (staff roles only, not the approval's own
role, never one that would break a segregation of duties; ties in file order). The delegation's condition
is the row's ``when``; rows are first-match, so the condition also excludes every earlier row that asks
more than the delegate holds (``amount < 5000000 and not (urgent)``). A catch-all row with nothing to
exclude replaces the approval's role. Rows already delegated with the same condition are skipped.
One candidate per approval: its delegations in row order (first-match, like the rows).

A delegate that already reviews the case earlier on every path (課長審査 before a decision the 課長 now
takes) would read the same request twice; the candidate also lets those cases skip the review
(``remove: {step, when}``, see :mod:`bpr.redesign.heuristics.bypass`). Without it, delegation changes who
decides, and so the cost, but hardly the lead time: the decision keeps its place, its duration and its
in-tray times whoever decides (removing those is the batching heuristic's candidate).
"""

from __future__ import annotations

from typing import Any

from bpr.analysis.text import role_label, step_label
from bpr.model.schema import Approval, AuthorityRule, Process
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context
from bpr.redesign.controls import segregation_conflict
from bpr.redesign.heuristics.bypass import already_bypassed, bypass_text, cases_decided_by, reviews_before


def least_senior_role(process: Process, step: Approval, level: int) -> str | None:
    """The least senior staff role with authority in [level, the approval's own) that may take the step."""
    own = process.roles[step.role].authority
    order = list(process.roles)
    fits = [
        role_id
        for role_id, role in process.roles.items()
        if not role.external and level <= role.authority < own and role_id != step.role
        and segregation_conflict(process, step.id, role_id) is None
    ]
    return min(fits, key=lambda r: (process.roles[r].authority, order.index(r))) if fits else None


def _condition(rows: tuple[AuthorityRule, ...], index: int, holder_level: int) -> str | None:
    own = rows[index].when
    exclusions = [r.when for r in rows[:index] if r.when is not None and r.level > holder_level]
    parts = ([f"({own})" if exclusions else own] if own is not None else []) + [f"not ({w})" for w in exclusions]
    return " and ".join(parts) if parts else None


def delegate_by_rules(context: Context) -> list[Candidate]:
    """One candidate per approval whose ``required_authority`` rows allow a lower level (module docstring)."""
    process = context.process
    out: list[Candidate] = []
    for step in process.steps:
        if not isinstance(step, Approval) or not step.required_authority:
            continue
        own = process.roles[step.role].authority
        existing = {d.when for d in step.delegations}
        changes: list[dict[str, Any]] = []
        parts: list[str] = []
        for index, row in enumerate(step.required_authority):
            if row.level >= own:
                continue
            target = least_senior_role(process, step, row.level)
            if target is None:
                continue
            when = _condition(step.required_authority, index, process.roles[target].authority)
            if when is not None and when in existing:
                continue
            body: dict[str, Any] = {"step": step.id, "to": target}
            if when is not None:
                body["when"] = when
            changes.append({"delegate": body})
            cases = f"cases where {when}" if when is not None else "all other cases"
            parts.append(
                f"{cases} need level {row.level}: {role_label(process, target)} "
                f"(authority {process.roles[target].authority}) decides them"
            )
            if when is None:
                break  # the role is replaced: later rows cannot match
        if not changes:
            continue
        bypasses = _bypasses(context, step, changes)
        reviewed = [change["remove"]["step"] for change, _ in bypasses]
        out.append(
            Candidate(
                id=candidate_id("delegate", step.id),
                heuristic="delegate",
                title=f"Delegate {step_label(process, step.id)} by its required authority (専決)"
                + (f" and skip the decider's own earlier review ({', '.join(reviewed)})" if reviewed else ""),
                explanation=(
                    f"{role_label(process, step.role)} (authority {own}) decides every case of "
                    f"{step_label(process, step.id)}, but its required_authority rows ask less for some: "
                    + "; ".join(parts) + "." + "".join(f" {line}" for _, line in bypasses)
                    + (f" The decision keeps its in-tray times ({', '.join(step.batch)}) whoever decides."
                       if step.batch else "")
                ),
                changes=tuple(changes) + tuple(change for change, _ in bypasses),
                steps=(step.id, *reviewed),
                sources=("BPR104",) if any(f.rule == "BPR104" and step.id in f.steps
                                           for f in context.analysis.findings) else (),
            )
        )
    return out


def _bypasses(context: Context, step: Approval, changes: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """``remove: {step: X, when}`` for each review X by a new delegate that the delegate's cases no longer
    need (:mod:`bpr.redesign.heuristics.bypass`), each with a plain explanation."""
    process = context.process
    rules = [(d.when, d.role) for d in step.delegations]
    rules += [(c["delegate"]["when"], c["delegate"]["to"]) for c in changes if "when" in c["delegate"]]
    out: list[tuple[dict[str, Any], str]] = []
    for role in dict.fromkeys(c["delegate"]["to"] for c in changes if "when" in c["delegate"]):
        when = cases_decided_by(rules, role)
        if when is None:
            continue
        for review_id in reviews_before(context, step.id, role):
            if already_bypassed(process, review_id, when):
                continue
            out.append(({"remove": {"step": review_id, "when": when}}, bypass_text(process, review_id, step.id, role, when)))
    return out
