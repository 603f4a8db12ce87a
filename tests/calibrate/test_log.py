"""Reading logs: bpr's CSV and XES give the same columns; other CSVs through a mapping; bad files get one
clear line naming file, line and column (never a traceback), from the library and from the CLI alike."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bpr.calibrate import Log, LogError, read_log
from bpr.cli.main import app
from bpr.interchange import write_csv, write_xes
from bpr.interchange.eventlog import ActivityRecord

HERE = Path(__file__).parent

HEADER = "case_id,activity,activity_name,role,resource,enable_time,start_time,end_time,outcome,channel,on_behalf_of\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bpr_csv_and_xes_read_alike(known_run: tuple[list[ActivityRecord], Log], tmp_path: Path) -> None:
    records = known_run[0][:400]
    write_csv(records, tmp_path / "log.csv")
    write_xes(records, tmp_path / "log.xes")
    csv_log = read_log(tmp_path / "log.csv")
    xes_log = read_log(tmp_path / "log.xes")
    key = lambda log: sorted(zip(log.case, log.activity, log.start.tolist(), log.end.tolist(),  # noqa: E731
                                 np.nan_to_num(log.enable).tolist(), log.resource, log.outcome, log.channel))
    assert key(csv_log) == key(xes_log)
    assert len(csv_log) == 400 and csv_log.start[0] == records[0].start.timestamp()


def test_any_csv_through_a_mapping_with_naive_times_and_attributes(tmp_path: Path) -> None:
    path = _write(tmp_path / "erp.csv", "Case,Task,Begin,Finish,User,Amount\n"
                                        "A1,receive,2026-04-06 09:00,2026-04-06 09:12,sato,1200000\n"
                                        "A1,check,2026-04-06 10:00,2026-04-06 10:20,ito,1200000\n")
    log = read_log(path, {"case": "Case", "activity": "Task", "start": "Begin", "end": "Finish", "resource": "User"},
                   timezone="Asia/Tokyo")
    assert log.activity == ["receive", "check"] and log.resource == ["sato", "ito"]
    assert log.start[0] == 1775433600.0  # 2026-04-06 09:00 +09:00
    assert log.attributes == {"A1": {"Amount": 1200000.0}}
    assert math.isnan(log.enable[0]) and "enable" not in log.has


@pytest.mark.parametrize("text, mapping, message", [
    ("", None, r"log\.csv: the file is empty"),
    (HEADER, None, r"log\.csv: the log has a header but no rows"),
    ("case_id,activity,start_time\n1,a,2026-04-06T09:00:00+09:00\n", None,
     r"log\.csv:1: no column 'end_time' for the end of each row; the header has case_id, activity, start_time"),
    ("Case,Task,Begin\n1,a,2026-04-06T09:00\n", {"case": "Case", "activity": "Task", "start": "Begin", "end": "Fin"},
     r"log\.csv:1: no column 'Fin' for the end"),
    ("c,a,s,e\n1,x,2026-04-06T09:00:00+09:00,2026-04-06T09:10:00+09:00\n2,x,2026-04-06T09:00:00,2026-04-06T09:10:00\n",
     {"case": "c", "activity": "a", "start": "s", "end": "e"},
     r"log\.csv:3: column 's': '2026-04-06T09:00:00' is without a UTC offset, but line 2 \('s'\) is with one"),
    ("c,a,s,e\n1,x,yesterday,2026-04-06T09:10:00+09:00\n", {"case": "c", "activity": "a", "start": "s", "end": "e"},
     r"log\.csv:2: column 's': 'yesterday' is not an ISO 8601 time"),
    ("c,a,s,e\n1,x,2026-04-06T09:10:00+09:00,2026-04-06T09:00:00+09:00\n",
     {"case": "c", "activity": "a", "start": "s", "end": "e"}, r"log\.csv:2: column 'e' is before 's'"),
    ("c,a,s,e\n1,x,2026-04-06T09:00:00+09:00\n", {"case": "c", "activity": "a", "start": "s", "end": "e"},
     r"log\.csv:2: 3 fields, but the header has 4"),
    ("c,a,s,e\n1,x,2026-04-06T09:00:00,2026-04-06T09:10:00\n", {"case": "c", "activity": "a", "start": "s", "end": "e"},
     r"log\.csv:2: column 's': '2026-04-06T09:00:00' has no UTC offset"),
    ("c,a,s,e\n1,x,2026-04-06T09:00:00+09:00,2026-04-06T09:10:00+09:00\n", {"case": "c", "activity": "a", "begin": "s"},
     r"mapping names unknown field\(s\) begin"),
])
def test_bad_logs_get_one_clear_line(tmp_path: Path, text: str, mapping: dict[str, str] | None, message: str) -> None:
    path = _write(tmp_path / "log.csv", text)
    with pytest.raises(LogError, match=message):
        read_log(path, mapping)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(LogError, match=r"nope\.csv: no such file"):
        read_log(tmp_path / "nope.csv")
    with pytest.raises(LogError, match=r"not a regular file"):
        read_log(tmp_path)
    _write(tmp_path / "bad.xes", "<log><trace><event>")
    with pytest.raises(LogError, match=r"bad\.xes:1: not a readable XES"):
        read_log(tmp_path / "bad.xes")


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("c,a,s,e\n1,x,2026-04-06T09:00:00+09:00,2026-04-06T09:10:00+09:00\n2,x,2026-04-06T09:00:00,2026-04-06T09:10:00\n",
     "is without a UTC offset, but line 2"),
])
def test_cli_reports_bad_logs_without_a_traceback(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "log.csv", text)
    result = CliRunner().invoke(app, ["calibrate", str(HERE / "known.yaml"), str(path), "--map",
                                      "case=c,activity=a,start=s,end=e", "--no-accuracy"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_refuses_a_bad_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path / "log.csv", "c\n1\n")
    result = CliRunner().invoke(app, ["calibrate", str(HERE / "known.yaml"), str(path), "--map", "kase=c"])
    assert result.exit_code == 2 and "write field=column pairs" in result.output
