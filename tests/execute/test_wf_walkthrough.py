"""docs/execute.md runs exactly as written: every ``sh`` block, in order, in a fresh folder laid out like a
clone (the scenario and the doc's change list copied in), on a fresh SQLite database (the default file),
with ``TZ=Asia/Tokyo`` as the page says. Each command must exit 0, or the code its ``# exit N`` comment
announces; every line of the ``text`` block that follows a command block must appear in that block's output.

``bpr`` lines run in this process through typer's runner (the same app as the console script, about
twenty times faster than starting Python for each of some sixty commands); set
``BPR_WALKTHROUGH_SHELL=1`` to run every line through bash with ``bpr`` on the PATH instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "execute.md"
EXPECTED_EXIT = re.compile(r"#\s*exit (\d+)\s*$")


@dataclass(frozen=True)
class Block:
    commands: tuple[str, ...]
    shown: tuple[str, ...]  # lines of the text block after it: each must appear in the output
    line: int  # where the block starts in the doc, for the failure message


def blocks(text: str) -> list[Block]:
    """The ``sh`` blocks of the page, each with the ``text`` block right after it (if any)."""
    found = list(re.finditer(r"^```(sh|text)\n(.*?)^```", text, flags=re.S | re.M))
    out = []
    for k, match in enumerate(found):
        if match.group(1) != "sh":
            continue
        after = found[k + 1] if k + 1 < len(found) else None
        shown: tuple[str, ...] = ()
        if after is not None and after.group(1) == "text" and text[match.end():after.start()].strip() == "":
            shown = tuple(line.strip() for line in after.group(2).splitlines() if line.strip())
        commands = tuple(line for line in match.group(2).replace("\\\n", " ").splitlines() if line.strip())
        out.append(Block(commands, shown, text[:match.start()].count("\n") + 1))
    return out


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working folder with the files the page names, no BPR_DATABASE, and Tokyo time."""
    shutil.copytree(ROOT / "scenarios" / "purchase_ringi", tmp_path / "scenarios" / "purchase_ringi")
    shutil.copytree(ROOT / "docs" / "execute", tmp_path / "docs" / "execute")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BPR_DATABASE", raising=False)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield tmp_path
    monkeypatch.undo()
    time.tzset()


def _shim(folder: Path) -> dict[str, str]:
    """An environment whose PATH has a ``bpr`` that runs this checkout with this interpreter."""
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "bpr"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bpr "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run(command: str, shell_env: dict[str, str] | None) -> tuple[int, str]:
    words = shlex.split(command, comments=True)
    if shell_env is None and words[0] == "bpr":
        result = CliRunner().invoke(app, words[1:])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=shell_env, check=False)
    return done.returncode, done.stdout + done.stderr


def test_blocks_pair_each_command_block_with_the_output_shown_right_after() -> None:
    page = ("```sh\nbpr a\nbpr b \\\n  --x  # exit 2\n```\n\n```text\nout 1\n\nout 2\n```\n"
            "prose\n```sh\nbpr c\n```\nprose\n```text\nnot its output\n```\n")
    assert blocks(page) == [Block(("bpr a", "bpr b    --x  # exit 2"), ("out 1", "out 2"), 1),
                            Block(("bpr c",), (), 13)]


def test_the_page_has_the_whole_story() -> None:
    text = DOC.read_text(encoding="utf-8")
    commands = " ".join(c for block in blocks(text) for c in block.commands)
    for what in ("cases deploy", "user add", "cases start", " approve ", " reject ", " return ", "cases withdraw",
                 "cases absence", "cases tick", "cases migrate", "--apply", "cases export", ".xes",
                 "cases archive", "cases verify", "bpr inbox"):
        assert what in commands, f"docs/execute.md no longer shows {what.strip()!r}"


def test_the_walkthrough_runs_as_written(clone: Path) -> None:
    shell_env = _shim(clone) if os.environ.get("BPR_WALKTHROUGH_SHELL") == "1" else None
    everything = []
    for block in blocks(DOC.read_text(encoding="utf-8")):
        output = ""
        for command in block.commands:
            expected = EXPECTED_EXIT.search(command)
            code, out = run(command, shell_env)
            assert code == (int(expected.group(1)) if expected else 0), (
                f"docs/execute.md:{block.line}: {command}\nexit {code}\n{out}")
            assert "Traceback" not in out, f"docs/execute.md:{block.line}: {command}\n{out}"
            output += out
        missing = [line for line in block.shown if line not in output]
        assert missing == [], f"docs/execute.md:{block.line}: not in the output: {missing}\n--- output:\n{output}"
        everything.append(output)
    log = "\n".join(everything)
    # The key moments, whatever the page shows: three deciders by amount, 代決, escalation, an intact trail.
    assert re.search(r"item \d+ +case 3 .* kessai", log) and re.search(r"item \d+ +case 4 .* kessai", log)
    assert "for ito (代決)" in log and "fuku for ito approve" in log
    assert "escalated to you" in log and "ok: the audit trail is intact" in log
    header = (clone / "cases.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "case" in header and "+09:00" in (clone / "cases.csv").read_text(encoding="utf-8")
    assert ElementTree.parse(clone / "cases.xes").getroot().tag.endswith("log")
