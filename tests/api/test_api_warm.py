"""The idle-time warm-up (``bpr serve --warm``): after it, a what-if on a shipped scenario with the default
options runs only its changed version and answers the same bytes as a service without warm-up; it yields
to real requests, keeps within the cache's bounds, and stops cleanly with the server.

The scenarios are small ones written for these tests (a folder given as ``scenarios_dir``), so that the
default options (the first 20 replications of a year) take milliseconds per replication; the engine is the
real one.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from apihelp import SMALL_PROCESS_YAML, make_settings
from fastapi.testclient import TestClient

from bpr.api import Settings, create_app
from bpr.service.pool import WorkerPool
from bpr.service.tasks import replicate
from bpr.service.warm import CACHE_SHARE

TINY = """\
id: tiny
name: 小さな申請
calendar: always
roles:
  clerk: {name: 担当, staff: STAFF}
arrivals:
  - {channel: counter, rate: RATE/day}
steps:
  - {id: receive, name: 受付, type: task, role: clerk, duration: {dist: exponential, mean: 30m}, medium: paper,
     next: done}
  - {id: done, type: end}
"""

WARMED = 20
"""Replications the warm-up computes of each file: SimConfig's count, beyond which a request with the default
options (run to ±2%) rarely goes."""


def reached(response: Any) -> int:
    """The count of replications of an answer: the one its precision reached, else the fixed count."""
    data = response.json()
    return data["precision"]["replications"] if "precision" in data else data["before"]["config"]["replications"]


def write_scenario(root: Path, name: str, rate: int = 4, after: bool = True) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "before.yaml").write_text(TINY.replace("RATE", str(rate)).replace("STAFF", "1"), encoding="utf-8")
    if after:
        (folder / "after.yaml").write_text(TINY.replace("RATE", str(rate)).replace("STAFF", "2"), encoding="utf-8")


@pytest.fixture()
def scenarios(tmp_path: Path) -> Path:
    """``tiny`` (before and after, a few milliseconds a replication) and ``other`` (about ten times slower)."""
    root = tmp_path / "scenarios"
    write_scenario(root, "tiny")
    write_scenario(root, "other", rate=20)
    return root


def service(tmp_path: Path, name: str, scenarios: Path, **overrides: Any) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, db_path=tmp_path / f"{name}.sqlite",
                                               scenarios_dir=scenarios, **overrides)))


def warm_state(client: TestClient) -> dict[str, Any]:
    return client.get("/healthz").json()["warm"]


def wait_warmed(client: TestClient, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = warm_state(client)
        if state["state"] in ("done", "stopped"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"the warm-up did not end within {timeout} s: {warm_state(client)}")


def ran(response: Any) -> int:
    assert response.status_code == 200, response.text
    assert response.headers["X-BPR-From-Store"] == "false"
    return int(response.headers["X-BPR-Replications-Run"])


def test_after_warm_up_a_whatif_runs_only_its_after_and_answers_the_same_bytes(tmp_path: Path,
                                                                               scenarios: Path) -> None:
    with service(tmp_path, "warm", scenarios, warm=True, warm_scenarios=("tiny",), replica_cache_entries=100) as warm, \
            service(tmp_path, "cold", scenarios, replica_cache_entries=0) as cold:  # keeps nothing at all
        state = wait_warmed(warm)
        total = 2 * WARMED  # tiny's before and after; not other's (not in warm_scenarios)
        assert state == {"state": "done", "done": total, "total": total, "message": None}
        kept = warm.get("/healthz").json()["replicas"]
        assert (kept["entries"], kept["evicted"], kept["hits"]) == (total, 0, 0)
        assert warm_state(cold)["state"] == "off"

        quick = {"replications": 10, "horizon": "1y"}  # a fixed count; seed and warm-up default
        # (request, how many of its versions run: 1 = only the after, 0 = nothing, 2 = both)
        requests = [
            ("/v1/whatif", {"scenario": "tiny", "changes": [{"staff": {"clerk": 3}}]}, 1),  # to ±2%
            ("/v1/whatif", {"scenario": "tiny", "changes": [{"digitize": ["receive"]}], "options": quick}, 1),
            ("/v1/whatif", {"scenario": "tiny", "after": {"scenario": "tiny", "variant": "after"}}, 0),
            ("/v1/simulate", {"scenario": "tiny", "variant": "after", "options": quick}, 0),
            # other options: nothing warm
            ("/v1/whatif", {"scenario": "tiny", "changes": [{"staff": {"clerk": 3}}], "options": {"seed": 3}},
             2),
            # an analyst's session on another base overflows the cache (room for 100): its afters go first
            *[("/v1/whatif", {"process_yaml": SMALL_PROCESS_YAML, "changes": [change],
                              "options": {"replications": 10, "horizon": "2w", "warm_up": "1d"}}, versions)
              for change, versions in zip([{"staff": {"clerk": n}} for n in range(3, 9)],
                                          [2, 1, 1, 1, 1, 1])],
            # and tiny is still warm
            ("/v1/whatif", {"scenario": "tiny", "changes": [{"staff": {"clerk": 4}}]}, 1),
        ]
        for path, body, versions in requests:
            reference = cold.post(path, json=body)
            count = reached(reference) if path == "/v1/whatif" else reference.json()["config"]["replications"]
            assert count <= WARMED, body  # within what was warmed, or the befores would run beyond it
            assert ran(reference) == count * (2 if path == "/v1/whatif" else 1)
            answer = warm.post(path, json=body)
            assert ran(answer) == versions * count, body
            assert answer.content == reference.content, body
        assert warm.get("/healthz").json()["replicas"]["evicted"] > 0


def test_a_request_during_the_warm_up_goes_first_and_the_warm_up_resumes(
        tmp_path: Path, scenarios: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, int, int]] = []  # (whose, active runs, tasks in the pool, warm tasks in it)
    warm_tasks: list[Any] = []
    submit = WorkerPool.submit

    def watched(pool: WorkerPool, fn: Any, *args: Any, **options: Any) -> Any:
        whose = "warm" if fn is replicate and args[0].process_id == "tiny" else "request"
        in_flight = sum(1 for future in warm_tasks if not future.done())
        seen.append((whose, client.app.state.jobs.active_count, pool.pending(), in_flight))
        task = submit(pool, fn, *args, **options)
        if whose == "warm":
            warm_tasks.append(task[1])
        return task

    monkeypatch.setattr(WorkerPool, "submit", watched)
    client = service(tmp_path, "warm", scenarios, warm=True, warm_scenarios=("tiny",))
    with client:
        long = {"process_yaml": SMALL_PROCESS_YAML, "options": {"replications": 40, "horizon": "2y", "seed": 1},
                "mode": "job"}
        job = client.post("/v1/simulate", json=long)
        assert job.status_code == 202
        location = job.headers["Location"]
        deadline = time.monotonic() + 60
        while client.get(location).json()["progress"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.get(location).json()["status"] == "running"
        during = warm_state(client)["done"]
        time.sleep(1.0)  # the job is still running: the warm-up waits (but for one replication in flight)
        assert client.get(location).json()["status"] == "running"
        assert warm_state(client)["done"] <= during + 1
        assert client.delete(location).json()["status"] == "cancelled"

        quick = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML,
                                                  "options": {"replications": 2, "horizon": "2w"}})
        assert quick.status_code == 200  # served while the warm-up goes on
        state = wait_warmed(client)
        assert state["state"] == "done" and state["done"] == state["total"] == 2 * WARMED

    warm = [entry for entry in seen if entry[0] == "warm"]
    assert len(warm) == 2 * WARMED  # each replication once
    assert all(active == 0 and pending == 0 for _, active, pending, _ in warm), warm  # only when idle
    requests = [entry for entry in seen if entry[0] == "request"]
    assert len(requests) == 40 + 2
    assert all(in_flight <= 1 for *_, in_flight in requests)  # a request finds at most one warm task ahead


def test_the_warm_up_stops_when_the_cache_is_full_and_skips_a_broken_scenario(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "scenarios"
    write_scenario(root, "tiny")
    (root / "broken").mkdir()
    (root / "broken" / "before.yaml").write_text("id: broken\nname: 壊れた\nsteps: []\n", encoding="utf-8")
    caplog.set_level(logging.INFO, logger="bpr.service.warm")
    with service(tmp_path, "small", root, warm=True, replica_cache_entries=8) as client:
        state = wait_warmed(client)
        room = int(8 * CACHE_SHARE)
        assert state["state"] == "stopped" and state["done"] == room, state
        assert state["total"] == 2 * WARMED  # tiny's two files; broken's is skipped
        assert "cannot hold more" in state["message"]
        kept = client.get("/healthz").json()["replicas"]
        assert (kept["entries"], kept["evicted"]) == (room, 0)  # it evicted nothing, not even its own
        time.sleep(0.6)  # longer than the quiet spell and a replication: nothing more comes
        assert client.get("/healthz").json()["replicas"]["entries"] == room

        # requests still work, and take what was kept
        answer = client.post("/v1/whatif", json={"scenario": "tiny", "changes": [{"staff": {"clerk": 3}}]})
        assert ran(answer) == 2 * reached(answer) - min(room, reached(answer))  # the befores kept are not run

    warnings = [r.getMessage() for r in caplog.records if r.name == "bpr.service.warm" and r.levelno == logging.WARNING]
    assert any("broken/before" in message for message in warnings), warnings
    assert any("cannot hold more" in message for message in warnings), warnings
    progress = [r.getMessage() for r in caplog.records if r.name == "bpr.service.warm" and r.levelno == logging.INFO]
    assert any("replications of 2 scenario files" in message for message in progress), progress


def test_the_warm_up_is_off_unless_asked_and_set_from_the_environment(client: TestClient) -> None:
    assert client.get("/healthz").json()["warm"] == {"state": "off", "done": 0, "total": 0, "message": None}
    settings = Settings.from_env({"BPR_API_WARM": "1", "BPR_API_WARM_SCENARIOS": "tiny, other,"})
    assert settings.warm and settings.warm_scenarios == ("tiny", "other")
    assert not Settings.from_env({}).warm and Settings.from_env({}).warm_scenarios is None
    assert Settings.from_env({"BPR_API_WARM": "1"}, warm=False).warm is False  # the option wins


def _group(pgid: int) -> list[int]:
    """Processes alive in the process group ``pgid`` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


