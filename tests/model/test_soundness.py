"""Soundness: every step reachable, every case able to finish, every parallel split met by its join."""

from __future__ import annotations

import textwrap

import pytest

from bpr.model.load import read_yaml
from bpr.model.schema import Process
from bpr.model.soundness import check_soundness

HEADER = """\
id: sound
name: 健全性
roles:
  clerk: {name: 担当}
  chief: {name: 係長, authority: 2}
attributes:
  amount: {dist: uniform, min: 1000, max: 2000000}
arrivals:
  - {channel: counter, rate: 5/day}
"""

TRAPPED = "no case that gets here can finish"


def unchecked(steps: str, header: str = HEADER) -> Process:
    data, _ = read_yaml(header + "steps:\n" + textwrap.indent(textwrap.dedent(steps), "  "))
    return Process.model_validate(data)


def problems(steps: str, header: str = HEADER) -> list[tuple[str, str]]:
    return [(issue.path, issue.message) for issue in check_soundness(unchecked(steps, header))]


def test_a_sound_process_with_rework_decisions_and_parallel_has_no_problems() -> None:
    assert problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: route}
        - id: route
          type: decision
          next:
            - {to: split, when: "amount > 100000"}
            - {to: check, otherwise: true}
        - {id: check, type: approval, role: chief, duration: 5m, reject: {probability: 0.2, to: receive}, next: done}
        - {id: split, type: parallel, next: [a, b, joined], join: joined}
        - {id: a, type: approval, role: chief, duration: 5m, reject: {probability: 0.1, to: a_fix}, next: joined}
        - {id: a_fix, type: task, role: clerk, duration: 5m, next: a}
        - {id: b, type: task, role: clerk, duration: 5m, next: joined}
        - {id: joined, type: join, next: done}
        - {id: done, type: end}
    """) == []


def test_unreachable_step() -> None:
    assert problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: done}
        - {id: archive, type: task, role: clerk, duration: 5m, next: done}
        - {id: done, type: end}
    """) == [("steps[1]", "step 'archive' can never be reached")]


def test_a_channel_may_start_elsewhere() -> None:
    header = HEADER.replace("  - {channel: counter, rate: 5/day}\n",
                            "  - {channel: counter, rate: 5/day}\n  - {channel: online, rate: 2/day, start: check}\n")
    assert problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: done}
        - {id: check, type: task, role: clerk, duration: 5m, next: done}
        - {id: done, type: end}
    """, header) == []


def test_no_end_step() -> None:
    found = problems("""\
        - {id: a, type: task, role: clerk, duration: 1m, next: b}
        - {id: b, type: task, role: clerk, duration: 1m, next: a}
    """)
    assert found == [
        ("steps", "the process has no end step"),
        ("steps[0]", f"step 'a' is in a loop with no exit: {TRAPPED}"),
        ("steps[1]", f"step 'b' is in a loop with no exit: {TRAPPED}"),
    ]


def test_dead_end_leads_into_a_loop_with_no_exit() -> None:
    assert problems("""\
        - {id: a, type: task, role: clerk, duration: 1m, next: b}
        - {id: b, type: task, role: clerk, duration: 1m, next: c}
        - {id: c, type: task, role: clerk, duration: 1m, next: b}
        - id: route
          type: decision
          next: [{to: a, probability: 0.5}, {to: done, probability: 0.5}]
        - {id: done, type: end}
    """, HEADER + "start: route\n") == [
        ("steps[0]", f"step 'a' is a dead end: {TRAPPED}"),
        ("steps[1]", f"step 'b' is in a loop with no exit: {TRAPPED}"),
        ("steps[2]", f"step 'c' is in a loop with no exit: {TRAPPED}"),
    ]


def test_a_branch_never_taken_is_no_way_out() -> None:
    assert problems("""\
        - {id: a, type: task, role: clerk, duration: 1m, next: route}
        - id: route
          type: decision
          next: [{to: a, probability: 1}, {to: done, probability: 0}]
        - {id: done, type: end}
    """) == [
        ("steps[0]", f"step 'a' is in a loop with no exit: {TRAPPED}"),
        ("steps[1]", f"step 'route' is in a loop with no exit: {TRAPPED}"),
    ]


def test_rejecting_every_case_is_reported_even_with_another_way_out() -> None:
    found = problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: route}
        - id: route
          type: decision
          next: [{to: ok, probability: 0.5}, {to: done, probability: 0.5}]
        - {id: ok, type: approval, role: chief, duration: 5m, reject: {probability: 1, to: receive}, next: done}
        - {id: done, type: end}
    """)
    assert found == [("steps[2].reject.probability",
                      "approval 'ok' returns every case (reject probability 1): no case ever passes it")]


