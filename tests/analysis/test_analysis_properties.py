"""On random valid processes: the analysis never fails, its findings are well formed, and every suggestion
applies as a change (alone, and all together through ``suggested_changes``)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bpr.analysis import SEVERITIES, SUMMARY_KEYS, analyze, suggested_changes
from bpr.errors import ModelError
from bpr.changes import apply_changes, parse_changes
from bpr.model.load import process_from_data

ROLES = {
    "clerk": {"department": "A", "authority": 1},
    "chief": {"department": "A", "authority": 2},
    "manager": {"department": "A", "authority": 3},
    "budget": {"department": "B", "authority": 3},
    "legal": {"department": "C", "authority": 4},
    "applicant": {"external": True},
}
CHECKS = ["amount", "form", "budget", "law"]


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 9))
    ids = [f"s{i}" for i in range(n)] + ["done"]
    steps: list[dict[str, Any]] = []
    for i in range(n):
        later = ids[i + 1 :]
        kind = draw(st.sampled_from(["task", "approval", "approval", "handoff", "decision", "parallel"]))
        if kind == "parallel":  # split -> two co-signers -> join -> next
            a, b, join = f"{ids[i]}a", f"{ids[i]}b", f"{ids[i]}j"
            steps.append({"id": ids[i], "type": "parallel", "next": [a, b], "join": join})
            for branch in (a, b):
                steps.append(
                    {
                        "id": branch,
                        "type": "approval",
                        "role": draw(st.sampled_from(["budget", "legal", "chief"])),
                        "duration": "5m",
                        "checks": draw(st.lists(st.sampled_from(CHECKS), max_size=2, unique=True)),
                        "next": join,
                    }
                )
            steps.append({"id": join, "type": "join", "next": later[0]})
            continue
        if kind == "decision" and len(later) >= 2 and draw(st.booleans()):
            limit = draw(st.sampled_from([100, 500, 900]))
            other = draw(st.sampled_from(later[1:]))
            branches = [{"to": later[0], "when": f"amount < {limit}"}, {"to": other, "otherwise": True}]
            steps.append({"id": ids[i], "type": "decision", "next": branches})
            continue
        if kind == "decision" and len(later) >= 2:
            # the next step is always one of the ways out, so every step stays reachable
            skips = draw(st.lists(st.sampled_from(later[1:]), min_size=1, max_size=2, unique=True))
            targets = [later[0], *skips]
            p = round(1 / len(targets), 6)
            branches = [{"to": t, "probability": p} for t in targets[:-1]]
            branches.append({"to": targets[-1], "probability": round(1 - p * (len(targets) - 1), 6)})
            steps.append({"id": ids[i], "type": "decision", "next": branches})
            continue
        step: dict[str, Any] = {"id": ids[i], "next": later[0]}
        if kind in ("handoff", "decision"):
            step.update(
                type="handoff", delay="30m", mode=draw(st.sampled_from(["internal_mail", "electronic"]))
            )
        else:
            step.update(type=kind, role=draw(st.sampled_from(sorted(ROLES))), duration="10m")
            step["stamp"] = draw(st.booleans())
            step["medium"] = draw(st.sampled_from(["paper", "digital"]))
            if kind == "task":
                step["rekey"] = draw(st.booleans())
            else:
                step["checks"] = draw(st.lists(st.sampled_from(CHECKS), max_size=3, unique=True))
                if draw(st.booleans()):
                    step["reject"] = {"probability": 0.1, "to": draw(st.sampled_from(ids[: i + 1]))}
                if draw(st.booleans()):
                    step["batch"] = ["10:00"]
                if draw(st.booleans()):
                    step["control"] = {"basis": "規則"}
                if draw(st.booleans()):
                    low, high = sorted(draw(st.lists(st.integers(1, 5), min_size=2, max_size=2)))
                    step["required_authority"] = [{"when": "amount < 500", "level": low}, {"level": high}]
                    if draw(st.booleans()):
                        step["delegations"] = [
                            {"when": "amount < 300", "role": draw(st.sampled_from(sorted(ROLES)[:5]))}
                        ]
        steps.append(step)
    steps.append({"id": "done", "type": "end"})
    return {
        "id": "random",
        "name": "乱数",
        "calendar": "always",
        "roles": ROLES,
        "attributes": {"amount": {"dist": "uniform", "min": 0, "max": 1000}},
        "arrivals": [{"channel": "internal", "rate": "10/day"}],
        "steps": steps,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_analysis_of_random_processes(data: dict[str, Any]) -> None:
    try:
        process = process_from_data(data)
    except ModelError:
        assume(False)  # e.g. a rework loop whose only way out is a condition the case never meets
    result = analyze(process)
    assert list(result.summary) == list(SUMMARY_KEYS)
    assert set(result.summary["path"]) <= set(process.step_ids)
    ranks = [SEVERITIES.index(f.severity) for f in result.findings]
    assert ranks == sorted(ranks)
    for finding in result.findings:
        assert finding.steps and set(finding.steps) <= set(process.step_ids)
        if finding.suggestion:
            apply_changes(process, parse_changes([finding.suggestion]))
    apply_changes(process, parse_changes(suggested_changes(result.findings, process)))
