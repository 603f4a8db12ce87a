"""The engine's fast path on simpy: the only module that reads simpy's private attributes.

simpy's public API costs the engine time it does not need on its hottest path, so this module reads
``Event._value`` and schedules on ``Environment._queue`` directly. It is the only place that does (a test
holds it), and simpy is pinned to the versions it is tested with (``simpy>=4.1,<4.2`` in pyproject.toml);
``tests/simulate/test_kernel.py`` checks that these internals are still there and mean what they are used for.
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from heapq import heappop, heappush
from typing import Any, cast

import simpy
from simpy.events import NORMAL

__all__ = ["Ticket", "fire", "run_until", "start_flow"]


class _Wake:
    """What a flow's pause puts on simpy's schedule: the smallest object ``Environment.step`` can process
    (it reads ``callbacks`` and ``_ok``). One per flow, reused: a flow waits for one thing at a time."""

    __slots__ = ("callbacks", "_ok", "_value")

    def __init__(self) -> None:
        self.callbacks: list[Any] | None = None
        self._ok = True
        self._value: Any = None


class Ticket(_Wake):
    """A wait for something another flow does (a staff member coming free): a flow yields it, and
    :func:`fire` resumes that flow with a value — what ``simpy.Event``'s ``succeed`` does, without the rest of
    an event."""

    __slots__ = ()

    def __init__(self) -> None:  # not super().__init__(): one is made for every wait in a queue
        self.callbacks = []
        self._ok = True
        self._value: Any = None


def fire(env: simpy.Environment, ticket: Ticket, value: Any = None) -> None:
    """Resume the flow waiting on ``ticket`` with ``value``, now: scheduled exactly as ``event.succeed(value)``
    would be (same time, priority and place in the order of events)."""
    ticket._value = value
    queue: list[Any] = env._queue
    heappush(queue, (env._now, NORMAL, next(env._eid), ticket))


def start_flow(env: simpy.Environment, flow: Generator[simpy.Event | float, Any, Any],
               done: simpy.Event | None = None) -> None:
    """Run a case's generator on ``env``, without a ``simpy.Process``.

    The generator yields a simpy event to wait for it (it is resumed with the event's value), or a
    ``float``: a pause of that many minutes, scheduled exactly as ``env.timeout(delay)`` would be (same
    time, priority and place in the order of events) but with no event object created for it; the pause
    evaluates to the time it ends (``now = yield 5.0``), which spares the flow reading ``env.now``. A process
    costs two events of its own per case (its start and its end) and a general-purpose resume with checks
    the engine does not need (it never yields failed events); a timeout creates and initialises an event
    for every pause; for short steps these were a third of the run time. The generator runs at once up to
    its first ``yield``. ``done`` (if given) succeeds with the generator's return value. An exception in the
    generator propagates out of ``env.run``.
    """
    queue: list[Any] = env._queue
    eid = env._eid
    wake = _Wake()

    def resume(event: Any) -> None:
        try:
            target = send(event._value)
        except StopIteration as stop:
            again.clear()  # the only cycle (resume -> again -> resume): freed now, not by the cyclic collector
            if done is not None:
                done.succeed(stop.value)
            return
        if target.__class__ is float:
            wake._value = at = env._now + target  # the pause evaluates to the time it ends
            wake.callbacks = again
            heappush(queue, (at, NORMAL, next(eid), wake))
        else:
            cast(simpy.Event, target).callbacks.append(again[0])

    again = [resume]
    send = flow.send
    resume(wake)


def run_until(env: simpy.Environment, until: simpy.Event) -> None:
    """``env.run(until=until)``: process events in order until ``until`` has been processed.

    The loop of ``Environment.run`` and ``step``, written out so that an event costs no method call and no
    exception frame of its own: a run of a year processes millions of events. An event that failed (never
    one of the engine's) raises as in ``step``; an empty schedule before ``until`` is a ``RuntimeError``.

    Python's cyclic garbage collector is paused meanwhile: the flows of :func:`start_flow` leave no cycles
    behind (a test holds it), so what they drop is freed at once by reference counting, and the collector
    only walked the cases in flight, again and again (a tenth of the run time). Cycles made by others
    (``AllOf`` of a split, the flows still in flight at the end) are few and collected once it runs again.
    """
    queue: list[Any] = env._queue
    collecting = gc.isenabled()
    gc.disable()
    try:
        while until.callbacks is not None:
            try:
                env._now, _, _, event = heappop(queue)
            except IndexError:
                raise RuntimeError(
                    f'no scheduled events left but "until" event was not triggered: {until}') from None
            callbacks, event.callbacks = event.callbacks, None  # as Environment.step does
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value
    finally:
        if collecting:
            gc.enable()
