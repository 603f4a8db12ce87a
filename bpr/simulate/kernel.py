"""The engine's fast path on simpy: the only module that reads simpy's private attributes.

simpy's public API costs the engine time it does not need on its hottest path, so this module reads
``Event._value`` directly. It is the only place that does (a test holds it), and simpy is pinned to the
versions it is tested with (``simpy>=4.1,<4.2`` in pyproject.toml); ``tests/simulate/test_kernel.py``
checks that the attribute is still there and means what it is used for.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

__all__ = ["start_flow"]


def start_flow(flow: Generator[simpy.Event, Any, Any], done: simpy.Event | None = None) -> None:
    """Run a case's generator on simpy events, without a ``simpy.Process``.

    A process costs two events of its own per case (its start and its end) and a general-purpose resume
    with checks the engine does not need (it never yields failed events); for short steps that was a
    fifth of the run time. The generator runs at once up to its first ``yield``; each event it yields
    resumes it with the event's value. ``done`` (if given) succeeds with the generator's return value. An
    exception in the generator propagates out of ``env.run``.
    """
    def resume(event: simpy.Event) -> None:
        try:
            target = send(event._value)
        except StopIteration as stop:
            if done is not None:
                done.succeed(stop.value)
            return
        target.callbacks.append(resume)

    send = flow.send
    try:
        target = send(None)
    except StopIteration as stop:
        if done is not None:
            done.succeed(stop.value)
        return
    target.callbacks.append(resume)
