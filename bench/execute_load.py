"""The workflow engine under a city hall's load, through the REST face (``bpr serve``), on SQLite and PostgreSQL.

**Load.** purchase_ringi after.yaml's volume for a year (1,200 cases) is worked by 20 users at once (six
drafters, three chiefs, three section heads, two directors, the two co-signing sections, the deputy mayor and
the mayor): each user polls their inbox and acts on the first item (approvals pass or reject with the file's
rejection probability, drawn from a fixed seed), drafters start the year's cases as they go. Figures: actions
per second, p50/p95 action latency, and the same for inbox queries during the load. Goal: action p95 ≤ 50 ms
on SQLite. Users act flat out (no pause: far above a city hall's rate, a stress) unless ``--think S`` gives
them a pause between actions (exponential, mean S seconds). The baseline, measured first in the same run:
one client working ``--alone`` (100) cases alone, one request at a time; the ratio says what the concurrency
costs.

**Big inbox.** The store then receives 100,000 finished and 5,000 open cases, written straight into the tables
(a bulk load, outside the audit trail: it builds a big store in seconds; the load above exercises the
actions), and each role's user queries their inbox ``--queries`` (50) times: p50/p95 of ``GET /v1/inbox``.
Goal: p95 ≤ 100 ms.

Every figure is measured in this run, on this machine; the machine is shared, so compare SQLite with
PostgreSQL side by side rather than with another day's run, and one version with another in turns:

    python bench/execute_load.py [--database sqlite|postgresql|both] [--cases 1200] [--think 0]
                                 [--finished 100000] [--open 5000] [--alone 100] [--queries 50]
                                 [--reference DIR [--repeat 3]]

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), the
whole bench (every database asked for) runs ``--repeat`` times for each version, in turns (bench/turns.py),
each run in a fresh interpreter with that version's ``bpr`` first on the path: the bench's own calls (the
store's tables, deploying, the bulk load) and the ``bpr serve`` it starts are that version's; the workload
(this checkout's purchase_ringi after.yaml, the seed, the sizes) is the same for both. Instead of the usual
output it prints, for every figure above, the median of the runs of each version and the ratio
this / reference. A short run: ``--cases 40 --alone 10 --finished 2000 --open 200 --queries 10``.

PostgreSQL: ``BPR_TEST_POSTGRES`` (default the test server that ``scripts/setup.sh`` starts); the bench uses
a schema of its own there and drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent  # this checkout: the workload (scenario file) comes from here

from turns import end_with_parent, in_turns, measured_checkout_first, print_ratios  # noqa: E402  (bench/turns.py: the script's directory is first)

measured_checkout_first()

import bpr  # noqa: E402
from bpr.changes import load_process  # noqa: E402
from bpr.execute import Workflow  # noqa: E402
from bpr.execute.store import cases, definitions, dumps, items  # noqa: E402

SOURCE = Path(bpr.__file__).resolve().parent.parent  # the checkout whose bpr is measured, its bpr serve too

POSTGRES = os.environ.get("BPR_TEST_POSTGRES", "postgresql+psycopg://bpr:bpr@localhost/bpr_test")
USERS = {  # role: how many users act in it (20 in all)
    "tanto": 6, "kakaricho": 3, "kacho": 3, "bucho": 2, "zaisei": 2, "keiyaku": 2, "fukushicho": 1, "shicho": 1,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'cases.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def server(url: str, folder: Path) -> Iterator[str]:
    """``bpr serve`` of the measured checkout (:data:`SOURCE`, whose ``bpr`` this process imported) on a free
    port, ended (with its children) when the block ends or this process dies."""
    port = free_port()
    env = dict(os.environ, BPR_DATABASE=url, BPR_API_DB=str(folder / "jobs.db"), BPR_API_WORKERS="1",
               PYTHONPATH=str(SOURCE))
    proc = subprocess.Popen([sys.executable, "-m", "bpr", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=SOURCE, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=end_with_parent)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bpr serve did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def setup_people(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Deploy after.yaml and add the users; returns token per user and role per user."""
    workflow = Workflow(url)
    workflow.deploy(load_process(ROOT / "scenarios" / "purchase_ringi" / "after.yaml"))
    tokens, roles = {}, {}
    for role, count in USERS.items():
        for k in range(count):
            user_id = f"{role}{k}"
            _, tokens[user_id] = workflow.add_user(user_id, user_id, [role])
            roles[user_id] = role
    workflow.close()
    return tokens, roles


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def run_alone(base: str, tokens: dict[str, str], n_cases: int, seed: int) -> dict[str, Any]:
    """The baseline: one client starts ``n_cases`` and works every user's inbox in turn until all have ended."""
    process = load_process(ROOT / "scenarios" / "purchase_ringi" / "after.yaml")
    reject_p = {s.id: s.reject.probability for s in process.steps if getattr(s, "reject", None)}
    rng = random.Random(f"{seed}-alone")
    times: list[float] = []
    clients = {user: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
               for user, token in tokens.items()}
    try:
        drafter = clients[next(user for user in tokens if user.startswith("tanto"))]
        for _ in range(n_cases):
            t0 = time.perf_counter()
            drafter.post("/v1/cases", json={"process": "purchase_ringi",
                                            "attributes": {"amount": int(rng.lognormvariate(14.5, 1.0))}}
                         ).raise_for_status()
            times.append(time.perf_counter() - t0)
        moved = True
        while moved:
            moved = False
            for client in clients.values():
                for item in client.get("/v1/inbox", params={"limit": 50}).json():
                    verb = "complete"
                    if item["kind"] == "approval":
                        verb = "reject" if rng.random() < reject_p.get(item["step"], 0.0) else "approve"
                    t0 = time.perf_counter()
                    response = client.post(f"/v1/items/{item['id']}/{verb}", json={"version": item["version"]})
                    times.append(time.perf_counter() - t0)
                    moved = moved or response.status_code < 300
    finally:
        for client in clients.values():
            client.close()
    return {"cases": n_cases, "actions": len(times), "action_p50_ms": round(pct(times, 0.5), 1),
            "action_p95_ms": round(pct(times, 0.95), 1)}


