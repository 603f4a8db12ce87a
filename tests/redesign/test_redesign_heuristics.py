"""Each heuristic on a small process where it must fire, and on one where it must not."""

from __future__ import annotations

from redesign_helpers import process

from bpr.model.schema import Decision
from bpr.redesign import Blocked, Candidate, Context, propose
from bpr.redesign.evaluate import apply_candidate
from bpr.redesign.heuristics.batching import continuous_in_tray
from bpr.redesign.heuristics.bypass import cases_decided_by
from bpr.redesign.heuristics.channels import ONLINE_SHARE, online_channel
from bpr.redesign.heuristics.composition import merge_same_role
from bpr.redesign.heuristics.cosign import parallel_cosign
from bpr.redesign.heuristics.delegation import delegate_by_rules
from bpr.redesign.heuristics.digitization import REKEY_FACTOR, digitize_paper
from bpr.redesign.heuristics.elimination import eliminate_approvals
from bpr.redesign.heuristics.knockout import knockout_ordering
from bpr.redesign.heuristics.triage import NEEDED as TRIAGE
from bpr.redesign.heuristics.triage import triage_simple_cases

END = "- {id: done, type: end}"


def changes(candidates: list) -> list[list[dict]]:
    return [list(c.changes) for c in candidates]


# --- task elimination -----------------------------------------------------------------------------------


DOMINATED = f"""
    - {{id: prepare, type: task, role: clerk, duration: 10m, next: chief_ok}}
    - {{id: chief_ok, type: approval, role: chief, duration: 5m, checks: [amount], next: director_ok}}
    - {{id: director_ok, type: approval, role: director, duration: 5m, checks: [amount, need],
        reject: {{probability: 0.1, to: prepare}}, next: done}}
    {END}
"""
"""The chief checks what the director checks again, with more authority and a reject of its own."""


def test_eliminate_fires_on_an_approval_a_more_senior_one_repeats() -> None:
    p = process(DOMINATED)
    found = eliminate_approvals(Context(p))
    assert changes(found) == [[{"remove": "chief_ok"}]]
    assert found[0].sources == ("BPR101", "BPR103")


def test_eliminate_does_not_fire_when_the_later_approval_is_less_senior_and_both_reject() -> None:
    p = process(f"""
        - {{id: prepare, type: task, role: clerk, duration: 10m, next: director_ok}}
        - {{id: director_ok, type: approval, role: director, duration: 5m, checks: [amount],
            reject: {{probability: 0.1, to: prepare}}, next: chief_ok}}
        - {{id: chief_ok, type: approval, role: chief, duration: 5m, checks: [amount, need],
            reject: {{probability: 0.1, to: prepare}}, next: done}}
        {END}
    """)
    assert eliminate_approvals(Context(p)) == []


def test_eliminate_never_proposes_a_control() -> None:
    p = process(f"""
        - {{id: prepare, type: task, role: clerk, duration: 10m, next: chief_ok}}
        - {{id: chief_ok, type: approval, role: chief, duration: 5m, checks: [amount], next: director_ok,
            control: {{kind: legal, basis: 財務規則第10条}}}}
        - {{id: director_ok, type: approval, role: director, duration: 5m, checks: [amount, need],
            reject: {{probability: 0.1, to: prepare}}, next: done}}
        {END}
    """)
    assert eliminate_approvals(Context(p)) == []
    assert all("chief_ok" not in str(c.changes) or "remove" not in str(c.changes) for c in propose(Context(p)).candidates)


# --- delegation (専決) ------------------------------------------------------------------------------------

DELEGABLE = f"""
    - {{id: prepare, type: task, role: clerk, duration: 10m, next: decide}}
    - id: decide
      type: approval
      role: director
      duration: 5m
      required_authority:
        - {{when: "amount < 100", level: 2}}
        - {{when: "kind == 'urgent'", level: 5}}
        - {{when: "amount < 1000", level: 3}}
        - {{level: 5}}
      next: done
    {END}
"""
ATTRIBUTES = """
attributes:
  amount: {dist: uniform, min: 0, max: 2000}
  kind: {dist: choice, values: {urgent: 0.1, normal: 0.9}}
"""


