"""What the simulation worker processes run: one replication of one compiled plan per task.

Kept apart from the server modules so a worker imports only the engine. Splitting a run into
replications lets one request use every core, lets requests from several clients share the cores fairly
(tasks are served in arrival order), gives progress as replications finish, and lets a cancel stop just
the work of one job. Replication ``r`` depends only on (plan, seed, r), so the split changes no number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput, run_replication
from bpr.simulate.plan import Plan

__all__ = ["replicate"]


def replicate(plan: Plan, config: SimConfig, replication: int,
              progress: Callable[[float], None] | None = None) -> ReplicationOutput:
    """Replication ``replication`` of ``plan``, as :func:`bpr.simulate.simulate` runs it."""
    return run_replication(plan, config, replication, events=config.events and replication == 0)


def warm() -> Any:
    """Nothing: importing this module (done when a worker starts) loads the engine."""
    return None
