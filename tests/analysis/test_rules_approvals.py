"""BPR101-BPR106: redundant, doubled, rubber-stamp, over- and under-authorised and serial approvals."""

from __future__ import annotations

from analysishelp import build, findings

from bpr.analysis import analyze

TAIL = "- {id: done, type: end}\n"


# --- BPR101 dominated approval ---------------------------------------------------------------------


def test_dominated_approval_is_reported_with_remove() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
        - {id: chief_ok, name: 係長審査, type: approval, role: chief, duration: 5m, checks: [金額], next: manager_ok}
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額, 仕様], next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR101")
    assert f.steps == ("chief_ok", "manager_ok")
    assert f.suggestion == {"remove": "chief_ok"}
    assert f.severity == "warning" and f.name == "dominated-approval"
    assert "係長審査 (chief_ok)" in f.message and "課長 (manager)" in f.message


def test_later_approval_without_every_check_does_not_dominate() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [金額, 予算科目], next: manager_ok}
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額, 仕様], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_later_approval_with_lower_authority_does_not_dominate() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: manager_ok}
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [金額, 仕様], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_later_approval_delegated_below_the_earlier_one_does_not_dominate() -> None:
    p = build(
        """
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: director_ok}
        - id: director_ok
          type: approval
          role: director
          duration: 5m
          checks: [金額]
          delegations: [{when: "amount <= 100", role: chief}]
          next: done
        """
        + TAIL,
        "attributes:\n  amount: {dist: uniform, min: 0, max: 200}\n",
    )
    assert findings(p, "BPR101") == []


