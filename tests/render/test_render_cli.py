"""``bpr render``: files in every format, findings and results overlays, friendly errors (exit 2)."""

from __future__ import annotations

import json

import pytest
import yaml
from render_samples import small_data
from typer.testing import CliRunner

from bpr.cli.main import app

runner = CliRunner()


@pytest.fixture
def process_file(write_file):
    return write_file("subsidy.yaml", yaml.safe_dump(small_data(), allow_unicode=True, sort_keys=False))


def test_without_output_the_dot_text_goes_to_stdout(process_file):
    done = runner.invoke(app, ["render", str(process_file)])
    assert done.exit_code == 0
    assert done.stdout.startswith("digraph bpr {") and "申請書の受付" in done.stdout


@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-")])
def test_writes_the_format_of_the_suffix(process_file, tmp_path, suffix, magic):
    target = tmp_path / f"flow.{suffix}"
    done = runner.invoke(app, ["render", str(process_file), "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert target.read_bytes().startswith(magic)
    assert f"wrote {target} ({suffix.upper()})" in done.stdout


def test_findings_are_marked(process_file):
    done = runner.invoke(app, ["render", str(process_file), "--findings"])
    assert done.exit_code == 0
    assert "指摘事項" in done.stdout and "BPR" in done.stdout


def test_english(process_file):
    done = runner.invoke(app, ["render", str(process_file), "--lang", "en", "--findings"])
    assert done.exit_code == 0
    assert "Legend" in done.stdout and "Findings" in done.stdout and "凡例" not in done.stdout


def test_direction(process_file):
    done = runner.invoke(app, ["render", str(process_file), "--direction", "TB"])
    assert "rankdir=TB" in done.stdout


def test_results_overlay(process_file, write_file):
    results = {
        "schema_version": 1,
        "kind": "simulation",
        "process": {"id": "subsidy", "name": "住宅リフォーム補助金の申請"},
        "roles": {"clerk": {"utilisation": {"mean": 0.82, "ci95": [0.8, 0.84]}}, "legal": {"utilisation": None}},
        "steps": {"manager_ok": {"waiting": {"mean": 300.0, "ci95": [280, 320]}}},
    }
    path = write_file("results.json", json.dumps(results, ensure_ascii=False))
    done = runner.invoke(app, ["render", str(process_file), "--results", str(path)])
    assert done.exit_code == 0, done.output
    assert "稼働率 82%" in done.stdout and "待ち 5時間" in done.stdout


def test_results_that_are_not_json_exit_2(process_file, write_file):
    path = write_file("results.json", "{not json")
    done = runner.invoke(app, ["render", str(process_file), "--results", str(path)])
    assert done.exit_code == 2
    assert f"{path}:1:2: not valid JSON" in done.stderr


def test_results_of_another_kind_exit_2(process_file, write_file):
    path = write_file("results.json", json.dumps({"kind": "analysis"}))
    done = runner.invoke(app, ["render", str(process_file), "--results", str(path)])
    assert done.exit_code == 2
    assert "'kind' is 'analysis'; expected 'simulation' or 'comparison'" in done.stderr


def test_unknown_format_exits_2_before_any_work(process_file, tmp_path):
    done = runner.invoke(app, ["render", str(process_file), "-o", str(tmp_path / "flow.gif")])
    assert done.exit_code == 2
    assert "cannot tell the diagram format" in done.stderr
    assert not (tmp_path / "flow.gif").exists()


def test_bad_process_file_exits_2_with_location(write_file):
    path = write_file("bad.yaml", "id: x\nname: x\nroles: {}\n")
    done = runner.invoke(app, ["render", str(path)])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"{path}:")
