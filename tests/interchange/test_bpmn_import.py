"""Import of BPMN drawn by other tools: each construct maps as docs/interchange.md says, and what has no
equivalent is listed with its element id and line, never dropped in silence."""

from __future__ import annotations

import pytest

from bpr.interchange.bpmn_read import BpmnImportError, read_bpmn, translate_condition
from bpr.model.schema import Approval, Decision, End, Join, Parallel, Task, Wait
from bpmnhelp import document, flow

LANES = """
  <bpmn:laneSet id="LaneSet_1">
    <bpmn:lane id="Lane_dept" name="市民課">
      <bpmn:childLaneSet id="LaneSet_2">
        <bpmn:lane id="Lane_clerk" name="Clerk">
          <bpmn:flowNodeRef>Start</bpmn:flowNodeRef><bpmn:flowNodeRef>Receive</bpmn:flowNodeRef>
          <bpmn:flowNodeRef>End</bpmn:flowNodeRef>
        </bpmn:lane>
        <bpmn:lane id="Lane_chief" name="係長"><bpmn:flowNodeRef>Check</bpmn:flowNodeRef></bpmn:lane>
      </bpmn:childLaneSet>
    </bpmn:lane>
  </bpmn:laneSet>
"""


def test_lanes_become_roles_with_their_department() -> None:
    body = (LANES + '<bpmn:startEvent id="Start"/><bpmn:userTask id="Receive" name="受付"/>'
            '<bpmn:manualTask id="Check" name="審査"/><bpmn:endEvent id="End"/>\n'
            + flow("f1", "Start", "Receive") + flow("f2", "Receive", "Check") + flow("f3", "Check", "End"))
    result = read_bpmn(document(body, pool="City"), file="lanes.bpmn")
    process = result.process
    assert set(process.roles) == {"Clerk", "Lane_chief"}  # a lane named in Japanese keeps its id as role id
    assert process.roles["Lane_chief"].name == "係長" and process.roles["Lane_chief"].department == "市民課"
    assert process.roles["Clerk"].department == "市民課"
    receive, check = process.step("Receive"), process.step("Check")
    assert isinstance(receive, Task) and receive.role == "Clerk" and receive.medium == "digital"
    assert isinstance(check, Task) and check.role == "Lane_chief" and check.medium == "paper"  # manual task
    assert process.step_ids == ("Receive", "Check", "End")
    defaults = {(n.element, n.message) for n in result.notes if n.kind == "default"}
    assert ("Receive", "duration not in BPMN: 10m") in defaults
    assert ("Lane_chief", "staff count not in BPMN: 1") in defaults
    assert ("Start", "arrival rate not in BPMN: 1/day through channel 'online'") in defaults


def test_department_is_the_pool_when_lanes_are_not_nested() -> None:
    body = ('<bpmn:laneSet id="LS"><bpmn:lane id="L1" name="Officer"><bpmn:flowNodeRef>T</bpmn:flowNodeRef>'
            '</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="S"/><bpmn:task id="T"/><bpmn:endEvent id="E"/>'
            + flow("a", "S", "T") + flow("b", "T", "E"))
    process = read_bpmn(document(body, pool="Tax office")).process
    assert process.roles["Officer"].department == "Tax office"
    assert process.name == "Tax office"


def test_exclusive_gateway_conditions_and_default_flow() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:userTask id="Enter"/>'
            '<bpmn:exclusiveGateway id="G" name="amount?" default="fd"/>'
            '<bpmn:userTask id="Big"/><bpmn:userTask id="Small"/><bpmn:exclusiveGateway id="M"/>'
            '<bpmn:endEvent id="E"/>'
            + flow("a", "S", "Enter") + flow("b", "Enter", "G")
            + flow("fc", "G", "Big", "${amount &gt; 1000000 &amp;&amp; kind == 'new'}") + flow("fd", "G", "Small")
            + flow("c", "Big", "M") + flow("d", "Small", "M") + flow("e", "M", "E"))
    result = read_bpmn(document(body))
    decision = result.process.step("G")
    assert isinstance(decision, Decision)
    assert [(b.to, b.when, b.otherwise) for b in decision.next] == [
        ("Big", "amount > 1000000 and kind == 'new'", False), ("Small", None, True)]
    assert "M" not in result.process.step_ids  # a merging gateway passes through
    big = result.process.step("Big")
    assert isinstance(big, Task) and big.next == "E"
    # the attributes the conditions read are declared, as marked defaults
    assert result.process.attributes["amount"].dist == "uniform"
    assert result.process.attributes["kind"].dist == "choice"
    assert {n.path for n in result.notes if n.kind == "default"} >= {"attributes.amount", "attributes.kind"}


