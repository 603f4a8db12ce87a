"""WorkCalendar: exact timelines computed by hand, then invariants with hypothesis.

Default calendar: Mon-Fri 08:30-12:00 and 13:00-17:15, JP holidays, closed 12-29..01-03.
Times are minutes since 00:00 of the start date; ``_at`` turns a local date and time into that.
"""

from __future__ import annotations

import doctest
import math
import pickle
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import bpr.simulate.calendar as calendar_module
from bpr.model.schema import Calendar
from bpr.model.volume import open_days_per_year, open_minutes_per_year
from bpr.simulate.calendar import MINUTES_PER_DAY, WorkCalendar, calendar_days, work_calendar

DEFAULT = Calendar()
START = date(2026, 7, 13)  # a Monday
CAL = WorkCalendar(DEFAULT, START, horizon_years=1)
HORIZON = (date(2029, 1, 1) - START).days * MINUTES_PER_DAY  # what CAL precomputes


def _at(text: str, cal: WorkCalendar = CAL) -> float:
    return cal.minutes_at(datetime.fromisoformat(text))


def _show(t: float, cal: WorkCalendar = CAL) -> str:
    return cal.datetime_of(t).isoformat(sep=" ", timespec="minutes")


# --- hand-computed timelines -------------------------------------------------------------------------


def test_friday_before_a_monday_holiday():
    # Fri 2026-07-17 16:50 + 60 min: 25 min until 17:15; Sat, Sun, Mon 07-20 (海の日) closed;
    # the remaining 35 min from Tue 08:30 -> 09:05.
    cal = WorkCalendar(DEFAULT, date(2026, 7, 17))
    t = 16 * 60 + 50
    assert cal.finish_time(t, 60) == 4 * 1440 + 9 * 60 + 5
    assert _show(cal.finish_time(t, 60), cal) == "2026-07-21 09:05"
    assert cal.open_minutes_between(t, cal.finish_time(t, 60)) == 60


def test_lunch_break():
    assert _show(CAL.finish_time(_at("2026-07-13 11:30"), 45)) == "2026-07-13 13:15"
    # ends exactly at closing: finishes at 12:00, not at 13:00
    assert _show(CAL.finish_time(_at("2026-07-13 11:30"), 30)) == "2026-07-13 12:00"
    # started during lunch: waits for 13:00
    assert _show(CAL.finish_time(_at("2026-07-13 12:10"), 10)) == "2026-07-13 13:10"
    # a whole day and a bit: 465 + 15 min from 08:30 Monday -> Tuesday 08:45
    assert _show(CAL.finish_time(_at("2026-07-13 08:30"), 480)) == "2026-07-14 08:45"
    # started at night: begins at next opening
    assert _show(CAL.finish_time(_at("2026-07-13 20:00"), 20)) == "2026-07-14 08:50"


def test_rounding_residue_does_not_carry_into_the_next_day():
    closing = _at("2026-07-13 17:15")
    assert CAL.finish_time(closing - 10, 10 + 1e-9) == closing
    # 09:00-12:00 and 13:00-17:15 are 435 open minutes: a multi-period task overrunning by 1e-9 snaps too
    assert CAL.finish_time(_at("2026-07-13 09:00"), 435 + 1e-9) == closing
    assert CAL.finish_time(_at("2026-07-13 09:00"), 465 + 1e-9) == pytest.approx(
        _at("2026-07-14 09:00"), abs=1e-9
    )
    assert CAL.finish_time(closing - 10, 10 + 2e-6) == pytest.approx(_at("2026-07-14 08:30") + 2e-6, abs=1e-9)


