"""How a deployed process is doing, as one reader may see it: the dashboard's figures (状況).

Open cases by step and overdue, lead time so far against what the simulation of the deployed version
predicts, and the e-approval rate (電子決裁率) — the same measure as the simulation's ``e_approval_rate``:
of the approvals decided, the share whose step is neither on paper nor stamped in the deployed file.

The prediction is a short simulation of the definition (a few replications of a year), run once per
content hash in a thread of its own: the first page shows "being computed", the next ones the figure.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bpr.execute.definitions import Definition
from bpr.model.schema import Approval
from bpr.simulate.config import SimConfig

if TYPE_CHECKING:
    from bpr.execute.workflow import Workflow

__all__ = ["PREDICTION_CONFIG", "Prediction", "ProcessStatus", "predicted", "process_status"]

log = logging.getLogger("bpr.execute.status")

PREDICTION_CONFIG = SimConfig(replications=5, horizon="1y", warm_up="4w", seed=0)
"""Enough for a mean lead time within a few percent on the shipped scenarios, in seconds of one core."""

RECENT_ENDED = 200
"""Ended cases the lead time and e-approval rate are measured on (the most recent ones)."""

MINUTES_PER_DAY = 1440.0


@dataclass(frozen=True)
class Prediction:
    """The simulated lead time of a definition, in calendar days: mean with its 95% interval, and p90."""

    lead_days: float
    low: float
    high: float
    p90_days: float


@dataclass(frozen=True)
class ProcessStatus:
    definition: Definition
    open: int
    overdue: int
    by_step: list[tuple[str, int]]
    age_days: float | None
    """Mean age of the open cases (days since they started)."""
    ended: int
    lead_days: float | None
    """Mean lead time of the most recent ended cases (calendar days)."""
    e_approval_rate: float | None
    prediction: Prediction | None
    """None while it is being computed (``predicting``), or when the process cannot be simulated."""
    predicting: bool = False


_predictions: dict[str, Prediction | None] = {}
_running: set[str] = set()
_lock = threading.Lock()


def _predict(definition: Definition) -> None:
    from bpr.simulate.runner import simulate  # the simulation is loaded only when a dashboard asks for it

    found: Prediction | None = None
    try:
        result = simulate(definition.process, PREDICTION_CONFIG)
        lead = result.kpis["lead_time"]
        found = Prediction(lead.mean.mean / MINUTES_PER_DAY, lead.mean.low / MINUTES_PER_DAY,
                           lead.mean.high / MINUTES_PER_DAY, lead.p90.mean / MINUTES_PER_DAY)
    except Exception:  # noqa: BLE001 - a process the simulation cannot run has no prediction; the page goes on
        log.exception("no prediction for %s", definition.ref)
    with _lock:
        _predictions[definition.content_hash] = found
        _running.discard(definition.content_hash)


def predicted(definition: Definition, wait: bool = False) -> Prediction | None:
    """The prediction of ``definition`` if it is known; else start computing it (``wait``: and wait)."""
    key = definition.content_hash
    with _lock:
        if key in _predictions:
            return _predictions[key]
        start = key not in _running
        _running.add(key)
    if wait:
        if start:
            _predict(definition)
        else:
            while True:
                with _lock:
                    if key in _predictions:
                        break
                threading.Event().wait(0.05)
        return _predictions[key]
    if start:
        threading.Thread(target=_predict, args=(definition,), name="bpr-prediction", daemon=True).start()
    return None


def _digital_approvals(definition: Definition) -> set[str]:
    return {step.id for step in definition.process.steps
            if isinstance(step, Approval) and step.medium != "paper" and not step.stamp}


def _days(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() / 86400


def process_status(workflow: Workflow, user_id: str, definition: Definition, now: datetime,
                   wait: bool = False) -> ProcessStatus:
    """The figures of ``definition``'s process (every version of it) over the cases ``user_id`` may read."""
    process_id = definition.process_id
    open_cases = [workflow.case(user_id, c["id"])
                  for c in workflow.cases(user_id, status="open", process=process_id, limit=500)]
    by_step: Counter[str] = Counter()
    overdue = 0
    for case in open_cases:
        current = [i for i in case["items"] if i["status"] in ("open", "claimed")]
        by_step.update(i["step_name"] for i in current)
        dues = [datetime.fromisoformat(d) for d in [case["due_at"]] + [i["due_at"] for i in current] if d]
        overdue += any(due < now for due in dues)
    ages = [(now - datetime.fromisoformat(c["started_at"])).total_seconds() / 86400 for c in open_cases]

    ended = [c for c in workflow.cases(user_id, status="ended", process=process_id, limit=RECENT_ENDED)
             if c["ended_at"]]
    leads = [_days(c["ended_at"], c["started_at"]) for c in ended]
    digital = {d.ref: _digital_approvals(d) for d in workflow.definitions() if d.process_id == process_id}
    decided = electronic = 0
    for summary in ended:
        detail: dict[str, Any] = workflow.case(user_id, summary["id"])
        steps = digital.get(detail["definition"], set())
        for item in detail["items"]:
            if item["kind"] == "approval" and item["status"] == "done":
                decided += 1
                electronic += item["step"] in steps
    return ProcessStatus(
        definition=definition, open=len(open_cases), overdue=overdue, by_step=sorted(by_step.items()),
        age_days=sum(ages) / len(ages) if ages else None, ended=len(ended),
        lead_days=sum(leads) / len(leads) if leads else None,
        e_approval_rate=electronic / decided if decided else None, prediction=predicted(definition, wait),
        predicting=definition.content_hash in _running)
