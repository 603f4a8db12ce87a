"""As many replications as the question needs: run until the answer is as precise as asked.

A fixed count of replications is either wasted (common random numbers often make the before/after difference
precise after a handful) or too few (a rare, slow case type). Here the caller states the precision: the 95%
interval of the lead time and of the staff-hours per year — of their difference, for a comparison — within
±``target`` of the before value (0.02: ±2%). A first round of :data:`FIRST` replications is the answer only
when it is far more precise than asked (:data:`FIRST_FINAL`: common random numbers often make a what-if's
difference so); otherwise :data:`LEAST` replications estimate the spread, the count the spread asks for is
then run (and again, if the estimate was short), at most twice the count before and never more than
``max_replications``. Replication ``r`` is the same whichever round ran it, so the answer is exactly the one
a fixed run of that count gives (:mod:`bpr.simulate.streams`). A run that names no fixed count asks for
:data:`DEFAULT_TARGET` (:func:`chosen_precision`: the CLI's and the service's rule).

The rule apart from the running: :meth:`Precision.of` measures an answer of ``n`` replications, and
:attr:`Precision.next_count` says what the next round brings the count to, or that the answer is final. The
functions here run the rounds in this process (``--workers``); the service runs each round's replications
as tasks of its worker pool (:mod:`bpr.service.runs`) and asks the same two questions after each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bpr.model.schema import Process
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput
from bpr.simulate.estimate import Estimate, half_width
from bpr.simulate.results import Comparison, SimulationResult, compare_results, summarize
from bpr.simulate.runner import Progress, plan_for, run_jobs

__all__ = ["DEFAULT_MOST", "DEFAULT_TARGET", "FIRST", "FIRST_FINAL", "LEAST", "MEASURES", "Precision",
           "check_precision", "chosen_precision", "compare_to_precision", "run_to_precision",
           "simulate_to_precision"]

FIRST = 3
"""Replications of the first round: the answer when it is far more precise than asked
(:data:`FIRST_FINAL`)."""

FIRST_FINAL = 0.1
"""The first round is the answer only when its intervals are within this share of the target (±0.2% for
±2%). A spread from 3 replications is rough (t with 2 degrees of freedom): stopping on it where it only
just meets the target would favour the rounds whose spread came out low far more than stopping at
:data:`LEAST` does; a tenth of the target stops only where the answer is many times as precise as asked.
Near that spread the interval's coverage dips (about 92.6%) where the rule without this first look kept
about 95%, but no lower than that rule's worst (about 92%, at 1.5–2 times the target):
tests/simulate/test_precision.py."""

LEAST = 5
"""Replications of a run whose first round was not the answer, before the spread decides the count: enough for
a first estimate of the spread (t with 4 degrees of freedom)."""

MEASURES = ("lead_time", "staff_hours_per_year")
"""The figures whose interval must reach the target: the headline's lead time and staff-hours."""

DEFAULT_TARGET = 0.02
"""The precision of a run that names neither a count nor a precision: ±2% of the before value."""

DEFAULT_MOST = 200
"""The most replications a run to a precision runs unless told otherwise."""

_MARGIN = 1.15
"""The count the first spread asks for, a little over: that spread is itself an estimate."""


@dataclass(frozen=True)
class Precision:
    """What was asked and what was reached: ``reached[m]`` is the half-width of measure ``m``'s 95% interval
    over its before value (0.013: ±1.3%)."""

    target: float
    reached: dict[str, float]
    replications: int
    max_replications: int

    @classmethod
    def of(cls, answer: SimulationResult | Comparison, target: float, max_replications: int) -> Precision:
        """The precision ``answer`` reached: a simulation's intervals of :data:`MEASURES` over their means,
        or a comparison's intervals of their differences over the before values."""
        if isinstance(answer, Comparison):
            differences = answer.differences
            reached = {name: _relative(differences[name].difference, differences[name].before)
                       for name in MEASURES}
            replications = answer.before.config.replications
        else:
            figures = {"lead_time": answer.kpis["lead_time"].mean,
                       "staff_hours_per_year": answer.yearly["staff_hours_per_year"]}
            reached = {name: _relative(est, est.mean) for name, est in figures.items()}
            replications = answer.config.replications
        return cls(target, reached, replications, max_replications)

    @property
    def met(self) -> bool:
        return all(value <= self.target for value in self.reached.values())

    @property
    def next_count(self) -> int | None:
        """The count of replications the next round brings the run to, or None when this answer is the final
        one: ``max_replications`` are done, the first round is within :data:`FIRST_FINAL` of the target, or a
        later answer meets the target. A first round that is not final is followed by :data:`LEAST`."""
        if self.replications >= self.max_replications:
            return None
        if self.replications < LEAST:
            final = all(value <= self.target * FIRST_FINAL for value in self.reached.values())
            return None if final else LEAST
        if self.met:
            return None
        return _needed(self.replications, max(self.reached.values()), self.target, self.max_replications)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "reached": {k: _finite(v) for k, v in self.reached.items()},
                "met": self.met, "replications": self.replications, "max_replications": self.max_replications}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _relative(estimate: Estimate, reference: float) -> float:
    """Half-width of ``estimate`` over ``|reference|``; 0 for a measure that is 0 and does not vary."""
    if estimate.half_width == 0:
        return 0.0
    if not math.isfinite(estimate.half_width) or reference == 0 or not math.isfinite(reference):
        return math.inf
    return estimate.half_width / abs(reference)


