"""Replications kept in memory and reused by later requests: answers identical to the byte with those of a
service that keeps nothing, reuse only for the same process and options, bounds, and nothing kept from a
cancelled or failed run."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import api_toy_tasks as toy_tasks
import pytest
from apihelp import SMALL_PROCESS_YAML, make_settings
from fastapi.testclient import TestClient

from bpr.api import create_app
from bpr.changes import apply_changes, parse_changes
from bpr.model.load import parse_process
from bpr.service.jobs import Work
from bpr.service.replicas import ReplicaCache, ReplicaKey, approximate_bytes
from bpr.service.runs import simulate_work
from bpr.simulate import SimConfig, compare, simulate
from bpr.simulate.runner import plan_for, replicate

OPTIONS = {"horizon": "2w", "warm_up": "1d", "seed": 5}
STAFF = [{"staff": {"clerk": 3}}]
DIGITIZE = [{"digitize": ["receive"]}]


def service(tmp_path: Path, name: str, **overrides: Any) -> TestClient:
    """A service with a store of its own (``name``), so that no answer comes from another's store."""
    return TestClient(create_app(make_settings(tmp_path, db_path=tmp_path / f"{name}.sqlite", **overrides)))


def ran(response: Any) -> int:
    assert response.status_code == 200, response.text
    assert response.headers["X-BPR-From-Store"] == "false"
    return int(response.headers["X-BPR-Replications-Run"])


def simulate_body(replications: int, **options: Any) -> dict[str, Any]:
    return {"process_yaml": SMALL_PROCESS_YAML, "options": {**OPTIONS, "replications": replications, **options}}


def whatif_body(changes: list[dict[str, Any]], replications: int, **options: Any) -> dict[str, Any]:
    return {**simulate_body(replications, **options), "changes": changes}


def library_whatif(changes: list[dict[str, Any]], replications: int) -> dict[str, Any]:
    before = parse_process(SMALL_PROCESS_YAML)
    after = apply_changes(before, parse_changes(changes, file="changes"), file="changes")
    return compare(before, after, SimConfig(**OPTIONS, replications=replications)).to_dict()


def test_reused_replications_give_the_same_bytes_as_a_service_that_keeps_none(tmp_path: Path) -> None:
    with service(tmp_path, "kept") as kept, service(tmp_path, "none", replica_cache_entries=0) as none:
        # the base with 4 replications, then what-ifs of 2: their before is replications 0..1 of it
        assert ran(kept.post("/v1/simulate", json=simulate_body(4))) == 4
        steps = [
            ("/v1/whatif", whatif_body(STAFF, 2), 2),  # only the after runs
            ("/v1/whatif", whatif_body(DIGITIZE, 2), 2),
            ("/v1/simulate", simulate_body(2), 0),  # the base after what-ifs: nothing to run
            ("/v1/whatif", whatif_body(STAFF, 4), 2),  # before 0..3 kept, after 0..1 kept: after 2..3 run
            ("/v1/whatif", whatif_body(STAFF, 3), 0),
        ]
        for path, body, expected_runs in steps:
            cached = kept.post(path, json=body)
            assert ran(cached) == expected_runs, (path, body)
            uncached = none.post(path, json=body)
            assert ran(uncached) == body["options"]["replications"] * (2 if path == "/v1/whatif" else 1)
            assert cached.content == uncached.content, (path, body)
        assert none.get("/healthz").json()["replicas"]["entries"] == 0
        # and both are what the library computes in one go
        assert kept.post("/v1/whatif", json=whatif_body(DIGITIZE, 2)).json() == library_whatif(DIGITIZE, 2)
        base = kept.post("/v1/simulate", json=simulate_body(2)).json()
        assert base == simulate(parse_process(SMALL_PROCESS_YAML), SimConfig(**OPTIONS, replications=2)).to_dict()


