"""BPR201-BPR203: ping-pong between departments, long chains of handoffs, files carried on paper."""

from __future__ import annotations

from analysishelp import build, findings

from bpr.analysis.rules.handoffs import CHAIN_THRESHOLD

TAIL = "- {id: done, type: end}\n"


def test_department_a_to_b_and_back_is_ping_pong() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: budget_note}
        - {id: budget_note, type: task, role: budget, duration: 5m, next: file}
        - {id: file, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR201")
    assert f.steps == ("receive", "budget_check", "budget_note", "file")
    assert "総務課" in f.message and "財政課" in f.message and "(on the most likely path)" in f.message
    assert f.suggestion is None


def test_handoff_step_in_between_still_counts_as_the_same_ping_pong() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: there}
        - {id: there, type: handoff, delay: 1h, next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: back}
        - {id: back, type: handoff, delay: 1h, next: file}
        - {id: file, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    assert [f.steps for f in findings(p, "BPR201")] == [("receive", "budget_check", "file")]


def test_ping_pong_on_a_less_likely_branch_is_found_but_not_called_most_likely() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: route}
        - id: route
          type: decision
          next: [{to: budget_check, probability: 0.2}, {to: file, probability: 0.8}]
        - {id: budget_check, type: task, role: budget, duration: 10m, next: file}
        - {id: file, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR201")
    assert f.steps == ("receive", "budget_check", "file")
    assert "most likely" not in f.message


KINDS = "attributes:\n  kind: {dist: choice, values: {new: 0.6, renewal: 0.4}}\n"

# A renewal gets a lighter check and no consultation; a new case is checked in full, then consulted.
CHECKS = """
- id: triage
  type: decision
  next: [{to: light_check, when: 'kind == "renewal"'}, {to: full_check, otherwise: true}]
- {id: light_check, type: task, role: clerk, duration: 5m, next: is_new}
- {id: full_check, type: task, role: clerk, duration: 20m, next: is_new}
- id: is_new
  type: decision
  next: [{to: budget_check, when: 'kind == "new"'}, {to: file, otherwise: true}]
"""
EXCLUSIVE = CHECKS + """\
- {id: budget_check, type: task, role: budget, duration: 10m, next: legal_check}
- {id: legal_check, type: task, role: legal, duration: 10m, next: audit_check}
- {id: audit_check, type: task, role: audit, duration: 10m, next: contracts_check}
- {id: contracts_check, type: task, role: contracts, duration: 10m, next: file}
- {id: file, type: task, role: clerk, duration: 5m, next: done}
"""


def test_handoffs_are_only_reported_on_paths_a_case_can_take() -> None:
    p = build(EXCLUSIVE + TAIL, KINDS)
    # light_check -> budget_check would need a case that is a renewal and new at once
    assert [f.steps for f in findings(p, "BPR201")] == []  # no department is visited twice in a row
    (chain,) = findings(p, "BPR202")
    assert chain.steps == ("full_check", "budget_check", "legal_check", "audit_check", "contracts_check", "file")
    assert "changes department 5 times" in chain.message
    # Without the conditions every path counts: the lighter check is then the chain's start too.
    by_share = EXCLUSIVE.replace("""{to: light_check, when: 'kind == "renewal"'}, {to: full_check, otherwise: true}""",
                                 "{to: light_check, probability: 0.4}, {to: full_check, probability: 0.6}")
    (chain,) = findings(build(by_share + TAIL, KINDS), "BPR202")
    assert chain.steps[0] == "light_check"


def test_ping_pong_is_only_reported_where_a_case_can_go_there_and_back() -> None:
    steps = CHECKS + """\
- {id: budget_check, type: task, role: budget, duration: 10m, next: file}
- {id: file, type: task, role: clerk, duration: 5m, next: done}
"""
    assert [f.steps for f in findings(build(steps + TAIL, KINDS), "BPR201")] == [
        ("full_check", "budget_check", "file")]


def test_co_signing_in_parallel_is_not_ping_pong() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: split}
        - {id: split, type: parallel, next: [budget_check, legal_check], join: meet}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: meet}
        - {id: legal_check, type: task, role: legal, duration: 10m, next: meet}
        - {id: meet, type: join, next: file}
        - {id: file, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR201") == []


def test_a_to_b_to_c_is_not_ping_pong() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: legal_check}
        - {id: legal_check, type: task, role: legal, duration: 5m, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR201") == []


def test_the_applicant_is_not_a_department() -> None:
    p = build(
        """
        - {id: explain, type: task, role: clerk, duration: 10m, next: sign}
        - {id: sign, type: task, role: applicant, duration: 5m, next: issue}
        - {id: issue, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR201") == []


def test_rework_loop_back_is_not_ping_pong() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: complete}
        - id: complete
          type: decision
          next: [{to: receive, probability: 0.1}, {to: done, probability: 0.9}]
        """
        + TAIL
    )
    assert findings(p, "BPR201") == []


def _chain(departments: int) -> str:
    roles = ["clerk", "budget", "legal", "contracts", "audit", "clerk", "budget"][: departments + 1]
    lines = [
        f"- {{id: s{i}, type: task, role: {role}, duration: 5m, next: {'s' + str(i + 1) if i + 1 < len(roles) else 'done'}}}"
        for i, role in enumerate(roles)
    ]
    return "\n".join(lines) + "\n" + TAIL


def test_long_chain_of_department_changes_is_reported_once() -> None:
    assert CHAIN_THRESHOLD == 4
    p = build(_chain(4))
    (f,) = findings(p, "BPR202")
    assert f.steps == ("s0", "s1", "s2", "s3", "s4")
    assert "4 times" in f.message and "総務課 -> 財政課 -> 法務課 -> 契約課 -> 監査課" in f.message


def test_three_department_changes_are_below_the_threshold() -> None:
    assert findings(build(_chain(3)), "BPR202") == []


def test_chain_counts_department_changes_not_steps() -> None:
    p = build(
        """
        - {id: a1, type: task, role: clerk, duration: 5m, next: a2}
        - {id: a2, type: approval, role: chief, duration: 5m, reject: {probability: 0.1, to: a1}, next: a3}
        - {id: a3, type: approval, role: manager, duration: 5m, reject: {probability: 0.1, to: a1}, next: b1}
        - {id: b1, type: task, role: budget, duration: 5m, next: c1}
        - {id: c1, type: task, role: legal, duration: 5m, next: a4}
        - {id: a4, type: task, role: clerk, duration: 5m, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR202") == []  # 3 changes: 総務課 -> 財政課 -> 法務課 -> 総務課


def test_physical_handoff_suggests_digitize() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: mail}
        - {id: mail, name: 庁内逓送, type: handoff, mode: internal_mail, delay: 2h, departures: ["14:00"], next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR203")
    assert (f.steps, f.severity, f.suggestion) == (("mail",), "info", {"digitize": ["mail"]})
    assert "庁内逓送 (mail)" in f.message and "14:00" in f.message and "2.0 h" in f.message


def test_electronic_handoff_is_fine() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: send}
        - {id: send, type: handoff, mode: electronic, delay: 0m, next: budget_check}
        - {id: budget_check, type: task, role: budget, duration: 10m, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR203") == []
