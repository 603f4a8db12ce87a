"""Engine overhead: cases per second of bpr against a minimal hand-written simpy model of the same process.

Two processes, both 24/7 with exponential times: a single M/M/3 queue (rho = 0.8) and a 5-step approval
chain (clerk -> chief -> section head -> director -> filing, each role busy about 70%). Each model is run
for the same simulated time in this one process; the figures are simulated cases per second of CPU time
of the process (the best of ``--repeat`` runs): on a machine shared with other work, CPU time is what
the run itself costs, while wall time also counts the time other processes held the core. Targets: bpr
<= 1.5x the time of the hand-written model; the chain at >= 10,000 cases/s.

    python bench/engine_overhead.py [--minutes 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=100_000.0, help="simulated minutes per run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("M/M/3 single queue", MMC, [(3, 1.0)], 2.4),
        ("5-step approval chain", CHAIN, [(staff, mean) for _, staff, mean in CHAIN_STEPS], 1.0),
    ]
    print(f"cases per CPU-second, best of {args.repeat} runs of {args.minutes:,.0f} simulated minutes")
    print(f"{'model':24} {'hand-written simpy':>20} {'bpr':>14} {'time ratio':>11}")
    for name, data, stations, rate in cases:
        t_hand, n_hand = best(lambda r: hand_written(stations, rate, args.minutes, r), args.repeat)
        t_bpr, n_bpr = best(lambda r: bpr_model(data, args.minutes, r), args.repeat)
        speed_hand, speed_bpr = n_hand / t_hand, n_bpr / t_bpr
        print(f"{name:24} {speed_hand:14,.0f} cases/s {speed_bpr:8,.0f} cases/s {speed_hand / speed_bpr:10.2f}x")


if __name__ == "__main__":
    main()
