"""Replications until a stated precision: the answer is the fixed run of the count reached, the precision is
what its intervals say, and a target out of reach stops at the maximum and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr import load_process
from bpr.cli.main import app
from bpr.simulate import SimConfig, compare, simulate
from bpr.simulate.precision import FIRST, compare_to_precision, simulate_to_precision

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"
CONFIG = SimConfig(horizon="2000m", warm_up="200m", seed=7, workers=1)


@pytest.fixture(scope="module")
def mm1():
    return load_process(THEORY / "mm1.yaml")


@pytest.fixture(scope="module")
def mmc():
    return load_process(THEORY / "mmc.yaml")


def test_a_comparison_to_precision_is_the_fixed_run_of_the_count_it_reached(mm1, mmc):
    comparison, precision = compare_to_precision(mm1, mmc, CONFIG, target=0.10, max_replications=60)
    assert precision.met and precision.replications >= FIRST
    fixed = compare(mm1, mmc, CONFIG.model_copy(update={"replications": precision.replications}))
    assert comparison.to_dict() == fixed.to_dict()
    lead = comparison.differences["lead_time"]
    assert precision.reached["lead_time"] == pytest.approx(lead.difference.half_width / abs(lead.before))
    assert precision.reached["lead_time"] <= 0.10


def test_a_tighter_target_takes_more_replications(mm1):
    loose = simulate_to_precision(mm1, CONFIG, target=0.20, max_replications=200)[1]
    tight = simulate_to_precision(mm1, CONFIG, target=0.05, max_replications=200)[1]
    assert loose.met and tight.met
    assert tight.replications > loose.replications
    result = simulate(mm1, CONFIG.model_copy(update={"replications": tight.replications}))
    est = result.kpis["lead_time"].mean
    assert tight.reached["lead_time"] == pytest.approx(est.half_width / est.mean)


def test_a_target_out_of_reach_stops_at_the_maximum_and_says_so(mm1):
    result, precision = simulate_to_precision(mm1, CONFIG, target=0.001, max_replications=8)
    assert not precision.met and precision.replications == 8 == result.config.replications
    assert precision.to_dict()["met"] is False


def test_the_cli_states_the_precision_and_refuses_a_bad_one():
    runner = CliRunner()
    args = [str(THEORY / "mm1.yaml"), "--horizon", "2000m", "--warm-up", "200m", "--workers", "1", "--seed", "7"]
    result = runner.invoke(app, ["simulate", *args, "--precision", "10%", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["precision"]["met"] and data["precision"]["target"] == 0.1
    assert data["config"]["replications"] == data["precision"]["replications"]
    result = runner.invoke(app, ["simulate", *args, "--precision", "10%"])
    assert "precision ±10.0% reached after" in result.stdout
    result = runner.invoke(app, ["simulate", *args, "--precision", "lots"])
    assert result.exit_code == 2 and "--precision: cannot read precision 'lots'" in result.output
    result = runner.invoke(app, ["simulate", *args, "--precision", "10%", "--max-replications", "3"])
    assert result.exit_code == 2 and "--max-replications" in result.output


def test_whatif_runs_to_a_precision_too():
    runner = CliRunner()
    result = runner.invoke(app, ["whatif", str(THEORY / "mm1.yaml"), "-c", "{staff: {server: 2}}", "--format", "json",
                                 "--horizon", "2000m", "--warm-up", "200m", "--workers", "1", "--seed", "7",
                                 "--precision", "0.1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["precision"]["met"]
    assert data["comparison"]["before"]["config"]["replications"] == data["precision"]["replications"]
