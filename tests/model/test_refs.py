"""Cross-reference checks on models that passed pydantic: ids, roles, calendars, attributes, conditions."""

from __future__ import annotations

import textwrap

import pytest

from bpr.errors import Issue
from bpr.model.load import read_yaml
from bpr.model.refs import check_references
from bpr.model.schema import Process

HEADER = """\
id: refs
name: 参照の確認
calendars:
  committee: {days: [wed], hours: ["13:00-15:00"]}
roles:
  clerk: {name: 担当, department: 総務課}
  chief: {name: 係長, department: 総務課, authority: 2, calendar: committee}
attributes:
  amount: {dist: uniform, min: 1000, max: 2000000}
  kind: {dist: choice, values: {new: 0.8, change: 0.2}}
arrivals:
  - channel: counter
    rate: 5/day
  - channel: online
    rate: 3/day
    attributes:
      pages: {dist: empirical, values: [1, 2, 5]}
"""


def unchecked(steps: str, header: str = HEADER) -> Process:
    """A process that pydantic accepts, not yet checked across fields (the loader would refuse it)."""
    data, _ = read_yaml(header + "steps:\n" + textwrap.indent(textwrap.dedent(steps), "  "))
    return Process.model_validate(data)


def problems(steps: str, header: str = HEADER) -> list[tuple[str, str, str | None]]:
    return [(issue.path, issue.message, issue.hint) for issue in check_references(unchecked(steps, header))]


GOOD = """\
- {id: receive, name: 受付, type: task, role: clerk, duration: 15m, next: route}
- id: route
  type: decision
  next:
    - {to: chief_ok, when: "amount > 100000 and kind == 'new'"}
    - {to: mail, when: "channel == 'online' and pages >= 2"}
    - {to: done, otherwise: true}
- id: chief_ok
  name: 係長決裁
  type: approval
  role: chief
  duration: 10m
  reject: {probability: 0.1, to: receive}
  required_authority:
    - {when: "amount > 1000000", level: 3}
    - {level: 2}
  delegations:
    - {when: "kind in ['change']", role: clerk}
  control: {kind: segregation, basis: 財務規則第12条, separate_from: [receive]}
  next: mail
- {id: mail, name: 庁内逓送, type: handoff, delay: 1d, departures: ["14:00"], calendar: always, next: split}
- {id: split, type: parallel, next: [a, b], join: joined}
- {id: a, type: task, role: clerk, duration: 5m, next: joined}
- {id: b, type: task, role: chief, duration: 5m, next: joined}
- {id: joined, type: join, next: done}
- {id: done, name: 完了, type: end}
- {id: reply, name: 回答待ち, type: wait, party: external, duration: 10d, next: done}
"""


