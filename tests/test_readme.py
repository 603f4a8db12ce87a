"""The README's examples are real: its process file loads, its change list applies to the ringi scenario,
and each ``bpr`` command of the tour names a command that exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from bpr.changes import apply_changes, load_process, parse_changes
from bpr.cli.main import COMMANDS
from bpr.model.load import parse_process, read_yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)


def test_the_tour_process_loads() -> None:
    process = parse_process(YAML_BLOCKS[0], file="README.md")
    assert process.id == "small_purchase" and process.step_ids == ("draft", "approve", "done")


def test_the_tour_change_list_applies_to_the_ringi() -> None:
    data, locations = read_yaml(YAML_BLOCKS[1], "README.md")
    assert data["base"] == "before.yaml"
    before = load_process(ROOT / "scenarios/purchase_ringi" / data["base"])
    after = apply_changes(before, parse_changes(data["changes"], "README.md", locations), file="README.md")
    assert "hosa_check" not in after.step_ids
    assert after.step("kessai").batch is None


def test_every_command_of_the_tour_exists() -> None:
    names = set(COMMANDS)
    used = set()
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "bpr":
                used.add(words[1])
    assert used and used <= names, f"README uses commands that do not exist: {sorted(used - names)}"


def test_the_quick_start_is_two_commands_that_run_scripts_of_the_clone() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0]
    commands = [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]
    assert commands == [["bash", "scripts/demo.sh"], ["bash", "scripts/test.sh"]]
    assert all((ROOT / words[1]).is_file() for words in commands)
    assert "bash scripts/test.sh" in (ROOT / ".ci/run").read_text(encoding="utf-8")
