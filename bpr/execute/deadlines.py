"""When work is due: a deadline of the process file counted from a moment, in a calendar.

``days`` are calendar days: due at the end of the N-th day after the day work started (local time).
``business days`` are open days of the calendar (weekends, public holidays and the year-end closure do not
count): due at the close of the N-th open day after the day work started. ``working hours`` are open time:
due when that much open time has passed (work started while closed begins at the next opening).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bpr.model.schema import Calendar, parse_deadline
from bpr.simulate.calendar import MINUTES_PER_DAY, work_calendar

__all__ = ["before_due", "business_days_left", "due_after"]


def _local(moment: datetime, calendar: Calendar) -> datetime:
    return moment.astimezone(ZoneInfo(calendar.timezone)).replace(tzinfo=None)


def _aware(local: datetime, calendar: Calendar) -> datetime:
    return local.replace(tzinfo=ZoneInfo(calendar.timezone))


def due_after(moment: datetime, deadline: str, calendar: Calendar) -> datetime:
    """The moment a deadline such as ``"10 business days"`` counted from ``moment`` (aware) runs out."""
    count, unit = parse_deadline(deadline)
    local = _local(moment, calendar)
    origin = local.date()
    if unit == "days":
        return _aware(datetime.combine(origin + timedelta(days=count + 1), datetime.min.time()), calendar)
    table = work_calendar(calendar, origin, 1.0)
    t0 = table.minutes_at(local)
    if unit == "working_hours":
        return _aware(table.datetime_of(table.finish_time(t0, count * 60.0)), calendar)
    day, found = 0, 0
    while found < count:
        day += 1
        if day > 366 * 100:
            raise ValueError(f"the calendar has fewer than {count} open days in a hundred years")
        if table.is_open_day(day * MINUTES_PER_DAY):
            found += 1
    closing = table.offset_to_time(table.time_to_offset((day + 1) * MINUTES_PER_DAY) - 1.0) + 1.0
    return _aware(table.datetime_of(closing), calendar)


def before_due(due: datetime, lead: str, calendar: Calendar) -> datetime:
    """The moment ``lead`` (e.g. ``"1 business day"``) before ``due``: when to remind."""
    count, unit = parse_deadline(lead)
    local = _local(due, calendar)
    if unit == "days":
        return _aware(local - timedelta(days=count), calendar)
    origin = (local - timedelta(days=count * 3 + 30)).date()
    table = work_calendar(calendar, origin, 1.0)
    t = table.minutes_at(local)
    if unit == "working_hours":
        offset = max(table.time_to_offset(t) - count * 60.0, 0.0)
        return _aware(table.datetime_of(table.offset_to_time(offset)), calendar)
    day, found = int(t // MINUTES_PER_DAY), 0
    while found < count and day > 0:
        day -= 1
        if table.is_open_day(day * MINUTES_PER_DAY):
            found += 1
    return _aware(table.datetime_of(day * MINUTES_PER_DAY + (t % MINUTES_PER_DAY)), calendar)


def business_days_left(now: datetime, due: datetime, calendar: Calendar) -> int:
    """Open days of the calendar from ``now``'s day to ``due``'s day, both local: 0 when due today, 2 when due
    the second open day from today, -1 when it was due on the last open day before today (overdue). Staff
    read deadlines this way (あと2営業日), not in hours."""
    today, due_day = _local(now, calendar).date(), _local(due, calendar).date()
    first, last = min(today, due_day), max(today, due_day)
    table = work_calendar(calendar, first, 1.0)
    span = (last - first).days
    count = sum(1 for day in range(1, span + 1) if table.is_open_day(day * MINUTES_PER_DAY))
    return count if due_day >= today else -count
