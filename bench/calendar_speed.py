"""Calls per second of the WorkCalendar queries the engine makes for every task and arrival.

Run from the repository root: ``python -m bench.calendar_speed``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from bpr.model.schema import Calendar
from bpr.simulate.calendar import WorkCalendar

N = 200_000


def rate(label: str, function, arguments) -> None:
    started = time.perf_counter()
    for args in arguments:
        function(*args)
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {len(arguments) / elapsed:>12,.0f} calls/s")


def main() -> None:
    rng = np.random.default_rng(2026)
    for label in ("cold: loads the holiday tables", "warm"):
        started = time.perf_counter()
        office = WorkCalendar(Calendar(), date(2026, 4, 1), horizon_years=1)
        print(
            f"compile the default calendar from 2026-04-01, 1 year ({label}): "
            f"{1000 * (time.perf_counter() - started):.1f} ms"
        )
    print(f"  {office!r}")
    always = WorkCalendar(Calendar(always=True), date(2026, 4, 1))
    horizon = 365 * 1440.0
    times = rng.uniform(0, horizon, N).tolist()
    work = rng.lognormal(np.log(30), 1.0, N).tolist()  # task lengths around half an hour, some long
    offsets = rng.uniform(0, office.time_to_offset(horizon), N)

    rate("finish_time (office hours)", office.finish_time, list(zip(times, work)))
    rate("next_open (office hours)", office.next_open, [(t,) for t in times])
    rate("is_open (office hours)", office.is_open, [(t,) for t in times])
    rate("time_to_offset (office hours)", office.time_to_offset, [(t,) for t in times])
    rate("offset_to_time (office hours)", office.offset_to_time, [(x,) for x in offsets.tolist()])
    clocks = ("10:00", "16:00")
    rate("next_clock 10:00/16:00 (office hours)", office.next_clock, [(t, clocks) for t in times])
    rate("finish_time (always)", always.finish_time, list(zip(times, work)))
    rate("next_open (always)", always.next_open, [(t,) for t in times])
    started = time.perf_counter()
    office.offsets_to_times(offsets)
    print(
        f"{'offsets_to_times (vectorised, office hours)':<44} {N / (time.perf_counter() - started):>12,.0f} offsets/s"
    )


if __name__ == "__main__":
    main()
