"""What differs between a before and an after process, step by step, in words for the diagram.

Steps are matched by id (ids are stable across a redesign; the change language keeps them). Routing
fields (``next``, ``reject.to``, ``join``) are not compared: removing one step rewires its neighbours, and
those neighbours have not changed in any way a reader cares about.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpr.model.schema import Approval, Handoff, Process
from bpr.render.labels import format_minutes, format_percent, handoff_mode_name, text

_ROUTING = {"next", "join"}


@dataclass(frozen=True, slots=True)
class StepDiff:
    removed: tuple[str, ...]
    added: tuple[str, ...]
    changed: dict[str, list[str]]  # step id -> short notes ("紙→電子", "押印廃止"); may be empty


def compare_steps(before: Process, after: Process, lang: str) -> StepDiff:
    before_ids = before.step_ids
    after_ids = after.step_ids
    removed = tuple(i for i in before_ids if i not in after_ids)
    added = tuple(i for i in after_ids if i not in before_ids)
    changed: dict[str, list[str]] = {}
    for step_id in after_ids:
        if step_id not in before_ids:
            continue
        old, new = before.step(step_id), after.step(step_id)
        if _essence(old) == _essence(new):
            continue
        changed[step_id] = change_notes(old, new, before, after, lang)
    return StepDiff(removed, added, changed)


def _essence(step: object) -> dict[str, object]:
    data = step.model_dump(mode="json")  # type: ignore[attr-defined]
    for key in _ROUTING:
        data.pop(key, None)
    if isinstance(data.get("reject"), dict):
        data["reject"] = {k: v for k, v in data["reject"].items() if k != "to"}
    return data


def change_notes(old: object, new: object, before: Process, after: Process, lang: str) -> list[str]:
    """The differences a reader cares about, most telling first."""
    arrow = text("arrow_to", lang)
    notes: list[str] = []
    old_medium, new_medium = getattr(old, "medium", None), getattr(new, "medium", None)
    if old_medium and new_medium and old_medium != new_medium:
        notes.append(f"{text(old_medium, lang)}{arrow}{text(new_medium, lang)}")
    if getattr(old, "stamp", False) and not getattr(new, "stamp", False):
        notes.append(text("stamp_removed", lang))
    elif getattr(new, "stamp", False) and not getattr(old, "stamp", False):
        notes.append(text("stamp_added", lang))
    if getattr(old, "rekey", False) and not getattr(new, "rekey", False):
        notes.append(text("rekey_removed", lang))
    if isinstance(old, Handoff) and isinstance(new, Handoff) and old.mode != new.mode:
        notes.append(f"{handoff_mode_name(old.mode, lang)}{arrow}{handoff_mode_name(new.mode, lang)}")
    old_role, new_role = getattr(old, "role", None), getattr(new, "role", None)
    if old_role and new_role and old_role != new_role:
        old_name = before.roles[old_role].name or old_role if old_role in before.roles else old_role
        new_name = after.roles[new_role].name or new_role if new_role in after.roles else new_role
        notes.append(f"{text('role_changed', lang)} {old_name}{arrow}{new_name}")
    old_time = _mean_time(old)
    new_time = _mean_time(new)
    if old_time is not None and new_time is not None and abs(old_time - new_time) > 1e-9:
        notes.append(
            f"{text('duration_changed', lang)} {format_minutes(old_time, lang)}{arrow}{format_minutes(new_time, lang)}"
        )
    if isinstance(old, Approval) and isinstance(new, Approval):
        if old.batch and not new.batch:
            notes.append(text("batch_removed", lang))
        elif old.batch != new.batch and new.batch:
            notes.append(text("batch_changed", lang))
        if len(new.delegations) > len(old.delegations):
            notes.append(text("delegation_added", lang))
        old_p = old.reject.probability if old.reject else 0.0
        new_p = new.reject.probability if new.reject else 0.0
        if abs(old_p - new_p) > 1e-9:
            notes.append(f"{text('rework', lang)} {format_percent(old_p)}{arrow}{format_percent(new_p)}")
    return notes


def _mean_time(step: object) -> float | None:
    duration = getattr(step, "duration", None) or getattr(step, "delay", None)
    return None if duration is None else float(duration.mean)
