"""Redesign requests as :class:`~bpr.api.jobs.Work`: ``bpr redesign`` run in a worker process, as a job.

Everything that can be refused is refused before the job starts (422 with issues naming the option): the
options against the library's :class:`~bpr.simulate.SimConfig` and the server's limits, the heuristics'
names (:func:`redesign_call`, which also gives the request's key, so that a stored result is found before
anything else is done), then whether the process can be simulated and the estimated run time
(:func:`redesign_work`). The job itself is one task
(:func:`bpr.api.tasks.redesign_job`): the library decides what to simulate next from what it has measured.

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

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bpr.api.errors import ApiError, issues_of
from bpr.api.inputs import check_config, options_error
from bpr.api.jobs import Work, request_key
from bpr.api.models import RedesignOptions
from bpr.api.runs import BPR_VERSION, cases_per_replication, check_estimate, code_fingerprint, plan_of
from bpr.api.settings import Settings
from bpr.api.tasks import redesign_job
from bpr.errors import BprError, Issue
from bpr.model.schema import Process
from bpr.simulate import SimConfig

__all__ = ["INLINE_BASE", "REDESIGN_FINGERPRINT", "RedesignCall", "count_candidates", "redesign_call",
           "redesign_config", "redesign_estimate", "redesign_work"]

INLINE_BASE = "process.yaml"
"""``base:`` of the plan of a process sent in the request (a scenario's plan names the scenario's file)."""

REDESIGN_FINGERPRINT = code_fingerprint("model", "simulate", "analysis", "redesign")
"""The code behind a redesign: a stored result is served only to the code that made it."""

_AUTO = "auto"


def redesign_config(options: RedesignOptions, process: Process, settings: Settings) -> SimConfig:
    """The SimConfig of ``bpr redesign`` for these options (``auto``: the window chosen from the process by
    :func:`bpr.redesign.config_for`), within the server's limits; one worker: the job is one process."""
    from bpr.redesign import config_for

    if options.replications > settings.max_replications:
        raise ApiError.one(422, f"replications {options.replications} is more than this server's limit of "
                                f"{settings.max_replications}", path="options.replications",
                           hint="use fewer replications, or the CLI for large studies")
    horizon = None if options.horizon == _AUTO else options.horizon
    warm_up = None if options.warm_up == _AUTO else options.warm_up
    try:
        config = config_for(process, options.replications, options.seed, 1, horizon, warm_up)
    except ValidationError as error:
        raise options_error(error) from None
    except BprError as error:
        raise ApiError(422, issues_of(error)) from None
    check_config(config, settings)
    return config


def _heuristics(names: list[str] | None) -> list[str] | None:
    """The heuristics asked for, each once, in the order given; 422 naming an unknown one."""
    from bpr.redesign import HEURISTIC_FUNCTIONS

    if names is None:
        return None
    known = list(HEURISTIC_FUNCTIONS)
    issues = []
    for index, name in enumerate(names):
        if name not in HEURISTIC_FUNCTIONS:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(known)}"
            issues.append(Issue(f"unknown heuristic {name[:64]!r}", path=f"options.heuristics[{index}]",
                                file="<request>", hint=hint))
    if issues:
        raise ApiError(422, issues)
    return list(dict.fromkeys(names))


def count_candidates(process: Process, heuristics: list[str] | None) -> int:
    """Candidates the heuristics propose before the baseline is simulated (for the estimate)."""
    from bpr.redesign import Context, propose

    try:
        return len(propose(Context(process), heuristics).candidates)
    except BprError as error:
        raise ApiError(422, issues_of(error)) from None


def redesign_estimate(process: Process, config: SimConfig, candidates: int, settings: Settings) -> float:
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


def redesign_call(process: Process, options: RedesignOptions, base: str, settings: Settings) -> RedesignCall:
    """The options checked (422 naming the bad one) and the request's key; call it in a thread."""
    config = redesign_config(options, process, settings)
    heuristics = _heuristics(options.heuristics)
    key = request_key("redesign", {
        "bpr": BPR_VERSION, "code": REDESIGN_FINGERPRINT, "process": process.model_dump(mode="json"),
        "file": process.source_file, "base": base, "config": config.model_dump(mode="json"),
        "heuristics": heuristics, "top": options.top,
    })
    return RedesignCall(process, config, heuristics, options.top, base, key)


def redesign_work(call: RedesignCall, settings: Settings) -> Work:
    """The job of a checked request: refused (422) when the engine cannot simulate the process or the
    estimate is over the limit; call it in a thread."""
    plan_of(call.process, call.config)
    candidates = count_candidates(call.process, call.heuristics)
    estimate = redesign_estimate(call.process, call.config, candidates, settings)
    check_estimate(estimate, settings)

    def combine(outputs: list[Any]) -> dict[str, Any]:
        result: dict[str, Any] = outputs[0]
        return result

    task = (redesign_job, (call.process, call.config, call.heuristics, call.top, call.base, candidates + 1))
    return Work("redesign", call.key, estimate, [task], combine)  # type: ignore[list-item]
