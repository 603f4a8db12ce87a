"""Serial chains of tasks and approvals, as parallelize, merge and reorder need them."""

from __future__ import annotations

from typing import Any

from bpr.changes.base import Refused
from bpr.changes.rewire import WORK_TYPES, find, references

__all__ = ["chain", "entries_inside"]

_HOW = {"next": "next", "reject": "reject.to", "branch": "a branch", "split": "a parallel branch", "start": "start"}


def chain(data: dict[str, Any], ids: tuple[str, ...], verb: str, participle: str) -> list[dict[str, Any]]:
    """The steps ``ids`` if they form a serial chain of tasks/approvals; refuses otherwise.

    ``verb`` and ``participle`` name the change in refusals (``parallelize``, ``run in parallel``).
    """
    steps: list[dict[str, Any]] = []
    for i, step_id in enumerate(ids):
        if step_id in ids[:i]:
            raise Refused(f"step {step_id!r} is listed twice", ("steps", i))
        step = find(data, step_id, ("steps", i))
        if step["type"] not in WORK_TYPES:
            raise Refused(
                f"step {step_id!r} is a {step['type']} step; only tasks and approvals can be {participle}",
                ("steps", i),
            )
        if steps and steps[-1]["next"] != step_id:
            raise Refused(
                f"{ids[i - 1]!r} is not followed by {step_id!r} (its next is {steps[-1]['next']!r}); "
                f"{verb} needs a serial chain {' -> '.join(ids)}",
                ("steps", i),
            )
        steps.append(step)
    return steps  # the last step cannot lead back into the chain: a valid process has no loop without exit


def entries_inside(data: dict[str, Any], ids: tuple[str, ...], verb: str, hint: str, rework_in: bool) -> None:
    """Refuse a chain entered other than at its first step. The chain's own links and a step's rework of
    itself are fine. Where ``rework_in`` (merge), rework returns to any chain step are fine too: they
    become rework of the merged step."""
    inside = set(ids)
    for source, how, target in references(data):
        if target not in inside:
            continue
        if source in inside and (how == "next" or source == target):
            continue
        if how == "reject" and rework_in:
            continue
        if target == ids[0] and source not in inside:
            continue
        position = ids.index(target)
        if source in inside and how == "reject":
            raise Refused(
                f"{source!r} sends rejected cases back to {target!r}, inside the chain; run in parallel, "
                f"that return would leave the other branches waiting at the join",
                ("steps", position),
                hint,
            )
        if source == "start":
            where = "the process start"
        elif source.startswith("arrivals["):
            where = f"the {data['arrivals'][int(source[9:-1])]['channel']} arrivals (start)"
        else:
            where = f"{source!r} ({_HOW[how]})"
        raise Refused(
            f"step {target!r} is also entered from {where}; {verb} needs a chain entered only at {ids[0]!r}",
            ("steps", position),
            hint,
        )
