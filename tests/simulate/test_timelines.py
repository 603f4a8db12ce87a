"""Deterministic timelines: fixed durations, hand-computed times, exact asserts.

Calendar of these tests: the default (Mon-Fri 08:30-12:00 and 13:00-17:15, JP public holidays). Times are
minutes since 00:00 of the start date. Golden Week 2026: Wed 04-29, Sun 05-03 .. Wed 05-06 are holidays.
"""

from __future__ import annotations

from datetime import date

import pytest

from simhelp import cases, make_process, run_once, timeline

DAY = 1440.0


def hm(day: int, hour: int, minute: int = 0) -> float:
    return day * DAY + hour * 60 + minute


def lead_in(minutes: float, then: str) -> dict:
    """The applicant prepares for ``minutes`` (24/7, unlimited): puts the case at a chosen time of day."""
    return {"id": "prepare", "type": "task", "role": "applicant", "duration": f"{minutes:g}m", "next": then}


ROLES = {
    "applicant": {"staff": "unlimited", "calendar": "always", "external": True},
    "clerk": {"staff": 1, "hourly_cost": 3000},
    "chief": {"staff": 1, "hourly_cost": 5000},
}
ONE_CASE = [{"channel": "counter", "rate": "1/month", "pattern": "regular", "calendar": "always"}]


