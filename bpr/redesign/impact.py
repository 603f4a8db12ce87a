"""Impact of a candidate: what the simulation says it changes, paired with the version it starts from.

Both versions run with the same seed and replications (common random numbers), so replication ``r`` of
each saw the same arrivals and draws; the difference of every measure is taken per replication, and its
95% t interval says whether the change is significant (the interval excludes 0).

Measures (``measures`` in JSON; positive ``saving`` = better):

- ``lead_time`` — mean minutes from arrival to end;
- ``staff_hours_per_year`` — simulated busy staff-hours a year, **plus paid capacity added or removed**
  (``capacity_hours_per_year``: change in staff x hours per FTE): a person hired at the bottleneck is paid
  whether busy or not;
- ``cost_yen_per_year`` — the same in yen (busy hours x hourly cost, plus the added people's pay);
- ``counter_wait`` — mean minutes a citizen waits at the counter (only in processes with citizens present);
- ``business_days``, ``rework`` (rejections per case), ``e_approval_rate``, ``online_rate`` — reported, not
  scored.

The **impact score** is a weighted sum of relative savings, ``saving = -(after - before) / before``, each
counted only when significant and clipped to [-1, 1] (:data:`WEIGHTS`): lead time 0.4, staff-hours 0.2,
staff cost 0.2, counter waiting 0.2. The weights are renormalised over the measures the process has: cost
only when it states hourly costs, counter waiting only when citizens wait at a counter. Without a counter,
lead time weighs 0.5 and staff-hours and cost 0.25 each, so a candidate that saves 10% of lead time and
nothing else scores 0.05. Cost is scored besides hours because who does the work matters: a decision
delegated from a deputy mayor to a section chief takes as long but costs less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bpr.model.schema import Process
from bpr.simulate import Comparison, SimConfig
from bpr.simulate.estimate import Difference

__all__ = ["MEASURES", "SCORED", "WEIGHTS", "Impact", "capacity_change", "impact"]

MEASURES: dict[str, tuple[str, str, str]] = {
    # name -> (unit, label, comparison key)
    "lead_time": ("minutes", "Lead time", "lead_time"),
    "staff_hours_per_year": ("hours", "Staff-hours per year (incl. capacity added)", "staff_hours_per_year"),
    "cost_yen_per_year": ("yen", "Staff cost per year (incl. capacity added)", "cost_yen_per_year"),
    "counter_wait": ("minutes", "Citizen counter waiting", "counter_wait"),
    "business_days": ("days", "Lead time in business days", "business_days"),
    "rework": ("count", "Rejections per case (rework)", "rejections"),
    "e_approval_rate": ("ratio", "E-approval rate", "e_approval_rate"),
    "online_rate": ("ratio", "Online application rate", "online_rate"),
}
"""Every measure of an impact: unit, label and the key of the simulation comparison it comes from."""

WEIGHTS: dict[str, float] = {"lead_time": 0.4, "staff_hours_per_year": 0.2, "cost_yen_per_year": 0.2, "counter_wait": 0.2}
"""Weights of the impact score (renormalised over the measures present)."""
SCORED = tuple(WEIGHTS)

_HIGHER_IS_BETTER = ("e_approval_rate", "online_rate")
_IF_PRESENT = ("cost_yen_per_year", "counter_wait")
"""Scored only when the process has them (hourly costs stated; citizens waiting at a counter)."""


def capacity_change(before: Process, after: Process, config: SimConfig) -> tuple[float, float]:
    """(paid hours, yen) a year that ``after`` adds (negative: removes) by changing staff numbers."""
    hours = yen = 0.0
    for role_id, role in after.roles.items():
        old = before.roles.get(role_id)
        if old is None or role.external or not isinstance(role.staff, int) or not isinstance(old.staff, int):
            continue
        delta = (role.staff - old.staff) * config.hours_per_fte
        hours += delta
        yen += delta * role.hourly_cost
    return hours, yen


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _measure(name: str, diff: Difference, shift: float = 0.0) -> dict[str, Any]:
    unit, label, _ = MEASURES[name]
    d = diff.difference
    mean, low, high = d.mean + shift, d.low + shift, d.high + shift
    before, after = diff.before, diff.after + shift
    significant = d.n >= 2 and math.isfinite(mean) and mean != 0 and (low > 0 or high < 0)
    usable = math.isfinite(before) and before != 0
    percent = 100.0 * mean / abs(before) if usable else (0.0 if mean == 0 else math.nan)
    percent_ci = (100.0 * low / abs(before), 100.0 * high / abs(before)) if usable else (math.nan, math.nan)
    sign = 1.0 if name in _HIGHER_IS_BETTER else -1.0
    saving = sign * percent / 100.0 if math.isfinite(percent) else math.nan
    return {
        "unit": unit,
        "label": label,
        "before": _num(before),
        "after": _num(after),
        "difference": _num(mean),
        "ci95": [_num(low), _num(high)],
        "percent_change": _num(percent),
        "percent_ci95": [_num(percent_ci[0]), _num(percent_ci[1])],
        "significant": bool(significant),
        "saving": _num(saving),
    }


@dataclass(frozen=True)
class Impact:
    """Measures with CIs, the score and what each scored measure contributed to it."""

    score: float
    measures: dict[str, dict[str, Any]]
    contributions: dict[str, float]
    capacity_hours_per_year: float = 0.0
    warnings: tuple[str, ...] = field(default=())

    def saving(self, name: str) -> float:
        """Relative saving of a measure (0 when not significant or not defined)."""
        measure = self.measures.get(name)
        if not measure or not measure["significant"] or measure["saving"] is None:
            return 0.0
        return float(measure["saving"])

    def improves(self, name: str) -> bool:
        """Significantly better on ``name``."""
        return self.saving(name) > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 6),
            "contributions": {k: round(v, 6) for k, v in self.contributions.items()},
            "measures": self.measures,
            "capacity_hours_per_year": self.capacity_hours_per_year,
            "warnings": list(self.warnings),
        }


def impact(comparison: Comparison, before: Process, after: Process) -> Impact:
    """Impact of going from ``before`` to ``after`` (module docstring), from their paired comparison."""
    config = comparison.after.config
    hours, yen = capacity_change(before, after, config)
    measures: dict[str, dict[str, Any]] = {}
    for name, (_, _, key) in MEASURES.items():
        diff = comparison.differences.get(key)
        if diff is None:
            continue
        shift = hours if name == "staff_hours_per_year" else yen if name == "cost_yen_per_year" else 0.0
        measures[name] = _measure(name, diff, shift)
    present = {name: w for name, w in WEIGHTS.items()
               if name in measures and (name not in _IF_PRESENT or (measures[name]["before"] or 0) > 0)}
    total = sum(present.values())
    contributions: dict[str, float] = {}
    for name, weight in present.items():
        m = measures[name]
        saving = m["saving"] if m["significant"] and m["saving"] is not None else 0.0
        contributions[name] = weight / total * max(-1.0, min(1.0, saving))
    warnings = tuple(
        f"{version}: {w.message}"
        for version, result in (("before", comparison.before), ("after", comparison.after))
        for w in result.warnings
    )
    return Impact(sum(contributions.values()), measures, contributions, hours, warnings)
