"""Changes in plain words for the report, naming steps and roles by their display names.

English starts from :func:`bpr.model.changes.describe` (the wording the CLI uses) and puts display names
next to the ids; Japanese is written here, because a report for a mayor or a council should say
「課長補佐審査・押印」をなくす, not ``remove: hosa_check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bpr.model.changes import (
    Arrivals,
    Batch,
    Change,
    Delegate,
    Digitize,
    Merge,
    Parallelize,
    Remove,
    Reorder,
    SetFields,
    Staff,
    Triage,
    describe,
    parse_changes,
)
from bpr.model.schema import Process
from bpr.render.labels import channel_name, format_condition, format_minutes

__all__ = ["change_line", "change_lines", "step_name"]

_FIELDS_JA = {
    "name": "表示名", "description": "説明", "duration": "所要時間", "role": "担当", "medium": "媒体",
    "rekey": "再入力", "stamp": "押印", "citizen_present": "来庁者の立会い", "next": "次の工程",
    "reject": "差戻し", "batch": "一括処理", "checks": "確認項目", "delay": "所要時間（搬送）",
    "departures": "発送時刻", "mode": "搬送手段", "delegations": "専決", "required_authority": "必要な決裁権限",
}


def step_name(process: Process | None, step_id: str) -> str:
    """The step's display name, or its id when it has none (or the process does not know it)."""
    if process is None:
        return step_id
    try:
        step = process.step(step_id)
    except KeyError:
        return step_id
    return step.name or step_id


def _role_name(process: Process | None, role_id: str) -> str:
    if process is None or role_id not in process.roles:
        return role_id
    return process.roles[role_id].name or role_id


def _quoted(process: Process | None, ids: Iterable[str]) -> str:
    return "・".join(f"「{step_name(process, s)}」" for s in ids)


def _digital_estimate(process: Process | None, step_id: str) -> bool:
    """Whether the file states how long ``step_id`` takes once digital (``digital_duration``)."""
    if process is None or step_id not in process.step_ids:
        return False
    return getattr(process.step(step_id), "digital_duration", None) is not None


def _ja(change: Change, process: Process | None) -> str:
    if isinstance(change, Remove):
        if change.when is not None:
            return f"{format_condition(change.when)} の案件は{_quoted(process, [change.step])}を省く"
        return f"{_quoted(process, [change.step])}をなくす（前後の工程を直接つなぐ）"
    if isinstance(change, Digitize):
        if change.factor is None:
            estimated = [s for s in change.steps if _digital_estimate(process, s)]
            scaled = f"、{_quoted(process, estimated)}の所要時間は電子化後の見積りに" if estimated else ""
        else:
            scaled = "" if change.factor == 1 else f"、所要時間は{change.factor:.0%}に"
        return f"{_quoted(process, change.steps)}を電子化（紙・押印・打ち直しをなくし、回付は即時{scaled}）"
    if isinstance(change, Delegate):
        role = _role_name(process, change.to)
        if change.when is None:
            return f"{_quoted(process, [change.step])}の決裁者を{role}に変更"
        return f"{_quoted(process, [change.step])}は {format_condition(change.when)} の案件を{role}が専決"
    if isinstance(change, Parallelize):
        return f"{_quoted(process, change.steps)}を同時に回す（並列合議）"
    if isinstance(change, Merge):
        return f"{_quoted(process, change.steps)}を一つの工程にまとめる"
    if isinstance(change, Reorder):
        return f"{' → '.join(f'「{step_name(process, s)}」' for s in change.steps)}の順に回す（差し戻しの多い確認を先に）"
    if isinstance(change, Triage):
        who = (f" {format_condition(change.when)} の案件" if change.when is not None
               else f"簡易な案件（{change.share:.0%}）")
        return (f"{_quoted(process, [change.step])}の前で{who}を簡易な処理"
                f"（{format_minutes(change.duration.mean, 'ja')}）に振り分ける")
    if isinstance(change, Staff):
        return "人員を" + "、".join(f"{_role_name(process, r)} {n}人" for r, n in change.roles.items()) + "に"
    if isinstance(change, Arrivals):
        if all(c.share is not None for c in change.channels.values()):
            parts = "、".join(f"{channel_name(ch, 'ja')} {c.share:.0%}" for ch, c in change.channels.items())
            return f"申請の経路を移す：{parts}（総件数は同じ、他の経路は比例して減る）"
        parts = "、".join(f"{channel_name(ch, 'ja')} {c.rate}" for ch, c in change.channels.items())
        return f"件数を変更：{parts}"
    if isinstance(change, Batch):
        if change.at is None:
            return f"{_quoted(process, [change.step])}の決裁箱を随時処理する（まとめ処理をやめる）"
        return f"{_quoted(process, [change.step])}の決裁箱を {'・'.join(change.at)} にまとめて処理する"
    if isinstance(change, SetFields):
        if set(change.values) == {"name"}:
            return f"{_quoted(process, [change.step])}の表示名を「{change.values['name']}」に"
        fields = "・".join(_FIELDS_JA.get(key, key) for key in change.values)
        return f"{_quoted(process, [change.step])}の{fields}を変更"
    return describe(change)  # a kind this module does not know yet: the English line rather than nothing


def _en(change: Change, process: Process | None) -> str:
    line = describe(change)
    if process is None:
        return line
    ids: list[str] = []
    if isinstance(change, (Remove, Delegate, Batch, SetFields, Triage)):
        ids = [change.step]
    elif isinstance(change, (Digitize, Parallelize, Merge, Reorder)):
        ids = list(change.steps)
    names = [f"{s} ({step_name(process, s)})" for s in ids if step_name(process, s) != s]
    return line + (" — " + "; ".join(names) if names else "")


def change_line(change: Change | dict[str, Any], process: Process | None, lang: str) -> str:
    """One line saying what ``change`` does; ``process`` is the version it applies to (for names)."""
    if isinstance(change, dict):
        (change,) = parse_changes([change])
    return _ja(change, process) if lang == "ja" else _en(change, process)


def change_lines(changes: Iterable[Change | dict[str, Any]], process: Process | None, lang: str) -> list[str]:
    return [change_line(change, process, lang) for change in changes]
