"""Plan against actual: the figures of a log are the ones computed by hand from it, and the verdicts say
``within`` for the log of the process simulated and ``worse`` for the log of a slower one.

要介護認定 (30-day deadline): option A (the committee every Thursday) is simulated and its log checked
against its own prediction; the process as it is (the committee every other Thursday: the same steps,
slower) gives the slower log.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from scipy import stats

from bpr.calibrate import LogError, log_from_records, read_log
from bpr.calibrate.check import YEAR_DAYS, Interval, check_prediction, measure_log, verdict
from bpr.changes import load_process
from bpr.interchange.eventlog import ActivityRecord
from bpr.model.load import parse_process
from bpr.model.schema import Approval, End, Process, Task
from bpr.simulate import SimConfig, SimulationResult, simulate
from bpr.simulate.calendar import WorkCalendar
from bpr.simulate.results import events_csv

SEED = 20261122
CONFIG = SimConfig(replications=3, horizon="1y", warm_up="4w", seed=SEED, workers=1, events=True)
"""A year, as the report simulates by default: the log then covers the seasons the prediction covers (Golden
Week, the year-end closure), which a few weeks of log would not."""


@pytest.fixture(scope="module")
def option_a(repo_root: Path) -> Process:
    return load_process(repo_root / "scenarios/care_certification/option_a_weekly.yaml")


@pytest.fixture(scope="module")
def runs(repo_root: Path, option_a: Process, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[SimulationResult, Path, Path]:
    """Option A simulated (its prediction and its log) and the process as it is (its log)."""
    before = load_process(repo_root / "scenarios/care_certification/before.yaml")
    folder = tmp_path_factory.mktemp("logs")
    predicted = simulate(option_a, CONFIG)
    own, slower = folder / "option_a.csv", folder / "before.csv"
    own.write_text(events_csv([("after", predicted)]), encoding="utf-8")
    slower.write_text(events_csv([("before", simulate(before, CONFIG))]), encoding="utf-8")
    return predicted, own, slower


def _by_hand(process: Process, path: Path) -> tuple[list[float], list[float], list[bool]]:
    """Lead days, staff-hours and 'within 30 days' of each counted case, from the CSV text alone."""
    zone = datetime.fromisoformat("2026-04-01T00:00:00+09:00").tzinfo
    ends = {s.id for s in process.steps if isinstance(s, End)}
    work_steps = {s.id: s.role for s in process.steps if isinstance(s, (Task, Approval))}
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["case_id"]].append(row)
    first_day = min(datetime.fromisoformat(r["start_time"]) for case in rows.values() for r in case).date()
    calendars = {role: WorkCalendar(process.calendar_of(process.roles[role].calendar), first_day, 2.0)
                 for role in process.roles}
    origin = datetime.combine(first_day, time(), tzinfo=zone)

    def minutes(text: str) -> float:
        return (datetime.fromisoformat(text) - origin).total_seconds() / 60.0

    cases = []
    for case in rows.values():
        arrival = min(min(datetime.fromisoformat(r["enable_time"]), datetime.fromisoformat(r["start_time"]))
                      for r in case)
        finished = any(r["activity"] in ends for r in case)
        cases.append((arrival, case, finished))
    cut = min((arrival for arrival, _, finished in cases if not finished), default=None)
    lead, hours, within = [], [], []
    for arrival, case, finished in cases:
        if not finished or (cut is not None and arrival >= cut):
            continue
        finish = max(datetime.fromisoformat(r["end_time"]) for r in case)
        lead.append((finish - arrival).total_seconds() / 86400.0)
        due = datetime.combine(arrival.astimezone(zone).date() + timedelta(days=31), time(), tzinfo=zone)
        within.append(finish <= due)  # 30 days: by the end of the 30th day after the day of arrival
        spent = 0.0
        for r in case:
            role = r["role"] if r["role"] in process.roles else work_steps.get(r["activity"])
            if r["activity"] in work_steps and role is not None and not process.roles[role].external:
                spent += calendars[role].open_minutes_between(minutes(r["start_time"]), minutes(r["end_time"])) / 60
        hours.append(spent)
    return lead, hours, within


def _t_interval(values: list[float]) -> tuple[float, float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def test_the_log_figures_are_those_computed_by_hand(runs, option_a: Process) -> None:
    _, own, _ = runs
    actual = measure_log(option_a, read_log(own, None, "Asia/Tokyo"))
    lead, hours, within = _by_hand(option_a, own)
    assert actual.cases == len(lead) > 1000
    assert actual.open_cases > 0 and actual.late_cases > 0, "the drain's arrivals must be left out, or this tests nothing"
    for name, values in (("lead_days", lead), ("staff_hours_per_case", hours)):
        figure = actual.figures[name]
        assert (figure.mean, figure.low, figure.high) == pytest.approx(_t_interval(values), rel=1e-9, abs=1e-9), name
        assert figure.n == len(values)
    share = actual.figures["deadline_share"]
    k, n = sum(within), len(within)
    low, high = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert (share.mean, share.low, share.high) == pytest.approx((k / n, low, high), rel=1e-9)
    assert actual.deadline == "30 days"
    assert actual.span_days >= 365 and "staff_hours_per_year" in actual.figures


def test_the_process_s_own_log_is_within_its_prediction(runs, option_a: Process) -> None:
    predicted, own, _ = runs
    check = check_prediction(measure_log(option_a, read_log(own, None, "Asia/Tokyo")), predicted)
    assert {f.name: f.verdict for f in check.figures} == {
        "lead_days": "within", "deadline_share": "within", "staff_hours_per_case": "within",
        "staff_hours_per_year": "within"}
    lead = check.figure("lead_days")
    assert lead is not None and lead.predicted.mean == predicted.kpis["lead_days"].mean.mean
    share = check.figure("deadline_share")
    assert share is not None and predicted.deadline is not None
    assert (share.predicted.low, share.predicted.high) == (predicted.deadline.share_within.low,
                                                          predicted.deadline.share_within.high)


def test_the_log_of_a_slower_process_is_worse_than_predicted(runs, option_a: Process) -> None:
    predicted, _, slower = runs
    check = check_prediction(measure_log(option_a, read_log(slower, None, "Asia/Tokyo")), predicted)
    verdicts = {f.name: f.verdict for f in check.figures}
    assert verdicts["lead_days"] == "worse" and verdicts["deadline_share"] == "worse"
    lead = check.figure("lead_days")
    assert lead is not None and lead.actual.low > lead.predicted.high


def test_the_verdict_is_by_the_side_the_log_lies_on() -> None:
    predicted = Interval(10.0, 9.0, 11.0, 20)
    assert verdict(predicted, Interval(11.5, 10.5, 12.5, 100), more_is_better=False) == "within"
    assert verdict(predicted, Interval(12.5, 11.5, 13.5, 100), more_is_better=False) == "worse"
    assert verdict(predicted, Interval(7.5, 7.0, 8.0, 100), more_is_better=False) == "better"
    assert verdict(predicted, Interval(12.5, 11.5, 13.5, 100), more_is_better=True) == "better"
    assert verdict(predicted, Interval(math.nan, math.nan, math.nan, 0), more_is_better=True) == "unknown"


TINY = """
id: tiny
name: 小さな手続
roles:
  clerk: {name: 担当者, staff: 1, calendar: always}
  outside: {name: 外部, staff: unlimited, external: true, calendar: always}
