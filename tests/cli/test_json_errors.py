"""With ``--format json`` every command prints its bad-input issues as JSON on stdout (exit 2), in the shape
of the REST service's errors, so that a script that reads the JSON reads the errors too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
TABS = str(ROOT / "tests" / "model" / "invalid" / "tabs.yaml")
MM1 = str(ROOT / "scenarios" / "theory" / "mm1.yaml")
ISSUE_KEYS = {"file", "line", "column", "path", "message", "hint", "severity"}

runner = CliRunner()


@pytest.mark.parametrize("command", ["analyze", "simulate", "whatif", "redesign"])
def test_bad_file_gives_json_issues(command: str) -> None:
    extra = ["--change", "remove: x"] if command == "whatif" else []
    result = runner.invoke(app, [command, TABS, *extra, "--format", "json"])
    assert result.exit_code == 2, result.output
    issues = json.loads(result.stdout)["issues"]
    assert [(set(i), i["file"], i["line"], i["column"]) for i in issues] == [(ISSUE_KEYS, TABS, 4, 1)]
    assert result.stderr == ""


@pytest.mark.parametrize(("args", "path", "fragment"), [
    (["simulate", MM1, "--horizon", "99y"], "--horizon", "longer than the limit of 25 years"),
    (["simulate", MM1, MM1, "--change", "remove: serve"], "", "not both"),
    (["simulate", MM1, "--change", "remove: nothing"], "changes[0].remove", "nothing"),
    (["whatif", MM1, "--change", "remove: nothing"], "changes[0].remove", "nothing"),
])
def test_bad_options_and_changes_give_json_issues(args: list[str], path: str, fragment: str) -> None:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 2, result.output
    issues = json.loads(result.stdout)["issues"]
    assert issues[0]["path"] == path and fragment in issues[0]["message"]


def test_text_format_keeps_lines_on_stderr() -> None:
    result = runner.invoke(app, ["analyze", TABS])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{TABS}:4:1: invalid YAML")
