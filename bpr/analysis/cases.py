"""Sampled cases: which steps a case can reach, and how often each branch of a condition is taken.

Conditions (``amount > 1000000``) route cases by their attributes, so "how many cases reach this approval"
and "which branch is most likely" depend on the attribute distributions. They are estimated by drawing
:data:`SAMPLES` cases with a numpy Generator seeded from :data:`SEED` (fixed, so the analysis of a file is
the same on every run). A case's channel is drawn in proportion to the yearly volumes of the arrival
streams (:func:`bpr.model.volume.annual_cases`, the meaning of rates all of bpr shares), then its
attributes from the process ``attributes`` with the channel's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from bpr.analysis.memo import memo
from bpr.model.conditions import ConditionError, compiled
from bpr.model.distributions import Choice
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


def choose_branch(decision: Decision, attributes: dict[str, Any]) -> str | None:
    """The branch a case takes at a condition decision: the first whose condition holds (None: stuck)."""
    for branch in decision.next:
        if branch.otherwise:
            return branch.to
        if branch.when is not None:
            try:
                if compiled(branch.when).evaluate(attributes):
                    return branch.to
            except ConditionError:
                continue
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
        deciders = [s for s in process.steps if isinstance(s, Decision) and is_conditional(s)]
        reach: list[frozenset[str]] = []
        choices: list[dict[str, str | None]] = []
        routes: dict[tuple[Any, ...], frozenset[str]] = {}
        for channel, attrs in zip(channels, attributes):
            arrival = process.arrivals[int(channel)]
            chosen = {d.id: choose_branch(d, attrs) for d in deciders}
            start = arrival.start or process.start_step
            key = (start, tuple(chosen.values()))
            if key not in routes:
                routes[key] = _reachable(G, start, chosen)
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


def _reachable(G: nx.DiGraph, start: str, chosen: dict[str, str | None]) -> frozenset[str]:
    if start not in G:
        return frozenset()
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        if node in chosen:
            targets = [chosen[node]] if chosen[node] is not None else []
        else:  # every way out that can happen (a reject with probability 0 never does)
            targets = [v for v, data in G[node].items() if data.get("probability") != 0]
        for target in targets:
            if target is not None and target in G and target not in seen:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


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
