"""Ctrl-C, SIGTERM and SIGKILL during real work: ``bpr simulate`` and ``bpr serve`` end, and so does every
process they started (workers, forkserver, resource tracker), within 5 s.

Each command runs in a session of its own, so that every process it starts, even one orphaned and adopted
by another parent, is found by its session id in /proc. Tests wait for conditions (workers up, a job
running, the session empty), never for fixed times.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")

ROOT = Path(__file__).resolve().parents[1]
ENOUGH = 5.0
"""Seconds after the signal within which every process must be gone."""


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()  # [state, ppid, pgrp, session, ...]


def session_processes(session: int) -> list[int]:
    """Live (not zombie) processes of ``session``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] != "Z" and int(fields[3]) == session:
                found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until it holds; the seconds it took. Fails naming ``what`` after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def _bpr(*args: str, tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bpr", *args], cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "stderr.txt", "wb"),  # noqa: SIM115 - closed by exit
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.fixture()
def cleanup() -> Iterator[list[int]]:
    """Sessions to kill whatever happens, so that a failing test leaves nothing running either."""
    sessions: list[int] = []
    yield sessions
    for session in sessions:
        for pid in session_processes(session):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _stop_and_check(proc: subprocess.Popen[bytes], sent: signal.Signals, tmp_path: Path, says: str | None) -> None:
    proc.send_signal(sent)
    start = time.monotonic()
    try:
        proc.wait(timeout=ENOUGH)
    except subprocess.TimeoutExpired:
        pytest.fail(f"bpr still running {ENOUGH:.0f} s after {sent.name}")
    wait_for(lambda: not session_processes(proc.pid), ENOUGH - (time.monotonic() - start),
             f"every process of bpr gone after {sent.name}")
    errors = (tmp_path / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in errors, errors
    if sent != signal.SIGKILL and says is not None:
        assert says in errors


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_simulate_and_its_workers_end(sent: signal.Signals, tmp_path: Path, cleanup: list[int]) -> None:
    proc = _bpr("simulate", str(ROOT / "scenarios" / "purchase_ringi" / "before.yaml"), "-r", "20", "--horizon",
                "3y", "--workers", "2", tmp_path=tmp_path)
    cleanup.append(proc.pid)
    # the main process, the forkserver and two workers (and the resource tracker): the run is under way
    wait_for(lambda: len(session_processes(proc.pid)) >= 4, 60, "the workers started")
    _stop_and_check(proc, sent, tmp_path, says="stopping")
    expected = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}
    assert proc.returncode == expected[sent]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]
    except OSError:
        return None


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_serve_and_its_workers_end(sent: signal.Signals, tmp_path: Path, cleanup: list[int]) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _bpr("serve", "--port", str(port), "--workers", "2", "--no-warm", "--log-level", "warning",
                "--db", str(tmp_path / "jobs.sqlite"), tmp_path=tmp_path)
    cleanup.append(proc.pid)
    wait_for(lambda: _get(f"{base}/healthz") is not None, 60, "the server answers")
    body = json.dumps({"scenario": "purchase_ringi", "mode": "job",
                       "options": {"replications": 20, "horizon": "5y"}}).encode()
    request = urllib.request.Request(f"{base}/v1/simulate", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        job = json.loads(answer.read())["id"]
    wait_for(lambda: (_get(f"{base}/v1/jobs/{job}") or {}).get("status") == "running", 60, "the job runs")
    _stop_and_check(proc, sent, tmp_path, says=None)  # uvicorn shuts down by itself


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_ctrl_c_during_start_up_is_no_traceback(tmp_path: Path) -> None:
    # the interrupt arrives while the command's libraries load (made certain here by a finder that raises)
    done = _python(
        "import sys, bpr.cli\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'bpr.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['bpr', '--help']\n"
        "bpr.cli.run()\n", tmp_path)
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr


def test_a_second_ctrl_c_ends_at_once(tmp_path: Path) -> None:
    done = _python(
        "import os, signal, time\n"
        "from bpr.cli.interrupt import install\n"
        "install()\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\n"
        "except KeyboardInterrupt:\n"
        "    print('cleaning up', flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGINT)  # clean-up taking long, and the user presses Ctrl-C again\n"
        "    time.sleep(30)\n"
        "print('not reached')\n", tmp_path)
    assert done.returncode == 130 and done.stdout == "cleaning up\n"
    assert done.stderr.count("stopping") == 1 and "Traceback" not in done.stderr


_OWNER = (
    "import subprocess, sys\n"
    "child = subprocess.Popen([sys.executable, '-c', sys.argv[1]], stdout=subprocess.PIPE)\n"
    "child.stdout.readline()  # the child has taken this process as its owner\n"
    "if sys.argv[2] == 'stays':\n"
    "    child.wait()\n"
)


@pytest.mark.parametrize(("error", "orphaned", "printed"), [
    ("EOFError", True, False), ("BrokenPipeError", True, False),  # the vanished owner's end: quiet
    ("ValueError", True, True), ("FileNotFoundError", True, True),  # a fault of its own: printed
    ("EOFError", False, True),  # the owner still runs: printed
])
def test_the_forkserver_is_quiet_about_its_owners_end_only(error: str, orphaned: bool, printed: bool,
                                                           tmp_path: Path) -> None:
    child = (
        "import os, sys, time\n"
        "import bpr.simulate.quiet_orphan\n"
        "owner = os.getppid()\n"
        "print('ready', flush=True)\n"
        f"while {orphaned} and os.getppid() == owner:\n"
        "    time.sleep(0.01)\n"
        f"raise {error}('the other end went away')\n")
    done = subprocess.run(  # both pipes stay open until the child has ended too
        [sys.executable, "-c", _OWNER, child, "leaves" if orphaned else "stays"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert ("Traceback" in done.stderr) == printed, done.stderr
    if printed:
        assert f"{error}: the other end went away" in done.stderr


def test_pool_workers_come_from_a_forkserver_that_is_quiet_about_its_owners_end(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text("import sys\n\ndef hook():\n    return sys.excepthook.__qualname__\n")
    done = subprocess.run(
        [sys.executable, "-c", "import probe\nfrom bpr.simulate.lifeline import worker_pool\n"
         "with worker_pool(1, preload=['bpr.simulate.engine']) as pool:\n"
         "    print(pool.submit(probe.hook).result())\n"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "quiet_when_orphaned"


def test_no_traceback_when_the_owner_goes_while_the_forkserver_reads_its_request(tmp_path: Path) -> None:
    # the owner connects to its forkserver as if to ask for a worker, and ends once the forkserver reads
    # (SIGKILL there, in CI, made the forkserver print an EOFError)
    owner = (
        "import socket, sys, time\n"
        "from multiprocessing import forkserver\n"
        "from bpr.simulate.lifeline import worker_pool\n"
        "worker_pool(1, preload=[])\n"
        "forkserver.ensure_running()\n"
        "server = forkserver._forkserver\n"
        "wchan = f'/proc/{server._forkserver_pid}/wchan'\n"
        "request = socket.socket(socket.AF_UNIX)\n"
        "request.connect(server._forkserver_address)\n"
        "start = time.monotonic()\n"
        "while 'read' not in open(wchan).read():\n"
        "    if time.monotonic() - start > 60:\n"
        "        sys.exit(f'the forkserver did not read the request: {open(wchan).read()!r}')\n"
        "    time.sleep(0.01)\n")
    done = subprocess.run(  # the pipes close when the forkserver has ended too
        [sys.executable, "-c", owner], cwd=tmp_path, capture_output=True, text=True, timeout=90,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_a_stopped_pool_has_closed_the_wakeup_pipe_that_the_exit_writes_to(tmp_path: Path) -> None:
    # Python 3.11's exit wakes every executor's manager thread through a pipe that thread closes, unlocked: an
    # exit while it closed printed "OSError: [Errno 9] Bad file descriptor" after a Ctrl-C (seen once in CI).
    # Once stop_now has returned, the thread has ended and the pipe is closed: the exit's wake-up does
    # nothing.
    code = (
        "import time\n"
        "from bpr.simulate.lifeline import stop_now, worker_pool\n"
        "pool = worker_pool(2, preload=[])\n"
        "futures = [pool.submit(time.sleep, 60) for _ in range(4)]\n"
        "start = time.monotonic()\n"
        "while not (len(pool._processes) == 2 and futures[0].running() and futures[1].running()):\n"
        "    assert time.monotonic() - start < 60, 'the workers never started'\n"
        "    time.sleep(0.01)\n"
        "manager, wakeup = pool._executor_manager_thread, pool._executor_manager_thread_wakeup\n"
        "stop_now(pool)\n"
        "print(manager.is_alive(), wakeup._closed)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=90, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
