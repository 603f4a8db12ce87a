"""The dashboard's figures (bpr.execute.status): counted by hand on cases driven through both versions of
purchase_ringi, and the prediction equal to the simulation it stands for."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bpr.changes import load_process
from bpr.execute import Workflow
from bpr.execute.status import PREDICTION_CONFIG, predicted, process_status
from bpr.simulate import simulate

SMALL, LARGE = 300_000, 3_000_000


def _finish(workflow: Workflow, case_id: int) -> int:
    """Act on every open item of ``case_id`` (approve, complete) until the case ends; returns approvals."""
    approvals = 0
    while workflow.case("audit", case_id)["status"] == "open":
        moved = False
        for user in workflow.users():
            for item in workflow.inbox(user.id):
                if item.case_id != case_id:
                    continue
                if item.kind == "approval":
                    workflow.approve(user.id, item.id, version=item.version)
                    approvals += 1
                else:
                    workflow.complete(user.id, item.id, version=item.version)
                moved = True
        assert moved, f"case {case_id} is stuck: {workflow.case('audit', case_id)['items']}"
    return approvals


@pytest.fixture
def both(ringi: Workflow, repo_root: Path) -> Workflow:
    """after.yaml deployed first (ringi), then before.yaml as the latest version, with hosa's users."""
    ringi.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "before.yaml"))
    ringi.add_user("hosa1", "hosa1", ["hosa"])
    return ringi


def test_counts_lead_time_and_e_approval_rate_by_hand(both: Workflow, clock: object) -> None:
    workflow = both
    after_ref, before_ref = "purchase_ringi@1", "purchase_ringi@2"
    begun = clock.now  # type: ignore[attr-defined]
    on_paper = workflow.start("sato", before_ref, {"amount": LARGE})
    clock.advance(days=3)  # type: ignore[attr-defined]
    paper_approvals = _finish(workflow, on_paper)  # every approval of before.yaml is on paper, stamped
    electronic = workflow.start("sato", after_ref, {"amount": SMALL})
    clock.advance(days=1)  # type: ignore[attr-defined]
    e_approvals = _finish(workflow, electronic)  # every approval of after.yaml is electronic
    still_open = workflow.start("tanaka", after_ref, {"amount": SMALL})
    clock.advance(days=2)  # type: ignore[attr-defined]

    status = process_status(workflow, "audit", workflow.definition("purchase_ringi"), clock.now)  # type: ignore[attr-defined]
    assert (status.open, status.ended, status.overdue) == (1, 2, 0)
    assert status.by_step == [(workflow.case("audit", still_open)["items"][0]["step_name"], 1)]
    assert status.age_days == pytest.approx(2.0)
    assert status.lead_days == pytest.approx((3.0 + 1.0) / 2)
    assert paper_approvals > 0 and e_approvals > 0
    assert status.e_approval_rate == pytest.approx(e_approvals / (e_approvals + paper_approvals))
    assert clock.now - begun == timedelta(days=6)  # type: ignore[attr-defined]


def test_a_reader_sees_the_figures_of_the_cases_they_may_read_only(ringi: Workflow) -> None:
    ringi.add_user("hoken", "hoken", ["hoken_tanto"])
    ringi.start("sato", "purchase_ringi", {"amount": SMALL})
    definition = ringi.definition("purchase_ringi")
    assert process_status(ringi, "sato", definition, ringi.clock()).open == 1
    assert process_status(ringi, "hoken", definition, ringi.clock()).open == 0


def test_the_prediction_is_the_simulation_of_the_deployed_version(repo_root: Path, tmp_path: Path) -> None:
    workflow = Workflow(f"sqlite:///{tmp_path / 'cases.db'}")
    try:
        definition, _ = workflow.deploy(load_process(repo_root / "scenarios" / "purchase_ringi" / "after.yaml"))
        found = predicted(definition, wait=True)
        lead = simulate(definition.process, PREDICTION_CONFIG).kpis["lead_time"]
        assert found is not None
        assert found.lead_days * 1440 == pytest.approx(lead.mean.mean)
        assert found.low <= found.lead_days <= found.high
        assert found.p90_days * 1440 == pytest.approx(lead.p90.mean)
        assert predicted(definition) is found  # computed once per content
    finally:
        workflow.close()
