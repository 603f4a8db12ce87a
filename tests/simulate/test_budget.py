"""Run-size estimates: the expected cases and the work a run is, counted before it runs."""

from __future__ import annotations

import pytest

from bpr.model.load import parse_process
from bpr.simulate import SimConfig
from bpr.simulate.budget import cases_per_replication, estimated_seconds, format_seconds

ALWAYS_OPEN = """\
id: p
name: p
calendar: always
roles: {clerk: {}}
arrivals: [{channel: counter, rate: 2/hour}]
steps:
  - {id: a, type: task, role: clerk, duration: 5m, next: done}
  - {id: done, type: end}
"""


def test_cases_and_seconds_by_hand() -> None:
    process = parse_process(ALWAYS_OPEN)
    config = SimConfig(replications=4, horizon="10d", warm_up="2d")
    assert cases_per_replication(process, config) == pytest.approx(2 * 24 * 12)
    # 576 cases x 2 steps x 4 replications on 2 workers at 1000 case-steps a second
    assert estimated_seconds([process], config, workers=2, case_steps_per_second=1000) == pytest.approx(
        576 * 2 * 4 / 1000 / 2)
    assert estimated_seconds([process, process], config, workers=1, case_steps_per_second=1000,
                             runs=[4, 0]) == pytest.approx(576 * 2 * 4 / 1000)


@pytest.mark.parametrize(("seconds", "text"), [(30, "30 s"), (150, "2 min"), (3 * 3600, "3 h"),
                                               (5 * 86400, "5 days"), (3e9, "95 years"), (float("inf"), "for ever")])
def test_estimates_read_at_a_glance(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
