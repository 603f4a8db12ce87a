"""The options of a sweep, and the seed of each process in it.

A sweep runs every version of every process with the same options; they are the fields of
:class:`~bpr.simulate.SimConfig` that decide a run, with defaults suited to ranking hundreds of processes
(a quarter of a year per replication, 10 replications, a smaller per-case sample for p50/p90).

**Seeds.** One root ``SeedSequence(seed)`` decides every number of a sweep. Process ``key`` gets the child
``SeedSequence(seed, spawn_key=(h(key),))`` where ``h`` is the 64-bit hash of
:func:`bpr.simulate.streams.stream_key`; its first 63 bits are the ``SimConfig.seed`` of the process, from
which replication ``r`` spawns one generator per random source (:mod:`bpr.simulate.streams`). So every
(process, what-if, replication) has its own place in one tree of seed sequences, fixed by names rather than
by positions: adding a process to a catalogue, reordering it, or running it on another executor changes no
number. The what-ifs of a process share its seed on purpose: that is what makes them *common random
numbers* (the same citizens arrive, with the same needs, before and after the change), so the difference of
a pair of versions is measured with a narrow interval.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bpr.simulate import SimConfig
from bpr.simulate.config import DEFAULT_HOURS_PER_FTE, DEFAULT_START_DATE
from bpr.simulate.streams import stream_key

__all__ = ["SweepOptions", "process_seed"]


class SweepOptions(BaseModel):
    """Run options shared by every version of every process of a sweep (see module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    replications: Annotated[int, Field(ge=2, le=10_000)] = 10
    horizon: str = Field(default="13w", description="length of the measurement window of each replication")
    warm_up: str = Field(default="2w", description="simulated before measuring starts")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    start_date: date = DEFAULT_START_DATE
    hours_per_fte: Annotated[float, Field(ge=1, le=8760)] = DEFAULT_HOURS_PER_FTE
    case_sample: Annotated[int, Field(ge=100, le=10_000_000)] = Field(
        default=1000, description="cases per replication kept for p50/p90")

    @model_validator(mode="after")
    def _runnable(self) -> SweepOptions:
        self.config(0)  # horizon and warm-up are read (and refused) exactly as bpr simulate reads them
        return self

    def config(self, seed: int) -> SimConfig:
        """The :class:`SimConfig` of a process whose seed is ``seed`` (:func:`process_seed`)."""
        return SimConfig(replications=self.replications, horizon=self.horizon, warm_up=self.warm_up, seed=seed,
                         start_date=self.start_date, hours_per_fte=self.hours_per_fte,
                         case_sample=self.case_sample, workers=1)

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def process_seed(root: int, key: str) -> int:
    """The seed of process ``key`` in a sweep whose seed is ``root``: 63 bits of its child sequence."""
    child = np.random.SeedSequence(root, spawn_key=(stream_key(f"process:{key}"),))
    high, low = (int(word) for word in child.generate_state(2, np.uint32))
    return ((high << 32) | low) >> 1