def test_year_end_closure():
    # Mon 2026-12-28 17:00 + 30 min: 15 min that evening; 12-29..01-03 closed (01-01 a holiday too);
    # Mon 2027-01-04 08:30 + 15 min -> 08:45.
    assert _show(CAL.finish_time(_at("2026-12-28 17:00"), 30)) == "2027-01-04 08:45"
    assert CAL.next_open(_at("2026-12-29 09:00")) == _at("2027-01-04 08:30")
    assert CAL.open_minutes_between(_at("2026-12-28 17:15"), _at("2027-01-04 08:30")) == 0
    assert CAL.business_days_between(_at("2026-12-28 10:00"), _at("2027-01-04 10:00")) == 1


def test_open_instants():
    assert CAL.is_open(_at("2026-07-13 08:30"))
    assert not CAL.is_open(_at("2026-07-13 12:00"))  # intervals are [start, end)
    assert CAL.is_open(_at("2026-07-13 11:59"))
    assert not CAL.is_open(_at("2026-07-18 10:00"))  # Saturday
    assert not CAL.is_open(_at("2026-07-20 10:00"))  # 海の日
    assert not CAL.is_open(-1.0)
    assert CAL.next_open(_at("2026-07-13 10:00")) == _at("2026-07-13 10:00")
    assert CAL.next_open(_at("2026-07-17 17:15")) == _at("2026-07-21 08:30")
    assert CAL.open_until(_at("2026-07-13 10:00")) == _at("2026-07-13 12:00")
    assert CAL.open_until(_at("2026-07-13 12:30")) == _at("2026-07-13 12:30")


def test_offsets_just_below_a_closing_stay_open():
    # 510 + (210 - 2**-45) is nearer 720 than any float below it: the answer is kept inside the period
    t = CAL.offset_to_time(math.nextafter(210.0, 0.0))
    assert t == math.nextafter(720.0, 0.0) and CAL.is_open(t)
    assert CAL.offsets_to_times(np.array([math.nextafter(210.0, 0.0)])).tolist() == [t]


def test_open_minutes_and_offsets():
    # Monday: 08:30-12:00 is 210 min, 13:00-17:15 is 255 min
    assert CAL.time_to_offset(_at("2026-07-13 12:30")) == 210
    assert CAL.time_to_offset(_at("2026-07-14 00:00")) == 465
    assert CAL.offset_to_time(210) == _at("2026-07-13 13:00")  # a closing offset maps to the next opening
    assert CAL.offset_to_time(0) == _at("2026-07-13 08:30")
    assert CAL.offset_to_time(465 * 4 + 10) == _at("2026-07-17 08:40")  # 4 open days, then Friday
    assert CAL.offset_to_time(465 * 5) == _at("2026-07-21 08:30")  # Friday closes; Monday is a holiday
    assert CAL.open_minutes_between(_at("2026-07-13 00:00"), _at("2026-07-20 00:00")) == 5 * 465
    assert CAL.open_minutes_between(100.0, 50.0) == 0


def test_next_clock_across_a_weekend_and_a_holiday():
    tray = ("16:00", "10:00")
    assert _show(CAL.next_clock(_at("2026-07-13 09:00"), tray)) == "2026-07-13 10:00"
    assert _show(CAL.next_clock(_at("2026-07-13 10:00"), tray)) == "2026-07-13 10:00"  # at or after
    assert _show(CAL.next_clock(_at("2026-07-13 10:01"), tray)) == "2026-07-13 16:00"
    assert _show(CAL.next_clock(_at("2026-07-24 16:01"), tray)) == "2026-07-27 10:00"  # Fri -> Mon
    # Friday 07-17 after 16:00: Sat, Sun and Monday 07-20 (海の日) have no sweep
    assert _show(CAL.next_clock(_at("2026-07-17 16:30"), tray)) == "2026-07-21 10:00"
    # a mail run after hours still runs on open days
    assert _show(CAL.next_clock(_at("2026-07-13 17:30"), ("18:00",))) == "2026-07-13 18:00"
    assert _show(CAL.next_clock(_at("2026-07-18 09:00"), [600])) == "2026-07-21 10:00"


