"""Every action of the workflow engine on purchase_ringi after.yaml, on SQLite and on PostgreSQL: who decides
(専決), approve, reject, return to sender (差戻し), withdraw (引戻し), substitutes (代決), parallel
co-signing (合議), and the refusals the rules promise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from wfhelp import item_at

from bpr.execute import BadInput, Conflict, Forbidden, NotFound, Refused, Workflow


def open_steps(workflow: Workflow, case_id: int) -> list[tuple[str, str, str | None]]:
    case = workflow.case("audit", case_id)
    return [(i["step"], i["role"], i["claimed_by"]) for i in case["items"] if i["status"] in ("open", "claimed")]


def to_cosign(workflow: Workflow, amount: int) -> int:
    """A case drafted by sato and passed by the section up to the co-signing."""
    case_id = workflow.start("sato", "purchase_ringi", {"amount": amount})
    workflow.complete("sato", item_at(workflow, "sato", "kian").id)
    workflow.approve("suzuki", item_at(workflow, "suzuki", "kakaricho_check").id)
    if amount >= 1_000_000:
        workflow.approve("kato", item_at(workflow, "kato", "kacho_check").id)
    return case_id


def finish_cosign(workflow: Workflow) -> None:
    workflow.approve("zai", item_at(workflow, "zai", "zaisei_cosign").id)
    workflow.approve("kei", item_at(workflow, "kei", "keiyaku_cosign").id)


@pytest.mark.parametrize(("amount", "decider"), [(300_000, "kato"), (3_000_000, "ito"), (8_000_000, "fuku")])
def test_a_case_runs_to_its_end_with_the_decider_the_delegation_rules_pick(ringi: Workflow, amount: int,
                                                                           decider: str) -> None:
    case_id = to_cosign(ringi, amount)
    assert sorted(s for s, _, _ in open_steps(ringi, case_id)) == ["keiyaku_cosign", "zaisei_cosign"]
    finish_cosign(ringi)
    ringi.approve(decider, item_at(ringi, decider, "kessai").id)
    ringi.complete("sato", item_at(ringi, "sato", "enter_zaimu").id)
    ringi.complete("sato", item_at(ringi, "sato", "order").id)
    case = ringi.case("sato", case_id)
    assert (case["status"], case["outcome"]) == ("ended", "ordered")
    done = [(i["step"], i["done_by"]) for i in case["items"] if i["kind"] != "handoff"]
    assert ("kessai", decider) in done
    assert ("kacho_check", "kato") in done if amount >= 1_000_000 else all(s != "kacho_check" for s, _ in done)
    assert ringi.verify().ok


def test_the_mayor_decides_from_twenty_million_after_the_deputy(ringi: Workflow) -> None:
    case_id = to_cosign(ringi, 30_000_000)
    finish_cosign(ringi)
    ringi.approve("fuku", item_at(ringi, "fuku", "kessai").id)
    assert open_steps(ringi, case_id) == [("shicho_kessai", "shicho", None)]


def test_a_rejection_goes_where_the_file_says_and_the_case_comes_back(ringi: Workflow) -> None:
    case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    ringi.reject("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id, note="見積書が古い")
    assert open_steps(ringi, case_id) == [("kian", "tanto", None)]
    ringi.complete("tanaka", item_at(ringi, "tanaka", "kian").id)  # any holder of the role may take it
    assert open_steps(ringi, case_id) == [("kakaricho_check", "kakaricho", None)]
    history = [row["action"] for row in ringi.history("sato", case_id)]
    assert history == ["start", "done", "reject", "done"]


def test_return_to_sender_goes_to_the_previous_actor_claimed_for_them(ringi: Workflow) -> None:
    case_id = to_cosign(ringi, 3_000_000)
    zaisei = item_at(ringi, "zai", "zaisei_cosign")
    # Inside the co-signing, returning to the step before the split returns the branch: the case waits for
    # the other co-signer, then goes back.
    ringi.return_to_sender("zai", zaisei.id, note="予算科目を確認してください")
    assert sorted(open_steps(ringi, case_id)) == [("keiyaku_cosign", "keiyaku", None)]
    ringi.approve("kei", item_at(ringi, "kei", "keiyaku_cosign").id)
    assert open_steps(ringi, case_id) == [("kacho_check", "kacho", "kato")]
    assert [i.step for i in ringi.inbox("kimura")] == []  # claimed for kato: not in another kacho's inbox


def test_return_to_an_earlier_step_of_the_case_history(ringi: Workflow) -> None:
    case_id = to_cosign(ringi, 3_000_000)
    finish_cosign(ringi)
    kessai = item_at(ringi, "ito", "kessai")
    with pytest.raises(BadInput, match="has not been at 'order'"):
        ringi.return_to_sender("ito", kessai.id, to="order")
    ringi.return_to_sender("ito", kessai.id, to="kian")
    assert open_steps(ringi, case_id) == [("kian", "tanto", None)]


def test_the_drafter_withdraws_until_the_next_actor_starts(ringi: Workflow) -> None:
    case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    with pytest.raises(Forbidden, match="only the drafter"):
        ringi.withdraw("suzuki", case_id)
    ringi.withdraw("sato", case_id, note="添付漏れ")
    assert open_steps(ringi, case_id) == [("kian", "tanto", "sato")]
    assert [i.step for i in ringi.inbox("suzuki")] == []
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    ringi.claim("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id)
    with pytest.raises(Refused, match="suzuki has started kakaricho_check"):
        ringi.withdraw("sato", case_id)
    ringi.approve("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id)
    with pytest.raises(Refused, match="not sato's"):
        ringi.withdraw("sato", case_id)


def test_a_substitute_acts_for_an_absent_user_and_the_record_says_so(ringi: Workflow, clock) -> None:
    case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    ringi.approve("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id)
    ringi.claim("kato", item_at(ringi, "kato", "kacho_check").id)
    with pytest.raises(Refused, match="authority in purchase_ringi@1 is 2, below kato's 4"):
        ringi.add_absence("kato", clock.now, clock.now + timedelta(days=3), "suzuki")
    with pytest.raises(Forbidden, match="claimed by kato"):
        ringi.approve("ito", item_at(ringi, "kato", "kacho_check").id)
    ringi.add_absence("kato", clock.now, clock.now + timedelta(days=3), "ito")
    seen = item_at(ringi, "ito", "kacho_check")
    assert seen.for_user == "kato"
    ringi.approve("ito", seen.id)
    done = [i for i in ringi.case("audit", case_id)["items"] if i["step"] == "kacho_check"][0]
    assert (done["done_by"], done["on_behalf_of"]) == ("ito", "kato")
    assert [(r["actor"], r["on_behalf_of"]) for r in ringi.history("ito", case_id) if r["action"] == "approve"][-1] \
        == ("ito", "kato")
    clock.advance(days=4)  # the absence is over: ito no longer sees kato's work
    case_id2 = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    ringi.complete("sato", [i for i in ringi.inbox("sato") if i.case_id == case_id2][0].id)
    ringi.approve("suzuki", [i for i in ringi.inbox("suzuki") if i.case_id == case_id2][0].id)
    assert [i for i in ringi.inbox("ito") if i.case_id == case_id2] == []


def test_a_rejection_in_one_cosigning_branch_reopens_it_and_the_join_waits(ringi: Workflow) -> None:
    case_id = to_cosign(ringi, 3_000_000)
    ringi.reject("zai", item_at(ringi, "zai", "zaisei_cosign").id)
    ringi.approve("kei", item_at(ringi, "kei", "keiyaku_cosign").id)
    assert open_steps(ringi, case_id) == [("zaisei_cosign", "zaisei", None)]
    ringi.approve("zai", item_at(ringi, "zai", "zaisei_cosign").id)
    assert open_steps(ringi, case_id) == [("kessai", "bucho", None)]


def test_what_the_rules_refuse(ringi: Workflow) -> None:
    with pytest.raises(Forbidden, match="first work is for tanto"):
        ringi.start("kato", "purchase_ringi", {"amount": 1})
    with pytest.raises(BadInput, match="needs 'amount'"):
        ringi.start("sato", "purchase_ringi", {})
    with pytest.raises(BadInput, match="has no attribute 'amout'"):
        ringi.start("sato", "purchase_ringi", {"amount": 1, "amout": 2})
    with pytest.raises(BadInput, match="finite number"):
        ringi.start("sato", "purchase_ringi", {"amount": float("inf")})
    with pytest.raises(NotFound, match="no definition 'leave'"):
        ringi.start("sato", "leave", {"amount": 1})
    case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    kian = item_at(ringi, "sato", "kian")
    with pytest.raises(Forbidden, match="claimed by sato"):
        ringi.complete("tanaka", kian.id)
    with pytest.raises(BadInput, match="not an approval"):
        ringi.approve("sato", kian.id)
    ringi.complete("sato", kian.id)
    with pytest.raises(Conflict, match="done by sato already"):
        ringi.complete("sato", kian.id)
    check = item_at(ringi, "suzuki", "kakaricho_check")
    with pytest.raises(Forbidden, match="for role kakaricho; kato does not hold it"):
        ringi.approve("kato", check.id)
    with pytest.raises(BadInput, match="approve or reject"):
        ringi.complete("suzuki", check.id)
    with pytest.raises(Conflict, match="changed since version 0"):
        ringi.approve("suzuki", check.id, version=0)
    with pytest.raises(NotFound, match="no case"):
        ringi.case("kei", case_id)  # not theirs to see: the same answer as a case that does not exist
    with pytest.raises(NotFound, match="no case"):
        ringi.comment("kei", case_id, "見せて")
    assert ringi.case("suzuki", case_id)["id"] == case_id  # holds the role of its open item


def test_authority_below_the_required_level_is_refused(store_url: str, clock, write_file) -> None:
    path = write_file("small.yaml", """
