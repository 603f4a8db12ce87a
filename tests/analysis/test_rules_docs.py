"""Every example of docs/rules.md produces its rule, with the suggestion the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bpr.analysis import RULES, analyze
from bpr.model.load import parse_process

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
HEADER = re.search(r"```yaml header\n(.*?)```", DOCS, re.DOTALL).group(1)  # type: ignore[union-attr]


def _section(rule_id: str) -> str:
    match = re.search(rf"^### {rule_id} .*?(?=^### |^## )", DOCS, re.DOTALL | re.MULTILINE)
    assert match, f"no section for {rule_id}"
    return match.group(0)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_documented_example_triggers_its_rule(rule) -> None:  # type: ignore[no-untyped-def]
    section = _section(rule.id)
    assert section.startswith(f"### {rule.id} {rule.name}\n")
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]
    process = parse_process(HEADER + example, file="rules.md")
    hits = [f for f in analyze(process).findings if f.rule == rule.id]
    assert hits, f"the example of {rule.id} does not trigger it"
    shown = re.search(r"^Suggestion: `(.*)`\.$", section, re.MULTILINE)
    if shown:
        assert hits[0].suggestion == yaml.safe_load(shown.group(1))
    else:
        assert hits[0].suggestion is None
