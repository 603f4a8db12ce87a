"""``bpr report BEFORE AFTER --actual LOG``: the log ``bpr simulate AFTER --events`` wrote is within its own
prediction; a bad log is refused with a message naming it (exit 2), before anything is simulated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
BEFORE = str(ROOT / "scenarios" / "care_certification" / "before.yaml")  # bad logs are refused before simulating
AFTER = str(ROOT / "scenarios" / "care_certification" / "option_a_weekly.yaml")
RINGI = ROOT / "scenarios" / "purchase_ringi"
RUN = ["-r", "3", "--workers", "1", "--seed", "11"]  # a year, as by default: the log covers the seasons too
HEADER = "case_id,activity,activity_name,role,resource,enable_time,start_time,end_time,outcome,channel,on_behalf_of\n"
ROW = "1,uketsuke,受付,madoguchi,madoguchi#1,{t},{t},{t},done,counter,\n"


def test_the_log_of_the_simulated_after_is_within_its_prediction(tmp_path: Path) -> None:
    """購買稟議 (no deadline: no share row); its log covers more than a year, so staff-hours a year are checked."""
    before, after, log = str(RINGI / "before.yaml"), str(RINGI / "after.yaml"), tmp_path / "after_events.csv"
    done = runner.invoke(app, ["simulate", after, *RUN, "--events", str(log)])
    assert done.exit_code == 0, done.output
    target = tmp_path / "report.html"
    done = runner.invoke(app, ["report", before, after, "-o", str(target), "--lang", "en", *RUN, "--actual", str(log)])
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    verdicts = dict(re.findall(r'<tr data-figure="(\w+)">.*?data-verdict="(\w+)"', html, re.S))
    assert verdicts == {"lead_days": "within", "staff_hours_per_case": "within", "staff_hours_per_year": "within"}
    assert "Check: the prediction against the log" in html and f"--actual {log}" in html


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name, text, message", [
    ("empty.csv", "", r"empty\.csv: the file is empty"),
    ("no_end.csv", HEADER.replace(",end_time", ""), r"no_end\.csv:1: no column 'end_time'"),
    ("other.csv", HEADER + ROW.format(t="2026-04-01T09:00:00+09:00").replace("uketsuke", "hanko"),
     r"other\.csv:2: activity 'hanko' is not a step of 'care_certification'"),
    ("open.csv", HEADER + ROW.format(t="2026-04-01T09:00:00+09:00"), r"open\.csv: no case .* reaches an end step"),
])
def test_a_bad_log_exits_2_naming_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    log = _write(tmp_path / name, text)
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(tmp_path / "r.html"), *RUN, "--actual", log])
    assert done.exit_code == 2, done.output
    assert re.search(message, done.output), done.output
    assert "Traceback" not in done.output and not (tmp_path / "r.html").exists()


def test_a_mapped_csv_is_read_with_the_calibration_s_options(tmp_path: Path) -> None:
    log = _write(tmp_path / "mapped.csv", "Case,Task,From,To\n1,uketsuke,2026-04-01 09:00,2026-04-01 09:20\n")
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(tmp_path / "r.html"), *RUN, "--actual", log,
                               "--map", "case=Case,activity=Task,start=From,end=To", "--timezone", "Asia/Tokyo"])
    assert done.exit_code == 2 and "mapped.csv: no case" in done.output  # read, mapped, and found unfinished


@pytest.mark.parametrize("args, message", [
    ([BEFORE, "--actual", "log.csv"], "goes with one redesigned process"),
    ([BEFORE, AFTER, AFTER, "--actual", "log.csv"], "goes with one redesigned process"),
    ([BEFORE, AFTER, "--map", "case=c"], "describe the log of --actual"),
])
def test_the_check_needs_one_after_file_and_a_log(tmp_path: Path, args: list[str], message: str) -> None:
    done = runner.invoke(app, ["report", *args, "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 2 and message in done.output, done.output
