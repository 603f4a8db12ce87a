"""The devil's quadrangle of a redesign (Brand & van der Kolk): time, cost, quality, flexibility.

Each axis has a ``score`` in [-1, 1] (positive = better than the version it starts from) and the figures
behind it:

- **time** — relative saving of mean lead time (0 when not significant);
- **cost** — relative saving of staff cost per year (yen, capacity added included), or of staff-hours when
  the process states no hourly costs;
- **quality** — -1 when the redesign weakens a required control (``weakened`` says how); otherwise the
  relative saving of rework (rejections per case, 0 when not significant). Fewer rejections because a
  check was dropped are not better quality, which is why removed checks only appear here when they were
  no control;
- **flexibility** — spare capacity of the busiest staff role (1 - its utilisation), after minus before:
  how much of a peak the process can absorb without queues growing.
"""

from __future__ import annotations

import math
from typing import Any

from bpr.redesign.impact import Impact
from bpr.simulate import SimulationResult

__all__ = ["busiest_utilisation", "quadrangle"]


def busiest_utilisation(result: SimulationResult) -> float | None:
    values = [
        r.utilisation.mean
        for r in result.roles.values()
        if not r.external and r.utilisation is not None and math.isfinite(r.utilisation.mean)
    ]
    return max(values) if values else None


def _clip(value: float) -> float:
    return max(-1.0, min(1.0, value)) if math.isfinite(value) else 0.0


def quadrangle(impact: Impact, before: SimulationResult, after: SimulationResult, weakened: list[str]) -> dict[str, Any]:
    """The four axes as plain data (module docstring)."""
    yen = impact.measures.get("cost_yen_per_year", {})
    cost_name = "cost_yen_per_year" if (yen.get("before") or 0) > 0 else "staff_hours_per_year"
    busy_before, busy_after = busiest_utilisation(before), busiest_utilisation(after)
    if busy_before is None or busy_after is None:
        spare_before = spare_after = None
        flexibility = 0.0
    else:
        spare_before, spare_after = 1 - busy_before, 1 - busy_after
        flexibility = _clip(spare_after - spare_before)
    rework = impact.measures.get("rework", {})
    return {
        "time": {"measure": "lead_time", "score": _clip(impact.saving("lead_time")),
                 "percent_change": impact.measures.get("lead_time", {}).get("percent_change")},
        "cost": {"measure": cost_name, "score": _clip(impact.saving(cost_name)),
                 "percent_change": impact.measures.get(cost_name, {}).get("percent_change")},
        "quality": {"controls_kept": not weakened, "weakened": list(weakened),
                    "rework_before": rework.get("before"), "rework_after": rework.get("after"),
                    "score": -1.0 if weakened else _clip(impact.saving("rework"))},
        "flexibility": {"measure": "spare_capacity_of_busiest_role", "before": spare_before, "after": spare_after,
                        "score": flexibility},
    }
