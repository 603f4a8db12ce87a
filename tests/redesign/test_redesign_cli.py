"""``bpr redesign`` as users call it: text, JSON, the plan file, and bad input (exit 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from redesign_helpers import text
from typer.testing import CliRunner

from bpr.changes import load_process
from bpr.cli.redesign import register

STEPS = """
- {id: prepare, type: task, role: clerk, duration: 20m, next: chief_ok}
- {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [amount], next: mail}
- {id: mail, type: handoff, mode: internal_mail, delay: 2h, next: director_ok}
- {id: director_ok, type: approval, role: director, duration: 5m, checks: [amount, need],
   reject: {probability: 0.05, to: prepare}, batch: ["16:00"], next: done}
- {id: done, type: end}
"""
FAST = ["--replications", "4", "--horizon", "1w", "--warm-up", "1w"]


def app() -> typer.Typer:
    application = typer.Typer()
    register(application)

    @application.callback()
    def main() -> None:  # a group, so that the command is called by its name as in `bpr redesign`
        pass

    return application


def run(*args: str):
    return CliRunner().invoke(app(), ["redesign", *args])


def test_text_ranks_candidates_and_writes_a_plan_next_to_a_subfolder(tmp_path: Path) -> None:
    before = tmp_path / "before.yaml"
    before.write_text(text(STEPS, arrivals="arrivals: [{channel: internal, rate: 10/day}]"), encoding="utf-8")
    plan = tmp_path / "out" / "plan.yaml"
    result = run(str(before), "-o", str(plan), "--top", "2", *FAST)
    assert result.exit_code == 0, result.output
    assert "ranked candidates" in result.output and "plan:" in result.output
    assert "[A: do now]" in result.output or "[B: plan]" in result.output or "[C: quick win]" in result.output
    assert f"wrote {plan}" in result.output
    written = plan.read_text(encoding="utf-8")
    assert "base: ../before.yaml" in written
    load_process(plan)  # a valid change list


def test_json_is_the_result_dictionary(tmp_path: Path) -> None:
    before = tmp_path / "before.yaml"
    before.write_text(text(STEPS, arrivals="arrivals: [{channel: internal, rate: 10/day}]"), encoding="utf-8")
    result = run(str(before), "--format", "json", "--top", "1", *FAST)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "redesign" and len(data["candidates"]) == 1 and data["candidates"][0]["rank"] == 1
    assert data["config"]["replications"] == 4


def test_bad_input_exits_2_with_located_messages(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text(STEPS).replace("next: chief_ok", "next: chef_ok"), encoding="utf-8")
    result = run(str(broken), *FAST)
    assert result.exit_code == 2
    assert "broken.yaml:" in result.output and "chef_ok" in result.output and "Traceback" not in result.output
    good = tmp_path / "before.yaml"
    good.write_text(text(STEPS), encoding="utf-8")
    result = run(str(good), "--horizon", "soon")
    assert result.exit_code == 2 and "--horizon" in result.output and "Traceback" not in result.output
    result = run(str(good), "--heuristic", "teleport", *FAST)
    assert result.exit_code == 2 and "teleport" in result.output