def test_delegate_fires_per_row_to_the_least_senior_role_that_holds_the_level() -> None:
    p = process(DELEGABLE, extra=ATTRIBUTES)
    (found,) = delegate_by_rules(Context(p))
    # Row 1 needs level 2: chief (3) is the least senior role with at least 2 (clerk has 1). Row 3 needs 3 and
    # must not catch the urgent cases that row 2 sends to level 5.
    assert list(found.changes) == [
        {"delegate": {"step": "decide", "to": "chief", "when": "amount < 100"}},
        {"delegate": {"step": "decide", "to": "chief", "when": "(amount < 1000) and not (kind == 'urgent')"}},
    ]


def test_delegate_does_not_fire_when_every_row_needs_the_approvers_level() -> None:
    p = process(DELEGABLE.replace("level: 2", "level: 5").replace("level: 3", "level: 5"), extra=ATTRIBUTES)
    assert delegate_by_rules(Context(p)) == []


def test_delegate_skips_a_role_that_segregation_of_duties_keeps_apart() -> None:
    # chief prepares the case; the decision must be separate from preparing it: delegate to someone else.
    p = process(f"""
        - {{id: prepare, type: task, role: chief, duration: 10m, next: decide}}
        - id: decide
          type: approval
          role: director
          duration: 5m
          required_authority: [{{when: "amount < 100", level: 2}}, {{level: 5}}]
          control: {{kind: segregation, basis: 会計規則, separate_from: [prepare]}}
          next: done
        {END}
    """, roles=ROLES_WITH_MANAGER, extra=ATTRIBUTES)
    (found,) = delegate_by_rules(Context(p))
    assert list(found.changes) == [{"delegate": {"step": "decide", "to": "manager", "when": "amount < 100"}}]


def test_delegate_also_skips_the_delegates_own_earlier_review_for_the_cases_it_now_decides() -> None:
    p = process(DELEGATED.replace('      delegations: [{when: "amount < 100", role: chief}]\n',
                                  '      required_authority: [{when: "amount < 100", level: 3}, {level: 5}]\n'),
                extra=AMOUNT)
    (found,) = delegate_by_rules(Context(p))
    assert list(found.changes) == [
        {"delegate": {"step": "decide", "to": "chief", "when": "amount < 100"}},
        {"remove": {"step": "chief_review", "when": "amount < 100"}},
    ]
    assert found.steps == ("decide", "chief_review") and "read the same request twice" in found.explanation
    apply_candidate(p, found.changes)


def test_delegate_leaves_a_review_redundant_for_every_case_to_elimination() -> None:
    # chief_review checks nothing the decision does not check and returns nothing (BPR101, BPR103): the
    # elimination heuristic removes it for every case, so the delegation does not bypass it for some.
    p = process(DELEGATED.replace("checks: [form, need],\n        reject: {probability: 0.1, to: prepare}, ",
                                  "checks: [need], ")
                .replace('      delegations: [{when: "amount < 100", role: chief}]\n',
                         '      required_authority: [{when: "amount < 100", level: 3}, {level: 5}]\n'),
                extra=AMOUNT)
    assert [list(c.changes) for c in eliminate_approvals(Context(p))] == [[{"remove": "chief_review"}]]
    (found,) = delegate_by_rules(Context(p))
    assert list(found.changes) == [{"delegate": {"step": "decide", "to": "chief", "when": "amount < 100"}}]


ROLES_WITH_MANAGER = """
roles:
  clerk: {staff: 2, authority: 1}
  chief: {staff: 1, authority: 3}
  manager: {staff: 1, authority: 4}
  director: {staff: 1, authority: 5}
"""


