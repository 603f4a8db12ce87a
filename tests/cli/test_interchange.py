"""``bpr import`` and ``bpr export --to bpmn|prosimos``: exit codes, the lines on stdout and stderr, JSON, and
refusals that name the file; never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.changes import load_process
from bpr.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
FOREIGN = ROOT / "tests" / "interchange" / "foreign" / "spiffworkflow"

runner = CliRunner()


def bpr(*args: str) -> object:
    return runner.invoke(app, list(args))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_export_then_import_gives_back_the_process(here: Path) -> None:
    tandem = ROOT / "scenarios" / "theory" / "tandem.yaml"
    result = bpr("export", str(tandem), "-o", "tandem.bpmn", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "wrote tandem.bpmn (BPMN 2.0, 4 steps, 3 lanes)\n"
    assert result.stderr == "check: the BPMN is valid against the BPMN 2.0 XSD\n"
    result = bpr("import", "tandem.bpmn", "-o", "tandem.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ("tandem: 4 steps, 3 roles; 0 default(s) to fill in, 0 element(s) not imported or "
                             "approximated; wrote tandem.yaml\n")
    assert load_process(here / "tandem.yaml") == load_process(tandem)


def test_export_writes_bpmn_on_stdout_without_o() -> None:
    result = bpr("export", str(ROOT / "scenarios" / "theory" / "mm1.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<bpmn:definitions ")
    assert 'exporter="bpr"' in result.stdout


def test_export_of_a_bad_process_file_lists_its_issues_and_exits_2() -> None:
    bad = ROOT / "tests" / "model" / "invalid" / "several_references.yaml"
    result = bpr("export", str(bad))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"{bad}:15:11: steps[0].role: no role 'clerck' — did you mean 'clerk'?"


def test_export_to_prosimos_writes_the_model_and_its_parameters(here: Path) -> None:
    result = bpr("export", str(ROOT / "scenarios" / "travel_expense" / "before.yaml"), "--to", "prosimos",
                 "-o", "out/travel")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("wrote out/travel.bpmn and out/travel.json; run: prosimos start-simulation --bpmn_path "
                             "out/travel.bpmn --json_path out/travel.json --total_cases 1000 --log_out_path "
                             "log.csv\n")
    notes = result.stderr.splitlines()
    assert notes and all(line.startswith("note: ") for line in notes)
    assert "note: end steps ordered, paid merged into one end event (Prosimos has one); outcomes are not told " \
           "apart" in notes
    assert json.loads((here / "out" / "travel.json").read_text(encoding="utf-8"))["task_resource_distribution"]
    assert (here / "out" / "travel.bpmn").read_text(encoding="utf-8").startswith("<?xml")


def test_export_to_prosimos_needs_a_stem() -> None:
    result = bpr("export", str(ROOT / "scenarios" / "theory" / "mm1.yaml"), "--to", "prosimos")
    assert result.exit_code == 2
    assert result.stderr == "--to prosimos writes two files: give their stem with -o (e.g. -o out/purchase)\n"


def test_import_lists_what_it_did_not_import_and_strict_exits_1(here: Path) -> None:
    shutil.copy(FOREIGN / "bpmn_data_standard_loop.bpmn", here / "loop.bpmn")
    result = bpr("import", "loop.bpmn", "-o", "loop.yaml")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "loop.bpmn:7: any_task: not imported: task: standardLoopCharacteristics: done once per case in bpr " \
           "(repeat it as steps, or raise its duration)" in lines
    assert "loop.bpmn:7: any_task: default: duration not in BPMN: 10m" in lines
    assert lines[-1] == ("main: 2 steps, 1 roles; 4 default(s) to fill in, 1 element(s) not imported or "
                         "approximated; wrote loop.yaml")
    text = (here / "loop.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported from loop.bpmn by bpr import.\n")
    assert "# default" in text  # what BPMN does not hold is marked for the analyst to fill in
    assert load_process(here / "loop.yaml").id == "main"
    assert bpr("import", "loop.bpmn", "--strict", "-o", "loop.yaml").exit_code == 1


def test_import_as_json_carries_the_process_and_every_note(here: Path) -> None:
    shutil.copy(FOREIGN / "bpmn_data_standard_loop.bpmn", here / "loop.bpmn")
    result = bpr("import", "loop.bpmn", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["output"] is None
    assert [step["id"] for step in data["process"]["steps"]] == ["any_task", "Event_1xk7z3g"]
    assert {note["kind"] for note in data["notes"]} == {"not imported", "default"}


@pytest.mark.parametrize(("content", "message"), [
    ('<?xml version="1.0"?>\n<definitions>\n<process>\n',
     "bad.bpmn:4: not well-formed XML: no element found — open it in a BPMN modeller or an XML editor to see "
     "where it breaks"),
    ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions/>\n',
     "bad.bpmn:2: the document declares a DTD (<!DOCTYPE …>), which is refused — BPMN files need no DTD; "
     "entities in it could expand without bound or read other files. Remove the <!DOCTYPE …> block"),
])
def test_import_refuses_bad_xml_with_exit_2_naming_the_file(here: Path, content: str, message: str) -> None:
    (here / "bad.bpmn").write_text(content, encoding="utf-8")
    result = bpr("import", "bad.bpmn", "-o", "bad.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == message
    assert not (here / "bad.yaml").exists()
    result = bpr("import", "bad.bpmn", "--format", "json")
    assert result.exit_code == 2
    (issue,) = json.loads(result.stdout)["issues"]
    assert issue["file"] == "bad.bpmn" and issue["line"] == int(message.split(":")[1])


def test_import_of_a_missing_file_exits_2(here: Path) -> None:
    result = bpr("import", "nothere.bpmn")
    assert result.exit_code == 2
    assert result.stderr == "nothere.bpmn: no such file\n"
