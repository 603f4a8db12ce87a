"""Sweeps: the same bytes from every executor, resumable runs, rules, and the seeds that make both hold."""

from __future__ import annotations

import math
import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from bpr.study.catalog import read_catalog
from bpr.study.executors import InProcess, LocalPool
from bpr.simulate.config import SimConfig
from bpr.study.options import SweepOptions, process_seed
from bpr.study.runs import RunRecord, RunTask, run_version
from bpr.study.store import RunStore
from bpr.study.sweep import NO_CHANGE, RUN, plan_sweep
from bpr.study.table import COLUMNS, sweep_rows

from sweephelp import OPTIONS, ROOT, outputs, sweep, write_catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def reference(catalog: Path) -> tuple[str, bytes, str]:
    """What the sweep writes when every run runs in this process."""
    return outputs(sweep(catalog, InProcess()))


def test_every_kind_of_version_is_planned(catalog: Path) -> None:
    result = sweep(catalog, InProcess())
    status = {(v.entry.key, v.whatif): v.status for v in result.versions}
    assert status == {
        ("ringi", "baseline"): RUN, ("ringi", "redesign"): RUN, ("ringi", "dominated"): RUN,
        ("ringi", "staff"): RUN, ("ringi", "rekey"): RUN,
        ("road", "baseline"): RUN, ("road", "dominated"): NO_CHANGE, ("road", "staff"): RUN,
        ("road", "rekey"): NO_CHANGE,
    }
    assert result.ran == 7 and result.reused == 0
    rows = sweep_rows(result)
    assert [list(row) for row in rows] == [[name for name, _ in COLUMNS]] * len(rows)
    redesign = next(r for r in rows if r["whatif"] == "redesign")
    assert redesign["lead_days_change"] < 0 and redesign["lead_days_change_high"] < 0, "the redesign is faster"
    assert redesign["lead_days_change_low"] <= redesign["lead_days_change"] <= redesign["lead_days_change_high"]
    assert next(r for r in rows if r["process"] == "road" and r["whatif"] == "rekey")["note"] == \
        "the analysis suggests no change (BPR301)"


def test_add_staff_reads_the_baseline(catalog: Path) -> None:
    """``add-staff`` adds one person to every role busier than ``above`` in the process's own baseline."""
    result = sweep(catalog, InProcess())
    ringi = next(v for v in result.versions if v.entry.key == "ringi" and v.whatif == "staff")
    baseline = result.record(result.baseline(ringi.entry))
    assert baseline is not None
    busy = sorted(role for role in ringi.entry.process.roles
                  if (values := baseline.values.get(f"role.{role}.utilisation")) and
                  not math.isnan(values[0]) and sum(values) / len(values) > 0.05
                  and isinstance(ringi.entry.process.roles[role].staff, int))
    assert busy and sorted(ringi.changes[0]["staff"]) == busy  # type: ignore[call-overload]
    assert all(ringi.changes[0]["staff"][r] == ringi.entry.process.roles[r].staff + 1  # type: ignore[index]
               for r in busy)


def test_local_pool_gives_the_same_bytes(catalog: Path, reference: tuple[str, bytes, str]) -> None:
    assert outputs(sweep(catalog, LocalPool(2))) == reference


def test_local_pool_survives_a_killed_worker(catalog: Path, reference: tuple[str, bytes, str]) -> None:
    pool = LocalPool(2)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        processes = getattr(pool._pool, "_processes", None) or {}
        if not killed and done >= 1 and processes:
            pid = next(iter(processes))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    assert outputs(sweep(catalog, pool, progress=kill_one)) == reference
    assert killed and pool.restarts == 1


