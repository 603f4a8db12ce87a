"""Parallel co-sign (合議) with returns: a co-signer sends the case back to a step before the split.

A branch whose approval rejects to a step outside its block stops and arrives at the join marked returned;
when every branch has arrived, the case goes to the reject target of the branch that returned first (in
time), not to the join's next step.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import date

from bpr.simulate import SimConfig, simulate
from bpr.simulate.streams import Streams, case_uniform, stream_key
from simhelp import SEED, assert_matches, cases, make_process, run_once, timeline

P_X, P_Y = 0.3, 0.2


def cosign(staff: object = 1, rate: str = "1/week", pattern: str = "regular") -> dict:
    """draft (10 min) -> split -> [y (60 min), x (30 min)] -> join -> done, 24/7.

    x returns the case to ``fix_x`` (the applicant, 1 h), y to ``fix_y`` (2 h); both lead back to draft.
    ``y`` is the first branch but the slower one, so when both return, x's return is the earlier.
    """
    return {
        "calendar": "always",
        "roles": {"drafter": {"staff": staff}, "budget": {"staff": staff}, "legal": {"staff": staff}},
        "arrivals": [{"channel": "mail", "rate": rate, "pattern": pattern}],
        "steps": [
            {"id": "draft", "type": "task", "role": "drafter", "duration": "10m", "next": "split"},
            {"id": "split", "type": "parallel", "next": ["y", "x"], "join": "cosigned"},
            {"id": "x", "type": "approval", "role": "budget", "duration": "30m",
             "reject": {"probability": P_X, "to": "fix_x"}, "next": "cosigned"},
            {"id": "y", "type": "approval", "role": "legal", "duration": "60m",
             "reject": {"probability": P_Y, "to": "fix_y"}, "next": "cosigned"},
            {"id": "fix_x", "type": "wait", "duration": "1h", "next": "draft"},
            {"id": "fix_y", "type": "wait", "duration": "2h", "next": "draft"},
            {"id": "cosigned", "type": "join", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    }


def expected_case(key: int, arrival: float) -> tuple[list[tuple[str, float, float, str]], dict[str, float]]:
    """The documented semantics by hand: the case's activities (id, start, end, outcome), its end, and its
    figures."""
    x_key, y_key = stream_key("reject:x"), stream_key("reject:y")
    t, n = arrival, 0
    events: list[tuple[str, float, float, str]] = []
    pending: set[str] = set()
    since = rework_time = waiting = 0.0
    rejections = 0
    while True:
        x_back = case_uniform(key, x_key, n) < P_X
        y_back = case_uniform(key, y_key, n) < P_Y
        events.append(("draft", t, t + 10, "done"))
        events += [("x", t + 10, t + 40, "rejected" if x_back else "approved"),
                   ("y", t + 10, t + 70, "rejected" if y_back else "approved")]
        for step, back, at in (("x", x_back, t + 40), ("y", y_back, t + 70)):  # in time order
            if back:
                rejections += 1
                if not pending:
                    since = at
                pending.add(step)
            elif step in pending:
                pending.discard(step)
                if not pending:
                    rework_time += at - since
        n += 1
        joined = t + 70
        if not (x_back or y_back):
            events.append(("done", joined, joined, "ended"))
            return events, {"lead_time": joined - arrival, "rejections": rejections, "approvals": 2 * n,
                            "rework_time": rework_time, "wait_rework": waiting, "path_touch": 70 * n}
        fix, wait = ("fix_x", 60) if x_back else ("fix_y", 120)  # x's return is the earlier one
        events.append((fix, joined, joined + wait, "done"))
        waiting += wait
        t = joined + wait


def test_a_return_from_a_cosigner_goes_back_before_the_split() -> None:
    out = run_once(make_process(cosign()), date(2026, 5, 11), horizon="40w", seed=1)
    keys = Streams(1, 0).get("case:mail").bit_generator.random_raw(40).tolist()
    got = sorted(out.events or [], key=lambda e: (e.case_id, e.start, e.end, e.activity))
    rows = sorted(cases(out), key=lambda c: c["lead_time"])
    expected_rows = []
    for case_id, key in enumerate(keys):
        events, figures = expected_case(key, case_id * 10080.0)
        mine = [(e.activity, e.start, e.end, e.outcome) for e in got if e.case_id == case_id]
        assert mine == sorted(events, key=lambda e: (e[1], e[2], e[0])), f"case {case_id}"
        expected_rows.append(figures)
    # Every kind of pass occurred: none, x's return only, y's return only, and both at once.
    x_key, y_key = stream_key("reject:x"), stream_key("reject:y")
    kinds = {(case_uniform(k, x_key, n) < P_X, case_uniform(k, y_key, n) < P_Y)
             for k in keys for n in range(3)}
    assert kinds == {(False, False), (True, False), (False, True), (True, True)}
    for row, figures in zip(rows, sorted(expected_rows, key=lambda f: f["lead_time"])):
        for name, value in figures.items():
            assert row[name] == value, (name, row, figures)
        assert row["waiting"] == row["wait_rework"]  # nobody queues: all waiting is the applicant's (rework)


def test_rework_per_pass_matches_independent_cosigners() -> None:
    """Each pass is returned unless both co-signers approve: passes are geometric with 1 - (1-p_x)(1-p_y)."""
    process = make_process(cosign(staff="unlimited", rate="30/hour", pattern="poisson"))
    result = simulate(process, SimConfig(horizon="1d", warm_up="0m", replications=20, seed=SEED))
    assert not result.warnings
    passes = 1 / ((1 - P_X) * (1 - P_Y))
    assert_matches(result.kpis["approvals"].mean, 2 * passes, "approvals (2 per pass)", precision=0.03)
    assert_matches(result.kpis["rejections"].mean, passes * (P_X + P_Y), "returns per case", precision=0.05)


def test_a_return_out_of_a_nested_split_stays_in_the_outer_block() -> None:
    # draft -> outer split -> [a, prep -> inner split -> [b (rejects to prep, p = 0.5), c] -> inner join]
    # -> outer join -> done. A return from b leaves the inner block only: the outer branch goes on at prep.
    process = make_process({
        "calendar": "always",
        "roles": {"r": {"staff": "unlimited"}},
        "arrivals": [{"channel": "mail", "rate": "1/day", "pattern": "regular"}],
        "steps": [
            {"id": "draft", "type": "task", "role": "r", "duration": "10m", "next": "outer"},
            {"id": "outer", "type": "parallel", "next": ["a", "prep"], "join": "outer_join"},
            {"id": "a", "type": "task", "role": "r", "duration": "5m", "next": "outer_join"},
            {"id": "prep", "type": "task", "role": "r", "duration": "5m", "next": "inner"},
            {"id": "inner", "type": "parallel", "next": ["b", "c"], "join": "inner_join"},
            {"id": "b", "type": "approval", "role": "r", "duration": "20m",
             "reject": {"probability": 0.5, "to": "prep"}, "next": "inner_join"},
            {"id": "c", "type": "task", "role": "r", "duration": "30m", "next": "inner_join"},
            {"id": "inner_join", "type": "join", "next": "outer_join"},
            {"id": "outer_join", "type": "join", "next": "done"},
            {"id": "done", "type": "end"},
        ],
    })
    out = run_once(process, date(2026, 5, 11), horizon="30d")
    rows = cases(out)
    assert {c["rejections"] for c in rows} >= {0, 1, 2}
    for c in rows:
        # draft once; then per pass prep and the slower inner branch (c, 30 min); a runs once, alongside.
        passes = c["rejections"] + 1
        assert c["lead_time"] == 10 + 35 * passes
        assert c["approvals"] == passes
        assert c["touch_time"] == 10 + 5 + passes * (5 + 20 + 30)
    assert [e[1] for e in timeline(out) if e[0] == 0].count("a") == 1


def test_a_worker_loads_the_engine_alone() -> None:
    """A pool worker unpickles ``replicate`` (as the runner submits it): that must not load the results, the
    graph library, the event-log writers or the faces (each worker's memory is paid once per core)."""
    from bpr.simulate.runner import replicate

    code = (f"import pickle, sys\npickle.loads({pickle.dumps(replicate)!r})\n"
            "print(sorted(m for m in ('networkx', 'jinja2', 'rich', 'typer', 'lxml', 'bpr.simulate.results', "
            "'bpr.simulate.runner', 'bpr.analysis', 'bpr.render') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_finished_replication_holds_no_sample_while_its_cases_in_flight_wait_for_the_collector() -> None:
    """Cases still in flight when a replication stops are a reference cycle with it: until a full collection,
    it must not keep its megabytes (the case sample), or a long run in one process grows with every one."""
    import gc

    from bpr.simulate.engine import run_replication
    from bpr.simulate.plan import build_plan

    process = make_process({
        "calendar": "always", "roles": {"clerk": {"staff": 1}},
        "arrivals": [{"channel": "mail", "rate": "50/hour"}],
        "steps": [{"id": "work", "type": "task", "role": "clerk",
                   "duration": {"dist": "exponential", "mean": "1m"}, "next": "done"},
                  {"id": "done", "type": "end"}]})
    config = SimConfig(horizon="3d", warm_up="0m", seed=SEED)
    plan = build_plan(process, config.start_date)
    gc.collect()
    gc.disable()
    try:
        outputs = [run_replication(plan, config, r) for r in range(3)]
        held = [o for o in gc.get_objects() if type(o).__name__ == "_Reservoir"]
    finally:
        gc.enable()
    assert all(out.quantiles is not None for out in outputs)
    assert held == []
