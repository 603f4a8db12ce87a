"""Conformance findings at the file's lines, and ``bpr calibrate`` end to end on a simulated log."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bpr.calibrate import Log, calibrate, log_from_records
from bpr.cli.main import app
from bpr.interchange import write_csv
from bpr.interchange.eventlog import ActivityRecord
from bpr.model.load import load_process
from bpr.model.schema import Process

HERE = Path(__file__).parent


def test_unknown_activity_unexecuted_step_and_disallowed_path_each_at_their_line(
        known: Process, known_run: tuple[list[ActivityRecord], Log]) -> None:
    records = known_run[0]
    with_fix = {r.case_id for r in records if r.activity == "fix"}
    kept = [r for r in records if r.case_id not in with_fix]  # so 'fix' never happens
    cases = list(dict.fromkeys(r.case_id for r in kept if r.activity == "receive"))
    odd, skipped = cases[0], cases[1]
    changed = []
    for r in kept:
        if r.case_id == odd and r.activity == "receive":
            r = r._replace(activity="stamp_again")  # an activity the file lacks
        if r.case_id == skipped and r.activity == "check":
            continue  # receive straight on to the end or the manager: not a path of the file
        changed.append(r)
    result = calibrate(known, log_from_records(changed))
    steps_line = known.location("steps")
    assert steps_line is not None
    unknown = [i for i in result.issues if "activity 'stamp_again' of the log" in i.message]
    assert len(unknown) == 1 and unknown[0].line == steps_line[0] and "is not a step of the file" in unknown[0].message
    never = [i for i in result.issues if "never happens" in i.message]
    assert [(i.path, i.line) for i in never] == [("steps[2]", known.location("steps[2]")[0])]  # type: ignore[index]
    stray = [i for i in result.issues if "does not allow" in i.message]
    assert len(stray) >= 2 and all(i.severity == "warning" for i in stray)
    # The case without its check leaves the file at 'receive'; the renamed one at its unknown activity.
    assert any(i.path == "steps[0]" and skipped in i.message and "goes from 'receive'" in i.message for i in stray)
    assert any(odd in i.message and "'stamp_again' is not a step" in i.message for i in stray)
    deviating = {c.case for c in result.replay.deviating}
    assert deviating == {odd, skipped}


def _csv_with_amounts(records: list[ActivityRecord], log: Log, path: Path) -> None:
    write_csv(records, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",amount"]
    for line, record in zip(lines[1:], records):
        out.append(f"{line},{log.attributes[record.case_id]['amount']}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_cli_writes_the_calibrated_file_and_prints_every_parameter(known_run: tuple[list[ActivityRecord], Log],
                                                                    tmp_path: Path) -> None:
    records, log = known_run
    _csv_with_amounts(records, log, tmp_path / "log.csv")
    out = tmp_path / "calibrated.yaml"
    result = CliRunner().invoke(app, ["calibrate", str(HERE / "wrong.yaml"), str(tmp_path / "log.csv"),
                                      "-o", str(out), "--format", "json", "--no-accuracy"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kept_layout"] is True and data["conformance"] == [] and data["cases"] == len(log.by_case())
    by_path = {p["path"]: p for p in data["parameters"]}
    assert by_path["steps[3].next[0].when"]["fitted"] == "amount > 1000000"
    assert by_path["steps[4].batch"]["fitted"] == "10:00, 15:00"
    assert {"path", "what", "before", "fitted", "n", "uncertainty", "written", "note", "line"} <= set(by_path["arrivals[0].rate"])
    calibrated = load_process(out)
    assert calibrated.step("route").next[0].when == "amount > 1000000"  # type: ignore[union-attr]
    assert "# a guess" in out.read_text(encoding="utf-8")


def test_cli_text_table_and_accuracy(known_run: tuple[list[ActivityRecord], Log], tmp_path: Path) -> None:
    write_csv(known_run[0], tmp_path / "log.csv")
    result = CliRunner().invoke(app, ["calibrate", str(HERE / "wrong.yaml"), str(tmp_path / "log.csv")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for needle in ("parameter", "before", "fitted", "uncertainty", "check: rejection probability", "0.02",
                   "conformance: every case follows the file", "accuracy (W1 to the log", "cycle time:",
                   "arrivals per hour:", "waiting before manager_ok:"):
        assert needle in text, needle
