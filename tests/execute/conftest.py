"""Fixtures of the workflow engine's tests: every store test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is the one ``scripts/setup.sh`` starts (``BPR_TEST_POSTGRES`` names another). Each
test gets a schema of its own there, dropped afterwards. A missing server is a failure, not a skip: the
engine's guarantees are claimed for both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from wfhelp import PEOPLE, POSTGRES, Clock, postgres_schema_url

from bpr.changes import load_process
from bpr.execute import Workflow

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: an SQLite file, or a schema of its own on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server is the same message
        pytest.fail(f"no PostgreSQL server at {POSTGRES} ({type(error).__name__}): run scripts/setup.sh, or set "
                    "BPR_TEST_POSTGRES to a server the tests may create schemas on")
    try:
        yield postgres_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ringi(store_url: str, clock: Clock, repo_root: Path) -> Iterator[Workflow]:
    """purchase_ringi after.yaml deployed, with a clerk or two for each of its roles and an auditor."""
    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
    for user_id, roles in PEOPLE.items():
        workflow.add_user(user_id, user_id, roles)
    workflow.add_user("audit", "監査", [], auditor=True)
    yield workflow
    workflow.close()



from fastapi.testclient import TestClient  # noqa: E402 - the REST face's fixtures, added after the engine's


@pytest.fixture
def tokens(ringi: Workflow) -> dict[str, str]:
    """A fresh bearer token for every user of ``ringi``."""
    return {user.id: ringi.new_token(user.id) for user in ringi.users()}


@pytest.fixture
def rest(ringi: Workflow, tmp_path: Path) -> Iterator[TestClient]:
    """The REST service on ``ringi``'s store (its clock is the real one: the requests are now)."""
    from bpr.api import create_app
    from wfhelp import rest_settings

    with TestClient(create_app(rest_settings(ringi.url, tmp_path))) as client:
        yield client
