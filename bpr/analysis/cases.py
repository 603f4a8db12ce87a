"""Sampled cases: which steps a case can reach, and how often each branch of a condition is taken.

Conditions (``amount > 1000000``) route cases by their attributes, so "how many cases reach this approval"
and "which branch is most likely" depend on the attribute distributions. They are estimated by drawing
:data:`SAMPLES` cases with a numpy Generator seeded from :data:`SEED` (fixed, so the analysis of a file is
the same on every run). A case's channel is drawn in proportion to the yearly volumes of the arrival
streams (:func:`bpr.model.volume.annual_cases`, the meaning of rates all of bpr shares), then its
attributes from the process ``attributes`` with the channel's overrides. Each case then follows the routing
core (:mod:`bpr.model.routing`), the same rules the simulation follows: a case for which a condition cannot be
evaluated, or no branch holds, cannot go on past that decision (the simulation stops with the same error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from bpr.analysis.memo import memo
from bpr.model.distributions import Choice
from bpr.model.routing import DECIDE_C, Routing, RoutingError, choose, compile_routing, reachable
from bpr.model.schema import Decision, Process
from bpr.model.volume import annual_cases

SEED = 20240401
"""Seed of the case sample (documented in docs/rules.md; changing it changes estimated shares slightly)."""
SAMPLES = 2000
"""Number of sampled cases: a share is then known to within about ±2.2 percentage points (95%)."""


def arrival_shares(process: Process) -> dict[str, float]:
    """Share of arriving cases by the step they start at (streams with the same start added up)."""
    weights = [annual_cases(process, a) for a in process.arrivals]
    total = sum(weights) or 1.0
    shares: dict[str, float] = {}
    for arrival, weight in zip(process.arrivals, weights):
        start = arrival.start or process.start_step
        shares[start] = shares.get(start, 0.0) + weight / total
    return shares


def routing_of(G: nx.DiGraph, process: Process) -> Routing:
    """The process compiled by the routing core, once per graph."""
    return memo(G, "routing", lambda: compile_routing(process))


def choose_branch(routing: Routing, decision_id: str, attributes: dict[str, Any]) -> str | None:
    """The branch a case takes at a condition decision (the routing core's choice); None: it cannot go on."""
    try:
        return routing.steps[choose(routing.route(decision_id), attributes)].id
    except RoutingError:
        return None


def is_conditional(step: object) -> bool:
    return isinstance(step, Decision) and step.next[0].probability is None


@dataclass(frozen=True)
class CaseSample:
    """Sampled cases with the steps each can reach (following its own condition outcomes)."""

    attributes: tuple[dict[str, Any], ...]
    reach: tuple[frozenset[str], ...]
    choices: tuple[dict[str, str | None], ...]

    @classmethod
    def draw(cls, G: nx.DiGraph, process: Process, n: int = SAMPLES, seed: int = SEED) -> CaseSample:
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        weights = np.array([annual_cases(process, a) for a in process.arrivals], dtype=float)
        channels = rng.choice(len(process.arrivals), size=n, p=weights / weights.sum())
        attributes: list[dict[str, Any]] = [{} for _ in range(n)]
        for c, arrival in enumerate(process.arrivals):  # channel by channel, attribute by attribute
            members = np.flatnonzero(channels == c)
            for name, dist in {**process.attributes, **arrival.attributes}.items():
                for i, value in zip(members, _draw_many(dist, rng, len(members))):
                    attributes[i][name] = value
        routing = routing_of(G, process)
        deciders = [route.id for route in routing.steps if route.kind == DECIDE_C]
        reach: list[frozenset[str]] = []
        choices: list[dict[str, str | None]] = []
        routes: dict[tuple[Any, ...], frozenset[str]] = {}
        for channel, attrs in zip(channels, attributes):
            arrival = process.arrivals[int(channel)]
            chosen = {d: choose_branch(routing, d, attrs) for d in deciders}
            start = arrival.start or process.start_step
            key = (start, tuple(chosen.values()))  # the route depends on the attributes only through these
            if key not in routes:
                routes[key] = frozenset(routing.steps[i].id for i in reachable(routing, routing.index[start], attrs))
            reach.append(routes[key])
            choices.append(chosen)
        return cls(tuple(attributes), tuple(reach), tuple(choices))

    @classmethod
    def of(cls, G: nx.DiGraph, process: Process) -> CaseSample:
        """The sample of this graph's analysis (drawn once, with :data:`SEED`)."""
        return memo(G, "cases", lambda: cls.draw(G, process))

    def reaching(self, step_id: str) -> list[int]:
        """Indexes of the sampled cases that can reach ``step_id``."""
        return [i for i, steps in enumerate(self.reach) if step_id in steps]

    def shares(self, decision: Decision) -> dict[str, float]:
        """Share of each branch target among the sampled cases that reach the decision (all cases if none)."""
        cases = self.reaching(decision.id) or list(range(len(self.choices)))
        counts: dict[str, float] = {branch.to: 0.0 for branch in decision.next}
        for i in cases:
            target = self.choices[i].get(decision.id)
            if target is not None:
                counts[target] += 1
        total = len(cases) or 1
        return {target: count / total for target, count in counts.items()}


def _draw_many(dist: Any, rng: np.random.Generator, n: int) -> list[Any]:
    """``n`` draws of an attribute; a categorical one in a single call (it is the slow one one by one)."""
    if isinstance(dist, Choice):
        keys = list(dist.values)
        return [keys[int(k)] for k in rng.choice(len(keys), size=n, p=list(dist.values.values()))]
    return [dist.sample(rng) for _ in range(n)]


def branch_probabilities(process: Process, sample: CaseSample | None) -> dict[tuple[str, str], float]:
    """Probability of every decision edge: given for probability branches, estimated for conditions."""
    out: dict[tuple[str, str], float] = {}
    for step in process.steps:
        if not isinstance(step, Decision):
            continue
        if is_conditional(step):
            shares = sample.shares(step) if sample is not None else {}
            for target, share in shares.items():
                out[(step.id, target)] = share
        else:
            for branch in step.next:
                key = (step.id, branch.to)
                out[key] = out.get(key, 0.0) + float(branch.probability or 0.0)
    return out
