"""Runs: replications in worker processes, summarised; before/after pairs with common random numbers.

Replication ``r`` depends only on (process, config.seed, r) — see :mod:`bpr.simulate.streams` — so the
results are identical for any number of workers; outputs are put back in replication order before they
are summarised. With ``workers > 1`` replications run in a ``concurrent.futures.ProcessPoolExecutor``
(``forkserver`` start method where available: no fork of a threaded parent); with ``workers == 1`` they
run in this process. ``progress(done, total)`` is called after each replication; the library never prints.

A Ctrl-C, a SIGTERM turned into an exception by the caller, or a failed replication stops the workers at
once rather than after their replications; and workers end by themselves when this process ends in a way
that runs no code at all (SIGKILL, an out-of-memory kill): :mod:`bpr.simulate.lifeline`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, wait
from contextlib import contextmanager

from bpr.errors import SimulationError
from bpr.model.schema import Process
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import ReplicationOutput, replicate  # a worker unpickles replicate: the engine alone
from bpr.simulate.lifeline import stop_now, worker_pool
from bpr.simulate.plan import Plan, build_plan
from bpr.simulate.results import Comparison, SimulationResult, compare_results, summarize

__all__ = ["Progress", "compare", "plan_for", "replicate", "run_jobs", "simulate"]

Progress = Callable[[int, int], None]


def run_jobs(jobs: list[tuple[int, Plan, int]], config: SimConfig, progress: Progress | None) -> dict[int, list[ReplicationOutput]]:
    """Run ``(group, plan, replication)`` jobs; outputs by group, in replication order (``progress(done,
    total)`` after each)."""
    total = len(jobs)
    outputs: dict[int, list[ReplicationOutput]] = {}
    done = 0
    if config.workers == 1 or total == 1:
        for group, plan, replication in jobs:
            outputs.setdefault(group, []).append(replicate(plan, config, replication))
            done += 1
            if progress is not None:
                progress(done, total)
    else:
        pool = worker_pool(min(config.workers, total), preload=["bpr.simulate.engine"])
        try:
            with _workers_skip_main_script():  # the workers start with the first submissions
                futures = {pool.submit(replicate, plan, config, replication): group
                           for group, plan, replication in jobs}
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in finished:
                    error = future.exception()
                    if error is not None:
                        raise error
                    outputs.setdefault(futures[future], []).append(future.result())
                    done += 1
                    if progress is not None:
                        progress(done, total)
        except BaseException:  # Ctrl-C, SIGTERM or a failed replication: the other replications are not wanted
            stop_now(pool)
            raise
        pool.shutdown(wait=True)
    for group in outputs:
        outputs[group].sort(key=lambda out: out.replication)
    return outputs


@contextmanager
def _workers_skip_main_script() -> Iterator[None]:
    """Keep the caller's script from running again in each worker while the workers start.

    ``spawn`` and ``forkserver`` workers re-run the main script (as ``__mp_main__``) unless it was started
    with ``python -m``; a plain script without an ``if __name__ == "__main__":`` guard then simulates again
    in every worker, which breaks the pool (BrokenProcessPool). The workers need only bpr's own functions,
    so while they start, the script's path is hidden from multiprocessing and the workers skip it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield  # an interactive session, or python -m: nothing would be re-run
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def plan_for(process: Process, config: SimConfig) -> Plan:
    """``process`` compiled for the engine with ``config``'s start date (what :func:`replicate` runs); a
    process the engine cannot run raises :class:`~bpr.errors.SimulationError`."""
    try:
        return build_plan(process, config.start_date)
    except (KeyError, ValueError) as error:  # a process that skipped the loader's checks
        raise SimulationError(f"process {process.id!r} cannot be simulated: {error}") from None


def simulate(process: Process, config: SimConfig | None = None, progress: Progress | None = None) -> SimulationResult:
    """Simulate ``process`` for ``config.replications`` replications and summarise them."""
    config = config or SimConfig()
    plan = plan_for(process, config)
    outputs = run_jobs([(0, plan, r) for r in range(config.replications)], config, progress)
    return summarize(plan, config, outputs[0])


def compare(before: Process, after: Process, config: SimConfig | None = None,
            progress: Progress | None = None) -> Comparison:
    """Simulate both versions with the same seed and streams and pair their replications."""
    config = config or SimConfig()
    plans = (plan_for(before, config), plan_for(after, config))
    jobs = [(group, plans[group], r) for r in range(config.replications) for group in (0, 1)]
    outputs = run_jobs(jobs, config, progress)
    return compare_results(summarize(plans[0], config, outputs[0]), summarize(plans[1], config, outputs[1]))