@pytest.mark.parametrize("stop", ["SIGTERM to the server", "Ctrl-C (SIGINT to the group)"])
def test_stopping_the_server_during_the_warm_up_leaves_no_process_and_no_error(
        tmp_path: Path, scenarios: Path, stop: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPR_API_")}
    env.update(BPR_API_SCENARIOS=str(scenarios), BPR_API_WARM_SCENARIOS="other",
               BPR_WEB_SECRET="a secret of this test, so the log has no warning")
    server = subprocess.Popen(
        [sys.executable, "-m", "bpr.cli.main", "serve", "--warm", "--port", str(port), "--db",
         str(tmp_path / "jobs.sqlite"), "--workers", "2"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    http = httpx.Client(trust_env=False, base_url=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        state: dict[str, Any] = {}
        while time.monotonic() < deadline and state.get("done", 0) < 2:
            try:
                state = http.get("/healthz", timeout=1).json()["warm"]
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        assert state["state"] == "warming" and 2 <= state["done"] < state["total"], state
        if stop.startswith("SIGTERM"):
            server.send_signal(signal.SIGTERM)
            ends = {0, -signal.SIGTERM}  # uvicorn shuts down, then ends by the signal it was sent
        else:
            os.killpg(server.pid, signal.SIGINT)
            ends = {0}
        assert server.wait(timeout=30) in ends
        log = server.stderr.read().decode()  # type: ignore[union-attr]
        deadline = time.monotonic() + 10
        while _group(server.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group(server.pid) == [], "worker processes left behind"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    assert "warming: 40 replications of 2 scenario files" in log, log
    assert "stopped by the server's shutdown" in log, log
    assert "Application shutdown complete" in log, log
    for bad in ("Traceback", "ERROR", "WARNING", "Exception"):
        assert bad not in log, log