# --- parallel co-sign (合議) -------------------------------------------------------------------------------

SERIAL_COSIGN = f"""
    - {{id: prepare, type: task, role: clerk, duration: 10m, next: chief_ok}}
    - {{id: chief_ok, type: approval, role: chief, duration: 5m, checks: [need], next: mail}}
    - {{id: mail, type: handoff, delay: 1h, next: budget_ok}}
    - {{id: budget_ok, type: approval, role: budget, duration: 5m, checks: [funds], next: done}}
    {END}
"""


def test_parallel_fires_on_independent_serial_approvals_and_removes_the_handoff_between() -> None:
    found = parallel_cosign(Context(process(SERIAL_COSIGN)))
    assert changes(found) == [[{"remove": "mail"}, {"parallelize": ["chief_ok", "budget_ok"]}]]


def test_parallel_does_not_fire_when_the_second_uses_the_firsts_result() -> None:
    dependent = SERIAL_COSIGN.replace("checks: [funds]", "checks: [funds, need]")
    assert parallel_cosign(Context(process(dependent))) == []


# --- composition (merge) ----------------------------------------------------------------------------------


def test_merge_fires_on_consecutive_tasks_of_one_role() -> None:
    p = process(f"""
        - {{id: fill, type: task, role: clerk, duration: 10m, next: print}}
        - {{id: print, type: task, role: clerk, duration: 5m, next: file}}
        - {{id: file, type: task, role: clerk, duration: 5m, next: done}}
        {END}
    """)
    assert changes(merge_same_role(Context(p))) == [[{"merge": ["fill", "print", "file"]}]]


def test_merge_does_not_fire_across_roles_controls_or_side_entries() -> None:
    p = process(f"""
        - {{id: fill, type: task, role: clerk, duration: 10m, next: check}}
        - {{id: check, type: task, role: chief, duration: 5m, next: record}}
        - {{id: record, type: task, role: chief, duration: 5m, next: done,
            control: {{kind: audit, basis: 監査規程}}}}
        {END}
    """)
    assert merge_same_role(Context(p)) == []
    side_entry = process(f"""
        - {{id: fill, type: task, role: clerk, duration: 10m, next: print}}
        - {{id: print, type: task, role: clerk, duration: 5m, next: ok}}
        - {{id: ok, type: approval, role: chief, duration: 5m, reject: {{probability: 0.2, to: print}}, next: done}}
        {END}
    """)
    assert merge_same_role(Context(side_entry)) == []


# --- digitisation and channel shift ---------------------------------------------------------------------

PAPER = f"""
    - {{id: receive, type: task, role: clerk, duration: 10m, medium: paper, next: key_in}}
    - {{id: key_in, type: task, role: clerk, duration: 10m, medium: paper, rekey: true, next: mail}}
    - {{id: mail, type: handoff, mode: internal_mail, delay: 1h, departures: ["14:00"], next: ok}}
    - {{id: ok, type: approval, role: chief, duration: 5m, medium: paper, stamp: true, next: post}}
    - {{id: post, type: handoff, mode: post, delay: 2d, next: done}}
    {END}
"""


def test_digitize_fires_on_carried_files_rekeying_and_paper_but_leaves_the_post_alone() -> None:
    found = digitize_paper(Context(process(PAPER)))
    assert changes(found) == [
        [{"digitize": ["mail"]}],
        [{"digitize": {"steps": ["key_in"], "factor": REKEY_FACTOR}}],
        [{"digitize": ["receive", "ok"]}],
    ]


def test_digitize_does_not_fire_on_a_digital_process() -> None:
    digital = f"""
        - {{id: receive, type: task, role: clerk, duration: 10m, next: mail}}
        - {{id: mail, type: handoff, mode: electronic, medium: digital, delay: 0m, next: ok}}
        - {{id: ok, type: approval, role: chief, duration: 5m, next: done}}
        {END}
    """
    assert digitize_paper(Context(process(digital))) == []


