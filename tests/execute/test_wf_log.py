"""The real cases' event log (the record ``bpr simulate --events`` writes too), read by pm4py unchanged; and the
archive: finished cases leave the working tables, the export and ``verify`` still read them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pm4py
import pytest
from wfhelp import item_at

from bpr.execute import Workflow
from bpr.execute.archive import read_archive_audit
from bpr.interchange.eventlog import CSV_COLUMNS, read_csv


def run_cases(workflow: Workflow) -> list[int]:
    """Three cases: one ordered, one rejected once then ordered, one still open at the co-signing."""
    ids = []
    for amount, reject in ((300_000, False), (3_000_000, True), (8_000_000, None)):
        case_id = workflow.start("sato", "purchase_ringi", {"amount": amount})
        ids.append(case_id)
        workflow.complete("sato", item_at(workflow, "sato", "kian").id)
        if reject:
            workflow.reject("suzuki", item_at(workflow, "suzuki", "kakaricho_check").id)
            workflow.complete("sato", item_at(workflow, "sato", "kian").id)
        workflow.approve("suzuki", item_at(workflow, "suzuki", "kakaricho_check").id)
        if amount >= 1_000_000:
            workflow.approve("kato", item_at(workflow, "kato", "kacho_check").id)
        if reject is None:
            continue
        workflow.approve("zai", item_at(workflow, "zai", "zaisei_cosign").id)
        workflow.approve("kei", item_at(workflow, "kei", "keiyaku_cosign").id)
        workflow.approve("kato" if amount < 1_000_000 else "ito", item_at(workflow, "kato" if amount < 1_000_000
                                                                          else "ito", "kessai").id)
        workflow.complete("sato", item_at(workflow, "sato", "enter_zaimu").id)
        workflow.complete("sato", item_at(workflow, "sato", "order").id)
    return ids


def test_the_exported_log_is_read_by_pm4py_unchanged(ringi: Workflow, tmp_path: Path) -> None:
    run_cases(ringi)
    ringi.export_log(tmp_path / "cases.csv")
    ringi.export_log(tmp_path / "cases.xes")
    records = read_csv(tmp_path / "cases.csv")
    assert (tmp_path / "cases.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(CSV_COLUMNS)
    assert all(r.end.isoformat().endswith("+09:00") for r in records)
    ends = [r for r in records if r.activity == "done"]
    assert sorted((r.case_id, r.outcome) for r in ends) == [("1", "ordered"), ("2", "ordered")]
    assert [r.outcome for r in records if r.case_id == "2" and r.activity == "kakaricho_check"] == [
        "rejected", "approved"]
    handoffs = [r for r in records if r.activity == "to_zaisei"]
    assert handoffs and all(r.start == r.end and r.resource == "system" for r in handoffs)

    frame = pm4py.format_dataframe(pd.read_csv(tmp_path / "cases.csv"), case_id="case_id", activity_key="activity",
                                   timestamp_key="end_time", start_timestamp_key="start_time")
    assert frame["case:concept:name"].nunique() == 3
    log = pm4py.read_xes(str(tmp_path / "cases.xes"))
    assert log["case:concept:name"].nunique() == 3
    complete = log[log["lifecycle:transition"] == "complete"]
    last = complete.groupby("case:concept:name").tail(1)  # file order: the end event closes its trace
    assert sorted(last[last["concept:name"] == "done"]["outcome"]) == ["ordered", "ordered"]
    assert set(log["org:resource"].dropna()) >= {"sato", "suzuki", "kato", "zai", "kei", "ito"}


def test_finished_cases_move_to_the_archive_and_are_still_exported_and_verified(
        ringi: Workflow, clock: Any, tmp_path: Path) -> None:
    ids = run_cases(ringi)
    everything = ringi.records()
    clock.advance(days=100)
    archive = tmp_path / "archive-2027.db"
    result = ringi.archive(90, archive)
    assert (result.cases, result.audit_rows > 0) == (2, True)
    assert [c["id"] for c in ringi.cases("audit")] == [ids[2]]  # only the open case is left in the store
    assert ringi.records() != everything
    assert sorted(ringi.records([archive])) == sorted(everything)
    assert ringi.verify().ok  # the gap is accounted for by the archive's record
    assert ringi.verify(read_archive_audit(archive)).ok
    again = ringi.archive(90, archive)  # nothing more to move; the file is unchanged
    assert again.cases == 0
    with sqlite3.connect(archive) as conn:  # tampering inside the archive is found when it is given
        conn.execute("UPDATE audit SET actor = 'kato' WHERE seq = (SELECT min(seq) FROM audit WHERE action = 'approve')")
    problems = ringi.verify(read_archive_audit(archive)).problems
    assert any("was changed" in p for p in problems)


def test_the_archive_refuses_what_is_not_a_file(ringi: Workflow, tmp_path: Path) -> None:
    from bpr.execute import BadInput

    with pytest.raises(BadInput, match="not a regular file"):
        ringi.archive(1, tmp_path)
    with pytest.raises(BadInput, match="no archive file"):
        read_archive_audit(tmp_path / "missing.db")
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    with pytest.raises(BadInput, match="not an archive file"):
        read_archive_audit(tmp_path / "notes.txt")
    with pytest.raises(BadInput, match="not an archive file"):
        ringi.archive(1, tmp_path / "notes.txt")
