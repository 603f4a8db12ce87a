"""Replayed arrivals read from a CSV file: the same instants as the list, bad cells at the CSV's own line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bpr import load_process
from bpr.errors import ModelError
from bpr.model.load import parse_process
from bpr.simulate import SimConfig, simulate

PROCESS = """\
id: replay_csv
name: 実績の再現
roles:
  clerk: {staff: 2}
arrivals:
  - channel: counter
    times: TIMES
steps:
  - {id: receive, type: task, role: clerk, duration: 15m, citizen_present: true, next: done}
  - {id: done, type: end}
"""
INSTANTS = ["2026-04-06 08:41", "2026-04-06 09:12:30", "2026-04-07 16:58"]


def write(folder: Path, times: str, csv: str | bytes | None = None, name: str = "arrivals.csv") -> Path:
    if csv is not None:
        (folder / name).write_bytes(csv if isinstance(csv, bytes) else csv.encode("utf-8"))
    path = folder / "process.yaml"
    path.write_text(PROCESS.replace("TIMES", times), encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    with pytest.raises(ModelError) as caught:
        load_process(path)
    return [issue.format() for issue in caught.value.issues]


def test_a_named_column_gives_the_same_process_and_results_as_the_list(tmp_path: Path) -> None:
    csv = "受付番号,受付日時,窓口\n1,2026/04/06 08:41,A\n\n2,2026-04-06 09:12:30,B\n3,2026-04-07 16:58,A\n"
    from_csv = load_process(write(tmp_path, "{csv: arrivals.csv, column: 受付日時}", csv))
    from_list = parse_process(PROCESS.replace("TIMES", str(INSTANTS)))
    assert from_csv.arrivals[0].times == tuple(INSTANTS)
    config = SimConfig(replications=2, horizon="7d", warm_up="0d", seed=3, start_date="2026-04-06")
    assert simulate(from_csv, config).to_dict()["kpis"] == simulate(from_list, config).to_dict()["kpis"]


def test_without_a_column_the_first_is_read_and_a_header_is_skipped_only_when_it_is_one(tmp_path: Path) -> None:
    for csv in ("received\n" + "\n".join(INSTANTS), "\n".join(INSTANTS)):
        assert load_process(write(tmp_path, "{csv: arrivals.csv}", csv)).arrivals[0].times == tuple(INSTANTS)
    numbered = "id,at\n" + "".join(f"{i},{t}\n" for i, t in enumerate(INSTANTS))
    assert load_process(write(tmp_path, "{csv: arrivals.csv, column: 2}", numbered)).arrivals[0].times == tuple(
        INSTANTS)


def test_bad_cells_are_reported_at_the_csv_line_and_column(tmp_path: Path) -> None:
    csv = "no,at\n1,2026-04-06 08:41\n2,2026-13-06 09:00\n3,昼ごろ\n"
    found = messages(write(tmp_path, "{csv: arrivals.csv, column: at}", csv))
    csv_file = str(tmp_path / "arrivals.csv")
    assert found[0].startswith(f"{csv_file}:3:2: '2026-13-06 09:00' is not an instant"), found
    assert found[1].startswith(f"{csv_file}:4:2: cannot read instant '昼ごろ'"), found


def test_problems_of_the_field_are_reported_at_the_process_file(tmp_path: Path) -> None:
    path = write(tmp_path, "{csv: arrivals.csv, column: 日時}", "受付日時\n2026-04-06 08:41\n")
    assert messages(path) == [f"{tmp_path / 'arrivals.csv'}:1:1: no column '日時' in the header — "
                              "the header names: 受付日時"]
    found = messages(write(tmp_path, "{csv: missing.csv}"))
    assert found[0].startswith(f"{path}:7:18: arrivals[0].times.csv: {tmp_path / 'missing.csv'}: no such file"), found
    found = messages(write(tmp_path, "{csv: arrivals.csv, colum: 1}"))
    assert found[0].startswith(f"{path}:7:12: arrivals[0].times: unknown field 'colum'"), found
    found = messages(write(tmp_path, "{csv: empty.csv}", "received\n", name="empty.csv"))
    assert "empty.csv lists no instants" in found[0], found


def test_not_utf8_a_fifo_and_a_process_sent_as_text_are_refused_with_a_reason(tmp_path: Path) -> None:
    found = messages(write(tmp_path, "{csv: arrivals.csv}", "受付日時\n2026-04-06 08:41\n".encode("shift_jis")))
    assert "not UTF-8 text" in found[0] and "CSV UTF-8" in found[0], found
    os.mkfifo(tmp_path / "pipe.csv")
    found = messages(write(tmp_path, "{csv: pipe.csv}"))
    assert "named pipe (FIFO), not a regular file" in found[0], found
    with pytest.raises(ModelError) as caught:
        parse_process(PROCESS.replace("TIMES", "{csv: /etc/passwd}"))
    assert caught.value.issues[0].format().startswith(
        "<input>:7:18: arrivals[0].times.csv: a CSV of arrival instants can only be named in a process file on disk")