def test_task_pauses_at_closing_over_a_weekend_and_holidays() -> None:
    # Friday 2026-05-01 16:45: 30 min of a 3 h task before closing; Sat, Sun, then Mon-Wed are holidays
    # (Greenery Day, Children's Day, substitute holiday); the remaining 150 min run Thu 08:30-11:00.
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [lead_in(16 * 60 + 45, "review"),
                  {"id": "review", "type": "task", "role": "clerk", "duration": "3h", "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, date(2026, 5, 1))
    assert timeline(out) == [
        (0, "prepare", "applicant", 0.0, 0.0, hm(0, 16, 45)),
        (0, "review", "clerk#1", hm(0, 16, 45), hm(0, 16, 45), hm(6, 11, 0)),
        (0, "done", "", hm(6, 11, 0), hm(6, 11, 0), hm(6, 11, 0)),  # the case's end
    ]
    [case] = cases(out)
    assert case["lead_time"] == hm(6, 11, 0)
    assert case["touch_time"] == 16 * 60 + 45 + 180
    assert case["wait_unavailability"] == hm(6, 11, 0) - (16 * 60 + 45 + 180)
    assert case["waiting"] == case["wait_unavailability"]
    assert case["wait_contention"] == 0
    assert case["business_days"] == 1  # Friday to Thursday with Mon-Wed closed


def test_work_started_while_closed_waits_for_opening_and_lunch_pauses_it() -> None:
    # Arrives Thursday 2026-05-07 07:00: waits until 08:30, works 08:30-12:00 and 13:00-13:30 (4 h).
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [lead_in(7 * 60, "review"),
                  {"id": "review", "type": "task", "role": "clerk", "duration": "4h", "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, date(2026, 5, 7))
    assert timeline(out)[1] == (0, "review", "clerk#1", hm(0, 7), hm(0, 8, 30), hm(0, 13, 30))
    [case] = cases(out)
    assert case["wait_unavailability"] == 90 + 60  # before opening, and lunch
    assert case["business_days"] == 0


def test_work_ending_exactly_at_closing_finishes_that_day() -> None:
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [lead_in(16 * 60 + 15, "review"),
                  {"id": "review", "type": "task", "role": "clerk", "duration": "1h", "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, date(2026, 5, 7))
    assert timeline(out)[1][-1] == hm(0, 17, 15)


def _batched(arrive_minutes: float, start: date) -> tuple[list, dict]:
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [lead_in(arrive_minutes, "approve"),
                  {"id": "approve", "type": "approval", "role": "chief", "duration": "15m",
                   "batch": ["10:00", "16:00"], "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, start)
    [case] = cases(out)
    return timeline(out), case


def test_batched_approval_waits_for_the_next_sweep() -> None:
    # Monday 2026-05-11, in the tray at 10:05: swept at 16:00. Of the wait, 10:05-12:00 and 13:00-16:00
    # are open time (batching), 12:00-13:00 is lunch (unavailability).
    events, case = _batched(10 * 60 + 5, date(2026, 5, 11))
    assert events[1] == (0, "approve", "chief#1", hm(0, 10, 5), hm(0, 16), hm(0, 16, 15))
    assert case["wait_batching"] == 115 + 180
    assert case["wait_unavailability"] == 60
    assert case["waiting"] == 355


def test_batched_approval_in_tray_at_sweep_time_is_taken_at_once() -> None:
    events, case = _batched(10 * 60, date(2026, 5, 11))
    assert events[1][3:] == (hm(0, 10), hm(0, 10), hm(0, 10, 15))
    assert case["waiting"] == 0


def test_batched_approval_after_the_last_sweep_waits_for_the_next_open_day() -> None:
    # Friday 2026-05-15 16:30 -> Monday 10:00. Open time in between: 16:30-17:15 and 08:30-10:00.
    events, case = _batched(16 * 60 + 30, date(2026, 5, 15))
    assert events[1][3:] == (hm(0, 16, 30), hm(3, 10), hm(3, 10, 15))
    assert case["wait_batching"] == 45 + 90
    assert case["wait_unavailability"] == hm(3, 10) - hm(0, 16, 30) - 135


@pytest.mark.parametrize(
    ("start", "arrive", "departs"),
    [
        (date(2026, 5, 11), 13 * 60 + 50, hm(0, 14)),  # Monday before the run: same day
        (date(2026, 5, 11), 14 * 60 + 10, hm(1, 14)),  # Monday after the run: Tuesday
        (date(2026, 5, 15), 14 * 60 + 10, hm(3, 14)),  # Friday after the run: Monday
        (date(2026, 5, 1), 14 * 60 + 10, hm(6, 14)),  # Friday before Golden Week: Thursday 05-07
    ],
)
def test_once_a_day_mail_run(start: date, arrive: float, departs: float) -> None:
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [lead_in(arrive, "mail"),
                  {"id": "mail", "type": "handoff", "mode": "internal_mail", "delay": "30m",
                   "departures": ["14:00"], "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, start)
    assert timeline(out)[1] == (0, "mail", "internal_mail", arrive, departs, departs + 30)
    [case] = cases(out)
    assert case["wait_transport"] == departs + 30 - arrive
    assert case["handoffs"] == 1
    assert case["paper_steps"] == 1  # a handoff is on paper unless it says otherwise


def test_parallel_branches_take_the_critical_path() -> None:
    process = make_process({
        "calendar": "always",
        "roles": {"legal": {"staff": 1}, "budget": {"staff": 1}, "clerk": {"staff": 1}},
        "arrivals": ONE_CASE,
        "steps": [
            {"id": "split", "type": "parallel", "next": ["legal_check", "budget_check"], "join": "meet"},
            {"id": "legal_check", "type": "task", "role": "legal", "duration": "30m", "next": "meet"},
            {"id": "budget_check", "type": "task", "role": "budget", "duration": "1h", "next": "meet"},
            {"id": "meet", "type": "join", "next": "file"},
            {"id": "file", "type": "task", "role": "clerk", "duration": "10m", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 11))
    assert [e[1:] for e in timeline(out)] == [
        ("budget_check", "budget#1", 0.0, 0.0, 60.0),
        ("legal_check", "legal#1", 0.0, 0.0, 30.0),
        ("file", "clerk#1", 60.0, 60.0, 70.0),
        ("done", "", 70.0, 70.0, 70.0),
    ]
    [case] = cases(out)
    assert (case["lead_time"], case["touch_time"], case["path_touch"], case["waiting"]) == (70, 100, 70, 0)


def test_priority_overtakes_and_its_wait_is_split_off() -> None:
    # One clerk, 10 min each. A (priority 0) at 0, B (priority 0) at 1, C (priority 1) at 2.
    # At 10 the clerk takes C, who came later: B was overtaken at 10 and starts at 20.
    process = make_process({
        "calendar": "always",
        "roles": {"clerk": {"staff": 1}, "applicant": {"staff": "unlimited", "external": True}},
        "arrivals": [
            {"channel": "counter", "rate": "1/day", "pattern": "regular", "start": "serve"},
            {"channel": "mail", "rate": "1/day", "pattern": "regular", "start": "post_b"},
            {"channel": "online", "rate": "1/day", "pattern": "regular", "start": "post_c", "priority": 1},
        ],
        "steps": [
            {"id": "serve", "type": "task", "role": "clerk", "duration": "10m", "next": "done"},
            {"id": "post_b", "type": "task", "role": "applicant", "duration": "1m", "next": "serve"},
            {"id": "post_c", "type": "task", "role": "applicant", "duration": "2m", "next": "serve"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 11))
    serve = {e[0]: e[3:] for e in timeline(out) if e[1] == "serve"}
    assert serve == {0: (0.0, 0.0, 10.0), 1: (1.0, 20.0, 30.0), 2: (2.0, 10.0, 20.0)}
    by_lead = {round(c["lead_time"]): c for c in cases(out)}
    b = by_lead[30]
    assert (b["wait_contention"], b["wait_priority"]) == (9, 10)
    c = by_lead[20]
    assert (c["wait_contention"], c["wait_priority"]) == (8, 0)


@pytest.mark.parametrize(("kind", "role", "end"), [("small", "chief", hm(0, 20, 10)), ("large", "director", hm(1, 8, 40))])
def test_delegation_changes_the_deciding_role_and_its_calendar(kind: str, role: str, end: float) -> None:
    # In the tray at 20:00 on Monday 2026-05-11. The chief (on call, 24/7) decides small cases at once;
    # the director works office hours, so a large case waits for Tuesday 08:30.
    process = make_process({
        "roles": {**ROLES, "chief": {"staff": 1, "calendar": "always"}, "director": {"staff": 1}},
        "attributes": {"kind": {"dist": "choice", "values": {"small": float(kind == "small"),
                                                              "large": float(kind == "large")}}},
        "arrivals": ONE_CASE,
        "steps": [lead_in(20 * 60, "decide"),
                  {"id": "decide", "type": "approval", "role": "director", "duration": "10m",
                   "delegations": [{"when": 'kind == "small"', "role": "chief"}], "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, date(2026, 5, 11))
    assert timeline(out)[1][1:] == ("decide", f"{role}#1", hm(0, 20), end - 10, end)


def test_rework_time_and_waiting_during_rework() -> None:
    # enter (10 min) -> check (5 min, rejected with probability 0.5) -> done; a rejected file is posted
    # back (1 h) and entered again. Nobody queues (cases a day apart, 24/7), so for a case rejected r
    # times: lead = 15 + 75 r, all waiting is the post during rework (60 r), time in rework is 75 r.
    process = make_process({
        "calendar": "always",
        "roles": {"clerk": {"staff": 1}, "chief": {"staff": 1}},
        "arrivals": [{"channel": "mail", "rate": "1/day", "pattern": "regular"}],
        "steps": [
            {"id": "enter", "type": "task", "role": "clerk", "duration": "10m", "next": "check"},
            {"id": "check", "type": "approval", "role": "chief", "duration": "5m",
             "reject": {"probability": 0.5, "to": "post_back"}, "next": "done"},
            {"id": "post_back", "type": "handoff", "mode": "post", "delay": "1h", "next": "enter"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 11), horizon="40d")
    rows = cases(out)
    assert len(rows) == 40
    assert {c["rejections"] for c in rows} >= {0, 1, 2}  # every kind of case occurred
    for c in rows:
        r = c["rejections"]
        assert c["lead_time"] == 15 + 75 * r
        assert c["wait_rework"] == 60 * r and c["wait_transport"] == 0
        assert c["rework_time"] == 75 * r
        assert c["approvals"] == r + 1 and c["handoffs"] == r