def test_gateway_without_conditions_gets_equal_shares_marked_as_defaults() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:exclusiveGateway id="G"/><bpmn:task id="A"/><bpmn:task id="B"/>'
            '<bpmn:task id="C"/><bpmn:endEvent id="E"/>' + flow("s", "S", "G") + flow("a", "G", "A")
            + flow("b", "G", "B") + flow("c", "G", "C") + flow("x", "A", "E") + flow("y", "B", "E")
            + flow("z", "C", "E"))
    result = read_bpmn(document(body))
    decision = result.process.step("G")
    assert isinstance(decision, Decision)
    assert [b.probability for b in decision.next] == [0.333333, 0.333333, 0.333334]
    text = result.yaml()
    assert text.count("probability: 0.33333") == 3
    assert all("# default" in line for line in text.splitlines() if "probability: 0.33333" in line)


def test_parallel_gateways_become_a_parallel_block() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:parallelGateway id="Split"/><bpmn:userTask id="Legal"/>'
            '<bpmn:userTask id="Budget"/><bpmn:parallelGateway id="Joined"/><bpmn:endEvent id="E"/>'
            + flow("1", "S", "Split") + flow("2", "Split", "Legal") + flow("3", "Split", "Budget")
            + flow("4", "Legal", "Joined") + flow("5", "Budget", "Joined") + flow("6", "Joined", "E"))
    process = read_bpmn(document(body)).process
    split, joined = process.step("Split"), process.step("Joined")
    assert isinstance(split, Parallel) and split.next == ("Legal", "Budget") and split.join == "Joined"
    assert isinstance(joined, Join) and joined.next == "E"


def test_inclusive_join_after_a_parallel_split_waits_as_a_join() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:parallelGateway id="Split"/><bpmn:task id="A"/><bpmn:task id="B"/>'
            '<bpmn:inclusiveGateway id="Or"/><bpmn:endEvent id="E"/>' + flow("1", "S", "Split")
            + flow("2", "Split", "A") + flow("3", "Split", "B") + flow("4", "A", "Or") + flow("5", "B", "Or")
            + flow("6", "Or", "E"))
    process = read_bpmn(document(body)).process
    assert isinstance(process.step("Or"), Join)


def test_timer_events_wait_for_their_duration() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:intermediateCatchEvent id="Wait3d"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P3DT2H</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:intermediateCatchEvent id="Reply"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>'
            '<bpmn:intermediateThrowEvent id="Notify"><bpmn:messageEventDefinition/></bpmn:intermediateThrowEvent>'
            '<bpmn:endEvent id="E"/>' + flow("1", "S", "Wait3d") + flow("2", "Wait3d", "Reply")
            + flow("3", "Reply", "Notify") + flow("4", "Notify", "E"))
    result = read_bpmn(document(body))
    wait, reply = result.process.step("Wait3d"), result.process.step("Reply")
    assert isinstance(wait, Wait) and wait.duration.mean == 3 * 1440 + 120
    assert isinstance(reply, Wait) and reply.party == "external" and reply.duration.mean == 1440
    assert "Notify" not in result.process.step_ids
    notes = {n.element: n.kind for n in result.notes}
    assert notes["Notify"] == "not imported" and notes["Reply"] == "default"


def test_call_activity_and_sub_process_are_inlined() -> None:
    called = ('<bpmn:process id="Review" isExecutable="false"><bpmn:startEvent id="RS"/>'
              '<bpmn:userTask id="Read"/><bpmn:endEvent id="RE"/>' + flow("r1", "RS", "Read")
              + flow("r2", "Read", "RE") + "</bpmn:process>\n")
    body = ('<bpmn:startEvent id="S"/><bpmn:callActivity id="Call" calledElement="Review"/>'
            '<bpmn:subProcess id="Sub"><bpmn:startEvent id="SS"/><bpmn:userTask id="Sign"/><bpmn:endEvent id="SE"/>'
            + flow("s1", "SS", "Sign") + flow("s2", "Sign", "SE") + '</bpmn:subProcess><bpmn:endEvent id="E"/>'
            + flow("1", "S", "Call") + flow("2", "Call", "Sub") + flow("3", "Sub", "E"))
    process = read_bpmn(document(body, more=called)).process
    assert process.step_ids == ("Call__Read", "Sub__Sign", "E")
    first = process.step("Call__Read")
    assert isinstance(first, Task) and first.next == "Sub__Sign"


