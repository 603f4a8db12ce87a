"""Automated redesign: propose improvements, simulate each against the process, rank them on the impact x
feasibility matrix, and combine the best into one plan written in the change language.

``redesign(process, config, progress)`` does it all and returns a :class:`RedesignResult` (its
``to_dict()`` is the JSON of ``bpr redesign --format json``, documented in docs/redesign.md).
``weakened_controls(before, after)`` says what a redesign weakens of the required controls;
``config_for(process)`` is the simulation window a redesign of the process uses by default.
"""

from bpr.redesign.candidate import HEURISTICS, Blocked, Candidate
from bpr.redesign.context import Context
from bpr.redesign.controls import control_steps, segregation_conflict, weakened_controls
from bpr.redesign.evaluate import Evaluation, Progress, Refusal
from bpr.redesign.feasibility import FEASIBLE, Feasibility, feasibility
from bpr.redesign.heuristics import HEURISTIC_FUNCTIONS, Proposals, propose
from bpr.redesign.impact import Impact
from bpr.redesign.plan import Plan, PlanStep
from bpr.redesign.planfile import plan_yaml, relative_base
from bpr.redesign.quadrant import HIGH_IMPACT, QUADRANTS, quadrant
from bpr.redesign.result import RedesignResult
from bpr.redesign.run import DEFAULT_CONFIG, rank, redesign
from bpr.redesign.window import Window, config_for, expected_lead_time, window_for

__all__ = [
    "DEFAULT_CONFIG",
    "FEASIBLE",
    "HEURISTICS",
    "HEURISTIC_FUNCTIONS",
    "HIGH_IMPACT",
    "QUADRANTS",
    "Blocked",
    "Candidate",
    "Context",
    "Evaluation",
    "Feasibility",
    "Impact",
    "Plan",
    "PlanStep",
    "Progress",
    "Proposals",
    "RedesignResult",
    "Refusal",
    "Window",
    "config_for",
    "control_steps",
    "expected_lead_time",
    "feasibility",
    "plan_yaml",
    "propose",
    "quadrant",
    "rank",
    "redesign",
    "relative_base",
    "segregation_conflict",
    "weakened_controls",
    "window_for",
]
