"""Helpers of the workflow engine's tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bpr.execute import Workflow

POSTGRES = os.environ.get("BPR_TEST_POSTGRES", "postgresql+psycopg://bpr:bpr@localhost/bpr_test")


@dataclass
class Clock:
    """The engine's clock in tests: it moves only when a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2027, 4, 5, 0, 30, tzinfo=UTC))  # Mon 09:30 JST

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


PEOPLE = {
    "sato": ["tanto"], "tanaka": ["tanto"], "suzuki": ["kakaricho"], "kato": ["kacho"], "kimura": ["kacho"],
    "ito": ["bucho"], "zai": ["zaisei"], "kei": ["keiyaku"], "fuku": ["fukushicho"], "mayor": ["shicho"],
}



def item_at(workflow: Workflow, user: str, step: str) -> Any:
    """The one item at ``step`` in ``user``'s inbox."""
    found = [item for item in workflow.inbox(user) if item.step == step]
    assert len(found) == 1, f"{user}'s inbox: {[i.step for i in workflow.inbox(user)]}"
    return found[0]


ADMIN_TOKEN = "admin-token-for-tests"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rest_settings(url: str, folder: Any, **overrides: Any) -> Any:
    """Settings of a REST service on the store ``url``: one simulation worker, not started, the admin token."""
    from bpr.api import Settings

    values: dict[str, Any] = {"db_path": folder / "jobs.sqlite", "workers": 1, "warm_workers": False,
                              "database": url, "token": ADMIN_TOKEN, "timer_seconds": 3600}
    values.update(overrides)
    return Settings(**values)
