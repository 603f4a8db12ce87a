"""Named random streams: one seed, an independent numpy Generator per source of randomness.

Every random source of a run gets its own stream, named after what it drives:

=====================  ======================================================
``arrivals:<channel>``  inter-arrival gaps (and profile thinning) of a channel
``attr:<channel>:<a>``  case attribute ``a`` of cases arriving through a channel
``duration:<step>``     work durations of a task or approval
``delay:<step>``        transport delays of a handoff
``case:<channel>``      a 64-bit key per case, for the case's own choices (below)
``reservoir``           which cases the bounded per-case sample keeps
``queue-samples``       when the queue lengths are sampled
=====================  ======================================================

Branch choices of probability decisions and rejections of approvals are drawn *per case*, not from a
stream read in order: ``case_uniform(case key, key of "decision:<step>" or "reject:<step>", n)`` hashes
the three together (SplitMix64), where ``n`` counts the case's earlier draws at that step. So a case takes
the same branches and meets the same rejections in the before and after versions even when a change
reorders the queues (a case that is rejected at an approval before is rejected there after, as long as
the approval exists), and a case that comes round a loop again gets a fresh draw.

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

__all__ = ["Streams", "case_uniform", "stream_key"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (the same on every machine and Python version)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def case_uniform(case_key: int, step_key: int, n: int) -> float:
    """A uniform number in [0, 1) fixed by (case, step, n-th draw there): SplitMix64 of their mix."""
    x = (case_key ^ step_key ^ ((n * _GOLDEN) & _MASK)) + _GOLDEN & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return ((x ^ (x >> 31)) >> 11) * 1.1102230246251565e-16  # top 53 bits / 2**53


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
