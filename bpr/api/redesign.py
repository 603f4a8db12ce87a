"""Redesign requests: the options checked against the library and the server's limits, then a job.

Everything that can be refused is refused before the job starts (422 with issues naming the option): the
options against the library's :class:`~bpr.simulate.SimConfig` and the server's limits, the heuristics'
names (:func:`redesign_call`, which also gives the request's key, so that a stored result is found before
anything else is done), then whether the process can be simulated and the estimated run time
(:func:`bpr.service.redesign.redesign_work`, with the estimate explained there).
"""

from __future__ import annotations

import difflib

from pydantic import ValidationError

from bpr.api.errors import ApiError, issues_of
from bpr.api.inputs import check_config, options_error
from bpr.api.models import RedesignOptions
from bpr.api.settings import Settings
from bpr.errors import BprError, Issue
from bpr.model.schema import Process
from bpr.service.redesign import RedesignCall
from bpr.simulate import SimConfig

__all__ = ["INLINE_BASE", "redesign_call", "redesign_config"]

INLINE_BASE = "process.yaml"
"""``base:`` of the plan of a process sent in the request (a scenario's plan names the scenario's file)."""

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


def redesign_call(process: Process, options: RedesignOptions, base: str, settings: Settings) -> RedesignCall:
    """The options checked (422 naming the bad one) and the request's key; call it in a thread."""
    config = redesign_config(options, process, settings)
    heuristics = _heuristics(options.heuristics)
    return RedesignCall.of(process, config, heuristics, options.top, base)