arrivals:
  - {channel: counter, rate: 1/week}
steps:
  - {id: enter, type: task, role: clerk, duration: 2h, next: ask}
  - {id: ask, type: task, role: outside, duration: 1d, next: done}
  - {id: done, type: end}
"""


def _record(case: int, activity: str, role: str, start: datetime, hours: float) -> ActivityRecord:
    return ActivityRecord(str(case), activity, activity, role, role, start, start, start + timedelta(hours=hours),
                          "done")


def test_a_year_of_log_gives_the_staff_hours_a_year_and_the_outside_party_is_not_staff() -> None:
    process = parse_process(TINY, "tiny.yaml")
    zone = datetime.fromisoformat("2026-04-01T00:00:00+09:00").tzinfo
    records = []
    for case in range(41):  # a case every 10 days: 400 days from the first to the last
        start = datetime.combine(date(2026, 4, 1) + timedelta(days=10 * case), time(9), tzinfo=zone)
        spent = 2.0 if case % 2 else 3.0
        records += [_record(case, "enter", "clerk", start, spent),
                    _record(case, "ask", "outside", start + timedelta(hours=spent), 24.0),
                    _record(case, "done", "", start + timedelta(hours=spent + 24), 0.0)]
    actual = measure_log(process, log_from_records(records, "tiny.csv"))
    per_case = actual.figures["staff_hours_per_case"]
    assert per_case.mean == pytest.approx((20 * 2.0 + 21 * 3.0) / 41)
    assert actual.span_days == 400.0 >= YEAR_DAYS
    yearly = actual.figures["staff_hours_per_year"]
    assert yearly.mean == pytest.approx(per_case.mean * 40 / 400 * 365)
    assert yearly.low < yearly.mean < yearly.high
    assert actual.figures["lead_days"].mean == pytest.approx(1 + per_case.mean / 24)
    assert "deadline_share" not in actual.figures  # no deadline: no share


def test_a_log_of_another_version_is_refused_at_its_line(runs, option_a: Process, tmp_path: Path) -> None:
    _, own, _ = runs
    lines = own.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[1], "hanko_again", 1)
    bad = tmp_path / "other.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"other\.csv:6: activity 'hanko_again' is not a step of 'care_certification'"):
        measure_log(option_a, read_log(bad, None, "Asia/Tokyo"))


def test_a_log_in_which_no_case_finishes_is_refused(option_a: Process) -> None:
    zone = datetime.fromisoformat("2026-04-01T00:00:00+09:00").tzinfo
    start = datetime(2026, 4, 1, 9, tzinfo=zone)
    log = log_from_records([_record(1, option_a.steps[0].id, "", start, 0.5)], "open.csv")
    with pytest.raises(LogError, match=r"open\.csv: no case .* reaches an end step"):
        measure_log(option_a, log)
