"""Arrival streams: Poisson in open time at the documented rate, profiles shape when (not how many), regular."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from bpr.model.volume import open_days_in
from simhelp import SEED, make_process, run_once

START = date(2026, 6, 1)  # a Monday; June 2026 has no public holiday in Japan


def arrival_times(arrival: dict, horizon: str = "8w", seed: int = SEED) -> list[float]:
    process = make_process({
        "roles": {"desk": {"staff": "unlimited", "calendar": "always"}},
        "arrivals": [arrival],
        "steps": [{"id": "log", "type": "task", "role": "desk", "duration": "0m", "next": "done"},
                  {"id": "done", "type": "end"}],
    })
    out = run_once(process, START, horizon=horizon, warm_up="0m", seed=seed)
    horizon_minutes = out.window[1]
    return sorted(e.enable for e in out.events or () if e.activity == "log" and e.enable < horizon_minutes)


def within(count: float, expected: float, what: str) -> None:
    """A Poisson count against its mean, at the 99% level (normal approximation, counts in the hundreds)."""
    assert expected > 400, "too few arrivals to test anything"
    assert abs(count - expected) <= 2.576 * expected**0.5, f"{what}: {count} vs {expected:.0f}"


def test_poisson_per_open_day_arrives_only_in_open_time() -> None:
    times = arrival_times({"channel": "counter", "rate": "40/day"})
    days = open_days_in(make_process({"roles": {"x": {}}, "arrivals": [{"channel": "mail", "rate": "1/day"}],
                                      "steps": [{"id": "e", "type": "end"}]}).calendar, START,
                        START + timedelta(weeks=8))
    within(len(times), 40 * len(days), "arrivals in 8 weeks")
    origin = datetime.combine(START, datetime.min.time())
    for t in times:
        when = origin + timedelta(minutes=t)
        minute = when.hour * 60 + when.minute
        assert when.weekday() < 5 and (510 <= minute < 720 or 780 <= minute < 1035), when


def test_weekday_and_hour_profile_shape_when_but_keep_the_volume() -> None:
    times = np.array(arrival_times({"channel": "counter", "rate": "40/day", "calendar": "always",
                                    "profile": {"weekday": {"mon": 3.0}, "hour": {h: 0.0 for h in range(0, 8)}}}))
    within(len(times), 40 * 56, "arrivals in 8 weeks")
    day = np.floor(times / 1440.0)
    hour = (times - day * 1440.0) // 60
    assert not np.any(hour < 8), "no arrivals in hours with weight 0"
    mondays = np.sum(day % 7 == 0)  # START is a Monday
    within(mondays, len(times) * 3 / 9, "Monday arrivals (weight 3 of 9)")


def test_regular_arrivals_come_at_equal_steps_of_open_time() -> None:
    times = arrival_times({"channel": "mail", "rate": "4/hour", "pattern": "regular", "calendar": "always"},
                          horizon="1d")
    assert times == [15.0 * k for k in range(96)]


@pytest.mark.parametrize("rate", ["1200/year", "100/month", "23/week"])
def test_calendar_period_rates(rate: str) -> None:
    times = arrival_times({"channel": "online", "rate": rate, "calendar": "always"}, horizon="26w")
    count, period = float(rate.split("/")[0]), rate.split("/")[1]
    per_day = {"year": count / 365, "month": count * 12 / 365, "week": count / 7}[period]
    expected = per_day * 182
    within(len(times), expected, f"arrivals at {rate}")


def _rare_process(rate: str, pattern: str) -> Any:
    return make_process({
        "calendar": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": ["08:30-17:15"], "holidays": "JP"},
        "roles": {"desk": {"staff": 1}},
        "arrivals": [{"channel": "counter", "rate": rate, "pattern": pattern}],
        "steps": [{"id": "log", "type": "task", "role": "desk", "duration": "1h", "next": "done"},
                  {"id": "done", "type": "end"}],
    })


def test_a_rare_poisson_stream_on_an_office_calendar_runs_at_its_rate() -> None:
    # A few permits a year: one block of arrivals reaches centuries ahead; the stream must stop at the run's
    # end instead of asking the calendar about years it never builds.
    process = _rare_process("5/year", "poisson")
    outs = [run_once(process, START, horizon="1y", warm_up="0m", seed=SEED, replication=r) for r in range(20)]
    assert all(out.completed == out.arrived for out in outs)
    total = sum(out.arrived for out in outs)  # Poisson(100): 99% of counts within 2.576 standard deviations
    assert abs(total - 100) <= 2.576 * 10, total


def test_a_regular_stream_of_one_a_year_starts_at_the_first_opening() -> None:
    out = run_once(_rare_process("1/year", "regular"), START, horizon="1y", warm_up="0m", seed=SEED)
    assert out.events is not None and out.completed == out.arrived >= 1
    starts = sorted(e.enable for e in out.events if e.activity != "done")  # not the cases' ends
    assert starts[0] == 8.5 * 60  # Monday 1 June 2026, 08:30
    assert all(later - earlier > 300 * 1440 for earlier, later in zip(starts, starts[1:]))
