"""Processes survive YAML -> model -> YAML -> model unchanged, and the dumped text is stable after one round.

Random valid processes come from :func:`processes`: chains of tasks, approvals, handoffs and waits with rework,
decisions by probability or by condition, an optional parallel co-sign, durations with units, roles in
several departments and Japanese names. ``Process.__eq__`` also compares where each field stood in its
source file, so equality of models is checked on their field values (``model_dump``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.changes import load_process
from bpr.model.load import dump_process, parse_process, process_to_data
from bpr.model.schema import Process

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

KANJI = "受付審査決裁課長係部確認起案通知書類電子申請窓口交付会計財政法務総務市民児童手当住民票道路占用"


def same(a: Process, b: Process) -> bool:
    return type(a) is type(b) and a.model_dump() == b.model_dump()


# --- strategy: random valid processes in file form -------------------------------------------------

names = st.text(alphabet=KANJI + "・（）ー 0123456789ABCabc", min_size=1, max_size=12).map(str.strip).filter(bool)
clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
clocks = st.lists(clock, min_size=1, max_size=3, unique=True).map(sorted)


@st.composite
def time_text(draw: st.DrawFn, positive: bool = True) -> str:
    count = draw(st.integers(1 if positive else 0, 300))
    fraction = draw(st.sampled_from(["", ".5", ".25"]))
    unit = draw(st.sampled_from(["s", "m", "min", "h", "d", "w"]))
    return f"{count}{fraction}{unit}"


@st.composite
def durations(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["text", "fixed", "exponential", "uniform", "triangular", "normal", "lognormal",
                                 "empirical"]))
    if kind == "text":
        return draw(time_text(positive=False))
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(time_text(positive=False))}
    if kind == "exponential":
        return {"dist": "exponential", "mean": draw(time_text())}
    if kind == "empirical":
        return {"dist": "empirical", "values": draw(st.lists(time_text(positive=False), min_size=1, max_size=4))}
    if kind in ("normal", "lognormal"):
        return {"dist": kind, "mean": draw(time_text()), "sd": draw(time_text())}
    low, high = sorted(draw(st.lists(st.integers(0, 600), min_size=2, max_size=2)))
    if kind == "uniform":
        return {"dist": "uniform", "min": f"{low}m", "max": f"{high}m"}
    mode = draw(st.integers(low, high))
    return {"dist": "triangular", "min": f"{low}m", "mode": f"{mode}m", "max": f"{high}m"}


@st.composite
def roles(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 4))
    out: dict[str, Any] = {}
    for i in range(count):
        role: dict[str, Any] = {"name": draw(names), "department": draw(st.sampled_from(["総務課", "財政課", "市民課"]))}
        if draw(st.booleans()):
            role["staff"] = draw(st.one_of(st.integers(1, 20), st.just("unlimited")))
        if draw(st.booleans()):
            role["authority"] = draw(st.integers(0, 8))
        if draw(st.booleans()):
            role["hourly_cost"] = draw(st.floats(0, 20_000, allow_nan=False, allow_infinity=False))
        out[f"r{i}"] = role
    return out


@st.composite
def work_step(draw: st.DrawFn, step_id: str, role_ids: list[str], earlier: list[str], next_id: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["task", "approval", "handoff", "wait"]))
    step: dict[str, Any] = {"id": step_id, "name": draw(names), "type": kind}
    if kind == "wait":
        step["duration"] = draw(durations())
        if draw(st.booleans()):
            step["party"] = draw(st.sampled_from(["applicant", "external", "committee"]))
        if draw(st.booleans()):
            step["medium"] = draw(st.sampled_from(["paper", "digital"]))
        step["next"] = next_id
        return step
    if kind == "handoff":
        step["mode"] = draw(st.sampled_from(["internal_mail", "courier", "post", "fax", "walk", "electronic"]))
        step["delay"] = draw(durations())
        if draw(st.booleans()):
            step["departures"] = draw(clocks)
        step["next"] = next_id
        return step
    step["role"] = draw(st.sampled_from(role_ids))
    step["duration"] = draw(durations())
    if draw(st.booleans()):
        step["medium"] = draw(st.sampled_from(["paper", "digital"]))
    if draw(st.booleans()):
        step["stamp"] = draw(st.booleans())
    if kind == "task":
        if draw(st.booleans()):
            step["rekey"] = draw(st.booleans())
        if draw(st.booleans()):
            step["citizen_present"] = draw(st.booleans())
    else:
        if draw(st.booleans()):
            step["checks"] = draw(st.lists(names, max_size=3))
        if earlier and draw(st.booleans()):
            step["reject"] = {"probability": draw(st.sampled_from([0.05, 0.1, 0.25, 0.5])),
                              "to": draw(st.sampled_from(earlier + [step_id]))}
        if draw(st.booleans()):
            step["batch"] = draw(clocks)
        if draw(st.booleans()):
            step["required_authority"] = [{"when": "amount > 500000", "level": draw(st.integers(2, 5))}, {"level": 1}]
        if draw(st.booleans()):
            step["delegations"] = [{"when": draw(st.sampled_from(["amount <= 100000", "kind == 'change'"])),
                                    "role": draw(st.sampled_from(role_ids))}]
    step["next"] = next_id
    return step


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    role_map = draw(roles())
    role_ids = list(role_map)
    length = draw(st.integers(1, 6))
    ids = [f"s{i}" for i in range(length)]
    steps: list[dict[str, Any]] = []
    for i, step_id in enumerate(ids):
        following = ids[i + 1] if i + 1 < length else "done"
        decide = following != "done" and draw(st.booleans())
        target = f"d{i}" if decide else following
        steps.append(draw(work_step(step_id, role_ids, [s["id"] for s in steps if s["type"] != "decision"], target)))
        if decide:
            if draw(st.booleans()):
                p = draw(st.sampled_from([0.25, 0.5, 0.75, 0.9]))
                branches = [{"to": following, "probability": p}, {"to": "done", "probability": 1 - p}]
            else:
                branches = [{"to": following, "when": draw(st.sampled_from(
                    ["amount > 100000", "kind == 'new' and amount >= 5000", "not (amount < 10) or kind in ['change']",
                     "channel == 'online'"]))}, {"to": "done", "otherwise": True}]
            steps.append({"id": f"d{i}", "name": draw(names), "type": "decision", "next": branches})
    if draw(st.booleans()):  # a parallel co-sign (合議) before the end
        last = steps[-1] if steps[-1]["type"] != "decision" else steps[-2]
        last["next"] = "split"
        steps += [
            {"id": "split", "type": "parallel", "next": ["co_a", "co_b"], "join": "joined"},
            {"id": "co_a", "name": draw(names), "type": "approval", "role": draw(st.sampled_from(role_ids)),
             "duration": draw(durations()), "next": "joined"},
            {"id": "co_b", "name": draw(names), "type": "task", "role": draw(st.sampled_from(role_ids)),
             "duration": draw(durations()), "next": "joined"},
            {"id": "joined", "type": "join", "next": "done"},
        ]
    steps.append({"id": "done", "name": draw(names), "type": "end", "outcome": draw(st.sampled_from(["", "承認"]))})
    data: dict[str, Any] = {"id": "p", "name": draw(names)}
    if draw(st.booleans()):
        data["calendar"] = draw(st.one_of(
            st.just("always"),
            st.fixed_dictionaries({}, optional={
                "days": st.just(["mon", "wed", "fri"]),
                "hours": st.just(["09:00-12:00", "13:00-17:00"]),
                "holidays": st.sampled_from(["JP", None]),
                "closed": st.just(["12-29", "2026-05-01"]),
            }),
        ))
    data["roles"] = role_map
    data["attributes"] = {"amount": {"dist": "uniform", "min": 0, "max": 2_000_000},
                          "kind": {"dist": "choice", "values": {"new": 0.75, "change": 0.25}}}
    channels = draw(st.lists(st.sampled_from(["counter", "mail", "online", "internal", "phone"]), min_size=1,
                             max_size=3, unique=True))
    data["arrivals"] = [{"channel": c, "rate": f"{draw(st.integers(1, 500))}/{draw(st.sampled_from(['hour', 'day', 'year']))}"}
                        for c in channels]
    data["steps"] = steps
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(processes())
def test_random_processes_survive_a_round_trip(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    first = parse_process(text, file="random.yaml")
    dumped = dump_process(first)
    second = parse_process(dumped, file="dumped.yaml")
    assert same(first, second)
    assert dump_process(second) == dumped  # the text is stable after one round
    assert process_to_data(second) == process_to_data(first)


# --- the files we ship ----------------------------------------------------------------------------------

SHIPPED = sorted(
    [*HERE.joinpath("valid").glob("*.yaml"), *ROOT.joinpath("scenarios").glob("*/*.yaml")],
    key=str,
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_survive_a_round_trip(path: Path) -> None:
    first = load_process(path)
    dumped = dump_process(first)
    second = parse_process(dumped, file="dumped.yaml")
    assert same(first, second)
    assert dump_process(second) == dumped


def test_dump_keeps_units_japanese_and_only_what_was_written() -> None:
    process = load_process(HERE / "valid" / "yaml11_traps.yaml")
    text = dump_process(process)
    assert "name: YAML 1.1 の落とし穴" in text  # not \u escapes
    assert "duration: 90m" in text  # units kept, not 90.0
    assert "- '10:00'" in text  # quoted so that YAML 1.1 readers keep it as text
    assert "holidays: 'NO'" in text
    assert "timezone" not in text  # defaults the file did not write are not added
    assert process_to_data(process)["roles"]["clerk"] == {"name": "担当", "staff": 10}