def run_load(base: str, url: str, tokens: dict[str, str], roles: dict[str, str], n_cases: int,
             seed: int, think: float) -> dict[str, Any]:
    process = load_process(ROOT / "scenarios" / "purchase_ringi" / "after.yaml")
    reject_p = {s.id: s.reject.probability for s in process.steps if getattr(s, "reject", None)}
    lock = threading.Lock()
    started = [0]
    action_times: list[float] = []
    inbox_times: list[float] = []
    conflicts = [0]
    errors: list[str] = []
    done = threading.Event()

    def next_case() -> bool:
        with lock:
            if started[0] >= n_cases:
                return False
            started[0] += 1
            return True

    def worker(user: str) -> None:
        rng = random.Random(f"{seed}-{user}")
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while not done.is_set():
                t0 = time.perf_counter()
                response = client.get("/v1/inbox", params={"limit": 20})
                inbox_times.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    errors.append(f"inbox {response.status_code}: {response.text[:200]}")
                    return
                waiting = response.json()
                if not waiting:
                    if roles[user] == "tanto" and next_case():
                        amount = int(rng.lognormvariate(14.5, 1.0))
                        t0 = time.perf_counter()
                        response = client.post("/v1/cases", json={"process": "purchase_ringi",
                                                                  "attributes": {"amount": amount}})
                        action_times.append(time.perf_counter() - t0)
                        if response.status_code != 201:
                            errors.append(f"start {response.status_code}: {response.text[:200]}")
                        continue
                    time.sleep(0.02)  # nothing to do yet: poll again shortly (a person would look later)
                    continue
                item = waiting[rng.randrange(len(waiting))]
                verb = "complete"
                if item["kind"] == "approval":
                    verb = "reject" if rng.random() < reject_p.get(item["step"], 0.0) else "approve"
                t0 = time.perf_counter()
                response = client.post(f"/v1/items/{item['id']}/{verb}", json={"version": item["version"]})
                action_times.append(time.perf_counter() - t0)
                if response.status_code == 409:
                    conflicts[0] += 1
                elif response.status_code >= 300:
                    errors.append(f"{verb} {response.status_code}: {response.text[:200]}")
                if think:
                    done.wait(rng.expovariate(1 / think))

    threads = [threading.Thread(target=worker, args=(user,), daemon=True) for user in tokens]
    store = create_engine(url)
    with store.connect() as conn:  # the reference's cases
        ended_before = conn.execute(text("SELECT count(*) FROM cases WHERE status = 'ended'")).scalar_one()
    t_start = time.perf_counter()
    for thread in threads:
        thread.start()
    while not errors:  # until every case of the year has ended
        with store.connect() as conn:
            ended = conn.execute(text("SELECT count(*) FROM cases WHERE status = 'ended'")).scalar_one()
        if ended >= n_cases + ended_before:
            break
        time.sleep(0.5)
    done.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t_start
    store.dispose()
    if errors:
        raise SystemExit(f"load failed: {errors[:3]}")
    return {"cases": n_cases, "actions": len(action_times), "seconds": round(elapsed, 1),
            "actions_per_s": round(len(action_times) / elapsed, 1), "conflicts": conflicts[0],
            "action_p50_ms": round(pct(action_times, 0.5), 1), "action_p95_ms": round(pct(action_times, 0.95), 1),
            "inbox_p50_ms": round(pct(inbox_times, 0.5), 1), "inbox_p95_ms": round(pct(inbox_times, 0.95), 1)}


