"""Calendar rules written as rules (n-th weekday, every N weeks, days of the month, weekday hours, exception
periods, the year-end closure by name), each against exact dates worked out by hand with the Japanese
holidays of the ``holidays`` package."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bpr.model.load import parse_process
from bpr.model.schema import Calendar
from bpr.model.volume import open_days_in, open_minutes_per_year
from bpr.simulate.calendar import WorkCalendar


def _open(calendar: Calendar, first: str, stop: str) -> list[str]:
    return [d.isoformat() for d in open_days_in(calendar, date.fromisoformat(first), date.fromisoformat(stop))]


def test_second_and_fourth_thursday() -> None:
    shinsakai = Calendar(days=("thu",), nth=(2, 4), hours=("14:00-16:00",))
    assert _open(shinsakai, "2026-01-01", "2026-04-01") == [
        "2026-01-08", "2026-01-22", "2026-02-12", "2026-02-26", "2026-03-12", "2026-03-26"]
    # 2027-02-11 (建国記念の日) is the 2nd Thursday and 2027-09-23 (秋分の日) the 4th: no sitting.
    assert _open(shinsakai, "2027-02-01", "2027-03-01") == ["2027-02-25"]
    assert _open(shinsakai, "2027-09-01", "2027-10-01") == ["2027-09-09"]
    # December 2026: the 4th Thursday is the 24th, before the year-end closure.
    assert _open(shinsakai, "2026-12-01", "2027-01-01") == ["2026-12-10", "2026-12-24"]


def test_last_weekday_of_the_month() -> None:
    last_friday = Calendar(days=("fri",), nth=(-1,))
    assert _open(last_friday, "2026-04-01", "2026-08-01") == [
        "2026-04-24", "2026-05-29", "2026-06-26", "2026-07-31"]
    # 2026-01-30 is the last Friday of January; 5th Fridays count as the 5th too.
    assert _open(Calendar(days=("fri",), nth=(5,)), "2026-01-01", "2026-06-01") == ["2026-01-30", "2026-05-29"]


def test_every_two_weeks_from_a_date() -> None:
    biweekly = Calendar(days=("mon",), every_weeks=2, weeks_from="2026-04-08")  # a Wednesday: its week counts
    # 2026-05-04 (みどりの日) falls in an open week but is a holiday.
    assert _open(biweekly, "2026-04-01", "2026-06-01") == ["2026-04-06", "2026-04-20", "2026-05-18"]
    # Weeks before the anchor follow the same rhythm.
    assert _open(biweekly, "2026-03-01", "2026-04-01") == ["2026-03-09", "2026-03-23"]


def test_days_of_the_month() -> None:
    payday = Calendar(month_days=(10, -1))
    # 01-10 and 01-31 are Saturdays, 02-28 a Saturday; 12-31 is in the year-end closure.
    assert _open(payday, "2026-01-01", "2026-04-01") == ["2026-02-10", "2026-03-10", "2026-03-31"]
    assert _open(payday, "2026-12-01", "2027-01-01") == ["2026-12-10"]


def test_year_end_closure_by_name_covers_new_year_without_holidays() -> None:
    plain = Calendar(holidays=None)
    assert plain.closed == ("year_end",)
    assert _open(plain, "2026-12-25", "2027-01-06") == ["2026-12-25", "2026-12-28", "2027-01-04", "2027-01-05"]
    with_may_day = Calendar(closed=("year_end", "2026-05-01"))
    assert "2026-05-01" not in _open(with_may_day, "2026-04-27", "2026-05-08")
    assert _open(with_may_day, "2026-12-28", "2027-01-05") == ["2026-12-28", "2027-01-04"]
    # Without year_end in the list, the closure no longer applies (01-01 is still a public holiday).
    assert _open(Calendar(closed=()), "2026-12-28", "2027-01-05") == [
        "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04"]


def test_weekday_hours_open_until_seven_on_thursdays() -> None:
    counter = Calendar(weekday_hours={"thu": ("08:30-12:00", "13:00-19:00")})
    cal = WorkCalendar(counter, date(2026, 6, 1))
    thursday = cal.minutes_at(datetime(2026, 6, 4, 18, 0))
    assert cal.is_open(thursday)
    assert cal.open_until(thursday) == cal.minutes_at(datetime(2026, 6, 4, 19, 0))
    assert not cal.is_open(cal.minutes_at(datetime(2026, 6, 5, 18, 0)))  # Friday closes at 17:15
    # Open minutes of 2026: 243 open days of 465 minutes, plus 105 minutes on each open Thursday.
    thursdays = sum(1 for d in open_days_in(counter, date(2026, 1, 1), date(2027, 1, 1)) if d.weekday() == 3)
    assert open_minutes_per_year(counter, 2026) == open_minutes_per_year(Calendar(), 2026) + 105 * thursdays


def test_exception_periods() -> None:
    busy = Calendar(exceptions=(
        {"first": "2026-03-23", "last": "2026-04-10", "hours": ("08:30-18:30",)},
        {"first": "2026-08-10", "last": "2026-08-14", "closed": True},
        {"first": "2026-10-03", "last": "2026-10-03", "days": ("sat",), "hours": ("09:00-12:00",)},
    ))
    cal = WorkCalendar(busy, date(2026, 3, 1))
    at = cal.minutes_at
    assert cal.open_until(at(datetime(2026, 4, 10, 12, 30))) == at(datetime(2026, 4, 10, 18, 30))  # no lunch break
    assert not cal.is_open(at(datetime(2026, 4, 13, 12, 30)))  # the period is over
    assert _open(busy, "2026-08-07", "2026-08-19") == ["2026-08-07", "2026-08-17", "2026-08-18"]
    assert cal.is_open(at(datetime(2026, 10, 3, 10, 0)))  # 休日開庁 on one Saturday
    assert not cal.is_open(at(datetime(2026, 10, 10, 10, 0)))


@pytest.mark.parametrize(("field", "message"), [
    ("nth: [0]", "0 is not a position"),
    ("nth: [6]", "must be at most 5, got 6"),
    ("every_weeks: 2", "'every_weeks' and 'weeks_from' go together"),
    ("month_days: []", "an empty list would close every day"),
    ("exceptions: [{first: '2026-05-01', last: '2026-04-01'}]", "the period ends (2026-04-01) before it starts"),
    ("exceptions: [{first: '2026-02-30', last: '2026-03-01'}]", "'2026-02-30' is not a day of the calendar"),
    ("weekday_hours: {sat: ['09:00-12:00']}", "sat is not a working day of this calendar"),
    ("closed: [yearend]", "write 'MM-DD', 'YYYY-MM-DD' or 'year_end'"),
])
def test_bad_rules_are_refused_with_their_place(field: str, message: str) -> None:
    from bpr.errors import ModelError

    text = ("id: x\nname: x\ncalendar:\n  " + field + "\nroles: {clerk: {}}\n"
            "arrivals: [{channel: counter, rate: 1/day}]\n"
            "steps:\n  - {id: a, type: task, role: clerk, duration: 5m, next: e}\n  - {id: e, type: end}\n")
    with pytest.raises(ModelError) as caught:
        parse_process(text, file="cal.yaml")
    rendered = str(caught.value)
    assert "cal.yaml:4:" in rendered and ": calendar" in rendered
    assert message in rendered
