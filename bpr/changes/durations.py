"""Durations as changes write them: file form, a phrase, rounded sums and scalings."""

from __future__ import annotations

import math
from typing import Any

from pydantic import TypeAdapter

from bpr.model.distributions import Duration, Fixed, Lognormal
from bpr.model.schema import Approval, Process, Task, Wait

__all__ = ["duration_data", "duration_of", "duration_words", "minutes", "scaled", "summed"]

_DURATION: TypeAdapter[Any] = TypeAdapter(Duration)


def duration_data(dist: Any) -> Any:
    """A duration distribution in file form (``15m`` or a mapping with ``dist:``)."""
    return _DURATION.dump_python(dist, mode="json")


def duration_of(process: Process, step_id: str) -> Any:
    """The duration of a task, approval or wait step of ``process``."""
    step = process.step(step_id)
    assert isinstance(step, (Task, Approval, Wait)), f"step {step_id!r} ({step.type}) has no duration"
    return step.duration


def duration_words(dist: Any) -> str:
    """``15m``, or ``triangular min 10m, mode 20m, max 40m`` (the file form, as a phrase)."""
    data = duration_data(dist)
    if isinstance(data, str):
        return data
    return f"{data['dist']} " + ", ".join(f"{key} {value}" for key, value in data.items() if key != "dist")


def minutes(value: float) -> float:
    """Computed durations are kept to 1/10000 of a minute, so that files stay readable (``12m``, not
    ``12.000000000000002m``)."""
    return round(value, 4)


def scaled(dist: Any, factor: float) -> Any:
    """A duration distribution with every time parameter multiplied by ``factor``, in file form."""
    if factor == 1:
        return duration_data(dist)
    raw = dist.model_dump(by_alias=True)
    for key in ("value", "mean", "sd", "min", "mode", "max"):
        if key in raw:
            raw[key] = minutes(raw[key] * factor)
    if "values" in raw:
        raw["values"] = [minutes(v * factor) for v in raw["values"]]
    return duration_data(type(dist).model_validate(raw))


def summed(dists: list[Any]) -> Any:
    """Duration of doing each of ``dists`` in turn, in file form: fixed + fixed -> fixed sum; otherwise a
    lognormal with the summed mean and variance."""
    mean = sum(d.mean for d in dists)
    variance = sum(d.variance for d in dists)
    if variance <= 0:
        return duration_data(Fixed(value=minutes(mean)))
    return duration_data(Lognormal(mean=minutes(mean), sd=minutes(math.sqrt(variance))))