def bulk_cases(url: str, finished: int, still_open: int, seed: int) -> float:
    """Write finished and open cases straight into the tables (module docstring); returns seconds taken."""
    rng = random.Random(seed)
    engine = create_engine(url)
    t0 = time.perf_counter()
    flow = [("kian", "task", "tanto"), ("kakaricho_check", "approval", "kakaricho"),
            ("kacho_check", "approval", "kacho"), ("zaisei_cosign", "approval", "zaisei"),
            ("keiyaku_cosign", "approval", "keiyaku"), ("kessai", "approval", "bucho"),
            ("enter_zaimu", "task", "tanto"), ("order", "task", "tanto")]
    start = datetime(2026, 4, 1, 0, 0)
    with engine.begin() as conn:
        definition = conn.execute(select(definitions.c.id)).scalar_one()
        next_id = (conn.execute(select(cases.c.id).order_by(cases.c.id.desc()).limit(1)).scalar() or 0) + 1
        next_item = (conn.execute(select(items.c.id).order_by(items.c.id.desc()).limit(1)).scalar() or 0) + 1
    batch = 5000
    total = finished + still_open
    for first in range(0, total, batch):
        case_rows, item_rows = [], []
        for k in range(first, min(first + batch, total)):
            case_id = next_id + k
            began = start + timedelta(minutes=rng.randrange(0, 525_600))
            is_open = k >= finished
            where = rng.randrange(len(flow)) if is_open else len(flow)
            state = {"tokens": [[flow[where][0], []]] if is_open else [], "blocks": [], "rework": None,
                     "ended": not is_open}
            ended = began + timedelta(days=10)
            case_rows.append({"id": case_id, "definition_id": definition, "status": "open" if is_open else "ended",
                              "outcome": "" if is_open else "ordered", "end_step": "" if is_open else "done",
                              "attributes": dumps({"amount": 3_000_000}), "state": dumps(state),
                              "drafter": "tanto0", "started_at": began, "ended_at": None if is_open else ended,
                              "due_at": None, "version": 1})
            for n, (step, kind, role) in enumerate(flow[:where + (1 if is_open else 0)]):
                at = began + timedelta(hours=n * 8)
                last_open = is_open and n == where
                item_rows.append({"id": next_item, "case_id": case_id, "step": step, "kind": kind, "role": role,
                                  "status": "open" if last_open else "done", "created_at": at,
                                  "claimed_by": None, "claimed_at": None if last_open else at,
                                  "done_at": None if last_open else at + timedelta(hours=1),
                                  "done_by": None if last_open else f"{role}0", "on_behalf_of": None,
                                  "outcome": None if last_open else ("approved" if kind == "approval" else "done"),
                                  "due_at": None, "escalations": 0, "state_before": None, "returned_to": None,
                                  "returned_to_user": None, "version": 1})
                next_item += 1
        with engine.begin() as conn:
            conn.execute(insert(cases), case_rows)
            conn.execute(insert(items), item_rows)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0


def inbox_queries(base: str, tokens: dict[str, str], repeat: int) -> dict[str, Any]:
    times: list[float] = []
    sizes = {}
    for role in USERS:
        user = f"{role}0"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[user]}"}, timeout=30) as client:
            for _ in range(repeat):
                t0 = time.perf_counter()
                response = client.get("/v1/inbox", params={"limit": 50})
                times.append(time.perf_counter() - t0)
                response.raise_for_status()
            sizes[role] = client.get("/v1/inbox/counts").json()["total"]
    return {"inbox_p50_ms": round(pct(times, 0.5), 1), "inbox_p95_ms": round(pct(times, 0.95), 1),
            "open_items_per_role": sizes}


