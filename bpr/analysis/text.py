"""How findings name things: steps and roles by display name *and* id, changes in one line.

People recognise the display name (``課長決裁``); the id (``chief_ok``) is what they type in a change.
"""

from __future__ import annotations

import json
from typing import Any

from bpr.model.schema import Process


def step_label(process: Process, step_id: str) -> str:
    """``課長決裁 (chief_ok)``, or just the id when the step has no display name."""
    try:
        name = process.step(step_id).name
    except KeyError:
        return step_id
    return f"{name} ({step_id})" if name and name != step_id else step_id


def role_label(process: Process, role_id: str | None) -> str:
    """``課長 (chief)``, or the id when the role has no display name."""
    if role_id is None:
        return "no role"
    role = process.roles.get(role_id)
    name = role.name if role else ""
    return f"{name} ({role_id})" if name and name != role_id else role_id


def steps_text(process: Process, step_ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(step_label(process, s) for s in step_ids)


def minutes_text(minutes: float) -> str:
    """A mean duration for people: ``18 min``, ``1.2 h``, ``2.0 d`` (24-hour days, as in the file units)."""
    if minutes >= 1440:
        return f"{minutes / 1440:.1f} d"
    if minutes >= 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes:.0f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, str):
        plain = value and value.strip() == value and not any(c in value for c in ",:{}[]#&*!|>'\"%@`")
        if plain:
            return value
        if '"' in value and "'" not in value and value.isprintable():
            return f"'{value}'"  # a condition on a text value reads as the file writes it: 'kind == "new"'
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_text(change: dict[str, Any]) -> str:
    """A change in one line of YAML flow style: ``remove: chief_ok``, ``parallelize: [a, b]``.

    Conditions containing ``<``/``>`` stay unquoted (valid YAML in flow style), so the text can be pasted
    after ``bpr whatif --change``.
    """
    return ", ".join(f"{key}: {_flow(value)}" for key, value in change.items())
