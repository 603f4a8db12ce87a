"""Estimates over replications: mean with a 95% t confidence interval, and paired differences.

Each replication yields one value per measure (e.g. its mean lead time); replications are independent, so
the mean over replications has a Student t interval with ``n - 1`` degrees of freedom. Before/after
comparisons run the same replications with the same random streams (common random numbers) and take the
interval of the per-replication differences: paired, so the noise both versions share cancels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from bpr.simulate.tdist import t_quantile

__all__ = ["CONFIDENCE", "Estimate", "Difference", "half_width"]

CONFIDENCE = 0.95


def half_width(sd: float, n: int) -> float:
    """Half-width of the :data:`CONFIDENCE` t interval of the mean of ``n`` values of standard deviation
    ``sd`` (``n`` >= 2)."""
    return t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean of per-replication values with its confidence interval."""

    mean: float
    half_width: float
    sd: float
    n: int
    floor: float = -math.inf
    """Least value the measure can take (0 for counts, times and costs): the interval stops there."""
    ceiling: float = math.inf
    """Greatest value the measure can take (1 for a ratio)."""

    @property
    def low(self) -> float:
        """Lower end of the interval, never below the measure's range: the true mean is within the range,
        so cutting the t interval there keeps its coverage (a count of -47.5 cases means nothing)."""
        return max(self.mean - self.half_width, self.floor)

    @property
    def high(self) -> float:
        return min(self.mean + self.half_width, self.ceiling)

    @classmethod
    def of(cls, values: Sequence[float], floor: float = -math.inf, ceiling: float = math.inf) -> Estimate:
        """The mean of ``values`` with its t interval, cut to the range ``[floor, ceiling]`` of the measure."""
        clean = [float(v) for v in values if v is not None and not math.isnan(v)]
        n = len(clean)
        if n == 0:
            return cls(math.nan, math.nan, math.nan, 0, floor, ceiling)
        mean = math.fsum(clean) / n
        if n == 1:
            return cls(mean, math.inf, math.nan, 1, floor, ceiling)
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in clean) / (n - 1))
        return cls(mean, half_width(sd, n), sd, n, floor, ceiling)

    def to_dict(self) -> dict[str, Any]:
        return {"mean": _num(self.mean), "ci95": [_num(self.low), _num(self.high)],
                "half_width": _num(self.half_width), "sd": _num(self.sd), "n": self.n}


@dataclass(frozen=True, slots=True)
class Difference:
    """After minus before, paired by replication: the difference, % change and whether it is significant."""

    before: float
    after: float
    difference: Estimate

    @classmethod
    def of(cls, before: Sequence[float], after: Sequence[float]) -> Difference:
        if len(before) != len(after):
            raise ValueError(f"paired comparison needs as many replications after ({len(after)}) as before ({len(before)})")
        pairs = [(b, a) for b, a in zip(before, after) if not (math.isnan(b) or math.isnan(a))]
        return cls(
            before=Estimate.of([b for b, _ in pairs]).mean,
            after=Estimate.of([a for _, a in pairs]).mean,
            difference=Estimate.of([a - b for b, a in pairs]),
        )

    @property
    def percent_change(self) -> float:
        if self.before == 0 or math.isnan(self.before):
            return math.nan if self.difference.mean != 0 else 0.0
        return 100.0 * self.difference.mean / abs(self.before)

    @property
    def percent_ci(self) -> tuple[float, float]:
        if self.before == 0 or math.isnan(self.before):
            return (math.nan, math.nan)
        return (100.0 * self.difference.low / abs(self.before), 100.0 * self.difference.high / abs(self.before))

    @property
    def significant(self) -> bool:
        """The 95% interval of the difference excludes 0 (never for a difference that is exactly 0)."""
        d = self.difference
        if d.n < 2 or math.isnan(d.mean) or d.mean == 0:
            return False
        return d.low > 0 or d.high < 0

    def to_dict(self) -> dict[str, Any]:
        d = self.difference
        low, high = self.percent_ci
        return {
            "before": _num(self.before),
            "after": _num(self.after),
            "difference": _num(d.mean),
            "ci95": [_num(d.low), _num(d.high)],
            "half_width": _num(d.half_width),
            "percent_change": _num(self.percent_change),
            "percent_ci95": [_num(low), _num(high)],
            "significant": self.significant,
        }


def _num(value: float) -> float | None:
    """JSON has no NaN or infinity: they become null."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return float(value)
