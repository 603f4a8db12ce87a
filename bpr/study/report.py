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
from bpr.simulate import Comparison, SimConfig, SimulationResult, compare, simulate
from bpr.simulate.results import compare_results
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

__all__ = ["OPTION_LABELS", "OptionsRun", "ReportPlan", "ReportRun", "option_labels", "plan_report", "simulate_options",
           "simulate_report"]

OPTION_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Options compared in one report are called A, B, C … in the order given."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReportRun:
    """The simulations behind a report."""

    before: Process
    after: Process
    comparison: Comparison
    impact: Impact | None = None
    impact_note: str | None = None  # why there is no impact section although the after file has changes
    impact_skip: str | None = None  # the same as a key: ``other_base`` or ``not_applicable``


@dataclass(frozen=True)
class OptionsRun:
    """The simulations behind a report on several options (A, B, C …) or on the process as it is (none).

    Every option is simulated with the same seed as the process before, so each comparison pairs its
    replications with the one baseline run (common random numbers).
    """

    before: Process
    baseline: SimulationResult
    options: tuple[ReportRun, ...] = ()
    labels: tuple[str, ...] = ()


def option_labels(count: int) -> tuple[str, ...]:
    """``A``, ``B``, ``C`` … for ``count`` options."""
    if count > len(OPTION_LABELS):
        raise BprError(f"at most {len(OPTION_LABELS)} options fit in one report; got {count}")
    return tuple(OPTION_LABELS[:count])


@dataclass(frozen=True)
class ReportPlan:
    """What :func:`simulate_report` will simulate, known before it starts (for a progress bar)."""

    config: SimConfig
    impact: ImpactPlan | None
    impact_note: str | None
    replications: int  # in all: the comparison and the impact steps
    impact_skip: str | None = None  # why, as a key: ``other_base`` or ``not_applicable``


def plan_report(before: Process, after: Process, config: SimConfig, changes: Sequence[Change] | None = None,
                *, impact_steps: int = MAX_IMPACT_STEPS) -> ReportPlan:
    """Check the change list against ``before`` and count the replications to run.

    The impact of each change is shown when the changes, added to ``before``, give a process that
    simulates like ``after`` (a change list whose ``base:`` is the BEFORE file); otherwise the note says why.
    """
    plan: ImpactPlan | None = None
    note: str | None = None
    skip: str | None = None
    if changes and impact_steps > 0:
        try:
            plan = plan_impact(before, changes, config, impact_steps)
        except BprError as error:
            note, skip = str(error), "not_applicable"
        else:
            if not same_simulation(plan.steps[-1].process if plan.steps else before, after):
                plan, note = None, "the changes added to BEFORE do not give AFTER (its base: is another file)"
                skip = "other_base"
    replications = 2 * config.replications
    if plan is not None:
        known = [before, after] if same_options(plan.config, config) else []
        replications += len(pending_versions(plan, known)) * plan.config.replications
    return ReportPlan(config, plan, note, replications, skip)


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
    return ReportRun(before, after, comparison, impact, plan.impact_note, plan.impact_skip)


def simulate_options(before: Process, options: Sequence[tuple[Process, Sequence[Change] | None]], config: SimConfig,
                     *, impact_steps: int = MAX_IMPACT_STEPS, progress: Progress | None = None) -> OptionsRun:
    """Simulate ``before`` once and every option against it; no option gives the as-is report.

    One option is exactly :func:`simulate_report`. With several, each option that is a change list on
    ``before`` gets its impact of each change too. ``progress(done, total)`` counts every replication.
    """
    labels = option_labels(len(options))
    if len(options) == 1:
        (after, changes), = options
        run = simulate_report(before, after, config, changes, impact_steps=impact_steps, progress=progress)
        return OptionsRun(before, run.comparison.before, (run,), labels)
    plans = [plan_report(before, after, config, changes, impact_steps=impact_steps) for after, changes in options]
    total = config.replications * (1 + len(options)) + sum(
        plan.replications - 2 * config.replications for plan in plans)
    done = 0

    def counted(offset: int) -> Progress:
        def report(finished: int, _: int) -> None:
            if progress is not None:
                progress(offset + finished, total)
        return report

    with_events = config.model_copy(update={"events": True})
    baseline = simulate(before, with_events, counted(done))
    done += config.replications
    runs = []
    for (after, _changes), plan in zip(options, plans):
        result = simulate(after, with_events, counted(done))
        done += config.replications
        comparison = compare_results(baseline, result)
        impact = None
        if plan.impact is not None:
            impact = simulate_impact(plan.impact, progress=counted(done),
                                     reuse=[(before, baseline), (after, result)],
                                     workers=impact_workers(plan.impact, baseline.yearly["cases_per_year"].mean))
            done += plan.replications - 2 * config.replications
        runs.append(ReportRun(before, after, comparison, impact, plan.impact_note, plan.impact_skip))
    return OptionsRun(before, baseline, tuple(runs), labels)
