"""Edits of a process in file form that several change kinds share: finding steps, following and moving
routing references, fresh ids, and the refusals that go with them."""

from __future__ import annotations

from typing import Any

from bpr.changes.base import Refused, hint

__all__ = [
    "ROUTED_TYPES",
    "WORK_TYPES",
    "approval",
    "find",
    "fresh_id",
    "position",
    "references",
    "refuse_control",
    "rename_in_controls",
    "require_role",
    "retarget",
]

WORK_TYPES = ("task", "approval")
ROUTED_TYPES = ("task", "approval", "handoff", "wait", "join")  # steps with a single ``next``


def find(data: dict[str, Any], step_id: str, loc: tuple[Any, ...]) -> dict[str, Any]:
    """The step ``step_id``; refused (at ``loc``) when there is none."""
    for step in data["steps"]:
        if step["id"] == step_id:
            return step
    ids = [step["id"] for step in data["steps"]]
    raise Refused(f"step {step_id!r} does not exist", loc, hint(step_id, ids))


def position(data: dict[str, Any], step_id: str) -> int:
    return next(i for i, step in enumerate(data["steps"]) if step["id"] == step_id)


def require_role(data: dict[str, Any], role: str, loc: tuple[Any, ...]) -> None:
    if role not in data["roles"]:
        raise Refused(f"role {role!r} does not exist", loc, hint(role, data["roles"]))


def approval(data: dict[str, Any], step_id: str, verb: str) -> dict[str, Any]:
    """The approval ``step_id``; refused when it is another kind of step (``only approvals can be <verb>``)."""
    step = find(data, step_id, ("step",))
    if step["type"] != "approval":
        raise Refused(
            f"step {step_id!r} is a {step['type']} step; only approvals can be {verb}",
            ("step",),
        )
    return step


def references(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every routing reference as (source, how, target); source is a step id, ``start`` or ``arrivals[i]``."""
    refs: list[tuple[str, str, str]] = []
    if data.get("start"):
        refs.append(("start", "start", data["start"]))
    for i, arrival in enumerate(data.get("arrivals", [])):
        if arrival.get("start"):
            refs.append((f"arrivals[{i}]", "start", arrival["start"]))
    for step in data["steps"]:
        kind = step["type"]
        if kind in ROUTED_TYPES:
            refs.append((step["id"], "next", step["next"]))
        if kind == "approval" and step.get("reject"):
            refs.append((step["id"], "reject", step["reject"]["to"]))
        if kind == "decision":
            refs.extend((step["id"], "branch", branch["to"]) for branch in step["next"])
        if kind == "parallel":
            refs.extend((step["id"], "split", target) for target in step["next"])
    return refs


def retarget(data: dict[str, Any], mapping: dict[str, str], sources: set[str] | None = None) -> None:
    """Point every routing reference to a key of ``mapping`` at its value (only from ``sources`` if given)."""

    def new(target: str) -> str:
        return mapping.get(target, target)

    if sources is None or "start" in sources:
        if data.get("start"):
            data["start"] = new(data["start"])
        for arrival in data.get("arrivals", []):
            if arrival.get("start"):
                arrival["start"] = new(arrival["start"])
    for step in data["steps"]:
        if sources is not None and step["id"] not in sources:
            continue
        kind = step["type"]
        if kind in ROUTED_TYPES:
            step["next"] = new(step["next"])
        if kind == "approval" and step.get("reject"):
            step["reject"]["to"] = new(step["reject"]["to"])
        if kind == "decision":
            for branch in step["next"]:
                branch["to"] = new(branch["to"])
        if kind == "parallel":
            step["next"] = [new(target) for target in step["next"]]


def rename_in_controls(data: dict[str, Any], mapping: dict[str, str | None]) -> None:
    """Follow removed (``None``) or merged steps in the ``separate_from`` lists of controls."""
    for step in data["steps"]:
        control = step.get("control")
        if not control or not control.get("separate_from"):
            continue
        kept: list[str] = []
        for other in control["separate_from"]:
            other = mapping.get(other, other)
            if other is not None and other != step["id"] and other not in kept:
                kept.append(other)
        control["separate_from"] = kept


def refuse_control(step: dict[str, Any], verb: str, loc: tuple[Any, ...], data: dict[str, Any] | None = None) -> None:
    """A required control (``control:`` on the step, or on the role that performs it) is never removed or merged
    away by a redesign."""
    control = step.get("control")
    if not control and data is not None and step.get("type") in WORK_TYPES:
        roles = [step.get("role")] + [d.get("role") for d in step.get("delegations") or []]
        control = next((data["roles"][r]["control"] for r in roles
                        if r in data["roles"] and data["roles"][r].get("control")), None)
    if control:
        basis = control.get("basis", "")
        raise Refused(
            f"step {step['id']!r} is a required control ({control.get('kind', 'legal')}: {basis}); "
            f"a redesign may not {verb} it",
            loc,
            "keep the step, or make it lighter with digitize/delegate/batch",
        )


def fresh_id(data: dict[str, Any], base: str) -> str:
    """``base``, or ``base_2``, ``base_3``… whichever no step has yet."""
    taken = {step["id"] for step in data["steps"]}
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