def test_a_consistent_process_has_no_problems() -> None:
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("next: route}", "next: rout}",
         ("steps[0].next", "no step 'rout'", "did you mean 'route'?")),
        ("next: route}", "next: nowhere}",
         ("steps[0].next", "no step 'nowhere'",
          "list of steps: receive, route, chief_ok, mail, split, a, b, joined, done, reply")),
        ("{to: chief_ok, when", "{to: chief, when",
         ("steps[1].next[0].to", "no step 'chief'", "did you mean 'chief_ok'?")),
        ("to: receive}", "to: recieve}",
         ("steps[2].reject.to", "no step 'recieve'", "did you mean 'receive'?")),
        ("  role: chief\n", "  role: chef\n",
         ("steps[2].role", "no role 'chef'", "did you mean 'chief'?")),
        ("role: clerk}\n  control", "role: auditor}\n  control",
         ("steps[2].delegations[0].role", "no role 'auditor'", "declare it under 'roles:'")),
        ("separate_from: [receive]", "separate_from: [recieve]",
         ("steps[2].control.separate_from[0]", "no step 'recieve'", "did you mean 'receive'?")),
        ("calendar: always, next: split", "calendar: alway, next: split",
         ("steps[3].calendar", "no calendar 'alway'", "did you mean 'always'?")),
        ("next: [a, b]", "next: [a, c]",
         ("steps[4].next[1]", "no step 'c'",
                               "list of steps: receive, route, chief_ok, mail, split, a, b, joined, done, reply")),
        ("next: [a, b]", "next: [a, a]",
         ("steps[4].next", "a parallel step lists the same branch twice", None)),
        ("join: joined}", "join: joind}",
         ("steps[4].join", "no join step 'joind'", "did you mean 'joined'?")),
        ("join: joined}", "join: done}",
         ("steps[4].join", "'done' is an end, not a join", "point 'join:' at a step with type: join")),
        ("join: joined}", "join: b}",
         ("steps[4].join", "'b' is a task, not a join", "point 'join:' at a step with type: join")),
        ("{id: joined, type: join, next: done}", "{id: joined, type: join, next: joined}",
         ("steps[7].next", "a step cannot lead to itself", None)),
        ("- {id: done, name: 完了, type: end}\n", "- {id: done, name: 完了, type: end}\n- {id: a, type: end}\n",
         ("steps[9].id", "duplicate step id 'a'", "ids must be unique")),
        ("duration: 10d, next: done}", "duration: 10d, next: dne}",
         ("steps[9].next", "no step 'dne'", "did you mean 'done'?")),
        ("duration: 10d, next: done}", "duration: 10d, next: reply}",
         ("steps[9].next", "a step cannot lead to itself", None)),
        ('amount > 100000 and', 'amout > 100000 and',
         ("steps[1].next[0].when", "condition reads 'amout', which is not a case attribute", "did you mean 'amount'?")),
        ('{when: "amount > 1000000", level: 3}', '{when: "total > 1000000", level: 3}',
         ("steps[2].required_authority[0].when", "condition reads 'total', which is not a case attribute",
          "declare it under 'attributes:'")),
        ("when: \"kind in ['change']\"", "when: \"kind in ['chnage']\"",
         ("steps[2].delegations[0].when", "attribute 'kind' is never 'chnage'; its values are change, new",
          "did you mean 'change'?")),
        ("kind == 'new'", "kind == 1",
         ("steps[1].next[0].when", "text attribute 'kind' is never equal to the number 1",
          "compare text with text and numbers with numbers")),
        ("amount > 100000 and", "amount > 'high' and",
         ("steps[1].next[0].when", "number attribute 'amount' cannot be ordered against the text 'high'",
          "compare text with text and numbers with numbers")),
        ("channel == 'online'", "channel == 'web'",
         ("steps[1].next[1].when", "attribute 'channel' is never 'web'; its values are counter, internal, mail, "
          "online, phone", None)),
        ("pages >= 2", "pages >= true",
         ("steps[1].next[1].when", "number attribute 'pages' cannot be ordered against true",
          "compare text with text and numbers with numbers")),
    ],
)
def test_each_reference_problem(old: str, new: str, expected: tuple[str, str, str | None]) -> None:
    assert GOOD.count(old) == 1, old
    assert problems(GOOD.replace(old, new)) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("calendar: committee}", "calendar: comittee}",
         ("roles.chief.calendar", "no calendar 'comittee'", "did you mean 'committee'?")),
        ("    rate: 3/day\n", "    rate: 3/day\n    calendar: evenings\n    start: mial\n", None),
        ("calendars:\n", "start: recieve\ncalendars:\n",
         ("start", "no step 'recieve'", "did you mean 'receive'?")),
        ("  committee:", "  always: {days: [sun]}\n  committee:",
         ("calendars.always", "'always' is built in and cannot be redefined", None)),
    ],
)
def test_references_outside_steps(old: str, new: str, expected: tuple[str, str, str | None] | None) -> None:
    assert HEADER.count(old) == 1, old
    found = problems(GOOD, HEADER.replace(old, new))
    if expected is None:  # an arrival with two problems: both are reported
        assert found == [
            ("arrivals[1].calendar", "no calendar 'evenings'", "declare it under 'calendars:' or use 'always'"),
            ("arrivals[1].start", "no step 'mial'", "did you mean 'mail'?"),
        ]
    else:
        assert found == [expected]


def test_every_problem_is_reported_not_just_the_first() -> None:
    broken = GOOD.replace("next: route}", "next: rout}").replace("  role: chief\n", "  role: chef\n")
    broken = broken.replace("join: joined}", "join: joind}")
    assert [path for path, _, _ in problems(broken)] == ["steps[0].next", "steps[2].role", "steps[4].join"]


def test_attributes_of_one_channel_count_and_channel_is_built_in() -> None:
    # 'pages' is declared only for online arrivals and 'channel' is never declared: both may be read.
    assert problems(GOOD) == []
    without_pages = HEADER.replace("    attributes:\n      pages: {dist: empirical, values: [1, 2, 5]}\n", "")
    assert problems(GOOD, without_pages) == [
        ("steps[1].next[1].when", "condition reads 'pages', which is not a case attribute",
         "declare it under 'attributes:'"),
    ]


def test_attribute_defined_differently_per_channel_is_not_type_checked() -> None:
    # 'kind' is text for counter cases and a number for online ones: no comparison is provably wrong.
    header = HEADER.replace("      pages: {dist: empirical, values: [1, 2, 5]}\n",
                            "      pages: {dist: empirical, values: [1, 2, 5]}\n      kind: {dist: fixed, value: 1}\n")
    assert problems(GOOD.replace("kind == 'new'", "kind == 1"), header) == []


def test_issues_have_paths_but_no_position_yet() -> None:
    issues = check_references(unchecked(GOOD.replace("next: route}", "next: rout}")))
    assert issues == [Issue("no step 'rout'", "steps[0].next", hint="did you mean 'route'?")]
