"""The counter as it works (受付終了), replayed arrivals, and the deadline figures: exact values by hand.

Default calendar (Mon-Fri 08:30-12:00 and 13:00-17:15, JP holidays, the year-end closure); times are minutes
since 00:00 of the start date, Monday 2026-06-01.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bpr.execute.deadlines import due_after
from bpr.model.schema import Calendar, parse_deadline
from bpr.simulate import SimConfig, simulate
from bpr.simulate.calendar import WorkCalendar
from bpr.simulate.results import event_records
from simhelp import cases, make_process, run_once, timeline

START = date(2026, 6, 1)  # a Monday
DAY = 1440.0


def hm(day: int, hour: int, minute: int = 0) -> float:
    return day * DAY + hour * 60 + minute


def counter(times: list[str], duration: str = "20m", staff: int = 1, **role: object) -> object:
    return make_process({
        "roles": {"clerk": {"staff": staff, **role}},
        "arrivals": [{"channel": "counter", "times": times}],
        "steps": [
            {"id": "receive", "type": "task", "role": "clerk", "duration": duration, "citizen_present": True,
             "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })


def test_a_citizen_five_minutes_before_closing_is_served_the_same_day_in_overtime() -> None:
    out = run_once(counter(["2026-06-01 17:10"]), START)
    assert timeline(out) == [
        (0, "receive", "clerk#1", hm(0, 17, 10), hm(0, 17, 10), hm(0, 17, 30)),
        (0, "done", "", hm(0, 17, 30), hm(0, 17, 30), hm(0, 17, 30)),
    ]
    [case] = cases(out)
    assert case["lead_time"] == 20 and case["counter_wait"] == 0
    assert case["overtime"] == 15  # 17:15 to 17:30
    assert out.overtime == [15.0] and out.busy == [5.0]  # five minutes in open time, fifteen after


def test_those_in_the_queue_at_closing_are_served_that_evening() -> None:
    out = run_once(counter(["2026-06-01 17:05", "2026-06-01 17:10"], duration="20m"), START)
    first, second = sorted(cases(out), key=lambda c: c["lead_time"])
    assert [e[3:] for e in timeline(out) if e[1] == "receive"] == [
        (hm(0, 17, 5), hm(0, 17, 5), hm(0, 17, 25)), (hm(0, 17, 10), hm(0, 17, 25), hm(0, 17, 45))]
    assert first["overtime"] == 10 and second["overtime"] == 20
    assert second["counter_wait"] == 15 and second["wait_contention"] == 15 and second["wait_unavailability"] == 0
    assert out.overtime == [30.0]


def test_lunch_is_a_closing_unless_the_counter_is_staffed_through_it() -> None:
    plain = cases(run_once(counter(["2026-06-01 11:55"]), START))[0]
    assert plain["lead_time"] == 20 and plain["overtime"] == 15  # served to the end, over the break
    rotated = cases(run_once(counter(["2026-06-01 11:55", "2026-06-01 12:30"], through_lunch=True), START))
    assert [c["overtime"] for c in rotated] == [0, 0]
    assert sorted(c["lead_time"] for c in rotated) == [20, 20]  # 12:30 is open time at a rotated counter


def test_a_citizen_is_not_waiting_before_the_counter_opens() -> None:
    # A case that reaches the counter step at 07:00 (replayed at that instant): the citizen comes at 08:30.
    [case] = cases(run_once(counter(["2026-06-01 07:00"]), START))
    assert case["lead_time"] == 110 and case["counter_wait"] == 0
    assert case["wait_unavailability"] == 90 and case["overtime"] == 0


def test_replayed_arrivals_keep_their_instants_to_the_second() -> None:
    instants = ["2026-06-01 08:41:07", "2026-06-01 09:12:30", "2026-06-02 16:58:59", "2026-06-03T10:00"]
    process = counter(instants, duration="5m", staff=3)
    config = SimConfig(replications=2, horizon="5d", warm_up="0d", start_date=START, events=True, workers=1)
    result = simulate(process, config)
    zone = ZoneInfo("Asia/Tokyo")
    enabled = sorted(r.enable for r in event_records([("before", result)]) if r.activity == "receive")
    expected = [datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=zone) for text in instants]
    assert enabled == expected
    assert result.cases["arrived"]["mean"] == 4 and result.cases["arrived"]["sd"] == 0


DEADLINE_CASES = [  # arrival, days waited (wall clock), within 3 business days, business days elapsed
    ("2026-06-01 10:00", "3d", True, 3),    # Mon -> Thu 10:00; due Thu 17:15
    ("2026-06-05 10:00", "3d", True, 1),    # Fri -> Mon; due Wed
    ("2026-06-02 18:00", "3d", False, 3),   # Tue evening -> Fri 18:00; due Fri 17:15
    ("2026-07-15 10:00", "3d", True, 2),    # Wed -> Sat; 07-20 is 海の日: due Tue 07-21
    ("2026-12-28 10:00", "3d", True, 0),    # Mon -> Thu 12-31 in the year-end closure; due 2027-01-06
    ("2026-06-01 09:00", "10d", False, 8),  # Mon -> Thu 06-11; due Thu 06-04
]


def test_deadline_share_against_a_hand_computed_set() -> None:
    streams = [{"channel": "counter" if wait == "3d" else "mail", "at": at,
                "start": "short" if wait == "3d" else "long"} for at, wait, _, _ in DEADLINE_CASES]
    process = make_process({
        "deadline": "3 business days",
        "roles": {"clerk": {}},
        "arrivals": streams,
        "steps": [
            {"id": "short", "type": "wait", "party": "external", "duration": "3d", "next": "done"},
            {"id": "long", "type": "wait", "party": "external", "duration": "10d", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })
    config = SimConfig(replications=2, horizon="7mo", warm_up="0d", start_date=START, workers=1)
    result = simulate(process, config)
    assert result.cases["arrived"]["mean"] == len(DEADLINE_CASES)
    deadline = result.deadline
    assert deadline is not None and (deadline.limit, deadline.unit) == (3, "business_days")
    within = [w for _, _, w, _ in DEADLINE_CASES]
    elapsed = sorted(bd for _, _, _, bd in DEADLINE_CASES)  # [0, 1, 2, 3, 3, 8]
    assert deadline.share_within.mean == pytest.approx(sum(within) / len(within), abs=1e-12)
    assert deadline.share_within.sd == 0  # the same cases in every replication: no noise at all
    assert deadline.lead_p90.mean == pytest.approx(3 + 0.5 * (8 - 3))  # numpy's linear 90th percentile
    assert deadline.lead_mean.mean == pytest.approx(sum(elapsed) / len(elapsed))
    data = result.to_dict()["deadline"]
    assert data["within"] == "3 business days" and data["share_within"]["mean"] == pytest.approx(4 / 6)


def test_no_deadline_no_figures() -> None:
    config = SimConfig(replications=2, horizon="2d", warm_up="0d", start_date=START, workers=1)
    result = simulate(counter(["2026-06-01 10:00"]), config)
    assert result.deadline is None and result.to_dict()["deadline"] is None


@pytest.mark.parametrize("deadline", ["3 days", "3 business days", "5 working hours", "1 business day"])
def test_the_simulation_and_the_workflow_engine_agree_on_when_work_is_due(deadline: str) -> None:
    calendar = Calendar()
    table = WorkCalendar(calendar, START, 1.0)
    count, unit = parse_deadline(deadline)
    zone = ZoneInfo("Asia/Tokyo")
    for at in ("2026-06-01 10:00", "2026-06-05 16:00", "2026-07-17 12:30", "2026-12-28 17:00", "2026-06-06 09:00"):
        local = datetime.fromisoformat(at)
        t = table.minutes_at(local)
        simulated = datetime.combine(START, datetime.min.time()) + timedelta(minutes=table.due_time(t, count, unit))
        engine = due_after(local.replace(tzinfo=zone), deadline, calendar).astimezone(zone).replace(tzinfo=None)
        assert simulated == engine, f"{deadline} from {at}"
