"""``bpr analyze``: linter lines, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from analysishelp import HEADER
from typer.testing import CliRunner

from bpr.cli.main import app

runner = CliRunner()

STEPS = """\
steps:
  - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
  - {id: chief_ok, name: 係長審査, type: approval, role: chief, duration: 5m, checks: [金額], next: manager_ok}
  - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], reject: {probability: 0.1, to: draft}, next: done}
  - {id: done, type: end}
"""
CLEAN = """\
steps:
  - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
  - {id: chief_ok, type: approval, role: chief, duration: 5m, reject: {probability: 0.1, to: draft}, next: done}
  - {id: done, type: end}
"""
BATCHED = """\
steps:
  - {id: chief_ok, type: approval, role: chief, duration: 5m, batch: ["10:00"], reject: {probability: 0.1, to: chief_ok}, next: done}
  - {id: done, type: end}
"""


def _file(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + steps, encoding="utf-8")
    return path


def test_text_output_is_linter_lines_and_summary(tmp_path: Path) -> None:
    path = _file(tmp_path, STEPS)
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"{path}:19: BPR101 warning [chief_ok, manager_ok] 係長審査 (chief_ok) checks 金額;"
    )
    assert lines[0].endswith("(suggest: remove: chief_ok)")
    assert f"{path}:19: BPR103 warning [chief_ok]" in result.output
    assert "2 finding(s): 0 error, 2 warning, 0 info" in result.output
    assert "path: draft -> chief_ok -> manager_ok -> done" in result.output
    assert "touch_time_minutes" in result.output


def test_json_output(tmp_path: Path) -> None:
    path = _file(tmp_path, STEPS)
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"file", "process", "summary", "findings"}
    assert (data["file"], data["process"]) == (str(path), "t")
    assert data["findings"][0] == {
        "rule": "BPR101",
        "name": "dominated-approval",
        "severity": "warning",
        "steps": ["chief_ok", "manager_ok"],
        "message": data["findings"][0]["message"],
        "suggestion": {"remove": "chief_ok"},
        "line": 19,
    }
    assert data["summary"]["approvals"] == 2


def test_fail_on_sets_exit_1_only_at_that_level(tmp_path: Path) -> None:
    warned = _file(tmp_path, STEPS)
    assert runner.invoke(app, ["analyze", str(warned), "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(app, ["analyze", str(warned), "--fail-on", "error"]).exit_code == 0
    batched = _file(tmp_path, BATCHED)
    assert runner.invoke(app, ["analyze", str(batched), "--fail-on", "warning"]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(batched), "--fail-on", "info"]).exit_code == 1


def test_clean_process_has_no_findings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(_file(tmp_path, CLEAN)), "--fail-on", "info"])
    assert result.exit_code == 0
    assert "0 finding(s)" in result.output


def test_bad_input_exits_2_with_a_located_message(tmp_path: Path) -> None:
    path = _file(tmp_path, STEPS.replace("next: manager_ok}", "next: manger_ok}"))
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert f"{path}:19:" in result.output and "manager_ok" in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_the_text_summary_names_other_entries_in_words_and_leaves_out_an_empty_list() -> None:
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    with_others = CliRunner().invoke(app, ["analyze", str(scenarios / "child_allowance" / "before.yaml")])
    assert with_others.exit_code == 0, with_others.output
    row = next(line for line in with_others.stdout.splitlines() if "other_entries" in line)
    assert "%)" in row and "{" not in row
    ringi = CliRunner().invoke(app, ["analyze", str(scenarios / "purchase_ringi" / "before.yaml")])
    assert "other_entries" not in ringi.stdout
