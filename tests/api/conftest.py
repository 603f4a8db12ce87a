"""Shared fixtures: one service per test session (worker processes start once), fresh ones where a test
needs its own limits or store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apihelp import make_settings
from fastapi.testclient import TestClient

from bpr.api import create_app


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api")


@pytest.fixture(scope="session")
def client(session_dir: Path) -> Iterator[TestClient]:
    """The service with default limits, two simulation workers, a store of its own."""
    with TestClient(create_app(make_settings(session_dir, warm_workers=True))) as test_client:
        yield test_client


@pytest.fixture()
def fresh(tmp_path: Path) -> Any:
    """A factory of services with their own settings: ``with fresh(max_active=1) as c: ...``."""

    def build(**overrides: Any) -> TestClient:
        return TestClient(create_app(make_settings(tmp_path, **overrides)))

    return build
