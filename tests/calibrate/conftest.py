"""The round trip's shared run: ``known.yaml`` simulated once (seeded, one measured replication kept with its
events), its log with each case's ``amount``, and the calibration of ``wrong.yaml`` from that log."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bpr.calibrate import Calibration, Log, calibrate, log_from_records
from bpr.interchange.eventlog import ActivityRecord
from bpr.model.load import load_process
from bpr.model.schema import Process
from bpr.simulate.config import SimConfig
from bpr.simulate.results import event_records
from bpr.simulate.runner import plan_for, simulate
from bpr.simulate.sampling import block_sampler
from bpr.simulate.streams import Streams

HERE = Path(__file__).parent
SEED = 20261122
START = date(2026, 4, 6)  # a Monday; the period holds Golden Week, so open days are not every weekday
DAYS = 120


def run_config(seed: int = SEED) -> SimConfig:
    # Two replications is the engine's minimum; only replication 0 keeps its events.
    return SimConfig(replications=2, horizon=f"{DAYS}d", warm_up="0d", seed=seed, start_date=START, events=True)


def amounts(process: Process, config: SimConfig, records: list[ActivityRecord]) -> dict[str, dict[str, Any]]:
    """Each logged case's ``amount`` as the engine drew it. The simulated log does not carry attributes, so
    they are drawn again: stream ``attr:<channel>:amount`` of replication 0 gives the k-th case of a channel
    its k-th draw, and case ids count up in arrival order (bpr.simulate.engine). The round-trip test checks
    the result: every case goes the way ``amount > 1000000`` sends it."""
    plan = plan_for(process, config)
    streams = Streams(config.seed, 0)
    ids: dict[str, set[int]] = {}
    for record in records:
        ids.setdefault(record.channel, set()).add(int(record.case_id))
    out: dict[str, dict[str, Any]] = {}
    for arrival in plan.arrivals:
        dist = dict(arrival.attributes)["amount"]
        sampler = block_sampler(dist, streams.get(f"attr:{arrival.channel}:amount"))
        for case_id in sorted(ids.get(arrival.channel, ())):
            out[str(case_id)] = {"amount": float(next(sampler))}
    return out


def simulated_log(process: Process, seed: int = SEED) -> tuple[list[ActivityRecord], Log]:
    config = run_config(seed)
    records = event_records([("run", simulate(process, config))])
    return records, log_from_records(records, "<simulated>", amounts(process, config, records))


@pytest.fixture(scope="session")
def known() -> Process:
    return load_process(HERE / "known.yaml")


@pytest.fixture(scope="session")
def wrong() -> Process:
    return load_process(HERE / "wrong.yaml")


@pytest.fixture(scope="session")
def known_run(known: Process) -> tuple[list[ActivityRecord], Log]:
    return simulated_log(known)


@pytest.fixture(scope="session")
def calibration(wrong: Process, known_run: tuple[list[ActivityRecord], Log]) -> Calibration:
    return calibrate(wrong, known_run[1])
