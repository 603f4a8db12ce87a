"""Sweep: the local process pool against a Dask LocalCluster with the same number of worker processes.

    python bench/sweep_cluster.py                      # the acceptance size: 200 pairs x 10 replications
    python bench/sweep_cluster.py --pairs 40 --replications 4 --horizon 4w --repeat 3
    python bench/sweep_cluster.py --pairs 40 --replications 4 --horizon 4w --reference DIR [--repeat 3]

A synthetic catalogue (bpr gen-catalog, without rules) gives each process one what-if, its scenario's
redesign: ``--pairs`` processes make that many (process, what-if) pairs, i.e. twice as many runs (baseline
and redesign). It is swept with ``LocalPool(workers)`` and with ``DaskExecutor(local_workers=workers)``
(the cluster's start and stop included), each time with no run store, alternately ``--repeat`` times, so
that a change in the machine's load meanwhile falls on both. Prints each wall time, the median ratio
cluster / pool, the same ratio of wall time per CPU second of the runs (on a shared machine others' load
slows the runs themselves, and that shows in their CPU time: this ratio keeps only what the executor adds),
and the per-run cost in CPU seconds measured in the workers. Both executors must give the same table, to the
byte (checked).

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), each
version runs ``--repeat`` times (default 3) in turns, each run one round (pool, then cluster) in a fresh
interpreter with its ``bpr`` first on the path and its checkout as the working directory (``bench/turns.py``),
and the medians of these figures and their ratios this / reference are printed. Each such run checks, after
its round, that the workers of a local pool and of a LocalCluster import the same ``bpr`` as itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bpr.study.catalog import read_catalog
from bpr.study.executors import DaskExecutor, Executor, LocalPool
from bpr.study.generate import generate_catalog
from bpr.study.options import SweepOptions
from bpr.study.sweep import SweepPlan, SweepResult, plan_sweep, run_sweep
from bpr.study.table import rows_csv, sweep_rows
from turns import in_turns, print_ratios  # bench/turns.py: the script's directory is first on the path

FIGURES = [
    ("pool", "local pool, wall time, s"),
    ("cluster", "Dask LocalCluster, wall time, s"),
    ("ratio", "cluster / pool, wall time (ratio)"),
    ("normalised", "cluster / pool, wall per CPU second (ratio)"),
    ("cpu_per_run", "per run, CPU s in the workers"),
    ("cpu_per_replication", "per replication, CPU s in the workers"),
]


def timed(plan: SweepPlan, executor: Executor) -> tuple[float, SweepResult]:
    started = time.perf_counter()
    result = run_sweep(plan, executor)  # no store: every run runs
    return time.perf_counter() - started, result


def bpr_file() -> str:
    """The ``bpr`` a process imports (asked of the workers)."""
    import bpr

    return bpr.__file__


def check_workers(workers: int) -> None:
    """Stops the run unless the workers of a local pool and of a LocalCluster import this process's ``bpr``
    (with ``--reference`` the reference's: pool workers fork from a forkserver that imported it with the
    working directory first on its path; Dask workers are spawned with this process's path)."""
    ours = bpr_file()
    with LocalPool(1) as pool:
        assert pool._pool is not None
        seen = {"local pool worker": pool._pool.submit(bpr_file).result()}
    with DaskExecutor(local_workers=workers) as cluster:
        seen |= {f"Dask worker {worker}": file for worker, file in cluster.client.run(bpr_file).items()}
    for who, theirs in seen.items():
        print(f"{who}: {theirs}", file=sys.stderr)
        if theirs != ours:
            raise SystemExit(f"{who} imports {theirs}, this process {ours}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200, help="process x what-if pairs (one per process)")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--horizon", default="13w")
    parser.add_argument("--warm-up", default="2w")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, help="alternate pool and cluster this many times (default 1); "
                        "with --reference: runs of each version, one round each (default 3)")
    parser.add_argument("--reference", type=Path, help="a checkout of another bpr version to measure against")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run's figures, as JSON
    args = parser.parse_args()
    if args.replications < 2:
        parser.error("--replications must be at least 2: an interval needs two replications")
    if args.reference is not None and not args.json:
        sizes = ["--pairs", str(args.pairs), "--replications", str(args.replications),
                 "--horizon", args.horizon, "--warm-up", args.warm_up, "--workers", str(args.workers)]
        figures = in_turns(__file__, [*sizes, "--repeat", "1"], args.reference, args.repeat or 3)
        print_ratios(figures, FIGURES, args.reference,
                     f"{args.pairs} pairs x {args.replications} replications (horizon {args.horizon}, "
                     f"warm-up {args.warm_up}), {args.workers} worker processes")
        print("(each run checked that its pool's and cluster's workers import its checkout's bpr)")
        return
    say = print if not args.json else lambda *_, **__: None
    options = SweepOptions(replications=args.replications, horizon=args.horizon, warm_up=args.warm_up)
    with tempfile.TemporaryDirectory() as folder:
        plan = plan_sweep(read_catalog(generate_catalog(Path(folder), args.pairs, rules=False)), options)
    runs = len({v.key for v in plan.versions if v.key is not None})
    pairs = sum(1 for v in plan.versions if v.key is not None and v.whatif != "baseline")
    say(f"{pairs} pairs ({len(plan.catalog.entries)} processes), {runs} runs x {args.replications} replications "
        f"(horizon {args.horizon}, warm-up {args.warm_up}), {args.workers} worker processes", flush=True)
    pools, clusters, ratios, normalised, cpus, tables = [], [], [], [], [], set()
    for round_ in range(1, (args.repeat or 1) + 1):
        pool_seconds, pooled = timed(plan, LocalPool(args.workers))
        dask_seconds, clustered = timed(plan, DaskExecutor(local_workers=args.workers))
        tables |= {rows_csv(sweep_rows(pooled)), rows_csv(sweep_rows(clustered))}
        pools.append(pool_seconds)
        clusters.append(dask_seconds)
        ratios.append(dask_seconds / pool_seconds)
        # Wall time per CPU second of the runs: on a shared machine the others' load slows the runs themselves
        # (their CPU time grows too); this ratio leaves that out and keeps what the executor adds.
        normalised.append((dask_seconds / clustered.cpu_seconds) / (pool_seconds / pooled.cpu_seconds))
        cpus += [pooled.cpu_seconds, clustered.cpu_seconds]
        say(f"round {round_}: local pool {pool_seconds:7.1f} s, Dask LocalCluster {dask_seconds:7.1f} s, "
            f"ratio {ratios[-1]:.3f}; CPU in the workers {pooled.cpu_seconds:.1f} s / "
            f"{clustered.cpu_seconds:.1f} s; wall per CPU second {pool_seconds / pooled.cpu_seconds:.3f} / "
            f"{dask_seconds / clustered.cpu_seconds:.3f}, ratio {normalised[-1]:.3f}", flush=True)
    ratio = statistics.median(ratios)
    say(f"cluster / pool, wall time (median of {len(ratios)}): {ratio:.3f}  (overhead {100 * (ratio - 1):+.1f}%)")
    ratio = statistics.median(normalised)
    say(f"cluster / pool, wall per CPU second (median of {len(normalised)}): {ratio:.3f}  "
        f"(overhead {100 * (ratio - 1):+.1f}%)")
    cpu = min(cpus)  # the least disturbed measurement
    say(f"per run: {cpu / runs:.3f} CPU s ({args.replications} replications); "
        f"per replication: {cpu / runs / args.replications:.4f} CPU s (least of {len(cpus)} sweeps)")
    say(f"same table from both executors: {len(tables) == 1}")
    if len(tables) != 1:
        raise SystemExit("the executors gave different tables")
    if args.json:
        check_workers(args.workers)  # after the timed rounds: not in their time
        print(json.dumps({"pool": statistics.median(pools), "cluster": statistics.median(clusters),
                          "ratio": statistics.median(ratios), "normalised": statistics.median(normalised),
                          "cpu_per_run": cpu / runs, "cpu_per_replication": cpu / runs / args.replications}))


if __name__ == "__main__":
    main()
