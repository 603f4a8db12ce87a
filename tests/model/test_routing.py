"""The routing core: each rule on hand-made processes, with exact answers; the stepper through a whole case."""

from __future__ import annotations

from typing import Any

import pytest

from bpr.analysis.cases import CaseSample
from bpr.model.graph import build_graph
from bpr.model.load import process_from_data
from bpr.model.routing import (
    APPROVED,
    DONE,
    REJECTED,
    RETURNED,
    Router,
    RoutingError,
    after_pass,
    after_reject,
    blocks,
    choose,
    compile_routing,
    decider,
    exits,
    reachable,
)
from bpr.simulate import SimConfig, simulate
from bpr.errors import SimulationError


def _process(steps: list[dict[str, Any]], **extra: Any) -> Any:
    data = {
        "id": "p", "name": "p", "calendar": "always",
        "roles": {"clerk": {"staff": 1, "authority": 1}, "chief": {"staff": 1, "authority": 3},
                  "head": {"staff": 1, "authority": 5}},
        "attributes": {"amount": {"dist": "uniform", "min": 0, "max": 2_000_000}},
        "arrivals": [{"channel": "mail", "rate": "1/hour"}],
        "steps": steps,
    }
    data.update(extra)
    return process_from_data(data)


COSIGN = [
    {"id": "draft", "type": "task", "role": "clerk", "duration": "10m", "next": "split"},
    {"id": "split", "type": "parallel", "next": ["legal", "budget"], "join": "met"},
    {"id": "legal", "type": "approval", "role": "chief", "duration": "5m", "next": "met",
     "reject": {"probability": 0.2, "to": "draft"}},
    {"id": "budget", "type": "approval", "role": "chief", "duration": "5m", "next": "met"},
    {"id": "met", "type": "join", "next": "decide"},
    {"id": "decide", "type": "approval", "role": "head", "duration": "5m", "next": "done",
     "delegations": [{"role": "chief", "when": "amount < 500000"}]},
    {"id": "done", "type": "end"},
]


def test_exits_are_the_steps_ways_out_with_their_probabilities() -> None:
    process = _process(COSIGN)
    assert [(e.to, e.kind, e.probability) for e in exits(process.step("legal"))] == [
        ("met", "next", 0.8), ("draft", "reject", 0.2)]
    assert [(e.to, e.kind) for e in exits(process.step("split"))] == [("legal", "split"), ("budget", "split")]
    assert exits(process.step("done")) == []


def test_the_parallel_block_is_what_the_branches_pass_on_their_way_to_the_join() -> None:
    assert blocks(_process(COSIGN)) == {"met": frozenset({"legal", "budget"})}


def test_branch_choice_by_draw_and_by_condition() -> None:
    process = _process([
        {"id": "odds", "type": "decision", "next": [{"to": "a", "probability": 0.25}, {"to": "b", "probability": 0.75}]},
        {"id": "a", "type": "decision", "next": [{"to": "big", "when": "amount > 1000000"}, {"to": "b", "otherwise": True}]},
        {"id": "b", "type": "end"},
        {"id": "big", "type": "end"},
    ])
    routing = compile_routing(process)
    odds, rule = routing.route("odds"), routing.route("a")
    ids = [s.id for s in routing.steps]
    assert [ids[choose(odds, {}, u)] for u in (0.0, 0.2499, 0.25, 0.9999999)] == ["a", "a", "b", "b"]
    assert ids[choose(rule, {"amount": 2_000_000})] == "big"
    assert ids[choose(rule, {"amount": 1_000_000})] == "b"


def test_a_condition_that_cannot_be_evaluated_is_an_error_naming_the_step() -> None:
    process = _process([
        {"id": "a", "type": "decision", "next": [{"to": "big", "when": "amount > 1000000"}, {"to": "b", "otherwise": True}]},
        {"id": "b", "type": "end"},
        {"id": "big", "type": "end"},
    ])
    routing = compile_routing(process)
    with pytest.raises(RoutingError, match=r"decision 'a': .*cannot order 'many' and 1000000"):
        choose(routing.route("a"), {"amount": "many"})
    with pytest.raises(RoutingError, match=r"decision 'a': case has no attribute 'amount'"):
        choose(routing.route("a"), {})