def _needed(count: int, reached: float, target: float, most: int) -> int:
    """The count at which the interval would come down to ``target``: the spread ``count`` replications
    showed, with the t quantile of the larger count (not ``count``'s: 2.78 for 5), a little over; at least
    two more, at most twice ``count``: a first round's spread is itself a rough estimate, and doubling at
    most keeps one wide first round from running many times the replications the answer needs."""
    if not math.isfinite(reached):
        return min(most, count * 2)
    spread = reached / half_width(1.0, count)  # the relative standard deviation the interval came from
    wanted = count + 1
    while wanted < 2 * count and half_width(spread, wanted) > target:
        wanted += 1
    return min(most, 2 * count, max(count + 2, math.ceil(wanted * _MARGIN)))


def chosen_precision(replications: int | None, target: float | None, most: int | None
                     ) -> tuple[float, int] | None:
    """How a run's replications are chosen from what its caller gave: ``None`` for the fixed count
    ``replications`` (given without a precision), else ``(target, most replications)``: the precision given
    or :data:`DEFAULT_TARGET`, at most ``most`` or :data:`DEFAULT_MOST`. :class:`ValueError` for a maximum
    given with a fixed count (it would not be used)."""
    if target is None and replications is not None:
        if most is not None:
            raise ValueError("a maximum of replications goes with a precision, not with a fixed count")
        return None
    return (DEFAULT_TARGET if target is None else target), (DEFAULT_MOST if most is None else most)


def check_precision(target: float, max_replications: int) -> None:
    """:class:`ValueError` naming the bad value when ``target`` is not a share in (0, 1) or
    ``max_replications`` is below :data:`LEAST`."""
    if not (0 < target < 1):
        raise ValueError(f"precision must be above 0 and below 100% (e.g. 0.02 for ±2%), got {target!r}")
    if max_replications < LEAST:
        raise ValueError(f"max_replications must be at least {LEAST}, got {max_replications}")


def simulate_to_precision(process: Process, config: SimConfig, target: float, max_replications: int = 200,
                          progress: Progress | None = None) -> tuple[SimulationResult, Precision]:
    """Simulate ``process`` until the means of :data:`MEASURES` are within ±``target`` (``config.replications``
    is not used)."""
    check_precision(target, max_replications)
    plan = plan_for(process, config)
    outputs: list[ReplicationOutput] = []

    def summary(count: int) -> SimulationResult:
        return summarize(plan, config.model_copy(update={"replications": count}), outputs)

    return _rounds(lambda start, stop, report: outputs.extend(
        run_jobs([(0, plan, r) for r in range(start, stop)], config, report).get(0, [])),
        summary, target, max_replications, progress, per_replication=1)


def compare_to_precision(before: Process, after: Process, config: SimConfig, target: float,
                         max_replications: int = 200, progress: Progress | None = None
                         ) -> tuple[Comparison, Precision]:
    """Compare ``before`` with ``after`` (common random numbers) until the differences of :data:`MEASURES`
    are within ±``target`` of their before values."""
    check_precision(target, max_replications)
    plans = (plan_for(before, config), plan_for(after, config))
    outputs: tuple[list[ReplicationOutput], list[ReplicationOutput]] = ([], [])

    def run(start: int, stop: int, report: Progress | None) -> None:
        done = run_jobs([(group, plans[group], r) for r in range(start, stop) for group in (0, 1)], config, report)
        for group in (0, 1):
            outputs[group].extend(done.get(group, []))

    def summary(count: int) -> Comparison:
        counted = config.model_copy(update={"replications": count})
        return compare_results(summarize(plans[0], counted, outputs[0]), summarize(plans[1], counted, outputs[1]))

    return _rounds(run, summary, target, max_replications, progress, per_replication=2)


def _rounds(run: Callable[[int, int, Progress | None], Any], summary: Callable[[int], Any], target: float,
            most: int, progress: Progress | None, per_replication: int) -> tuple[Any, Precision]:
    """Run rounds of replications ``[done, wanted)`` until the answer is final
    (:attr:`Precision.next_count`)."""
    done, wanted = 0, FIRST
    while True:
        offset = done * per_replication
        total = wanted * per_replication

        def report(finished: int, _total: int, offset: int = offset, total: int = total) -> None:
            if progress is not None:
                progress(offset + finished, total)

        run(done, wanted, report)
        done = wanted
        answer = summary(done)
        precision = Precision.of(answer, target, most)
        following = precision.next_count
        if following is None:
            return answer, precision
        wanted = following


def run_to_precision(before: Process, after: Process | None, config: SimConfig, target: float,
                     max_replications: int = 200, progress: Progress | None = None
                     ) -> tuple[SimulationResult | Comparison, Precision]:
    """:func:`simulate_to_precision` of ``before`` alone, or :func:`compare_to_precision` with ``after``."""
    if after is None:
        return simulate_to_precision(before, config, target, max_replications, progress)
    return compare_to_precision(before, after, config, target, max_replications, progress)
