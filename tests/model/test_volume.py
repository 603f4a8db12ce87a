"""Open days, open minutes and yearly volumes, checked against days counted by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bpr.model.schema import Calendar, Process
from bpr.model.volume import (
    annual_cases,
    calendar_problems,
    check_holiday_code,
    closed_dates,
    days_in_year,
    is_open_day,
    open_days_per_year,
    open_minutes_per_year,
    public_holidays,
    rate_per_open_minute,
)

# Japan's national holidays of 2026 as published by the Cabinet Office (内閣府「国民の祝日」), typed in here
# so that the count below does not depend on the holidays package it checks.
JP_HOLIDAYS_2026 = {
    date(2026, 1, 1),
    date(2026, 1, 12),
    date(2026, 2, 11),
    date(2026, 2, 23),
    date(2026, 3, 20),
    date(2026, 4, 29),
    date(2026, 5, 3),
    date(2026, 5, 4),
    date(2026, 5, 5),
    date(2026, 5, 6),
    date(2026, 7, 20),
    date(2026, 8, 11),
    date(2026, 9, 21),
    date(2026, 9, 22),
    date(2026, 9, 23),
    date(2026, 10, 12),
    date(2026, 11, 3),
    date(2026, 11, 23),
}
YEAR_END_2026 = {
    date(2026, 1, 2),
    date(2026, 1, 3),
    date(2026, 12, 29),
    date(2026, 12, 30),
    date(2026, 12, 31),
}


def _process(*arrivals: dict, calendars: dict | None = None, calendar: object = None) -> Process:
    data: dict = {
        "id": "p",
        "name": "申請",
        "roles": {"clerk": {}},
        "arrivals": list(arrivals),
        "steps": [
            {"id": "work", "type": "task", "role": "clerk", "duration": "10m", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    }
    if calendars is not None:
        data["calendars"] = calendars
    if calendar is not None:
        data["calendar"] = calendar
    return Process.model_validate(data)


def test_default_calendar_2026_by_hand():
    # 2026 has 365 days starting on a Thursday: 52 full weeks + one Thursday = 261 weekdays. Of the 18
    # holidays, 17 fall on weekdays (05-03 is a Sunday); of the year-end closure, 01-02 and 12-29..31 are
    # weekdays (01-03 is a Saturday): 261 - 17 - 4 = 240 open days of 3.5 h + 4.25 h = 465 minutes.
    weekdays = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    by_hand = [d for d in weekdays if d.weekday() < 5 and d not in JP_HOLIDAYS_2026 | YEAR_END_2026]
    assert len(by_hand) == 240
    calendar = Calendar()
    assert open_days_per_year(calendar, 2026) == 240
    assert calendar.minutes_per_day() == 465
    assert open_minutes_per_year(calendar, 2026) == 240 * 465 == 111_600
    assert [d for d in weekdays if is_open_day(calendar, d)] == by_hand


def test_holidays_come_from_the_package_and_match_the_published_list():
    assert public_holidays("JP", 2026) == JP_HOLIDAYS_2026
    assert public_holidays("jp", 2026) == JP_HOLIDAYS_2026
    assert public_holidays(None, 2026) == frozenset()
    assert closed_dates(Calendar(), 2026) == JP_HOLIDAYS_2026 | YEAR_END_2026


def test_no_holidays_and_no_closure():
    calendar = Calendar(holidays=None, closed=())
    assert open_days_per_year(calendar, 2026) == 261
    assert is_open_day(calendar, date(2026, 7, 20))  # 海の日 is an ordinary Monday here


def test_closed_dates_once_and_every_year():
    calendar = Calendar(holidays=None, closed=("2026-07-17", "02-29"))
    assert not is_open_day(calendar, date(2026, 7, 17))
    assert is_open_day(calendar, date(2027, 7, 16))  # a once-only date does not repeat
    assert not is_open_day(calendar, date(2028, 2, 29))  # a leap day (Tuesday) closed
    assert open_days_per_year(calendar, 2027) == 261  # 2027 has no Feb 29: nothing else closes


def test_weekend_days_and_always():
    saturday_desk = Calendar(days=("sat",), hours=("09:00-12:00",), holidays=None, closed=())
    assert open_days_per_year(saturday_desk, 2026) == 52
    assert open_minutes_per_year(saturday_desk, 2026) == 52 * 180
    always = Calendar(always=True)
    assert open_days_per_year(always, 2026) == 365
    assert open_days_per_year(always, 2028) == 366
    assert open_minutes_per_year(always, 2026) == 365 * 1440
    assert is_open_day(always, date(2026, 1, 1))


def test_annual_cases_follow_the_rate_semantics():
    process = _process(
        {"channel": "counter", "rate": "40/day"},
        {"channel": "mail", "rate": "3/hour"},
        {"channel": "online", "rate": "1200/year", "calendar": "always"},
        {"channel": "phone", "rate": "100/month"},
        {"channel": "internal", "rate": "7/week"},
    )
    counter, mail, online, phone, internal = process.arrivals
    assert annual_cases(process, counter, year=2026) == 40 * 240
    assert annual_cases(process, mail, year=2026) == 3 * 111_600 / 60
    assert annual_cases(process, online, year=2026) == 1200
    assert annual_cases(process, phone, year=2026) == 1200
    assert annual_cases(process, internal, year=2026) == 365
    assert annual_cases(process, internal, year=2028) == 366


def test_per_day_counts_open_days_of_the_stream_calendar():
    process = _process(
        {"channel": "online", "rate": "10/day", "calendar": "always"},
        {"channel": "counter", "rate": "10/day", "calendar": "saturdays"},
        calendars={"saturdays": {"days": ["sat"], "hours": ["09:00-12:00"], "holidays": None, "closed": []}},
    )
    online, counter = process.arrivals
    assert annual_cases(process, online, year=2026) == 3650
    assert annual_cases(process, counter, year=2026) == 520
    assert rate_per_open_minute(process, online, 2026) == 10 / 1440
    assert rate_per_open_minute(process, counter, 2026) == 10 / 180


def test_rate_per_open_minute_times_open_minutes_is_annual_cases():
    process = _process(
        {"channel": "counter", "rate": "40/day"},
        {"channel": "mail", "rate": "3/hour"},
        {"channel": "online", "rate": "1200/year"},
        {"channel": "phone", "rate": "100/month"},
        {"channel": "internal", "rate": "7/week"},
    )
    minutes = open_minutes_per_year(Calendar(), 2027)
    for arrival in process.arrivals:
        expected = annual_cases(process, arrival, year=2027)
        assert rate_per_open_minute(process, arrival, 2027) * minutes == pytest.approx(expected, rel=1e-12)
    assert rate_per_open_minute(process, process.arrivals[0], 2027) == 40 / 465
    assert rate_per_open_minute(process, process.arrivals[1], 2027) == 3 / 60


def test_days_in_year():
    assert (days_in_year(2026), days_in_year(2028), days_in_year(2100)) == (365, 366, 365)


def test_bad_calendars_are_reported_not_raised():
    assert calendar_problems(Calendar()) == []
    assert calendar_problems(Calendar(closed=("02-29",))) == []
    problems = calendar_problems(Calendar(holidays="XX", closed=("12-29", "02-30")))
    assert [field for field, _, _ in problems] == ["holidays", "closed[1]"]
    assert "unknown holiday country 'XX'" in problems[0][1]
    assert "'02-30' is not a day" in problems[1][1]
    assert [f for f, _, _ in calendar_problems(Calendar(days=()))] == ["days"]


@pytest.mark.parametrize("code", ["MON", "PUBLIC", "JAN", "XX-13"])
def test_holiday_codes_that_name_no_country_are_unknown_countries(code):
    """The holidays package looks a code up as any of its names (weekday and category constants too): a code
    is a country only if its registry lists it, everywhere a code is read."""
    problems = calendar_problems(Calendar(holidays=code))
    assert [field for field, _, _ in problems] == ["holidays"]
    assert f"unknown holiday country {code!r}" in problems[0][1]
    with pytest.raises(ValueError, match="unknown holiday country"):
        public_holidays(code, 2026)


def test_known_codes_are_checked_without_a_table_and_subdivisions_with_one():
    check_holiday_code("jp")
    check_holiday_code(" JPN ")
    check_holiday_code(None)
    check_holiday_code("DE-BY")
    with pytest.raises(ValueError, match="unknown holiday country 'DE-XX'"):
        check_holiday_code("DE-XX")
    assert date(2026, 5, 5) in public_holidays("JPN", 2026)


def test_bad_calendars_raise_clear_errors_when_used():
    with pytest.raises(ValueError, match="unknown holiday country 'XX'"):
        open_days_per_year(Calendar(holidays="XX"), 2026)
    with pytest.raises(ValueError, match="'13-01' is not a day"):
        closed_dates(Calendar(closed=("13-01",)), 2026)