def test_what_has_no_equivalent_is_listed_with_element_and_line() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:userTask id="T"/>\n<bpmn:boundaryEvent id="Late" attachedToRef="T">'
            '<bpmn:timerEventDefinition/></bpmn:boundaryEvent>\n<bpmn:userTask id="Escalate"/>\n'
            '<bpmn:dataObject id="Form"/>\n<bpmn:textAnnotation id="Note"/><bpmn:endEvent id="E"/>\n'
            + flow("1", "S", "T") + flow("2", "T", "E") + flow("3", "Late", "Escalate") + flow("4", "Escalate", "E"))
    result = read_bpmn(document(body), file="x.bpmn")
    listed = {n.element: (n.kind, n.line) for n in result.notes if n.kind == "not imported"}
    assert listed["Late"] == ("not imported", 5)  # line 1: <?xml, 2: definitions, 3: process, 4: start and task
    assert listed["Escalate"] == ("not imported", 6)  # only a boundary event led there
    assert {"Form", "Note"} <= set(listed)
    assert result.process.step_ids == ("T", "E")
    header = result.yaml().split("\nid:")[0]
    assert "Late (line 5): not imported: boundary event" in header


def test_unreadable_condition_falls_back_to_shares_and_says_so() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:exclusiveGateway id="G" default="b"/><bpmn:task id="A"/>'
            '<bpmn:task id="B"/><bpmn:endEvent id="E"/>' + flow("s", "S", "G")
            + flow("a", "G", "A", "${execution.getVariable('x').size() &gt; 2}") + flow("b", "G", "B")
            + flow("x", "A", "E") + flow("y", "B", "E"))
    result = read_bpmn(document(body))
    decision = result.process.step("G")
    assert isinstance(decision, Decision) and [b.probability for b in decision.next] == [0.5, 0.5]
    assert any(n.kind == "approximated" and "execution.getVariable" in n.message for n in result.notes)


def test_a_loop_decided_by_data_becomes_a_probability() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:task id="Work"/><bpmn:exclusiveGateway id="Again" default="out"/>'
            '<bpmn:endEvent id="E"/>' + flow("1", "S", "Work") + flow("2", "Work", "Again")
            + flow("back", "Again", "Work", "${x &lt; 2}") + flow("out", "Again", "E"))
    result = read_bpmn(document(body))
    decision = result.process.step("Again")
    assert isinstance(decision, Decision) and [b.probability for b in decision.next] == [0.5, 0.5]


def test_nested_splits_sharing_one_join_get_their_own() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:parallelGateway id="P1"/><bpmn:parallelGateway id="P2"/>'
            '<bpmn:task id="A"/><bpmn:task id="B"/><bpmn:task id="C"/><bpmn:parallelGateway id="J"/>'
            '<bpmn:endEvent id="E"/>' + flow("1", "S", "P1") + flow("2", "P1", "P2") + flow("3", "P1", "C")
            + flow("4", "P2", "A") + flow("5", "P2", "B") + flow("6", "A", "J") + flow("7", "B", "J")
            + flow("8", "C", "J") + flow("9", "J", "E"))
    process = read_bpmn(document(body)).process
    outer, inner = process.step("P1"), process.step("P2")
    assert isinstance(outer, Parallel) and outer.join == "J"
    assert isinstance(inner, Parallel) and inner.join != "J"
    inner_join = process.step(inner.join)
    assert isinstance(inner_join, Join) and inner_join.next == "J"


