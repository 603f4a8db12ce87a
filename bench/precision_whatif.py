"""Cold what-ifs over REST to a precision (options.precision) against the fixed quick what-if, same run.

Starts a real ``bpr serve`` (2 workers, a fresh store) and, for each scenario, sends ``--requests`` cold
what-ifs (each its own seed, so nothing is reused: one more staff member for the first staffed role, 1 year
after a 4-week warm-up) twice: with ``{"precision": P}`` (0.02: what a request that names no count gets) and
with the fixed ``{"replications": 10}`` of the quick what-if. Prints p50/p95 latency of each, the replications
the precision needed and the precision the fixed run reached, and the ratio of the p95s. The machine is
shared: read the ratios.

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), a
second server of that version answers the same precise what-ifs (same seeds, its own store), each right
after this one's, and the ratio of the p95s this / reference is printed too.

    python bench/precision_whatif.py [--precision 0.02] [--requests 5] [--scenarios child_allowance,...]
                                     [--reference DIR]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_api import LOOPBACK, free_port, percentile, pick_change, start_server  # noqa: E402

SCENARIOS = "child_allowance,purchase_ringi,road_occupancy,travel_expense,resident_certificate"


def _relative(differences: dict[str, Any], name: str) -> float:
    diff = differences[name]
    return diff["half_width"] / abs(diff["before"]) if diff.get("before") and diff.get("half_width") is not None \
        else float("nan")


def ask(client: httpx.Client, url: str, body: dict[str, Any], deadline: float) -> tuple[float, dict[str, Any]]:
    """Latency until the comparison is in hand (polling a job when the answer is one) and the comparison."""
    started = time.perf_counter()
    response = client.post(url + "/v1/whatif", json=body)
    if response.status_code == 202:
        location = url + response.headers["Location"]
        while time.monotonic() < deadline:
            job = client.get(location).json()
            if job["status"] not in ("queued", "running"):
                if job["status"] != "done":
                    raise SystemExit(f"job {location} {job['status']}: {job.get('issues')}")
                return time.perf_counter() - started, job["result"]
            time.sleep(0.05)
        raise SystemExit("deadline reached")
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code}: {response.text[:500]}")
    return time.perf_counter() - started, response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precision", type=float, default=0.02)
    parser.add_argument("--requests", type=int, default=5, help="cold what-ifs of each kind per scenario")
    parser.add_argument("--scenarios", default=SCENARIOS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=1500.0, help="seconds for the whole run")
    parser.add_argument("--reference", type=Path, help="a checkout of another bpr version to measure against")
    args = parser.parse_args()
    deadline = time.monotonic() + args.deadline
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        servers = [start_server(port, Path(folder) / "jobs.sqlite", args.workers)]
        url = f"http://{LOOPBACK}:{port}"
        if args.reference is not None:
            reference_port = free_port()
            servers.append(start_server(reference_port, Path(folder) / "reference.sqlite", args.workers,
                                        source=args.reference.resolve()))
            reference_url = f"http://{LOOPBACK}:{reference_port}"
        client = httpx.Client(trust_env=False, timeout=600)
        try:
            print(f"load average at start: {os.getloadavg()[0]:.2f}; precision ±{args.precision:.1%}; "
                  f"{args.requests} cold what-ifs of each kind per scenario")
            print(f"{'scenario':22} {'precision p50/p95':>18} {'reps':>8} {'fixed 10 p50/p95':>18} "
                  f"{'fixed reached (lead, staff)':>28} {'p95 ratio':>9}"
                  + (f" {'reference precision p50/p95':>28} {'this/ref p95':>12}" if args.reference else ""))
            seed = 1000
            for scenario in args.scenarios.split(","):
                change = pick_change(client, url, scenario)
                base = {"scenario": scenario, "changes": [change]}
                precise, fixed, reps, reached, before = [], [], [], [], []
                for _ in range(args.requests):
                    seed += 1
                    options = {"precision": args.precision, "seed": seed}
                    latency, answer = ask(client, url, {**base, "options": options}, deadline)
                    precise.append(latency)
                    reps.append(answer["precision"]["replications"])
                    if args.reference is not None:
                        latency, theirs = ask(client, reference_url, {**base, "options": options}, deadline)
                        before.append(latency)
                        if theirs != answer:
                            print(f"  {scenario}: the reference's answer differs (seed {seed})")
                    # Another seed: the precise run's replications are kept, and would make this one warm.
                    latency, answer = ask(client, url, {**base, "options": {"replications": 10,
                                                                            "seed": seed + 100_000}}, deadline)
                    fixed.append(latency)
                    reached.append((_relative(answer["differences"], "lead_time"),
                                    _relative(answer["differences"], "staff_hours_per_year")))
                p95p, p95f = percentile(precise, 95), percentile(fixed, 95)
                lead = statistics.median(r[0] for r in reached)
                staff = statistics.median(r[1] for r in reached)
                print(f"{scenario:22} {statistics.median(precise):8.2f}/{p95p:6.2f} s {min(reps):3}-{max(reps):<4} "
                      f"{statistics.median(fixed):8.2f}/{p95f:6.2f} s {f'±{lead:.1%}, ±{staff:.1%}':>28} "
                      f"{p95p / p95f:9.2f}"
                      + (f" {statistics.median(before):20.2f}/{percentile(before, 95):6.2f} s "
                         f"{p95p / percentile(before, 95):12.2f}" if before else ""))
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
