"""options.precision over REST: the answer is the library's run to that precision, with what was reached;
each round is one pool task per replication, spread over the workers, taking and leaving kept replications;
a cancel stops the round in flight; the progress never goes back when a round grows the work."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import api_toy_tasks as toy_tasks
import pytest
from apihelp import QUICK, SMALL_PROCESS_YAML, make_settings
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from bpr.api import create_app
from bpr.changes import apply_changes, parse_changes
from bpr.model.load import parse_process
from bpr.service.jobs import Round, Work
from bpr.simulate import SimConfig
from bpr.simulate.precision import FIRST, compare_to_precision, run_to_precision, simulate_to_precision

OPTIONS = {k: v for k, v in QUICK.items() if k != "replications"}
CHANGES = [{"staff": {"clerk": 1}}, {"digitize": ["receive"]}]


def test_a_whatif_to_a_precision_is_the_library_answer_with_its_precision(client: TestClient) -> None:
    response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                               "options": {**OPTIONS, "precision": 0.1, "max_replications": 40}})
    assert response.status_code == 200, response.text
    before = parse_process(SMALL_PROCESS_YAML)
    after = apply_changes(before, parse_changes(CHANGES, file="changes"), file="changes")
    comparison, precision = compare_to_precision(before, after, SimConfig(**OPTIONS), 0.1, 40)
    assert response.json() == {**comparison.to_dict(), "precision": precision.to_dict()}
    assert response.json()["precision"]["replications"] == comparison.before.config.replications


def test_a_simulation_to_a_precision_states_it(client: TestClient) -> None:
    response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML,
                                                 "options": {**OPTIONS, "precision": 0.05}})
    assert response.status_code == 200, response.text
    most = response.json()["precision"]["max_replications"]
    assert most == 100  # the test server's limit, below the default of 200
    result, precision = simulate_to_precision(parse_process(SMALL_PROCESS_YAML), SimConfig(**OPTIONS), 0.05, most)
    assert response.json()["precision"] == precision.to_dict()
    assert response.json()["kpis"] == result.to_dict()["kpis"]


def test_a_request_that_names_no_count_runs_to_two_percent_and_one_that_names_a_count_runs_it(
        client: TestClient) -> None:
    default = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                              "options": OPTIONS})
    assert default.status_code == 200, default.text
    assert default.json()["precision"]["target"] == 0.02 and default.json()["precision"]["met"]
    assert default.content == library_whatif(0.02, most=100)  # the test server's limit, below the default 200
    fixed = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                            "options": {**OPTIONS, "replications": 6}})
    assert fixed.status_code == 200, fixed.text
    assert "precision" not in fixed.json() and fixed.json()["before"]["config"]["replications"] == 6


def test_bad_precision_options_are_named(client: TestClient) -> None:
    for options, path in (({"precision": 1.5}, "options.precision"), ({"precision": 0}, "options.precision"),
                          ({"replications": 10, "max_replications": 50}, "options.max_replications"),
                          ({"precision": 0.02, "max_replications": 10**6}, "options.max_replications")):
        response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                                   "options": {**OPTIONS, **options}})
        assert response.status_code == 422, (options, response.text)
        assert [issue["path"] for issue in response.json()["issues"]] == [path], response.text


# --- rounds of pool tasks -----------------------------------------------------------------------------------

NEEDED = {0.05: 5, 0.02: 7, 0.01: 13}
"""Replications the what-if of CHANGES on SMALL_PROCESS_YAML needs with OPTIONS for each precision (the
library's count; the answers below are compared with it): after a first round of 3 (not within a tenth of
any of these), 5 for 0.05, then 7 for 0.02, then 10 and 13 for 0.01 (a round at most doubles the count)."""


class Watched:
    """Every task the service sends to its pool from now on (in order), the worker slot that ran each (the
    feeding thread ``bpr-worker-<i>``, which owns one worker process at a time) and every progress stored."""

    def __init__(self, client: TestClient) -> None:
        jobs = client.app.state.jobs
        self.tasks: list[str] = []
        self.slots: dict[int, str] = {}
        self.progress: list[float] = []
        submit, set_progress = jobs.pool.submit, jobs.store.set_progress

        def watched_submit(fn: Any, *args: Any, on_progress: Any = None, on_start: Any = None) -> Any:
            index = len(self.tasks)
            self.tasks.append(fn.__name__)

            def started() -> None:
                self.slots[index] = threading.current_thread().name
                if on_start is not None:
                    on_start()

            return submit(fn, *args, on_progress=on_progress, on_start=started)

        def watched_progress(job_id: str, value: float) -> None:
            self.progress.append(value)
            set_progress(job_id, value)

        jobs.pool.submit, jobs.store.set_progress = watched_submit, watched_progress


def service(tmp_path: Path, **overrides: Any) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, warm_workers=True, **overrides)))


def whatif(target: float, most: int = 40, **options: Any) -> dict[str, Any]:
    return {"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
            "options": {**OPTIONS, **options, "precision": target, "max_replications": most}}


def library_whatif(target: float, most: int = 40, **options: Any) -> bytes:
    """The library's answer, as the service renders JSON."""
    before = parse_process(SMALL_PROCESS_YAML)
    after = apply_changes(before, parse_changes(CHANGES, file="changes"), file="changes")
    comparison, precision = run_to_precision(before, after, SimConfig(**{**OPTIONS, **options}), target, most)
    return bytes(JSONResponse({**comparison.to_dict(), "precision": precision.to_dict()}).body)


