"""The result of ``bpr redesign``: ranked candidates, the combined plan, and what could not be proposed.

:meth:`RedesignResult.to_dict` is the stable JSON shape documented in docs/redesign.md (the report draws
the impact x feasibility matrix and each candidate's devil's quadrangle from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpr.changes import describe, parse_changes
from bpr.redesign.candidate import Blocked
from bpr.redesign.evaluate import Evaluation, Refusal
from bpr.redesign.feasibility import FEASIBLE
from bpr.redesign.feasibility import WEIGHTS as FEASIBILITY_WEIGHTS
from bpr.redesign.impact import WEIGHTS as IMPACT_WEIGHTS
from bpr.redesign.plan import Plan
from bpr.redesign.quadrant import HIGH_IMPACT, QUADRANTS
from bpr.simulate import SimulationResult

__all__ = ["SCHEMA_VERSION", "RedesignResult"]

SCHEMA_VERSION = 1
"""Version of the JSON shape; raised only when a key changes meaning or disappears."""


def _descriptions(changes: Any) -> list[str]:
    return [describe(change) for change in parse_changes(list(changes))]


def _baseline(result: SimulationResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("lead_time", "business_days", "counter_wait", "rejections"):
        kpi = result.kpis[name]
        out[name] = {"unit": kpi.unit, **kpi.mean.to_dict()}
    for name in ("staff_hours_per_year", "cost_yen_per_year", "fte", "e_approval_rate", "online_rate"):
        out[name] = result.yearly[name].to_dict()
    out["utilisation"] = {
        role_id: role.utilisation.to_dict() for role_id, role in result.roles.items() if role.utilisation is not None
    }
    out["warnings"] = [w.to_dict() for w in result.warnings]
    return out


@dataclass(frozen=True)
class RedesignResult:
    process_id: str
    process_name: str
    file: str
    baseline: SimulationResult = field(repr=False)
    ranked: tuple[Evaluation, ...]
    refused: tuple[Refusal, ...]
    blocked: tuple[Blocked, ...]
    plan: Plan
    simulations: int = 0

    def to_dict(self) -> dict[str, Any]:
        config = self.baseline.config
        in_plan = set(self.plan.candidates)
        adapted = {step.adapted_from: step.candidate for step in self.plan.steps if step.accepted and step.adapted_from}
        candidates = []
        for rank, evaluation in enumerate(self.ranked, start=1):
            item = evaluation.to_dict()
            item["rank"] = rank
            item["descriptions"] = _descriptions(evaluation.candidate.changes)
            item["in_plan"] = evaluation.candidate.id in in_plan or evaluation.candidate.id in adapted
            candidates.append(item)
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "redesign",
            "process": {"id": self.process_id, "name": self.process_name, "file": self.file},
            "config": {
                "replications": config.replications,
                "horizon": config.horizon,
                "warm_up": config.warm_up,
                "drain": config.drain,
                "seed": config.seed,
                "start_date": config.start_date.isoformat(),
                "hours_per_fte": config.hours_per_fte,
            },
            "thresholds": {
                "high_impact": HIGH_IMPACT,
                "feasible": FEASIBLE,
                "impact_weights": dict(IMPACT_WEIGHTS),
                "feasibility_weights": dict(FEASIBILITY_WEIGHTS),
                "quadrants": dict(QUADRANTS),
            },
            "baseline": _baseline(self.baseline),
            "candidates": candidates,
            "plan": self.plan.to_dict(),
            "refused": [refusal.to_dict() for refusal in self.refused],
            "blocked": [item.to_dict() for item in self.blocked],
            "simulations": self.simulations,
        }