ESTIMATED = f"""
    - {{id: receive, type: task, role: clerk, duration: 10m, medium: paper, digital_duration: 4m, next: key_in}}
    - {{id: key_in, type: task, role: clerk, duration: 10m, medium: paper, rekey: true, digital_duration: 1m, next: typed}}
    - {{id: typed, type: task, role: clerk, duration: 10m, rekey: true, next: reply}}
    - {{id: reply, type: wait, party: external, medium: paper, duration: 5d, digital_duration: 3d, next: slow}}
    - {{id: slow, type: task, role: chief, duration: 20m, digital_duration: 12m, next: letter}}
    - {{id: letter, type: wait, party: applicant, medium: paper, duration: 5d, next: done}}
    {END}
"""


def test_digitize_uses_the_digital_durations_the_file_states_and_claims_nothing_else() -> None:
    p = process(ESTIMATED)
    found = digitize_paper(Context(p))
    assert changes(found) == [
        # re-keying: the stated check of the transferred record, the assumed factor only where none is stated
        [{"digitize": ["key_in"]}, {"digitize": {"steps": ["typed"], "factor": REKEY_FACTOR}}],
        # a digital step that states a faster digital form is digitised too; a paper wait only with an estimate
        [{"digitize": ["receive", "reply", "slow"]}],
    ]
    assert "the file states how long they take once digital" in found[1].explanation
    after = apply_candidate(p, found[1].changes)
    assert [after.step(s).duration.mean for s in ("receive", "reply", "slow", "letter")] == [4.0, 3 * 1440.0, 12.0, 5 * 1440.0]
    assert all(after.step(s).digital_duration is None for s in ("receive", "reply", "slow"))


def test_online_fires_when_counter_cases_dominate() -> None:
    p = process(PAPER, arrivals="""
        arrivals:
          - {channel: counter, rate: 30/day}
          - {channel: online, rate: 10/day, calendar: always, start: key_in}
    """)
    (found,) = online_channel(Context(p))
    assert list(found.changes) == [{"arrivals": {"online": {"share": ONLINE_SHARE}}}]
    mail_only = process(PAPER, arrivals="arrivals: [{channel: mail, rate: 10/day, start: key_in}]")
    (found,) = online_channel(Context(mail_only))
    assert list(found.changes) == [{"arrivals": {"online": {"share": ONLINE_SHARE, "start": "key_in"}}}]


def test_online_does_not_fire_without_a_counter_or_mail_or_when_online_already_leads() -> None:
    assert online_channel(Context(process(PAPER))) == []  # internal only
    p = process(PAPER, arrivals="""
        arrivals:
          - {channel: counter, rate: 10/day}
          - {channel: online, rate: 30/day, start: key_in}
    """)
    assert online_channel(Context(p)) == []
    counter_only = process(PAPER, arrivals="arrivals: [{channel: counter, rate: 10/day}]")
    assert online_channel(Context(counter_only)) == []  # where online cases would enter is not in the file


# --- batching ---------------------------------------------------------------------------------------------


def test_batching_fires_on_an_in_tray_cleared_at_set_times_only() -> None:
    p = process(f"""
        - {{id: prepare, type: task, role: clerk, duration: 10m, next: ok}}
        - {{id: ok, type: approval, role: chief, duration: 5m, batch: ["10:00", "16:00"], next: done}}
        {END}
    """)
    assert changes(continuous_in_tray(Context(p))) == [[{"batch": {"step": "ok", "at": None}}]]
    assert continuous_in_tray(Context(process(SERIAL_COSIGN))) == []


# --- knock-out ordering -----------------------------------------------------------------------------------

