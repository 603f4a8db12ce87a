"""Wait steps: wall-clock time spent on someone outside the city, counted as external waiting.

Default calendar (Mon-Fri 08:30-12:00 and 13:00-17:15, JP public holidays); times are minutes since 00:00
of the start date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bpr.changes import load_process
from bpr.model.load import process_from_data, process_to_data
from bpr.simulate import SimConfig, simulate
from bpr.simulate.queueing import mm1_sojourn
from simhelp import SEED, assert_matches, cases, make_process, run_once, timeline

DAY = 1440.0
THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"


def hm(day: int, hour: int, minute: int = 0) -> float:
    return day * DAY + hour * 60 + minute


ROLES = {
    "applicant": {"staff": "unlimited", "calendar": "always", "external": True},
    "clerk": {"staff": 1, "hourly_cost": 3000},
    "chief": {"staff": 1, "hourly_cost": 5000},
}
ONE_CASE = [{"channel": "counter", "rate": "1/month", "pattern": "regular", "calendar": "always"}]


def test_a_reply_arriving_on_saturday_is_worked_on_monday() -> None:
    # Wednesday 2026-05-13: the applicant hands the form in at 10:00, the clerk asks for a correction
    # (30 min, until 10:30); the corrected form comes back 10 days later, Saturday 05-23 10:30, and the
    # clerk checks it on Monday 05-25 08:30-09:30.
    process = make_process({
        "roles": ROLES, "arrivals": ONE_CASE,
        "steps": [
            {"id": "prepare", "type": "task", "role": "applicant", "duration": "10h", "next": "request"},
            {"id": "request", "type": "task", "role": "clerk", "duration": "30m", "citizen_present": True,
             "next": "reply"},
            {"id": "reply", "type": "wait", "party": "applicant", "duration": "10d", "medium": "paper",
             "next": "recheck"},
            {"id": "recheck", "type": "task", "role": "clerk", "duration": "1h", "citizen_present": True,
             "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 13), horizon="3w")
    assert timeline(out) == [
        (0, "prepare", "applicant", 0.0, 0.0, hm(0, 10)),
        (0, "request", "clerk#1", hm(0, 10), hm(0, 10), hm(0, 10, 30)),
        (0, "reply", "applicant", hm(0, 10, 30), hm(0, 10, 30), hm(10, 10, 30)),
        (0, "recheck", "clerk#1", hm(10, 10, 30), hm(12, 8, 30), hm(12, 9, 30)),
        (0, "done", "", hm(12, 9, 30), hm(12, 9, 30), hm(12, 9, 30)),  # the case's end
    ]
    [case] = cases(out)
    assert case["lead_time"] == hm(12, 9, 30)
    assert case["touch_time"] == case["path_touch"] == 600 + 30 + 60
    assert case["wait_external"] == 10 * DAY
    assert case["wait_unavailability"] == hm(12, 8, 30) - hm(10, 10, 30)  # Saturday 10:30 to Monday 08:30
    assert case["waiting"] == case["wait_external"] + case["wait_unavailability"]
    assert case["wait_transport"] == case["wait_contention"] == case["wait_rework"] == 0
    assert case["handoffs"] == 0 and case["paper_steps"] == 0  # a wait is neither
    assert case["business_days"] == 8  # Wednesday to Monday twelve days later
    # The citizen went home in between: coming back for the re-check is a second visit. The weekend before
    # the office opens is not counter waiting: nobody stands at a closed counter.
    assert case["visits"] == 2
    assert case["counter_wait"] == 0
    # No staff works during a wait: the clerk's busy time is the two tasks.
    assert out.busy[1] == 90


def test_a_wait_during_rework_is_rework() -> None:
    # The chief returns every other case for the applicant's correction (a wait of 3 days), then rechecks.
    process = make_process({
        "calendar": "always",
        "roles": {"chief": {"staff": 1}},
        "arrivals": [{"channel": "mail", "rate": "1/week", "pattern": "regular"}],
        "steps": [
            {"id": "check", "type": "approval", "role": "chief", "duration": "10m",
             "reject": {"probability": 0.5, "to": "correct"}, "next": "done"},
            {"id": "correct", "type": "wait", "party": "applicant", "duration": "3d", "next": "check"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 11), horizon="40w")
    rows = cases(out)
    assert len(rows) == 40 and {c["rejections"] for c in rows} >= {0, 1, 2}
    for c in rows:
        r = c["rejections"]
        assert c["lead_time"] == 10 + r * (3 * DAY + 10)
        assert c["wait_rework"] == r * 3 * DAY and c["wait_external"] == 0
        assert c["rework_time"] == r * (3 * DAY + 10)


def test_mm1_followed_by_a_wait_has_lead_time_w_plus_the_mean_wait() -> None:
    """No queue at a wait: lead time = M/M/1 sojourn W + mean wait, and the wait is all external waiting."""
    data = process_to_data(load_process(THEORY / "mm1.yaml"))
    data["steps"][0]["next"] = "reply"
    data["steps"].insert(1, {"id": "reply", "type": "wait", "party": "external",
                             "duration": {"dist": "exponential", "mean": "3m"}, "next": "done"})
    process = process_from_data(data)
    result = simulate(process, SimConfig(horizon="8000m", warm_up="300m", replications=20, seed=SEED))
    w = mm1_sojourn(0.7, 1.0)
    assert_matches(result.kpis["lead_time"].mean, w + 3.0, "W + d")
    assert_matches(result.kpis["wait_external"].mean, 3.0, "external waiting", precision=0.05)
    assert result.roles["server"].utilisation.mean < 0.75  # type: ignore[union-attr]  # the wait adds no work