def test_approval_on_one_branch_only_does_not_dominate() -> None:
    p = build(
        """
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [金額], next: route}
        - id: route
          type: decision
          next: [{to: manager_ok, probability: 0.9}, {to: done, probability: 0.1}]
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_rework_does_not_make_an_earlier_approval_later() -> None:
    # manager_ok comes first; chief_ok returns cases to it, but that is rework, not "later".
    p = build(
        """
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: chief_ok}
        - id: chief_ok
          type: approval
          role: chief
          duration: 5m
          checks: [金額]
          reject: {probability: 0.2, to: manager_ok}
          next: done
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_approval_inside_every_parallel_branch_counts_as_on_every_path() -> None:
    p = build(
        """
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [予算], next: split}
        - {id: split, type: parallel, next: [budget_ok, legal_ok], join: meet}
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算, 残額], next: meet}
        - {id: legal_ok, type: approval, role: legal, duration: 5m, checks: [法令], next: meet}
        - {id: meet, type: join, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR101")
    assert f.steps == ("chief_ok", "budget_ok")
    assert f.suggestion == {"remove": "chief_ok"}


def test_sibling_parallel_branches_are_not_later_than_each_other() -> None:
    p = build(
        """
        - {id: split, type: parallel, next: [chief_ok, budget_ok], join: meet}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [予算], next: meet}
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算], next: meet}
        - {id: meet, type: join, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_required_control_is_never_reported_as_dominated() -> None:
    p = build(
        """
        - id: chief_ok
          type: approval
          role: chief
          duration: 5m
          checks: [金額]
          control: {kind: legal, basis: 財務規則第10条}
          next: manager_ok
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR101") == []


def test_nearest_dominating_approval_is_named() -> None:
    p = build(
        """
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [金額], next: manager_ok}
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: director_ok}
        - {id: director_ok, type: approval, role: director, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    assert [(f.steps, f.suggestion) for f in findings(p, "BPR101")] == [
        (("chief_ok", "manager_ok"), {"remove": "chief_ok"}),
        (("manager_ok", "director_ok"), {"remove": "manager_ok"}),
    ]


# --- BPR102 same role twice ------------------------------------------------------------------------


def test_consecutive_approvals_by_the_same_role_suggest_merge() -> None:
    p = build(
        """
        - {id: check_form, type: approval, role: chief, duration: 5m, checks: [様式], next: check_amount}
        - {id: check_amount, type: approval, role: chief, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR102")
    assert f.steps == ("check_form", "check_amount")
    assert f.suggestion == {"merge": ["check_form", "check_amount"]}


def test_consecutive_approvals_by_different_roles_are_not_merged() -> None:
    p = build(
        """
        - {id: check_form, type: approval, role: chief, duration: 5m, checks: [様式], next: check_amount}
        - {id: check_amount, type: approval, role: manager, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR102") == []


def test_same_role_pair_with_a_control_has_no_merge_suggestion() -> None:
    p = build(
        """
        - {id: check_form, type: approval, role: chief, duration: 5m, checks: [様式], next: check_amount}
        - id: check_amount
          type: approval
          role: chief
          duration: 5m
          checks: [金額]
          control: {kind: audit, basis: 監査基準}
          next: done
        """
        + TAIL
    )
    (f,) = findings(p, "BPR102")
    assert f.suggestion is None
    assert "required control (audit: 監査基準)" in f.message


# --- BPR103 rubber stamp ---------------------------------------------------------------------------


def test_approval_that_never_rejects_before_another_sign_off_is_removable() -> None:
    p = build(
        """
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [様式], next: manager_ok}
        - id: manager_ok
          type: approval
          role: manager
          duration: 5m
          checks: [金額]
          reject: {probability: 0.1, to: chief_ok}
          next: done
        """
        + TAIL
    )
    (f,) = findings(p, "BPR103")
    assert (f.steps, f.severity, f.suggestion) == (("chief_ok",), "warning", {"remove": "chief_ok"})
    assert "has no reject" in f.message


def test_reject_probability_zero_is_a_rubber_stamp_too() -> None:
    p = build(
        """
        - id: chief_ok
          type: approval
          role: chief
          duration: 5m
          reject: {probability: 0, to: chief_ok}
          next: manager_ok
        - {id: manager_ok, type: approval, role: manager, duration: 5m, reject: {probability: 0.1, to: chief_ok}, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR103")
    assert f.steps == ("chief_ok",) and "rejects with probability 0" in f.message


def test_approval_that_rejects_is_not_a_rubber_stamp() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, reject: {probability: 0.05, to: draft}, next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR103") == []


def test_last_sign_off_that_never_rejects_is_info_without_removal() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR103")
    assert (f.severity, f.suggestion) == ("info", None)
    assert "last sign-off" in f.message


def test_rubber_stamp_that_is_a_required_control_is_kept() -> None:
    p = build(
        """
        - id: chief_ok
          type: approval
          role: chief
          duration: 5m
          control: {kind: legal, basis: 地方自治法第232条の3}
          next: manager_ok
        - {id: manager_ok, type: approval, role: manager, duration: 5m, reject: {probability: 0.1, to: chief_ok}, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR103")
    assert (f.severity, f.suggestion) == ("info", None)
    assert "required control (legal: 地方自治法第232条の3)" in f.message


# --- BPR104 / BPR106 authority ---------------------------------------------------------------------

AMOUNT = """\
attributes:
  amount: {dist: uniform, min: 0, max: 200}
"""


def _authority_process(rows: str, delegations: str = "", before: str = "") -> str:
    return (
        f"""
        - {{id: draft, type: task, role: clerk, duration: 10m, next: {before or "director_ok"}}}
        {"- {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [形式], next: director_ok}" if before else ""}
        - id: director_ok
          type: approval
          role: director
          duration: 5m
          checks: [必要性]
          reject: {{probability: 0.1, to: draft}}
          required_authority: {rows}
          {delegations}
          next: done
        """
        + TAIL
    )


def test_approval_above_the_needed_authority_suggests_delegation_with_the_condition() -> None:
    p = build(_authority_process('[{when: "amount <= 100", level: 3}, {level: 5}]'), AMOUNT)
    (f,) = findings(p, "BPR104")
    assert f.steps == ("director_ok",)
    assert f.suggestion == {"delegate": {"step": "director_ok", "to": "manager", "when": "amount <= 100"}}
    # about half of uniform(0, 200) is <= 100; 2000 samples: 95% within ±2.2 points
    share = int(f.message.split("% of the cases")[0].rsplit(" ", 1)[1])
    assert 47 <= share <= 53


def test_delegate_prefers_a_role_that_already_signs_before() -> None:
    p = build(
        _authority_process('[{when: "amount <= 100", level: 3}, {level: 5}]', before="manager_ok"), AMOUNT
    )
    (f,) = findings(p, "BPR104")
    assert f.suggestion["delegate"]["to"] == "manager"  # type: ignore[index]
    p = build(
        _authority_process('[{when: "amount <= 100", level: 3}, {level: 5}]').replace(
            "role: clerk, duration: 10m, next: director_ok",
            "role: clerk, duration: 10m, next: budget_ok}\n        - {id: budget_ok, type: approval, role: budget, "
            "duration: 5m, checks: [予算], next: director_ok",
        ),
        AMOUNT,
    )
    (f,) = findings(p, "BPR104")
    assert f.suggestion["delegate"]["to"] == "budget"  # type: ignore[index]


def test_no_excess_when_every_case_needs_the_approvers_level() -> None:
    p = build(_authority_process('[{when: "amount <= 100", level: 5}, {level: 5}]'), AMOUNT)
    assert findings(p, "BPR104") == []


def test_cases_already_delegated_are_not_reported_again() -> None:
    p = build(
        _authority_process(
            '[{when: "amount <= 100", level: 3}, {level: 5}]',
            'delegations: [{when: "amount <= 100", role: manager}]',
        ),
        AMOUNT,
    )
    assert findings(p, "BPR104") == []
    assert findings(p, "BPR106") == []


def test_only_cases_that_reach_the_approval_count() -> None:
    # Small amounts end before the director; those that reach it all need level 5.
    p = build(
        """
        - id: route
          type: decision
          next: [{to: director_ok, when: "amount > 100"}, {to: done, otherwise: true}]
        - id: director_ok
          type: approval
          role: director
          duration: 5m
          reject: {probability: 0.1, to: route}
          required_authority: [{when: "amount <= 100", level: 3}, {level: 5}]
          next: done
        """
        + TAIL,
        AMOUNT,
    )
    assert findings(p, "BPR104") == []


def test_delegation_condition_excludes_earlier_rows_that_need_more() -> None:
    extra = AMOUNT + "  kind: {dist: choice, values: {工事: 0.5, 物品: 0.5}}\n"
    p = build(
        _authority_process(
            '[{when: "kind == \\"工事\\"", level: 5}, {when: "amount <= 100", level: 3}, {level: 5}]'
        ),
        extra,
    )
    (f,) = findings(p, "BPR104")
    assert f.suggestion == {
        "delegate": {
            "step": "director_ok",
            "to": "manager",
            "when": '(amount <= 100) and not (kind == "工事")',
        }
    }


def test_catch_all_row_below_the_approver_replaces_the_role() -> None:
    p = build(_authority_process("[{level: 3}]"), AMOUNT)
    (f,) = findings(p, "BPR104")
    assert f.suggestion == {"delegate": {"step": "director_ok", "to": "manager"}}


def test_delegation_below_the_required_level_is_reported() -> None:
    p = build(
        _authority_process(
            '[{when: "amount <= 100", level: 3}, {level: 5}]',
            'delegations: [{when: "amount <= 150", role: chief}]',
        ),
        AMOUNT,
    )
    rows = findings(p, "BPR106")
    assert len(rows) == 2  # level 3 cases (<= 100) and level 5 cases (100..150) both decided by chief
    assert {f.steps for f in rows} == {("director_ok",)}
    assert all("係長 (chief), authority 2" in f.message for f in rows)
    assert findings(p, "BPR104") == []  # the over-authorised cases are delegated already


# --- BPR105 serial independent approvals -----------------------------------------------------------


def test_serial_approvals_with_disjoint_checks_can_run_in_parallel() -> None:
    p = build(
        """
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算], next: legal_ok}
        - {id: legal_ok, type: approval, role: legal, duration: 5m, checks: [法令], next: contracts_ok}
        - {id: contracts_ok, type: approval, role: contracts, duration: 5m, checks: [契約方法], next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR105")
    assert f.steps == ("budget_ok", "legal_ok", "contracts_ok")
    assert f.suggestion == {"parallelize": ["budget_ok", "legal_ok", "contracts_ok"]}
    assert f.severity == "info"


def test_overlapping_checks_are_not_parallelised() -> None:
    p = build(
        """
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算, 法令], next: legal_ok}
        - {id: legal_ok, type: approval, role: legal, duration: 5m, checks: [法令], next: done}
        """
        + TAIL
    )
    assert findings(p, "BPR105") == []


def test_approval_returning_cases_to_the_previous_one_depends_on_it() -> None:
    p = build(
        """
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算], next: legal_ok}
        - id: legal_ok
          type: approval
          role: legal
          duration: 5m
          checks: [法令]
          reject: {probability: 0.1, to: budget_ok}
          next: done
        """
        + TAIL
    )
    assert findings(p, "BPR105") == []


def test_self_rework_does_not_break_a_chain() -> None:
    p = build(
        """
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算], next: legal_ok}
        - id: legal_ok
          type: approval
          role: legal
          duration: 5m
          checks: [法令]
          reject: {probability: 0.1, to: legal_ok}
          next: done
        """
        + TAIL
    )
    (f,) = findings(p, "BPR105")
    assert f.suggestion == {"parallelize": ["budget_ok", "legal_ok"]}


def test_chain_through_a_handoff_names_both_changes_without_a_single_suggestion() -> None:
    p = build(
        """
        - {id: budget_ok, type: approval, role: budget, duration: 5m, checks: [予算], next: mail}
        - {id: mail, type: handoff, delay: 1h, next: legal_ok}
        - {id: legal_ok, type: approval, role: legal, duration: 5m, checks: [法令], next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR105")
    assert f.steps == ("budget_ok", "mail", "legal_ok")
    assert f.suggestion is None
    assert "remove: mail" in f.message and "parallelize: [budget_ok, legal_ok]" in f.message


def test_every_rule_sees_only_its_own_findings() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, checks: [a], reject: {probability: 0.1, to: draft}, next: done}
        """
        + TAIL
    )
    assert analyze(p).findings == []
