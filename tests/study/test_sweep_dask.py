"""Sweeps on a real ``distributed.LocalCluster`` (worker processes): the same bytes as in this process, and a
worker killed in the middle of the sweep changes nothing but the time it takes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from bpr.study.executors import DaskExecutor, InProcess, worker_identity  # noqa: E402

from sweephelp import outputs, sweep, write_catalog  # noqa: E402


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def reference(catalog: Path) -> tuple[str, bytes, str]:
    return outputs(sweep(catalog, InProcess()))


@pytest.fixture()
def cluster() -> Iterator[object]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as local:
        yield local


def test_a_local_cluster_gives_the_same_bytes(catalog: Path, reference: tuple[str, bytes, str]) -> None:
    executor = DaskExecutor(local_workers=2)
    assert outputs(sweep(catalog, executor)) == reference
    assert executor.cluster is None and executor.client is None, "the cluster it started is closed"


def test_a_worker_killed_mid_sweep_changes_nothing(catalog: Path, reference: tuple[str, bytes, str],
                                                  cluster: distributed.LocalCluster) -> None:
    killed: list[int] = []
    with distributed.Client(cluster) as watcher:

        def kill_a_busy_worker(done: int, total: int) -> None:
            if killed or done < 1 or done >= total:
                return
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # wait for a worker that holds a run
                busy = [worker for worker, keys in watcher.processing().items() if keys]
                if busy:
                    pid = watcher.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
                if done >= total:
                    return
                time.sleep(0.01)

        result = sweep(catalog, DaskExecutor(cluster.scheduler_address), progress=kill_a_busy_worker)
    assert killed, "no worker was busy while runs were left: the test did not test anything"
    assert outputs(result) == reference


def test_workers_with_another_bpr_are_refused(cluster: distributed.LocalCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' bpr must be this one: a result of other code would be stored under this code's key."""
    import bpr.study.executors as executors

    monkeypatch.setattr(executors, "worker_identity", lambda: ("0.0.1", "0000000000000000"))
    with pytest.raises(executors.BprError, match=r"runs bpr 0\.0\.1 \(code 0+\), this is bpr .*install the same bpr"):
        with DaskExecutor(cluster.scheduler_address):
            pass
    assert worker_identity()[0] != "0.0.1"
