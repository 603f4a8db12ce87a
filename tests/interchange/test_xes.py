"""XES: standard extensions, a trace per case, lifecycle events, offsets kept, escaping, streaming, pm4py."""

from __future__ import annotations

import io
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bpr.interchange import ActivityRecord, EventLogError, write_xes
from bpr.interchange.xes import XES_EXTENSIONS

NS = {"x": "http://www.xes-standard.org/"}
TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2027, 4, 1, 9, 0, tzinfo=TOKYO)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def case(case_id: str, outcome: str = "permitted", decision: str = "approved") -> list[ActivityRecord]:
    return [
        ActivityRecord(case_id, "apply", "申請受付", "clerk", "clerk#1", at(0), at(5), at(30), "done", "counter"),
        ActivityRecord(case_id, "approve", "課長決裁", "chief", "u-042", at(30), at(45), at(60), decision,
                       "counter", on_behalf_of="u-007"),
        ActivityRecord(case_id, "done", "完了", "", "", at(60), at(60), at(60), outcome, "counter"),
    ]


def attributes(element: ET.Element) -> dict[str, str]:
    return {child.attrib["key"]: child.attrib["value"] for child in element if "key" in child.attrib}


def parse(records: list[ActivityRecord], **options: str) -> ET.Element:
    out = io.StringIO()
    write_xes(records, out, **options)
    return ET.fromstring(out.getvalue())


def test_declares_the_standard_extensions_and_writes_a_trace_per_case() -> None:
    log = parse([*case("c1"), *case("c2", outcome="refused", decision="rejected")], log_name="道路占用")
    assert {(e.attrib["name"], e.attrib["prefix"]) for e in log.findall("x:extension", NS)} == set(XES_EXTENSIONS)
    assert attributes(log)["concept:name"] == "道路占用"
    traces = log.findall("x:trace", NS)
    assert [attributes(t)["concept:name"] for t in traces] == ["c1", "c2"]
    events = [attributes(e) for e in traces[0].findall("x:event", NS)]
    assert [(e["concept:name"], e["lifecycle:transition"], e["time:timestamp"]) for e in events] == [
        ("apply", "schedule", "2027-04-01T09:00:00.000+09:00"),
        ("apply", "start", "2027-04-01T09:05:00.000+09:00"),
        ("apply", "complete", "2027-04-01T09:30:00.000+09:00"),
        ("approve", "schedule", "2027-04-01T09:30:00.000+09:00"),
        ("approve", "start", "2027-04-01T09:45:00.000+09:00"),
        ("approve", "complete", "2027-04-01T10:00:00.000+09:00"),
        ("done", "complete", "2027-04-01T10:00:00.000+09:00"),  # the end: one event
    ]
    approve = events[5]
    assert (approve["org:role"], approve["org:resource"], approve["on_behalf_of"], approve["outcome"],
            approve["activity_name"], approve["channel"]) == ("chief", "u-042", "u-007", "approved", "課長決裁",
                                                             "counter")
    assert "outcome" not in events[4]  # known when the work completes, not before
    assert "org:resource" not in events[6] and "org:role" not in events[6]  # nobody's work
    end_c2 = attributes(traces[1].findall("x:event", NS)[-1])
    assert (end_c2["concept:name"], end_c2["outcome"]) == ("done", "refused")


def test_events_of_a_trace_are_in_time_order_when_activities_overlap() -> None:
    legal = ActivityRecord("c1", "legal", "法務", "legal", "legal#1", at(0), at(0), at(30), "approved")
    budget = ActivityRecord("c1", "budget", "財政", "budget", "budget#1", at(0), at(10), at(60), "approved")
    end = ActivityRecord("c1", "done", "完了", "", "", at(60), at(60), at(60), "ended")
    [trace] = parse([legal, budget, end]).findall("x:trace", NS)  # records by end time, as sort_records gives
    events = [attributes(e) for e in trace.findall("x:event", NS)]
    assert [(e["concept:name"], e["lifecycle:transition"]) for e in events] == [
        ("legal", "schedule"), ("legal", "start"), ("budget", "schedule"), ("budget", "start"),
        ("legal", "complete"), ("budget", "complete"), ("done", "complete"),
    ]


def test_escapes_markup_quotes_newlines_and_keeps_japanese() -> None:
    name = '見積 <比較> & "相見積" \'稟議\'\n二行目\t終'
    record = case('c<&">')[0]._replace(activity='a&b', activity_name=name, resource="山田 <太郎>")
    log = parse([record], log_name='log "<&>"')
    assert attributes(log)["concept:name"] == 'log "<&>"'
    [trace] = log.findall("x:trace", NS)
    assert attributes(trace)["concept:name"] == 'c<&">'
    event = attributes(trace.findall("x:event", NS)[0])
    assert (event["concept:name"], event["activity_name"], event["org:resource"]) == ("a&b", name, "山田 <太郎>")


def test_a_control_character_xml_cannot_carry_is_refused() -> None:
    with pytest.raises(EventLogError, match=r"case 'c1', activity 'apply': .* control character"):
        write_xes([case("c1")[0]._replace(activity_name="bell\x07")], io.StringIO())


def test_the_records_of_a_case_must_come_together(tmp_path: Path) -> None:
    c1, c2 = case("c1"), case("c2")
    path = tmp_path / "log.xes"
    with pytest.raises(EventLogError, match=r"case 'c1' comes again after other cases"):
        write_xes([c1[0], c2[0], c1[1]], path)
    assert list(tmp_path.iterdir()) == []  # neither the log nor a temporary file


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(EventLogError, match=r"case 'c1', activity 'apply': times must be datetimes with a time zone"):
        write_xes([case("c1")[0]._replace(end=datetime(2027, 4, 1, 9, 30))], io.StringIO())


def test_written_as_it_goes_not_held_in_memory() -> None:
    """Memory does not grow with the number of events: 60,000 events cost what 6,000 do."""

    def records(cases: int) -> Iterator[ActivityRecord]:
        for c in range(cases):
            for k in range(100):
                yield ActivityRecord(f"c{c}", f"s{k}", "段階", "clerk", "clerk#1", at(k), at(k), at(k + 1), "done")

    class Sink(io.TextIOBase):
        def write(self, text: str) -> int:
            return len(text)

    peaks = []
    for cases in (20, 200):
        tracemalloc.start()
        write_xes(records(cases), Sink())
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0] + 50_000, peaks


@pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")  # a faster pm4py parser
def test_pm4py_reads_the_xes_unchanged(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "log.xes"
    cut = case("c3")[:2]  # still in process: no end yet
    write_xes([*case("c1"), *case("c2", outcome="refused", decision="rejected"), *cut], path)
    assert "2027-04-01T09:00:00.000+09:00" in path.read_text(encoding="utf-8")
    df = pm4py.read_xes(str(path))
    assert df["case:concept:name"].nunique() == 3 and len(df) == 3 * 7 - 1
    assert df["time:timestamp"].min() == pd.Timestamp("2027-04-01T00:00:00Z")  # 09:00 in Tokyo, the same instant
    complete = pm4py.filter_event_attribute_values(df, "lifecycle:transition", ["complete"], level="event")
    variants = {tuple(v): n for v, n in pm4py.get_variants(complete).items()}
    assert variants == {("apply", "approve", "done"): 2, ("apply", "approve"): 1}
    ends = complete[complete["concept:name"] == "done"]
    assert dict(zip(ends["case:concept:name"], ends["outcome"])) == {"c1": "permitted", "c2": "refused"}
    assert set(df["lifecycle:transition"]) == {"schedule", "start", "complete"}
