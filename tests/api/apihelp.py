"""Helpers of the REST service tests (a module of its own name: ``conftest`` is taken by other folders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bpr.api import Settings

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
