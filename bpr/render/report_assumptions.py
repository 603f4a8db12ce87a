"""The assumptions of a report, read from the process files: volumes, steps and durations, staff and costs,
calendars (and who works by each), case attributes — one column per version (before, then each option).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bpr.model.distributions import Choice, Fixed
from bpr.changes.calendar import CALENDAR_FIELDS_JA, calendar_value_ja
from bpr.model.schema import YEAR_END, Calendar, Process
from bpr.model.volume import annual_cases
from bpr.render.labels import channel_name, format_minutes, format_rate, handoff_mode_name
from bpr.render.report_text import num, t

__all__ = ["assumptions", "calendar_facts", "duration_text"]

_DIST_JA = {"fixed": "固定", "exponential": "指数分布", "uniform": "一様分布", "triangular": "三角分布",
            "normal": "正規分布", "lognormal": "対数正規分布", "empirical": "経験分布", "choice": "選択"}
_PARAM_JA = {"min": "最小", "mode": "最頻", "max": "最大", "mean": "平均", "sd": "標準偏差", "value": "値"}
_ROUTING = ("decision", "parallel", "join", "end")


def _params(dist: Any, lang: str, spell: Any) -> str:
    """The parameters of a distribution as written in the file (``min``, ``mode``, ``max``, ``mean``, ``sd``)."""
    parts = []
    for key, value in dist.model_dump(by_alias=True).items():
        if key == "dist" or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        name = _PARAM_JA.get(key, key) if lang == "ja" else key
        parts.append(f"{name}{'' if lang == 'ja' else ' '}{spell(value)}")
    return ("・" if lang == "ja" else ", ").join(parts)


def _kind(dist: Any, lang: str) -> str:
    return _DIST_JA.get(dist.dist, dist.dist) if lang == "ja" else dist.dist


def duration_text(dist: Any, lang: str) -> str:
    """``三角分布（最小45分・最頻1.5時間・最大3時間）平均1.8時間`` / ``triangular (min 45 min, …) mean 1.8 h``."""
    if isinstance(dist, Fixed):
        return t("instant", lang) if dist.value == 0 else format_minutes(dist.value, lang)
    inner = _params(dist, lang, lambda v: format_minutes(v, lang))
    kind = _kind(dist, lang)
    shown = (f"{kind}（{inner}）" if lang == "ja" else f"{kind} ({inner})") if inner else kind
    return f"{shown} {t('mean', lang)}{'' if lang == 'ja' else ' '}{format_minutes(dist.mean, lang)}"


def _attribute_text(dist: Any, lang: str) -> str:
    if isinstance(dist, Choice):
        return ("、" if lang == "ja" else ", ").join(f"{k} {v:.0%}" for k, v in dist.values.items())
    inner = _params(dist, lang, num)
    kind = _kind(dist, lang)
    return (f"{kind}（{inner}）" if lang == "ja" else f"{kind} ({inner})") if inner else kind


_COUNTRIES = {"ja": {"JP": "日本"}, "en": {"JP": "Japan"}}
_KNOWN_CALENDAR_FIELDS = {"always", "days", "hours", "holidays", "closed", "timezone"}


def calendar_facts(calendar: Calendar, lang: str) -> dict[str, str]:
    """Days, hours, public holidays, closed dates and any further rule of one calendar, in words."""
    if calendar.always:
        return {"days": t("a_always", lang), "hours": "", "holidays": "", "closed": "", "rules": ""}
    weekdays = t("weekdays", lang)
    letters = list(weekdays) if lang == "ja" else weekdays.split()
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    # Rules the calendar may carry beyond the basic ones (第2・第4, weekday hours, exception periods) are
    # listed too, so that none goes unsaid.
    extra = {k: v for k, v in calendar.model_dump(mode="json", exclude_defaults=True).items()
             if k not in _KNOWN_CALENDAR_FIELDS}
    if lang == "ja":
        rules = "；".join(f"{CALENDAR_FIELDS_JA.get(k, k)} {calendar_value_ja(k, v)}" for k, v in extra.items())
        closed = calendar_value_ja("closed", calendar.closed) if calendar.closed else "—"
    else:
        rules = "; ".join(f"{k}: {v}" for k, v in extra.items())
        closed = ", ".join("year end (12-29 to 01-03)" if c == YEAR_END else c for c in calendar.closed) or "—"
    return {
        "days": ("" if lang == "ja" else " ").join(letters[order.index(d)] for d in calendar.days),
        "hours": ", ".join(calendar.hours),
        "holidays": t("a_holidays_of", lang, code=_COUNTRIES[lang].get(calendar.holidays, calendar.holidays))
        if calendar.holidays else "—",
        "closed": closed,
        "rules": rules,
    }


def _calendar_users(process: Process, name: str | None, lang: str) -> list[str]:
    """Roles, arrival channels and mail runs that keep the calendar ``name`` (``None``: the process's own)."""
    users = [role.name or role_id for role_id, role in process.roles.items() if role.calendar == name]
    users += [channel_name(a.channel, lang) for a in process.arrivals if a.calendar == name]
    users += [step.name or step.id for step in process.steps if getattr(step, "calendar", None) == name
              and step.type == "handoff"]
    return users


def _calendars(versions: Sequence[tuple[str, Process]], lang: str) -> list[dict[str, Any]]:
    """One row per calendar and version where it differs from the version before it."""
    names: list[str | None] = [None]
    for _, process in versions:
        names += [n for n in process.calendars if n not in names]
    rows: list[dict[str, Any]] = []
    sep = "、" if lang == "ja" else ", "
    for name in names:
        shown: Calendar | None = None
        for label, process in versions:
            calendar = process.calendar if name is None else process.calendars.get(name)
            if calendar is None or calendar == shown:
                continue
            shown = calendar
            users = _calendar_users(process, name, lang)
            rows.append({"name": t("a_standard", lang) if name is None else name,
                         "version": label, "users": sep.join(users) if users else "—",
                         **calendar_facts(calendar, lang)})
    return rows


def _step_facts(step: Any, process: Process, lang: str) -> dict[str, str]:
    kind = step.type
    role = getattr(step, "role", None)
    facts = []
    medium = getattr(step, "medium", None)
    if medium and kind in ("task", "approval", "handoff"):
        facts.append(t(f"medium_{medium}", lang))
    if getattr(step, "stamp", False):
        facts.append(t("stamp", lang))
    if getattr(step, "batch", None):
        facts.append(t("batch", lang, times="/".join(step.batch)))
    if kind == "handoff":
        facts.append(handoff_mode_name(step.mode, lang))
        if step.departures:
            facts.append(t("departures", lang, times="/".join(step.departures)))
    duration = getattr(step, "duration", None) or getattr(step, "delay", None)
    return {
        "role": (process.roles[role].name or role) if role and role in process.roles else "",
        "duration": duration_text(duration, lang) if duration is not None else "",
        "facts": ("・" if lang == "ja" else ", ").join(facts),
    }


def _volumes(versions: Sequence[tuple[str, Process]], lang: str) -> list[dict[str, Any]]:
    channels = list(dict.fromkeys(a.channel for _, process in versions for a in process.arrivals))
    rows = []
    for channel in channels:
        cells = []
        for _, process in versions:
            streams = [a for a in process.arrivals if a.channel == channel]
            cells.append({
                "rate": format_rate(streams[0].rate_value(), lang) if streams else "—",
                "annual": num(sum(annual_cases(process, a) for a in streams)) if streams else "—",
            })
        rows.append({"channel": channel_name(channel, lang), "cells": cells})
    return rows


def _steps(versions: Sequence[tuple[str, Process]], lang: str) -> list[dict[str, Any]]:
    """Each step of any version, with its facts per version: ``None`` where the version has no such step,
    ``same`` where it is as in the first version."""
    first = versions[0][1]
    ids = list(dict.fromkeys(step.id for _, process in versions for step in process.steps if step.type not in _ROUTING))
    rows = []
    for step_id in ids:
        owner = next(process for _, process in versions if step_id in process.step_ids)
        step = owner.step(step_id)
        base = _step_facts(first.step(step_id), first, lang) if step_id in first.step_ids else None
        cells: list[dict[str, Any]] = []
        for index, (_, process) in enumerate(versions):
            if step_id not in process.step_ids:
                cells.append({"state": "absent" if index == 0 else "removed"})
                continue
            facts = _step_facts(process.step(step_id), process, lang)
            if index > 0 and facts == base:
                cells.append({"state": "same"})
            else:
                cells.append({"state": "shown", **facts,
                              "role_changed": base is not None and index > 0 and facts["role"] != base["role"]})
        rows.append({"name": (step.name or step.id) + ("" if base is not None else t("a_new", lang)),
                     "id": step_id, "type": t(f"type_{step.type}", lang),
                     "role": (base or _step_facts(step, owner, lang))["role"], "cells": cells})
    return rows


def _staff(versions: Sequence[tuple[str, Process]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for role_id in dict.fromkeys(r for _, process in versions for r in process.roles):
        role = next(process.roles[role_id] for _, process in versions if role_id in process.roles)

        def count(process: Process) -> str:
            r = process.roles.get(role_id)
            if r is None:
                return "—"
            return t("a_unlimited", lang) if r.staff == "unlimited" else str(r.staff)

        rows.append({
            "name": role.name or role_id,
            "department": role.department,
            "counts": [count(process) for _, process in versions],
            "authority": str(role.authority),
            "cost": t("a_external", lang) if role.external else t("a_yen_per_hour", lang, v=num(role.hourly_cost)),
        })
    return rows


def assumptions(versions: Sequence[tuple[str, Process]], lang: str, files: Sequence[str]) -> dict[str, Any]:
    """Volumes, steps with durations, staff and costs, calendars and case attributes of every version.

    ``versions`` are ``(label, process)`` pairs, the process before first; ``files`` their file names.
    """
    sep = "、" if lang == "ja" else ", "
    first = versions[0][1]
    return {
        "intro": t("a_intro_files", lang, files=sep.join(files)),
        "labels": [label for label, _ in versions],
        "volumes": _volumes(versions, lang),
        "steps": _steps(versions, lang),
        "staff": _staff(versions, lang),
        "calendars": _calendars(versions, lang),
        "attributes": [{"name": name, "dist": _attribute_text(dist, lang)} for name, dist in first.attributes.items()],
    }
