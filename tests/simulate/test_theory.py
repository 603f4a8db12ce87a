"""The engine against queueing theory, with tolerances from confidence intervals (STYLE.md).

Each test runs replications of a scenario from ``scenarios/theory/`` (24/7, exponential times) and
checks that the closed form lies inside the 99% confidence interval of the estimate, after checking that
the interval is narrow enough to mean something. A 99% level is chosen up front (not tuned to pass):
with several checks per run, a correct engine would fail 95% checks too often by chance.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpr.changes import load_process
from bpr.simulate import SimConfig, simulate
from bpr.simulate.queueing import feedback_sojourn, feedback_visits, mm1_sojourn, mmc_sojourn, mmc_wait, tandem_sojourn
from simhelp import SEED, assert_matches

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"


def run(name: str, horizon: str, replications: int = 20, seed: int = SEED):
    process = load_process(THEORY / f"{name}.yaml")
    return simulate(process, SimConfig(horizon=horizon, warm_up="300m", replications=replications, seed=seed))


def test_mm1_time_in_system_and_queue() -> None:
    result = run("mm1", "8000m")
    lam, mu = 0.7, 1.0
    assert_matches(result.kpis["lead_time"].mean, mm1_sojourn(lam, mu), "W")
    assert_matches(result.kpis["wait_contention"].mean, mmc_wait(lam, mu, 1), "Wq")
    assert_matches(result.roles["server"].utilisation, lam / mu, "utilisation", precision=0.05)  # type: ignore[arg-type]
    # Nothing else waits in a 24/7 single queue.
    assert result.kpis["wait_unavailability"].mean.mean == 0
    assert result.kpis["wait_batching"].mean.mean == 0


def test_mmc_erlang_c_waiting_time() -> None:
    result = run("mmc", "6000m")
    lam, mu, c = 2.4, 1.0, 3
    assert_matches(result.kpis["wait_contention"].mean, mmc_wait(lam, mu, c), "Wq (Erlang C)")
    assert_matches(result.kpis["lead_time"].mean, mmc_sojourn(lam, mu, c), "W")
    assert_matches(result.roles["servers"].utilisation, lam / (c * mu), "utilisation", precision=0.05)  # type: ignore[arg-type]


def test_tandem_jackson_network_sojourn() -> None:
    result = run("tandem", "4000m")
    theory = tandem_sojourn(0.6, [(1.0, 1), (0.5, 2), (1.25, 1)])
    assert_matches(result.kpis["lead_time"].mean, theory, "tandem sojourn")
    assert_matches(result.kpis["touch_time"].mean, 1.0 + 2.0 + 0.8, "service time")


def test_mm1_with_rework_feedback() -> None:
    result = run("rework", "6000m")
    lam, mu, p = 0.4, 1.0, 0.3
    assert_matches(result.kpis["lead_time"].mean, feedback_sojourn(lam, mu, p), "W with feedback")
    assert_matches(result.kpis["approvals"].mean, feedback_visits(p), "services per case", precision=0.05)
    assert_matches(result.roles["officer"].utilisation, lam / (1 - p) / mu, "utilisation", precision=0.05)  # type: ignore[arg-type]
    # Waiting after the first rejection is attributed to rework, the rest to contention.
    waits = result.kpis["wait_contention"].mean.mean + result.kpis["wait_rework"].mean.mean
    assert waits == pytest.approx(result.kpis["waiting"].mean.mean, rel=1e-9)
    assert result.kpis["wait_rework"].mean.mean > 0


def test_mm1_with_feedback_through_a_decision_loop() -> None:
    """The same queue with the loop written as a decision: every pass draws afresh (geometric services)."""
    result = run("feedback", "6000m")
    lam, mu, p = 0.4, 1.0, 0.3
    assert_matches(result.kpis["lead_time"].mean, feedback_sojourn(lam, mu, p), "W with feedback")
    assert_matches(result.kpis["touch_time"].mean, feedback_visits(p) / mu, "work per case", precision=0.05)
    assert result.kpis["wait_rework"].mean.mean == 0  # no rejection, so no rework
