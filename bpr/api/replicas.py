"""Replications kept in memory, so that a what-if against a base already simulated runs only its changes.

With common random numbers, replication ``r`` of a process depends only on the process, the options that
decide a run and ``r`` (:func:`bpr.simulate.runner.replicate`): every field of the
:class:`~bpr.simulate.SimConfig` except ``replications`` (how many are run, not what each one is) and
``workers`` (where they run); ``events`` only for replication 0, the one whose event log is kept. A kept
output is therefore the very output a rerun would compute, and a summary of kept and fresh outputs is the
summary of a rerun, to the byte. An analyst asks many what-ifs against the same base: its replications are
computed by the first request that needs them and reused by every later one, so a what-if runs only its
changed version, and a simulate of a base already compared runs nothing. A request for 10 replications
takes replications 0..9 of an earlier request for 20.

Outputs are kept only from runs that finished and were stored as done (a cancelled or failed job adds
nothing). The cache is bounded twice, by entries and by approximate bytes (:func:`approximate_bytes`); the
least recently used outputs go first. Nothing is written to disk: finished answers are in the job store,
and outputs are cheap to compute again after a restart. The code that computed an output is part of its
key, like the store's keys, though a restart is needed for new code anyway. Requests fill it, and with
``bpr serve --warm`` so does the idle-time warm-up (:mod:`bpr.api.warm`: the shipped scenarios with the
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

__all__ = ["ReplicaCache", "ReplicaKey", "approximate_bytes", "replica_keys", "run_digest"]

_NOT_DECIDING = {"replications", "workers", "events"}
"""SimConfig fields left out of a run's digest: the first two do not change any replication, ``events``
changes replication 0 only and is part of its key instead."""

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
    per-case sample dominates: 22 numbers of 8 bytes per case, up to ``case_sample`` cases)."""
    numbers = (len(output.busy) + len(output.tasks) + len(output.available) + len(output.step_waiting)
               + len(output.step_visits) + len(output.by_channel) + sum(len(q) for q in output.queue_samples))
    size = _OBJECT_BYTES + output.sums.nbytes + output.sample.nbytes + numbers * _NUMBER_BYTES
    if output.events:
        size += sum(_EVENT_BYTES + len(row) * _NUMBER_BYTES for row in output.events)
    return size


class ReplicaCache:
    """Least recently used replication outputs, at most ``max_entries`` of them and about ``max_bytes``.

    Thread-safe: requests look outputs up in the event loop, finished runs add theirs from a thread. Either
    bound at 0 turns the cache off. An output larger than ``max_bytes`` on its own is not kept.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[ReplicaKey, tuple[ReplicationOutput, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evicted = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    @property
    def bytes(self) -> int:
        return self._bytes

    def get_many(self, keys: Iterable[ReplicaKey]) -> dict[ReplicaKey, ReplicationOutput]:
        """The outputs kept for ``keys`` (each found one becomes the most recently used)."""
        found: dict[ReplicaKey, ReplicationOutput] = {}
        with self._lock:
            for key in keys:
                item = self._items.get(key)
                if item is None:
                    self.misses += 1
                    continue
                self._items.move_to_end(key)
                found[key] = item[0]
                self.hits += 1
        return found

    def put_many(self, items: Iterable[tuple[ReplicaKey, ReplicationOutput]]) -> None:
        """Keep these outputs, then drop the least recently used until both bounds hold."""
        if not self.enabled:
            return
        sized = [(key, output, approximate_bytes(output)) for key, output in items]
        with self._lock:
            for key, output, size in sized:
                if size > self.max_bytes:
                    continue
                old = self._items.pop(key, None)
                if old is not None:
                    self._bytes -= old[1]
                self._items[key] = (output, size)
                self._bytes += size
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, size) = self._items.popitem(last=False)
                self._bytes -= size
                self.evicted += 1

    def put_within(self, key: ReplicaKey, output: ReplicationOutput, max_entries: int, max_bytes: int) -> bool:
        """Keep this output only if the cache then holds at most ``max_entries`` entries and ``max_bytes``
        bytes (bounds no larger than the cache's own), dropping nothing; False when it would not fit. For
        work nobody asked for yet, which must not push out what requests use."""
        if not self.enabled:
            return False
        size = approximate_bytes(output)
        with self._lock:
            if key in self._items:
                return True
            if len(self._items) + 1 > min(max_entries, self.max_entries) or \
                    self._bytes + size > min(max_bytes, self.max_bytes):
                return False
            self._items[key] = (output, size)
            self._bytes += size
        return True

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def stats(self) -> dict[str, int]:
        """Entries and bytes kept, their bounds, and lookups found / not found and outputs dropped so far."""
        with self._lock:
            return {"entries": len(self._items), "bytes": self._bytes, "max_entries": self.max_entries,
                    "max_bytes": self.max_bytes, "hits": self.hits, "misses": self.misses, "evicted": self.evicted}