def test_business_days():
    assert CAL.business_days_between(_at("2026-07-13 09:00"), _at("2026-07-13 17:00")) == 0
    assert CAL.business_days_between(_at("2026-07-13 09:00"), _at("2026-07-15 09:00")) == 2
    assert CAL.business_days_between(_at("2026-07-17 16:50"), _at("2026-07-21 09:05")) == 1
    assert CAL.business_days_between(_at("2026-07-17 09:00"), _at("2026-07-27 09:00")) == 5
    assert CAL.business_days_between(_at("2026-07-17 09:00"), _at("2026-07-13 09:00")) == 0
    assert calendar_days(_at("2026-07-21 09:05") - _at("2026-07-17 16:50")) == pytest.approx(3 + 16.25 / 24)


def test_always_short_circuits():
    cal = WorkCalendar(Calendar(always=True), START)
    assert cal.covered_until == math.inf
    assert cal.is_open(123.4) and cal.is_open(_at("2026-07-20 03:00", cal))
    assert cal.next_open(55.5) == 55.5
    assert cal.finish_time(1000.0, 60.0) == 1060.0
    assert cal.time_to_offset(777.0) == 777.0 and cal.offset_to_time(777.0) == 777.0
    assert cal.open_minutes_between(10.0, 70.0) == 60.0
    assert cal.open_until(5.0) == math.inf
    assert _show(cal.next_clock(_at("2026-07-18 11:00", cal), ("10:00",)), cal) == "2026-07-19 10:00"
    assert cal.business_days_between(0.0, 7 * 1440.0) == 7


def test_touching_spans_merge_and_24_hour_days():
    # weekdays 00:00-24:00 merge into one interval per working week: no pause at midnight
    nonstop = Calendar(hours=("00:00-24:00",), holidays=None, closed=())
    cal = WorkCalendar(nonstop, START)
    assert cal.finish_time(_at("2026-07-13 23:00", cal), 120) == _at("2026-07-14 01:00", cal)
    assert cal.open_until(_at("2026-07-14 12:00", cal)) == _at("2026-07-18 00:00", cal)
    # lunch span written as a separate span touching both halves
    cal = WorkCalendar(Calendar(hours=("08:30-12:00", "12:00-13:00", "13:00-17:15")), START)
    assert cal.open_until(_at("2026-07-13 09:00", cal)) == _at("2026-07-13 17:15", cal)


def test_the_table_grows_past_its_horizon():
    small = WorkCalendar(DEFAULT, date(2026, 1, 1), horizon_years=0)
    big = WorkCalendar(DEFAULT, date(2026, 1, 1), horizon_years=8)
    assert small.covered_until < _at("2031-06-01 00:00", small) < big.covered_until
    for text in ("2031-06-01 10:00", "2030-12-28 17:00", "2033-03-01 00:00"):
        t = _at(text, small)
        assert small.finish_time(t, 1000) == big.finish_time(t, 1000)
        assert small.time_to_offset(t) == big.time_to_offset(t)
        assert small.next_clock(t, ("10:00",)) == big.next_clock(t, ("10:00",))
    fresh = WorkCalendar(DEFAULT, date(2026, 1, 1), horizon_years=0)
    assert fresh.offset_to_time(465 * 2000.5) == big.offset_to_time(465 * 2000.5)


def test_agrees_with_the_yearly_volumes():
    for year in (2026, 2027, 2028):
        cal = WorkCalendar(DEFAULT, date(year, 1, 1))
        next_year = cal.minutes_at(date(year + 1, 1, 1))
        assert cal.time_to_offset(next_year) == open_minutes_per_year(DEFAULT, year)
        assert cal.business_days_between(-1.0, next_year - 1) == open_days_per_year(DEFAULT, year)
    cal = WorkCalendar(DEFAULT, date(2026, 1, 1))
    assert cal.time_to_offset(_at("2027-01-01 00:00", cal)) == 111_600


