"""Helpers for the simulation tests: build a process from a dict, run one replication, read its cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from bpr.model.load import process_from_data
from bpr.model.schema import Process
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import CASE_FIELDS, ReplicationOutput, run_replication
from bpr.simulate.estimate import Estimate
from bpr.simulate.plan import build_plan
from bpr.simulate.tdist import t_quantile


SEED = 20261122
"""The suite's seed (tests/conftest.py): stochastic checks run on it, never on a seed tuned to pass."""


def make_process(data: dict[str, Any]) -> Process:
    base: dict[str, Any] = {"id": "t", "name": "test"}
    base.update(data)
    return process_from_data(base)


def run_once(process: Process, start: date, horizon: str = "1d", warm_up: str = "0m", seed: int = 1,
             replication: int = 0) -> ReplicationOutput:
    config = SimConfig(horizon=horizon, warm_up=warm_up, seed=seed, start_date=start, events=True)
    return run_replication(build_plan(process, start), config, replication, events=True, keep_sample=True)


def cases(out: ReplicationOutput) -> list[dict[str, float]]:
    assert out.sample is not None, "run with keep_sample=True"
    return [dict(zip(CASE_FIELDS, row)) for row in out.sample.tolist()]


def timeline(out: ReplicationOutput) -> list[tuple[Any, ...]]:
    """(case, activity, resource, enable, start, end) of every activity, by case and enable time."""
    assert out.events is not None
    return sorted(((e[0], e[2], e[5], e[6], e[7], e[8]) for e in out.events), key=lambda e: (e[0], e[3], e[4], e[1]))


def half_width_99(estimate: Estimate) -> float:
    return t_quantile(0.995, estimate.n - 1) * estimate.sd / estimate.n**0.5


def assert_matches(estimate: Estimate, theory: float, what: str, precision: float = 0.10) -> None:
    """The closed form lies in the 99% interval of the estimate, which is narrow enough to mean something."""
    half = half_width_99(estimate)
    assert half < precision * theory, f"{what}: CI too wide to test anything ({half:.4f}): add replications"
    assert abs(estimate.mean - theory) <= half, (
        f"{what}: {estimate.mean:.4f} ± {half:.4f} vs theory {theory:.4f}")
