"""One year of a 50,000-cases/year, 10-step process: 10 replications on 2 worker processes.

The process is a realistic office flow on the default city calendar (Mon-Fri 08:30-12:00, 13:00-17:15, JP
holidays, year-end closure): counter and online channels, a case attribute, rework, a decision by amount,
a once-a-day mail run, a batched approval and a delegation. Prints the wall time, the simulated cases and
events per second, and the peak resident memory of the parent and of the busiest worker. Targets: <= 40 s
and <= 500 MB.

    python bench/year_run.py [--replications 10] [--workers 2] [--horizon 1y] [--reference DIR [--repeat 3]]

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), each
version runs ``--repeat`` times in turns, each run in a fresh interpreter with its ``bpr`` first on the path,
and the medians and their ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

from bpr.model.load import process_from_data
from bpr.simulate import SimConfig, simulate
from turns import add_reference_options, in_turns, print_ratios  # bench/turns.py: the script's directory is first on the path

PROCESS = {
    "id": "permit50k",
    "name": "許可申請 (50,000 cases/year)",
    "roles": {
        "clerk": {"staff": 14, "hourly_cost": 3000},
        "chief": {"staff": 3, "hourly_cost": 4500},
        "manager": {"staff": 2, "hourly_cost": 6000},
        "director": {"staff": 1, "hourly_cost": 8000},
        "records": {"staff": 2, "hourly_cost": 2800},
    },
    "attributes": {"amount": {"dist": "lognormal", "mean": 500000, "sd": 400000}},
    "arrivals": [
        {"channel": "counter", "rate": "35000/year"},
        {"channel": "online", "rate": "15000/year", "calendar": "always", "start": "check"},
    ],
    "steps": [
        {"id": "receive", "type": "task", "role": "clerk", "citizen_present": True, "medium": "paper",
         "duration": {"dist": "triangular", "min": "3m", "mode": "6m", "max": "15m"}, "next": "check"},
        {"id": "check", "type": "task", "role": "clerk", "duration": {"dist": "exponential", "mean": "8m"},
         "next": "enter"},
        {"id": "enter", "type": "task", "role": "clerk", "rekey": True,
         "duration": {"dist": "lognormal", "mean": "6m", "sd": "3m"}, "next": "chief_ok"},
        {"id": "chief_ok", "type": "approval", "role": "chief", "stamp": True, "medium": "paper",
         "duration": {"dist": "exponential", "mean": "3m"}, "reject": {"probability": 0.05, "to": "enter"},
         "next": "route"},
        {"id": "route", "type": "decision", "next": [{"to": "mail", "when": "amount > 300000"},
                                                     {"to": "notify", "otherwise": True}]},
        {"id": "mail", "type": "handoff", "mode": "internal_mail", "delay": "30m", "departures": ["14:00"],
         "next": "manager_ok"},
        {"id": "manager_ok", "type": "approval", "role": "manager", "stamp": True, "medium": "paper",
         "duration": {"dist": "exponential", "mean": "3m"}, "batch": ["10:00", "16:00"], "next": "director_ok"},
        {"id": "director_ok", "type": "approval", "role": "director", "stamp": True, "medium": "paper",
         "duration": {"dist": "exponential", "mean": "2m"},
         "delegations": [{"when": "amount <= 800000", "role": "manager"}], "next": "notify"},
        {"id": "notify", "type": "task", "role": "clerk", "duration": "4m", "next": "archive"},
        {"id": "archive", "type": "task", "role": "records", "duration": {"dist": "uniform", "min": "2m", "max": "6m"},
         "next": "done"},
        {"id": "done", "type": "end"},
    ],
}


def _process_tree() -> dict[int, tuple[float, float]]:
    """(resident MB, CPU seconds) of this process and every descendant (workers, the forkserver), from /proc."""
    parents: dict[int, int] = {}
    stats: dict[int, tuple[float, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        rss_mb = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        stats[pid] = (rss_mb, cpu)
    me = os.getpid()

    def mine(pid: int) -> bool:
        while pid > 1:
            if pid == me:
                return True
            pid = parents.get(pid, 0)
        return False

    return {pid: value for pid, value in stats.items() if mine(pid)}


class TreeMonitor:
    """Polls the process tree every 0.25 s during a run: peak total memory, CPU seconds of every process."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            tree = _process_tree()
            self.peak_mb = max(self.peak_mb, sum(rss for rss, _ in tree.values()))
            for pid, (_, cpu) in tree.items():
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)
            self._stop.wait(0.25)

    @property
    def worker_cpu_seconds(self) -> float:
        """CPU time of the descendants (workers and the forkserver), not of this process and its monitor."""
        return sum(cpu for pid, cpu in self.cpu.items() if pid != os.getpid())

    def __enter__(self) -> TreeMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(replications: int, workers: int, horizon: str) -> dict[str, float]:
    """Wall seconds, CPU seconds of the workers and peak tree memory of one run, in this process."""
    config = SimConfig(replications=replications, workers=workers, horizon=horizon, seed=1)
    with TreeMonitor() as tree:
        start = time.perf_counter()
        result = simulate(process_from_data(PROCESS), config)
        wall = time.perf_counter() - start
    return {"wall": wall, "cpu": tree.worker_cpu_seconds, "peak_mb": tree.peak_mb,
            "cases": float(sum(result.values["arrived"]))}


def compare_with(reference: Path, args: argparse.Namespace) -> None:
    """This version against the one in ``reference``, in turns, each run in a fresh interpreter."""
    figures = in_turns(__file__, ["--replications", str(args.replications), "--workers", str(args.workers),
                                  "--horizon", args.horizon], reference, args.repeat)
    print_ratios(figures, [("wall", "wall time, s"), ("cpu", "CPU time of the workers, s"),
                           ("peak_mb", "peak tree memory, MB")], reference,
                 f"{args.replications} replications x {args.horizon}, {args.workers} workers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--horizon", default="1y")
    add_reference_options(parser)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.replications, args.workers, args.horizon)))
        return
    if args.reference is not None:
        compare_with(args.reference, args)
        return
    process = process_from_data(PROCESS)
    config = SimConfig(replications=args.replications, workers=args.workers, horizon=args.horizon, seed=1)
    load_before = os.getloadavg()[0]
    with TreeMonitor() as tree:
        start = time.perf_counter()
        result = simulate(process, config)
        wall = time.perf_counter() - start
    cases = sum(result.values["arrived"])
    print(f"{args.replications} replications x {args.horizon} (+{config.warm_up} warm-up), {args.workers} workers")
    print(f"measured cases: {cases:,.0f} ({cases / args.replications:,.0f} per replication)")
    print(f"wall time: {wall:.1f} s  ({cases / wall:,.0f} measured cases/s)")
    cpu = tree.worker_cpu_seconds
    print(f"CPU time of the workers: {cpu:.1f} s ({cpu / args.replications:.1f} s per replication); on "
          f"{args.workers} idle cores that is about {cpu / args.workers:.1f} s of wall time")
    print(f"peak memory (RSS of this process and its workers together): {tree.peak_mb:.0f} MB")
    print(f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores; other work shares them)")
    lead = result.kpis["lead_time"].mean
    print(f"lead time {lead.mean / 60:.1f} h ± {lead.half_width / 60:.2f} h; utilisation "
          + ", ".join(f"{r}: {v.utilisation.mean:.0%}" for r, v in result.roles.items() if v.utilisation))
    for warning in result.warnings:
        print("warning:", warning.message)


if __name__ == "__main__":
    main()
