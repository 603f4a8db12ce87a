"""Open days, open time and yearly case volumes of a calendar: the day logic the whole of bpr shares.

Which days are open is decided here and only here: the simulation's
:class:`~bpr.simulate.calendar.WorkCalendar` builds its interval table from :func:`is_open_day` and
:func:`closed_dates`, the change language converts channel shares with :func:`annual_cases`, and the engine
draws arrivals with :func:`rate_per_open_minute`. Because they share one definition, "40/day" means the
same number of cases everywhere.

A day is **open** when its weekday is one of ``calendar.days`` (inside an exception period that gives
``days``, the period's), it is one of the ``nth`` of its weekday in its month (``-1`` the last), it lies in
one of every ``every_weeks`` weeks counted from the week (Monday to Sunday) of ``weeks_from``, it is one of
the ``month_days`` (``-1`` the last day of the month), and its date is neither a public holiday of
``calendar.holidays`` (from the ``holidays`` package; ``"JP"``, or ``"DE-BY"`` for a subdivision; ``None``
for none) nor one of ``calendar.closed`` (``"MM-DD"`` every year, ``"YYYY-MM-DD"`` once, ``year_end`` for
12-29 to 01-03; a ``"02-29"`` simply does not occur in common years) nor in a closed exception period.
Rules that are not given do not restrict. An ``always`` calendar is open every day, all day. Open time on an
open day is :func:`day_periods`: the hours of an exception period that gives them, else the weekday's
``weekday_hours``, else ``hours``.

Rates (see ``docs``): ``/day`` counts per open day and ``/hour`` per open hour of the stream's calendar;
``/week``, ``/month`` and ``/year`` count per calendar period (a week is 7 days of the year, a month 1/12
of it). Weekday/hour profiles shape *when* cases arrive, not how many: they are not part of these volumes.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from bpr.model.schema import (
    WEEKDAYS,
    YEAR_END,
    YEAR_END_DATES,
    Arrival,
    Calendar,
    CalendarException,
    Process,
    clock_minutes,
)

#: Year used for yearly volumes when the caller has no simulation start date to take it from.
REFERENCE_YEAR = 2026

MINUTES_PER_HOUR = 60.0

_CLOSED_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")


# --- which days are open ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def public_holidays(code: str | None, year: int) -> frozenset[date]:
    """Public holidays of country ``code`` (``"JP"``, or ``"DE-BY"`` with a subdivision) in ``year``.

    Raises ``ValueError`` naming the code when the ``holidays`` package does not know it.
    """
    if code is None:
        return frozenset()
    country, subdivision = _holiday_country(code)
    import holidays  # here: asking for one country's table imports all ~250 of the package's country modules

    try:
        table = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        raise ValueError(_unknown_country(code)) from None
    return frozenset(table.keys())


def check_holiday_code(code: str | None) -> None:
    """Raise ``ValueError`` as :func:`public_holidays` would for ``code``, without building a table when the
    code names a whole country (validation need not load the package's ~250 country modules for that)."""
    if code is not None:
        _, subdivision = _holiday_country(code)
        if subdivision:  # the subdivisions are known to the country's table only
            public_holidays(code, REFERENCE_YEAR)


def _holiday_country(code: str) -> tuple[str, str]:
    """(country, subdivision) of a holiday code, the country checked against the package's registry of
    countries: the package looks a code up as any of its names, and some (``MON``, ``PUBLIC``) are not
    countries."""
    country, _, subdivision = code.strip().upper().partition("-")
    if country not in _country_codes():
        raise ValueError(_unknown_country(code))
    return country, subdivision


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes())


def _unknown_country(code: str) -> str:
    return f"unknown holiday country {code!r}; use an ISO 3166 code such as 'JP' (or null for no holidays)"


def _closed_entry(text: str, year: int) -> date | None:
    """The date an entry of ``calendar.closed`` names in ``year``, or ``None`` when it names none."""
    match = _CLOSED_DATE.match(text)
    if not match:
        raise ValueError(f"cannot read closed date {text!r}; write 'MM-DD' or 'YYYY-MM-DD'")
    once, month, day = match.groups()
    if once is not None and int(once) != year:
        return None
    month_number, day_number = int(month), int(day)
    if month_number == 2 and day_number == 29 and once is None and not _stdlib_calendar.isleap(year):
        return None  # a yearly Feb 29 closure happens only in leap years
    try:
        return date(year, month_number, day_number)
    except ValueError:
        raise ValueError(
            f"closed date {text!r} is not a day of the calendar (month {month}, day {day})"
        ) from None


