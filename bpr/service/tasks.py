"""What the simulation worker processes run: one replication of one compiled plan per task, or a whole
redesign.

Kept apart from the server modules so a worker imports only the engine. Splitting a run into
replications lets one request use every core, lets requests from several clients share the cores fairly
(tasks are served in arrival order), gives progress as replications finish, and lets a cancel stop just
the work of one job. Replication ``r`` depends only on (plan, seed, r), so the split changes no number. A
run to a precision is rounds of such tasks: the server decides each round's count from the last
(:mod:`bpr.service.runs`), so a worker never needs the rule.

A redesign is one task: the library decides what to simulate next from what it has measured so far
(candidates from the baseline, the plan step by step), so it runs as ``bpr redesign`` does, in one
process, reporting its progress as it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bpr.model.schema import Process
from bpr.simulate import engine
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput
from bpr.simulate.plan import Plan

__all__ = ["RedesignProgress", "redesign_job", "replicate"]

_PROGRESS_STEP = 0.01
"""A redesign reports after every replication; the server hears of it in steps of at least 1 percent."""


def replicate(plan: Plan, config: SimConfig, replication: int,
              progress: Callable[[float], None] | None = None) -> ReplicationOutput:
    """Replication ``replication`` of ``plan``: :func:`bpr.simulate.engine.replicate` with the ``progress``
    argument every pool task gets (a replication reports none)."""
    return engine.replicate(plan, config, replication)


class RedesignProgress:
    """A redesign's progress as one fraction that does not go back: replications done over replications
    planned plus those still to plan.

    The library's ``progress(done, total, stage)`` counts replications, but its total grows twice: after the
    baseline (one run per candidate) and after the candidates (one per plan step, at most one per
    candidate). Until each growth is seen, the runs still to plan are taken at their most: two per expected
    candidate before the first, one per planned candidate before the second. The fraction can then only
    jump forward when fewer runs are needed than allowed for.
    """

    def __init__(self, replications: int, expected_candidates: int, report: Callable[[float], None]) -> None:
        self.replications = replications
        self.expected_candidates = expected_candidates
        self.report = report
        self.growths = 0
        self.total: int | None = None
        self.sent = 0.0

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.total is not None and total > self.total:
            self.growths += 1
        self.total = total
        if self.growths == 0:
            pending = 2 * self.expected_candidates * self.replications
        elif self.growths == 1:
            pending = max(0, total - self.replications)
        else:
            pending = 0
        fraction = min(1.0, done / (total + pending)) if total + pending > 0 else 0.0
        if fraction - self.sent >= _PROGRESS_STEP:
            self.sent = fraction
            self.report(fraction)


def redesign_job(process: Process, config: SimConfig, heuristics: Sequence[str] | None, top: int | None,
                 base: str, expected_candidates: int,
                 progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """``bpr redesign`` on ``process``: the JSON of ``--format json`` (the ``top`` best candidates when
    given) and ``plan_yaml``, the text ``-o plan.yaml`` writes, with ``base: <base>``.
    ``expected_candidates`` (counted by the server) makes the progress reports steady (RedesignProgress)."""
    from bpr.redesign import plan_yaml, redesign

    report = RedesignProgress(config.replications, expected_candidates, progress) if progress is not None else None
    result = redesign(process, config, report, list(heuristics) if heuristics is not None else None)
    data = result.to_dict()
    if top is not None:
        data["candidates"] = data["candidates"][:top]
    data["plan_yaml"] = plan_yaml(result, base)
    return data


def warm() -> Any:
    """Nothing: importing this module (done when a worker starts) loads the engine."""
    return None
