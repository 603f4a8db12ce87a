"""The simulations behind the proposal report: the before/after comparison and the impact of each change.

:func:`simulate_report` runs the comparison (common random numbers, the same function as
``bpr simulate BEFORE AFTER``) and, when the after file is a change list, the impact of each change
(:mod:`bpr.study.impact`); :func:`plan_report` says beforehand how many replications that is (for a
progress bar). The page is drawn from the :class:`ReportRun` by :func:`bpr.render.report.build_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bpr.errors import BprError
from bpr.changes import Change
from bpr.model.schema import Process
from bpr.simulate import Comparison, SimConfig, compare
from bpr.study.impact import (
    MAX_IMPACT_STEPS,
    Impact,
    ImpactPlan,
    impact_workers,
    pending_versions,
    plan_impact,
    same_options,
    same_simulation,
    simulate_impact,
)

__all__ = ["ReportPlan", "ReportRun", "plan_report", "simulate_report"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReportRun:
    """The simulations behind a report."""

    before: Process
    after: Process
    comparison: Comparison
    impact: Impact | None = None
    impact_note: str | None = None  # why there is no impact section although the after file has changes


@dataclass(frozen=True)
class ReportPlan:
    """What :func:`simulate_report` will simulate, known before it starts (for a progress bar)."""

    config: SimConfig
    impact: ImpactPlan | None
    impact_note: str | None
    replications: int  # in all: the comparison and the impact steps


def plan_report(before: Process, after: Process, config: SimConfig, changes: Sequence[Change] | None = None,
                *, impact_steps: int = MAX_IMPACT_STEPS) -> ReportPlan:
    """Check the change list against ``before`` and count the replications to run.

    The impact of each change is shown when the changes, added to ``before``, give a process that
    simulates like ``after`` (a change list whose ``base:`` is the BEFORE file); otherwise the note says why.
    """
    plan: ImpactPlan | None = None
    note: str | None = None
    if changes and impact_steps > 0:
        try:
            plan = plan_impact(before, changes, config, impact_steps)
        except BprError as error:
            note = str(error)
        else:
            if not same_simulation(plan.steps[-1].process if plan.steps else before, after):
                plan, note = None, "the changes added to BEFORE do not give AFTER (its base: is another file)"
    replications = 2 * config.replications
    if plan is not None:
        known = [before, after] if same_options(plan.config, config) else []
        replications += len(pending_versions(plan, known)) * plan.config.replications
    return ReportPlan(config, plan, note, replications)


def simulate_report(before: Process, after: Process, config: SimConfig, changes: Sequence[Change] | None = None,
                    *, impact_steps: int = MAX_IMPACT_STEPS, progress: Progress | None = None) -> ReportRun:
    """Compare ``before`` with ``after`` and, for a change list, simulate the impact of each change.

    ``progress(done, total)`` counts replications over both parts.
    """
    plan = plan_report(before, after, config, changes, impact_steps=impact_steps)
    total = plan.replications
    compared = 2 * config.replications

    def first(done: int, _: int) -> None:
        if progress is not None:
            progress(done, total)

    def second(done: int, _: int) -> None:
        if progress is not None:
            progress(compared + done, total)

    # The event log of replication 0 gives the distribution of lead times case by case.
    comparison = compare(before, after, config.model_copy(update={"events": True}), first)
    impact = None
    if plan.impact is not None:
        impact = simulate_impact(plan.impact, progress=second,
                                 reuse=[(before, comparison.before), (after, comparison.after)],
                                 workers=impact_workers(plan.impact, comparison.before.yearly["cases_per_year"].mean))
    return ReportRun(before, after, comparison, impact, plan.impact_note)