def test_never_open():
    cal = WorkCalendar(Calendar(days=()), START)
    assert cal.never_open
    assert not cal.is_open(600.0)
    assert cal.next_open(600.0) == math.inf
    assert cal.finish_time(600.0, 10.0) == math.inf
    assert cal.next_clock(600.0, ("10:00",)) == math.inf
    assert cal.time_to_offset(600.0) == 0


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="offset must be >= 0, got -1"):
        CAL.offset_to_time(-1.0)
    with pytest.raises(ValueError, match="at least one time of day"):
        CAL.next_clock(0.0, ())
    with pytest.raises(ValueError, match="'25:00'"):
        CAL.next_clock(0.0, ("25:00",))
    with pytest.raises(ValueError, match="horizon_years must be a finite number >= 0, got -1"):
        WorkCalendar(DEFAULT, START, horizon_years=-1)
    with pytest.raises(ValueError, match="unknown holiday country 'XX'"):
        WorkCalendar(Calendar(holidays="XX"), START)
    every_day = tuple((date(2024, 1, 1) + timedelta(days=i)).strftime("%m-%d") for i in range(366))
    with pytest.raises(ValueError, match="no open time within 100 years"):
        WorkCalendar(Calendar(closed=every_day), START).next_open(0.0)
    with pytest.raises(ValueError, match="more than 100 years after 2026-07-13"):
        CAL.finish_time(0.0, 465 * 260 * 120)


def test_vectorised_offsets_equal_the_scalar_ones():
    offsets = np.random.default_rng(7).uniform(0, 465 * 600, size=2000)
    offsets[:3] = [0.0, 210.0, 465.0 * 5]
    expected = [CAL.offset_to_time(x) for x in offsets]
    assert CAL.offsets_to_times(offsets).tolist() == expected


def test_pickles_and_is_shared():
    assert pickle.loads(pickle.dumps(CAL)).finish_time(1010.0, 60.0) == CAL.finish_time(1010.0, 60.0)
    assert work_calendar(DEFAULT, START, 1.0) is work_calendar(DEFAULT, START, 1.0)


def test_docstring_examples_run():
    assert doctest.testmod(calendar_module).failed == 0


# --- invariants --------------------------------------------------------------------------------------

CALENDARS = [
    CAL,
    WorkCalendar(Calendar(hours=("00:00-24:00",), days=("mon", "tue", "sat")), START),
    WorkCalendar(Calendar(hours=("07:00-07:01", "23:59-24:00"), holidays=None), START),
]
which = st.sampled_from(CALENDARS)
times = st.floats(min_value=-100.0, max_value=HORIZON, allow_nan=False)
work = st.floats(min_value=0.0, max_value=20_000.0, allow_nan=False)  # 38 years of the 2-minute calendar


