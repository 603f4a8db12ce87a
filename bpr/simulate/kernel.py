"""The engine's fast path on simpy: the only module that reads simpy's private attributes.

simpy's public API costs the engine time it does not need on its hottest path, so this module reads
``Event._value`` and schedules on ``Environment._queue`` directly. It is the only place that does (a test
holds it), and simpy is pinned to the versions it is tested with (``simpy>=4.1,<4.2`` in pyproject.toml);
``tests/simulate/test_kernel.py`` checks that these internals are still there and mean what they are used for.

A case is a *flow*: a generator run by :func:`start_flow`. What it yields says what it waits for: a
``float`` is a pause of that many minutes; a :class:`Ticket` waits until another flow :func:`fire`\\ s it (a
staff member coming free); any simpy event (an ``AllOf`` of the branches of a split) is waited for as a
simpy process would. Pauses and tickets go on simpy's schedule as themselves, with no event object, and
:func:`run_until` resumes their flow directly; simpy events are processed as ``Environment.step`` does.
Everything keeps simpy's order of events: same time, priority and sequence number as ``env.timeout(delay)``
and ``event.succeed(value)`` would have had.
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["Ticket", "fire", "run_until", "start_flow"]


class _Flow:
    """A running flow on the schedule: its generator's ``send`` and the event its return value goes to."""

    __slots__ = ("send", "done", "env")

    def __init__(self, env: simpy.Environment, send: Any, done: simpy.Event | None) -> None:
        self.env = env
        self.send = send
        self.done = done

    def resume(self, event: Any) -> None:
        """Resume with a simpy event's value (the slow path: the first start, and simpy events)."""
        _advance(self, event._value)


class Ticket:
    """A wait for something another flow does: a flow yields it, and :func:`fire` resumes that flow with a
    value — what ``simpy.Event``'s ``succeed`` does, without the rest of an event."""

    __slots__ = ("flow", "value")

    def __init__(self) -> None:
        self.flow: _Flow | None = None  # set when a flow yields the ticket
        self.value: Any = None


def fire(env: simpy.Environment, ticket: Ticket, value: Any = None) -> None:
    """Resume the flow waiting on ``ticket`` with ``value``, now: in the order of events where
    ``event.succeed(value)`` would have put it."""
    ticket.value = value
    queue: list[Any] = env._queue
    heappush(queue, (env._now, NORMAL, next(env._eid), ticket))


def _advance(flow: _Flow, value: Any) -> None:
    """Send ``value`` into ``flow`` and put what it yields next on the schedule (:func:`run_until` has the
    same steps written out, for speed)."""
    try:
        target = flow.send(value)
    except StopIteration as stop:
        if flow.done is not None:
            flow.done.succeed(stop.value)
        return
    env = flow.env
    if target.__class__ is float:
        queue: list[Any] = env._queue
        heappush(queue, (env._now + target, NORMAL, next(env._eid), flow))
    elif target.__class__ is Ticket:
        target.flow = flow
    else:
        target.callbacks.append(flow.resume)


def start_flow(env: simpy.Environment, flow: Generator[Any, Any, Any], done: simpy.Event | None = None) -> None:
    """Run a case's generator on ``env`` (to be driven by :func:`run_until`), without a ``simpy.Process``.

    The generator yields what it waits for (module docstring); a pause evaluates to the time it ends
    (``now = yield 5.0``), which spares the flow reading ``env.now``; a ticket to the value it was fired with;
    a simpy event to the event's value. A process costs two events of its own per case (its start and its
    end) and a general-purpose resume with checks the engine does not need; a timeout creates and
    initialises an event for every pause; for short steps these were a third of the run time. The generator
    runs at once up to its first ``yield``. ``done`` (if given) succeeds with the generator's return value.
    An exception in the generator propagates out of :func:`run_until`.
    """
    _advance(_Flow(env, flow.send, done), None)


def run_until(env: simpy.Environment, until: simpy.Event) -> None:
    """``env.run(until=until)`` for an environment with flows: process events in order until ``until`` has
    been processed.

    The loop of ``Environment.run`` and ``step``, written out so that an event costs no method call and no
    exception frame of its own, and a flow's pause or ticket resumes the flow without any callback: a run of
    a year processes millions of events. An event that failed (never one of the engine's) raises as in
    ``step``; an empty schedule before ``until`` is a ``RuntimeError``.

    Python's cyclic garbage collector is paused meanwhile: flows leave no cycles behind (a test holds it), so
    what they drop is freed at once by reference counting, and the collector only walked the cases in
    flight, again and again (a tenth of the run time). Cycles made by others (``AllOf`` of a split, the flows
    still in flight at the end) are few and collected once it runs again.
    """
    queue: list[Any] = env._queue
    eid = env._eid
    collecting = gc.isenabled()
    gc.disable()
    try:
        while until.callbacks is not None:
            try:
                env._now, _, _, item = heappop(queue)
            except IndexError:
                raise RuntimeError(
                    f'no scheduled events left but "until" event was not triggered: {until}') from None
            kind = item.__class__
            if kind is _Flow:  # a pause ends: the flow goes on at this time
                flow = item
                value = env._now
            elif kind is Ticket:
                flow = item.flow
                value = item.value
            else:  # a simpy event, as Environment.step processes it
                callbacks, item.callbacks = item.callbacks, None
                for callback in callbacks:
                    callback(item)
                if not item._ok and not hasattr(item, "_defused"):
                    raise item._value
                continue
            # _advance(flow, value), written out: this is the engine's innermost loop.
            try:
                target = flow.send(value)
            except StopIteration as stop:
                if flow.done is not None:
                    flow.done.succeed(stop.value)
                continue
            if target.__class__ is float:
                heappush(queue, (env._now + target, NORMAL, next(eid), flow))
            elif target.__class__ is Ticket:
                target.flow = flow
            else:
                target.callbacks.append(flow.resume)
    finally:
        if collecting:
            gc.enable()
