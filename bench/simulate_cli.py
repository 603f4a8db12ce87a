"""`bpr simulate` as a user runs it: wall time, CPU seconds and the peak memory of the whole process tree.

Runs ``python -m bpr simulate SCENARIO`` with the defaults (every core) and with ``--workers 1``, ``--repeat``
times each, and reports the median wall time, the median CPU seconds of the process and all its descendants,
and the highest sum of resident memory over the process and its descendants (sampled every 20 ms from
/proc: the figure a machine's memory has to hold, not the largest single process), as RSS (pages shared by
forked workers counted in each) and as PSS (shared pages split between the processes sharing them).

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), the
same runs of that version alternate with this one's (its ``bpr`` first on ``PYTHONPATH``), and the ratios are
printed: on a shared machine, compare the ratios, not the seconds.

    python bench/simulate_cli.py [--scenario resident_certificate] [--repeat 3] [--reference /tmp/prev]
                                 [--only defaults|workers1]

Targets (issue 17): resident_certificate with defaults <= 15 s wall and <= 300 MB for the tree; with
``--workers 1`` <= 15 CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_sample(pid: int, cpu: dict[int, float]) -> tuple[int, int]:
    """Bytes resident in ``pid`` and all its descendants now (RSS, and PSS: shared pages split between the
    processes that share them); their CPU seconds so far go into ``cpu``."""
    tree, total, pss, todo = _children(), 0, 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, ()))
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE
            with open(f"/proc/{current}/smaps_rollup", "rb") as smaps:
                pss += sum(int(line.split()[1]) * 1024 for line in smaps if line.startswith(b"Pss:"))
            with open(f"/proc/{current}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            cpu[current] = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        except (OSError, IndexError):
            continue
    return total, pss


def run(source: Path, scenario: Path, workers: list[str]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of the tree, peak tree bytes RSS, peak tree bytes PSS) of one ``bpr simulate``."""
    env = dict(os.environ, PYTHONPATH=str(source))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "bpr", "simulate", str(scenario), *workers],
                                 env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
        peak, peak_pss = 0, 0
        seen: dict[int, float] = {}
        while child.poll() is None:
            rss, pss = tree_sample(child.pid, seen)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            out.seek(0)
            raise SystemExit(f"bpr simulate failed ({child.returncode}):\n{out.read().decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Workers a pool ends without waiting for them are missing from the rusage of children: take the larger
    # of it and the CPU seen in /proc (which misses each process's last 20 ms).
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(seen.values()))
    return wall, cpu, peak, peak_pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="resident_certificate")
    parser.add_argument("--version", default="before.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", type=Path, help="a checkout of another bpr version to measure against")
    parser.add_argument("--only", choices=["defaults", "workers1"], help="measure one of the two modes only")
    args = parser.parse_args()
    scenario = ROOT / "scenarios" / args.scenario / args.version
    sources = [("this", ROOT)] + ([("reference", args.reference.resolve())] if args.reference else [])
    modes = [("defaults", []), ("--workers 1", ["--workers", "1"])]
    if args.only:
        modes = [modes[0] if args.only == "defaults" else modes[1]]
    figures: dict[tuple[str, str], list[tuple[float, float, int, int]]] = {}
    print(f"bpr simulate {args.scenario}/{args.version}, {args.repeat} runs each; "
          f"load average at start {os.getloadavg()[0]:.2f}")
    for _ in range(args.repeat):
        for mode, flags in modes:
            for label, source in reversed(sources):  # the reference first: neither always runs second
                figures.setdefault((label, mode), []).append(run(source, scenario, flags))
    print(f"{'version':10} {'mode':12} {'wall s':>8} {'CPU s':>8} {'tree MB':>8} {'PSS MB':>8}")
    medians: dict[tuple[str, str], tuple[float, float, float]] = {}
    for (label, mode), runs in figures.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs) / 1e6
        peak_pss = max(r[3] for r in runs) / 1e6
        medians[(label, mode)] = (wall, cpu, peak)
        print(f"{label:10} {mode:12} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {peak_pss:8.0f}")
    if args.reference:
        print(f"\nthis / reference ({args.reference})")
        for mode, _ in modes:
            this, ref = medians[("this", mode)], medians[("reference", mode)]
            print(f"{mode:12} wall {this[0] / ref[0]:.3f}  CPU {this[1] / ref[1]:.3f}  tree memory "
                  f"{this[2] / ref[2]:.3f}")


if __name__ == "__main__":
    main()
