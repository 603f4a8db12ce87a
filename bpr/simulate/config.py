"""How a simulation runs: replications, horizon, warm-up, seed, start date, workers, what to keep.

Everything that makes a run reproducible is a field here; nothing below the faces reads the clock or a
file. Times are written with units like the process file (``"1y"``, ``"4w"``, ``"10d"``); ``y`` is 365
days and ``mo`` a twelfth of that.

The run covers ``warm_up + horizon`` of simulated time from ``start_date`` 00:00. Cases that arrive during
the warm-up load the system but are not measured; cases that arrive in the **measurement window**
``[warm_up, warm_up + horizon)`` are followed to their end (arrivals go on meanwhile, so the system stays
in its steady state) for at most the drain limit (``drain``; by default the longer of the horizon and 30
days); a case still unfinished then is counted as unfinished and the run is flagged as overloaded.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bpr.model.units import MINUTES_PER_UNIT

__all__ = ["SimConfig", "parse_span", "DEFAULT_HOURS_PER_FTE", "DEFAULT_START_DATE"]

DEFAULT_HOURS_PER_FTE = 1860.0
"""Working hours of one full-time employee a year: 7.75 h x 240 working days (a common figure for
Japanese local government: 38 h 45 min a week, less holidays and leave)."""

DEFAULT_START_DATE = date(2026, 4, 1)
"""The start of the Japanese fiscal year 2026."""

MINUTES_PER_YEAR = 365 * 1440.0
_SPAN_UNITS = {**MINUTES_PER_UNIT, "y": MINUTES_PER_YEAR, "yr": MINUTES_PER_YEAR, "year": MINUTES_PER_YEAR,
               "mo": MINUTES_PER_YEAR / 12, "month": MINUTES_PER_YEAR / 12}
MAX_SPAN_YEARS = 25
"""Longest horizon, warm-up or drain: together they stay within the century a work calendar covers, and a
run of millions of simulated days is a typing error, not a study."""
_SPAN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*$")


def parse_span(text: str) -> float:
    """``"1y"`` -> 525600.0 minutes; units s, m, h, d, w, mo (365/12 days), y (365 days)."""
    match = _SPAN.match(str(text).lower())
    if not match or match.group(2) not in _SPAN_UNITS:
        raise ValueError(f"cannot read time span {text!r}; write a number and a unit such as 1y, 6mo, 4w, 10d, 8h")
    return float(match.group(1)) * _SPAN_UNITS[match.group(2)]


class SimConfig(BaseModel):
    """Options of one simulation run (see module docstring for what the window means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    replications: Annotated[int, Field(ge=2, le=10_000)] = 20
    horizon: str = Field(default="1y", description="length of the measurement window")
    warm_up: str = Field(default="4w", description="simulated before measuring starts")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    start_date: date = DEFAULT_START_DATE
    workers: Annotated[int, Field(ge=1, le=256)] = 1
    hours_per_fte: Annotated[float, Field(ge=1, le=8760)] = DEFAULT_HOURS_PER_FTE  # below 1 h, FTEs overflow
    events: bool = Field(default=False, description="keep the per-activity event log of replication 0")
    drain: str | None = Field(default=None, description="longest time to follow measured cases after the window")
    case_sample: Annotated[int, Field(ge=100, le=10_000_000)] = Field(
        default=20_000, description="cases per replication kept for p50/p90 (a uniform reservoir sample)"
    )

    @field_validator("horizon", "warm_up", "drain")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None and parse_span(value) > MAX_SPAN_YEARS * MINUTES_PER_YEAR:
            raise ValueError(f"{value!r} is longer than the limit of {MAX_SPAN_YEARS} years; "
                             f"a run covers a few years at most (write e.g. 1y)")
        return value

    @field_validator("horizon")
    @classmethod
    def _positive(cls, value: str) -> str:
        if parse_span(value) <= 0:
            raise ValueError(f"horizon {value!r} must be longer than 0")
        return value

    @property
    def horizon_minutes(self) -> float:
        return parse_span(self.horizon)

    @property
    def warm_up_minutes(self) -> float:
        return parse_span(self.warm_up)

    @property
    def drain_minutes(self) -> float:
        if self.drain is not None:
            return parse_span(self.drain)
        return max(self.horizon_minutes, 30 * 1440.0)

    @property
    def years(self) -> float:
        """Length of the measurement window in years of 365 days (to scale counts to a year)."""
        return self.horizon_minutes / MINUTES_PER_YEAR
