"""The log's times as the simulation's clock: minutes since 00:00 of the log's first day, in the process
calendar's time zone, and working minutes in a role's calendar (bpr.simulate.calendar)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import numpy as np

from bpr.model.schema import Calendar, Process
from bpr.simulate.calendar import WorkCalendar

__all__ = ["Clock"]


class Clock:
    """Converts epoch seconds to model minutes from ``origin`` (a date) in ``zone``; builds calendars."""

    def __init__(self, process: Process, first: float, last: float) -> None:
        self.zone = ZoneInfo(process.calendar.timezone) if not process.calendar.always else ZoneInfo(
            process.calendar.timezone or "Asia/Tokyo")
        self.origin: date = datetime.fromtimestamp(first, self.zone).date()
        self.origin_ts = datetime.combine(self.origin, time(), tzinfo=self.zone).timestamp()
        self.years = max((last - first) / (365 * 86400.0), 0.0) + 1.0
        self.process = process
        offsets = {datetime.fromtimestamp(t, self.zone).utcoffset() for t in (first, (first + last) / 2, last)}
        base = datetime.combine(self.origin, time(), tzinfo=self.zone).utcoffset()
        self.fixed_offset = offsets == {base}  # no daylight-saving change in the log's period
        self._calendars: dict[str, WorkCalendar] = {}

    def minutes(self, seconds: np.ndarray) -> np.ndarray:
        """Model minutes of epoch ``seconds`` (wall-clock local time, as the calendars count it)."""
        seconds = np.asarray(seconds, dtype=float)
        if self.fixed_offset:
            return (seconds - self.origin_ts) / 60.0
        out = np.empty_like(seconds)
        for i, t in enumerate(seconds.tolist()):
            if math.isnan(t):
                out[i] = math.nan
                continue
            local = datetime.fromtimestamp(t, self.zone).replace(tzinfo=timezone.utc)
            out[i] = (local - datetime.combine(self.origin, time(), tzinfo=timezone.utc)).total_seconds() / 60.0
        return out

    def calendar(self, name: str | None) -> WorkCalendar:
        """The compiled calendar ``name`` (``None``: the process calendar; ``always``)."""
        key = name or ""
        if key not in self._calendars:
            cal: Calendar = self.process.calendar_of(name)
            self._calendars[key] = WorkCalendar(cal, self.origin, self.years)
        return self._calendars[key]

    def role_calendar(self, role: str) -> WorkCalendar:
        return self.calendar(self.process.roles[role].calendar)

    def working_minutes(self, calendar: WorkCalendar, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
        """Open minutes of ``calendar`` between each pair of model times (the work of a task pauses when closed)."""
        if calendar.always:
            return np.maximum(t1 - t0, 0.0)
        to_offset = calendar.time_to_offset
        return np.fromiter((to_offset(b) - to_offset(a) if b > a else 0.0 for a, b in zip(t0.tolist(), t1.tolist())),
                           dtype=float, count=len(t0))
