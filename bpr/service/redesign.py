"""Redesign runs as :class:`~bpr.service.jobs.Work`: ``bpr redesign`` run in a worker process, as a job.

A face checks the request's options first (:mod:`bpr.api.redesign`) and makes a :class:`RedesignCall`,
whose ``key`` finds a stored result before anything else is done; :func:`redesign_work` then refuses
(:class:`~bpr.service.errors.Refused`) a process the engine cannot simulate or a run estimated over the
limit. The job itself is one task (:func:`bpr.service.tasks.redesign_job`): the library decides what to
simulate next from what it has measured.

**Run-time estimate**::

    runs    = 1 + 2 x (candidates + 1)       baseline; each candidate; each plan step, at most one per candidate
    seconds = runs x cases x steps x replications / case_steps_per_second

``candidates`` are those the heuristics propose before anything is simulated (the ``+ 1`` is the extra
staff, proposed from the baseline). The runs of a redesign follow each other in one worker process, so the
estimate is not divided among the workers. On the shipped scenarios a redesign makes about half to two
thirds of these runs; the estimate is an upper bound in runs and rough in speed, which is all the limit of
``max_estimate_seconds`` and the ``Retry-After`` of a 429 need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.service.errors import Refused, issues_of
from bpr.service.jobs import Task, Work, request_key
from bpr.service.runs import BPR_VERSION, cases_per_replication, check_estimate, code_fingerprint, plan_of
from bpr.service.settings import ServiceSettings
from bpr.service.tasks import redesign_job
from bpr.simulate import SimConfig

__all__ = ["REDESIGN_FINGERPRINT", "RedesignCall", "count_candidates", "redesign_estimate", "redesign_work"]

REDESIGN_FINGERPRINT = code_fingerprint("model", "simulate", "analysis", "redesign")
"""The code behind a redesign: a stored result is served only to the code that made it."""


def count_candidates(process: Process, heuristics: list[str] | None) -> int:
    """Candidates the heuristics propose before the baseline is simulated (for the estimate)."""
    from bpr.redesign import Context, propose

    try:
        return len(propose(Context(process), heuristics).candidates)
    except BprError as error:
        raise Refused(issues_of(error)) from None


def redesign_estimate(process: Process, config: SimConfig, candidates: int, settings: ServiceSettings) -> float:
    """Seconds a redesign of ``process`` may take here (module docstring)."""
    runs = 1 + 2 * (candidates + 1)
    per_run = cases_per_replication(process, config) * len(process.steps) * config.replications
    return runs * per_run / settings.case_steps_per_second


@dataclass(frozen=True)
class RedesignCall:
    """A checked redesign request: what the library is called with, and the key of its stored result."""

    process: Process
    config: SimConfig
    heuristics: list[str] | None
    top: int | None
    base: str
    key: str

    @classmethod
    def of(cls, process: Process, config: SimConfig, heuristics: list[str] | None, top: int | None,
           base: str) -> RedesignCall:
        """The call with its key (the hash of everything that decides the result); call it in a thread."""
        key = request_key("redesign", {
            "bpr": BPR_VERSION, "code": REDESIGN_FINGERPRINT, "process": process.model_dump(mode="json"),
            "file": process.source_file, "base": base, "config": config.model_dump(mode="json"),
            "heuristics": heuristics, "top": top,
        })
        return cls(process, config, heuristics, top, base, key)


def redesign_work(call: RedesignCall, settings: ServiceSettings) -> Work:
    """The job of a checked request: :class:`~bpr.service.errors.Refused` when the engine cannot simulate
    the process or the estimate is over the limit; call it in a thread."""
    plan_of(call.process, call.config)
    candidates = count_candidates(call.process, call.heuristics)
    estimate = redesign_estimate(call.process, call.config, candidates, settings)
    check_estimate(estimate, settings)

    def combine(outputs: list[Any]) -> dict[str, Any]:
        result: dict[str, Any] = outputs[0]
        return result

    task: Task = (redesign_job, (call.process, call.config, call.heuristics, call.top, call.base, candidates + 1))
    return Work("redesign", call.key, estimate, [task], combine)