def test_bpr_approval_comes_back_from_a_modeller_file_with_its_gateway() -> None:
    from bpr.interchange.bpmn_write import write_bpmn
    from bpr.model.load import parse_process

    process = parse_process("""
id: p
name: p
calendar: always
roles: {a: {staff: 1}}
arrivals: [{channel: online, rate: 1/hour}]
steps:
  - {id: t, type: task, role: a, duration: 5m, next: ok}
  - {id: ok, type: approval, role: a, duration: 2m, reject: {probability: 0.25, to: t}, next: done}
  - {id: done, type: end}
""")
    back = read_bpmn(write_bpmn(process).encode()).process.step("ok")
    assert isinstance(back, Approval) and back.reject is not None
    assert (back.reject.probability, back.reject.to, back.next) == (0.25, "t", "done")


def test_no_start_event_and_dangling_task() -> None:
    body = '<bpmn:task id="Only"/>'
    result = read_bpmn(document(body))
    assert result.process.step_ids[0] == "Only"
    end = result.process.step(result.process.step_ids[-1])
    assert isinstance(end, End)
    assert any("no start event" in n.message for n in result.notes)


@pytest.mark.parametrize(("text", "expected"), [
    ("${amount > 100}", "amount > 100"),
    ("#{a >= 1 && b != 'x'}", "a >= 1 and b != 'x'"),
    ("${!(a eq 2) || b lt 3}", "not (a == 2) or b < 3"),
    ("= a > 1", "a > 1"),
    ("kind == \"a && b\"", "kind == \"a && b\""),  # inside quotes nothing is translated
    ("approved == True", None),  # bpr's attributes are numbers or texts
    ("${x.size() > 2}", None),
    ("", None),
])
def test_condition_translation(text: str, expected: str | None) -> None:
    assert translate_condition(text) == expected


def test_a_file_that_is_not_bpmn() -> None:
    with pytest.raises(BpmnImportError, match=r"not a BPMN 2.0 file: the root element is <svg>"):
        read_bpmn(b'<svg xmlns="http://www.w3.org/2000/svg"/>', file="picture.svg")


def test_a_file_without_process() -> None:
    with pytest.raises(BpmnImportError, match="holds no <bpmn:process>"):
        read_bpmn(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')


def test_choosing_a_pool(tmp_path: object) -> None:
    other = ('<bpmn:process id="Other"><bpmn:startEvent id="OS"/><bpmn:task id="OT"/><bpmn:endEvent id="OE"/>'
             + flow("o1", "OS", "OT") + flow("o2", "OT", "OE") + "</bpmn:process>\n")
    body = '<bpmn:startEvent id="S"/><bpmn:task id="T1"/><bpmn:task id="T2"/><bpmn:endEvent id="E"/>' + \
        flow("1", "S", "T1") + flow("2", "T1", "T2") + flow("3", "T2", "E")
    data = document(body, more=other)
    chosen = read_bpmn(data)
    assert chosen.process.step_ids == ("T1", "T2", "E")  # the larger one
    assert any(n.element == "Other" and "--process" in n.message for n in chosen.notes)
    assert read_bpmn(data, process_id="Other").process.step_ids == ("OT", "OE")
    with pytest.raises(BpmnImportError, match="no process 'Nope'"):
        read_bpmn(data, process_id="Nope")


def test_a_broken_bpr_field_is_named_with_its_line() -> None:
    body = ('<bpmn:startEvent id="S"/><bpmn:userTask id="T"><bpmn:extensionElements>\n'
            '<bpr:field xmlns:bpr="urn:bpr:bpmn-extension:1" name="duration">{"dist": </bpr:field>\n'
            '</bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="E"/>' + flow("1", "S", "T")
            + flow("2", "T", "E"))
    with pytest.raises(BpmnImportError) as caught:
        read_bpmn(document(body), file="broken.bpmn")
    assert caught.value.issues[0].format().startswith("broken.bpmn:5: bpr:field 'duration' of userTask 'T' is not "
                                                      "valid JSON")


def test_an_invalid_value_names_the_step_and_bpmn_line() -> None:
    body = ('<bpmn:startEvent id="S"/>\n<bpmn:userTask id="T"><bpmn:extensionElements>'
            '<bpr:field xmlns:bpr="urn:bpr:bpmn-extension:1" name="duration">"fast"</bpr:field>'
            '</bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="E"/>' + flow("1", "S", "T")
            + flow("2", "T", "E"))
    with pytest.raises(BpmnImportError) as caught:
        read_bpmn(document(body), file="bad.bpmn")
    text = str(caught.value)
    assert text.startswith("bad.bpmn:5:") and "step 'T'" in text and "cannot read duration 'fast'" in text
