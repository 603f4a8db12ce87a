"""The shipped scenarios: every plan is valid, keeps every control and beats ``before`` (confirmed with a seed
the proposer never saw); on every ``after`` the proposer finds little left to gain.

"Little left to gain" (docs/redesign.md): the plan the proposer builds on an ``after`` — with every heuristic
but the channel-adoption target ``online`` (how many citizens apply online is a policy target the ``after``
sets for itself, and any share below the heuristic's target would always look like a gain) — has an impact
score below ``HIGH_IMPACT``: what is left would not even make one high-impact candidate (e.g. less than 10%
of lead time without a counter).

The simulations use the window ``bpr redesign`` chooses from the process (five expected lead times), with 5
replications and a two-week minimum for proposing and 10 replications and the command's four-week minimum
for confirming. The conclusions rest on paired 95% intervals, which are honest at any length: a short run
only makes them wider. A window much shorter than the lead time is not merely noisy but biased (see
docs/redesign.md, "The window"), which is why it follows the process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpr.changes import load_process
from bpr.model.load import process_from_data, process_to_data
from bpr.model.schema import Process
from bpr.redesign import (
    HEURISTIC_FUNCTIONS,
    HIGH_IMPACT,
    RedesignResult,
    config_for,
    plan_yaml,
    redesign,
    relative_base,
    weakened_controls,
)
from bpr.simulate import SimConfig, compare

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NAMES = sorted(p.parent.name for p in SCENARIOS.glob("*/before.yaml") if p.parent.name != "theory")
AFTERS = sorted(p.parent.name for p in SCENARIOS.glob("*/after.yaml") if p.parent.name != "theory")


def propose_config(process: Process) -> SimConfig:
    return config_for(process, replications=5, seed=0, minimum="2w")


def confirm_config(process: Process) -> SimConfig:
    """Another seed: the plan was chosen on seed 0's draws, so testing it on them would favour it (the
    winner's curse)."""
    return config_for(process, replications=10, seed=20261122)


PROCESS_HEURISTICS = [name for name in HEURISTIC_FUNCTIONS if name != "online"]

_cache: dict[str, RedesignResult] = {}


def proposed(name: str) -> RedesignResult:
    if name not in _cache:
        before = load_process(SCENARIOS / name / "before.yaml")
        _cache[name] = redesign(before, propose_config(before))
    return _cache[name]


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_file_is_valid_and_keeps_every_control(name: str, tmp_path: Path) -> None:
    result = proposed(name)
    before_file = SCENARIOS / name / "before.yaml"
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(plan_yaml(result, relative_base(before_file, plan_file)), encoding="utf-8")
    loaded = load_process(plan_file)
    assert process_to_data(loaded) == process_to_data(result.plan.process)
    before = load_process(before_file)
    assert weakened_controls(before, loaded) == []
    for step in before.steps:
        if step.control is not None:
            assert loaded.step(step.id).control == step.control


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_beats_before_on_lead_time_and_staff_hours_on_a_fresh_seed(name: str) -> None:
    result = proposed(name)
    assert result.plan.changes, f"{name}: the proposer found no plan"
    before = load_process(SCENARIOS / name / "before.yaml")
    comparison = compare(before, result.plan.process, confirm_config(before))
    for measure in ("lead_time", "staff_hours_per_year"):
        diff = comparison.differences[measure]
        assert diff.significant and diff.difference.mean < 0, (
            f"{name}: {measure} {diff.before:.1f} -> {diff.after:.1f}, 95% CI of the change "
            f"[{diff.difference.low:.1f}, {diff.difference.high:.1f}]"
        )


@pytest.mark.parametrize("name", AFTERS)
def test_on_each_after_the_proposer_finds_little_left_to_gain(name: str) -> None:
    after = load_process(SCENARIOS / name / "after.yaml")
    result = redesign(after, propose_config(after), heuristics=PROCESS_HEURISTICS)
    score = result.plan.impact.score if result.plan.impact is not None else 0.0
    assert score < HIGH_IMPACT, f"{name}: plan on after {result.plan.candidates} scores {score:.3f}"


def test_the_ringi_plan_delegates_removes_the_dominated_approvals_and_co_signs_in_parallel() -> None:
    result = proposed("purchase_ringi")
    ranked = {e.candidate.id for e in result.ranked}
    assert {"delegate:kessai", "eliminate:hosa_check", "eliminate:bucho_check"} <= ranked
    assert "parallel:zaisei_cosign+keiyaku_cosign" in ranked
    kept = set(result.plan.candidates)
    assert {"delegate:kessai", "eliminate:hosa_check", "eliminate:bucho_check"} <= kept
    assert any(c.startswith("parallel:") and "zaisei_cosign+keiyaku_cosign" in c for c in kept)
    delegations = [c["delegate"] for c in result.plan.changes if "delegate" in c]
    assert delegations == [{"step": "kessai", "to": "kacho", "when": "amount < 1000000"},
                           {"step": "kessai", "to": "bucho", "when": "amount < 5000000"}]


def without_estimates(process: Process) -> Process:
    """``process`` without the analyst's estimates (``digital_duration``, ``simple``)."""
    data = process_to_data(process)
    for step in data["steps"]:
        step.pop("digital_duration", None)
        step.pop("simple", None)
    return process_from_data(data)


def test_road_occupancy_without_its_estimates_gets_a_plan_that_costs_no_staff_hours_in_a_steady_state() -> None:
    # Without the estimates its before states, no heuristic reduces road_occupancy's work: what remains
    # (electronic circulation, no in-tray sweep) shortens lead time and leaves the work as it is.
    # Its lead time is weeks long (a police reply by post, revisions that restart the consultations): in a
    # four-week window after a four-week warm-up, faster circulation brought later work into the window and
    # seemed to add staff-hours. In the window chosen from the process, the same work is the same work.
    before = without_estimates(load_process(SCENARIOS / "road_occupancy" / "before.yaml"))
    plan = redesign(before, propose_config(before)).plan
    assert set(plan.candidates) <= {"digitize:handoffs", "digitize:paper", "batching:kacho_kessai"}
    config = confirm_config(before)
    assert config.horizon_minutes > 4 * 7 * 1440 and config.warm_up_minutes > 4 * 7 * 1440
    comparison = compare(before, plan.process, config)
    lead = comparison.differences["lead_time"]
    assert lead.significant and lead.difference.mean < 0
    # Equivalence: the 95% interval of the change lies within ±2% of before (in the short window its upper
    # end was near +5%).
    hours = comparison.differences["staff_hours_per_year"]
    margin = 0.02 * hours.before
    assert -margin < hours.difference.low and hours.difference.high < margin, (
        f"{hours.before:.0f} -> {hours.after:.0f} h/yr, 95% CI of the change "
        f"[{hours.difference.low:.0f}, {hours.difference.high:.0f}], margin ±{margin:.0f}"
    )


def test_road_occupancy_plan_uses_the_estimates_its_before_states() -> None:
    result = proposed("road_occupancy")
    assert {"digitize:paper", "triage:check_docs+lane"} <= set(result.plan.candidates)
    digitized = next(c["digitize"] for c in result.plan.changes if c.get("digitize") and "fee_calc" in c["digitize"])
    assert {"check_docs", "fee_calc", "from_police", "permit_make"} <= set(digitized)
    assert result.plan.process.step("fee_calc").duration.mean < 5  # the system computes the fee: 2/3/6 min
