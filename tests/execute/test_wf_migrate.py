"""Going live with the redesign: running cases of purchase_ringi before.yaml, one at each of its work steps,
move to after.yaml; the dry run says where each goes, the run puts them there and loses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bpr.changes import load_process
from bpr.execute import BadInput, Workflow
from bpr.execute.migrate import read_mapping

HOLDERS = {"tanto": "sato", "kakaricho": "suzuki", "hosa": "hosa", "kacho": "kato", "bucho": "ito",
           "zaisei": "zai", "keiyaku": "kei", "fukushicho": "fuku", "shicho": "mayor"}

# Where a case at each step of before.yaml goes in after.yaml (30,000,000 yen: no delegation, the mayor decides).
EXPECTED = {
    "kian": ["kian"],
    "kian_print": ["kakaricho_check"],  # gone: the old flow continues to the first step the new one has
    "kakaricho_check": ["kakaricho_check"],
    "hosa_check": ["kacho_check"],
    "kacho_check": ["kacho_check"],
    "bucho_check": ["keiyaku_cosign", "zaisei_cosign"],  # on through the handoff into the co-signing
    "zaisei_cosign": ["keiyaku_cosign", "zaisei_cosign"],  # the co-signing opens both branches
    "keiyaku_cosign": ["keiyaku_cosign"],  # the budget section has signed already: that branch is done
    "kessai": ["kessai"],
    "shicho_kessai": ["shicho_kessai"],
    "enter_zaimu": ["enter_zaimu"],
    "order": ["order"],
}


def open_items(workflow: Workflow, case_id: int) -> list[dict[str, Any]]:
    return [i for i in workflow.case("audit", case_id)["items"] if i["status"] in ("open", "claimed")]


def case_at(workflow: Workflow, step: str, amount: int = 30_000_000) -> int:
    case_id = workflow.start("sato", "purchase_ringi@1", {"amount": amount})
    while True:
        waiting = open_items(workflow, case_id)
        if any(i["step"] == step for i in waiting):
            return case_id
        item = waiting[0]
        workflow.complete(HOLDERS[item["role"]], item["id"], "approve" if item["kind"] == "approval" else "done")


@pytest.fixture
def before_and_after(store_url: str, clock: Any, repo_root: Path) -> Any:
    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "before.yaml"))
    for role, user in HOLDERS.items():
        workflow.add_user(user, user, [role])
    workflow.add_user("audit", "監査", [], auditor=True)
    cases = {step: case_at(workflow, step) for step in EXPECTED}
    workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
    yield workflow, cases
    workflow.close()


def test_migration_places_a_case_from_every_step_of_before(before_and_after: Any) -> None:
    workflow, cases = before_and_after
    audit_before = len(workflow.history("audit", cases["kian"]))
    items_before = {c: len(workflow.case("audit", c)["items"]) for c in cases.values()}
    plan = workflow.migrate("purchase_ringi@1", "purchase_ringi@2")
    assert plan.dry_run and plan.refused == 0
    assert {m.from_steps[0]: sorted(m.to_steps) for m in plan.cases} == EXPECTED
    assert all(workflow.case("audit", c)["definition"] == "purchase_ringi@1" for c in cases.values())  # dry run

    done = workflow.migrate("purchase_ringi@1", "purchase_ringi@2", dry_run=False)
    assert (done.moved, done.refused) == (len(EXPECTED), 0)
    for step, case_id in cases.items():
        case = workflow.case("audit", case_id)
        assert case["definition"] == "purchase_ringi@2"
        assert sorted(i["step"] for i in open_items(workflow, case_id)) == EXPECTED[step]
        assert len(case["items"]) >= items_before[case_id]  # nothing deleted: replaced items are cancelled
        assert workflow.history("audit", case_id)[-1]["action"] in ("migrate", "end")
    kept = open_items(workflow, cases["kian"])[0]
    assert kept["claimed_by"] == "sato"  # same step: same item, same person
    assert len(workflow.history("audit", cases["kian"])) == audit_before + 1
    # The moved cases run to their end on the new version: the mayor's case needs the deputy and the mayor.
    case_id = cases["kessai"]
    workflow.approve("fuku", open_items(workflow, case_id)[0]["id"])
    workflow.approve("mayor", open_items(workflow, case_id)[0]["id"])
    for _ in range(2):
        workflow.complete("sato", open_items(workflow, case_id)[0]["id"])
    assert workflow.case("audit", case_id)["status"] == "ended"
    assert workflow.migrate("purchase_ringi@1", "purchase_ringi@2").cases == []  # nothing left to move
    assert workflow.verify().ok


def test_a_decider_changed_by_delegation_releases_the_claim(store_url: str, clock: Any, repo_root: Path) -> None:
    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "before.yaml"))
    for role, user in HOLDERS.items():
        workflow.add_user(user, user, [role])
    workflow.add_user("audit", "監査", [], auditor=True)
    case_id = case_at(workflow, "kessai", amount=3_000_000)
    workflow.claim("fuku", open_items(workflow, case_id)[0]["id"])
    workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
    workflow.migrate("purchase_ringi@1", "purchase_ringi@2", dry_run=False)
    [item] = open_items(workflow, case_id)
    assert (item["step"], item["role"], item["claimed_by"]) == ("kessai", "bucho", None)  # 専決: the director
    workflow.close()


def test_a_case_that_cannot_be_placed_is_refused_with_the_reason(before_and_after: Any) -> None:
    workflow, cases = before_and_after
    # Back from after (parallel co-signing) to before (one after the other): a case with both co-signers
    # still to sign cannot be placed; a mapping cannot merge two open branches either.
    workflow.migrate("purchase_ringi@1", "purchase_ringi@2", dry_run=False)
    back = workflow.migrate("purchase_ringi@2", "purchase_ringi@1")
    refused = {m.case_id: m.reason for m in back.cases if not m.ok}
    assert set(refused) == {cases["bucho_check"], cases["zaisei_cosign"]}
    assert all("2 parallel steps" in reason for reason in refused.values())
    moved = workflow.migrate("purchase_ringi@2", "purchase_ringi@1", dry_run=False)
    assert moved.refused == 2
    assert workflow.case("audit", cases["bucho_check"])["definition"] == "purchase_ringi@2"  # left alone
    assert workflow.case("audit", cases["keiyaku_cosign"])["definition"] == "purchase_ringi@1"
    with pytest.raises(BadInput, match="which purchase_ringi@1 does not have"):
        workflow.migrate("purchase_ringi@2", "purchase_ringi@1", mapping={"kian": "kian_typo"})
    with pytest.raises(BadInput, match="already the version named"):
        workflow.migrate("purchase_ringi@2", "purchase_ringi@2")


def test_a_mapping_file_places_a_step_explicitly(before_and_after: Any, tmp_path: Path) -> None:
    workflow, cases = before_and_after
    path = tmp_path / "mapping.yaml"
    path.write_text("steps:\n  hosa_check: kakaricho_check\n", encoding="utf-8")
    mapping = read_mapping(path.read_bytes(), str(path))
    plan = workflow.migrate("purchase_ringi@1", "purchase_ringi@2", mapping=mapping)
    assert {m.case_id: m.to_steps for m in plan.cases}[cases["hosa_check"]] == ("kakaricho_check",)
    path.write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(BadInput, match="mapping file is 'steps:'"):
        read_mapping(path.read_bytes(), str(path))
