"""Closed forms of queueing theory that the engine is checked against (and a quick sanity check for users).

Rates are per minute, times in minutes. All formulas are for stable systems (utilisation < 1); they raise
``ValueError`` naming the utilisation otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["erlang_c", "mmc_wait", "mmc_sojourn", "mm1_sojourn", "tandem_sojourn", "feedback_sojourn",
           "feedback_visits"]


def _check(lam: float, mu: float, c: int) -> float:
    if lam <= 0 or mu <= 0 or c < 1:
        raise ValueError(f"need lambda > 0, mu > 0 and c >= 1, got {lam}, {mu}, {c}")
    rho = lam / (c * mu)
    if rho >= 1:
        raise ValueError(f"unstable queue: utilisation {rho:.3f} >= 1")
    return rho


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue with offered load ``lambda/mu``."""
    if not 0 < offered < c:
        raise ValueError(f"unstable queue: offered load {offered} with {c} servers")
    term, total = 1.0, 1.0  # running a^k / k!, sum for k < c
    for k in range(1, c):
        term *= offered / k
        total += term
    last = term * offered / c * c / (c - offered)  # a^c / c! * c / (c - a)
    return last / (total + last)


def mmc_wait(lam: float, mu: float, c: int) -> float:
    """Mean time in queue (before service) of an M/M/c queue: ``C(c, a) / (c mu - lambda)``."""
    _check(lam, mu, c)
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean time in system of an M/M/c queue."""
    return mmc_wait(lam, mu, c) + 1.0 / mu


def mm1_sojourn(lam: float, mu: float) -> float:
    """Mean time in system of an M/M/1 queue: ``1 / (mu - lambda)``."""
    _check(lam, mu, 1)
    return 1.0 / (mu - lam)


def tandem_sojourn(lam: float, stations: Sequence[tuple[float, int]]) -> float:
    """Mean sojourn through M/M/c stations ``(mu, c)`` in series (Jackson: each is an M/M/c at rate lambda)."""
    return math.fsum(mmc_sojourn(lam, mu, c) for mu, c in stations)


def feedback_sojourn(lam: float, mu: float, p: float) -> float:
    """Mean total time in system of an M/M/1 queue whose cases return to its end with probability ``p``.

    The effective arrival rate is ``lambda / (1 - p)``; by Little's law ``W = 1 / ((1 - p) mu - lambda)``.
    """
    if not 0 <= p < 1:
        raise ValueError(f"feedback probability must be in [0, 1), got {p}")
    _check(lam / (1 - p), mu, 1)
    return 1.0 / ((1 - p) * mu - lam)


def feedback_visits(p: float) -> float:
    """Mean number of services per case with Bernoulli feedback ``p`` (geometric)."""
    return 1.0 / (1.0 - p)
