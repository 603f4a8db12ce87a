"""Named random streams: one seed, an independent numpy Generator per source of randomness.

Every random source of a run gets its own stream, named after what it drives:

=====================  ======================================================
``arrivals:<channel>``  inter-arrival gaps (and profile thinning) of a channel
``attr:<channel>:<a>``  case attribute ``a`` of cases arriving through a channel
``duration:<step>``     work durations of a task or approval
``delay:<step>``        transport delays of a handoff
``decision:<step>``     branch choices of a probability decision
``reject:<step>``       rejections of an approval
``reservoir``           which cases the bounded per-case sample keeps
=====================  ======================================================

A stream's seed is ``SeedSequence(seed, spawn_key=(replication, h))`` where ``h`` is a 64-bit BLAKE2b
hash of the stream's name. Keying by the *name* (not by the order in which streams are created) is what
makes common random numbers work: adding a step to a process adds a stream but shifts no other, so the
before and after versions of a process see the same arrivals, attributes and durations for every step
they share. Replication ``r`` of seed ``s`` is the same whatever else runs, so results do not depend on
the number of worker processes.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["Streams", "stream_key"]


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (the same on every machine and Python version)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class Streams:
    """The generators of one replication, created on first use and kept by name."""

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed ({seed}) and replication ({replication}) must not be negative")
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))

    def get(self, name: str) -> np.random.Generator:
        """The generator of stream ``name`` (always the same object within one replication)."""
        generator = self._generators.get(name)
        if generator is None:
            generator = np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
            self._generators[name] = generator
        return generator

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._generators))
