"""Load test of the REST service: a real ``bpr serve`` on loopback, concurrent what-if requests.

Prints, for a quick what-if (a shipped scenario, one change, 1 year, 10 replications):

* the compute reference: what the library computes without the service, with as many processes side by
  side as the server has workers (what the cores can compute on this machine at this moment; ``--library``
  what-ifs, at least one per worker; this option was called ``--reference`` before that name meant a checkout);
* one client, sequential requests, cold: every request its own seed, so nothing is reusable (both versions
  simulated): p50/p95 latency;
* one client, interactive: a sequence of different what-ifs (more staff, a channel shift, the analysis's
  suggestions, a delegation...) against the same scenario with the same seed and options, as an analyst
  asks them: the first simulates the base too (reported apart), the others reuse its replications and
  simulate only their changed version (p50/p95 of those); then a simulate of the base (nothing to run);
* N concurrent clients: p50/p95 latency, throughput, its share of the reference, error count;
* an identical repeated request, answered from the store: p50/p95 latency;
* a redesign job (``POST /v1/redesign`` of a shipped scenario with the defaults of ``bpr redesign``):
  its estimate, time until done, the CPU time of the server's processes against the library's own redesign
  in a plain process (and whether the answers are equal), and the same request answered from the store.

With ``--warm`` it measures instead a server started with ``bpr serve --warm``: how long ``/healthz`` takes
to answer, how long the warm-up takes until ``/healthz`` says it is over (bounded by ``--warm-timeout``), the
CPU seconds of the server's processes and the server's memory (RSS) it cost; then, with the options the
warm-up used (no seed, no warm-up given), one client's interactive sequence as above with the quick what-if's
options (10 replications of 1 year), its first what-if reported apart; the same with no options at all (20
replications) for the what-ifs left over; and two first what-ifs (quick options, no options; different
changes) on every other shipped scenario.

Every request has its own seed (so none is answered from the store and, but in the interactive part, none
reuses another's replications) except in the store parts. Requests that the server turns into jobs (202)
are polled until done; their latency is until the result.
Bounded: a fixed number of requests, a per-request timeout and an overall deadline; traffic goes only
to 127.0.0.1.

    python bench/load_api.py [--clients 8] [--requests 16] [--interactive 12] [--scenario child_allowance]
                             [--redesign purchase_ringi] [--reference DIR [--repeat 3]]
    python bench/load_api.py --warm [--interactive 8] [--scenario child_allowance] [--warm-timeout 600]
                             [--replica-cache-mib 384] [--reference DIR [--repeat 3]]

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), the
whole bench runs ``--repeat`` times for each version, in turns (``bench/turns.py``): each turn a fresh run
of this script with that checkout's ``bpr`` first on the path, which starts its own server of that checkout
(its code, its shipped scenarios, a fresh store) and computes the library-only reference with that
checkout's library. Then every figure (latencies, throughput, errors, CPU, memory...) is printed as the
median of the turns for each version, with the ratio this / reference; the full report of each turn is not
printed. The server and the library a run measures are always those of the ``bpr`` it imports (the one
first on the path), so that a run is never half one version, half the other.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from turns import end_with_parent, in_turns, print_ratios  # noqa: E402  (bench/turns.py)


def _checkout() -> Path:
    """The checkout whose ``bpr`` this process imports (without importing it): with ``--reference`` a turn
    of the other version has its ``bpr`` first on the path; its server and its scenarios are measured."""
    spec = importlib.util.find_spec("bpr")
    if spec is not None and spec.origin is not None:
        checkout = Path(spec.origin).resolve().parent.parent
        if (checkout / "scenarios").is_dir():
            return checkout
    return Path(__file__).resolve().parent.parent


ROOT = _checkout()
LOOPBACK = "127.0.0.1"
Figures = dict[str, float]


def latency_figures(figures: Figures, label: str, latencies: list[float]) -> None:
    """The figures of :func:`report` for the comparison: how many, p50, p95 and max."""
    figures[f"{label}: requests"] = len(latencies)
    if latencies:
        for name, value in (("p50", percentile(latencies, 50)), ("p95", percentile(latencies, 95)),
                            ("max", max(latencies))):
            figures[f"{label}: {name} latency, s"] = value


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def start_server(port: int, db: Path, workers: int, warm: bool = False,
                 cache_mib: int | None = None, source: Path | None = None) -> subprocess.Popen[bytes]:
    """A ``bpr serve`` of the checkout ``source`` (its ``bpr`` first on the path), by default of the one whose
    ``bpr`` this process imports (:data:`ROOT`; not necessarily the bench's own checkout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BPR_API_")}
    source = source or ROOT
    env["PYTHONPATH"] = str(source)  # and the working directory, which ``-m`` puts first on the path
    if cache_mib is not None:
        env["BPR_API_REPLICA_CACHE_BYTES"] = str(cache_mib * 2**20)
    process = subprocess.Popen(
        [sys.executable, "-m", "bpr.cli.main", "serve", "--host", LOOPBACK, "--port", str(port), "--db", str(db),
         "--workers", str(workers), "--log-level", "warning", *(["--warm"] if warm else [])],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=source,
        preexec_fn=end_with_parent)
    client = httpx.Client(trust_env=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get(f"http://{LOOPBACK}:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the server did not start within 60 s")


def pick_change(client: httpx.Client, url: str, scenario: str) -> dict[str, Any]:
    """One change for the scenario: one more staff member for its first role with a fixed staff count."""
    process = client.post(url + "/v1/validate", json={"scenario": scenario}, timeout=60).json()["normalized"]
    for role_id, role in process["roles"].items():
        staff = role.get("staff", 1)
        if isinstance(staff, int):
            return {"staff": {role_id: staff + 1}}
    raise SystemExit(f"scenario {scenario} has no role with a staff count to change")


class Runner:
    def __init__(self, url: str, body: dict[str, Any], timeout: float, deadline: float) -> None:
        self.url = url
        self.body = body
        self.timeout = timeout
        self.deadline = deadline
        self.local = threading.local()

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(trust_env=False, timeout=self.timeout)
        return self.local.client

    def whatif(self, seed: int) -> tuple[float, bool, str]:
        """Latency until the comparison is in hand, whether it succeeded, and how it was answered."""
        latency, ok, how, _ = self.send("/v1/whatif", {**self.body, "options": {**self.body["options"], "seed": seed}})
        return latency, ok, how

    def send(self, path: str, body: dict[str, Any]) -> tuple[float, bool, str, int | None]:
        """Latency until the answer is in hand, whether it succeeded, how it was answered, and how many
        replications the server simulated for it (None when answered from the store)."""
        client = self.client()
        expected = "differences" if path == "/v1/whatif" else "kpis"
        started = time.perf_counter()
        try:
            response = client.post(self.url + path, json=body)
            how = "store" if response.headers.get("X-BPR-From-Store") == "true" else "inline"
            runs = response.headers.get("X-BPR-Replications-Run")
            ran = int(runs) if runs is not None else None
            if response.status_code == 202:
                how = "job"
                location = self.url + response.headers["Location"]
                while time.monotonic() < self.deadline:
                    job = client.get(location).json()
                    if job["status"] not in ("queued", "running"):
                        ok = job["status"] == "done" and expected in (job["result"] or {})
                        return time.perf_counter() - started, ok, how, ran
                    time.sleep(0.05)
                return time.perf_counter() - started, False, how, ran
            ok = response.status_code == 200 and expected in response.json()
            return time.perf_counter() - started, ok, how, ran
        except httpx.HTTPError:
            return time.perf_counter() - started, False, "error", None


def interactive_changes(scenario: str, limit: int) -> list[dict[str, Any]]:
    """Different what-ifs an analyst would try on a scenario, each valid for it (applied by the library
    here first) and each changing the process: more staff for the first staffed role (+1, +2) and +1 for
    the others, half the cases on the last arrival channel, the analysis's suggested changes, and each
    approval delegated to the next lower authority. At most ``limit``, the kinds of change in turn."""
    from bpr.analysis import analyze
    from bpr.errors import BprError
    from bpr.changes import apply_changes, parse_changes
    from bpr.changes import load_process

    before = load_process(ROOT / "scenarios" / scenario / "before.yaml")
    staffed = [(role_id, role.staff) for role_id, role in before.roles.items()
               if isinstance(role.staff, int) and not role.external]
    candidates: list[dict[str, Any]] = []
    if staffed:
        first, count = staffed[0]
        candidates += [{"staff": {first: count + 1}}, {"staff": {first: count + 2}}]
        candidates += [{"staff": {role_id: count + 1}} for role_id, count in staffed[1:]]
    channels = list(dict.fromkeys(arrival.channel for arrival in before.arrivals))
    if len(channels) > 1:
        candidates.append({"arrivals": {channels[-1]: {"share": 0.5}}})
    candidates += [finding.suggestion for finding in analyze(before).findings if finding.suggestion]
    for step in before.steps:
        if step.type != "approval":
            continue
        level = before.roles[step.role].authority
        lower = sorted(((role.authority, role_id) for role_id, role in before.roles.items()
                        if role.authority < level and not role.external), reverse=True)
        if lower:
            candidates.append({"delegate": {"step": step.id, "to": lower[0][1]}})
    base = before.model_dump(mode="json")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in candidates:
        kind = by_kind.setdefault(next(iter(change)), [])
        if change in kind:
            continue
        try:
            after = apply_changes(before, parse_changes([change]))
        except BprError:
            continue
        if after.model_dump(mode="json") != base:
            kind.append(change)
    mixed = [change for group in itertools.zip_longest(*by_kind.values()) for change in group if change]
    return mixed[:limit]  # kinds taken in turn, so that a short sequence is not all staff changes


def interactive_part(runner: Runner, scenario: str, options: dict[str, Any], limit: int,
                     first: str = "cold, simulates the base too", skip: int = 0,
                     figures: Figures | None = None, label: str = "interactive") -> None:
    """One client asking different what-ifs against the same scenario, seed and options, one after the
    other; then the base alone. ``first`` says what the first what-if finds (in the report); ``skip``
    leaves out the first what-ifs of :func:`interactive_changes` (asked already with other options, whose
    after would be reused). Its figures go into ``figures`` under ``label``."""
    figures = {} if figures is None else figures
    changes = interactive_changes(scenario, skip + limit)[skip:]
    if len(changes) < 2:
        print(f"interactive: scenario {scenario} offers fewer than two different what-ifs (after {skip} "
              f"asked already); skipped")
        return
    answers = []
    for change in changes:
        if time.monotonic() >= runner.deadline:
            break
        answers.append(runner.send("/v1/whatif", {"scenario": scenario, "changes": [change], "options": options}))
    (first_latency, first_ok, first_how, first_ran), warm = answers[0], answers[1:]
    figures[f"{label}: different what-ifs"] = len(answers)
    figures[f"{label}, first: latency, s"] = first_latency
    if first_ran is not None:
        figures[f"{label}, first: replications run"] = first_ran
    figures[f"{label}, first: errors"] = int(not first_ok)
    print(f"interactive, 1 client, options {options or 'none (the defaults)'}: {len(answers)} different what-ifs "
          f"({', '.join(next(iter(c)) for c in changes[:len(answers)])})")
    print(f"  first ({first}): {first_latency:.3f} s, {first_ran} replications run, "
          f"answered {first_how}{'' if first_ok else ', FAILED'}")
    if warm:
        others = f"{label}, others"
        latency_figures(figures, others, [lat for lat, _, _, _ in warm])
        figures[f"{others}: errors"] = sum(not ok for _, ok, _, _ in warm)
        runs = [ran for _, _, _, ran in warm if ran is not None]
        if runs:
            figures[f"{others}: most replications run"] = max(runs)
        figures[f"{others}: answered from store"] = sum(how == "store" for _, _, how, _ in warm)
        figures[f"{others}: answered as jobs"] = sum(how == "job" for _, _, how, _ in warm)
        print("  " + report("the others (base reused)", [lat for lat, _, _, _ in warm]) +
              f"  errors={sum(not ok for _, ok, _, _ in warm)}  replications run "
              f"{sorted({ran for _, _, _, ran in warm}, key=str)}  answered as {sorted({h for _, _, h, _ in warm})}"
              f"  (load average {os.getloadavg()[0]:.1f})")
    latency, ok, how, ran = runner.send("/v1/simulate", {"scenario": scenario, "options": options})
    figures[f"{label}, base alone: latency, s"] = latency
    if ran is not None:
        figures[f"{label}, base alone: replications run"] = ran
    figures[f"{label}, base alone: errors"] = int(not ok)
    print(f"  then the base alone (POST /v1/simulate): {latency:.3f} s, {ran} replications run, answered {how}"
          f"{'' if ok else ', FAILED'}")


def _whatif_in_process(scenario: str, change: dict[str, Any], replications: int, horizon: str, seed: int) -> float:
    """One what-if computed by the library in the calling process (one core); returns its CPU seconds."""
    from bpr.changes import apply_changes, parse_changes
    from bpr.changes import load_process
    from bpr.simulate import SimConfig, compare

    before = load_process(ROOT / "scenarios" / scenario / "before.yaml")
    after = apply_changes(before, parse_changes([change]))
    config = SimConfig(replications=replications, horizon=horizon, workers=1, seed=seed)
    started = time.process_time()
    compare(before, after, config)
    return time.process_time() - started


def reference_throughput(scenario: str, change: dict[str, Any], replications: int, horizon: str,
                         processes: int, count: int) -> tuple[float, float]:
    """What the cores compute without the service: ``processes`` processes doing what-ifs with the library
    side by side (so that they meet the same competition for the machine as the server's workers).
    Returns (what-ifs per second, mean CPU seconds of one what-if)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        warm = [pool.submit(_whatif_in_process, scenario, change, 2, "1w", 0) for _ in range(processes)]
        for future in warm:
            future.result()
        started = time.perf_counter()
        seconds = list(pool.map(_whatif_in_process, [scenario] * count, [change] * count, [replications] * count,
                                [horizon] * count, range(50_000, 50_000 + count)))
        wall = time.perf_counter() - started
    return count / wall, statistics.mean(seconds)


def _redesign_in_process(scenario: str, replications: int) -> tuple[float, dict[str, Any]]:
    """``bpr redesign`` of a scenario by the library in this process, with the window chosen from the
    process: (CPU seconds, its JSON)."""
    from bpr.changes import load_process
    from bpr.redesign import config_for, redesign

    process = load_process(ROOT / "scenarios" / scenario / "before.yaml")
    started = time.process_time()
    result = redesign(process, config_for(process, replications, 0, 1))
    return time.process_time() - started, result.to_dict()


def redesign_part(client: httpx.Client, url: str, server: subprocess.Popen[bytes], scenario: str,
                  replications: int, deadline: float, figures: Figures) -> None:
    """One redesign job through the service, then the same request again (from the store)."""
    library_cpu, expected = _redesign_in_process(scenario, replications)
    expected["process"]["file"] = f"scenarios/{scenario}/before.yaml"  # the service's label of the file
    body = {"scenario": scenario, "options": {"replications": replications}}
    cpu_before = tree_cpu_seconds(server.pid)
    started = time.perf_counter()
    accepted = client.post(url + "/v1/redesign", json=body, timeout=60)
    if accepted.status_code != 202:
        print(f"redesign: refused {accepted.status_code} {accepted.text[:300]}")
        figures["redesign: refused"] = 1
        return
    location = url + accepted.headers["Location"]
    job = accepted.json()
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(location, timeout=60).json()
    wall = time.perf_counter() - started
    cpu = tree_cpu_seconds(server.pid) - cpu_before
    result = dict(job["result"] or {})
    result.pop("plan_yaml", None)
    figures.update({
        "redesign: refused": 0, "redesign: estimate, s": accepted.json()["estimate_seconds"],
        "redesign: done in, s": wall, "redesign: done (1 = yes)": int(job["status"] == "done"),
        "redesign: server CPU, s": cpu, "redesign: library CPU (plain process), s": library_cpu,
        "redesign: library / server CPU, %": 100 * library_cpu / cpu if cpu else float("nan"),
        "redesign: same answer as library (1 = yes)": int(result == expected)})
    if isinstance(result.get("simulations"), (int, float)):
        figures["redesign: simulations"] = result["simulations"]
    print(f"redesign of {scenario} ({replications} replications, window {result.get('config', {}).get('horizon')}, "
          f"{result.get('simulations')} simulations): status {job['status']}, estimate "
          f"{accepted.json()['estimate_seconds']:.1f} s, done in {wall:.1f} s; server CPU {cpu:.1f} s vs the "
          f"library's {library_cpu:.1f} s in a plain process ({100 * library_cpu / cpu:.0f}%); "
          f"same answer as the library: {'yes' if result == expected else 'NO'} "
          f"(load average {os.getloadavg()[0]:.1f})")
    again = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.post(url + "/v1/redesign", json=body, timeout=60)
        again.append(time.perf_counter() - started)
        assert response.headers.get("X-BPR-From-Store") == "true", response.text[:300]
    latency_figures(figures, "redesign from store", again)
    print(report("redesign from store", again))


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and all its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total = 0.0
    for pid, seconds in used.items():
        walk = pid
        while walk not in (0, 1) and walk != root:
            walk = parents.get(walk, 0)
        if walk == root:
            total += seconds
    return total


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def warm_part(runner: Runner, server: subprocess.Popen[bytes], started: float, scenario: str, replications: int,
              horizon: str, interactive: int, timeout: float, figures: Figures) -> None:
    """A server started with --warm: the warm-up's cost until /healthz says it is over, then one client's
    first what-ifs with the warm-up's options (the seed and warm-up not given)."""
    client = runner.client()
    answered = figures["warm: /healthz answered after, s"] = time.monotonic() - started
    print(f"warm-up: /healthz answered {answered:.1f} s after the server was started")
    cpu_before, rss_before = tree_cpu_seconds(server.pid), rss_mib(server.pid)
    deadline = min(runner.deadline, time.monotonic() + timeout)
    health = client.get(runner.url + "/healthz").json()
    while health["warm"]["state"] in ("pending", "warming") and time.monotonic() < deadline:
        time.sleep(0.5)
        health = client.get(runner.url + "/healthz").json()
    warm, kept = health["warm"], health["replicas"]
    wall = time.monotonic() - started
    cpu_after, rss_after = tree_cpu_seconds(server.pid), rss_mib(server.pid)
    figures.update({
        "warm-up: over after, s": wall, "warm-up: done (1 = yes)": int(warm["state"] == "done"),
        "warm-up: replications kept": warm["done"], "warm-up: replications planned": warm["total"],
        "warm-up: server CPU after /healthz, s": cpu_after - cpu_before,
        "warm-up: server RSS before, MiB": rss_before, "warm-up: server RSS after, MiB": rss_after,
        "warm-up: cache outputs": kept["entries"], "warm-up: cache by its count, MiB": kept["bytes"] / 2**20})
    print(f"warm-up {warm['state']} {wall:.0f} s after the start: {warm['done']} of {warm['total']} replications "
          f"kept{'; ' + warm['message'] if warm['message'] else ''}")
    print(f"  cost: {cpu_after - cpu_before:.0f} CPU s of the server's processes (server + "
          f"workers) after /healthz answered; server memory (RSS) {rss_before:.0f} -> {rss_after:.0f} "
          f"MiB; the cache holds {kept['entries']} outputs, {kept['bytes'] / 2**20:.0f} MiB by its own count "
          f"(load average {os.getloadavg()[0]:.1f})")
    if warm["state"] in ("pending", "warming"):
        print(f"  the warm-up did not end within {timeout:.0f} s: what follows is measured against a part-warm "
              "cache")
    quick = {"replications": replications, "horizon": horizon}
    interactive_part(runner, scenario, quick, interactive, first="after the warm-up", figures=figures,
                     label="quick options")
    interactive_part(runner, scenario, {}, interactive, first="after the warm-up", skip=interactive,
                     figures=figures, label="no options")
    names = [entry["name"] for entry in client.get(runner.url + "/v1/scenarios").json()["scenarios"]]
    for name in names:
        if name == scenario:
            continue
        # two different changes, so that the second finds nothing of the first's after
        for change, options, kind in zip(interactive_changes(name, 2), (quick, {}), ("quick", "defaults")):
            if time.monotonic() >= runner.deadline:
                return
            latency, ok, how, ran = runner.send("/v1/whatif", {"scenario": name, "changes": [change],
                                                               "options": options})
            figures[f"{name}, {kind}: first latency, s"] = latency
            if ran is not None:
                figures[f"{name}, {kind}: replications run"] = ran
            figures[f"{name}, {kind}: errors"] = int(not ok)
            print(f"first what-if on {name} ({change}, options {options or 'none'}): {latency:.3f} s, {ran} "
                  f"replications run, answered {how}{'' if ok else ', FAILED'} (load average "
                  f"{os.getloadavg()[0]:.1f})")


def report(label: str, latencies: list[float]) -> str:
    return (f"{label}: n={len(latencies)}  p50={percentile(latencies, 50):.3f} s  "
            f"p95={percentile(latencies, 95):.3f} s  max={max(latencies):.3f} s")


def run(args: argparse.Namespace) -> Figures:
    """One run of the bench with the ``bpr`` this process imports: prints its report, returns its figures."""
    figures: Figures = {"load average at the start (1 min)": os.getloadavg()[0]}
    deadline = time.monotonic() + args.deadline
    requests_total = min(args.requests, 200)
    library = max(args.workers, min(args.library, 50))

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bpr-bench-") as folder:
        started = time.monotonic()
        server = start_server(port, Path(folder) / "jobs.sqlite", args.workers, warm=args.warm,
                              cache_mib=args.replica_cache_mib)
        try:
            url = f"http://{LOOPBACK}:{port}"
            if args.warm:
                print(f"server with --warm on {url} with {args.workers} workers; {os.cpu_count()} cores; load "
                      f"average {os.getloadavg()[0]:.1f} at the start")
                warm_part(Runner(url, {}, args.timeout, deadline), server, started, args.scenario,
                          args.replications, args.horizon, max(2, min(args.interactive, 30)), args.warm_timeout,
                          figures)
                figures["load average at the end (1 min)"] = os.getloadavg()[0]
                return figures
            setup = httpx.Client(trust_env=False)
            change = pick_change(setup, url, args.scenario)
            body = {"scenario": args.scenario, "changes": [change],
                    "options": {"replications": args.replications, "horizon": args.horizon}}
            runner = Runner(url, body, args.timeout, deadline)
            print(f"what-if: scenario {args.scenario}, change {change}, {args.replications} replications, "
                  f"horizon {args.horizon}; server on {url} with {args.workers} workers; {os.cpu_count()} cores")

            runner.whatif(seed=1)  # warm-up: workers import the engine, scenario cached
            capacity, single_core = reference_throughput(args.scenario, change, args.replications, args.horizon,
                                                         args.workers, library)
            figures[f"library, {args.workers} processes: what-ifs/s"] = capacity
            figures["library: CPU s per what-if"] = single_core
            print(f"reference (library, no service): {args.workers} processes side by side compute "
                  f"{capacity:.3f} what-ifs/s; one what-if takes {single_core:.3f} CPU s "
                  f"(load average {os.getloadavg()[0]:.1f})")

            one = [runner.whatif(seed=100 + i) for i in range(args.single) if time.monotonic() < deadline]
            latency_figures(figures, "1 client, cold", [lat for lat, _, _ in one])
            figures["1 client, cold: errors"] = sum(not ok for _, ok, _ in one)
            figures["1 client, cold: answered from store"] = sum(how == "store" for _, _, how in one)
            figures["1 client, cold: answered as jobs"] = sum(how == "job" for _, _, how in one)
            print(report("1 client, cold (every request its own seed)", [lat for lat, _, _ in one]) +
                  f"  errors={sum(not ok for _, ok, _ in one)}  answered as {sorted({h for _, _, h in one})}"
                  f"  (load average {os.getloadavg()[0]:.1f})")

            interactive_part(runner, args.scenario, {**body["options"], "seed": 4242},
                             max(2, min(args.interactive, 30)), figures=figures)

            cpu_before = tree_cpu_seconds(server.pid)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                many = list(pool.map(runner.whatif, range(1000, 1000 + requests_total)))
            wall = time.perf_counter() - started
            cpu = tree_cpu_seconds(server.pid) - cpu_before
            throughput = len(many) / wall
            clients = f"{args.clients} clients"
            latency_figures(figures, clients, [lat for lat, _, _ in many])
            figures[f"{clients}: errors"] = sum(not ok for _, ok, _ in many)
            figures[f"{clients}: throughput, what-ifs/s"] = throughput
            figures[f"{clients}: wall time, s"] = wall
            figures[f"{clients}: throughput / library's, %"] = 100 * throughput / capacity
            print(report(clients, [lat for lat, _, _ in many]) +
                  f"  errors={sum(not ok for _, ok, _ in many)}")
            print(f"throughput: {throughput:.3f} what-ifs/s over {wall:.1f} s = "
                  f"{100 * throughput / capacity:.0f}% of the reference (load average {os.getloadavg()[0]:.1f})")
            per_request = cpu / len(many)
            figures[f"{clients}: server CPU per what-if, s"] = per_request
            figures[f"{clients}: library's share of it, %"] = 100 * single_core / per_request
            figures[f"{clients}: what-ifs/s on idle cores"] = args.workers / per_request
            figures[f"{clients}: server's cores used"] = cpu / wall
            print(f"server CPU (server + workers): {per_request:.3f} s per what-if = "
                  f"{100 * single_core / per_request:.0f}% of it is the library's own work; on {args.workers} idle "
                  f"cores that is {args.workers / per_request:.3f} what-ifs/s; the server's processes used "
                  f"{cpu / wall:.2f} cores on average during the run")

            repeated = [runner.whatif(seed=100) for _ in range(args.repeats) if time.monotonic() < deadline]
            latency_figures(figures, "from store", [lat for lat, _, _ in repeated])
            figures["from store: answered from store"] = sum(how == "store" for _, _, how in repeated)
            figures["from store: errors"] = sum(not ok for _, ok, _ in repeated)
            print(report("from store", [lat for lat, _, _ in repeated]) +
                  f"  answered as {sorted({h for _, _, h in repeated})}")

            if args.redesign and time.monotonic() < deadline:
                redesign_part(setup, url, server, args.redesign, args.replications, deadline, figures)
            figures["load average at the end (1 min)"] = os.getloadavg()[0]
            return figures
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def compare_with(reference: Path, args: argparse.Namespace) -> None:
    """This version against the one in ``reference``: ``--repeat`` whole runs of each, in turns, each in a
    fresh interpreter with its own server; the medians of every figure and this / reference."""
    arguments = [f"--scenario={args.scenario}", f"--replications={args.replications}", f"--horizon={args.horizon}",
                 f"--clients={args.clients}", f"--requests={args.requests}", f"--single={args.single}",
                 f"--interactive={args.interactive}", f"--repeats={args.repeats}", f"--library={args.library}",
                 f"--workers={args.workers}", f"--redesign={args.redesign}", f"--timeout={args.timeout}",
                 f"--deadline={args.deadline}", f"--warm-timeout={args.warm_timeout}",
                 *(["--warm"] if args.warm else []),
                 *([f"--replica-cache-mib={args.replica_cache_mib}"] if args.replica_cache_mib is not None else [])]
    # a run is bounded by its deadline, but for the server's start and the library-only parts
    bound = args.deadline + (args.warm_timeout if args.warm else 0) + 900
    figures = in_turns(__file__, arguments, reference, args.repeat, timeout=bound)
    runs = figures["this"] + figures["reference"]
    keys = list(dict.fromkeys(key for run in runs for key in run))
    common = [key for key in keys if all(key in run for run in runs)]
    mode = "server with --warm" if args.warm else f"{args.clients} clients"
    print_ratios(figures, [(key, key) for key in common], reference,
                 f"load_api: {args.scenario}, {args.replications} replications x {args.horizon}, {args.workers} "
                 f"server workers, {mode}")
    missing = [key for key in keys if key not in common]
    if missing:
        print("not in every run (a part cut by the deadline, or a version that does not report it): "
              + "; ".join(missing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="child_allowance")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--horizon", default="1y")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=16, help="requests in the concurrent part (bounded)")
    parser.add_argument("--single", type=int, default=6, help="sequential requests of one client, each cold")
    parser.add_argument("--interactive", type=int, default=12,
                        help="different what-ifs of one client against the same base (the first one cold)")
    parser.add_argument("--repeats", type=int, default=20,
                        help="identical requests answered from the store (not --repeat)")
    parser.add_argument("--library", type=int, default=4,
                        help="what-ifs of the library-only reference (the compute reference, no service)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server worker processes")
    parser.add_argument("--redesign", default="purchase_ringi", help="scenario of the redesign part ('' skips it)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole run (of each turn)")
    parser.add_argument("--warm", action="store_true",
                        help="measure a server started with --warm instead (the warm-up, then first what-ifs)")
    parser.add_argument("--warm-timeout", type=float, default=600.0, help="seconds to wait for the warm-up")
    parser.add_argument("--replica-cache-mib", type=int, default=None,
                        help="the server's BPR_API_REPLICA_CACHE_BYTES in MiB (default: the server's, 256)")
    parser.add_argument("--reference", type=Path, metavar="DIR",
                        help="a checkout of another bpr version to measure against, in turns")
    parser.add_argument("--repeat", type=int, default=3, help="whole runs of each version with --reference")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run's figures, as JSON
    args = parser.parse_args()
    if args.reference is not None and not args.json:
        compare_with(args.reference, args)
        return
    figures = run(args)
    if args.json:
        print(json.dumps(figures))  # the last line of stdout, read by turns.in_turns


if __name__ == "__main__":
    main()
