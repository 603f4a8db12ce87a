"""The shared activity record as CSV: exact columns and times, a lossless round trip, pm4py reads it as is."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bpr.interchange import CSV_COLUMNS, ActivityRecord, EventLogError, read_csv, sort_records, write_csv

TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2027, 4, 1, 9, 0, tzinfo=TOKYO)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def case(case_id: str, outcome: str = "許可") -> list[ActivityRecord]:
    """apply (clerk) -> approve (chief, by a substitute) -> end, 09:00-10:00 on 1 April 2027 in Tokyo."""
    return [
        ActivityRecord(case_id, "apply", "申請受付", "clerk", "clerk#1", at(0), at(5), at(30), "done", "counter"),
        ActivityRecord(case_id, "approve", "課長決裁", "chief", "u-042", at(30), at(45), at(60), "approved",
                       "counter", on_behalf_of="u-007"),
        ActivityRecord(case_id, "done", "完了", "", "", at(60), at(60), at(60), outcome, "counter"),
    ]


def test_one_row_per_record_with_the_documented_columns_and_offsets() -> None:
    out = io.StringIO()
    assert write_csv(case("c1"), out) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == ("case_id,activity,activity_name,role,resource,enable_time,start_time,end_time,outcome,"
                        "channel,on_behalf_of")
    assert tuple(lines[0].split(",")) == CSV_COLUMNS
    assert lines[1] == ("c1,apply,申請受付,clerk,clerk#1,2027-04-01T09:00:00+09:00,2027-04-01T09:05:00+09:00,"
                        "2027-04-01T09:30:00+09:00,done,counter,")
    assert lines[2].endswith(",approved,counter,u-007")
    assert lines[3] == ("c1,done,完了,,,2027-04-01T10:00:00+09:00,2027-04-01T10:00:00+09:00,"
                        "2027-04-01T10:00:00+09:00,許可,counter,")


def test_write_then_read_gives_the_same_records(tmp_path: Path) -> None:
    awkward = ActivityRecord('x,"1"', "check", 'a "quoted", multi\nline <name> & 日本語', "legal", "r#2",
                             datetime(2027, 1, 1, 0, 0, 0, 250, tzinfo=timezone.utc),
                             datetime(2027, 1, 1, 8, 59, 59, tzinfo=TOKYO),
                             datetime(2027, 7, 1, 3, tzinfo=timezone(timedelta(hours=-4))), "returned")
    records = [*case("c1"), *case("c2", outcome="ended"), awkward]
    path = tmp_path / "log.csv"
    write_csv(records, path)
    back = read_csv(path)
    assert back == records
    assert [r.end.utcoffset() for r in back] == [r.end.utcoffset() for r in records]  # offsets kept, not UTC
    assert read_csv(io.StringIO(path.read_text(encoding="utf-8"))) == records
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8-sig")  # saved again by a spreadsheet
    assert read_csv(path) == records


def test_a_time_without_a_zone_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    naive = case("c1")[0]._replace(start=datetime(2027, 4, 1, 9, 5))
    path = tmp_path / "log.csv"
    with pytest.raises(EventLogError, match=r"case 'c1', activity 'apply': start must be a datetime with a time zone"):
        write_csv([*case("c0"), naive], path)
    assert list(tmp_path.iterdir()) == []  # neither the log nor a temporary file


@pytest.mark.parametrize(("text", "message"), [
    ("case_id,activity\n", r"log.csv:1: the header must be case_id,activity,activity_name,"),
    (",".join(CSV_COLUMNS) + "\nc1,a,A,r,r#1,2027-04-01T09:00:00,2027-04-01T09:00:00+09:00,"
     "2027-04-01T09:00:00+09:00,done,,\n", r"log.csv:2: enable_time '2027-04-01T09:00:00' has no UTC offset"),
    (",".join(CSV_COLUMNS) + "\nc1,a,A,r,r#1,yesterday,2027-04-01T09:00:00+09:00,"
     "2027-04-01T09:00:00+09:00,done,,\n", r"log.csv:2: enable_time 'yesterday' is not an ISO 8601 time"),
    (",".join(CSV_COLUMNS) + "\nc1,a\n", r"log.csv:2: 2 fields, expected 11"),
])
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventLogError, match=message):
        read_csv(path)


def test_sorted_by_case_in_natural_order_then_end_time_keeping_the_end_last() -> None:
    c10, c2 = case("after-10"), case("after-2")
    # A task of no duration at the end time: before the end record, and ties otherwise kept as given.
    quick = c2[0]._replace(activity="log", enable=at(60), start=at(60), end=at(60))
    shuffled = [c10[2], c2[2], c2[1], quick, c10[0], c2[0], c10[1]]
    assert sort_records(shuffled) == [c2[0], c2[1], quick, c2[2], *c10]


def test_pm4py_reads_the_csv_unchanged(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "log.csv"
    rejected = case("c3")
    rejected[1] = rejected[1]._replace(outcome="rejected")
    write_csv([*case("c1"), *case("c2"), *rejected[:2]], path)
    df = pm4py.format_dataframe(pd.read_csv(path), case_id="case_id", activity_key="activity",
                                timestamp_key="end_time", start_timestamp_key="start_time")
    assert df["case:concept:name"].nunique() == 3
    dfg, starts, ends = pm4py.discover_dfg(df)
    assert dfg == {("apply", "approve"): 3, ("approve", "done"): 2}
    assert starts == {"apply": 3} and ends == {"done": 2, "approve": 1}
    variants = pm4py.get_variants(df)
    assert {tuple(v): n for v, n in variants.items()} == {("apply", "approve", "done"): 2, ("apply", "approve"): 1}
    assert df["time:timestamp"].min() == pd.Timestamp("2027-04-01T00:30:00Z")  # 09:30 in Tokyo
