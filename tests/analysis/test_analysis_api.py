"""The public face of bpr.analysis: its names, the order and lines of findings, and suggestions that apply."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from analysishelp import HEADER, build

from bpr import analysis
from bpr.analysis import RULES, Analysis, analyze, change_text, suggested_changes
from bpr.analysis.findings import Finding
from bpr.changes import apply_changes, load_process, parse_changes
from bpr.errors import ChangeError

RINGI = Path(__file__).resolve().parents[2] / "scenarios" / "purchase_ringi"


def test_public_api_is_all() -> None:
    public = {
        name
        for name, value in vars(analysis).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(analysis.__all__)


def test_rule_ids_are_unique_stable_and_documented() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"BPR[1-4]\d\d", i) for i in ids)
    assert len({rule.name for rule in RULES}) == len(RULES)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"{rule.id} {rule.name}" in docs, f"{rule.id} missing from docs/rules.md"


SORTING = """
- {id: draft, type: task, role: clerk, duration: 10m, rekey: true, next: chief_ok}
- id: chief_ok
  type: approval
  role: chief
  duration: 5m
  checks: [金額]
  batch: ["10:00"]
  next: manager_ok
- {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], reject: {probability: 0.1, to: draft}, next: done}
- {id: done, type: end}
"""


def test_findings_sorted_by_severity_then_step_order_with_lines() -> None:
    result = analyze(build(SORTING))
    assert [(f.rule, f.severity, f.steps[0], f.line) for f in result.findings] == [
        ("BPR301", "warning", "draft", 19),
        ("BPR101", "warning", "chief_ok", 20),
        ("BPR103", "warning", "chief_ok", 20),
        ("BPR401", "info", "chief_ok", 20),
    ]
    # HEADER is 16 lines, "steps:" line 17, SORTING's leading blank line 18: draft is on 19, chief_ok on 20
    assert HEADER.count("\n") == 16
    assert result.counts() == {"error": 0, "warning": 3, "info": 1}


def test_finding_to_dict_is_plain_json() -> None:
    f = Finding("BPR101", "dominated-approval", "warning", ("a", "b"), "m", {"remove": "a"}, 3)
    assert f.to_dict() == {
        "rule": "BPR101",
        "name": "dominated-approval",
        "severity": "warning",
        "steps": ["a", "b"],
        "message": "m",
        "suggestion": {"remove": "a"},
        "line": 3,
    }


def test_analysis_to_dict_has_summary_and_findings() -> None:
    result = analyze(build(SORTING))
    assert isinstance(result, Analysis)
    assert set(result.to_dict()) == {"summary", "findings"}


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"remove": "chief_check"}, "remove: chief_check"),
        ({"parallelize": ["a", "b"]}, "parallelize: [a, b]"),
        ({"batch": {"step": "x", "at": None}}, "batch: {step: x, at: null}"),
        (
            {"delegate": {"step": "d", "to": "m", "when": "amount <= 1000000"}},
            "delegate: {step: d, to: m, when: amount <= 1000000}",
        ),
        (
            {"delegate": {"step": "d", "to": "m", "when": 'kind == "工事"'}},
            "delegate: {step: d, to: m, when: 'kind == \"工事\"'}",
        ),
        ({"set": {"step": "s", "name": "it's \"x\""}}, 'set: {step: s, name: "it\'s \\"x\\""}'),
    ],
)
def test_change_text_is_one_line_of_yaml(change: dict, text: str) -> None:
    import yaml

    assert change_text(change) == text
    assert yaml.safe_load(text) == change


def test_suggested_changes_drop_conflicts() -> None:
    findings = analyze(build(SORTING)).findings
    assert suggested_changes(findings) == [{"digitize": ["draft"]}, {"remove": "chief_ok"}]


def test_suggested_changes_given_the_process_drop_what_no_longer_applies() -> None:
    # Removing pb sends s3's returns to s2 (pb's way on), inside the chain [s2, s3]: parallelize is refused.
    process = build(
        """
        - {id: split, type: parallel, next: [pa, pb], join: meet}
        - {id: pa, type: approval, role: chief, duration: 5m, checks: [a], next: meet}
        - {id: pb, type: approval, role: clerk, duration: 5m, checks: [b], next: meet}
        - {id: meet, type: join, next: s2}
        - {id: s2, type: approval, role: legal, duration: 5m, checks: [law], reject: {probability: 0.1, to: s2}, next: s3}
        - {id: s3, type: approval, role: contracts, duration: 5m, checks: [price], reject: {probability: 0.1, to: pb}, next: x}
        - {id: x, type: approval, role: director, duration: 5m, checks: [a, b], reject: {probability: 0.1, to: s2}, next: done}
        - {id: done, type: end}
        """
    )
    findings = analyze(process).findings
    naive = suggested_changes(findings)
    assert naive == [{"remove": "pa"}, {"remove": "pb"}, {"parallelize": ["s2", "s3"]}]
    with pytest.raises(ChangeError, match="inside the chain"):
        apply_changes(process, parse_changes(naive))
    checked = suggested_changes(findings, process)
    assert checked == [{"remove": "pa"}, {"remove": "pb"}]
    apply_changes(process, parse_changes(checked))


def _every_suggestion_applies(process) -> None:  # type: ignore[no-untyped-def]
    result = analyze(process)
    for finding in result.findings:
        if finding.suggestion:
            apply_changes(process, parse_changes([finding.suggestion]))
    apply_changes(process, parse_changes(suggested_changes(result.findings)))
    apply_changes(process, parse_changes(suggested_changes(result.findings, process)))


def test_suggestions_of_the_small_processes_apply() -> None:
    _every_suggestion_applies(build(SORTING))


@pytest.mark.skipif(not (RINGI / "before.yaml").exists(), reason="ringi scenario not present")
def test_ringi_before_has_redundant_approvals_that_apply_and_after_has_none() -> None:
    before = load_process(RINGI / "before.yaml")
    result = analyze(before)
    redundant = [f for f in result.findings if f.rule in ("BPR101", "BPR102")]
    assert redundant and all(f.suggestion for f in redundant)
    _every_suggestion_applies(before)
    after = load_process(RINGI / "after.yaml")
    assert [f for f in analyze(after).findings if f.rule in ("BPR101", "BPR102", "BPR103", "BPR104")] == []