def test_the_analysis_counts_a_case_it_cannot_route_as_stuck_not_as_the_next_branch() -> None:
    # A channel whose cases carry a text 'amount': the analysis used to skip the failing branch and send
    # them 'otherwise' (to 'small'), where the simulation stopped. Now both say they cannot go on.
    process = _process(
        [
            {"id": "a", "type": "decision", "next": [{"to": "big", "when": "amount > 1000000"},
                                                     {"to": "small", "otherwise": True}]},
            {"id": "small", "type": "end"},
            {"id": "big", "type": "end"},
        ],
        arrivals=[{"channel": "mail", "rate": "1/hour", "attributes": {"amount": {"dist": "choice", "values": {"many": 1.0}}}}],
    )
    G = build_graph(process)
    sample = CaseSample.draw(G, process, n=50)
    assert set(sample.reach) == {frozenset({"a"})}
    assert all(choice == {"a": None} for choice in sample.choices)
    with pytest.raises(SimulationError, match=r"decision 'a': cannot order 'many'"):
        simulate(process, SimConfig(replications=2, horizon="1d", warm_up="0m", seed=1, workers=1))


def test_delegation_picks_the_first_rule_that_holds() -> None:
    routing = compile_routing(_process(COSIGN))
    decide = routing.route("decide")
    assert routing.roles[decider(decide, {"amount": 100})] == "chief"
    assert routing.roles[decider(decide, {"amount": 900_000})] == "head"


def test_rework_lasts_until_every_rejecting_approval_is_passed_again() -> None:
    state = after_reject(None, 3)
    state = after_reject(state, 5)
    assert state == frozenset({3, 5})
    assert after_pass(state, 4) == frozenset({3, 5})
    assert after_pass(after_pass(state, 3), 5) is None


def test_reachable_follows_a_cases_own_conditions() -> None:
    process = _process([
        {"id": "a", "type": "decision", "next": [{"to": "big", "when": "amount > 1000000"}, {"to": "b", "otherwise": True}]},
        {"id": "b", "type": "end"},
        {"id": "big", "type": "task", "role": "head", "duration": "1h", "next": "b"},
    ])
    routing = compile_routing(process)
    names = lambda found: {routing.steps[i].id for i in found}  # noqa: E731
    assert names(reachable(routing, 0, {"amount": 5})) == {"a", "b"}
    assert names(reachable(routing, 0, {"amount": 5_000_000})) == {"a", "big", "b"}
    assert names(reachable(routing, 0)) == {"a", "b", "big"}


def _ids(routing: Any, move: Any) -> list[tuple[str, str | None]]:
    return [(routing.steps[w.step].id, routing.roles[w.role] if w.role >= 0 else None) for w in move.opened]


def test_a_case_through_a_co_sign_with_a_return_and_a_delegated_decision() -> None:
    routing = compile_routing(_process(COSIGN))
    router = Router(routing)
    at = routing.index
    move = router.start({"amount": 100_000})
    assert _ids(routing, move) == [("draft", "clerk")]
    move = router.advance(move.state, at["draft"], DONE)
    assert _ids(routing, move) == [("legal", "chief"), ("budget", "chief")]
    assert move.split == (at["split"],)
    # legal returns the case before the split; budget still signs; the join sends the case back to draft.
    move = router.advance(move.state, at["legal"], REJECTED)
    assert move.opened == () and move.state.rework == frozenset({at["legal"]})
    move = router.advance(move.state, at["budget"], APPROVED)
    assert move.joined == (at["met"],)
    assert _ids(routing, move) == [("draft", "clerk")]
    move = router.advance(move.state, at["draft"], DONE)
    move = router.advance(move.state, at["budget"], APPROVED)
    move = router.advance(move.state, at["legal"], APPROVED)
    assert move.state.rework is None and move.joined == (at["met"],)
    assert _ids(routing, move) == [("decide", "chief")]  # 専決: under 500,000 the chief decides
    move = router.advance(move.state, at["decide"], APPROVED)
    assert move.ended and move.state.tokens == () and move.state.blocks == ()


def test_return_to_sender_goes_to_the_named_step_and_opens_rework() -> None:
    routing = compile_routing(_process(COSIGN))
    router = Router(routing)
    at = routing.index
    state = router.start({"amount": 900_000}).state
    state = router.advance(state, at["draft"], DONE).state
    state = router.advance(state, at["legal"], APPROVED).state
    move = router.advance(state, at["budget"], APPROVED)
    assert _ids(routing, move) == [("decide", "head")]
    move = router.advance(move.state, at["decide"], RETURNED, to=at["draft"])
    assert _ids(routing, move) == [("draft", "clerk")] and move.state.rework == frozenset({at["decide"]})
    with pytest.raises(RoutingError, match="names the work step"):
        router.advance(move.state, at["draft"], RETURNED, to=at["split"])


def test_advancing_work_the_case_does_not_have_is_refused() -> None:
    routing = compile_routing(_process(COSIGN))
    router = Router(routing)
    state = router.start({"amount": 1}).state
    with pytest.raises(RoutingError, match="no work at step 'decide'"):
        router.advance(state, routing.index["decide"], APPROVED)
    with pytest.raises(RoutingError, match="cannot reject"):
        router.advance(state, routing.index["draft"], REJECTED)