def test_rejection_below_one_is_a_way_out() -> None:
    assert problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: ok}
        - {id: ok, type: approval, role: chief, duration: 5m, reject: {probability: 0.999, to: receive}, next: done}
        - {id: done, type: end}
    """) == []


# --- loops decided by a condition (attributes never change during a case) ----------------------------

CONDITION_LOOP = """\
- {id: receive, type: task, role: clerk, duration: 15m, next: route}
- id: route
  type: decision
  next:
    - {to: chief_ok, when: "amount > 100000"}
    - {to: done, otherwise: true}
- {id: chief_ok, type: approval, role: chief, duration: 5m, next: receive}
- {id: done, type: end}
"""


def test_loop_whose_only_exit_is_the_same_condition() -> None:
    assert problems(CONDITION_LOOP) == [
        ("steps[1].next[0]", "cases taking this branch (when 'amount > 100000') loop through receive, route, "
                             "chief_ok for ever: only 'route' leads out, and it decides the same way every time"),
    ]


def test_otherwise_branch_into_the_loop_is_named() -> None:
    steps = CONDITION_LOOP.replace(
        '    - {to: chief_ok, when: "amount > 100000"}\n    - {to: done, otherwise: true}',
        '    - {to: done, when: "amount > 100000"}\n    - {to: chief_ok, otherwise: true}')
    assert problems(steps) == [
        ("steps[1].next[1]", "cases taking this branch (otherwise) loop through receive, route, chief_ok for ever: "
                             "only 'route' leads out, and it decides the same way every time"),
    ]


def test_a_rejection_in_the_loop_is_a_way_out() -> None:
    steps = CONDITION_LOOP.replace("duration: 5m, next: receive}",
                                   "duration: 5m, reject: {probability: 0.5, to: receive}, next: done}")
    assert problems(steps) == []


def test_two_deciding_steps_are_not_judged() -> None:
    # Whether 'amount > 100000 and amount <= 500000' can hold is not decided: documented limit.
    assert problems("""\
        - {id: receive, type: task, role: clerk, duration: 15m, next: first}
        - id: first
          type: decision
          next: [{to: second, when: "amount > 100000"}, {to: done, otherwise: true}]
        - id: second
          type: decision
          next: [{to: receive, when: "amount <= 500000"}, {to: done, otherwise: true}]
        - {id: done, type: end}
    """) == []


# --- parallel splits and joins ------------------------------------------------------------------------

PARALLEL = """\
- {id: draft, type: task, role: clerk, duration: 30m, next: split}
- {id: split, type: parallel, next: [legal, budget], join: joined}
- {id: legal, type: approval, role: chief, duration: 20m, next: joined}
- {id: budget, type: approval, role: chief, duration: 20m, next: joined}
- {id: joined, type: join, next: done}
- {id: done, type: end}
"""


def test_parallel_is_sound() -> None:
    assert problems(PARALLEL) == []


def test_branch_that_never_reaches_its_join() -> None:
    steps = PARALLEL.replace("{id: legal, type: approval, role: chief, duration: 20m, next: joined}",
                             "{id: legal, type: approval, role: chief, duration: 20m, next: done}")
    assert problems(steps) == [("steps[1].next[0]", "branch 'legal' never reaches join 'joined'")]


def test_branch_that_can_escape_its_join() -> None:
    steps = PARALLEL.replace("{id: budget, type: approval, role: chief, duration: 20m, next: joined}",
                             "{id: budget, type: approval, role: chief, duration: 20m, "
                             "reject: {probability: 0.2, to: done}, next: joined}")
    assert problems(steps) == [
        ("steps[1].next[1]", "branch 'budget' can reach end 'done' without passing join 'joined'"),
    ]


def test_join_that_no_parallel_step_names() -> None:
    steps = PARALLEL.replace("next: split}", "next: extra}") + "- {id: extra, type: join, next: split}\n"
    assert problems(steps) == [("steps[6]", "join 'extra' belongs to no parallel step")]


def test_join_shared_by_two_parallel_steps() -> None:
    steps = PARALLEL.replace("{id: draft, type: task, role: clerk, duration: 30m, next: split}",
                             "{id: draft, type: task, role: clerk, duration: 30m, next: split0}\n"
                             "- {id: split0, type: parallel, next: [split, other], join: joined}\n"
                             "- {id: other, type: task, role: clerk, duration: 5m, next: joined}")
    assert ("steps[6]", "join 'joined' is shared by parallel steps split0, split") in problems(steps)


def test_nested_parallel_is_sound() -> None:
    assert problems("""\
        - {id: outer, type: parallel, next: [inner, c], join: outer_join}
        - {id: inner, type: parallel, next: [a, b], join: inner_join}
        - {id: a, type: task, role: clerk, duration: 5m, next: inner_join}
        - {id: b, type: task, role: chief, duration: 5m, next: inner_join}
        - {id: inner_join, type: join, next: outer_join}
        - {id: c, type: task, role: clerk, duration: 5m, next: outer_join}
        - {id: outer_join, type: join, next: done}
        - {id: done, type: end}
    """) == []


# --- size -------------------------------------------------------------------------------------------


def test_many_fully_connected_decisions_are_judged_without_enumerating_cycles() -> None:
    # 16 decisions each leading to all others have astronomically many simple cycles; the check must
    # stay linear (it once enumerated cycles and stalled for minutes on a file of a few kilobytes).
    n = 16
    lines = ["- {id: start, type: task, role: clerk, duration: 1m, next: d0}"]
    for i in range(n):
        others = [j for j in range(n) if j != i]
        shares = [round(1 / len(others), 12)] * (len(others) - 1)
        shares.append(round(1 - sum(shares), 12))
        branches = ", ".join(f"{{to: d{j}, probability: {p!r}}}" for j, p in zip(others, shares))
        lines.append(f"- {{id: d{i}, type: decision, next: [{branches}]}}")
    lines.append("- {id: done, type: end}")
    found = problems("\n".join(lines) + "\n")
    assert found[0] == (f"steps[{n + 1}]", "step 'done' can never be reached")
    assert found[1] == ("steps[0]", f"step 'start' is a dead end: {TRAPPED}")
    assert found[2:] == [(f"steps[{i + 1}]", f"step 'd{i}' is in a loop with no exit: {TRAPPED}") for i in range(n)]


@pytest.mark.parametrize("probability", [0.0, 0.5])
def test_issue_hints(probability: float) -> None:
    process = unchecked(f"""\
        - {{id: a, type: approval, role: chief, duration: 5m, reject: {{probability: {probability}, to: a}}, next: done}}
        - {{id: orphan, type: task, role: clerk, duration: 1m, next: done}}
        - {{id: done, type: end}}
    """)
    (issue,) = check_soundness(process)
    assert (issue.path, issue.hint) == ("steps[1]", "route a step to it, or delete it")


def test_a_loop_left_only_past_the_condition_is_a_trap() -> None:
    # The loop also has a way out (a later approval returns cases into it, else goes on), but only cases
    # over the amount ever get there: the others go round enter -> check -> route for ever.
    assert problems("""\
        - {id: enter, type: task, role: clerk, duration: 15m, next: check}
        - {id: check, type: task, role: clerk, duration: 5m, next: route}
        - id: route
          type: decision
          next:
            - {to: decide, when: "amount > 1000000"}
            - {to: enter, otherwise: true}
        - {id: decide, type: approval, role: chief, duration: 5m, reject: {probability: 0.2, to: enter}, next: done}
        - {id: done, type: end}
    """) == [
        ("steps[2].next[1]", "cases taking this branch (otherwise) never reach an end: every way on from 'enter' "
                             "leads back to 'route', which decides the same way every time"),
    ]
