"""The impact x feasibility matrix of the municipal DX guides (影響度 x 実現可能性):

====  =====================  =====================================================================
A     do now (すぐに取り組む)    high impact, feasible
B     plan (将来的に検討)        high impact, hard
C     quick win (短期改善)       some impact, feasible
D     drop (優先度を下げる)       little impact and hard, or no significant gain at all
====  =====================  =====================================================================

High impact: impact score (:mod:`bpr.redesign.impact`) of at least :data:`HIGH_IMPACT`. Feasible:
feasibility score (:mod:`bpr.redesign.feasibility`) of at least ``FEASIBLE``. A candidate whose score is 0
or less (no significant saving, or savings outweighed by losses) is D whatever its feasibility: it has
nothing to win.
"""

from __future__ import annotations

from bpr.redesign.feasibility import FEASIBLE

__all__ = ["FEASIBLE", "HIGH_IMPACT", "QUADRANTS", "quadrant"]

HIGH_IMPACT = 0.05
"""Impact score from which a candidate is high impact: e.g. 10% shorter lead time alone, or 5% shorter lead
time with 5% fewer staff-hours and 5% lower cost (weights of a process without a counter)."""

QUADRANTS: dict[str, str] = {
    "A": "do now",
    "B": "plan",
    "C": "quick win",
    "D": "drop",
}


def quadrant(impact_score: float, feasibility_score: float) -> str:
    """The quadrant letter for an impact and a feasibility score (module docstring)."""
    feasible = feasibility_score >= FEASIBLE
    if impact_score >= HIGH_IMPACT:
        return "A" if feasible else "B"
    if impact_score > 0 and feasible:
        return "C"
    return "D"
