"""The engine's guarantees, on SQLite and on a real PostgreSQL server: the schema Alembic makes is the one the
code uses; two people finishing the same item: exactly one wins; timers fire once, across restarts; the audit
trail refuses changes and finds tampering."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from wfhelp import PEOPLE, item_at

from bpr.changes import load_process
from bpr.execute import Conflict, Workflow
from bpr.execute.schema_migrations import current_revision, head_revision
from bpr.execute.store import metadata
from bpr.model.load import process_from_data, process_to_data


def test_the_migrated_schema_is_the_one_the_code_uses(ringi: Workflow) -> None:
    assert current_revision(ringi.engine) == head_revision()
    with ringi.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def race(*calls: Any) -> list[Any]:
    """Run the calls at once (released together by a barrier); each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = calls[k]()
        except Exception as error:  # noqa: BLE001 - the race's loser is what the test looks at
            results[k] = error

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("with_version", [True, False])
def test_two_people_completing_the_same_item_exactly_one_wins(ringi: Workflow, with_version: bool) -> None:
    ringi.add_user("suzuki2", "suzuki2", ["kakaricho"])
    for _ in range(5):
        case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
        ringi.complete("sato", [i for i in ringi.inbox("sato") if i.case_id == case_id][0].id)
        item = [i for i in ringi.inbox("suzuki") if i.case_id == case_id][0]
        version = {"version": item.version} if with_version else {}
        results = race(lambda: ringi.approve("suzuki", item.id, **version),
                       lambda: ringi.approve("suzuki2", item.id, **version))
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(conflicts) == 1 and sum(isinstance(r, list) for r in results) == 1, results
        assert "kakaricho_check" in str(conflicts[0])
        case = ringi.case("audit", case_id)
        assert [i["step"] for i in case["items"] if i["status"] in ("open", "claimed")] == ["kacho_check"]
        approvals = [r for r in ringi.history("audit", case_id) if r["action"] == "approve"]
        assert len(approvals) == 1
    assert ringi.verify().ok


