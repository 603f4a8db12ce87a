"""Seconds to calibrate a log of about a million events (goal: under a minute).

Run from the repository root (it measures this checkout's ``bpr``); prints figures, asserts nothing:

    python bench/calibrate_speed.py [--events 1000000] [--accuracy] [--reference DIR [--repeat 3]]

The log comes from a simulation: ``tests/calibrate/known.yaml`` run for 364 days (one replication kept with
its events), then repeated, each copy a whole number of 364-day years later (weekdays stay aligned) with its
own case ids, until the log has ``--events`` rows. It is written as bpr's CSV, then timed: reading it,
calibrating ``tests/calibrate/wrong.yaml`` from it (replay through the routing core and every fit), and
writing the calibrated file. ``--accuracy`` also times the re-simulation of the log's whole period.

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), each
version runs ``--repeat`` times in turns, each run in a fresh interpreter with its ``bpr`` first on the path
(``bench/turns.py``), and the medians of the seconds and their ratios this / reference are printed. Both
versions read the process files of this checkout's ``tests/calibrate``; each simulates its own log (the same
number of events; the same rows unless the engine's results changed).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from turns import add_reference_options, in_turns, measured_checkout_first, print_ratios  # noqa: E402  (bench/turns.py: the script's directory is first)

measured_checkout_first()

from bpr.calibrate import calibrate, read_log  # noqa: E402
from bpr.calibrate.accuracy import accuracy  # noqa: E402
from bpr.calibrate.rewrite import rewrite  # noqa: E402
from bpr.interchange import write_csv  # noqa: E402
from bpr.interchange.eventlog import ActivityRecord  # noqa: E402
from bpr.model.load import load_process  # noqa: E402
from bpr.simulate.config import SimConfig  # noqa: E402
from bpr.simulate.results import event_records  # noqa: E402
from bpr.simulate.runner import simulate  # noqa: E402

HERE = ROOT / "tests" / "calibrate"


def log_records(events: int) -> list[ActivityRecord]:
    known = load_process(HERE / "known.yaml")
    config = SimConfig(replications=2, horizon="364d", warm_up="0d", seed=2026, start_date=date(2026, 4, 6),
                       events=True)
    year = event_records([("run", simulate(known, config))])
    records: list[ActivityRecord] = []
    copy = 0
    while len(records) < events:
        shift = timedelta(days=364 * copy)
        records.extend(r._replace(case_id=f"{copy}-{r.case_id}", enable=r.enable + shift, start=r.start + shift,
                                  end=r.end + shift) for r in year)
        copy += 1
    return records[:events]


FIGURES = [
    ("log", "simulate and repeat the log, s"),
    ("read", "read the log, s"),
    ("fit", "replay and fit, s"),
    ("write", "write the calibrated file, s"),
    ("calibrate", "calibrate in all (read, fit, write), s"),
]


def measure(events: int, with_accuracy: bool, report: Callable[[str], None]) -> dict[str, float]:
    """The seconds of one run (keys of :data:`FIGURES`, and ``accuracy``); ``report`` gets the lines."""
    started = time.perf_counter()
    records = log_records(events)
    figures = {"log": time.perf_counter() - started}
    report(f"simulated and repeated {len(records):,} events: {figures['log']:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        write_csv(records, path)
        del records
        report(f"log file: {path.stat().st_size / 1e6:.0f} MB")
        wrong_path = HERE / "wrong.yaml"
        wrong = load_process(wrong_path)
        t0 = time.perf_counter()
        log = read_log(path)
        t1 = time.perf_counter()
        result = calibrate(wrong, log)
        t2 = time.perf_counter()
        written = rewrite(wrong, wrong_path.read_text(encoding="utf-8"),
                          [(p.path, p.value) for p in result.parameters if p.value is not None])
        t3 = time.perf_counter()
        figures.update(read=t1 - t0, fit=t2 - t1, write=t3 - t2, calibrate=t3 - t0)
        report(f"read {len(log):,} rows:       {t1 - t0:6.1f} s")
        report(f"replay and fit {result.cases:,} cases: {t2 - t1:6.1f} s")
        report(f"write the calibrated file:  {t3 - t2:6.1f} s")
        report(f"calibrate in all:           {t3 - t0:6.1f} s  (goal: under 60 s)")
        if with_accuracy:
            distances = accuracy(result, written.process)
            t4 = time.perf_counter()
            figures["accuracy"] = t4 - t3
            report(f"re-simulate the period and measure: {t4 - t3:.1f} s "
                   f"(cycle time W1 {distances[0].distance:.0f} min)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--accuracy", action="store_true")
    add_reference_options(parser)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.events, args.accuracy, lambda line: None)))
    elif args.reference is not None:
        figures = in_turns(__file__, ["--events", str(args.events)] + ["--accuracy"] * args.accuracy,
                           args.reference, args.repeat)
        names = FIGURES + [("accuracy", "re-simulate the period and measure, s")] * args.accuracy
        print_ratios(figures, names, args.reference, f"calibrate a log of {args.events:,} events")
    else:
        measure(args.events, args.accuracy, print)


if __name__ == "__main__":
    main()
