"""One run of a sweep: a version of a process (the baseline or a what-if), all its replications, summarised.

A :class:`RunTask` is plain data (the version in file form, the options, the key), so that it travels to a
worker process or a Dask worker on another machine as it is; :func:`run_version` is the function every
executor calls there, and its :class:`RunRecord` (the per-replication values behind every figure) is what
comes back, what the store keeps and what the sweep's table is made from. Whichever executor ran it, a
record is the same: the same function on the same data, with seeds fixed by the task.

A run is keyed by the content hash of what decides its numbers (:func:`run_key`): the process as data, the
changes made to it, the options (its seed among them), the bpr version and a hash of the sources of the
model, the change language and the engine. Equal keys, equal records: a finished run is never run again.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bpr.errors import BprError
from bpr.model.load import process_from_data
from bpr.model.schema import Process
from bpr.simulate import SimConfig, simulate
from bpr.study.fingerprint import BPR_VERSION, code_fingerprint

__all__ = ["CODE", "RunRecord", "RunTask", "run_key", "run_version"]

CODE = code_fingerprint("model", "changes", "analysis", "simulate")
"""The sources behind a run: the model, the change language, the analysis (rules find changes) and the engine."""


@dataclass(frozen=True)
class RunTask:
    """What a worker needs to run one version: picklable plain data."""

    key: str
    label: str  # "process-key / what-if", for messages
    process: dict[str, Any]  # the version to simulate, in file form
    config: dict[str, Any]  # SimConfig as data (workers 1: the replications of a run run one after another)


@dataclass(frozen=True)
class RunRecord:
    """The outcome of one run: per-replication values of every measure, or the error that stopped it."""

    key: str
    process_id: str
    process_name: str
    values: dict[str, list[float]] = field(repr=False)
    warnings: tuple[str, ...] = ()
    overloaded: bool = False
    error: str | None = None
    cpu_seconds: float = field(default=0.0, compare=False)  # CPU time of the run in its worker; never in the table

    def to_data(self) -> dict[str, Any]:
        """JSON-safe data that :meth:`from_data` reads back exactly (floats as their shortest repr,
        non-finite ones as strings)."""
        return {"key": self.key, "process_id": self.process_id, "process_name": self.process_name,
                "values": {name: [_encode(v) for v in values] for name, values in self.values.items()},
                "warnings": list(self.warnings), "overloaded": self.overloaded, "error": self.error,
                "cpu_seconds": self.cpu_seconds}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RunRecord:
        return cls(str(data["key"]), str(data["process_id"]), str(data["process_name"]),
                   {str(name): [_decode(v) for v in values] for name, values in data["values"].items()},
                   tuple(str(w) for w in data["warnings"]), bool(data["overloaded"]),
                   None if data["error"] is None else str(data["error"]), float(data.get("cpu_seconds", 0.0)))


def _encode(value: float) -> float | str:
    return value if math.isfinite(value) else repr(value)


def _decode(value: float | str) -> float:
    return float(value)


def run_key(process: Process, changes: Sequence[dict[str, Any]], config: SimConfig) -> str:
    """Content hash of (process, changes, options, bpr version and code): see module doc. The process is
    hashed as its full data, so that the same model written two ways is one run."""
    text = json.dumps({"bpr": BPR_VERSION, "code": CODE, "process": process.model_dump(mode="json"),
                       "changes": list(changes),
                       "options": config.model_dump(mode="json", exclude={"workers", "events"})},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_version(task: RunTask) -> RunRecord:
    """Simulate the task's version with its options in this process; a version the engine refuses gives a
    record with its ``error`` (the sweep goes on with the others)."""
    started = time.process_time()
    try:
        process = process_from_data(task.process, file=task.label)
        config = SimConfig.model_validate(task.config)
        result = simulate(process, config.model_copy(update={"workers": 1}))
    except BprError as error:
        return RunRecord(task.key, str(task.process.get("id", "")), str(task.process.get("name", "")), {},
                         error=str(error).splitlines()[0], cpu_seconds=time.process_time() - started)
    return RunRecord(task.key, result.process_id, result.process_name,
                     {name: [float(v) for v in values] for name, values in result.values.items()},
                     tuple(w.message for w in result.warnings), result.overloaded,
                     cpu_seconds=time.process_time() - started)
