"""``bpr validate``: exit codes, the exact lines on stderr, JSON output, and never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app

ROOT = Path(__file__).resolve().parent.parent.parent
VALID = ROOT / "tests" / "model" / "valid"
INVALID = ROOT / "tests" / "model" / "invalid"
SCENARIOS = sorted(ROOT.glob("scenarios/*/*.yaml"))

runner = CliRunner()


def validate(*args: str) -> object:
    return runner.invoke(app, ["validate", *args])


def test_valid_file_exits_0_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID)
    result = validate("example.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok  example.yaml  (地域活動補助金の交付申請, 16 steps)\n"
    assert result.stderr == ""


def test_invalid_file_exits_2_with_every_issue_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    result = validate("several_references.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "several_references.yaml:15:11: steps[0].role: no role 'clerck' — did you mean 'clerk'?",
        "several_references.yaml:22:30: steps[1].next[0].when: condition reads 'amont', which is not a case "
        "attribute — did you mean 'amount'?",
        "several_references.yaml:29:36: steps[2].reject.to: no step 'recieve' — did you mean 'receive'?",
        "several_references.yaml:30:11: steps[2].next: no step 'finished' — list of steps: receive, route, "
        "chief_ok, done",
        "1 of 1 file(s) invalid",
    ]


def test_misspelt_field_and_step_reference_name_line_column_and_a_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    # The acceptance check of the issue: exit 2, file:line:col and "did you mean".
    monkeypatch.chdir(INVALID)
    field = validate("unknown_field.yaml")
    assert field.exit_code == 2
    assert field.stderr.startswith("unknown_field.yaml:29:5: steps[2].stmp: unknown field; allowed: ")
    assert field.stderr.splitlines()[0].endswith(" — did you mean 'stamp'?")
    step = validate("dangling_next.yaml")
    assert step.exit_code == 2
    assert step.stderr.splitlines()[0] == "dangling_next.yaml:30:11: steps[2].next: no step 'dnoe' — did you mean 'done'?"


def test_several_files_are_all_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shutil.copy(VALID / "minimal.yaml", tmp_path / "minimal.yaml")
    shutil.copy(INVALID / "tabs.yaml", tmp_path / "tabs.yaml")
    shutil.copy(INVALID / "rate_zero.yaml", tmp_path / "rate_zero.yaml")
    monkeypatch.chdir(tmp_path)
    result = validate("tabs.yaml", "minimal.yaml", "rate_zero.yaml", "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout == "ok  minimal.yaml  (最小の手続, 2 steps)\n"
    assert result.stderr.splitlines() == [
        "tabs.yaml:4:1: invalid YAML: found character '\\t' that cannot start any token — YAML does not allow tabs "
        "for indentation; use spaces",
        "rate_zero.yaml:10:11: arrivals[0].rate: rate '0/day' must be greater than 0",
        "missing.yaml: no such file — did you mean 'minimal.yaml'?",
        "3 of 4 file(s) invalid",
    ]


def test_a_folder_is_bad_input(tmp_path: Path) -> None:
    result = validate(str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{tmp_path}: is a folder, not a process file"


def test_change_list_is_validated_with_its_base(tmp_path: Path) -> None:
    shutil.copy(VALID / "example.yaml", tmp_path / "before.yaml")
    (tmp_path / "after.yaml").write_text(
        "base: before.yaml\nname: 電子申請後\nchanges:\n  - digitize: [receive, enter_data]\n", encoding="utf-8")
    result = validate(str(tmp_path / "after.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ok  {tmp_path / 'after.yaml'}  (電子申請後, 16 steps)\n"
    (tmp_path / "broken.yaml").write_text("base: before.yaml\nchanges:\n  - remove: chief\n", encoding="utf-8")
    broken = validate(str(tmp_path / "broken.yaml"))
    assert broken.exit_code == 2
    assert broken.stderr.startswith(f"{tmp_path / 'broken.yaml'}:3:13: changes[0].remove: ")


def test_json_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "tests" / "model")
    result = validate("--format", "json", "valid/minimal.yaml", "invalid/dangling_reject.yaml")
    assert result.exit_code == 2
    assert "最小の手続" in result.stdout  # Japanese is not escaped
    assert json.loads(result.stdout) == {
        "files": [
            {"file": "valid/minimal.yaml", "valid": True, "issues": [], "process": "minimal", "name": "最小の手続",
             "steps": 2},
            {"file": "invalid/dangling_reject.yaml", "valid": False,
             "issues": [{"message": "no step 'recieve'", "path": "steps[2].reject.to",
                         "file": "invalid/dangling_reject.yaml", "line": 29, "column": 36,
                         "hint": "did you mean 'receive'?", "severity": "error"}],
             "message": "invalid/dangling_reject.yaml:29:36: steps[2].reject.to: no step 'recieve' — did you mean "
                        "'receive'?"},
        ],
        "valid": False,
    }


def test_json_output_of_valid_files_exits_0() -> None:
    result = validate("--format", "json", str(VALID / "minimal.yaml"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["valid"] is True


def test_names_that_look_like_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8").replace("name: 最小の手続", 'name: "申請[/]書 [bold]"')
    folder = tmp_path / "[red]"
    folder.mkdir()
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    result = validate(str(folder / "a.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ok  {folder / 'a.yaml'}  (申請[/]書 [bold], 2 steps)\n"


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.iterdir()))
def test_every_invalid_file_exits_2_without_a_traceback(name: str) -> None:
    result = validate(str(INVALID / name))
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(str(INVALID) + "/")  # the file, or a change list's base or partner in a circle


def test_shipped_scenarios_are_valid() -> None:
    # The acceptance check of the issue: bpr validate scenarios/*/*.yaml exits 0.
    assert SCENARIOS, "no scenarios found"
    result = validate(*(str(path) for path in SCENARIOS))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\nok  ") + result.stdout.startswith("ok  ") == len(SCENARIOS)


def test_no_file_is_a_usage_error() -> None:
    result = validate()
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
