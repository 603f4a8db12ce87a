"""Sweep: the local process pool against a Dask LocalCluster with the same number of worker processes.

    python bench/sweep_cluster.py                      # the acceptance size: 200 pairs x 10 replications
    python bench/sweep_cluster.py --pairs 40 --replications 4 --horizon 4w --repeat 3

A synthetic catalogue (bpr gen-catalog, without rules) gives each process one what-if, its scenario's
redesign: ``--pairs`` processes make that many (process, what-if) pairs, i.e. twice as many runs (baseline
and redesign). It is swept with ``LocalPool(workers)`` and with ``DaskExecutor(local_workers=workers)``
(the cluster's start and stop included), each time with no run store, alternately ``--repeat`` times, so
that a change in the machine's load meanwhile falls on both. Prints each wall time, the median ratio
cluster / pool, the same ratio of wall time per CPU second of the runs (on a shared machine others' load
slows the runs themselves, and that shows in their CPU time: this ratio keeps only what the executor adds),
and the per-run cost in CPU seconds measured in the workers. Both executors must give the same table, to the
byte (checked).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bpr.study.catalog import read_catalog
from bpr.study.executors import DaskExecutor, Executor, LocalPool
from bpr.study.generate import generate_catalog
from bpr.study.options import SweepOptions
from bpr.study.sweep import SweepPlan, SweepResult, plan_sweep, run_sweep
from bpr.study.table import rows_csv, sweep_rows


def timed(plan: SweepPlan, executor: Executor) -> tuple[float, SweepResult]:
    started = time.perf_counter()
    result = run_sweep(plan, executor)  # no store: every run runs
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200, help="process x what-if pairs (one per process)")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--horizon", default="13w")
    parser.add_argument("--warm-up", default="2w")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="alternate pool and cluster this many times")
    args = parser.parse_args()
    options = SweepOptions(replications=args.replications, horizon=args.horizon, warm_up=args.warm_up)
    with tempfile.TemporaryDirectory() as folder:
        plan = plan_sweep(read_catalog(generate_catalog(Path(folder), args.pairs, rules=False)), options)
    runs = len({v.key for v in plan.versions if v.key is not None})
    pairs = sum(1 for v in plan.versions if v.key is not None and v.whatif != "baseline")
    print(f"{pairs} pairs ({len(plan.catalog.entries)} processes), {runs} runs x {args.replications} replications "
          f"(horizon {args.horizon}, warm-up {args.warm_up}), {args.workers} worker processes", flush=True)
    ratios, normalised, cpus, tables = [], [], [], set()
    for round_ in range(1, args.repeat + 1):
        pool_seconds, pooled = timed(plan, LocalPool(args.workers))
        dask_seconds, clustered = timed(plan, DaskExecutor(local_workers=args.workers))
        tables |= {rows_csv(sweep_rows(pooled)), rows_csv(sweep_rows(clustered))}
        ratios.append(dask_seconds / pool_seconds)
        # Wall time per CPU second of the runs: on a shared machine the others' load slows the runs themselves
        # (their CPU time grows too); this ratio leaves that out and keeps what the executor adds.
        normalised.append((dask_seconds / clustered.cpu_seconds) / (pool_seconds / pooled.cpu_seconds))
        cpus += [pooled.cpu_seconds, clustered.cpu_seconds]
        print(f"round {round_}: local pool {pool_seconds:7.1f} s, Dask LocalCluster {dask_seconds:7.1f} s, "
              f"ratio {ratios[-1]:.3f}; CPU in the workers {pooled.cpu_seconds:.1f} s / "
              f"{clustered.cpu_seconds:.1f} s; wall per CPU second {pool_seconds / pooled.cpu_seconds:.3f} / "
              f"{dask_seconds / clustered.cpu_seconds:.3f}, ratio {normalised[-1]:.3f}", flush=True)
    ratio = statistics.median(ratios)
    print(f"cluster / pool, wall time (median of {len(ratios)}): {ratio:.3f}  (overhead {100 * (ratio - 1):+.1f}%)")
    ratio = statistics.median(normalised)
    print(f"cluster / pool, wall per CPU second (median of {len(normalised)}): {ratio:.3f}  "
          f"(overhead {100 * (ratio - 1):+.1f}%)")
    cpu = min(cpus)  # the least disturbed measurement
    print(f"per run: {cpu / runs:.3f} CPU s ({args.replications} replications); "
          f"per replication: {cpu / runs / args.replications:.4f} CPU s (least of {len(cpus)} sweeps)")
    print(f"same table from both executors: {len(tables) == 1}")
    if len(tables) != 1:
        raise SystemExit("the executors gave different tables")


if __name__ == "__main__":
    main()