CHECKS = f"""
    - {{id: prepare, type: task, role: clerk, duration: 10m, next: slow_check}}
    - {{id: slow_check, type: approval, role: chief, duration: 30m, checks: [plans],
        reject: {{probability: 0.05, to: prepare}}, next: quick_check}}
    - {{id: quick_check, type: approval, role: budget, duration: 5m, checks: [funds],
        reject: {{probability: 0.3, to: prepare}}, next: done}}
    {END}
"""


def test_knockout_fires_on_a_costly_rarely_rejecting_check_before_a_cheap_often_rejecting_one() -> None:
    p = process(CHECKS)
    (found,) = knockout_ordering(Context(p))
    assert isinstance(found, Candidate)
    assert found.id == "knockout:quick_check+slow_check" and found.steps == ("slow_check", "quick_check")
    assert list(found.changes) == [{"reorder": ["quick_check", "slow_check"]}]
    after = apply_candidate(p, found.changes)
    # prepare -> quick_check -> slow_check -> done; both still return rejected cases to prepare.
    assert [after.step(s).next for s in ("prepare", "quick_check", "slow_check")] == ["quick_check", "slow_check", "done"]
    assert after.step("quick_check").reject == p.step("quick_check").reject
    assert after.step("slow_check").reject == p.step("slow_check").reject


def test_knockout_does_not_fire_when_the_order_is_already_right_or_checks_overlap() -> None:
    right = f"""
        - {{id: prepare, type: task, role: clerk, duration: 10m, next: quick_check}}
        - {{id: quick_check, type: approval, role: budget, duration: 5m, checks: [funds],
            reject: {{probability: 0.3, to: prepare}}, next: slow_check}}
        - {{id: slow_check, type: approval, role: chief, duration: 30m, checks: [plans],
            reject: {{probability: 0.05, to: prepare}}, next: done}}
        {END}
    """
    assert knockout_ordering(Context(process(right))) == []
    overlapping = CHECKS.replace("checks: [funds]", "checks: [funds, plans]")
    assert knockout_ordering(Context(process(overlapping))) == []


# --- triage: skipping a review the decider has made redundant (専決) ------------------------------------

DELEGATED = f"""
    - {{id: prepare, type: task, role: clerk, duration: 10m, next: chief_review}}
    - {{id: chief_review, type: approval, role: chief, duration: 10m, checks: [form, need],
        reject: {{probability: 0.1, to: prepare}}, next: budget_ok}}
    - {{id: budget_ok, type: approval, role: budget, duration: 5m, checks: [funds],
        reject: {{probability: 0.05, to: prepare}}, next: decide}}
    - id: decide
      type: approval
      role: director
      duration: 5m
      checks: [need]
      reject: {{probability: 0.05, to: prepare}}
      delegations: [{{when: "amount < 100", role: chief}}]
      next: done
    {END}
"""
AMOUNT = "attributes: {amount: {dist: uniform, min: 0, max: 200}}"


def test_cases_decided_by_follows_first_match_delegations() -> None:
    rules = [("amount < 100", "kacho"), ("amount < 500", "bucho"), ("kind == 'x'", "kacho")]
    assert cases_decided_by(rules, "kacho") == "(amount < 100) or ((kind == 'x') and not (amount < 500))"
    assert cases_decided_by(rules, "bucho") == "(amount < 500) and not (amount < 100)"
    assert cases_decided_by(rules, "shicho") is None


def test_triage_skips_the_review_of_the_role_that_decides_the_delegated_cases() -> None:
    p = process(DELEGATED, extra=AMOUNT)
    (found,) = [c for c in triage_simple_cases(Context(p)) if isinstance(c, Candidate)]
    assert found.id == "triage:chief_review" and found.steps == ("chief_review", "decide")
    assert list(found.changes) == [{"remove": {"step": "chief_review", "when": "amount < 100"}}]
    assert "10%" in found.explanation and "5%" in found.explanation  # whose returns go, whose stay
    after = apply_candidate(p, found.changes)
    bypass = after.step("chief_review_bypass")
    assert isinstance(bypass, Decision) and after.step("prepare").next == "chief_review_bypass"
    assert [(b.to, b.when) for b in bypass.next] == [("budget_ok", "amount < 100"), ("chief_review", None)]
    # Once applied, there is nothing left to propose.
    assert [c for c in triage_simple_cases(Context(after)) if isinstance(c, Candidate)] == []


