"""``bpr report``: the page and its diagrams in the output folder, options, friendly errors (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bpr.cli.report as report_cli
from bpr.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
BEFORE = str(ROOT / "scenarios" / "purchase_ringi" / "before.yaml")
AFTER = str(ROOT / "scenarios" / "purchase_ringi" / "after.yaml")
FAST = ["-r", "2", "--horizon", "1w", "--warm-up", "1w", "--workers", "1", "--impact-steps", "2"]


def test_writes_the_report_and_the_diagrams_next_to_it(tmp_path):
    target = tmp_path / "out" / "purchase_ringi" / "report.html"
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(target), *FAST])
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="ja">' in html
    folder = target.parent
    for name in ("before", "after", "compare"):
        svg = (folder / f"{name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "IPAGothic" in svg
        if shutil.which("dot"):
            assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    assert f"open it in a browser: {target.resolve().as_uri()}" in done.stdout
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "no temporary files left behind"


def test_english_the_run_options_and_a_redesign_run_now(tmp_path, monkeypatch):
    calls = []

    def fake_run(process, seed, workers):  # the real one is tested in tests/redesign; here: is it called
        calls.append((process.id, seed))
        return {"schema_version": 1, "kind": "redesign", "candidates": [], "thresholds": {}, "plan": {}, "config": {}}

    monkeypatch.setattr(report_cli, "_run_redesign", fake_run)
    target = tmp_path / "r.html"
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(target), "--lang", "en", "--seed", "5", *FAST,
                               "--redesign"])
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Process redesign proposal" in html
    assert "<th>Random seed</th><td>5</td>" in html and "<th>Replications</th><td>2</td>" in html
    assert calls == [("purchase_ringi", 5)] and 'id="redesign"' in html


@pytest.mark.parametrize("args, expected", [
    (["b.yaml", "a.yaml", "--redesign"], ["b.yaml", "a.yaml", "--redesign", "-"]),
    (["b.yaml", "a.yaml", "--redesign", "--lang", "en"], ["b.yaml", "a.yaml", "--redesign", "-", "--lang", "en"]),
    (["--redesign", "b.yaml", "a.yml"], ["--redesign", "-", "b.yaml", "a.yml"]),
    (["b.yaml", "a.yaml", "--redesign", "r.json"], ["b.yaml", "a.yaml", "--redesign", "r.json"]),
    (["b.yaml", "a.yaml", "--redesign=r.json"], ["b.yaml", "a.yaml", "--redesign=r.json"]),
])
def test_redesign_without_a_value_means_run_it(args, expected):
    assert report_cli.redesign_flag(args) == expected


def test_a_redesign_file_adds_the_matrix(tmp_path):
    from bpr.changes import load_process
    from bpr.redesign import redesign
    from bpr.simulate import SimConfig

    data = redesign(load_process(BEFORE), SimConfig(replications=2, horizon="1w", warm_up="1w"),
                    heuristics=["batching"]).to_dict()
    redesign_file = tmp_path / "redesign.json"
    redesign_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "r.html"
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(target), "--redesign", str(redesign_file),
                               "--impact-steps", "0", *FAST[:-2]])
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    assert 'id="redesign"' in html and 'data-chart="matrix"' in html
    assert 'id="impact"' not in html  # --impact-steps 0 leaves it out


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"kind": "comparison"}', "expected 'redesign'"),
])
def test_a_bad_redesign_file_exits_2(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(tmp_path / "r.html"), "--redesign", str(bad), *FAST])
    assert done.exit_code == 2
    assert message in done.output and str(bad) in done.output
    assert not (tmp_path / "r.html").exists()


def test_bad_input_exits_2_with_a_located_message(tmp_path, write_file):
    broken = write_file("after.yaml", "base: before.yaml\nchanges:\n  - remove: no_such_step\n")
    write_file("before.yaml", Path(BEFORE).read_text(encoding="utf-8"))
    done = runner.invoke(app, ["report", BEFORE, str(broken), "-o", str(tmp_path / "r.html"), *FAST])
    assert done.exit_code == 2
    assert "after.yaml:3" in done.output and "no_such_step" in done.output


def test_the_output_must_be_html(tmp_path):
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(tmp_path / "r.pdf"), *FAST])
    assert done.exit_code == 2 and "r.html" in done.output


def test_bad_run_options_exit_2(tmp_path):
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(tmp_path / "r.html"), "--horizon", "soon"])
    assert done.exit_code == 2 and "--horizon" in done.output


def test_ctrl_c_while_drawing_leaves_no_page_and_no_diagram(tmp_path, monkeypatch):
    calls = []

    def interrupted(dot, fmt, dpi=144):
        calls.append(fmt)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return b"\x89PNG"

    monkeypatch.setattr(report_cli, "run_dot", interrupted)
    monkeypatch.setattr(report_cli, "find_dot", lambda: "dot")
    target = tmp_path / "report.html"
    done = runner.invoke(app, ["report", BEFORE, AFTER, "-o", str(target), *FAST])
    assert done.exit_code == 130 and calls == ["png", "png"]
    assert list(tmp_path.iterdir()) == [], "the page and its diagrams appear together or not at all"


def test_several_options_side_by_side_and_the_process_as_it_is(tmp_path):
    option_b = tmp_path / "option_b.yaml"
    option_b.write_text(f"name: 案B\nbase: {BEFORE}\nchanges:\n  - remove: hosa_check\n", encoding="utf-8")
    target = tmp_path / "options.html"
    done = runner.invoke(app, ["report", BEFORE, AFTER, str(option_b), "-o", str(target), *FAST])
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    assert 'data-key="lead_days.A"' in html and 'data-key="lead_days.B"' in html
    for name in ("before", "option_A", "compare_A", "option_B", "compare_B"):
        assert (tmp_path / f"{name}.svg").exists() and f'data-diagram="{name}"' in html
    as_is = tmp_path / "as_is" / "report.html"
    done = runner.invoke(app, ["report", BEFORE, "-o", str(as_is), *FAST])
    assert done.exit_code == 0, done.output
    html = as_is.read_text(encoding="utf-8")
    assert 'data-key="lead_days.before"' in html and "lead_days.A" not in html
    refused = runner.invoke(app, ["report", BEFORE, "-o", str(target), "--redesign", "r.json", *FAST])
    assert refused.exit_code == 2 and "--redesign" in refused.stderr
