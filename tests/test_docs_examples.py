"""Every Python block in docs/ runs, as a plain script (no ``if __name__ == "__main__":`` guard), in a folder
holding the ``before.yaml`` and ``after.yaml`` the examples name (those of scenarios/purchase_ringi)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for number, match in enumerate(_BLOCK.finditer(page.read_text(encoding="utf-8")), start=1):
            found.append((f"{page.name}#{number}", match.group(1)))
    return found


BLOCKS = _blocks()


def test_the_docs_have_python_examples() -> None:
    assert {name.split("#")[0] for name, _ in BLOCKS} >= {"results.md", "report.md", "changes.md", "diagrams.md"}


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_python_example_runs_as_a_script(name: str, code: str, tmp_path: Path) -> None:
    for variant in ("before", "after"):
        shutil.copy(ROOT / "scenarios" / "purchase_ringi" / f"{variant}.yaml", tmp_path / f"{variant}.yaml")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, f"{name}:\n{done.stderr[-3000:]}"
