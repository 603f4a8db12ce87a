"""The engine's fast path reads simpy's private attributes in one module only, and they mean what it assumes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import simpy

from bpr.simulate.kernel import start_flow

ROOT = Path(__file__).resolve().parents[2] / "bpr"
PRIVATE = re.compile(r"(?<!self)\.(_now|_value|_eid|_ok|_defused|_queue)\b")  # simpy.Environment and Event internals


def test_only_the_kernel_reads_simpy_private_attributes() -> None:
    readers = sorted(str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
                     if PRIVATE.search(path.read_text(encoding="utf-8")))
    assert readers == ["simulate/kernel.py"]


def test_a_flow_is_resumed_with_each_event_value_and_done_gets_its_result() -> None:
    env = simpy.Environment()
    seen: list[tuple[float, object]] = []

    def flow():  # type: ignore[no-untyped-def]
        value = yield env.timeout(2, value="a")
        seen.append((env.now, value))
        value = yield env.timeout(3, value="b")
        seen.append((env.now, value))
        return "finished"

    done = env.event()
    start_flow(env, flow(), done)
    env.run()
    assert seen == [(2, "a"), (5, "b")]
    assert done.value == "finished"


def test_a_flow_that_never_yields_succeeds_at_once() -> None:
    env = simpy.Environment()

    def flow():  # type: ignore[no-untyped-def]
        return 7
        yield  # pragma: no cover - makes this a generator

    done = env.event()
    start_flow(env, flow(), done)
    assert done.triggered and done.value == 7


def test_a_pause_is_scheduled_as_a_timeout_of_the_same_length_would_be() -> None:
    # Pauses (a float) and timeouts at the same instant keep the order they were scheduled in.
    env = simpy.Environment()
    order: list[str] = []

    def pausing(name: str):  # type: ignore[no-untyped-def]
        value = yield 1.5
        order.append(f"{name}@{env.now}:{value}")
        yield 0.0
        order.append(f"{name}-again@{env.now}")

    def timing(name: str):  # type: ignore[no-untyped-def]
        yield env.timeout(1.5)
        order.append(f"{name}@{env.now}")

    from bpr.simulate.kernel import run_until

    start_flow(env, pausing("a"))
    start_flow(env, timing("b"))
    start_flow(env, pausing("c"))
    run_until(env, env.timeout(10))
    assert order == ["a@1.5:1.5", "b@1.5", "c@1.5:1.5", "a-again@1.5", "c-again@1.5"]  # a pause gives its end


def test_run_until_stops_once_the_event_is_processed_as_env_run_does() -> None:
    from bpr.simulate.kernel import run_until

    def scenario(run, pause):  # type: ignore[no-untyped-def]
        env = simpy.Environment()
        seen: list[float] = []
        done = env.event()

        def ticker():  # type: ignore[no-untyped-def]
            while True:
                yield pause(env)
                seen.append(env.now)
                if env.now == 3.0 and not done.triggered:
                    done.succeed("stop")

        start_flow(env, ticker())
        start_flow(env, ticker())
        run(env, done)
        return seen, env.now

    ours = scenario(run_until, lambda env: 1.0)
    theirs = scenario(lambda env, done: env.run(until=done), lambda env: env.timeout(1.0))  # plain simpy
    assert ours == theirs == ([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], 3.0)  # the second ticker's 3.0 comes before the stop


def test_run_until_an_event_that_never_comes_is_an_error() -> None:
    from bpr.simulate.kernel import run_until

    env = simpy.Environment()
    start_flow(env, (x for x in [1.0]))
    with pytest.raises(RuntimeError, match="no scheduled events left"):
        run_until(env, env.event())


def test_finished_flows_leave_no_cycles_and_the_collector_runs_again_after() -> None:
    import gc

    from bpr.simulate.kernel import run_until

    env = simpy.Environment()
    done = env.event()

    def case(k: int):  # type: ignore[no-untyped-def]
        yield float(k % 7)
        yield env.timeout(1)  # an event too, not only pauses
        if k == 9_999:
            done.succeed()

    for k in range(10_000):
        start_flow(env, case(k))
    gc.collect()
    enabled = gc.isenabled()
    run_until(env, done)
    assert gc.isenabled() == enabled
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        found = gc.collect()
        leftover = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert found < 50, leftover[:20]  # not one cycle per flow


def test_a_ticket_resumes_its_flow_with_the_value_it_is_fired_with_in_order() -> None:
    from bpr.simulate.kernel import Ticket, fire, run_until

    env = simpy.Environment()
    ticket = Ticket()
    seen: list[tuple[str, float, object]] = []

    def waiter():  # type: ignore[no-untyped-def]
        value = yield ticket
        seen.append(("waiter", env.now, value))

    def firer():  # type: ignore[no-untyped-def]
        yield 2.0
        fire(env, ticket, "served")
        yield 0.0  # scheduled after the ticket: the waiter goes first
        seen.append(("firer", env.now, None))

    start_flow(env, waiter())
    start_flow(env, firer())
    run_until(env, env.timeout(5))
    assert seen == [("waiter", 2.0, "served"), ("firer", 2.0, None)]
