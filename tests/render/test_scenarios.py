"""Every shipped scenario draws: a lane per department, every step with the shape of its kind, findings
marked where the analysis puts them; each before/after pair draws as one comparison picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from render_layout import layout

from bpr.analysis import analyze
from bpr.changes import load_process
from bpr.model.schema import Approval, Decision, End, Handoff, Task
from bpr.render import render_comparison, render_dot, style

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*/*.yaml"))
PAIRS = sorted(p.parent for p in SCENARIOS.glob("*/before.yaml") if (p.parent / "after.yaml").exists())
BADGE = re.compile(r'STYLE="rounded" FIXEDSIZE="TRUE"[^>]*><FONT COLOR="#FFFFFF"[^>]*><B>(\+?\d+)</B>')


def test_there_are_scenarios():
    assert len(PAIRS) >= 3


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenario_draws_with_lanes_kinds_and_findings(path):
    process = load_process(path)
    findings = analyze(process).findings
    drawn = layout(render_dot(process, findings=findings, direction="LR"))
    departments = {process.roles[s.role].department or process.roles[s.role].name or s.role
                   for s in process.steps if isinstance(s, (Task, Approval))}
    lanes = [c for name, c in drawn.clusters.items() if re.fullmatch(r"cluster_lane\d+", name)]
    titles = {re.search(r"<B>(.*?)</B>", c.attrs["label"]).group(1) for c in lanes}
    assert titles == {d.replace("&", "&amp;") for d in departments}
    for step in process.steps:
        node = drawn.nodes[step.id]
        if isinstance(step, (Task, Approval)):
            lane = drawn.department_cluster_of(step.id)
            role = process.roles[step.role]
            assert re.search(r"<B>(.*?)</B>", drawn.clusters[lane].attrs["label"]).group(1) == (
                role.department or role.name or step.role)
        if isinstance(step, Approval):
            assert node.get("peripheries") == "2", step.id
        elif isinstance(step, Task):
            assert node.get("shape") == ("note" if step.medium == "paper" else "box"), step.id
        elif isinstance(step, Handoff):
            assert node.get("shape") == "cds"
        elif isinstance(step, Decision):
            assert node.get("shape") == "diamond"
        elif isinstance(step, End):
            assert node.get("shape") == "circle"
        stamp_mark = f'<TD BORDER="1" COLOR="{style.STAMP_RED}"' in str(node.get("label"))
        assert stamp_mark == bool(getattr(step, "stamp", False)), step.id
    for number, finding in enumerate(findings, start=1):
        for step_id in finding.steps:
            if step_id in drawn.nodes:
                badges = BADGE.findall(str(drawn.nodes[step_id].get("label")))
                overflow = any(b.startswith("+") for b in badges)  # "+2": more findings than badges shown
                assert str(number) in badges or overflow, (finding.rule, step_id, badges)
        assert f"{finding.rule} " in drawn.graph["label"]


def test_ringi_findings_mark_the_redundant_approvals():
    process = load_process(SCENARIOS / "purchase_ringi" / "before.yaml")
    findings = analyze(process).findings
    redundant = [(n, f) for n, f in enumerate(findings, start=1) if f.rule == "BPR101"]
    assert redundant, "the ringi scenario has approvals repeated by higher authority"
    drawn = layout(render_dot(process, findings=findings))
    for number, finding in redundant:
        first = finding.steps[0]  # the approval found redundant
        node = drawn.nodes[first]
        assert str(number) in BADGE.findall(str(node.get("label")))
        assert node.get("color") in (style.SEVERITY_COLOURS["warning"], style.SEVERITY_COLOURS["error"])
    assert "上位者と重複する決裁" in drawn.graph["label"]


@pytest.mark.parametrize("folder", PAIRS, ids=lambda p: p.name)
def test_before_after_pair_draws_as_one_picture(folder):
    before = load_process(folder / "before.yaml")
    after = load_process(folder / "after.yaml")
    drawn = layout(render_comparison(before, after))
    removed = set(before.step_ids) - set(after.step_ids)
    for step_id in before.step_ids:
        struck = "<S>" in str(drawn.nodes["b_" + step_id].get("label"))
        assert struck == (step_id in removed), step_id
    for step_id in set(after.step_ids) - set(before.step_ids):
        assert drawn.nodes["a_" + step_id].get("color") == style.ADDED_COLOUR
