"""Small processes for the analysis tests, written as YAML and loaded through the real loader (a module of
its own name: ``conftest`` is taken by other folders, and which one ``import conftest`` finds depends on
the folders pytest was given)."""

from __future__ import annotations

import textwrap

from bpr.analysis import Finding, analyze
from bpr.model.load import parse_process
from bpr.model.schema import Process

HEADER = """\
format: 1
id: t
name: テスト手続
calendar: always
roles:
  clerk: {name: 担当, department: 総務課, authority: 1}
  chief: {name: 係長, department: 総務課, authority: 2}
  manager: {name: 課長, department: 総務課, authority: 3}
  director: {name: 部長, department: 総務課, authority: 5}
  budget: {name: 財政担当, department: 財政課, authority: 3}
  legal: {name: 法務担当, department: 法務課, authority: 3}
  contracts: {name: 契約担当, department: 契約課, authority: 3}
  audit: {name: 監査担当, department: 監査課, authority: 3}
  applicant: {name: 申請者, external: true}
arrivals:
  - {channel: internal, rate: 10/day}
"""


def build(steps: str, extra: str = "") -> Process:
    """A process with the common roles, ``extra`` top-level YAML and the given ``steps:`` list."""
    text = HEADER + textwrap.dedent(extra) + "steps:\n" + textwrap.indent(textwrap.dedent(steps), "  ")
    return parse_process(text, file="t.yaml")


def findings(process: Process, rule: str) -> list[Finding]:
    return [f for f in analyze(process).findings if f.rule == rule]
