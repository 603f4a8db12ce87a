"""The simulation and the analysis agree on where cases can go, on random processes (hypothesis).

Processes are drawn from chains of segments: tasks, approvals (some rejecting back to an earlier step,
some delegated by amount), decisions by probability and by amount, and parallel co-signs whose first
branch may return the case before the split. Two channels carry a fixed amount each (one low, one high),
so the event log's channel tells a simulated case's attributes. Then:

* every step a simulated case works at is one the analysis's case sample says a case with its
  attributes can reach;
* every step the analysis expects at least 0.05 visits per case (decision shares, rework probabilities,
  every parallel branch) is worked at in a simulation of a few thousand cases (a miss has probability
  below 0.95**3000, about 1e-67);
* no case is left unfinished, and the cases that arrive all end.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.analysis.cases import CaseSample
from bpr.model.graph import build_graph
from bpr.model.load import process_from_data
from bpr.redesign.window import expected_visits
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import run_replication
from bpr.simulate.plan import build_plan

LOW, HIGH = 100.0, 5_000_000.0
ROLES = ["clerk", "chief", "head"]
SEGMENTS = ["task", "approval", "chance", "rule", "cosign"]


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6))
    steps: list[dict[str, Any]] = []
    main_work: list[str] = []  # work steps on the main chain (not inside a parallel block): return targets
    for k, kind in enumerate(kinds):
        nxt = f"s{k + 1}" if k + 1 < len(kinds) else "done"
        me = f"s{k}"
        role = draw(st.sampled_from(ROLES))

        def rejection() -> dict[str, Any]:
            if not main_work or not draw(st.booleans()):
                return {}
            return {"reject": {"probability": draw(st.sampled_from([0.1, 0.2, 0.3])),
                               "to": draw(st.sampled_from(main_work))}}

        if kind == "task":
            steps.append({"id": me, "type": "task", "role": role, "duration": "1m", "next": nxt})
            main_work.append(me)
        elif kind == "approval":
            step = {"id": me, "type": "approval", "role": role, "duration": "1m", "next": nxt, **rejection()}
            if draw(st.booleans()):
                step["delegations"] = [{"role": draw(st.sampled_from(ROLES)), "when": "amount < 1000"}]
            steps.append(step)
            main_work.append(me)
        elif kind in ("chance", "rule"):
            if kind == "chance":
                p = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
                branches = [{"to": f"{me}a", "probability": p}, {"to": f"{me}b", "probability": round(1 - p, 10)}]
            else:
                threshold = draw(st.sampled_from([50, 1000, 10_000_000]))
                branches = [{"to": f"{me}a", "when": f"amount > {threshold}"}, {"to": f"{me}b", "otherwise": True}]
            steps.append({"id": me, "type": "decision", "next": branches})
            steps.append({"id": f"{me}a", "type": "task", "role": role, "duration": "1m", "next": nxt})
            steps.append({"id": f"{me}b", "type": "task", "role": role, "duration": "2m", "next": nxt})
        else:  # a co-sign: the first co-signer may return the case before the split
            steps.append({"id": me, "type": "parallel", "next": [f"{me}a", f"{me}b"], "join": f"{me}j"})
            steps.append({"id": f"{me}a", "type": "approval", "role": role, "duration": "1m", "next": f"{me}j",
                          **rejection()})
            steps.append({"id": f"{me}b", "type": "approval", "role": draw(st.sampled_from(ROLES)),
                          "duration": "3m", "next": f"{me}j"})
            steps.append({"id": f"{me}j", "type": "join", "next": nxt})
    steps.append({"id": "done", "type": "end"})
    return {
        "id": "random", "name": "random", "calendar": "always",
        "roles": {r: {"staff": "unlimited", "authority": i + 1} for i, r in enumerate(ROLES)},
        "arrivals": [
            {"channel": "mail", "rate": "30/hour", "attributes": {"amount": {"dist": "fixed", "value": LOW}}},
            {"channel": "online", "rate": "30/hour", "attributes": {"amount": {"dist": "fixed", "value": HIGH}}},
        ],
        "steps": steps,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes())
def test_simulated_cases_go_only_where_the_analysis_says_and_everywhere_it_expects(data: dict[str, Any]) -> None:
    process = process_from_data(data)
    G = build_graph(process)
    sample = CaseSample.draw(G, process)
    possible: dict[float, frozenset[str]] = {}
    for attrs, reach in zip(sample.attributes, sample.reach):
        assert possible.setdefault(attrs["amount"], reach) == reach  # one amount, one route
    config = SimConfig(horizon="100h", warm_up="0m", drain="30d", seed=11, workers=1, replications=2)
    out = run_replication(build_plan(process, config.start_date), config, 0, events=True)
    assert out.unfinished == 0 and out.completed == out.arrived > 2000
    amount_of = {0: LOW, 1: HIGH}
    worked: set[str] = set()
    for case_id, channel, step, *_ in out.events or []:
        assert step in possible[amount_of[channel]], f"case {case_id} ({amount_of[channel]:g}) worked at {step!r}"
        worked.add(step)
    expected = {step for step, visits in expected_visits(process).items()
                if visits >= 0.05 and process.step(step).type in ("task", "approval")}
    assert expected <= worked, f"expected but never worked at: {sorted(expected - worked)}"
