"""Fast draws for the engine: distributions sampled in blocks, handed out one value at a time.

A numpy scalar draw costs about a microsecond of Python overhead; the engine draws several per case. So
each stream is read in blocks of :data:`BLOCK` values and ``next()`` on the returned iterator hands them
out. The values follow the same laws as :meth:`bpr.model.distributions._Dist.sample` (``normal`` is
truncated at 0 by redrawing the negative values), from the stream the caller names; whether a stream is
read in blocks or one by one is invisible to common random numbers, because every stream belongs to one
source of randomness only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bpr.model.distributions import (
    Choice,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)

__all__ = ["BLOCK", "block_sampler", "blocks", "uniforms", "exponentials"]

BLOCK = 512
"""Values drawn at a time from a stream."""


def blocks(draw: Callable[[int], np.ndarray], size: int = BLOCK) -> Iterator[Any]:
    """An endless iterator over ``draw(size)``, ``draw(size)``, ... as Python scalars.

    Built from itertools so that ``next()`` runs in C (a list iterator) until a block is used up; a
    generator resumed for every value cost the engine a few percent."""
    return itertools.chain.from_iterable(map(lambda n: draw(n).tolist(), itertools.repeat(size)))


def uniforms(rng: np.random.Generator) -> Iterator[float]:
    """U(0, 1) values, for branch choices, rejections and thinning."""
    return blocks(rng.random)


def exponentials(rng: np.random.Generator, mean: float) -> Iterator[float]:
    return blocks(lambda n: rng.exponential(mean, n))


def _truncated_normal(rng: np.random.Generator, mu: float, sd: float, n: int) -> np.ndarray:
    out = rng.normal(mu, sd, n)
    negative = out < 0
    while negative.any():
        out[negative] = rng.normal(mu, sd, int(negative.sum()))
        negative = out < 0
    return out


def block_sampler(dist: Any, rng: np.random.Generator) -> Iterator[Any]:
    """An endless iterator of draws from ``dist`` (a duration or attribute distribution of the model)."""
    if isinstance(dist, Fixed):
        return itertools.repeat(float(dist.value))
    if isinstance(dist, Exponential):
        return exponentials(rng, dist.mean)
    if isinstance(dist, Uniform):
        low, high = dist.min, dist.max
        return blocks(lambda n: rng.uniform(low, high, n))
    if isinstance(dist, Triangular):
        if dist.min == dist.max:
            return itertools.repeat(float(dist.min))
        low, mode, high = dist.min, dist.mode, dist.max
        return blocks(lambda n: rng.triangular(low, mode, high, n))
    if isinstance(dist, Normal):
        if dist.sd == 0:
            return itertools.repeat(float(dist.mu))
        mu, sd = dist.mu, dist.sd
        return blocks(lambda n: _truncated_normal(rng, mu, sd, n))
    if isinstance(dist, Lognormal):
        m, s = dist.log_params()
        return blocks(lambda n: rng.lognormal(m, s, n))
    if isinstance(dist, Empirical):
        values = np.asarray(dist.values, dtype=float)
        if len(values) == 1:
            return itertools.repeat(float(values[0]))
        return blocks(lambda n: values[rng.integers(len(values), size=n)])
    if isinstance(dist, Choice):
        keys = list(dist.values)
        probabilities = np.asarray(list(dist.values.values()), dtype=float)
        probabilities = probabilities / probabilities.sum()
        return blocks(lambda n: np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=probabilities)])
    raise TypeError(f"no sampler for distribution {type(dist).__name__}")
