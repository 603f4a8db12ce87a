"""A real server process killed with SIGKILL and started again on the same SQLite file: finished results
are still there, and the job that was running at the kill is reported as failed with the reason."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from apihelp import QUICK, SMALL_PROCESS_YAML

LOOPBACK = "127.0.0.1"
http = httpx.Client(trust_env=False)  # straight to loopback, whatever proxy the environment names


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Server:
    """``bpr serve`` in a process group of its own (so its worker processes go with it)."""

    def __init__(self, db: Path, port: int) -> None:
        self.db = db
        self.port = port
        self.url = f"http://{LOOPBACK}:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BPR_API_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bpr.cli.main", "serve", "--host", LOOPBACK, "--port", str(self.port),
             "--db", str(self.db), "--workers", "1", "--log-level", "warning"],
            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if http.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("server did not answer /healthz within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "jobs.sqlite", free_port())
    yield running
    running.stop()


def wait_for(server: Server, job_id: str, states: set[str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = http.get(f"{server.url}/v1/jobs/{job_id}", timeout=5).json()
        if job["status"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} not {states} within {timeout} s: {job}")


def test_results_survive_a_kill_and_an_interrupted_job_is_failed(server: Server) -> None:
    server.start()
    quick = {"process_yaml": SMALL_PROCESS_YAML, "options": QUICK, "mode": "job"}
    accepted = http.post(server.url + "/v1/simulate", json=quick, timeout=30)
    assert accepted.status_code == 202, accepted.text
    finished_id = accepted.json()["id"]
    result = wait_for(server, finished_id, {"done", "failed"})["result"]
    assert result is not None

    long = {"process_yaml": SMALL_PROCESS_YAML, "options": {"replications": 40, "horizon": "5y", "seed": 5}}
    accepted = http.post(server.url + "/v1/simulate", json=long, timeout=30)
    assert accepted.status_code == 202, accepted.text
    running_id = accepted.json()["id"]
    wait_for(server, running_id, {"running"})
    deadline = time.monotonic() + 60
    progress = 0.0
    while progress == 0.0 and time.monotonic() < deadline:  # replications finish one by one
        time.sleep(0.1)
        progress = http.get(f"{server.url}/v1/jobs/{running_id}", timeout=5).json()["progress"]
    assert 0 < progress < 1

    server.kill()
    server.start()

    kept = http.get(f"{server.url}/v1/jobs/{finished_id}", timeout=5).json()
    assert kept["status"] == "done"
    assert kept["result"] == result
    again = http.post(server.url + "/v1/simulate", json={**quick, "mode": "auto"}, timeout=30)
    assert again.status_code == 200 and again.headers["X-BPR-From-Store"] == "true"
    assert again.json() == result

    lost = http.get(f"{server.url}/v1/jobs/{running_id}", timeout=5).json()
    assert lost["status"] == "failed"
    assert lost["result"] is None
    assert "server stopped" in lost["issues"][0]["message"]