@settings(max_examples=500, deadline=None)
@given(which, times, st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_round_trip_for_open_times(cal, raw, fraction):
    opened = cal.next_open(raw)
    t = opened + fraction * (cal.open_until(opened) - opened)  # any instant of that open period
    assume(cal.is_open(t))  # a fraction close to 1 may round onto the closing
    assert cal.offset_to_time(cal.time_to_offset(t)) == t


@settings(max_examples=300, deadline=None)
@given(which, st.floats(min_value=0.0, max_value=20_000.0, allow_nan=False))
def test_offsets_map_into_open_time(cal, offset):
    t = cal.offset_to_time(offset)
    assert cal.is_open(t)
    assert cal.time_to_offset(t) == pytest.approx(offset, rel=1e-12, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(which, times, times)
def test_monotone_in_time(cal, a, b):
    a, b = min(a, b), max(a, b)
    assert cal.time_to_offset(a) <= cal.time_to_offset(b)
    assert cal.next_open(a) <= cal.next_open(b)
    assert cal.finish_time(a, 30.0) <= cal.finish_time(b, 30.0)
    assert cal.next_clock(a, ("10:00", "16:00")) <= cal.next_clock(b, ("10:00", "16:00"))
    assert cal.business_days_between(a, b) >= 0


@settings(max_examples=300, deadline=None)
@given(which, times, work, work)
def test_finish_time_monotone_in_work_and_spends_exactly_the_work(cal, t, w1, w2):
    w1, w2 = min(w1, w2), max(w1, w2)
    f1, f2 = cal.finish_time(t, w1), cal.finish_time(t, w2)
    assert t <= f1 <= f2
    assert f2 - t >= w2 or math.isclose(f2 - t, w2, abs_tol=1e-6)  # open time never outruns the clock
    # rounding of offsets of order 1e6 minutes: 1e-6 minutes is 60 microseconds
    assert cal.open_minutes_between(t, f2) == pytest.approx(w2, abs=1e-6)
    # pausing at f1 and resuming changes nothing (rounding residue at a closing is snapped, see SNAP)
    assert cal.finish_time(f1, w2 - w1) == pytest.approx(f2, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(which, times)
def test_next_open_and_next_clock(cal, t):
    opened = cal.next_open(t)
    assert opened >= t and cal.is_open(opened)
    assert cal.open_minutes_between(t, opened) == 0
    sweep = cal.next_clock(t, ("10:00", "16:00"))
    assert sweep >= t and cal.is_open_day(sweep)
    assert sweep % 1440 in (600, 960)


@settings(max_examples=200, deadline=None)
@given(which, times, times, times)
def test_business_days_add_up(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert cal.business_days_between(a, b) + cal.business_days_between(b, c) == cal.business_days_between(
        a, c
    )


SEGMENT_CALENDARS = [
    DEFAULT,
    Calendar(hours=("00:00-24:00",), holidays=None, closed=()),  # periods that run over midnight and merge
    Calendar(days=()),  # never open
    Calendar(always=True),
]


@pytest.mark.parametrize("calendar", SEGMENT_CALENDARS, ids=["default", "24h", "never", "always"])
@settings(max_examples=300, deadline=None)
@given(t=st.floats(0, 3 * 365 * MINUTES_PER_DAY), u=st.floats(0, 3 * MINUTES_PER_DAY))
def test_a_segment_answers_as_the_methods_do_to_the_bit(calendar: Calendar, t: float, u: float) -> None:
    # The engine answers queries inside a role's segment by arithmetic; it must agree with the methods exactly.
    cal = WorkCalendar(calendar, START, horizon_years=0)  # small table: segments near its end must be final
    lo, start, end, cum = cal.segment(t)
    assert lo <= t < end
    for x in (t, min(t + u, math.nextafter(end, -math.inf)) if math.isfinite(end) else t + u, start):
        if not lo <= x < end:
            continue
        assert cal.is_open(x) == (x >= start)
        assert cal.next_open(x) == (x if x >= start else start)
        assert cal.time_to_offset(x) == (cum + (x - start) if x > start else cum)
    assert cal.segment(t) == (lo, start, end, cum)  # the table may have grown: the stretch stays the same


@pytest.mark.parametrize("calendar", SEGMENT_CALENDARS, ids=["default", "24h", "never", "always"])
@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(st.floats(0, 2 * 365 * MINUTES_PER_DAY), st.floats(0, 60 * MINUTES_PER_DAY)),
                      min_size=1, max_size=50))
def test_business_days_of_many_pairs_are_those_of_each(calendar: Calendar, pairs: list[tuple[float, float]]) -> None:
    cal = WorkCalendar(calendar, START, horizon_years=0)
    t0 = np.array([a for a, _ in pairs])
    t1 = np.array([a + b for a, b in pairs])
    many = cal.business_days_between_many(t0, t1)
    assert many.tolist() == [float(cal.business_days_between(a, b)) for a, b in zip(t0.tolist(), t1.tolist())]
