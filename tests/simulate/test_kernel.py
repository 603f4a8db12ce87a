"""The engine's fast path reads simpy's private attributes in one module only, and they mean what it assumes."""

from __future__ import annotations

import re
from pathlib import Path

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

    start_flow(env, pausing("a"))
    start_flow(env, timing("b"))
    start_flow(env, pausing("c"))
    env.run()
    assert order == ["a@1.5:None", "b@1.5", "c@1.5:None", "a-again@1.5", "c-again@1.5"]
