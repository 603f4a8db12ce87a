"""Working time for the simulation: when a calendar is open, and how work and arrivals move through it.

**Clock.** Simulation time is float minutes since 00:00 of the start date, in the calendar's local civil
time. Every day has 1440 minutes (daylight-saving shifts are not modelled; ``timezone`` is informative).
Times before 0 lie outside the simulation and are closed.

**Table.** :class:`WorkCalendar` compiles a :class:`~bpr.model.schema.Calendar` into a sorted table of open
intervals ``[start, end)``; intervals that touch (``08:30-12:00`` + ``12:00-13:00``, or midnight between two
open 24-hour days) are merged into one. Which days are open comes from :mod:`bpr.model.volume`, the one
place that decides it. Every query is one or two bisections, O(log n). The table covers the start year to
``start year + ceil(horizon_years) + 1`` and grows by itself when a query reaches past its end. An
``always`` calendar (24/7) has no table: every query short-circuits.

**Open time.** ``time_to_offset(t)`` is the open minutes from 0 to ``t``; ``offset_to_time`` maps back, and
``offset_to_time(time_to_offset(t)) == t`` exactly for every open ``t`` (interval bounds and offsets are
whole minutes, which keeps the float arithmetic exact; see the tests). Arrivals "per open day" are a Poisson stream in open time::

    rate = rate_per_open_minute(process, arrival, year)          # bpr.model.volume
    offset += rng.exponential(1 / rate)                          # next arrival, in open minutes
    t = work_calendar.offset_to_time(offset)                     # an open instant of wall time

**Work pauses at closing.** ``finish_time(t, work)`` is the instant at which ``work`` open minutes have
passed since ``t``: work started while closed begins at the next opening; work that does not fit before
closing stops at closing and resumes at the next opening (lunch, evening, weekend, holiday, year-end
closure); work that ends exactly at closing finishes at closing, not the next morning (and so does work
that overruns a closing by no more than :data:`SNAP`, a minute's millionth: rounding residue of long
horizons, not work).

Its hours are :func:`bpr.model.volume.day_periods` (they may differ between days: ``weekday_hours``,
exception periods).

**Open days.** A day is open when :func:`bpr.model.volume.is_open_day` says so, whatever its hours.
``next_clock`` (in-tray sweeps, mail runs) and ``business_days_between`` count days this way.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np

from bpr.model.schema import Calendar, clock_minutes
from bpr.model.volume import day_periods, open_days_in

MINUTES_PER_DAY = 1440.0

#: Work that overruns a closing by at most this many minutes (60 microseconds) ends at the closing, so that
#: float rounding residue never carries a task into the next open period.
SNAP = 1e-6

#: How many years past the start a query may reach (a calendar with no open time in them is refused).
MAX_YEARS = 100

__all__ = ["MINUTES_PER_DAY", "SNAP", "WorkCalendar", "calendar_days", "work_calendar"]


def calendar_days(minutes: float) -> float:
    """Minutes of wall time as calendar days (24 hours each)."""
    return minutes / MINUTES_PER_DAY


@lru_cache(maxsize=256)
def _clock_offsets(clocks: tuple[str | float, ...]) -> tuple[float, ...]:
    """``("16:00", "10:00")`` -> ``(600.0, 960.0)``: sorted minutes after midnight."""
    if not clocks:
        raise ValueError("next_clock needs at least one time of day, such as '10:00'")
    values = set()
    for clock in clocks:
        minutes = float(clock_minutes(clock)) if isinstance(clock, str) else float(clock)
        if not 0 <= minutes <= MINUTES_PER_DAY:
            raise ValueError(f"time of day {clock!r} is outside 00:00-24:00")
        values.add(minutes)
    return tuple(sorted(values))


class WorkCalendar:
    """A calendar compiled for one simulation start date; see the module docstring for the rules.

    Parameters
    ----------
    calendar : the process file's calendar (``always`` for 24/7).
    start : the date whose 00:00 is simulation time 0.
    horizon_years : how many years ahead to precompute; queries beyond still work (the table grows).

    Examples
    --------
    >>> from bpr.model.schema import Calendar
    >>> cal = WorkCalendar(Calendar(), date(2026, 7, 17))        # a Friday; Monday 07-20 is 海の日
    >>> cal.datetime_of(cal.finish_time(16 * 60 + 50, 60))       # 25 min Friday, 35 min Tuesday
    datetime.datetime(2026, 7, 21, 9, 5)
    """

    __slots__ = (
        "_cum",
        "_cum_end",
        "_cum_np",
        "_day_flags",
        "_end",
        "_ends",
        "_ends_np",
        "_open_days",
        "_open_days_np",
        "_periods",
        "_starts",
        "_starts_np",
        "_stop_year",
        "_total",
        "always",
        "calendar",
        "never_open",
        "start",
    )

    def __init__(self, calendar: Calendar, start: date, horizon_years: float = 1.0) -> None:
        if isinstance(start, datetime):
            start = start.date()
        if not horizon_years >= 0 or not math.isfinite(horizon_years):
            raise ValueError(f"horizon_years must be a finite number >= 0, got {horizon_years!r}")
        self.calendar = calendar
        self.start = start
        self.always = calendar.always
        self._periods = calendar.periods()
        #: True when no instant is ever open (no working days or no hours): interval queries answer at once.
        self.never_open = not self.always and (not calendar.days or (calendar.uniform and not self._periods))
        if not self.always:
            self._compile(start.year + math.ceil(horizon_years) + 2)

    # --- building the table ------------------------------------------------------------------------

    def _compile(self, stop_year: int) -> None:
        """Build the tables for the days from ``start`` to 1 January of ``stop_year``."""
        stop = date(stop_year, 1, 1)
        n_days = (stop - self.start).days
        open_days = [(day - self.start).days for day in open_days_in(self.calendar, self.start, stop)]
        flags = bytearray(n_days)
        for index in open_days:
            flags[index] = 1
        day_index = np.asarray(open_days, dtype=np.float64)
        if self.calendar.uniform:
            periods = np.asarray(self._periods, dtype=np.float64).reshape(-1, 2)
            starts = (day_index[:, None] * MINUTES_PER_DAY + periods[None, :, 0]).ravel()
            ends = (day_index[:, None] * MINUTES_PER_DAY + periods[None, :, 1]).ravel()
        else:  # hours differ between days (weekday_hours, exception periods): one day at a time
            spans = [(index * MINUTES_PER_DAY + begin, index * MINUTES_PER_DAY + finish)
                     for index in open_days
                     for begin, finish in day_periods(self.calendar, self.start + timedelta(days=index))]
            table = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
            starts, ends = table[:, 0].copy(), table[:, 1].copy()
        if starts.size:
            # Merge intervals that touch, so that work never "pauses" for a zero-length closure.
            keep_start = np.concatenate(([True], starts[1:] != ends[:-1]))
            keep_end = np.concatenate((starts[1:] != ends[:-1], [True]))
            starts, ends = starts[keep_start], ends[keep_end]
        lengths = ends - starts
        cum_end = np.cumsum(lengths)
        cum = cum_end - lengths  # whole minutes: exact
        self._stop_year = stop_year
        self._end = n_days * MINUTES_PER_DAY
        self._starts_np, self._ends_np, self._cum_np = starts, ends, cum
        # Python lists for the scalar queries: bisect on a list is several times faster than on an array.
        self._starts = starts.tolist()
        self._ends = ends.tolist()
        self._cum = cum.tolist()
        self._cum_end = cum_end.tolist()
        self._total = float(cum_end[-1]) if cum_end.size else 0.0
        self._day_flags = flags
        self._open_days = open_days
        self._open_days_np = np.asarray(open_days, dtype=np.int64)  # for business_days_between_many

    def _grow(self) -> None:
        """Double the years covered (at least one more year)."""
        covered = self._stop_year - self.start.year
        limit = self.start.year + MAX_YEARS + 1
        if self._stop_year >= limit:
            if self._total == 0:
                raise ValueError(
                    f"calendar has no open time within {MAX_YEARS} years of {self.start.isoformat()}; "
                    "check its days, hours and closed dates"
                )
            raise ValueError(
                f"calendar query reaches more than {MAX_YEARS} years after {self.start.isoformat()}"
            )
        self._compile(min(limit, self._stop_year + max(1, covered)))

    def _cover(self, t: float) -> None:
        """Grow the table until it covers time ``t``."""
        if not math.isfinite(t):
            raise ValueError(f"time {t!r} is not finite")
        while t >= self._end:
            self._grow()

    @property
    def covered_until(self) -> float:
        """End of the precomputed table in minutes (``inf`` for ``always``); later queries grow it."""
        return math.inf if self.always else self._end

    # --- open instants -----------------------------------------------------------------------------

    def is_open(self, t: float) -> bool:
        """Whether time ``t`` lies in open time (intervals are ``[start, end)``: closing time is closed)."""
        if self.always:
            return True
        if t >= self._end:
            self._cover(t)
        j = bisect_right(self._ends, t)
        return j < len(self._ends) and self._starts[j] <= t

    def next_open(self, t: float) -> float:
        """The first open instant at or after ``t`` (``t`` itself when open; ``inf`` if never open)."""
        if self.always:
            return t
        if self.never_open:
            return math.inf
        j = bisect_right(self._ends, t)
        while j >= len(self._ends):
            self._grow()
            j = bisect_right(self._ends, t)
        start = self._starts[j]
        return t if t >= start else start  # noqa: FURB136 - a conditional is faster than max()/min() here

    def open_until(self, t: float) -> float:
        """When the open period containing ``t`` closes; ``t`` itself when closed (``inf`` for ``always``)."""
        if self.always:
            return math.inf
        if t >= self._end:
            self._cover(t)
        j = bisect_right(self._ends, t)
        if j >= len(self._ends) or self._starts[j] > t:
            return t
        while self._ends[j] >= self._end:  # may continue past the table (24-hour days): grow and merge
            self._grow()
            j = bisect_right(self._ends, t)
        return self._ends[j]

    def segment(self, t: float) -> tuple[float, float, float, float]:
        """``(lo, start, end, cum)``: the stretch ``[lo, end)`` around ``t`` made of a closed part ``[lo, start)``
        and the open period ``[start, end)``, with ``cum`` open minutes before ``start``.

        Inside it, every query is arithmetic: open at ``u`` iff ``u >= start``; ``next_open(u)`` is ``max(u,
        start)``; ``time_to_offset(u)`` is ``cum + (u - start)`` from ``start`` on, else ``cum`` — the same
        values, to the bit, as the methods give. The engine keeps one per role and calls the calendar only when
        time leaves it (about twice a working day), instead of at every event. The period is final (a table
        that grows later does not extend it). A calendar never open is one stretch, open nowhere; ``always``
        is one, open from 0.
        """
        if self.always:
            return -math.inf, 0.0, math.inf, 0.0
        if self.never_open:
            return -math.inf, math.inf, math.inf, 0.0
        if t >= self._end:
            self._cover(t)
        j = bisect_right(self._ends, t)
        while j >= len(self._ends) or self._ends[j] >= self._end:  # a period that may go on past the table
            self._grow()
            j = bisect_right(self._ends, t)
        return (self._ends[j - 1] if j > 0 else -math.inf), self._starts[j], self._ends[j], self._cum[j]

    # --- open time ---------------------------------------------------------------------------------

    def time_to_offset(self, t: float) -> float:
        """Open minutes from 0 to ``t`` (constant while closed; 0 before the first opening)."""
        if self.always:
            return t
        if t >= self._end:
            self._cover(t)
        j = bisect_right(self._ends, t)
        if j >= len(self._ends):
            return self._total
        start = self._starts[j]
        return self._cum[j] + (t - start) if t > start else self._cum[j]

    def offset_to_time(self, offset: float) -> float:
        """The open instant at which ``offset`` open minutes have passed since 0.

        Always an open instant: an offset that falls exactly on a closing maps to the next opening (an
        arrival lands in open time). ``offset_to_time(time_to_offset(t)) == t`` for every open ``t``.
        """
        if self.always:
            return offset
        if not offset >= 0:
            raise ValueError(f"open-time offset must be >= 0, got {offset!r}")
        if self.never_open:
            return math.inf
        while offset >= self._total:
            self._grow()
        i = bisect_right(self._cum, offset) - 1
        t = self._starts[i] + (offset - self._cum[i])
        end = self._ends[i]
        # Rounding to the coarser float grid of later times can reach the closing; stay inside.
        return t if t < end else math.nextafter(end, -math.inf)

    def offsets_to_times(self, offsets: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`offset_to_time` (same values, element by element) for a whole stream."""
        offsets = np.asarray(offsets, dtype=np.float64)
        if self.always:
            return offsets.copy()
        if offsets.size == 0:
            return offsets.copy()
        if not offsets.min() >= 0:
            raise ValueError("open-time offsets must be >= 0")
        if self.never_open:
            return np.full_like(offsets, math.inf)
        while offsets.max() >= self._total:
            self._grow()
        i = np.searchsorted(self._cum_np, offsets, side="right") - 1
        t = self._starts_np[i] + (offsets - self._cum_np[i])
        end = self._ends_np[i]
        return np.where(t < end, t, np.nextafter(end, -np.inf))

    def open_minutes_between(self, t0: float, t1: float) -> float:
        """Open minutes in ``[t0, t1)``; 0 when ``t1 <= t0``."""
        if t1 <= t0:
            return 0.0
        if self.always:
            return t1 - t0
        return self.time_to_offset(t1) - self.time_to_offset(t0)

    def finish_time(self, t: float, work: float) -> float:
        """When a task started at ``t`` with ``work`` minutes of work ends, pausing while closed.

        Starts at ``next_open(t)``; if the work does not fit before closing it pauses at closing and
        resumes at the next opening, as many times as needed; ending exactly at closing finishes at
        closing. ``work <= 0`` finishes at ``t``. ``inf`` for a calendar that is never open.
        """
        if work <= 0:
            return t
        if self.always:
            return t + work
        if self.never_open:
            return math.inf
        ends = self._ends
        j = bisect_right(ends, t)  # the interval containing t, or the next one
        while j >= len(ends):
            self._grow()
            ends = self._ends
            j = bisect_right(ends, t)
        start = self._starts[j]
        begin = t if t > start else start  # noqa: FURB136 - a conditional is faster than max()/min() here
        done = begin + work
        end = ends[j]
        if done <= end:
            return done  # fits before closing: plain arithmetic, exact
        if done - end <= SNAP:
            return end
        return self._time_at_closing_offset(self._cum[j] + (begin - start) + work)

    #: The same as :meth:`finish_time`: ``m`` open minutes after ``t``.
    add_open_minutes = finish_time

    def _time_at_closing_offset(self, offset: float) -> float:
        """The earliest time at which ``offset`` open minutes have passed (a closing when it falls on one)."""
        while offset > self._total:
            self._grow()
        j = bisect_left(self._cum_end, offset)
        if j > 0 and offset - self._cum_end[j - 1] <= SNAP:
            return self._ends[j - 1]
        t = self._starts[j] + (offset - self._cum[j])
        end = self._ends[j]
        return t if t <= end else end  # noqa: FURB136 - a conditional is faster than max()/min() here

    # --- open days ---------------------------------------------------------------------------------

    def _day_is_open(self, day: int) -> bool:
        if self.always:
            return True
        if day < 0:
            return False
        while day >= len(self._day_flags):
            self._grow()
        return bool(self._day_flags[day])

    def _next_open_day_after(self, day: int) -> float:
        if self.always:
            return day + 1
        if not self.calendar.days:
            return math.inf
        k = bisect_right(self._open_days, day)
        while k >= len(self._open_days):
            self._grow()
            k = bisect_right(self._open_days, day)
        return self._open_days[k]

    def is_open_day(self, t: float) -> bool:
        """Whether the day containing time ``t`` is an open day (working weekday, not closed)."""
        return self._day_is_open(int(t // MINUTES_PER_DAY))

    def next_clock(self, t: float, clocks: Iterable[str | float]) -> float:
        """The first time at or after ``t`` showing one of ``clocks`` on an open day.

        ``clocks`` are times of day (``"10:00"``, or minutes after midnight); pass the same tuple each
        time (parsing is cached per tuple). Used for in-tray sweeps and mail runs, which happen on open
        days at those times even outside the hours. ``inf`` when the calendar has no working days.
        """
        offsets = _clock_offsets(clocks if isinstance(clocks, tuple) else tuple(clocks))
        day = int(t // MINUTES_PER_DAY)
        if self._day_is_open(day):
            base = day * MINUTES_PER_DAY
            k = bisect_left(offsets, t - base)
            if k < len(offsets):
                return base + offsets[k]
        return self._next_open_day_after(day) * MINUTES_PER_DAY + offsets[0]

    def business_days_between(self, t0: float, t1: float) -> int:
        """Open days elapsed from ``t0`` to ``t1``: open days after ``t0``'s day up to and including ``t1``'s.

        Same day -> 0; Friday -> Monday -> 1; Friday -> Tuesday over a Monday holiday -> 1.
        Additive: ``bd(a, b) + bd(b, c) == bd(a, c)`` for ``a <= b <= c``.
        """
        d0 = int(t0 // MINUTES_PER_DAY)
        d1 = int(t1 // MINUTES_PER_DAY)
        if d1 <= d0:
            return 0
        if self.always:
            return d1 - d0
        while d1 >= len(self._day_flags):
            self._grow()
        return bisect_right(self._open_days, d1) - bisect_right(self._open_days, d0)

    def business_days_between_many(self, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
        """:meth:`business_days_between` of each pair ``(t0[i], t1[i])``, as floats (the same values)."""
        d0 = np.floor_divide(np.asarray(t0, dtype=np.float64), MINUTES_PER_DAY).astype(np.int64)
        d1 = np.floor_divide(np.asarray(t1, dtype=np.float64), MINUTES_PER_DAY).astype(np.int64)
        if d0.size == 0:
            return np.zeros(0)
        if self.always:
            days = d1 - d0
        else:
            while int(d1.max()) >= len(self._day_flags):
                self._grow()
            open_days = self._open_days_np
            days = np.searchsorted(open_days, d1, side="right") - np.searchsorted(open_days, d0, side="right")
        return np.where(d1 > d0, days, 0).astype(np.float64)

    def close_of_day(self, day: int) -> float:
        """The closing time of day ``day`` (days since the start): the end of its last open interval, or of
        the day itself when it has none."""
        if self.always:
            return (day + 1) * MINUTES_PER_DAY
        midnight = (day + 1) * MINUTES_PER_DAY
        self._cover(midnight)
        j = bisect_left(self._starts, midnight) - 1
        if j < 0 or self._ends[j] <= day * MINUTES_PER_DAY:
            return midnight
        return self._ends[j]

    def due_time(self, t: float, count: int, unit: str) -> float:
        """When a deadline of ``count`` ``unit`` counted from ``t`` runs out (docs/format.md, Deadlines).

        ``days``: the end (24:00) of the ``count``-th day after ``t``'s day. ``business_days``: the close of
        the ``count``-th open day after ``t``'s day. ``working_hours``: when ``count`` hours of open time
        have passed since ``t``.
        """
        day = int(t // MINUTES_PER_DAY)
        if unit == "days":
            return (day + count + 1) * MINUTES_PER_DAY
        if unit == "working_hours":
            return self.finish_time(t, count * 60.0)
        if unit != "business_days":
            raise ValueError(f"unknown deadline unit {unit!r}; days, business_days or working_hours")
        if self.always:
            return self.close_of_day(day + count)
        if self.never_open:
            return math.inf
        k = bisect_right(self._open_days, day) + count - 1
        while k >= len(self._open_days):
            self._grow()
            k = bisect_right(self._open_days, day) + count - 1
        return self.close_of_day(self._open_days[k])

    # --- wall-clock conversions --------------------------------------------------------------------

    def date_of(self, t: float) -> date:
        """The calendar date of time ``t``."""
        return self.start + timedelta(days=int(t // MINUTES_PER_DAY))

    def datetime_of(self, t: float) -> datetime:
        """The local date and time of ``t`` (for event logs and messages)."""
        return datetime.combine(self.start, time()) + timedelta(minutes=t)

    def minutes_at(self, when: date | datetime) -> float:
        """Simulation time of a date's 00:00 or of a datetime."""
        if isinstance(when, datetime):
            delta = when - datetime.combine(self.start, time(), tzinfo=when.tzinfo)
            return delta.total_seconds() / 60.0
        return (when - self.start).days * MINUTES_PER_DAY

    def __repr__(self) -> str:
        kind = "always" if self.always else f"{len(self._starts)} open intervals to {self._stop_year}-01-01"
        return f"WorkCalendar(start={self.start.isoformat()}, {kind})"


@lru_cache(maxsize=128)
def work_calendar(calendar: Calendar, start: date, horizon_years: float = 1.0) -> WorkCalendar:
    """A shared compiled calendar: replications in one process reuse the table instead of rebuilding it.

    Sharing is safe: the answers never change, the table only grows.
    """
    return WorkCalendar(calendar, start, horizon_years)
