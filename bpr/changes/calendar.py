"""``calendar: {name: CAL, FIELD: VALUE, ...}`` or ``calendar: {role | step | channel: X, use: CAL}`` — when
people work: the rules of one calendar ("the committee meets weekly", "the counter is open until 19:00 on
Thursdays"), or which calendar a role, a handoff or an arrival stream keeps."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import Field, model_validator

from bpr.changes.base import Change, Refused, Words, hint
from bpr.changes.rewire import find, require_role
from bpr.model.schema import WEEKDAYS, Calendar, Id, Process

__all__ = ["CALENDAR_FIELDS_JA", "CalendarChange", "PROCESS_CALENDAR", "calendar_value_ja"]

PROCESS_CALENDAR = "process"
"""The name by which a change means the process calendar (``calendar:`` at the top of the file)."""

_TARGETS = ("name", "role", "step", "channel")
_WEEKDAYS_JA = dict(zip(WEEKDAYS, "月火水木金土日"))
CALENDAR_FIELDS_JA = {
    "always": "24時間", "days": "曜日", "hours": "時間", "weekday_hours": "曜日別の時間", "nth": "第n週",
    "every_weeks": "隔週", "weeks_from": "隔週の起点", "month_days": "日付", "holidays": "祝日",
    "closed": "休業日", "exceptions": "期間の例外", "timezone": "時間帯",
}


def _days_ja(days: Any) -> str:
    return "・".join(_WEEKDAYS_JA.get(str(d), str(d)) for d in days)


def calendar_value_ja(field: str, value: Any) -> str:
    """A calendar field's new value as a reader says it (第2・第4, 木 08:30-19:00)."""
    if value is None:
        return {"nth": "毎週", "every_weeks": "毎週", "month_days": "毎日", "holidays": "なし"}.get(field, "既定")
    if field == "days":
        return _days_ja(value) + "曜"
    if field == "hours":
        return "、".join(value)
    if field == "weekday_hours":
        return "、".join(f"{_WEEKDAYS_JA.get(day, day)}曜 {'、'.join(spans) or '閉庁'}" for day, spans in value.items())
    if field == "nth":
        return "・".join("最終" if n == -1 else f"第{n}" for n in value)
    if field == "every_weeks":
        return f"{value}週ごと"
    if field == "month_days":
        return "・".join("末日" if n == -1 else f"{n}日" for n in value)
    if field == "closed":
        return "、".join("年末年始" if text == "year_end" else str(text) for text in value) or "なし"
    if field == "exceptions":
        return f"{len(value)}期間"
    if field == "always":
        return "24時間" if value else "勤務時間のみ"
    return str(value)


