"""Shared fixtures: one service per test session (worker processes start once), fresh ones where a test
needs its own limits or store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpr.api import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

SMALL_PROCESS_YAML = """\
id: permit
name: 許可申請
calendar: always
roles:
  clerk: {name: 担当, staff: 2}
  chief: {name: 係長, staff: 1, authority: 2}
arrivals:
  - {channel: counter, rate: 2/hour}
steps:
  - {id: receive, name: 受付, type: task, role: clerk, duration: 10m, medium: paper, next: check}
  - {id: check, name: 審査, type: approval, role: chief, duration: 5m, stamp: true, next: done}
  - {id: done, type: end}
"""

QUICK = {"replications": 2, "horizon": "2w", "warm_up": "1d"}
"""Options that make a simulation of SMALL_PROCESS_YAML take a fraction of a second."""


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"db_path": tmp_path / "jobs.sqlite", "workers": 2, "scenarios_dir": SCENARIOS,
                              "warm_workers": False}
    values.update(overrides)
    return Settings(**values)


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