def test_only_the_same_process_and_options_are_reused(tmp_path: Path) -> None:
    with service(tmp_path, "kept") as client:
        assert ran(client.post("/v1/simulate", json=simulate_body(2))) == 2
        for options in ({"seed": 6}, {"horizon": "3w"}, {"warm_up": "2d"}, {"start_date": "2026-05-01"},
                        {"hours_per_fte": 1800}):
            assert ran(client.post("/v1/simulate", json=simulate_body(2, **options))) == 2, options
        other = {"process_yaml": SMALL_PROCESS_YAML.replace("rate: 2/hour", "rate: 3/hour"),
                 "options": {**OPTIONS, "replications": 2}}
        assert ran(client.post("/v1/simulate", json=other)) == 2
        # the same model sent as JSON is the same process: kept
        normalized = client.post("/v1/validate", json={"process_yaml": SMALL_PROCESS_YAML}).json()["normalized"]
        as_json = client.post("/v1/simulate", json={"process": normalized, "options": {**OPTIONS, "replications": 3}})
        assert ran(as_json) == 1  # replications 0..1 kept, 2 runs
        # a change that leaves the process as it was: the before's replications serve the after too
        same = client.post("/v1/whatif", json=whatif_body([{"staff": {"clerk": 2}}], 4, seed=9))
        assert ran(same) == 4


def test_the_estimate_counts_only_the_replications_that_run(tmp_path: Path) -> None:
    from bpr.service.runs import estimate_seconds

    before = parse_process(SMALL_PROCESS_YAML)
    settings = make_settings(tmp_path, case_steps_per_second=2000.0)  # estimates of seconds, not milliseconds
    config = SimConfig(**OPTIONS, replications=4)
    cold = estimate_seconds([before, before], config, settings)
    assert estimate_seconds([before, before], config, settings, [4, 0]) == pytest.approx(cold / 2)
    assert estimate_seconds([before, before], config, settings, [0, 0]) == 0
    # a threshold between the two: the cold what-if is a job, the same what-if with its before kept is not
    with service(tmp_path, "kept", sync_seconds=0.75 * cold, case_steps_per_second=2000.0) as client:
        job = client.post("/v1/whatif", json=whatif_body(STAFF, 4))
        assert job.status_code == 202
        assert job.json()["estimate_seconds"] == pytest.approx(cold, rel=1e-3)
        assert ran(client.post("/v1/simulate", json=simulate_body(4, seed=8))) == 4
        warm = client.post("/v1/whatif", json=whatif_body(STAFF, 4, seed=8))
        assert ran(warm) == 4
        record = client.get(f"/v1/jobs/{warm.headers['X-BPR-Job']}").json()
        assert record["estimate_seconds"] == pytest.approx(cold / 2, rel=1e-3)


def test_a_run_that_needs_no_worker_is_answered_while_the_service_is_saturated(tmp_path: Path) -> None:
    with service(tmp_path, "kept", max_active=1, workers=1) as client:
        assert ran(client.post("/v1/simulate", json=simulate_body(2))) == 2
        long = client.post("/v1/simulate", json=simulate_body(40, horizon="5y", seed=1))
        assert long.status_code == 202
        assert client.post("/v1/simulate", json=simulate_body(2, seed=2)).status_code == 429
        kept = client.post("/v1/simulate", json=simulate_body(2))  # identical: from the store
        assert kept.status_code == 200 and kept.headers["X-BPR-From-Store"] == "true"
        assert ran(client.post("/v1/whatif", json=whatif_body([{"staff": {"clerk": 2}}], 2))) == 0
        assert client.delete(long.headers["Location"]).status_code == 200


