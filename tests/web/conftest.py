"""Fixtures of the web face's tests. Browser tests run on SQLite; the attachments store runs on SQLite and on
PostgreSQL (the server ``scripts/setup.sh`` starts), as the engine's own tests do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient
from webhelp import POSTGRES, SECRET, Clock, csrf_of, staffed

from bpr.execute import Workflow
from bpr.web import create_web_app


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store: an SQLite file, or a schema of its own on the PostgreSQL server (as tests/execute)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server is the same message
        pytest.fail(f"no PostgreSQL server at {POSTGRES} ({type(error).__name__}): run scripts/setup.sh")
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(tmp_path: Path, clock: Clock, repo_root: Path) -> Iterator[tuple[Workflow, dict[str, str]]]:
    """The workflow on an SQLite file with the process and its people; their tokens."""
    workflow, tokens = staffed(f"sqlite:///{tmp_path / 'cases.db'}", clock, repo_root)
    yield workflow, tokens
    workflow.close()


class Client:
    """A browser-like client of the pages for one signed-in user (cookies kept, CSRF token at hand)."""

    def __init__(self, workflow: Workflow, token: str) -> None:
        self.http = TestClient(create_web_app(workflow, secret=SECRET), raise_server_exceptions=False)
        page = self.http.post("/login", data={"csrf": csrf_of(self.http.get("/login").text), "token": token})
        assert page.status_code == 200, page.text
        self.csrf = csrf_of(page.text)


@pytest.fixture
def client_for(staff: tuple[Workflow, dict[str, str]]) -> Iterator[object]:
    workflow, tokens = staff
    yield lambda user: Client(workflow, tokens[user])
