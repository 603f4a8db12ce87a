"""The simulation window chosen from the process: visits and lead time by hand, against the simulation, and
the window rule (docs/redesign.md, "The window")."""

from __future__ import annotations

import pytest
from redesign_helpers import process

from bpr.redesign import config_for, expected_lead_time, window_for
from bpr.redesign.window import DRAIN_FACTOR, WINDOW_FACTOR, expected_visits
from bpr.simulate import SimConfig, simulate

UNLIMITED = """
roles:
  clerk: {staff: unlimited, authority: 1}
  chief: {staff: unlimited, authority: 3}
"""
LOOP = """
- {id: prepare, type: task, role: clerk, duration: 10m, next: to_chief}
- {id: to_chief, type: handoff, mode: internal_mail, delay: 1h, next: reply}
- {id: reply, type: wait, party: applicant, duration: 2d, next: ok}
- {id: ok, type: approval, role: chief, duration: 5m, reject: {probability: 0.2, to: prepare}, next: done}
- {id: done, type: end}
"""


def test_visits_count_rework_decision_shares_and_a_parallel_block_once() -> None:
    p = process("""
        - {id: prepare, type: task, role: clerk, duration: 10m, next: kind}
        - {id: kind, type: decision, next: [{to: split, when: "amount < 50"}, {to: ok, otherwise: true}]}
        - {id: split, type: parallel, next: [a, b], join: both}
        - {id: a, type: task, role: clerk, duration: 10m, next: both}
        - {id: b, type: task, role: clerk, duration: 10m, next: both}
        - {id: both, type: join, next: ok}
        - {id: ok, type: approval, role: chief, duration: 5m, reject: {probability: 0.2, to: prepare}, next: done}
        - {id: done, type: end}
    """, roles=UNLIMITED, extra="attributes: {amount: {dist: uniform, min: 0, max: 100}}")
    visits = expected_visits(p)
    assert visits["prepare"] == pytest.approx(1.25) and visits["ok"] == pytest.approx(1.25)
    assert visits["done"] == pytest.approx(1.0)
    # The analysis estimates the share of "amount < 50" from 2000 sampled cases (±2.2 points at 95%).
    share = visits["split"] / visits["kind"]
    assert abs(share - 0.5) < 0.03
    assert visits["a"] == pytest.approx(visits["split"]) and visits["both"] == pytest.approx(visits["split"])


def test_lead_time_by_hand_on_a_calendar_that_is_always_open() -> None:
    # Each of 1.25 visits (1 / (1 - 0.2)): 10 min work + 60 min mail + 2 days waiting + 5 min sign-off.
    assert expected_lead_time(process(LOOP, roles=UNLIMITED)) == pytest.approx(1.25 * (10 + 60 + 2880 + 5))


def test_work_is_stretched_by_the_roles_calendar_and_set_times_add_half_their_spacing() -> None:
    office = 'calendar: {days: [mon, tue, wed, thu, fri], hours: ["09:00-17:00"], holidays: null}'
    steps = """
        - {id: prepare, type: task, role: clerk, duration: 60m, next: ok}
        - {id: ok, type: approval, role: chief, duration: 30m, batch: ["16:00"], next: done}
        - {id: done, type: end}
    """
    stretch = 7 * 1440 / (5 * 480)
    half_gap = 0.5 * 7 * 1440 / 5  # one sweep per open day
    assert expected_lead_time(process(steps, roles=UNLIMITED, calendar=office)) == pytest.approx(
        90 * stretch + half_gap
    )


def test_without_queues_or_calendars_the_simulated_mean_lead_time_is_the_estimate() -> None:
    # (the reply by post as a handoff: the simulation runs handoffs on any engine version)
    p = process(LOOP.replace("{id: reply, type: wait, party: applicant, duration: 2d, next: ok}",
                             "{id: reply, type: handoff, mode: post, delay: {dist: exponential, mean: 2d}, next: ok}"),
                roles=UNLIMITED)
    result = simulate(p, SimConfig(replications=10, horizon="8w", warm_up="2w", seed=11))
    lead = result.kpis["lead_time"].mean
    mean, half = lead.mean, lead.half_width
    theory = expected_lead_time(p)
    assert half < 0.10 * theory, "CI too wide to test anything: add replications"
    assert abs(mean - theory) <= half, f"{mean:.0f} ± {half:.0f} vs estimate {theory:.0f}"


def test_short_processes_get_the_minimum_window_long_ones_several_lead_times() -> None:
    short = window_for(process(LOOP.replace("duration: 2d", "duration: 1h"), roles=UNLIMITED))
    assert (short.warm_up, short.horizon, short.drain) == ("4w", "4w", "30d")
    slow = process(LOOP.replace("duration: 2d", "duration: 10d"), roles=UNLIMITED)
    window = window_for(slow)
    lead_days = window.lead_time / 1440
    assert lead_days == pytest.approx(1.25 * (10 + 60 + 14400 + 5) / 1440)
    weeks = int(window.horizon.removesuffix("w"))
    assert window.warm_up == window.horizon and (weeks - 1) * 7 < WINDOW_FACTOR * lead_days <= weeks * 7
    assert window.drain == f"{int(-(-DRAIN_FACTOR * lead_days // 1))}d"


def test_config_for_keeps_what_is_given_and_never_drains_less_than_the_horizon() -> None:
    p = process(LOOP, roles=UNLIMITED)
    config = config_for(p, replications=3, seed=5, horizon="30w")
    assert (config.replications, config.seed, config.horizon, config.warm_up) == (3, 5, "30w", "4w")
    assert config.drain_minutes >= config.horizon_minutes
    with pytest.raises(ValueError, match="horizon"):
        config_for(p, horizon="soon")