def test_eviction_keeps_the_bounds_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    config = SimConfig(**OPTIONS, replications=5)
    plan = plan_for(parse_process(SMALL_PROCESS_YAML), config)
    outputs = [replicate(plan, config, r) for r in range(5)]
    keys = [ReplicaKey("run", r, False) for r in range(5)]
    cache = ReplicaCache(max_entries=3, max_bytes=10**9)
    cache.put_many(zip(keys[:3], outputs[:3]))
    assert cache.get_many([keys[0]]) == {keys[0]: outputs[0]}  # 0 is now the most recently used
    cache.put_many(zip(keys[3:], outputs[3:]))
    assert len(cache) == 3
    assert [k in cache for k in keys] == [True, False, False, True, True]
    assert cache.stats()["evicted"] == 2
    assert cache.bytes == sum(approximate_bytes(outputs[r]) for r in (0, 3, 4))

    size = max(approximate_bytes(out) for out in outputs)
    by_bytes = ReplicaCache(max_entries=100, max_bytes=int(2.5 * size))
    by_bytes.put_many(zip(keys, outputs))
    assert len(by_bytes) == 2 and by_bytes.bytes <= by_bytes.max_bytes
    assert keys[3] in by_bytes and keys[4] in by_bytes
    too_small = ReplicaCache(max_entries=100, max_bytes=size // 2)
    too_small.put_many(zip(keys, outputs))
    assert len(too_small) == 0 and too_small.bytes == 0
    off = ReplicaCache(max_entries=0, max_bytes=10**9)
    off.put_many(zip(keys, outputs))
    assert len(off) == 0

    # through the service: 4 replications, room for 3: replication 0 went first
    with service(tmp_path, "small", replica_cache_entries=3) as client:
        assert ran(client.post("/v1/simulate", json=simulate_body(4))) == 4
        stats = client.get("/healthz").json()["replicas"]
        assert (stats["entries"], stats["evicted"], stats["max_entries"]) == (3, 1, 3)
        assert ran(client.post("/v1/simulate", json=simulate_body(2))) == 1


def test_outputs_found_again_or_computed_ahead_outlive_new_ones_within_their_share() -> None:
    """The segmented LRU: new outputs are dropped before those found again (a base) and those put by the
    warm-up, which keep at most PROTECTED_SHARE of the room; beyond it their least recently used ones become
    droppable like new ones."""
    from bpr.service.replicas import PROTECTED_SHARE

    config = SimConfig(**OPTIONS, replications=2)
    output = replicate(plan_for(parse_process(SMALL_PROCESS_YAML), config), config, 0)
    key = {name: ReplicaKey(name, 0, False) for name in "abcdefghijklmnopqrstuvwxyz"}
    cache = ReplicaCache(max_entries=8, max_bytes=10**9)
    assert int(8 * PROTECTED_SHARE) == 6
    for name in "wxyz":  # computed ahead
        assert cache.put_within(key[name], output, 6, 10**9)
    assert not cache.put_within(key["v"], output, 4, 10**9)  # over its own bound: refused, nothing dropped
    cache.put_many((key[name], output) for name in "ab")
    assert cache.get_many([key["a"]]) == {key["a"]: output}  # found again: protected
    cache.put_many((key[name], output) for name in "cdefgh")  # 12 offered for 8 places
    assert [name for name in key if key[name] in cache] == list("afghwxyz")  # b, c, d, e went
    stats = cache.stats()
    assert (stats["entries"], stats["protected"], stats["evicted"]) == (8, 5, 4)

    # two more found again: protected holds 6 at most, its least recently used (w) goes back to probation
    cache.get_many([key["g"], key["h"]])
    assert cache.stats()["protected"] == 6 and not cache.is_protected(key["w"]) and key["w"] in cache
    cache.put_many([(key["i"], output)])  # one too many: the oldest of probation goes (f, not w, newer there)
    assert key["f"] not in cache and key["w"] in cache and key["i"] in cache
    cache.put_many([(key["j"], output)])
    assert key["w"] not in cache and all(key[name] in cache for name in "xyzagh")

    # a protected output put again stays protected; touching reorders without counting a hit
    cache.put_many([(key["x"], output)])
    assert cache.is_protected(key["x"])
    hits = cache.stats()["hits"]
    cache.touch([key["y"]])
    assert cache.stats()["hits"] == hits


def test_the_arrays_and_the_event_log_count_in_the_approximate_size() -> None:
    config = SimConfig(**OPTIONS, replications=2)
    plan = plan_for(parse_process(SMALL_PROCESS_YAML), config)
    output = replicate(plan, config, 0)
    assert output.quantiles is not None
    assert approximate_bytes(output) >= output.quantiles.nbytes + output.sums.nbytes
    with_events = replicate(plan, config.model_copy(update={"events": True}), 0)
    assert with_events.events
    assert approximate_bytes(with_events) > approximate_bytes(output)


def test_events_change_the_key_of_replication_0_only() -> None:
    from bpr.service.replicas import replica_keys, run_digest

    plain = SimConfig(**OPTIONS, replications=3)
    logged = plain.model_copy(update={"events": True, "replications": 5, "workers": 4})
    digest = run_digest("code", {"id": "p"}, plain)
    assert run_digest("code", {"id": "p"}, logged) == digest  # replications, workers, events left out
    assert run_digest("other code", {"id": "p"}, plain) != digest
    assert run_digest("code", {"id": "q"}, plain) != digest
    assert replica_keys(digest, logged)[1:3] == replica_keys(digest, plain)[1:]
    assert replica_keys(digest, logged)[0] != replica_keys(digest, plain)[0]


def test_a_cancelled_job_keeps_nothing(tmp_path: Path) -> None:
    with service(tmp_path, "kept") as client:
        response = client.post("/v1/simulate", json={**simulate_body(40, horizon="1y"), "mode": "job"})
        assert response.status_code == 202
        location = response.headers["Location"]
        deadline = time.monotonic() + 60
        while client.get(location).json()["progress"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # until some replications are done
        assert client.get(location).json()["progress"] > 0
        assert client.delete(location).json()["status"] == "cancelled"
        time.sleep(0.3)  # replications still being handed over meanwhile are not kept either
        assert client.get("/healthz").json()["replicas"]["entries"] == 0
        assert ran(client.post("/v1/simulate", json=simulate_body(2, horizon="1y"))) == 2


def test_a_failed_run_keeps_nothing(tmp_path: Path) -> None:
    """Real replications with a failing task after them: the job fails and none of its outputs is kept;
    the same replications without the failing task are kept (so the first half could have failed)."""
    with service(tmp_path, "kept") as client:
        jobs, replicas, settings = client.app.state.jobs, client.app.state.replicas, client.app.state.settings
        process = parse_process(SMALL_PROCESS_YAML)
        config = SimConfig(**OPTIONS, replications=4)

        async def run(fail: bool) -> Any:
            work = await simulate_work(process, config, settings, replicas)
            tasks = [*work.tasks, (toy_tasks.sleep, (0.5,)), (toy_tasks.crash, ())] if fail else work.tasks
            return await jobs.submit(Work(work.kind, work.key + str(fail), work.estimate, tasks, work.combine,
                                          work.keep), inline=True)

        failed = client.portal.call(run, True)
        assert failed.record.status == "failed" and "ZeroDivisionError" in failed.record.issues[0]["message"]
        assert len(replicas) == 0
        done = client.portal.call(run, False)
        assert done.record.status == "done" and done.tasks == 4
        assert len(replicas) == 4


def test_a_job_cancelled_while_its_answer_is_put_together_keeps_nothing(tmp_path: Path) -> None:
    with service(tmp_path, "kept") as client:
        jobs = client.app.state.jobs
        combining, release = threading.Event(), threading.Event()
        kept: list[Any] = []

        def combine(results: list[Any]) -> Any:
            combining.set()
            release.wait(30)
            return results

        async def submit() -> Any:
            work = Work("simulate", "race", 0.1, [(toy_tasks.square, (3,))], combine, kept.append)
            return await jobs.submit(work, inline=False)

        finish, stored, tried = jobs.store.finish, [], threading.Event()

        def watched_finish(job_id: str, result: Any) -> bool:
            stored.append(finish(job_id, result))
            tried.set()
            return stored[-1]

        jobs.store.finish = watched_finish
        outcome = client.portal.call(submit)
        assert combining.wait(30)
        assert client.delete(f"/v1/jobs/{outcome.record.id}").json()["status"] == "cancelled"
        release.set()
        assert tried.wait(30)  # the answer was put together and offered to the store, which refused it
        assert stored == [False]
        time.sleep(0.2)  # keep would have been called right after
        assert kept == []
        assert client.get(f"/v1/jobs/{outcome.record.id}").json()["status"] == "cancelled"


def test_stored_answers_still_come_from_the_store_and_outlive_the_kept_replications(tmp_path: Path) -> None:
    db = tmp_path / "jobs.sqlite"
    with TestClient(create_app(make_settings(tmp_path, db_path=db))) as client:
        first = client.post("/v1/whatif", json=whatif_body(STAFF, 2))
        assert ran(first) == 4
        again = client.post("/v1/whatif", json=whatif_body(STAFF, 2))
        assert again.headers["X-BPR-From-Store"] == "true" and "X-BPR-Replications-Run" not in again.headers
        assert again.content == first.content
    with TestClient(create_app(make_settings(tmp_path, db_path=db))) as restarted:  # memory is gone, the store not
        stored = restarted.post("/v1/whatif", json=whatif_body(STAFF, 2))
        assert stored.headers["X-BPR-From-Store"] == "true" and stored.content == first.content
        assert restarted.get("/healthz").json()["replicas"]["entries"] == 0
        assert ran(restarted.post("/v1/whatif", json=whatif_body(DIGITIZE, 2))) == 4
