"""Calls per second of the WorkCalendar queries the engine makes for every task and arrival.

Prints the time to compile the default calendar (cold: the first, which loads the holiday tables; then warm)
and the calls per second of each query over ``--calls`` random times; asserts nothing. Run it from the
repository root (it measures this checkout's ``bpr``):

    python bench/calendar_speed.py [--calls 200000] [--reference DIR [--repeat 3]]

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), each
version runs ``--repeat`` times in turns, each run in a fresh interpreter with its ``bpr`` first on the path
(``bench/turns.py``), and the medians of every figure and their ratios this / reference are printed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date
import numpy as np

from turns import add_reference_options, in_turns, measured_checkout_first, print_ratios  # noqa: E402  (bench/turns.py: the script's directory is first)

measured_checkout_first()

from bpr.model.schema import Calendar  # noqa: E402
from bpr.simulate.calendar import WorkCalendar  # noqa: E402

N = 200_000

FIGURES = [
    ("compile_cold", "compile the default calendar, cold, ms"),
    ("compile_warm", "compile the default calendar, warm, ms"),
    ("finish_time_office", "finish_time (office hours), calls/s"),
    ("next_open_office", "next_open (office hours), calls/s"),
    ("is_open_office", "is_open (office hours), calls/s"),
    ("time_to_offset_office", "time_to_offset (office hours), calls/s"),
    ("offset_to_time_office", "offset_to_time (office hours), calls/s"),
    ("next_clock_office", "next_clock 10:00/16:00 (office), calls/s"),
    ("finish_time_always", "finish_time (always), calls/s"),
    ("next_open_always", "next_open (always), calls/s"),
    ("offsets_to_times_office", "offsets_to_times (vectorised), offsets/s"),
]


def measure(calls: int, report: Callable[[str], None]) -> dict[str, float]:
    """Every figure of one run (keys of :data:`FIGURES`); ``report`` gets the printed lines."""
    figures: dict[str, float] = {}

    def rate(key: str, label: str, function, arguments) -> None:
        started = time.perf_counter()
        for args in arguments:
            function(*args)
        elapsed = time.perf_counter() - started
        figures[key] = len(arguments) / elapsed
        report(f"{label:<44} {figures[key]:>12,.0f} calls/s")

    rng = np.random.default_rng(2026)
    for key, label in (("compile_cold", "cold: loads the holiday tables"), ("compile_warm", "warm")):
        started = time.perf_counter()
        office = WorkCalendar(Calendar(), date(2026, 4, 1), horizon_years=1)
        figures[key] = 1000 * (time.perf_counter() - started)
        report(f"compile the default calendar from 2026-04-01, 1 year ({label}): {figures[key]:.1f} ms")
    report(f"  {office!r}")
    always = WorkCalendar(Calendar(always=True), date(2026, 4, 1))
    horizon = 365 * 1440.0
    times = rng.uniform(0, horizon, calls).tolist()
    work = rng.lognormal(np.log(30), 1.0, calls).tolist()  # task lengths around half an hour, some long
    offsets = rng.uniform(0, office.time_to_offset(horizon), calls)

    rate("finish_time_office", "finish_time (office hours)", office.finish_time, list(zip(times, work)))
    rate("next_open_office", "next_open (office hours)", office.next_open, [(t,) for t in times])
    rate("is_open_office", "is_open (office hours)", office.is_open, [(t,) for t in times])
    rate("time_to_offset_office", "time_to_offset (office hours)", office.time_to_offset,
         [(t,) for t in times])
    rate("offset_to_time_office", "offset_to_time (office hours)", office.offset_to_time,
         [(x,) for x in offsets.tolist()])
    clocks = ("10:00", "16:00")
    rate("next_clock_office", "next_clock 10:00/16:00 (office hours)", office.next_clock,
         [(t, clocks) for t in times])
    rate("finish_time_always", "finish_time (always)", always.finish_time, list(zip(times, work)))
    rate("next_open_always", "next_open (always)", always.next_open, [(t,) for t in times])
    started = time.perf_counter()
    office.offsets_to_times(offsets)
    figures["offsets_to_times_office"] = per_second = calls / (time.perf_counter() - started)
    report(f"{'offsets_to_times (vectorised, office hours)':<44} {per_second:>12,.0f} offsets/s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=N, help="random times (calls) per query")
    add_reference_options(parser)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.calls, lambda line: None)))
    elif args.reference is not None:
        figures = in_turns(__file__, ["--calls", str(args.calls)], args.reference, args.repeat)
        print_ratios(figures, FIGURES, args.reference, f"WorkCalendar, {args.calls:,} calls per query")
    else:
        measure(args.calls, print)


if __name__ == "__main__":
    main()