def ran(response: Any) -> int:
    assert response.status_code == 200, response.text
    assert response.headers["X-BPR-From-Store"] == "false"
    return int(response.headers["X-BPR-Replications-Run"])


def test_each_round_is_one_task_per_replication_spread_over_the_workers(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        watched = Watched(client)
        response = client.post("/v1/whatif", json=whatif(0.02))
        assert response.content == library_whatif(0.02)
        reached = response.json()["precision"]["replications"]
        assert reached == NEEDED[0.02]  # three rounds: 3, 5, then 7
        assert ran(response) == 2 * reached == len(watched.tasks)
        assert set(watched.tasks) == {"replicate"}
        first_round = {watched.slots[index] for index in range(2 * FIRST)}
        assert len(first_round) == 2, watched.slots  # both worker processes took part in the first round
        assert watched.progress == sorted(watched.progress) and watched.progress[-1] < 1
        assert client.get(f"/v1/jobs/{response.headers['X-BPR-Job']}").json()["progress"] == 1


def test_a_run_to_another_precision_takes_the_replications_kept_from_the_last(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        watched = Watched(client)
        assert ran(client.post("/v1/whatif", json=whatif(0.02))) == 2 * NEEDED[0.02] == len(watched.tasks)
        tighter = client.post("/v1/whatif", json=whatif(0.01))  # replications 0..6 kept, 7..12 run
        assert ran(tighter) == 2 * (NEEDED[0.01] - NEEDED[0.02]) == len(watched.tasks) - 2 * NEEDED[0.02]
        assert tighter.content == library_whatif(0.01)
        looser = client.post("/v1/whatif", json=whatif(0.05))  # its rounds of 3 and 5 are kept
        assert ran(looser) == 0 and looser.content == library_whatif(0.05)
        assert len(watched.tasks) == 2 * NEEDED[0.01]
        # a fixed run of those replications finds them too
        fixed = client.post("/v1/whatif", json={**whatif(0.05),
                                                "options": {**OPTIONS, "replications": NEEDED[0.01]}})
        assert ran(fixed) == 0


def test_a_simulation_to_a_precision_runs_its_rounds_as_tasks_too(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        watched = Watched(client)
        response = client.post("/v1/simulate", json={"process_yaml": SMALL_PROCESS_YAML,
                                                     "options": {**OPTIONS, "precision": 0.05}})
        process = parse_process(SMALL_PROCESS_YAML)
        result, precision = simulate_to_precision(process, SimConfig(**OPTIONS), 0.05, 100)
        assert precision.replications > FIRST  # more than one round
        assert response.content == JSONResponse({**result.to_dict(), "precision": precision.to_dict()}).body
        assert ran(response) == precision.replications == len(watched.tasks)


def test_a_cancel_stops_the_round_in_flight_and_no_other_starts(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        watched = Watched(client)
        # the first round reaches about ±0.3%: a second round of 2 x 2 more replications of half a year
        response = client.post("/v1/whatif", json={**whatif(0.001, 60, horizon="26w"), "mode": "job"})
        assert response.status_code == 202, response.text
        location = response.headers["Location"]
        deadline = time.monotonic() + 60
        while len(watched.tasks) <= 2 * FIRST and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(watched.tasks) > 2 * FIRST, "the second round never started"
        jobs = client.app.state.jobs
        assert jobs.pool.pending() > 0
        assert client.delete(location).json()["status"] == "cancelled"
        sent = len(watched.tasks)
        deadline = time.monotonic() + 10
        while jobs.pool.pending() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert jobs.pool.pending() == 0, "the round in flight was stopped"
        time.sleep(0.3)
        assert len(watched.tasks) == sent and jobs.active_count == 0
        assert client.get("/healthz").json()["replicas"]["entries"] == 0  # a cancelled job keeps nothing
        assert client.get(location).json()["status"] == "cancelled"
        assert watched.progress == sorted(watched.progress)


def test_progress_holds_when_a_round_grows_the_tasks_and_never_goes_back(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        jobs = client.app.state.jobs
        watched = Watched(client)

        def last(results: list[Any]) -> Any:
            return {"results": results}

        def first(results: list[Any]) -> Round:
            # 2 tasks were expected; 3 come: the progress holds until they catch up with it
            return Round([(toy_tasks.steps, (4, 0.02))] * 3, last, kept.extend)

        kept: list[Any] = []
        work = Work("simulate", "rounds", 0.1, [(toy_tasks.steps, (4, 0.02))] * 2, first, ahead=2)
        outcome = client.portal.call(jobs.submit, work, True)
        assert outcome.record.status == "done" and outcome.tasks == 5
        assert outcome.record.result == {"results": [4] * 3}
        assert kept == [4] * 5  # the last round's keep gets every round's results, in the order sent
        assert watched.progress == sorted(watched.progress)
        assert len(set(watched.progress)) == len(watched.progress)  # stored only when it moves on
        assert max(watched.progress) == pytest.approx(0.99)
        halfway = [p for p in watched.progress if p <= 0.5 * 0.99 + 1e-9]
        # the first round was half the work expected; its end holds until the second round passes it
        assert halfway and max(halfway) == pytest.approx(0.5 * 0.99)


def test_a_job_cancelled_between_rounds_sends_no_other(tmp_path: Path) -> None:
    with service(tmp_path) as client:
        jobs = client.app.state.jobs
        watched = Watched(client)
        combining, release = threading.Event(), threading.Event()

        def first(results: list[Any]) -> Round:
            combining.set()
            release.wait(30)
            return Round([(toy_tasks.sleep, (30,))], lambda results: results)

        work = Work("simulate", "between", 0.1, [(toy_tasks.square, (3,))], first)
        outcome = client.portal.call(jobs.submit, work, False)
        assert combining.wait(30)
        assert client.delete(f"/v1/jobs/{outcome.record.id}").json()["status"] == "cancelled"
        release.set()
        time.sleep(0.3)
        assert watched.tasks == ["square"] and jobs.pool.pending() == 0
        assert client.get(f"/v1/jobs/{outcome.record.id}").json()["status"] == "cancelled"


def test_a_server_whose_replication_limit_is_below_five_refuses_a_precision(tmp_path: Path) -> None:
    with service(tmp_path, max_replications=3) as client:
        response = client.post("/v1/whatif", json={"process_yaml": SMALL_PROCESS_YAML, "changes": CHANGES,
                                                   "options": {**QUICK, "precision": 0.02}})
        assert response.status_code == 422, response.text
        assert [issue["path"] for issue in response.json()["issues"]] == ["options.max_replications"]
        assert "max_replications must be at least 5, got 3" in response.json()["issues"][0]["message"]
