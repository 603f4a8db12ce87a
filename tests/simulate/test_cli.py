"""``bpr simulate``: one process, a comparison, changes on the command line, formats, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bpr.cli.main import app

THEORY = Path(__file__).resolve().parents[2] / "scenarios" / "theory"
MM1 = str(THEORY / "mm1.yaml")
FAST = ["--replications", "3", "--horizon", "1000m", "--warm-up", "100m", "--workers", "1"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["simulate", *args])


def test_one_process_prints_kpis_with_intervals() -> None:
    result = invoke(MM1, *FAST)
    assert result.exit_code == 0, result.output
    assert "Lead time" in result.output and "95% CI" in result.output and "util." in result.output


def test_json_is_the_documented_result() -> None:
    result = invoke(MM1, *FAST, "--format", "json", "--seed", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["kind"] == "simulation"
    assert data["config"]["seed"] == 3 and data["config"]["replications"] == 3
    assert data["kpis"]["lead_time"]["unit"] == "minutes"


def test_change_on_the_command_line_gives_a_comparison(tmp_path: Path) -> None:
    result = invoke(MM1, *FAST, "--change", "{staff: {server: 2}}", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "comparison"
    assert data["differences"]["lead_time"]["difference"] < 0
    assert data["headline"]["processing_time_reduction_percent"]["significant"] is True


def test_two_files_compare_in_text(tmp_path: Path) -> None:
    result = invoke(MM1, str(THEORY / "mmc.yaml"), *FAST)
    assert result.exit_code == 0, result.output
    assert "lead time reduction" in result.output and "significant" in result.output


def test_csv_and_event_log(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    result = invoke(MM1, *FAST, "--format", "csv", "--events", str(events))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["metric"] == "lead_time"
    log = list(csv.DictReader(events.open(encoding="utf-8")))
    assert log and log[0]["activity"] == "serve" and log[0]["resource"] == "server#1"


def test_bad_options_exit_2_with_a_message() -> None:
    result = invoke(MM1, "--horizon", "1 fortnight")
    assert result.exit_code == 2
    assert "--horizon" in result.output and "cannot read time span" in result.output
    result = invoke(MM1, "--replications", "1")
    assert result.exit_code == 2 and "--replications" in result.output


def test_after_and_change_together_are_refused() -> None:
    result = invoke(MM1, MM1, "--change", "{staff: {server: 2}}")
    assert result.exit_code == 2 and "not both" in result.output


def test_a_change_that_does_not_apply_is_located() -> None:
    result = invoke(MM1, *FAST, "--change", "remove: nothing")
    assert result.exit_code == 2
    assert "--change: changes[0].remove" in result.output and "nothing" in result.output


def test_bad_process_file_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: x\nroles: {}\n", encoding="utf-8")
    result = invoke(str(bad), *FAST)
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output


def _markup_named(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "named.yaml"
    text = (THEORY / "mm1.yaml").read_text(encoding="utf-8")
    text = text.replace("name: M/M/1 queue", f"name: '{name}'")
    text = text.replace("server: {staff: 1}", f"server: {{staff: 1, name: '{name}'}}")
    path.write_text(text, encoding="utf-8")
    return path


def test_names_that_look_like_markup_print_as_written(tmp_path: Path) -> None:
    name = "申請[/]処理 [bold]"
    named = _markup_named(tmp_path, name)
    result = invoke(str(named), *FAST)
    assert result.exit_code == 0, result.output
    assert f"{name} (mm1)" in result.output
    assert f"│ {name}" in result.output and "(server)" in result.output  # the role's cell (wrapped)
    result = invoke(str(named), str(named), *FAST)
    assert result.exit_code == 0, result.output
    assert f"{name} → {name}" in result.output


def test_overload_warning_with_a_markup_role_name(tmp_path: Path) -> None:
    named = _markup_named(tmp_path, "係長[/]")
    text = named.read_text(encoding="utf-8").replace("rate: 42/hour", "rate: 72/hour")
    named.write_text(text, encoding="utf-8")
    result = invoke(str(named), "-r", "2", "--horizon", "300m", "--warm-up", "0m", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "係長[/]" in result.output


def test_hours_per_fte_below_one_hour_is_bad_input_not_an_overflow() -> None:
    result = invoke(MM1, *FAST, "--hours-per-fte", "1e-300")
    assert result.exit_code == 2
    assert "--hours-per-fte: Input should be greater than or equal to 1" in result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output


def test_infinite_cost_is_bad_input_not_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "inf.yaml"
    path.write_text(Path(MM1).read_text(encoding="utf-8").replace("server: {staff: 1}",
                                                                   "server: {staff: 1, hourly_cost: .inf}"),
                    encoding="utf-8")
    result = invoke(str(path), *FAST, "--format", "json")
    assert result.exit_code == 2, result.output
    [issue] = json.loads(result.stdout)["issues"]
    assert (issue["file"], issue["line"], issue["path"], issue["message"]) == (
        str(path), 8, "roles.server.hourly_cost", "'.inf' is not a finite number")


def test_json_output_never_holds_infinity(capsys) -> None:
    from bpr.cli.common import print_json

    print_json({"a": float("inf"), "b": [float("nan"), 1.5], "c": {"d": -float("inf")}})
    assert json.loads(capsys.readouterr().out, parse_constant=lambda text: 1 / 0) == {
        "a": None, "b": [None, 1.5], "c": {"d": None}}


def _minimal_with_rate(tmp_path: Path, rate: str) -> Path:
    path = tmp_path / "busy.yaml"
    text = (Path(__file__).resolve().parents[1] / "model" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("rate: 10/day", f"rate: {rate}"), encoding="utf-8")
    return path


def test_a_run_that_would_not_end_is_refused_with_its_estimate(tmp_path: Path) -> None:
    busy = _minimal_with_rate(tmp_path, "1000000000/day")
    result = invoke(str(busy))
    assert result.exit_code == 2, result.output
    assert f"{busy}:7:30: arrivals[0].rate: this run would simulate about " in result.output
    assert "days with" in result.output and "--force runs it anyway" in result.output


def test_a_change_that_sets_a_huge_rate_is_refused_too(tmp_path: Path) -> None:
    calm = _minimal_with_rate(tmp_path, "10/day")
    result = invoke(str(calm), "--change", "arrivals: {counter: {rate: 1000000000/day}}")
    assert result.exit_code == 2, result.output
    assert "this run would simulate about" in result.output


def test_an_endless_horizon_is_refused() -> None:
    result = invoke(MM1, "--horizon", "999999999y")
    assert result.exit_code == 2
    assert "--horizon: '999999999y' is longer than the limit of 25 years" in result.output


def test_force_runs_a_run_over_the_limit_and_shows_the_estimate(monkeypatch) -> None:
    import bpr.cli.common

    monkeypatch.setattr(bpr.cli.common, "MAX_SECONDS_UNFORCED", 0.0)
    assert invoke(MM1, *FAST).exit_code == 2
    result = invoke(MM1, *FAST, "--force")
    assert result.exit_code == 0, result.output
    assert "note: this run would simulate about" in result.output and "running it as --force asks" in result.output
