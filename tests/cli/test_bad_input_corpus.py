"""Every bad input of the corpus (tests/model/invalid/, at least 150 files) through the command line: exit 2
with ``file:line`` (text) or located JSON issues (``--format json``), no traceback, nothing written or
changed, each command in under 5 CPU-seconds; and the whole corpus read by one process in under 500 MB."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "model" / "invalid"
NAMES = sorted(path.name for path in INVALID.iterdir() if path.is_file())
SECONDS = 5.0
runner = CliRunner()


def test_the_corpus_holds_at_least_150_bad_inputs() -> None:
    assert len(NAMES) >= 150


def _snapshot(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus (bases named as ``../valid/minimal.yaml`` come along)."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(INVALID, root / "invalid")
    shutil.copytree(INVALID.parent / "valid", root / "valid")
    return root / "invalid"


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_exits_2_located_in_bounded_time_and_writes_nothing(
        name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus)
    before = _snapshot(corpus)
    start = time.process_time()  # CPU time: the machine running the suite may be shared and busy
    text = runner.invoke(app, ["validate", name])
    middle = time.process_time()
    as_json = runner.invoke(app, ["simulate", name, "--events", "events.csv", "-r", "2", "--horizon", "1w",
                                  "--format", "json"])
    elapsed = max(middle - start, time.process_time() - middle)
    for result in (text, as_json):
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit), result.exception  # not an error escaping
        assert "Traceback" not in result.output
    first = text.stderr.splitlines()[0]
    file, line = first.split(":")[:2]
    assert file in before and line.isdigit(), first  # file:line, in the corpus (a change list's bad base)
    issues = json.loads(as_json.stdout)["issues"]
    assert issues and all(issue["line"] is not None for issue in issues)
    assert _snapshot(corpus) == before, "a bad input wrote or changed a file"
    assert elapsed < SECONDS, f"{name}: {elapsed:.1f} CPU-s"


def test_the_whole_corpus_is_read_in_under_500_mb(corpus: Path) -> None:
    # a wrapper process measures its own child only (this test process has had other children)
    measure = ("import resource, subprocess, sys\n"
               "done = subprocess.run([sys.executable, '-m', 'bpr', 'validate', *sys.argv[1:]], capture_output=True,"
               " text=True)\n"
               "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "print(done.stderr.splitlines()[-1])\n"
               "print('Traceback' in done.stderr)\n")
    done = subprocess.run([sys.executable, "-c", measure, *NAMES], cwd=corpus, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    code, peak_kb = done.stdout.splitlines()[0].split()
    assert done.stdout.splitlines()[1:] == [f"{len(NAMES)} of {len(NAMES)} file(s) invalid", "False"], done.stderr
    assert int(code) == 2
    assert int(peak_kb) / 1024 < 500, f"{int(peak_kb) / 1024:.0f} MB"  # ru_maxrss is in kilobytes on Linux
