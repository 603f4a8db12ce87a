"""Results: confidence intervals, paired comparisons, overload warnings, the documented JSON and CSV shapes."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from bpr.changes import load_process
from bpr.model.load import process_from_data, process_to_data
from bpr.simulate import SimConfig, compare, events_csv, simulate
from bpr.simulate.estimate import Difference, Estimate
from bpr.simulate.results import KPIS, SCHEMA_VERSION, YEARLY
from bpr.simulate.tdist import t_quantile

ROOT = Path(__file__).resolve().parents[2]
THEORY = ROOT / "scenarios" / "theory"
SHORT = SimConfig(horizon="2000m", warm_up="200m", replications=5, seed=4)


def mm1(rate: str, staff: int = 1):
    data = process_to_data(load_process(THEORY / "mm1.yaml"))
    data["arrivals"][0]["rate"] = rate
    data["roles"]["server"]["staff"] = staff
    return process_from_data(data)


@pytest.mark.parametrize("df", [1, 2, 4, 19, 30, 120])
@pytest.mark.parametrize("p", [0.6, 0.95, 0.975, 0.995])
def test_t_quantiles_agree_with_scipy(df: int, p: float) -> None:
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


def test_estimate_is_the_t_interval() -> None:
    values = [3.1, 2.7, 3.8, 3.3, 2.9, 3.5]
    est = Estimate.of(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert (est.low, est.high) == (pytest.approx(low), pytest.approx(high))


def test_interval_of_a_measure_stays_within_its_range() -> None:
    # two replications that completed 1 and 10 cases: the t interval alone reaches -51.7
    count = Estimate.of([1, 10], floor=0.0)
    assert count.mean - count.half_width < -50 and count.low == 0.0
    assert count.high == pytest.approx(5.5 + count.half_width)
    ratio = Estimate.of([0.9, 1.0], floor=0.0, ceiling=1.0)
    assert ratio.high == 1.0 and ratio.to_dict()["ci95"][1] == 1.0
    assert Estimate.of([1, 10]).low < -50, "differences (after - before) keep the whole interval"


def test_no_interval_of_a_non_negative_measure_goes_below_zero() -> None:
    rare = mm1("3/day")  # a few cases a replication: intervals from two replications are very wide
    result = simulate(rare, SimConfig(horizon="3d", warm_up="0m", replications=2, seed=7))
    data = result.to_dict()
    assert data["cases"]["completed"]["ci95"][0] >= 0 and data["cases"]["arrived"]["ci95"][0] >= 0
    assert all(kpi["p50_ci95"][0] >= 0 and kpi["p90_ci95"][0] >= 0 and kpi["ci95"][0] >= 0
               for kpi in data["kpis"].values() if kpi["ci95"][0] is not None)
    for role in data["roles"].values():
        low, high = role["utilisation"]["ci95"]
        assert 0 <= low <= high <= 1


def test_difference_is_paired_and_knows_significance() -> None:
    before = [10.0, 12.0, 9.0, 11.0]
    after = [9.0, 11.2, 8.1, 10.0]  # about 1 less in every pair, although the pairs vary a lot
    diff = Difference.of(before, after)
    assert diff.difference.mean == pytest.approx(-0.925)
    assert diff.significant
    assert diff.percent_change == pytest.approx(-0.925 / 10.5 * 100)
    assert not Difference.of(before, before).significant


def test_stable_queue_has_no_warnings() -> None:
    result = simulate(mm1("42/hour"), SHORT)
    assert result.warnings == ()
    assert not result.overloaded


def test_overloaded_role_is_named_in_a_warning() -> None:
    config = SimConfig(horizon="2000m", warm_up="0m", drain="100m", replications=3, seed=1)
    result = simulate(mm1("72/hour"), config)  # rho = 1.2
    kinds = {w.kind: w for w in result.warnings}
    assert "overload" in kinds and kinds["overload"].role == "server"
    assert "'server'" in kinds["overload"].message and "utilisation" in kinds["overload"].message
    assert "unfinished" in kinds
    assert result.roles["server"].overloaded
    assert result.to_dict()["overloaded"] is True


def test_more_staff_is_a_significant_saving_in_lead_time() -> None:
    comparison = compare(mm1("48/hour"), mm1("48/hour", staff=2), SHORT)
    lead = comparison.differences["lead_time"]
    assert lead.significant and lead.difference.mean < 0
    headline = comparison.headline["processing_time_reduction_percent"]
    assert headline["significant"] and headline["value"] > 50
    # The same work is done, so the staff-hours do not change beyond noise (the same cases, same draws).
    assert comparison.differences["touch_time"].difference.mean == pytest.approx(0, abs=0.05)


# --- documented JSON -----------------------------------------------------------------------------------


def _documented() -> set[str]:
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z0-9_]+)`", text))


def _keys(data: object, skip: frozenset[str] = frozenset()) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(key)
            if key not in skip:
                found |= _keys(value, skip)
    elif isinstance(data, list):
        for item in data:
            found |= _keys(item, skip)
    return found


def test_every_json_key_is_documented() -> None:
    comparison = compare(mm1("42/hour"), mm1("42/hour", staff=2), SHORT)
    data = comparison.to_dict()
    assert data["schema_version"] == SCHEMA_VERSION
    keys = (_keys(data, skip=frozenset({"roles", "by_channel", "steps"}))
            | _keys(data["before"]["roles"]["server"]) | _keys(data["before"]["steps"]["serve"]))
    keys -= {"server", "serve"}  # a role id and a step id, not keys
    assert set(data["before"]["steps"]) == {"serve"}
    missing = sorted(keys - _documented())
    assert missing == [], f"JSON keys missing from docs/results.md: {missing}"
    assert set(data["before"]["kpis"]) == set(KPIS)
    assert set(data["before"]["year"]) == set(YEARLY)


def test_json_has_no_nan_or_infinity() -> None:
    data = simulate(mm1("42/hour"), SHORT).to_dict()

    def walk(value: object) -> None:
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_rows_carry_every_kpi() -> None:
    result = simulate(mm1("42/hour"), SHORT)
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    by_metric = {row["metric"]: row for row in rows}
    assert set(KPIS) | set(YEARLY) <= set(by_metric)
    assert float(by_metric["lead_time"]["mean"]) == pytest.approx(result.kpis["lead_time"].mean.mean, rel=1e-6)
    assert "role.server.utilisation" in by_metric
    assert float(by_metric["step.serve.visits"]["mean"]) == 1.0
    waiting = result.kpis["waiting"].mean.mean
    assert float(by_metric["step.serve.waiting"]["mean"]) == pytest.approx(waiting, rel=1e-6)


def test_event_log_has_the_columns_process_mining_tools_read() -> None:
    result = simulate(mm1("42/hour"), SHORT.model_copy(update={"events": True}))
    rows = list(csv.DictReader(io.StringIO(events_csv([("run", result)]))))
    assert list(rows[0]) == ["case_id", "activity", "activity_name", "role", "resource", "enable_time",
                             "start_time", "end_time", "outcome", "channel", "on_behalf_of"]
    assert rows[0]["start_time"].startswith("2026-04-01T") and rows[0]["start_time"].endswith("+09:00")
    assert all(row["enable_time"] <= row["start_time"] <= row["end_time"] for row in rows)  # one offset
    assert {row["activity"] for row in rows} == {"serve", "done"}
    # Replication 0 only: each case is served once and then ends (no time passes in between: a case served
    # has ended), with one end record, its last.
    served = [row for row in rows if row["activity"] == "serve"]
    assert len({row["case_id"] for row in served}) == len(served)
    ends = {row["case_id"]: row for row in rows if row["activity"] == "done"}
    assert len(ends) == len(rows) - len(served) == len(served)
    last = {row["case_id"]: row for row in rows}
    assert all(last[case] is end for case, end in ends.items())
    assert {(row["role"], row["resource"], row["outcome"]) for row in ends.values()} == {("", "", "ended")}
    assert {row["outcome"] for row in served} == {"done"} and {row["channel"] for row in rows} == {"online"}


def _outputs(queue: list[float], tasks: int, replications: int = 5):
    from bpr.simulate.engine import CASE_FIELDS, ReplicationOutput

    rows = np.ones((10, len(CASE_FIELDS)))
    return [
        ReplicationOutput(replication=r, window=(0.0, 10_000.0), arrived=10, completed=10, unfinished=0,
                          by_channel={"online": 10}, sums=rows.sum(axis=0), quantiles=np.quantile(rows, (0.5, 0.9), axis=0),
                          busy=[5_000.0],
                          tasks=[tasks], available=[10_000.0],
                          queue_samples=[[q + (r % 2) for q in queue]], wip_minutes=10_000.0)
        for r in range(replications)
    ]


def test_a_queue_that_keeps_growing_is_flagged_and_a_season_is_not() -> None:
    from bpr.simulate.plan import build_plan
    from bpr.simulate.results import summarize

    config = SimConfig(horizon="10000m", replications=5)
    plan = build_plan(mm1("42/hour"), config.start_date)
    rising = [k / 2 for k in range(240)]  # +80 cases from the first third to the last
    result = summarize(plan, config, _outputs(rising, tasks=5_000))
    assert [w.kind for w in result.warnings] == ["growing_queue"] and result.warnings[0].role == "server"
    # The same rise in a role that did 20 times the work is a passing season, not a lack of capacity.
    assert summarize(plan, config, _outputs(rising, tasks=100_000)).warnings == ()


def test_reservoir_keeps_a_uniform_sample_of_bounded_size() -> None:
    from bpr.simulate.engine import _Reservoir

    reservoir = _Reservoir(capacity=2_000, width=1, rng=np.random.default_rng(7))
    for start in range(0, 100_000, 4_096):
        reservoir.add(np.arange(start, min(start + 4_096, 100_000), dtype=float)[:, None])
    values = reservoir.rows[:, 0]
    assert reservoir.seen == 100_000 and len(values) == 2_000 and len(set(values)) == 2_000
    # Uniform over 0..99,999: the sample's deciles are within a few standard errors of the true ones.
    for q in (0.1, 0.5, 0.9):
        standard_error = (q * (1 - q) / 2_000) ** 0.5 * 100_000
        assert abs(np.quantile(values, q) - q * 100_000) < 4 * standard_error
