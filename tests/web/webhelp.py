"""Helpers of the web face's tests: the engine with a test clock, the pages served on a free local port."""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from bpr.changes import load_process
from bpr.execute import Workflow
from bpr.model.load import process_from_data, process_to_data
from bpr.model.schema import Process

POSTGRES = os.environ.get("BPR_TEST_POSTGRES", "postgresql+psycopg://bpr:bpr@localhost/bpr_test")
SECRET = "test-secret-of-the-web-face-0123456789"

# The drafter's section (原課), the budget and contracts sections who co-sign, and someone of another
# department (保険年金課) whose work never touches purchase requests.
PEOPLE = {"sato": ["tanto"], "suzuki": ["kakaricho"], "kato": ["kacho"], "ito": ["bucho"], "zai": ["zaisei"],
          "kei": ["keiyaku"], "hoken": ["hoken_tanto"]}


@dataclass
class Clock:
    """The engine's clock in tests: it moves only when a test moves it (the server thread reads it too)."""

    now: datetime = field(default_factory=lambda: datetime(2027, 4, 5, 0, 30, tzinfo=UTC))  # Mon 09:30 JST

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def ringi_with_deadlines(repo_root: Path) -> Process:
    """purchase_ringi after.yaml with a deadline of one business day on the section chief's check (係長審査)."""
    data = process_to_data(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
    data["version"] = "web tests"
    for step in data["steps"]:
        if step["id"] == "kakaricho_check":
            step["deadline"] = {"within": "1 business day", "escalate": False}
    return process_from_data(data)


def staffed(url: str, clock: Clock, repo_root: Path) -> tuple[Workflow, dict[str, str]]:
    """The workflow on ``url`` with the process deployed and PEOPLE added; returns it and their tokens."""
    workflow = Workflow(url, clock=clock)
    workflow.deploy(ringi_with_deadlines(repo_root))
    tokens = {user: workflow.add_user(user, user, roles)[1] for user, roles in PEOPLE.items()}
    return workflow, tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            thread.join(0.01)  # waiting for a condition, checked every 10 ms
        assert server.started, "the web app did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)
