"""Replications kept in memory, so that a what-if against a base already simulated runs only its changes.

With common random numbers, replication ``r`` of a process depends only on the process, the options that
decide a run and ``r`` (:func:`bpr.simulate.engine.replicate`): every field of the
:class:`~bpr.simulate.SimConfig` except ``replications`` (how many are run, not what each one is) and
``workers`` (where they run); ``events`` only for replication 0, the one whose event log is kept. A kept
output is therefore the very output a rerun would compute, and a summary of kept and fresh outputs is the
summary of a rerun, to the byte. An analyst asks many what-ifs against the same base: its replications are
computed by the first request that needs them and reused by every later one, so a what-if runs only its
changed version, and a simulate of a base already compared runs nothing. A request for 10 replications
takes replications 0..9 of an earlier request for 20.

Outputs are kept only from runs that finished and were stored as done (a cancelled or failed job adds
nothing). The cache is bounded twice, by entries and by approximate bytes (:func:`approximate_bytes`); the
least recently used outputs go first, those never found again before those that were (a segmented LRU,
:class:`ReplicaCache`: a base outlives the afters of the what-ifs on it). Nothing is written to disk: finished answers are in the job store,
and outputs are cheap to compute again after a restart. The code that computed an output is part of its
key, like the store's keys, though a restart is needed for new code anyway. Requests fill it, and with
``bpr serve --warm`` so does the idle-time warm-up (:mod:`bpr.service.warm`: the shipped scenarios with the
default options), through :meth:`ReplicaCache.put_within`, which never evicts.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput

__all__ = ["PROTECTED_SHARE", "ReplicaCache", "ReplicaKey", "approximate_bytes", "replica_keys", "run_digest"]

_NOT_DECIDING = {"replications", "workers", "events"}
"""SimConfig fields left out of a run's digest: the first two do not change any replication, ``events``
changes replication 0 only and is part of its key instead."""

PROTECTED_SHARE = 0.75
"""The share of either bound that outputs found again (or computed ahead by the warm-up) may hold before the
least recently used of them become evictable like new ones (see :class:`ReplicaCache`)."""

_OBJECT_BYTES = 1024
"""The output object, its dicts and small fields, all told."""
_NUMBER_BYTES = 32
"""A Python int or float in a list: the object and the pointer to it."""
_EVENT_BYTES = 64
"""An event-log row: the tuple and its pointer, its fields counted as numbers."""


@dataclass(frozen=True, slots=True)
class ReplicaKey:
    """Replication ``replication`` of the run ``digest`` (:func:`run_digest`), with or without its event log."""

    digest: str
    replication: int
    events: bool


def run_digest(code: str, process_data: dict[str, Any], config: SimConfig) -> str:
    """Hash of what decides each replication: the code, the process (its canonical JSON, so the same model
    written as YAML or JSON is the same run) and the options but ``replications``, ``workers``, ``events``."""
    deciding = config.model_dump(mode="json", exclude=_NOT_DECIDING)
    text = json.dumps({"code": code, "process": process_data, "config": deciding}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replica_keys(digest: str, config: SimConfig) -> list[ReplicaKey]:
    """The keys of replications ``0 .. config.replications - 1`` of the run ``digest``."""
    return [ReplicaKey(digest, r, config.events and r == 0) for r in range(config.replications)]


def approximate_bytes(output: ReplicationOutput) -> int:
    """Memory held by one output, roughly: numpy arrays by their size, other numbers at 32 bytes each (the
    event log, when kept, dominates)."""
    numbers = (len(output.busy) + len(output.tasks) + len(output.available) + len(output.step_waiting)
               + len(output.step_visits) + len(output.by_channel) + sum(len(q) for q in output.queue_samples))
    arrays = (output.sums, output.quantiles, output.sample)
    size = _OBJECT_BYTES + sum(a.nbytes for a in arrays if a is not None) + numbers * _NUMBER_BYTES
    if output.events:
        size += sum(_EVENT_BYTES + len(row) * _NUMBER_BYTES for row in output.events)
    return size


class ReplicaCache:
    """Replication outputs, at most ``max_entries`` of them and about ``max_bytes``, in two least recently
    used segments (a segmented LRU).

    A request's new outputs enter *probation*; an output found by a later request moves to *protected*, and
    so do the outputs the warm-up computes ahead (:meth:`put_within`). To stay within the bounds the least
    recently used output of probation goes first, of protected only when probation is empty. Protected holds
    at most :data:`PROTECTED_SHARE` of either bound: beyond it, its least recently used output goes back to
    probation as the most recently used there. Why: the base of an analyst's what-ifs is found by every
    what-if on it, while the after of each what-if is seldom asked for again; with one LRU, a session of
    what-ifs on one base pushes out every other base, those warmed for the shipped scenarios first.

    Thread-safe: requests look outputs up in the event loop, finished runs add theirs from a thread. Either
    bound at 0 turns the cache off. An output larger than ``max_bytes`` on its own is not kept.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._probation: OrderedDict[ReplicaKey, tuple[ReplicationOutput, int]] = OrderedDict()
        self._protected: OrderedDict[ReplicaKey, tuple[ReplicationOutput, int]] = OrderedDict()
        self._bytes = 0
        self._protected_bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evicted = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def __contains__(self, key: object) -> bool:
        return key in self._protected or key in self._probation

    @property
    def bytes(self) -> int:
        return self._bytes

    def is_protected(self, key: ReplicaKey) -> bool:
        return key in self._protected

    def get_many(self, keys: Iterable[ReplicaKey]) -> dict[ReplicaKey, ReplicationOutput]:
        """The outputs kept for ``keys``; each found one becomes the most recently used of protected."""
        found: dict[ReplicaKey, ReplicationOutput] = {}
        with self._lock:
            for key in keys:
                if key in self._protected:
                    self._protected.move_to_end(key)
                    item = self._protected[key]
                elif key in self._probation:
                    item = self._probation.pop(key)
                    self._protected[key] = item
                    self._protected_bytes += item[1]
                else:
                    self.misses += 1
                    continue
                found[key] = item[0]
                self.hits += 1
            self._demote()
        return found

    def put_many(self, items: Iterable[tuple[ReplicaKey, ReplicationOutput]]) -> None:
        """Keep these outputs (in probation), then drop the least recently used until both bounds hold."""
        if not self.enabled:
            return
        sized = [(key, output, approximate_bytes(output)) for key, output in items]
        with self._lock:
            for key, output, size in sized:
                if size > self.max_bytes:
                    continue
                segment = self._protected if self._drop(key) else self._probation  # a protected one stays so
                segment[key] = (output, size)
                self._bytes += size
                if segment is self._protected:
                    self._protected_bytes += size
            self._demote()
            while len(self) > self.max_entries or self._bytes > self.max_bytes:
                segment = self._probation if self._probation else self._protected
                _, (_, size) = segment.popitem(last=False)
                self._bytes -= size
                if segment is self._protected:
                    self._protected_bytes -= size
                self.evicted += 1

    def put_within(self, key: ReplicaKey, output: ReplicationOutput, max_entries: int, max_bytes: int) -> bool:
        """Keep this output, protected, only if the cache then holds at most ``max_entries`` entries and
        ``max_bytes`` bytes (bounds no larger than the cache's own), dropping nothing; False when it would
        not fit. For work done ahead of any request, which must not push out what requests use."""
        if not self.enabled:
            return False
        size = approximate_bytes(output)
        with self._lock:
            if key in self:
                return True
            if len(self) + 1 > min(max_entries, self.max_entries) or \
                    self._bytes + size > min(max_bytes, self.max_bytes):
                return False
            self._protected[key] = (output, size)
            self._bytes += size
            self._protected_bytes += size
            self._demote()
        return True

    def touch(self, keys: Iterable[ReplicaKey]) -> None:
        """Make the kept outputs of ``keys``, in this order, the most recently used of their segment, without
        counting a hit: the warm-up ends with the outputs it values most as the last to go."""
        with self._lock:
            for key in keys:
                for segment in (self._protected, self._probation):
                    if key in segment:
                        segment.move_to_end(key)
                        break

    def _drop(self, key: ReplicaKey) -> bool:
        """Forget ``key``'s output if kept; True when it was protected."""
        old = self._protected.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
            self._protected_bytes -= old[1]
            return True
        old = self._probation.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        return False

    def _demote(self) -> None:
        """Move protected's least recently used outputs back to probation until protected is within its share."""
        entries, size = int(self.max_entries * PROTECTED_SHARE), int(self.max_bytes * PROTECTED_SHARE)
        while self._protected and (len(self._protected) > entries or self._protected_bytes > size):
            key, item = self._protected.popitem(last=False)
            self._protected_bytes -= item[1]
            self._probation[key] = item

    def clear(self) -> None:
        with self._lock:
            self._probation.clear()
            self._protected.clear()
            self._bytes = self._protected_bytes = 0

    def stats(self) -> dict[str, int]:
        """Entries and bytes kept (and how many of them protected), their bounds, and lookups found / not
        found and outputs dropped so far."""
        with self._lock:
            return {"entries": len(self), "protected": len(self._protected), "bytes": self._bytes,
                    "max_entries": self.max_entries, "max_bytes": self.max_bytes, "hits": self.hits,
                    "misses": self.misses, "evicted": self.evicted}
