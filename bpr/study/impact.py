"""The impact of each change of a change list: before, +change 1, +change 2, … simulated with common random numbers.

Every version is simulated with the same seed and replications, so the difference between two neighbours
is paired (its interval is narrow) and is the gain of the change that separates them — in that order:
the gain of a change depends on what was changed before it. The cost is bounded: changes that only rename
steps are not simulated (they cannot change a figure), the versions are simulated with at most
:data:`IMPACT_REPLICATIONS` replications of at most :data:`IMPACT_HORIZON`, and with more than
:data:`MAX_IMPACT_STEPS` changes, neighbouring changes are simulated together (same kind first).

The report draws the result (:func:`bpr.render.report_sections.impact_section`); it runs nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bpr.changes import Change, apply_changes
from bpr.model.load import process_to_data
from bpr.model.schema import Process
from bpr.simulate import Comparison, SimConfig, SimulationResult, simulate
from bpr.simulate.config import parse_span
from bpr.simulate.results import compare_results

__all__ = [
    "IMPACT_HORIZON",
    "IMPACT_REPLICATIONS",
    "MAX_IMPACT_STEPS",
    "POOL_MIN_CASES",
    "Impact",
    "ImpactPlan",
    "ImpactStep",
    "impact_config",
    "impact_workers",
    "is_display_only",
    "pending_versions",
    "plan_impact",
    "reusable",
    "same_options",
    "same_simulation",
    "simulate_impact",
]

IMPACT_REPLICATIONS = 10
"""At most this many replications per version (the report's own comparison may use more)."""

IMPACT_HORIZON = "13w"
"""At most this long a measurement window per version (a quarter of a year)."""

MAX_IMPACT_STEPS = 10
"""At most this many simulated steps after the baseline; beyond, neighbouring changes are grouped."""

POOL_MIN_CASES = 20_000
"""Below this many simulated cases per version, the versions run in this process: a worker pool costs more
than it saves (purchase ringi, 10 replications of 13 weeks: 0.4 s in process, 0.7-1.5 s with two workers)."""

Progress = Callable[[int, int], None]


def is_display_only(change: Change) -> bool:
    """True for a ``set`` that changes only names or descriptions: it cannot change any simulated figure."""
    return change.display_only()


def impact_config(config: SimConfig) -> SimConfig:
    """The report's run options, capped to :data:`IMPACT_REPLICATIONS` and :data:`IMPACT_HORIZON`."""
    horizon = config.horizon if parse_span(config.horizon) <= parse_span(IMPACT_HORIZON) else IMPACT_HORIZON
    return config.model_copy(update={"replications": min(config.replications, IMPACT_REPLICATIONS),
                                     "horizon": horizon, "events": False})


def _simulated_data(process: Process) -> Any:
    """The process as data without what only shows (names, descriptions): equal data, equal simulation."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("name", "description", "version")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(process_to_data(process))


def same_simulation(a: Process, b: Process) -> bool:
    """True when ``a`` and ``b`` differ at most in names and descriptions (they simulate identically)."""
    return _simulated_data(a) == _simulated_data(b)


@dataclass(frozen=True)
class _Group:
    positions: tuple[int, ...]  # 1-based places in the change list
    changes: tuple[Change, ...]

    @property
    def simulated(self) -> bool:
        return not all(is_display_only(c) for c in self.changes)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(c.kind for c in self.changes if not is_display_only(c))

    def __add__(self, other: _Group) -> _Group:
        return _Group(self.positions + other.positions, self.changes + other.changes)


def _grouped(changes: Sequence[Change], max_steps: int) -> tuple[list[_Group], bool]:
    """One group per change; while more than ``max_steps`` groups need simulating, merge neighbours."""
    groups = [_Group((i,), (c,)) for i, c in enumerate(changes, start=1)]
    grouped = False
    while sum(g.simulated for g in groups) > max_steps:
        grouped = True
        simulated = [i for i, g in enumerate(groups) if g.simulated]
        best: tuple[int, int, int] | None = None  # (different kinds, size, index into simulated)
        for k in range(len(simulated) - 1):
            a, b = groups[simulated[k]], groups[simulated[k + 1]]
            size = sum(len(groups[i].changes) for i in range(simulated[k], simulated[k + 1] + 1))
            key = (0 if a.kinds == b.kinds else 1, size, k)
            if best is None or key < best:
                best = key
        assert best is not None
        first, last = simulated[best[2]], simulated[best[2] + 1]
        merged = groups[first]
        for i in range(first + 1, last + 1):
            merged = merged + groups[i]
        groups[first:last + 1] = [merged]
    return groups, grouped


@dataclass(frozen=True)
class ImpactStep:
    """One row: changes added together, the version they make, and (when simulated) its gains."""

    positions: tuple[int, ...]
    changes: tuple[Change, ...]
    applied_to: Process  # the version the changes were added to (names of the steps they name)
    process: Process
    simulated: bool
    result: SimulationResult | None = None
    marginal: Comparison | None = None  # against the previous simulated version
    cumulative: Comparison | None = None  # against the baseline


@dataclass(frozen=True)
class ImpactPlan:
    """What :func:`simulate_impact` will run: the steps and the options, known before any simulation."""

    before: Process
    steps: tuple[ImpactStep, ...]
    config: SimConfig
    grouped: bool
    max_steps: int

    @property
    def simulations(self) -> int:
        """Versions to simulate: the baseline and every simulated step."""
        return 1 + sum(step.simulated for step in self.steps)

    @property
    def replications(self) -> int:
        return self.simulations * self.config.replications


@dataclass(frozen=True)
class Impact:
    plan: ImpactPlan
    baseline: SimulationResult
    steps: tuple[ImpactStep, ...]
    simulations: int  # simulations actually run (results of the report's own comparison are reused)


def plan_impact(before: Process, changes: Sequence[Change], config: SimConfig,
                max_steps: int = MAX_IMPACT_STEPS) -> ImpactPlan:
    """Apply the changes cumulatively (raises :class:`~bpr.errors.ChangeError` if one does not apply)."""
    groups, grouped = _grouped(list(changes), max_steps)
    steps: list[ImpactStep] = []
    process = before
    for group in groups:
        changed = apply_changes(process, group.changes)
        steps.append(ImpactStep(group.positions, group.changes, process, changed, group.simulated))
        process = changed
    return ImpactPlan(before, tuple(steps), impact_config(config), grouped, max_steps)


def pending_versions(plan: ImpactPlan, known: Sequence[Process] = ()) -> list[Process]:
    """The versions :func:`simulate_impact` will simulate when results for ``known`` versions are offered."""
    versions = [plan.before, *[step.process for step in plan.steps if step.simulated]]
    return [p for p in versions if not any(same_simulation(p, k) for k in known)]


def same_options(a: SimConfig, b: SimConfig) -> bool:
    """Runs with these options give the same numbers (the event log and the number of workers aside)."""
    return a.model_copy(update={"events": False, "workers": 1}) == b.model_copy(update={"events": False, "workers": 1})


def reusable(plan: ImpactPlan, result: SimulationResult) -> bool:
    """A result run with the plan's options can stand in for a version."""
    return same_options(result.config, plan.config)


def impact_workers(plan: ImpactPlan, cases_per_year: float) -> int:
    """Workers for the versions: one (this process) when each version simulates few cases, else the plan's."""
    years = (parse_span(plan.config.horizon) + parse_span(plan.config.warm_up)) / parse_span("1y")
    cases = cases_per_year * years * plan.config.replications
    return 1 if cases < POOL_MIN_CASES else plan.config.workers


def simulate_impact(
    plan: ImpactPlan,
    *,
    progress: Progress | None = None,
    reuse: Sequence[tuple[Process, SimulationResult]] = (),
    workers: int | None = None,
) -> Impact:
    """Simulate the baseline and every simulated step with the plan's options; pair neighbours.

    ``reuse`` offers results already computed with exactly the plan's options (apart from the event log),
    e.g. the report's own before and after: a version that simulates the same as one of them is not run
    again. ``workers`` overrides the plan's number of workers (the numbers do not depend on it).
    """
    config = plan.config if workers is None else plan.config.model_copy(update={"workers": workers})
    usable = [(process, result) for process, result in reuse if reusable(plan, result)]
    total = len(pending_versions(plan, [process for process, _ in usable])) * plan.config.replications
    done = 0
    runs = 0

    def run(process: Process) -> SimulationResult:
        nonlocal done, runs
        for known, result in usable:
            if same_simulation(process, known):
                return result
        offset = done

        def report(count: int, _: int) -> None:
            if progress is not None:
                progress(offset + count, total)

        result = simulate(process, config, report)
        done += plan.config.replications
        runs += 1
        return result

    baseline = run(plan.before)
    previous = baseline
    steps: list[ImpactStep] = []
    for step in plan.steps:
        if not step.simulated:
            steps.append(step)
            continue
        result = run(step.process)
        steps.append(ImpactStep(step.positions, step.changes, step.applied_to, step.process, True, result,
                                compare_results(previous, result), compare_results(baseline, result)))
        previous = result
    return Impact(plan, baseline, tuple(steps), runs)