def test_triage_does_not_skip_a_review_by_another_role_a_control_or_one_the_decider_may_not_reach() -> None:
    def found(steps: str) -> list:
        return [c for c in triage_simple_cases(Context(process(steps, extra=AMOUNT))) if isinstance(c, Candidate)]

    assert found(DELEGATED.replace("role: chief, duration: 10m", "role: budget, duration: 10m")) == []
    control = DELEGATED.replace("next: budget_ok}", "next: budget_ok, control: {kind: audit, basis: 規程}}")
    assert found(control) == []
    # the decider can return nothing: the review's returns would be lost for those cases
    assert found(DELEGATED.replace("      reject: {probability: 0.05, to: prepare}\n", "")) == []
    # some cases end before the decision: the review is not followed by it on every path
    branching = DELEGATED.replace(
        "next: decide}",
        "next: needed}\n    - {id: needed, type: decision, next: [{to: decide, probability: 0.5}, "
        "{to: done, probability: 0.5}]}",
    )
    assert found(branching) == []


def test_triage_reports_a_lighter_lane_for_very_variable_work_as_blocked_without_inventing_figures() -> None:
    p = process(f"""
        - {{id: assess, type: task, role: clerk, duration: {{dist: lognormal, mean: 30m, sd: 60m}}, next: done}}
        {END}
    """)
    (found,) = triage_simple_cases(Context(p))
    assert isinstance(found, Blocked) and found.steps == ("assess",) and found.needs == TRIAGE
    assert "does not invent" in found.reason


def test_triage_proposes_the_lighter_lane_the_file_states() -> None:
    lane = "{when: 'kind == \"renewal\"', duration: 10m, name: 更新の審査}"
    p = process(f"""
        - {{id: assess, type: task, role: clerk, duration: {{dist: lognormal, mean: 30m, sd: 60m}}, simple: {lane}, next: done}}
        {END}
    """, extra="attributes: {kind: {dist: choice, values: {new: 0.6, renewal: 0.4}}}")
    (found,) = triage_simple_cases(Context(p))
    assert isinstance(found, Candidate) and found.id == "triage:assess+lane"
    assert changes([found]) == [[{"triage": {"step": "assess", "when": 'kind == "renewal"', "duration": "10m",
                                              "name": "更新の審査"}}]]
    assert "10 min on average instead of 30 min" in found.explanation
    after = apply_candidate(p, found.changes)
    assert after.step("assess_simple").duration.mean == 10 and after.step("assess_simple").name == "更新の審査"
    assert after.step("assess").simple is None and after.step("assess_simple").simple is None
    assert [c for c in triage_simple_cases(Context(after)) if isinstance(c, Candidate)] == []


def test_triage_does_not_fire_on_exponential_or_steady_work() -> None:
    p = process(f"""
        - {{id: assess, type: task, role: clerk, duration: {{dist: exponential, mean: 30m}}, next: check}}
        - {{id: check, type: task, role: clerk, duration: {{dist: triangular, min: 5m, mode: 10m, max: 30m}}, next: done}}
        {END}
    """)
    assert triage_simple_cases(Context(p)) == []


# --- proposing: duplicates --------------------------------------------------------------------------------


def test_propose_lists_each_change_list_once_and_keeps_every_source() -> None:
    p = process(DOMINATED)
    found = propose(Context(p))
    lists = changes(list(found.candidates))
    assert len(lists) == len({repr(x) for x in lists})
    assert lists.count([{"remove": "chief_ok"}]) == 1