def test_a_pool_found_broken_at_a_submission_starts_again() -> None:
    """A worker dies between two results and the next task is submitted before anything waits: the
    executor refuses the submission (broken), and the pool starts again instead of failing the sweep."""
    data = yaml.safe_load((ROOT / "scenarios" / "road_occupancy" / "before.yaml").read_text(encoding="utf-8"))
    config = SimConfig(replications=2, horizon="2w", warm_up="1w", workers=1).model_dump(mode="json")
    tasks = [RunTask(f"run{seed}", f"road / seed {seed}", data, {**config, "seed": seed}) for seed in range(3)]
    expected = [run_version(task) for task in tasks]
    with LocalPool(2) as pool:
        pool.submit(tasks[0])
        results = pool.completed()
        first = next(results)
        executor = pool._pool
        os.kill(next(iter(executor._processes)), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not executor._broken:  # the executor's own thread notices the death
            assert time.monotonic() < deadline, "the pool was never marked broken"
            time.sleep(0.01)
        pool.submit(tasks[1])
        pool.submit(tasks[2])
        rest = list(results)
    assert sorted([first, *rest], key=lambda record: record.key) == expected
    assert pool.restarts == 1


def test_an_interrupted_sweep_continues_where_it_stopped(catalog: Path, tmp_path: Path,
                                                         reference: tuple[str, bytes, str]) -> None:
    store = RunStore(tmp_path / "runs")

    def interrupt(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(catalog, InProcess(), store, interrupt)
    assert len(store.keys()) == 3
    resumed = sweep(catalog, InProcess(), store)
    assert (resumed.reused, resumed.ran) == (3, 4)
    assert outputs(resumed) == reference
    again = sweep(catalog, InProcess(), store)
    assert (again.reused, again.ran) == (7, 0)


def test_a_stored_record_reads_back_exactly(tmp_path: Path) -> None:
    record = RunRecord("ab" * 32, "p", "名前", {"x": [0.1, 1 / 3, math.nan, math.inf], "y": [-0.0, 2.0]},
                       ("warning",), True, None, cpu_seconds=1.5)
    store = RunStore(tmp_path)
    store.put(record)
    back = store.get(record.key)
    assert back is not None
    assert back.to_data() == record.to_data()
    assert math.isnan(back.values["x"][2]) and back.values["x"][:2] == [0.1, 1 / 3]
    (tmp_path / "ab" / f"{record.key}.json").write_text("{not json", encoding="utf-8")
    assert store.get(record.key) is None, "an unreadable record counts as missing: the run is done again"


def test_seeds_follow_the_process_key_not_its_position(catalog: Path, tmp_path: Path) -> None:
    assert process_seed(0, "ringi") == process_seed(0, "ringi")
    assert len({process_seed(0, "ringi"), process_seed(0, "road"), process_seed(1, "ringi")}) == 3
    assert all(0 <= process_seed(s, k) < 2**63 for s in (0, 2**63 - 1) for k in ("a", "日本"))
    text = catalog.read_text(encoding="utf-8")
    start = text.index("  - file:")
    end = text.index("  - file:", start + 1)
    swapped = text[:start] + text[end:text.index("whatifs:\n  - {name: dominated")] + text[start:end] + \
        text[text.index("whatifs:\n  - {name: dominated"):]
    (tmp_path / "catalog.yaml").write_text(swapped, encoding="utf-8")
    keys = {(v.entry.key, v.whatif): v.key for v in plan_sweep(read_catalog(catalog), OPTIONS).versions}
    moved = plan_sweep(read_catalog(tmp_path / "catalog.yaml"), OPTIONS)
    assert [e.key for e in moved.catalog.entries] == ["road", "ringi"]
    assert {(v.entry.key, v.whatif): v.key for v in moved.versions} == keys
    other = plan_sweep(read_catalog(catalog), OPTIONS.model_copy(update={"seed": 12}))
    assert all(v.key != keys[(v.entry.key, v.whatif)] for v in other.versions if v.key is not None)


def test_what_ifs_of_a_process_share_its_seed(catalog: Path) -> None:
    """Common random numbers: a process and its what-ifs see the same arrivals."""
    result = sweep(catalog, InProcess())
    for entry in result.plan.catalog.entries:
        seeds = {v.task.config["seed"] for v in result.versions if v.entry is entry and v.task is not None}
        assert seeds == {process_seed(OPTIONS.seed, entry.key)}
    ringi = [result.record(v) for v in result.versions if v.entry.key == "ringi" and v.whatif in ("baseline", "staff")]
    assert ringi[0] is not None and ringi[1] is not None
    assert ringi[0].values["cases_per_year"] == ringi[1].values["cases_per_year"]


def test_options_come_from_the_catalogue(tmp_path: Path, catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8").replace("name: test catalogue\n",
                                                       "name: t\noptions: {replications: 4, horizon: 2w}\n")
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    plan = plan_sweep(read_catalog(tmp_path / "c.yaml"))
    assert plan.options == SweepOptions(replications=4, horizon="2w")


def test_a_complete_redesigned_file_is_a_what_if_with_its_process_seed(tmp_path: Path) -> None:
    scenarios = Path(__file__).resolve().parents[2] / "scenarios" / "child_allowance"
    (tmp_path / "c.yaml").write_text(f"processes:\n  - file: {scenarios / 'before.yaml'}\n    key: kodomo\n"
                                     f"    whatifs:\n      - {{name: redesign, file: {scenarios / 'after.yaml'}}}\n",
                                     encoding="utf-8")
    baseline, redesign = plan_sweep(read_catalog(tmp_path / "c.yaml"), OPTIONS).versions
    assert redesign.status == RUN and redesign.changes == ()
    assert redesign.described == f"the redesigned process {scenarios / 'after.yaml'}"
    assert redesign.task is not None and baseline.task is not None and redesign.key != baseline.key
    assert redesign.task.process["steps"] != baseline.task.process["steps"]
    assert redesign.task.config["seed"] == baseline.task.config["seed"] == process_seed(OPTIONS.seed, "kodomo")
