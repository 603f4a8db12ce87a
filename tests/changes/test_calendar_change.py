"""The ``calendar`` change kind: a calendar's rules, or the calendar a role, handoff or stream keeps."""

from __future__ import annotations

from datetime import date

import pytest

from bpr.changes import apply_changes, change_to_data, describe, describe_ja, parse_changes
from bpr.changes.base import Words
from bpr.errors import ModelError
from bpr.model.load import parse_process
from bpr.model.volume import open_days_in

BASE = """\
id: committee
name: 審査
calendars:
  shinsakai: {days: [thu], nth: [2, 4], hours: ["14:00-16:00"]}
roles:
  clerk: {name: 担当, staff: 2}
  board: {name: 審査会, staff: 1, calendar: shinsakai}
arrivals:
  - {channel: counter, rate: 10/day}
  - {channel: online, rate: 5/day, calendar: always}
steps:
  - {id: receive, type: task, role: clerk, duration: 10m, next: post}
  - {id: post, type: handoff, delay: 1h, departures: ["14:00"], next: review}
  - {id: review, type: approval, role: board, duration: 5m, next: done}
  - {id: done, type: end}
"""


def _apply(*changes: object) -> object:
    return apply_changes(parse_process(BASE, file="base.yaml"), list(changes), file="after.yaml")


def test_committee_weekly_drops_the_nth_rule() -> None:
    after = _apply({"calendar": {"name": "shinsakai", "nth": None}})
    days = open_days_in(after.calendars["shinsakai"], date(2026, 4, 1), date(2026, 5, 1))
    assert [d.isoformat() for d in days] == ["2026-04-02", "2026-04-09", "2026-04-16", "2026-04-23", "2026-04-30"]


def test_counter_until_seven_on_thursdays_in_the_process_calendar() -> None:
    after = _apply({"calendar": {"name": "process", "weekday_hours": {"thu": ["08:30-12:00", "13:00-19:00"]}}})
    assert after.calendar.weekday_hours == {"thu": ("08:30-12:00", "13:00-19:00")}
    assert after.calendars == parse_process(BASE).calendars


def test_a_new_calendar_and_a_role_that_keeps_it() -> None:
    after = _apply({"calendar": {"name": "weekly", "days": ["thu"], "hours": ["14:00-16:00"]}},
                   {"calendar": {"role": "board", "use": "weekly"}})
    assert after.roles["board"].calendar == "weekly" and "weekly" in after.calendars
    back = _apply({"calendar": {"role": "board", "use": None}})
    assert back.roles["board"].calendar is None


def test_handoff_and_channel_keep_a_calendar() -> None:
    after = _apply({"calendar": {"step": "post", "use": "always"}}, {"calendar": {"channel": "online", "use": None}})
    assert after.step("post").calendar == "always"
    assert after.arrivals[1].calendar is None


@pytest.mark.parametrize(("change", "message"), [
    ({"calendar": {"step": "review", "use": "always"}}, "changes[0].calendar.step: step 'review' is a approval step"),
    ({"calendar": {"role": "board", "use": "weekl"}}, "changes[0].calendar.use: no calendar 'weekl'"),
    ({"calendar": {"channel": "mail", "use": "always"}}, "no arrival stream of channel 'mail'"),
    ({"calendar": {"name": "shinsakai", "nht": [1]}}, "a calendar has no field 'nht'"),
    ({"calendar": {"name": "shinsakai", "nth": [7]}}, "changes[0].calendar.nth: makes the process invalid"),
    ({"calendar": {"role": "board"}}, "say which calendar the role keeps"),
])
def test_refusals_name_the_part_at_fault(change: object, message: str) -> None:
    with pytest.raises(ModelError) as caught:
        _apply(change)
    assert message in str(caught.value)


def test_round_trip_and_wording() -> None:
    process = parse_process(BASE)
    words = Words(process, channel=str, condition=str, minutes=lambda m: f"{m:g}分")
    for data, ja in (({"calendar": {"name": "shinsakai", "nth": None}}, "カレンダー「審査会」の第n週を毎週に"),
                     ({"calendar": {"name": "process", "weekday_hours": {"thu": ["08:30-19:00"]}}},
                      "庁の勤務カレンダーの曜日別の時間を木曜 08:30-19:00に"),
                     ({"calendar": {"role": "board", "use": "always"}}, "「審査会」の勤務日程を24時間に")):
        (change,) = parse_changes([data])
        assert change_to_data(change) == data
        assert describe(change).endswith(".")
        assert describe_ja(change, words) == ja
