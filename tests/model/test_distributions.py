"""Distributions: the file form (units in, units out), closed-form moments, and sampling against theory.

Sampling tests draw N values with a fixed seed and require the sample mean to lie within Z = 4 standard
errors of the distribution's own ``.mean`` (standard error from its ``.variance``), and the sample variance
within 4 standard errors of ``.variance`` (standard error of a variance, sqrt((m4 - s^4) / n), from the
sample's fourth central moment). Why 4: for an honest implementation a deviation beyond 4 standard errors
has a two-sided probability of about 6e-5, so across the ~20 checks here a false alarm on a new seed is
below 0.2%; a bias of a few standard errors is still caught, and each test first asserts that its interval
is narrow (a few percent of the value) so that passing means something. The seed is fixed: the result is
reproducible, and never tuned to a lucky draw.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from bpr.model.distributions import (
    AttributeDistribution,
    Choice,
    Duration,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)

DURATION = TypeAdapter(Duration)
ATTRIBUTE = TypeAdapter(AttributeDistribution)
N = 20_000
Z = 4.0


# --- the file form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "model", "dumped"),
    [
        ("15m", Fixed(value=15), "15m"),
        ("1.5h", Fixed(value=90), "90m"),
        ({"dist": "fixed", "value": "2h"}, Fixed(value=120), "2h"),
        ({"dist": "exponential", "mean": "2h"}, Exponential(mean=120), {"dist": "exponential", "mean": "2h"}),
        ({"dist": "uniform", "min": "5m", "max": "1h"}, Uniform(min=5, max=60),
         {"dist": "uniform", "min": "5m", "max": "1h"}),
        ({"dist": "triangular", "min": "5m", "mode": "10m", "max": "30m"}, Triangular(min=5, mode=10, max=30),
         {"dist": "triangular", "min": "5m", "mode": "10m", "max": "30m"}),
        ({"dist": "normal", "mean": "1d", "sd": "90m"}, Normal(mean=1440, sd=90),
         {"dist": "normal", "mean": "1d", "sd": "90m"}),
        ({"dist": "lognormal", "mean": "20m", "sd": "10m"}, Lognormal(mean=20, sd=10),
         {"dist": "lognormal", "mean": "20m", "sd": "10m"}),
        ({"dist": "empirical", "values": ["5m", "30s", "1h"]}, Empirical(values=(5, 0.5, 60)),
         {"dist": "empirical", "values": ["5m", "30s", "1h"]}),
    ],
)
def test_duration_file_form_in_and_out(written: object, model: object, dumped: object) -> None:
    parsed = DURATION.validate_python(written)
    assert parsed == model
    assert DURATION.dump_python(parsed, mode="json") == dumped
    assert DURATION.validate_python(dumped) == model


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ({"dist": "uniform", "min": "30m", "max": "10m"}, "max (10.0) must not be below min (30.0)"),
        ({"dist": "triangular", "min": "5m", "mode": "40m", "max": "30m"}, "need min <= mode <= max, got 5.0, 40.0, 30.0"),
        ({"dist": "exponential", "mean": "0m"}, "greater than 0"),
        ({"dist": "normal", "mean": "0m", "sd": "1m"}, "greater than 0"),
        ({"dist": "lognormal", "mean": "10m", "sd": "0m"}, "greater than 0"),
        ({"dist": "empirical", "values": []}, "at least 1 item"),
        ({"dist": "fixed", "value": 5}, "duration 5 has no unit"),
        ({"dist": "fixed", "value": "5m", "sd": "1m"}, "Extra inputs are not permitted"),
        ({"dist": "gamma", "mean": "5m"}, "'gamma'"),
        ([1, 2], "expected a duration such as '15m' or a mapping with 'dist:'"),
    ],
)
def test_duration_refusals(written: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DURATION.validate_python(written)
    assert fragment in str(caught.value)


def test_attributes_have_no_units_and_may_be_categorical() -> None:
    assert ATTRIBUTE.validate_python({"dist": "uniform", "min": 1000, "max": 2_000_000}) == Uniform(min=1000, max=2e6)
    kind = ATTRIBUTE.validate_python({"dist": "choice", "values": {"new": 0.7, "change": 0.3}})
    assert kind == Choice(values={"new": 0.7, "change": 0.3})
    with pytest.raises(TypeError, match="no mean"):
        kind.mean  # noqa: B018
    with pytest.raises(ValidationError, match="probabilities sum to 0.9, not 1"):
        ATTRIBUTE.validate_python({"dist": "choice", "values": {"new": 0.6, "change": 0.3}})
    with pytest.raises(ValidationError, match="must not be negative"):
        ATTRIBUTE.validate_python({"dist": "choice", "values": {"new": 1.5, "change": -0.5}})
    with pytest.raises(ValidationError, match="values must not be negative"):
        ATTRIBUTE.validate_python({"dist": "empirical", "values": [3, -1]})


# --- closed forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dist", "mean", "variance"),
    [
        (Fixed(value=15), 15.0, 0.0),
        (Exponential(mean=10), 10.0, 100.0),
        (Uniform(min=10, max=40), 25.0, 75.0),
        (Triangular(min=5, mode=10, max=30), 15.0, (25 + 900 + 100 - 150 - 50 - 300) / 18),
        (Normal(mean=30, sd=0), 30.0, 0.0),
        (Lognormal(mean=20, sd=10), 20.0, 100.0),
        (Empirical(values=(2, 4, 9)), 5.0, (9 + 1 + 16) / 3),
    ],
)
def test_moments_by_hand(dist: object, mean: float, variance: float) -> None:
    assert dist.mean == pytest.approx(mean, rel=1e-12)  # type: ignore[attr-defined]
    assert dist.variance == pytest.approx(variance, rel=1e-12, abs=1e-12)  # type: ignore[attr-defined]


def test_truncated_normal_moments_match_scipy() -> None:
    for mu, sd in [(5.0, 5.0), (2.0, 3.0), (60.0, 10.0), (1.0, 20.0)]:
        theory = stats.truncnorm(-mu / sd, math.inf, loc=mu, scale=sd)
        dist = Normal(mean=mu, sd=sd)
        assert dist.mean == pytest.approx(theory.mean(), rel=1e-9)
        assert dist.variance == pytest.approx(theory.var(), rel=1e-9)


def test_lognormal_is_given_by_its_own_mean_and_sd() -> None:
    dist = Lognormal(mean=20, sd=10)
    m, s = dist.log_params()
    theory = stats.lognorm(s, scale=math.exp(m))
    assert theory.mean() == pytest.approx(20, rel=1e-12)
    assert theory.std() == pytest.approx(10, rel=1e-12)


def test_triangular_moments_match_scipy() -> None:
    dist = Triangular(min=5, mode=10, max=30)
    theory = stats.triang(c=(10 - 5) / 25, loc=5, scale=25)
    assert dist.mean == pytest.approx(theory.mean(), rel=1e-12)
    assert dist.variance == pytest.approx(theory.var(), rel=1e-12)


# --- sampling against theory -------------------------------------------------------------------------


def _draw(dist: object, rng: np.random.Generator, n: int = N) -> np.ndarray:
    return np.array([dist.sample(rng) for _ in range(n)], dtype=float)  # type: ignore[attr-defined]


def _assert_moments(x: np.ndarray, mean: float, variance: float) -> None:
    n = len(x)
    mean_se = math.sqrt(variance / n)
    m4 = float(np.mean((x - x.mean()) ** 4))
    var_se = math.sqrt(max(m4 - x.var() ** 2, 0.0) / n)
    assert Z * mean_se < 0.05 * mean, "interval too wide to test anything: draw more"
    assert Z * var_se < 0.25 * variance, "interval too wide to test anything: draw more"
    assert abs(x.mean() - mean) <= Z * mean_se, f"mean {x.mean():.4f} vs theory {mean:.4f} ± {Z * mean_se:.4f}"
    assert abs(x.var(ddof=1) - variance) <= Z * var_se, (
        f"variance {x.var(ddof=1):.4f} vs theory {variance:.4f} ± {Z * var_se:.4f}"
    )


@pytest.mark.parametrize(
    "dist",
    [
        Exponential(mean=10),
        Uniform(min=10, max=40),
        Triangular(min=5, mode=10, max=30),
        Triangular(min=0, mode=0, max=12),  # mode at an end
        Normal(mean=60, sd=10),  # truncation hardly matters
        Normal(mean=5, sd=5),  # truncation at 0 matters: mean 6.44, not 5
        Normal(mean=2, sd=3),
        Lognormal(mean=20, sd=10),
        Lognormal(mean=5, sd=1),
        Empirical(values=(2, 4, 9, 9, 30)),
    ],
    ids=repr,
)
def test_sampling_matches_mean_and_variance(dist: object, rng: np.random.Generator) -> None:
    x = _draw(dist, rng)
    assert x.min() >= 0, "durations are never negative"
    _assert_moments(x, dist.mean, dist.variance)  # type: ignore[attr-defined]


def test_the_sampling_check_can_tell_truncation_apart(rng: np.random.Generator) -> None:
    dist = Normal(mean=5, sd=5)
    x = _draw(dist, rng)
    se = math.sqrt(dist.variance / len(x))
    assert abs(x.mean() - 5.0) > Z * se  # the untruncated mean would fail the same test


def test_fixed_and_degenerate_draws_are_exact(rng: np.random.Generator) -> None:
    assert {Fixed(value=15).sample(rng) for _ in range(100)} == {15.0}
    assert {Normal(mean=30, sd=0).sample(rng) for _ in range(100)} == {30.0}
    assert {Triangular(min=7, mode=7, max=7).sample(rng) for _ in range(100)} == {7.0}
    assert {Uniform(min=3, max=3).sample(rng) for _ in range(100)} == {3.0}


def test_empirical_draws_each_value_equally_often(rng: np.random.Generator) -> None:
    values = (2.0, 4.0, 9.0)
    x = _draw(Empirical(values=values), rng)
    for value in values:
        share = float(np.mean(x == value))
        assert abs(share - 1 / 3) <= Z * math.sqrt((1 / 3) * (2 / 3) / len(x))


def test_choice_draws_keys_with_their_probabilities(rng: np.random.Generator) -> None:
    probabilities = {"new": 0.7, "change": 0.2, "cancel": 0.1}
    dist = Choice(values=probabilities)
    drawn = [dist.sample(rng) for _ in range(N)]
    assert set(drawn) == set(probabilities)
    for key, p in probabilities.items():
        share = drawn.count(key) / N
        assert abs(share - p) <= Z * math.sqrt(p * (1 - p) / N), f"{key}: {share:.4f} vs {p}"


def test_same_seed_same_draws() -> None:
    dist = Lognormal(mean=20, sd=10)
    first = _draw(dist, np.random.default_rng(7), 50)
    again = _draw(dist, np.random.default_rng(7), 50)
    assert first.tolist() == again.tolist()