id: small
name: 少額決裁
roles:
  clerk: {authority: 1}
  chief: {authority: 2}
attributes:
  amount: {dist: fixed, value: 10}
arrivals: [{channel: internal, rate: 1/day}]
steps:
  - {id: draft, type: task, role: clerk, duration: 10m, next: decide}
  - id: decide
    type: approval
    role: chief
    duration: 5m
    required_authority: [{when: "amount >= 100", level: 3}, {level: 2}]
    next: done
  - {id: done, type: end}
""")
    from bpr.changes import load_process

    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(load_process(path))
    workflow.add_user("a", "a", ["clerk"])
    workflow.add_user("b", "b", ["chief"])
    big = workflow.start("a", "small", {"amount": 500})
    small = workflow.start("a", "small", {"amount": 50})
    for case_id in (big, small):
        workflow.complete("a", [i for i in workflow.inbox("a") if i.case_id == case_id][0].id)
    items = {i.case_id: i for i in workflow.inbox("b")}
    with pytest.raises(Refused, match="needs authority 3; b has 2"):
        workflow.approve("b", items[big].id)
    workflow.approve("b", items[small].id)
    assert workflow.case("a", small)["status"] == "ended"
    workflow.close()


def test_a_decision_by_probability_is_a_person_s_choice(store_url: str, clock, write_file) -> None:
    path = write_file("choice.yaml", """
id: choice
name: 選択
roles: {clerk: {}}
arrivals: [{channel: internal, rate: 1/day}]
steps:
  - {id: draft, type: task, role: clerk, duration: 10m, next: route}
  - id: route
    type: decision
    next: [{to: quick, probability: 0.7}, {to: full, probability: 0.3}]
  - {id: quick, type: task, role: clerk, duration: 1m, next: done}
  - {id: full, type: task, role: clerk, duration: 1h, next: done}
  - {id: done, type: end}
""")
    from bpr.changes import load_process

    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(load_process(path))
    workflow.add_user("a", "a", ["clerk"])
    case_id = workflow.start("a", "choice", {})
    draft = workflow.inbox("a")[0]
    with pytest.raises(BadInput, match="give choice route=quick|full"):
        workflow.complete("a", draft.id)
    workflow.complete("a", draft.id, choice={"route": "full"})
    assert [i.step for i in workflow.inbox("a")] == ["full"]
    assert workflow.case("a", case_id)["status"] == "open"
    workflow.close()
