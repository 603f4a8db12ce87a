"""The worker pool (results, progress, errors, cancel, a dying worker) and the SQLite job store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import api_toy_tasks as toy_tasks
import pytest

from bpr.api.settings import Settings
from bpr.service.jobs import request_key
from bpr.service.pool import TaskCancelled, TaskFailed, WorkerLost, WorkerPool
from bpr.service.settings import default_db_path
from bpr.service.store import JobStore


@pytest.fixture(scope="module")
def pool() -> WorkerPool:
    workers = WorkerPool(2)
    yield workers
    workers.shutdown()


def test_results_progress_and_located_errors(pool: WorkerPool) -> None:
    futures = [pool.submit(toy_tasks.square, x)[1] for x in range(6)]
    assert [f.result(timeout=30) for f in futures] == [0, 1, 4, 9, 16, 25]
    seen: list[float] = []
    _, future = pool.submit(toy_tasks.steps, 4, 0.01, on_progress=seen.append)
    assert future.result(timeout=30) == 4
    assert seen == [0.25, 0.5, 0.75, 1.0]
    with pytest.raises(TaskFailed) as refused:
        pool.submit(toy_tasks.refuse)[1].result(timeout=30)
    assert refused.value.expected
    assert refused.value.issues[0]["path"] == "steps[0].next" and refused.value.issues[0]["line"] == 3
    with pytest.raises(TaskFailed) as crashed:
        pool.submit(toy_tasks.crash)[1].result(timeout=30)
    assert not crashed.value.expected and "ZeroDivisionError" in crashed.value.message


def test_cancel_running_and_queued_tasks(pool: WorkerPool) -> None:
    running = [pool.submit(toy_tasks.sleep, 30) for _ in range(2)]
    queued_id, queued = pool.submit(toy_tasks.square, 3)
    time.sleep(0.3)
    assert pool.cancel(queued_id)
    started = time.monotonic()
    for task_id, _ in running:
        assert pool.cancel(task_id)
    for _, future in running:
        with pytest.raises(TaskCancelled):
            future.result(timeout=20)
    with pytest.raises(TaskCancelled):
        queued.result(timeout=1)
    assert time.monotonic() - started < 15, "a cancel stops the worker, it does not wait for the task"
    assert not pool.cancel(queued_id), "a finished task cannot be cancelled again"
    # fresh workers take over
    assert pool.submit(toy_tasks.square, 7)[1].result(timeout=30) == 49


def test_a_worker_that_dies_fails_its_task_and_is_replaced(pool: WorkerPool) -> None:
    with pytest.raises(WorkerLost):
        pool.submit(toy_tasks.die)[1].result(timeout=30)
    assert pool.submit(toy_tasks.square, 5)[1].result(timeout=30) == 25


class _FailsToStartOnce(WorkerPool):
    """A pool whose first start of a worker fails with an error other than OSError (a broken interpreter
    setup, a start method that raises)."""

    failed = False

    def _start_process(self):  # type: ignore[no-untyped-def]
        if not self.failed:
            self.failed = True
            raise RuntimeError("cannot start the worker this time")
        return super()._start_process()


def test_a_worker_that_cannot_start_fails_its_task_and_the_pool_goes_on() -> None:
    pool = _FailsToStartOnce(1, start=False)
    try:
        with pytest.raises(WorkerLost, match="cannot start a worker process: cannot start the worker this time"):
            pool.submit(toy_tasks.square, 3)[1].result(timeout=30)
        assert pool.submit(toy_tasks.square, 4)[1].result(timeout=30) == 16
    finally:
        pool.shutdown()


def test_store_round_trip_and_wal(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "sub" / "jobs.sqlite")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    job = store.create("k1", "simulate", 1.5)
    assert (job.status, job.progress, job.result) == ("queued", 0.0, None)
    store.mark_running(job.id)
    store.set_progress(job.id, 0.5)
    assert store.get(job.id).status == "running" and store.get(job.id).progress == 0.5
    assert store.find_active("k1").id == job.id and store.find_done("k1") is None
    store.finish(job.id, {"kpis": {"lead": 1.25}, "name": "児童手当"})
    done = store.get(job.id)
    assert (done.status, done.progress, done.result) == ("done", 1.0, {"kpis": {"lead": 1.25}, "name": "児童手当"})
    assert store.find_done("k1").id == job.id
    assert not store.fail(job.id, []), "a finished job stays finished"
    store.close()


def test_interrupted_jobs_are_failed_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    store = JobStore(path)
    running = store.create("a", "whatif", 9)
    store.mark_running(running.id)
    queued = store.create("b", "whatif", 9)
    finished = store.create("c", "whatif", 9)
    store.finish(finished.id, {"ok": True})
    store.close()
    reopened = JobStore(path)
    assert reopened.fail_interrupted("the server stopped") == 2
    for job_id in (running.id, queued.id):
        record = reopened.get(job_id)
        assert record.status == "failed" and record.issues[0]["message"] == "the server stopped"
    assert reopened.get(finished.id).result == {"ok": True}
    reopened.close()


def test_request_key_is_canonical() -> None:
    assert request_key("whatif", {"a": 1, "b": [1, 2]}) == request_key("whatif", {"b": [1, 2], "a": 1})
    assert request_key("whatif", {"a": 1}) != request_key("simulate", {"a": 1})
    assert request_key("whatif", {"a": 1}) != request_key("whatif", {"a": 2})


def test_settings_from_environment_and_options(tmp_path: Path) -> None:
    env = {"BPR_API_PORT": "9000", "BPR_API_DB": str(tmp_path / "x.sqlite"), "BPR_API_TOKEN": "t",
           "BPR_API_CORS_ORIGINS": "https://a.example, https://b.example", "BPR_API_WORKERS": "3"}
    settings = Settings.from_env(env, port=9100, workers=None)
    assert settings.host == "127.0.0.1"
    assert settings.port == 9100  # an option wins over the environment
    assert settings.workers == 3
    assert settings.db_path == tmp_path / "x.sqlite"
    assert settings.token == "t"
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    limited = Settings.from_env({"BPR_API_MAX_ACTIVE": "8", "BPR_API_SYNC_SECONDS": "0.5"})
    assert (limited.max_active, limited.sync_seconds) == (8, 0.5)
    bare = Settings.from_env({})
    assert (bare.token, bare.cors_origins, bare.host) == (None, (), "127.0.0.1")
    with pytest.raises(ValueError):
        Settings.from_env({"BPR_API_PORT": "http"})


def test_default_db_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "bpr" / "jobs.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    assert default_db_path() == Path("bpr-jobs.sqlite")


def test_store_is_plain_sqlite(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite")
    store.create("k", "simulate", 0.1)
    store.close()
    with sqlite3.connect(tmp_path / "jobs.sqlite") as db:
        assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 1


def test_run_time_estimate_is_cases_times_steps_times_replications() -> None:
    from apihelp import SMALL_PROCESS_YAML

    from bpr.model.load import parse_process
    from bpr.service.runs import estimate_seconds
    from bpr.simulate import SimConfig

    process = parse_process(SMALL_PROCESS_YAML)  # 2/hour, 24/7, 3 steps
    config = SimConfig(replications=4, horizon="2w", warm_up="1d")
    cases = 2 * 24 * 15  # 15 days of arrivals
    settings = Settings(case_steps_per_second=1000.0, workers=2)
    assert estimate_seconds([process], config, settings) == pytest.approx(cases * 3 * 4 / 1000 / 2)
    one_worker = Settings(case_steps_per_second=1000.0, workers=1)
    assert estimate_seconds([process, process], config, one_worker) == pytest.approx(2 * cases * 3 * 4 / 1000)


def test_a_worker_imports_the_engine_and_nothing_of_the_server() -> None:
    """What a worker process preloads (bpr.service.tasks): the engine, not the server's modules, the web
    framework, the store, nor the rule of a run to a precision (the server decides the rounds)."""
    code = ("import sys\nimport bpr.service.tasks\n"
            "print(sorted(m for m in sys.modules if m.startswith('bpr.') and m.split('.')[1] not in "
            "('errors', 'model', 'simulate', 'interchange')), "
            "sorted(m for m in ('bpr.simulate.precision', 'fastapi', 'starlette', 'sqlite3', 'yaml') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "['bpr.service', 'bpr.service.tasks'] []"
