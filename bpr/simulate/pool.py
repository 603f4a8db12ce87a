"""A role's staff as a lean simpy resource: FIFO (or by priority) queue of cases for ``capacity`` staff.

Semantics are those of ``simpy.Resource`` / ``simpy.PriorityResource`` (a released slot goes to the first
waiting case, which resumes at the same simulated time). It is written on the kernel's tickets because
``simpy.Resource`` creates and schedules a request event even when a staff member is free, and runs its
generic put/get queues on every request and release; for a process of many short steps that was a third of
the run time. Here a free staff member is taken with no event at all, and a waiting case waits on one
:class:`~bpr.simulate.kernel.Ticket` (the flows of :func:`~bpr.simulate.kernel.start_flow` yield it).

With priorities a higher ``priority`` number is served first, FIFO within one priority. When a case is
served ahead of cases that have waited longer, those are *overtaken*: the time is handed to them when
they are served, so that the engine can count the rest of their wait as waiting for priority.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Any

import simpy

from bpr.simulate.kernel import Ticket, fire

__all__ = ["Pool"]


class Pool:
    """``capacity`` interchangeable staff. A case takes one at once when ``busy < capacity`` and nobody is
    ``waiting`` (``busy += 1``: no call, no event), else it yields the ticket of :meth:`wait`; a staff member
    done goes to the first waiting case (:meth:`hand_over`) or is free again (``busy -= 1``)."""

    __slots__ = ("env", "capacity", "busy", "priority", "waiting", "_fifo", "_heap", "_seq")

    def __init__(self, env: simpy.Environment, capacity: int, priority: bool = False) -> None:
        if capacity < 1:
            raise ValueError(f"a staff pool needs at least 1 member, got {capacity}")
        self.env = env
        self.capacity = capacity
        self.busy = 0
        self.priority = priority
        self._fifo: deque[Ticket] = deque()
        self._heap: list[list[Any]] = []  # [-priority, seq, event, overtaken-at or None]
        self._seq = 0
        #: The cases waiting, in the container of this pool's order (empty: nobody waits).
        self.waiting: deque[Ticket] | list[list[Any]] = self._heap if priority else self._fifo

    def __len__(self) -> int:
        """Cases waiting (the queue length)."""
        return len(self.waiting)

    def wait(self, priority: int = 0) -> Ticket:
        """Join the queue (all staff busy, or others waiting): a ticket that fires, with the overtaken time,
        when served."""
        event = Ticket()
        if self.priority:
            self._seq += 1
            heapq.heappush(self._heap, [-priority, self._seq, event, None])
        else:
            self._fifo.append(event)
        return event

    def hand_over(self) -> None:
        """Give the staff member just freed to the first waiting case (there is one)."""
        if self.priority:
            _, seq, event, overtaken = heapq.heappop(self._heap)
            now = self.env.now
            for entry in self._heap:  # everyone who came earlier has just been overtaken
                if entry[1] < seq and entry[3] is None:
                    entry[3] = now
            fire(self.env, event, overtaken)
        else:
            fire(self.env, self._fifo.popleft())