class CalendarChange(Change):
    """The rules of a calendar (``name``: a calendar of ``calendars:``, new or not, or ``process``), or the
    calendar a role, a handoff step or the arrival streams of a channel keep (``use``: a calendar name,
    ``always``, or null for the process calendar)."""

    kind: ClassVar[str] = "calendar"
    flat_field: ClassVar[str | None] = "values"
    name: Id | None = None
    role: Id | None = None
    step: Id | None = None
    channel: str | None = None
    use: Id | None = None
    values: dict[str, Any] = Field(default={})

    @classmethod
    def from_file(cls, body: Any) -> tuple[Any, str]:
        """``calendar: {name: X, nth: null}``: every key but the target and ``use`` is a field to set."""
        if not isinstance(body, dict):
            return body, "mapping"
        out: dict[str, Any] = {k: v for k, v in body.items() if k in (*_TARGETS, "use")}
        values = {k: v for k, v in body.items() if k not in (*_TARGETS, "use")}
        if values:
            out["values"] = values
        return out, "mapping"

    @classmethod
    def allowed_fields(cls) -> list[str]:
        return [*_TARGETS, "use", *Calendar.model_fields]

    @model_validator(mode="after")
    def _one_target(self) -> CalendarChange:
        given = [t for t in _TARGETS if getattr(self, t) is not None]
        if len(given) != 1:
            raise ValueError("name exactly one of 'name' (a calendar's rules), 'role', 'step' or 'channel' "
                             "(which calendar it keeps)")
        if self.name is not None:
            if "use" in self.model_fields_set:
                raise ValueError("'use' goes with role, step or channel; with 'name' give the calendar's fields")
            if not self.values:
                raise ValueError("give the calendar fields to change, e.g. {name: shinsakai, nth: null}")
        else:
            if "use" not in self.model_fields_set:
                raise ValueError(f"say which calendar the {given[0]} keeps: use: NAME (always; null for the "
                                 "process calendar)")
            if self.values:
                raise ValueError(f"with {given[0]}, give only 'use'; change a calendar's rules with "
                                 "{name: CALENDAR, FIELD: VALUE}")
        return self

    def apply(self, data: dict[str, Any], process: Process) -> None:
        if self.name is not None:
            self._set_rules(data)
            return
        if self.role is not None:
            require_role(data, self.role, ("role",))
            self._keep(data["roles"][self.role])
        elif self.step is not None:
            step = find(data, self.step, ("step",))
            if step["type"] != "handoff":
                raise Refused(f"step {self.step!r} is a {step['type']} step; only a handoff keeps a calendar of "
                              "its own (work follows the calendar of its role)", ("step",),
                              "change the role's calendar: calendar: {role: ROLE, use: CALENDAR}")
            self._keep(step)
        else:
            streams = [a for a in data["arrivals"] if a.get("channel") == self.channel]
            if not streams:
                channels = sorted({str(a.get("channel")) for a in data["arrivals"]})
                raise Refused(f"no arrival stream of channel {self.channel!r}; streams: {', '.join(channels)}",
                              ("channel",), hint(self.channel, channels))
            for stream in streams:
                self._keep(stream)
        if self.use is not None and self.use != "always" and self.use not in data.get("calendars", {}):
            known = ["always", *data.get("calendars", {})]
            raise Refused(f"no calendar {self.use!r}; calendars: {', '.join(known)}", ("use",),
                          hint(self.use, known))

    def _keep(self, part: dict[str, Any]) -> None:
        if self.use is None:
            part.pop("calendar", None)
        else:
            part["calendar"] = self.use

    def _set_rules(self, data: dict[str, Any]) -> None:
        allowed = list(Calendar.model_fields)
        for field in self.values:
            if field not in allowed:
                raise Refused(f"a calendar has no field {field!r}; fields: {', '.join(allowed)}",
                              ("values", field), hint(field, allowed))
        if self.name == PROCESS_CALENDAR:
            target = data.get("calendar", {})
            target = {"always": True} if target == "always" else target
            data["calendar"] = target
        else:
            calendars = data.setdefault("calendars", {})
            target = calendars.get(self.name, {})
            target = {"always": True} if target == "always" else target
            calendars[self.name] = target
        for field, value in self.values.items():
            if value is None:
                target.pop(field, None)
            else:
                target[field] = copy.deepcopy(value)

    def invalid_loc(self, path: str, data: dict[str, Any]) -> tuple[Any, ...]:
        """A problem in a field this change set is blamed on that value (``changes[i].calendar.nth``)."""
        prefix = "calendar." if self.name == PROCESS_CALENDAR else f"calendars.{self.name}."
        if self.name is not None and path.startswith(prefix):
            field = path[len(prefix):].split(".")[0].split("[")[0]
            if field in self.values:
                return ("values", field)
        if self.use is not None and path.endswith(".calendar"):
            return ("use",)
        return ()

    def to_data(self) -> dict[str, Any]:
        if self.name is not None:
            return {"calendar": {"name": self.name, **self.values}}
        target = next(t for t in _TARGETS if getattr(self, t) is not None)
        return {"calendar": {target: getattr(self, target), "use": self.use}}

    def describe(self) -> str:
        if self.name is not None:
            what = "the process calendar" if self.name == PROCESS_CALENDAR else f"calendar {self.name}"
            fields = ", ".join(f"{key}={'default' if value is None else value}" for key, value in self.values.items())
            return f"Set {fields} in {what}."
        target = next(t for t in _TARGETS if getattr(self, t) is not None)
        calendar = "the process calendar" if self.use is None else f"calendar {self.use}"
        return f"{target.capitalize()} {getattr(self, target)} follows {calendar}."

    def ja(self, words: Words) -> str:
        if self.name is not None:
            what = "庁の勤務カレンダー" if self.name == PROCESS_CALENDAR else f"カレンダー「{self._calendar_ja(words)}」"
            fields = "、".join(f"{CALENDAR_FIELDS_JA.get(key, key)}を{calendar_value_ja(key, value)}" for key, value in self.values.items())
            return f"{what}の{fields}に"
        use = "庁の勤務カレンダー" if self.use is None else "24時間" if self.use == "always" else f"「{self.use}」"
        if self.role is not None:
            return f"「{words.role(self.role)}」の勤務日程を{use}に"
        if self.step is not None:
            return f"{words.quoted([self.step])}の運行日程を{use}に"
        return f"{words.channel(str(self.channel))}の受付日程を{use}に"

    def _calendar_ja(self, words: Words) -> str:
        """A calendar is named by the roles that keep it when the process says (審査会), else by its id."""
        process = words.process
        if process is not None:
            names = [role.name for role in process.roles.values() if role.calendar == self.name and role.name]
            if names:
                return "・".join(names)
        return str(self.name)

    def named_steps(self) -> tuple[str, ...]:
        return (self.step,) if self.step is not None else ()
