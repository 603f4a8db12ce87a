"""Engine overhead: cases per second of bpr against a minimal hand-written simpy model of the same process.

Two processes, both 24/7 with exponential times: a single M/M/3 queue (rho = 0.8) and a 5-step approval
chain (clerk -> chief -> section head -> director -> filing, each role busy about 70%). Each model is run
for the same simulated time in this one process; the figures are simulated cases per second of CPU time
of the process (the best of ``--repeat`` runs): on a machine shared with other work, CPU time is what
the run itself costs, while wall time also counts the time other processes held the core. Targets: bpr
<= 1.5x the time of the hand-written model; the chain at >= 10,000 cases/s.

With ``--reference DIR`` (a checkout of another version, e.g. ``git worktree add /tmp/prev HEAD~1``), that
version's engine runs the same models in the same bench, in turns with this one (each turn in a fresh
interpreter whose ``bpr`` is the one in DIR), and the ratio of CPU per case is printed: a change to the engine
is measured against the commit before it on the same machine at the same time.

    python bench/engine_overhead.py [--minutes 200000] [--repeat 3] [--reference /tmp/prev]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

import simpy

from bpr.model.load import process_from_data
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import run_replication
from bpr.simulate.plan import build_plan

MMC = {
    "id": "mmc", "name": "M/M/3", "calendar": "always",
    "roles": {"servers": {"staff": 3}},
    "arrivals": [{"channel": "counter", "rate": "144/hour"}],
    "steps": [
        {"id": "serve", "type": "task", "role": "servers", "duration": {"dist": "exponential", "mean": "1m"},
         "next": "done"},
        {"id": "done", "type": "end"},
    ],
}

# (role, staff, mean minutes): with 1 case/min every role is about 70% busy.
CHAIN_STEPS = [("clerk", 2, 1.4), ("chief", 1, 0.7), ("head", 1, 0.7), ("director", 1, 0.7), ("filing", 1, 0.7)]
CHAIN = {
    "id": "chain", "name": "5-step approval chain", "calendar": "always",
    "roles": {role: {"staff": staff} for role, staff, _ in CHAIN_STEPS},
    "arrivals": [{"channel": "mail", "rate": "60/hour"}],
    "steps": [
        {"id": f"s{i}", "type": "approval" if 0 < i < 4 else "task", "role": role,
         "duration": {"dist": "exponential", "mean": f"{mean}m"}, "next": f"s{i + 1}" if i < 4 else "done"}
        for i, (role, _, mean) in enumerate(CHAIN_STEPS)
    ] + [{"id": "done", "type": "end"}],
}


def hand_written(stations: list[tuple[int, float]], rate: float, minutes: float, seed: int) -> int:
    """The minimal simpy model: a generator per customer, ``with resource.request()`` per station."""
    env = simpy.Environment()
    rng = random.Random(seed)
    resources = [(simpy.Resource(env, staff), mean) for staff, mean in stations]
    done = [0]

    def customer() -> Any:
        for resource, mean in resources:
            with resource.request() as request:
                yield request
                yield env.timeout(rng.expovariate(1.0 / mean))
        done[0] += 1

    def source() -> Any:
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(customer())

    env.process(source())
    env.run(until=minutes)
    return done[0]


def bpr_model(data: dict[str, Any], minutes: float, seed: int) -> int:
    process = process_from_data(data)
    config = SimConfig(horizon=f"{minutes:g}m", warm_up="0m", drain="1m", seed=seed)
    out = run_replication(build_plan(process, config.start_date), config, 0)
    return out.case_count


def best(fn: Any, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for r in range(repeat):
        start = time.process_time()
        count = fn(r)
        times.append(time.process_time() - start)
    return min(times), count


CASES = [
    ("M/M/3 single queue", MMC, [(3, 1.0)], 2.4),
    ("5-step approval chain", CHAIN, [(staff, mean) for _, staff, mean in CHAIN_STEPS], 1.0),
]


def bpr_turn(source: str | None, minutes: float, seed: int) -> dict[str, tuple[float, int]]:
    """One run of every model's bpr version: in this process, or in a fresh interpreter using ``source``."""
    if source is None:
        out = {}
        for name, data, _, _ in CASES:
            start = time.process_time()
            count = bpr_model(data, minutes, seed)
            out[name] = (time.process_time() - start, count)
        return out
    env = dict(os.environ, PYTHONPATH=source)
    answer = subprocess.run([sys.executable, __file__, "--turn", "--minutes", str(minutes), "--seed", str(seed)],
                            env=env, capture_output=True, text=True, check=True)
    return {name: (float(t), int(n)) for name, (t, n) in json.loads(answer.stdout).items()}


def compare_with(reference: str, minutes: float, repeat: int) -> None:
    """This engine against the one in ``reference``, turn by turn, both in fresh interpreters."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    best_of: dict[tuple[str, str], float] = {}
    for r in range(repeat):
        for label, source in (("reference", reference), ("this", here)):
            for name, (seconds, count) in bpr_turn(source, minutes, r).items():
                key = (label, name)
                best_of[key] = min(best_of.get(key, float("inf")), seconds / count)
    print(f"\nCPU per case, best of {repeat} turns each, against {reference}")
    print(f"{'model':24} {'reference':>14} {'this':>14} {'ratio':>8}")
    for name, *_ in CASES:
        ref, this = best_of[("reference", name)], best_of[("this", name)]
        print(f"{name:24} {ref * 1e6:11.2f} µs {this * 1e6:11.2f} µs {this / ref:7.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=100_000.0, help="simulated minutes per run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", help="a checkout of another bpr version to measure against")
    parser.add_argument("--turn", action="store_true", help=argparse.SUPPRESS)  # one bpr turn, as JSON
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.turn:
        print(json.dumps(bpr_turn(None, args.minutes, args.seed)))
        return
    print(f"cases per CPU-second, best of {args.repeat} runs of {args.minutes:,.0f} simulated minutes")
    print(f"{'model':24} {'hand-written simpy':>20} {'bpr':>14} {'time ratio':>11}")
    for name, data, stations, rate in CASES:
        t_hand, n_hand = best(lambda r: hand_written(stations, rate, args.minutes, r), args.repeat)
        t_bpr, n_bpr = best(lambda r: bpr_model(data, args.minutes, r), args.repeat)
        speed_hand, speed_bpr = n_hand / t_hand, n_bpr / t_bpr
        print(f"{name:24} {speed_hand:14,.0f} cases/s {speed_bpr:8,.0f} cases/s {speed_hand / speed_bpr:10.2f}x")
    if args.reference:
        compare_with(args.reference, args.minutes, args.repeat)


if __name__ == "__main__":
    main()