@lru_cache(maxsize=1024)
def closed_dates(calendar: Calendar, year: int) -> frozenset[date]:
    """Dates of ``year`` on which a calendar is shut although the weekday is a working day.

    Public holidays plus the ``closed`` entries; empty for an ``always`` calendar.
    """
    if calendar.always:
        return frozenset()
    dates = set(public_holidays(calendar.holidays, year))
    for text in calendar.closed:
        for entry in YEAR_END_DATES if text == YEAR_END else (text,):
            day = _closed_entry(entry, year)
            if day is not None:
                dates.add(day)
    return frozenset(dates)


@lru_cache(maxsize=256)
def _weekday_numbers(days: tuple[str, ...]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(day) for day in days)


def exception_on(calendar: Calendar, day: date) -> CalendarException | None:
    """The exception period of ``calendar`` that ``day`` lies in (the first listed, if several), or ``None``."""
    if not calendar.exceptions:
        return None
    text = day.isoformat()
    for exception in calendar.exceptions:
        if exception.first <= text <= exception.last:
            return exception
    return None


def _position_ok(calendar: Calendar, day: date) -> bool:
    """The rules by position: n-th weekday of the month, every N weeks, days of the month."""
    if calendar.nth is not None:
        nth = (day.day - 1) // 7 + 1
        last = day.day + 7 > _stdlib_calendar.monthrange(day.year, day.month)[1]
        if nth not in calendar.nth and not (last and -1 in calendar.nth):
            return False
    if calendar.every_weeks is not None and calendar.weeks_from is not None:
        anchor = date.fromisoformat(calendar.weeks_from)
        monday = anchor - timedelta(days=anchor.weekday())
        if ((day - monday).days // 7) % calendar.every_weeks != 0:
            return False
    if calendar.month_days is not None:
        last_day = _stdlib_calendar.monthrange(day.year, day.month)[1]
        if day.day not in calendar.month_days and not (day.day == last_day and -1 in calendar.month_days):
            return False
    return True


def is_open_day(calendar: Calendar, day: date, closed: frozenset[date] | None = None) -> bool:
    """Whether ``day`` is a working day of ``calendar`` (see the module docstring for the rules).

    ``closed`` is ``closed_dates(calendar, day.year)``; pass it when asking about many days of one year.
    """
    if calendar.always:
        return True
    exception = exception_on(calendar, day)
    if exception is not None:
        if exception.closed:
            return False
        days = calendar.days if exception.days is None else exception.days
        if day.weekday() not in _weekday_numbers(days):
            return False
    elif day.weekday() not in _weekday_numbers(calendar.days):
        return False
    if not _position_ok(calendar, day):
        return False
    if closed is None:
        closed = closed_dates(calendar, day.year)
    return day not in closed


def day_periods(calendar: Calendar, day: date) -> tuple[tuple[int, int], ...]:
    """Working spans of ``day`` if it is open, as (start, end) minutes after midnight: the hours of its
    exception period when that gives hours, else its weekday's ``weekday_hours``, else ``hours``."""
    if calendar.uniform:
        return calendar.periods()
    exception = exception_on(calendar, day)
    if exception is not None and exception.hours is not None:
        return tuple(sorted((clock_minutes(s.partition("-")[0]), clock_minutes(s.partition("-")[2]))
                            for s in exception.hours))
    return calendar.periods_on(day.weekday())


def open_days_in(calendar: Calendar, first: date, stop: date) -> list[date]:
    """Open days from ``first`` up to but excluding ``stop``, in order."""
    out: list[date] = []
    day = first
    closed_year = -1
    closed: frozenset[date] = frozenset()
    one_day = timedelta(days=1)
    while day < stop:
        if day.year != closed_year:
            closed_year = day.year
            closed = closed_dates(calendar, closed_year)
        if is_open_day(calendar, day, closed):
            out.append(day)
        day += one_day
    return out


def days_in_year(year: int) -> int:
    return 366 if _stdlib_calendar.isleap(year) else 365


@lru_cache(maxsize=1024)
def open_days_per_year(calendar: Calendar, year: int) -> int:
    """Number of open days in ``year`` (every day of the year for ``always``)."""
    return len(open_days_in(calendar, date(year, 1, 1), date(year + 1, 1, 1)))


@lru_cache(maxsize=1024)
def open_minutes_per_year(calendar: Calendar, year: int) -> float:
    """Open minutes in ``year``: the minutes of the working spans of every open day."""
    if calendar.uniform:
        return float(open_days_per_year(calendar, year) * calendar.minutes_per_day())
    return float(sum(end - start for day in open_days_in(calendar, date(year, 1, 1), date(year + 1, 1, 1))
                     for start, end in day_periods(calendar, day)))


def calendar_problems(calendar: Calendar) -> list[tuple[str, str, str]]:
    """What makes a calendar unusable, as ``(field, message, hint)``; empty when it is fine.

    For the reference checks, so that a bad holiday code or an impossible closed date is reported with
    its location instead of surfacing during a simulation.
    """
    problems: list[tuple[str, str, str]] = []
    if calendar.always:
        return problems
    try:
        check_holiday_code(calendar.holidays)
    except ValueError as error:
        problems.append(("holidays", str(error), "JP for Japan; null for no public holidays"))
    for index, text in enumerate(calendar.closed):
        if text == YEAR_END:
            continue
        try:
            _closed_entry(text, 2024)  # a leap year, so that '02-29' is accepted
        except ValueError as error:
            problems.append((f"closed[{index}]", str(error),
                             "e.g. '12-29' every year, '2026-05-01' once, or 'year_end' for 12-29 to 01-03"))
    for day in calendar.weekday_hours:
        if day not in calendar.days and not any(e.days and day in e.days for e in calendar.exceptions):
            problems.append((f"weekday_hours.{day}", f"{day} is not a working day of this calendar",
                             f"add {day} to 'days', or remove its hours"))
    if not calendar.days or not calendar.hours:
        problems.append(
            (
                "days" if not calendar.days else "hours",
                "the calendar is never open",
                "list working days and hours, or write 'always' for 24/7",
            )
        )
    return problems


# --- yearly volumes --------------------------------------------------------------------------------


def annual_cases(process: Process, arrival: Arrival, year: int = REFERENCE_YEAR) -> float:
    """Cases per year that ``arrival.rate`` implies in ``year``.

    ``/day`` x open days and ``/hour`` x open hours of the stream's calendar; ``/week`` x days of the
    year / 7; ``/month`` x 12; ``/year`` as written.
    """
    count, period = arrival.rate_value()
    calendar = process.calendar_of(arrival.calendar)
    if period == "day":
        return count * open_days_per_year(calendar, year)
    if period == "hour":
        return count * open_minutes_per_year(calendar, year) / MINUTES_PER_HOUR
    if period == "week":
        return count * days_in_year(year) / 7.0
    if period == "month":
        return count * 12.0
    return count


def rate_per_open_minute(process: Process, arrival: Arrival, year: int = REFERENCE_YEAR) -> float:
    """Mean arrivals per open minute of the stream's calendar in ``year``.

    The engine draws a Poisson stream with this rate in open time and maps it to wall time with
    ``WorkCalendar.offset_to_time``; the expected count over ``year`` is then :func:`annual_cases`.
    ``/day`` and ``/hour`` rates do not depend on the year.
    """
    count, period = arrival.rate_value()
    calendar = process.calendar_of(arrival.calendar)
    if period == "day":
        per_day = calendar.minutes_per_day() if calendar.uniform else (
            open_minutes_per_year(calendar, year) / max(open_days_per_year(calendar, year), 1))
        if per_day == 0:
            raise ValueError(
                f"rate {arrival.rate!r} is per open day, but the {arrival.channel} calendar has no hours"
            )
        return count / per_day
    if period == "hour":
        return count / MINUTES_PER_HOUR
    minutes = open_minutes_per_year(calendar, year)
    if minutes == 0:
        raise ValueError(f"the calendar of the {arrival.channel} arrivals has no open time in {year}")
    return annual_cases(process, arrival, year) / minutes


def profile_shape(arrival: Arrival, calendar: Calendar) -> tuple[list[float], list[float], float, float] | None:
    """An arrival profile over a week of ``calendar``: weekday and hour multipliers, the average multiplier
    over the open minutes, and the highest; ``None`` without a profile. An average of 0 means that no case
    could ever arrive (every open hour has weight 0)."""
    if arrival.profile is None or (not arrival.profile.weekday and not arrival.profile.hour):
        return None
    weekday = [float(arrival.profile.weekday.get(day, 1.0)) for day in WEEKDAYS]  # type: ignore[call-overload]
    hour = [float(arrival.profile.hour.get(h, 1.0)) for h in range(24)]
    days = range(7) if calendar.always else [WEEKDAYS.index(day) for day in calendar.days]
    total = weight = peak = 0.0
    for day in days:
        for start, end in calendar.periods_on(day):
            for h in range(24):
                overlap = min(end, (h + 1) * 60) - max(start, h * 60)
                if overlap > 0:
                    m = weekday[day] * hour[h]
                    total += overlap
                    weight += overlap * m
                    peak = max(peak, m)
    return weekday, hour, (weight / total if total else 0.0), peak
