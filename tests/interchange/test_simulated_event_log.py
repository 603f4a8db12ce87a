"""``bpr simulate --events``: the simulated log has the shared record shape, an end per case with the file's
outcome, an outcome per approval, +09:00 times, and pm4py reads its CSV and XES unchanged."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bpr.changes import load_process
from bpr.cli.main import app
from bpr.interchange import ActivityRecord, is_instant, read_csv, write_csv, write_xes
from bpr.model.load import process_from_data
from bpr.simulate import SimConfig, compare, simulate
from bpr.simulate.results import event_records

ROOT = Path(__file__).resolve().parents[2]
MULTISTEP = ROOT / "scenarios" / "theory" / "multistep.yaml"
MM1 = str(ROOT / "scenarios" / "theory" / "mm1.yaml")
CONFIG = SimConfig(horizon="2w", warm_up="1w", replications=2, workers=1, seed=7, events=True,
                   start_date=date(2027, 4, 1))

APPLY_AND_DECIDE = {
    "id": "permit", "name": "占用許可", "calendar": "always",
    "roles": {"clerk": {"staff": 1}, "chief": {"staff": 1, "name": "課長"}},
    "arrivals": [{"channel": "counter", "rate": "1/hour", "pattern": "regular"}],
    "steps": [
        {"id": "apply", "type": "task", "role": "clerk", "duration": "10m", "next": "check"},
        {"id": "check", "type": "approval", "role": "chief", "duration": "5m",
         "reject": {"probability": 0.3, "to": "apply"}, "next": "verdict"},
        {"id": "verdict", "type": "decision",
         "next": [{"to": "permitted", "probability": 0.7}, {"to": "refused", "probability": 0.3}]},
        {"id": "permitted", "type": "end", "name": "許可", "outcome": "permitted"},
        {"id": "refused", "type": "end", "name": "不許可", "outcome": "refused"},
    ],
}


def by_case(records: list[ActivityRecord]) -> dict[str, list[ActivityRecord]]:
    cases: dict[str, list[ActivityRecord]] = defaultdict(list)
    for record in records:
        cases[record.case_id].append(record)
    return cases


def test_every_case_that_arrived_in_the_window_ends_once_with_the_outcome_of_its_end_step() -> None:
    result = simulate(process_from_data(APPLY_AND_DECIDE), CONFIG)
    records = event_records([("run", result)])
    origin = datetime(2027, 4, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    window = (origin + timedelta(minutes=CONFIG.warm_up_minutes),
              origin + timedelta(minutes=CONFIG.warm_up_minutes + CONFIG.horizon_minutes))
    cases = by_case(records)
    in_window = [c for c, rs in cases.items() if window[0] <= rs[0].enable < window[1]]
    assert len(in_window) == 14 * 24  # one an hour for two weeks
    for case_id, rs in cases.items():
        ends = [r for r in rs if r.activity in ("permitted", "refused")]
        assert len(ends) <= 1 and (not ends or rs[-1] is ends[0]), case_id
        if case_id in in_window:
            [end] = ends
            assert end.outcome == end.activity and end.activity_name == {"permitted": "許可", "refused": "不許可"}[
                end.activity]
            assert (end.role, end.resource, end.channel) == ("", "", "counter") and is_instant(end)
            assert end.end == max(r.end for r in rs)
    outcomes = {(r.activity, r.outcome) for r in records}
    assert {("apply", "done"), ("check", "approved"), ("check", "rejected"), ("permitted", "permitted"),
            ("refused", "refused")} <= outcomes
    assert {r.activity for r in records if r.outcome == "rejected"} == {"check"}
    # A rejection sends the case back to apply: in the log, the next record of the case is apply again.
    for rs in cases.values():
        for record, following in zip(rs, rs[1:]):
            if record.outcome == "rejected":
                assert following.activity == "apply" and following.enable == record.end
    assert {r.end.isoformat()[-6:] for r in records} == {"+09:00"}
    assert all(r.end.second == 0 and r.end.microsecond == 0 for r in records)  # minutes: whole seconds


def test_the_end_outcome_defaults_to_ended_and_the_calendar_time_zone_is_used() -> None:
    data = {**APPLY_AND_DECIDE, "calendar": {"always": True, "timezone": "Europe/Berlin"}}
    data["steps"] = [*APPLY_AND_DECIDE["steps"][:3],
                     {"id": "permitted", "type": "end"}, {"id": "refused", "type": "end", "outcome": "refused"}]
    records = event_records([("run", simulate(process_from_data(data), CONFIG))])
    assert {r.outcome for r in records if r.activity == "permitted"} == {"ended"}
    assert records[0].enable == datetime(2027, 4, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    assert records[0].enable.isoformat() == "2027-04-01T00:00:00+02:00"  # summer time in Berlin


@pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")  # a faster pm4py parser
def test_pm4py_reads_a_simulated_log_as_csv_and_as_xes(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pm4py = pytest.importorskip("pm4py")
    records = event_records([("run", simulate(load_process(MULTISTEP), CONFIG))])
    cases = by_case(records)
    ended = {c for c, rs in cases.items() if rs[-1].activity == "done"}
    assert len(ended) > 50 and all(rs[-1].outcome == "approved" for c, rs in cases.items() if c in ended)
    assert {"cosign", "cosigned", "route"}.isdisjoint({r.activity for r in records})  # routing steps: no record

    csv_path, xes_path = tmp_path / "events.csv", tmp_path / "events.xes"
    write_csv(records, csv_path)
    assert read_csv(csv_path) == records
    df = pm4py.format_dataframe(pd.read_csv(csv_path), case_id="case_id", activity_key="activity",
                                timestamp_key="end_time", start_timestamp_key="start_time")
    assert df["case:concept:name"].nunique() == len(cases)
    dfg, _, ends = pm4py.discover_dfg(df)
    assert ends["done"] == len(ended) and dfg[("notify", "done")] == len(ended)

    write_xes(records, xes_path, log_name="multistep")
    log = pm4py.read_xes(str(xes_path))
    assert log["case:concept:name"].nunique() == len(cases)
    complete = log[log["lifecycle:transition"] == "complete"]
    assert len(complete) == len(records)
    last = complete.groupby("case:concept:name", sort=False).tail(1)
    finished = last[last["concept:name"] == "done"]
    assert len(finished) == len(ended) and set(finished["outcome"]) == {"approved"}
    assert (complete["concept:name"] == "done").sum() == len(ended)  # one end event per ended case, no more
    assert "+09:00\"" in xes_path.read_text(encoding="utf-8")


runner = CliRunner()
FAST = ["--replications", "2", "--horizon", "600m", "--warm-up", "0m", "--workers", "1"]


@pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")
def test_cli_writes_xes_for_a_comparison_with_version_prefixes(tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")
    path = tmp_path / "out" / "events.xes"
    result = runner.invoke(app, ["simulate", MM1, *FAST, "--change", "{staff: {server: 2}}", "--events", str(path)])
    assert result.exit_code == 0, result.output
    assert f"wrote the event log of replication 0 to {path}" in result.output
    log = pm4py.read_xes(str(path))
    versions = {name.split("-")[0] for name in log["case:concept:name"]}
    assert versions == {"before", "after"}
    assert set(log["concept:name"]) == {"serve", "done"}


def test_cli_writes_csv_by_default(tmp_path: Path) -> None:
    path = tmp_path / "events.log"
    result = runner.invoke(app, ["simulate", MM1, *FAST, "--events", str(path)])
    assert result.exit_code == 0, result.output
    records = read_csv(path)
    assert records and {r.activity for r in records} == {"serve", "done"} and records[0].case_id == "0"


def test_cli_reports_an_events_path_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["simulate", MM1, *FAST, "--events", str(blocker / "events.xes")])
    assert result.exit_code == 2
    assert f"{blocker / 'events.xes'}: cannot write:" in result.output and "Traceback" not in result.output
