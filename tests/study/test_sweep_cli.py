"""``bpr sweep`` and ``bpr gen-catalog``: the files written, a bad catalogue named by file, line and field, and
no process left behind after a SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app
from bpr.errors import ModelError
from bpr.study.catalog import read_catalog
from bpr.study.generate import generate_catalog

from sweephelp import ROOT, write_catalog

runner = CliRunner()
FAST = ["-r", "3", "--horizon", "3w", "--warm-up", "1w", "--seed", "11"]


def test_sweep_writes_the_table_the_ranking_and_the_store(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow.parquet")
    catalog = write_catalog(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(catalog), "-o", str(out), "--workers", "1", *FAST, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["runs"] == {"ran": 7, "reused": 0}
    assert summary["status"] == {"run": 7, "no change": 2}
    assert [row["whatif"] for row in summary["ranking"]][0] == "redesign"
    assert sorted(p.name for p in out.iterdir()) == ["ranking.csv", "runs", "summary.json", "sweep.csv", "sweep.parquet"]
    table = pyarrow.read_table(out / "sweep.parquet")
    csv_lines = (out / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert table.num_rows == len(csv_lines) - 1 == 9
    assert table.column_names == csv_lines[0].split(",")
    again = runner.invoke(app, ["sweep", str(catalog), "-o", str(out), "--workers", "1", *FAST])
    assert again.exit_code == 0, again.output
    assert "runs: 0 run now, 7 taken from" in again.stdout


@pytest.mark.parametrize(("text", "expected"), [
    ("processes:\n  - file: before.yml\n",
     "catalog.yaml:2:11: processes[0].file: before.yml: no such file — did you mean 'before.yaml'?"),
    ("processes:\n  - file: before.yaml\n    whatif: []\n",
     "catalog.yaml:3:5: processes[0].whatif: unknown field in a process entry; allowed: file, glob, key, whatifs"
     " — did you mean 'whatifs'?"),
    ("processes: [before.yaml]\nwhatifs:\n  - {name: x, rule: digitise-rekey}\n",
     "catalog.yaml:3:21: whatifs[0].rule: unknown rule 'digitise-rekey'; rules: digitize-rekey, remove-dominated,"
     " delegate, parallelize, suggestions, add-staff — did you mean 'digitize-rekey'?"),
    ("processes:\n  - file: before.yaml\n    whatifs:\n      - name: x\n        changes:\n          - remove: hosa_chek\n",
     "catalog.yaml:6:21: processes[0].whatifs[0].changes[0].remove: step 'hosa_chek' does not exist"
     " — did you mean 'hosa_check'?"),
    ("options: {replicatons: 5}\nprocesses: [before.yaml]\n",
     "catalog.yaml:1:11: options.replicatons: unknown option; allowed: replications, horizon, warm_up, seed, "
     "start_date, hours_per_fte, case_sample — did you mean 'replications'?"),
    ("processes: [before.yaml]\nwhatifs:\n  - {name: s, rule: add-staff, above: 85}\n",
     "catalog.yaml:3:39: whatifs[0].above: 'above' is a utilisation between 0 and 1, got 85 — above: 0.85"),
])
def test_a_bad_catalogue_is_named_by_file_line_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          text: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "before.yaml").write_bytes((ROOT / "scenarios" / "purchase_ringi" / "before.yaml").read_bytes())
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        read_catalog("catalog.yaml")
    assert caught.value.issues[0].format().replace(str(tmp_path), "{dir}") == expected
    result = runner.invoke(app, ["sweep", "catalog.yaml", "-o", "out"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.replace(str(tmp_path), "{dir}").splitlines()[0] == expected
    assert not (tmp_path / "out").exists(), "nothing is written for a bad catalogue"


def test_a_missing_catalogue_and_a_bad_rule_flag(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sweep", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere: no such file" in result.stderr
    result = runner.invoke(app, ["sweep", str(ROOT / "scenarios"), "--rule", "remove-dominatd"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("<options>: --rule: unknown rule 'remove-dominatd'; rules: digitize-rekey, "
                                     "remove-dominated, delegate, parallelize, suggestions, add-staff — did you mean "
                                     "'remove-dominated'?")


def test_a_folder_catalogue_pairs_change_lists_with_their_base() -> None:
    catalog = read_catalog(ROOT / "scenarios" / "purchase_ringi", ("remove-dominated",))
    assert [e.key for e in catalog.entries] == ["before"]
    assert [w.name for w in catalog.whatifs_of(catalog.entries[0])] == ["after", "remove-dominated"]


def test_generated_catalogue_is_reproducible_and_valid(tmp_path: Path) -> None:
    first = generate_catalog(tmp_path / "a", 6, seed=3)
    second = generate_catalog(tmp_path / "b", 6, seed=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    catalog = read_catalog(first)
    assert len(catalog.entries) == 6 and second.name == "catalog.yaml"
    assert len({e.process.id for e in catalog.entries}) == 6
    base = read_catalog(ROOT / "scenarios" / "purchase_ringi", ()).entries[0].process
    variant = next(e.process for e in catalog.entries if e.key.startswith("purchase_ringi"))
    assert variant.step_ids == base.step_ids
    assert variant.arrivals[0].rate != base.arrivals[0].rate
    assert all([w.name for w in catalog.whatifs_of(e)] == ["redesign", "digitize-rekey", "remove-dominated",
                                                           "add-staff"] for e in catalog.entries)


def test_a_generated_redesign_written_in_full_is_varied_like_its_variant(tmp_path: Path) -> None:
    """road_occupancy's after.yaml is a complete file: its redesign gets the variant's factors, so a step the
    redesign leaves alone lasts as long in both, and each role keeps its staff."""
    catalog = read_catalog(generate_catalog(tmp_path, 5, seed=3, rules=False))
    entry = catalog.entries[4]
    (redesign,) = catalog.whatifs_of(entry)
    assert entry.key == "road_occupancy_0005" and redesign.process is not None
    before, after = entry.process, redesign.process
    steps = {step.id: step for step in after.steps}
    for step_id in ("receive", "police_consult", "permit_send"):  # the same in the scenario's before and after
        assert steps[step_id].duration == next(s for s in before.steps if s.id == step_id).duration
    assert {role: after.roles[role].staff for role in after.roles} == \
        {role: before.roles[role].staff for role in after.roles}


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid``, read from /proc."""
    found: set[int] = set()
    parents = {pid}
    while parents:
        new = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid in parents and int(entry.name) not in found:
                new.add(int(entry.name))
        found |= new
        parents = new
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("executor", [["--workers", "2"], ["--dask", "local:2"]])
def test_sigterm_ends_the_sweep_and_every_worker(tmp_path: Path, executor: list[str]) -> None:
    if executor[0] == "--dask":
        pytest.importorskip("distributed")
    catalog = generate_catalog(tmp_path / "catalog", 4)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "bpr", "sweep", str(catalog), "-o", str(out), *executor, "-r", "3",
               "--horizon", "2w", "--warm-up", "1w"]  # short runs: the first is stored within seconds
    sweep = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob("runs/??/*.json")):  # the sweep is under way: a run has finished
            assert sweep.poll() is None, sweep.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "no run finished within 4 minutes"
            time.sleep(0.05)
        workers = _children(sweep.pid)
        assert len(workers) >= 2
        sweep.send_signal(signal.SIGTERM)
        sweep.wait(timeout=60)
        assert sweep.returncode == 143, sweep.communicate()[1].decode()[-2000:]
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in workers if _alive(pid)] == []
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait()
