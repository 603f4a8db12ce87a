"""Extra staff at the bottleneck: the busiest role, when it is busy enough that cases queue for it.

Needs the simulation of the process (its per-role utilisation). The role with the highest mean utilisation
among city staff with a fixed number of people is the bottleneck; at :data:`BOTTLENECK_UTILISATION` or more
the candidate ``staff: {ROLE: N}`` adds people until the same work would keep them busy
:data:`TARGET_UTILISATION` of their time (at least one more person). The added people are paid whether
busy or not: impact counts their hours and cost (see :mod:`bpr.redesign.impact`).
"""

from __future__ import annotations

import math

from bpr.analysis.text import role_label
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

BOTTLENECK_UTILISATION = 0.75
"""Utilisation from which a role counts as a bottleneck (one server waits three service times at 0.75)."""
TARGET_UTILISATION = 0.6
"""Utilisation the added staff bring the bottleneck down to."""


def bottleneck(context: Context) -> tuple[str, float] | None:
    """(role, mean utilisation) of the busiest staff role in the baseline simulation, or None."""
    if context.baseline is None:
        return None
    best: tuple[str, float] | None = None
    for role_id, result in context.baseline.roles.items():
        if result.external or result.staff is None or result.utilisation is None:
            continue
        value = result.utilisation.mean
        if math.isfinite(value) and (best is None or value > best[1]):
            best = (role_id, value)
    return best


def staff_bottleneck(context: Context) -> list[Candidate]:
    """The extra-staff candidate for the bottleneck role, when it is busy enough (module docstring)."""
    found = bottleneck(context)
    if found is None or found[1] < BOTTLENECK_UTILISATION:
        return []
    role_id, utilisation = found
    staff = context.process.roles[role_id].staff
    assert isinstance(staff, int)
    wanted = max(staff + 1, math.ceil(staff * utilisation / TARGET_UTILISATION - 1e-9))
    return [
        Candidate(
            id=candidate_id("staff", role_id),
            heuristic="staff",
            title=f"Staff the bottleneck {role_label(context.process, role_id)}: {staff} -> {wanted}",
            explanation=(
                f"{role_label(context.process, role_id)} is busy {utilisation:.0%} of its working time, the most of "
                f"any role, so cases queue for it. With {wanted} people the same work keeps them about "
                f"{staff * utilisation / wanted:.0%} busy; the {wanted - staff} added person(s) are paid whether "
                "busy or not."
            ),
            changes=({"staff": {role_id: wanted}},),
        )
    ]