def with_deadlines(repo_root: Any) -> Any:
    """purchase_ringi after.yaml with a case deadline and a deadline on the decision (決裁)."""
    data = process_to_data(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
    data["version"] = "with deadlines"
    data["deadline"] = "30 days"
    for step in data["steps"]:
        if step["id"] == "kessai":
            step["deadline"] = {"within": "3 business days", "remind_before": "1 business day"}
    return process_from_data(data)


def test_timers_remind_escalate_and_fire_once_across_a_restart(store_url: str, clock: Any, repo_root: Any) -> None:
    first = Workflow(store_url, clock=clock)
    first.deploy(with_deadlines(repo_root))
    for user_id, roles in PEOPLE.items():
        first.add_user(user_id, user_id, roles)
    first.add_user("audit", "監査", [], auditor=True)
    case_id = first.start("sato", "purchase_ringi", {"amount": 3_000_000})  # Mon 5 Apr 2027, 09:30 JST
    first.complete("sato", item_at(first, "sato", "kian").id)
    first.approve("suzuki", item_at(first, "suzuki", "kakaricho_check").id)
    first.approve("kato", item_at(first, "kato", "kacho_check").id)
    first.approve("zai", item_at(first, "zai", "zaisei_cosign").id)
    first.approve("kei", item_at(first, "kei", "keiyaku_cosign").id)
    kessai = item_at(first, "ito", "kessai")
    # 3 business days from Monday: due at Thursday's close (17:15 JST = 08:15 UTC); reminder Wednesday 17:15.
    assert kessai.due_at.isoformat() == "2027-04-08T08:15:00+00:00"
    assert first.tick() == []
    clock.advance(days=2, hours=8)  # Wednesday 17:45 JST
    assert [what for _, what in first.tick()] == ["remind"]
    assert first.tick() == []
    first.close()
    clock.advance(days=1)  # Thursday 17:45 JST: overdue
    second, third = Workflow(store_url, clock=clock), Workflow(store_url, clock=clock)  # a restart, twice
    fired = race(second.tick, third.tick)
    assert sorted(what for result in fired for _, what in result) == ["escalate"]
    escalated = item_at(second, "fuku", "kessai")
    assert (escalated.role, escalated.overdue) == ("fukushicho", False)  # its deadline starts again
    assert [i.step for i in second.inbox("ito")] == []
    kinds = [n["kind"] for n in second.notifications("fuku")]
    assert kinds == ["escalated"]
    assert [n["kind"] for n in second.notifications("ito")] == ["remind"]
    second.approve("fuku", escalated.id)
    actions = [r["action"] for r in second.history("audit", case_id)]
    assert actions.count("remind") == 1 and actions.count("escalate") == 1
    clock.advance(days=40)
    assert [what for _, what in second.tick()] == ["case_overdue"]
    assert [n["kind"] for n in second.notifications("sato")] == ["overdue"]
    assert second.tick() == [] and third.tick() == []
    assert second.verify().ok
    second.close()
    third.close()


def test_the_audit_trail_refuses_changes_and_finds_tampering(ringi: Workflow, store_url: str) -> None:
    case_id = ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    ringi.approve("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id)
    assert ringi.verify().ok
    for statement in ("UPDATE audit SET actor = 'kato' WHERE action = 'approve'", "DELETE FROM audit WHERE seq = 3"):
        with pytest.raises(Exception, match="append-only"):
            with ringi.engine.begin() as conn:
                conn.execute(text(statement))
    sqlite = store_url.startswith("sqlite")
    with ringi.engine.begin() as conn:  # the owner of the database can drop the guard: the chain still tells
        conn.execute(text("DROP TRIGGER audit_no_update" if sqlite else "ALTER TABLE audit DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit SET actor = 'kato' WHERE action = 'approve' AND case_id = :c"), {"c": case_id})
    report = ringi.verify()
    assert not report.ok
    assert any("(approve by kato) was changed" in problem for problem in report.problems), report.problems


def test_deleting_rows_from_the_end_of_the_trail_is_found(ringi: Workflow, store_url: str) -> None:
    ringi.start("sato", "purchase_ringi", {"amount": 3_000_000})
    sqlite = store_url.startswith("sqlite")
    with ringi.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_no_delete" if sqlite else "ALTER TABLE audit DISABLE TRIGGER USER"))
        last = conn.execute(text("SELECT max(seq) FROM audit")).scalar()
        conn.execute(text("DELETE FROM audit WHERE seq = :s"), {"s": last})
    assert any("rows at the end were deleted" in p for p in ringi.verify().problems)


def test_a_deadline_counts_business_days_over_golden_week(store_url: str, clock: Any, repo_root: Any) -> None:
    workflow = Workflow(store_url, clock=clock)
    workflow.deploy(with_deadlines(repo_root))
    for user_id, roles in PEOPLE.items():
        workflow.add_user(user_id, user_id, roles)
    clock.now = clock.now.replace(month=4, day=30, hour=1)  # Fri 30 Apr 2027, 10:00 JST
    workflow.start("sato", "purchase_ringi", {"amount": 3_000_000})
    workflow.complete("sato", item_at(workflow, "sato", "kian").id)
    for user, step in (("suzuki", "kakaricho_check"), ("kato", "kacho_check"), ("zai", "zaisei_cosign"),
                       ("kei", "keiyaku_cosign")):
        workflow.approve(user, item_at(workflow, user, step).id)
    # 3, 4 and 5 May are holidays: the open days after Friday are 6, 7 and 10 May.
    due = item_at(workflow, "ito", "kessai").due_at
    assert due.isoformat() == "2027-05-10T08:15:00+00:00"
    assert due - clock.now > timedelta(days=10)
    workflow.close()
