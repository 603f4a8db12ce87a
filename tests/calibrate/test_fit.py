"""The pieces: W1 and quantiles against scipy (a test dependency only), family choice, thresholds, stumps,
sweep detection, and editing a file's text in place (scalar, flow and block values)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bpr.calibrate.branches import stump
from bpr.calibrate.fit import best_fit, normal_ppf, quantiles, wasserstein, wasserstein_samples
from bpr.calibrate.parameters import duration_text, nice_between
from bpr.calibrate.rewrite import rewrite
from bpr.calibrate.steps import sweep_times
from bpr.model.distributions import Exponential, Lognormal, Normal, Triangular, Uniform
from bpr.model.load import parse_process

SEED = 20261122


def test_normal_quantiles_match_scipy() -> None:
    u = np.concatenate([np.linspace(1e-6, 0.02, 50), np.linspace(0.02, 0.98, 200), np.linspace(0.98, 1 - 1e-6, 50)])
    assert np.max(np.abs(normal_ppf(u) - stats.norm.ppf(u))) < 1e-8


@pytest.mark.parametrize("dist, frozen", [
    (Exponential(mean=15), stats.expon(scale=15)),
    (Uniform(min=2, max=9), stats.uniform(2, 7)),
    (Triangular(min=5, mode=10, max=30), stats.triang((10 - 5) / 25, loc=5, scale=25)),
    (Lognormal(mean=12, sd=6), stats.lognorm(s=math.sqrt(math.log(1.25)), scale=12 / math.sqrt(1.25))),
    (Normal(mean=10, sd=2), stats.truncnorm(-5, math.inf, loc=10, scale=2)),
])
def test_quantiles_match_scipy(dist, frozen) -> None:  # type: ignore[no-untyped-def]
    u = np.linspace(0.001, 0.999, 999)
    assert np.allclose(quantiles(dist, u), frozen.ppf(u), rtol=1e-7, atol=1e-7)


def test_wasserstein_of_a_sample_matches_scipy_against_a_fine_reference() -> None:
    """W1 at the sample's plotting positions equals scipy's W1 to the law (approximated by 200,000 of its
    quantiles) up to the discretisation, which is below 1% of the sd here."""
    rng = np.random.default_rng(SEED)
    dist = Lognormal(mean=12, sd=6)
    x = np.sort(rng.lognormal(*dist.log_params(), 2000))
    reference = quantiles(dist, (np.arange(200_000) + 0.5) / 200_000)
    assert abs(wasserstein(x, dist) - stats.wasserstein_distance(x, reference)) < 0.01 * 6
    y = rng.exponential(10, 3000)
    assert abs(wasserstein_samples(x, y) - stats.wasserstein_distance(x, y)) < 0.01 * 10


@pytest.mark.parametrize("family, draw", [
    ("exponential", lambda rng: rng.exponential(15, 1500)),
    ("lognormal", lambda rng: rng.lognormal(2.4, 0.47, 1500)),
    ("triangular", lambda rng: rng.triangular(5, 10, 30, 1500)),
    ("uniform", lambda rng: rng.uniform(30, 120, 1500)),
    ("normal", lambda rng: rng.normal(60, 8, 1500)),
    ("fixed", lambda rng: np.full(50, 20.0)),
])
def test_the_true_family_is_the_nearest(family: str, draw) -> None:  # type: ignore[no-untyped-def]
    assert best_fit(draw(np.random.default_rng(SEED))).dist.dist == family  # type: ignore[attr-defined]


@pytest.mark.parametrize("lo, hi, nice", [(987_000, 1_012_000, 1_000_000), (0.31, 0.38, 0.31), (0.312, 0.38, 0.32), (499.5, 500.5, 500),
                                          (1234.5, 1234.6, 1234.5), (5, 5, 5)])
def test_nice_between_takes_the_fewest_figures(lo: float, hi: float, nice: float) -> None:
    assert nice_between(lo, hi) == pytest.approx(nice, rel=1e-12)


def test_duration_text_rounds_to_three_figures_in_a_readable_unit() -> None:
    assert [duration_text(m) for m in (0.5, 12.04, 59.95, 150, 4320.4)] == ["30s", "12m", "60m", "2.5h", "3d"]


def test_stump_finds_the_gap_and_the_orientation() -> None:
    values = np.asarray([1, 2, 3, 10, 11, 12], dtype=float)
    found = stump("amount", values, values > 5)
    assert found is not None and (found.lo, found.hi, found.above, found.accuracy) == (3, 10, True, 1.0)
    below = stump("amount", values, values < 5)
    assert below is not None and not below.above and below.accuracy == 1.0


def test_sweeps_are_repeated_seconds_but_not_openings() -> None:
    rng = np.random.default_rng(SEED)
    days = np.arange(100) * 1440.0
    starts = np.concatenate([days + 600, days + 900, days + 510, days[:, None].ravel() + rng.uniform(540, 1000, 100)])
    assert sweep_times(starts, openings={510 * 60}) == [600 * 60, 900 * 60]
    assert sweep_times(rng.uniform(0, 100 * 1440, 300), openings=set()) == []


BLOCKY = """\
# top comment
id: p
name: テスト
roles:
  clerk:
    staff: 2          # two people
arrivals:
  - channel: counter
    rate: 5/day       # guessed
steps:
  - id: a
    type: approval
    role: clerk
    duration:
      dist: normal    # a guess
      mean: 10m
      sd: 2m
    batch:
    - "09:00"
    reject: {probability: 0.1, to: a}
    next: b
  - {id: b, type: end}
"""


def test_rewrite_edits_scalars_flow_and_block_values_in_place() -> None:
    process = parse_process(BLOCKY, "blocky.yaml")
    values = [("roles.clerk.staff", 3), ("arrivals[0].rate", "6.5/day"),
              ("steps[0].duration", {"dist": "lognormal", "mean": "12m", "sd": "3m"}),
              ("steps[0].batch", ["10:00", "15:00"]), ("steps[0].reject.probability", 0.25),
              ("arrivals[0].profile", {"weekday": {"mon": 2.0}})]  # not in the file: reported, not inserted
    written = rewrite(process, BLOCKY, values)
    assert written.kept_layout
    assert written.text.splitlines() == [
        "# top comment", "id: p", "name: テスト", "roles:", "  clerk:", "    staff: 3          # two people",
        "arrivals:", "  - channel: counter", "    rate: 6.5/day       # guessed", "steps:", "  - id: a",
        "    type: approval", "    role: clerk", "    duration:", "      dist: lognormal", "      mean: 12m",
        "      sd: 3m", "    batch:", '      ["10:00", "15:00"]', "    reject: {probability: 0.25, to: a}",
        "    next: b", "  - {id: b, type: end}"]
    assert written.process.arrivals[0].profile is None
