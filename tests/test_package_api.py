"""The public API is exactly ``bpr.__all__``, sorted, and the documented pipeline runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bpr


def test_public_names_are_all_and_sorted() -> None:
    public = {name for name in dir(bpr) if not name.startswith("_")}
    subpackages = {"analysis", "changes", "cli", "errors", "model", "render", "simulate", "study", "redesign",
                   "service", "api", "interchange", "execute", "calibrate", "web"}
    assert public - subpackages == set(bpr.__all__)
    assert list(bpr.__all__) == sorted(bpr.__all__)


def test_docstring_pipeline_runs(repo_root: Path) -> None:
    process = bpr.load_process(repo_root / "scenarios/purchase_ringi/before.yaml")
    assert any(f.rule == "BPR101" and "hosa_check" in f.steps for f in bpr.analyze(process).findings)
    after = bpr.apply_changes(process, [{"remove": "hosa_check"}])
    assert "hosa_check" not in after.step_ids and len(after.steps) == len(process.steps) - 1


def test_python_dash_m_bpr_is_the_cli(repo_root: Path) -> None:
    ringi = repo_root / "scenarios/purchase_ringi/before.yaml"
    done = subprocess.run([sys.executable, "-m", "bpr", "validate", str(ringi)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout and "before.yaml" in done.stdout
