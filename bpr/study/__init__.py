"""Studies: what the faces (CLI and REST) orchestrate out of simulations, for the pages that show them.

A study runs simulations and returns results; it draws and writes nothing (:mod:`bpr.render` does, from
these results). :mod:`bpr.study.report`: the before/after comparison behind the proposal report;
:mod:`bpr.study.impact`: the impact of each change of a change list, versions simulated with common random
numbers.
"""

from bpr.study.impact import (
    IMPACT_HORIZON,
    IMPACT_REPLICATIONS,
    MAX_IMPACT_STEPS,
    Impact,
    ImpactPlan,
    ImpactStep,
    plan_impact,
    simulate_impact,
)
from bpr.study.report import ReportPlan, ReportRun, plan_report, simulate_report

__all__ = [
    "IMPACT_HORIZON",
    "IMPACT_REPLICATIONS",
    "MAX_IMPACT_STEPS",
    "Impact",
    "ImpactPlan",
    "ImpactStep",
    "ReportPlan",
    "ReportRun",
    "plan_impact",
    "plan_report",
    "simulate_impact",
    "simulate_report",
]