def measure(args: argparse.Namespace, say: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, float]]:
    """The bench once, on each database asked for: the figures per database, and the bulk load's seconds."""
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results, bulk = {}, {}
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
            tokens, roles = setup_people(url)
            with server(url, Path(tmp)) as base:
                alone = run_alone(base, tokens, args.alone, args.seed)
                say(f"[{kind}] alone: {json.dumps(alone)}")
                say(f"[{kind}] load: {args.cases} cases, {len(tokens)} users, think {args.think} s")
                load = run_load(base, url, tokens, roles, args.cases, args.seed, args.think)
                load["action_p95_vs_alone"] = round(load["action_p95_ms"] / alone["action_p95_ms"], 2)
                say(f"[{kind}] {json.dumps(load)}")
            bulk[kind] = bulk_cases(url, args.finished, args.open, args.seed)
            say(f"[{kind}] bulk: {args.finished} finished + {args.open} open cases in {bulk[kind]:.1f} s")
            with server(url, Path(tmp)) as base:
                big = inbox_queries(base, tokens, args.queries)
                say(f"[{kind}] {json.dumps(big)}")
            results[kind] = {"alone": alone, "load": load, "big_inbox": big}
    return results, bulk


FIGURES = [  # (part, key, label with its unit): every figure of a run, for --json and --reference
    ("alone", "action_p50_ms", "alone: action p50, ms"),
    ("alone", "action_p95_ms", "alone: action p95, ms"),
    ("load", "actions_per_s", "load: actions/s"),
    ("load", "actions", "load: actions, count"),
    ("load", "seconds", "load: wall time, s"),
    ("load", "conflicts", "load: conflicts (409), count"),
    ("load", "action_p50_ms", "load: action p50, ms"),
    ("load", "action_p95_ms", "load: action p95, ms"),
    ("load", "action_p95_vs_alone", "load: action p95 / alone's, x"),
    ("load", "inbox_p50_ms", "load: inbox query p50, ms"),
    ("load", "inbox_p95_ms", "load: inbox query p95, ms"),
    ("bulk", "seconds", "bulk load, s"),
    ("big_inbox", "inbox_p50_ms", "big inbox: query p50, ms"),
    ("big_inbox", "inbox_p95_ms", "big inbox: query p95, ms"),
]


def flat_figures(results: dict[str, Any], bulk: dict[str, float]) -> dict[str, float]:
    """One run's figures as one flat JSON object of numbers: ``<database>.<part>.<key>``."""
    return {f"{kind}.{part}.{key}": float(bulk[kind] if part == "bulk" else results[kind][part][key])
            for kind in results for part, key, _ in FIGURES}


def compare_with(reference: Path, args: argparse.Namespace) -> None:
    """This version against the one in ``reference``, in turns, each run in a fresh interpreter."""
    arguments = ["--database", args.database, "--cases", str(args.cases), "--finished", str(args.finished),
                 "--open", str(args.open), "--queries", str(args.queries), "--seed", str(args.seed),
                 "--think", str(args.think), "--alone", str(args.alone)]
    figures = in_turns(__file__, arguments, reference, args.repeat)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print_ratios(figures, [(f"{kind}.{part}.{key}", f"[{kind}] {label}")
                           for kind in kinds for part, key, label in FIGURES], reference,
                 f"{args.cases} cases, {sum(USERS.values())} users, think {args.think} s; "
                 f"alone {args.alone} cases; "
                 f"big inbox {args.finished} finished + {args.open} open, {args.queries} queries per role")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=1200)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=50, help="big inbox: queries of each role's user")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause of a user between actions, seconds")
    parser.add_argument("--alone", type=int, default=100, help="cases of the one-client baseline")
    parser.add_argument("--reference", type=Path, help="a checkout of another bpr version to measure against")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each version with --reference (3)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run's figures, as JSON
    args = parser.parse_args()
    if args.repeat is not None and args.reference is None:
        parser.error("--repeat counts the runs of each version with --reference (the inbox queries per role, "
                     "once --repeat, are --queries)")
    if args.json:  # the progress to stderr, shown if the run fails; the figures on the last line of stdout
        print(json.dumps(flat_figures(*measure(args, lambda line: print(line, file=sys.stderr, flush=True)))))
        return
    if args.reference is not None:
        args.repeat = 3 if args.repeat is None else args.repeat
        compare_with(args.reference, args)
        return
    results, _ = measure(args, lambda line: print(line, flush=True))
    if len(results) == 2:
        s, p = results["sqlite"], results["postgresql"]
        print("ratios postgresql/sqlite: action p95 "
              f"{p['load']['action_p95_ms'] / s['load']['action_p95_ms']:.2f}x, actions/s "
              f"{p['load']['actions_per_s'] / s['load']['actions_per_s']:.2f}x, big inbox p95 "
              f"{p['big_inbox']['inbox_p95_ms'] / s['big_inbox']['inbox_p95_ms']:.2f}x")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
