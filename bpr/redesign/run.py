"""``redesign(process)``: propose, simulate, rank and combine — the whole of ``bpr redesign``.

1. analyse the process and simulate it (the baseline every candidate is paired with);
2. run the heuristics (:mod:`bpr.redesign.heuristics`) on the process, its analysis and the baseline;
3. apply each candidate, refuse those that do not apply or weaken a control, simulate the others with the
   same seed and replications, and score impact, feasibility and quadrant;
4. rank by impact score, then feasibility (then proposing order);
5. combine greedily into the best plan (:mod:`bpr.redesign.plan`).

Nothing here reads files or prints; ``progress(done, total, stage)`` is called after every replication.
"""

from __future__ import annotations

from collections.abc import Iterable

from bpr.model.schema import Process
from bpr.redesign.candidate import HEURISTICS
from bpr.redesign.context import Context
from bpr.redesign.evaluate import Evaluation, Progress, Refusal, Simulator, evaluate
from bpr.redesign.heuristics import propose
from bpr.redesign.plan import combine
from bpr.redesign.result import RedesignResult
from bpr.redesign.window import config_for
from bpr.simulate import SimConfig

__all__ = ["DEFAULT_CONFIG", "rank", "redesign"]

DEFAULT_CONFIG = SimConfig(replications=10, horizon="4w", warm_up="4w")
"""Replications, seed and workers of ``bpr redesign`` by default: 10 replications, seed 0, one worker, for
every candidate and every step of the plan (a few dozen runs: seconds to a couple of minutes). Its window is
the shortest one: without a config, :func:`redesign` chooses warm-up, horizon and drain from the process
(:func:`bpr.redesign.window.config_for`: four weeks or five expected lead times, whichever is longer)."""


def rank(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    """Highest impact score first; ties by feasibility, then by heuristic order, then as proposed."""
    items = list(evaluations)
    order = {id(e): i for i, e in enumerate(items)}
    return sorted(
        items,
        key=lambda e: (-round(e.impact.score, 9), -round(e.feasibility.score, 9),
                       HEURISTICS.index(e.candidate.heuristic), order[id(e)]),
    )


def redesign(
    process: Process,
    config: SimConfig | None = None,
    progress: Progress | None = None,
    heuristics: Iterable[str] | None = None,
) -> RedesignResult:
    """Propose, simulate, rank and combine improvements of ``process`` (module docstring); without a
    ``config``, the window is chosen from the process (:func:`bpr.redesign.window.config_for`)."""
    config = config or config_for(process, DEFAULT_CONFIG.replications, DEFAULT_CONFIG.seed, DEFAULT_CONFIG.workers)
    simulator = Simulator(config, progress)
    baseline = simulator.run(process, "[]", "baseline")
    context = Context(process, baseline=baseline)
    proposals = propose(context, heuristics)
    simulator.plan(len(proposals.candidates))
    evaluations: list[Evaluation] = []
    refused: list[Refusal] = []
    for candidate in proposals.candidates:
        outcome = evaluate(process, baseline, candidate, simulator)
        if isinstance(outcome, Refusal):
            simulator.plan(-1)
            refused.append(outcome)
        else:
            evaluations.append(outcome)
    ranked = rank(evaluations)
    plan = combine(process, baseline, ranked, simulator)
    simulator.finish()
    return RedesignResult(
        process_id=process.id,
        process_name=process.name,
        file=process.source_file,
        baseline=baseline,
        ranked=tuple(ranked),
        refused=tuple(refused),
        blocked=proposals.blocked,
        plan=plan,
        simulations=simulator.runs,
    )
