"""A process as a scenario for the Prosimos simulator: a BPMN model and its simulation parameters (JSON).

Prosimos (a business-process simulator on PyPI) reads a BPMN file and a JSON file of resource pools,
calendars, durations, branching probabilities and the arrival distribution, all times in seconds. This
module writes both from a bpr process, so that a redesign can be simulated by a second tool for a second
opinion. What Prosimos has no place for is not silently dropped: :attr:`ProsimosScenario.notes` lists each
approximation, naming the step or role.

How bpr maps onto Prosimos:

- one start event and one end event (Prosimos reads no more): arrival streams that enter at different steps
  leave the one start event through an exclusive gateway, each entry with its share of the yearly cases;
  several end steps are merged by an exclusive gateway into one end event (noted: outcomes are not told
  apart);
- every task and approval is a BPMN ``task`` (Prosimos reads no other activity) done by its role's pool,
  ``staff`` resources strong, on the role's calendar; delegations (専決) are not followed;
- an approval that can reject is followed by an exclusive gateway with the rejection probability (each pass
  draws afresh, as in bpr); a decision by probability keeps its probabilities; a decision by condition gets
  the share of cases that take each branch, estimated from 20,000 cases whose attributes are drawn from
  the file (fixed seed) and routed by the routing core;
- handoffs and waits are intermediate timer events with their duration distribution (``event_distribution``);
- arrival streams are summed into one Poisson stream of the same yearly volume (exact for Poisson streams on
  one calendar; replayed instants and regular streams are noted); the arrival calendar is the process
  calendar;
- distributions: fixed, exponential, uniform, normal and lognormal map to Prosimos's own; triangular and
  empirical, which Prosimos does not draw, become a normal of the same mean and standard deviation cut to
  the same range (noted);
- calendars are weekly working hours, each weekday with its own hours; public holidays, closed dates and
  the rules of other weeks (n-th weekday, every N weeks, days of the month, exception periods) are not
  carried (noted).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bpr.interchange.bpmn_write import BpmnFlow, BpmnGraph, BpmnNode, flow_graph, write_bpmn
from bpr.model.distributions import Empirical, Exponential, Fixed, Lognormal, Normal, Triangular, Uniform
from bpr.model.routing import DECIDE_C, choose, compile_routing
from bpr.model.schema import WEEKDAYS, Approval, Calendar, Decision, Handoff, Process, Task, Wait
from bpr.model.volume import REFERENCE_YEAR, annual_cases, days_in_year

__all__ = ["ProsimosScenario", "prosimos_scenario", "write_prosimos"]

WEEKDAY_NAMES = {"mon": "MONDAY", "tue": "TUESDAY", "wed": "WEDNESDAY", "thu": "THURSDAY", "fri": "FRIDAY",
                 "sat": "SATURDAY", "sun": "SUNDAY"}
UNLIMITED_STAFF = 1000
"""Pool size written for a role of ``staff: unlimited`` (Prosimos has no unlimited pool)."""
SAMPLE_CASES = 20_000
"""Cases drawn to estimate the branch shares of decisions by condition."""


@dataclass(frozen=True)
class ProsimosScenario:
    bpmn: str  # BPMN 2.0 XML text
    parameters: dict[str, Any]  # the simulation parameters (JSON-ready)
    notes: tuple[str, ...]  # what is approximated or left out, each naming its step or role

    def json(self) -> str:
        return json.dumps(self.parameters, ensure_ascii=False, indent=2) + "\n"


def _seconds(minutes: float) -> float:
    return float(minutes) * 60.0


def _distribution(dist: Any, what: str, notes: list[str]) -> dict[str, Any]:
    """A bpr duration distribution (minutes) as Prosimos's ``distribution_name`` and params (seconds)."""
    if isinstance(dist, Fixed):
        return {"distribution_name": "fix", "distribution_params": [{"value": _seconds(dist.value)}]}
    if isinstance(dist, Exponential):
        mean = _seconds(dist.mean)
        # params: mean, min, max; Prosimos draws expon(loc=min, scale=mean-min) and keeps draws <= max
        return {"distribution_name": "expon",
                "distribution_params": [{"value": mean}, {"value": 0.0}, {"value": mean * 100}]}
    if isinstance(dist, Uniform):
        return {"distribution_name": "uniform",
                "distribution_params": [{"value": _seconds(dist.min)}, {"value": _seconds(dist.max)}]}
    if isinstance(dist, Normal):  # bpr truncates at 0, as Prosimos does (it keeps draws >= 0)
        mu, sd = _seconds(dist.mu), _seconds(dist.sd)
        return {"distribution_name": "norm", "distribution_params": [
            {"value": mu}, {"value": sd}, {"value": 0.0}, {"value": mu + 20 * sd + 1}]}
    if isinstance(dist, Lognormal):
        mean, sd = _seconds(dist.mu), _seconds(dist.sd)
        return {"distribution_name": "lognorm", "distribution_params": [
            {"value": mean}, {"value": sd * sd}, {"value": 0.0}, {"value": mean + 50 * sd}]}
    if isinstance(dist, (Triangular, Empirical)):
        low = dist.min if isinstance(dist, Triangular) else min(dist.values)
        high = dist.max if isinstance(dist, Triangular) else max(dist.values)
        notes.append(f"{what}: {dist.dist} distribution written as a normal of the same mean and standard "
                     f"deviation, cut to [{low:g}, {high:g}] minutes (Prosimos draws no {dist.dist})")
        mu, sd = _seconds(dist.mean), _seconds(math.sqrt(dist.variance))
        if sd == 0:
            return {"distribution_name": "fix", "distribution_params": [{"value": mu}]}
        return {"distribution_name": "norm", "distribution_params": [
            {"value": mu}, {"value": sd}, {"value": _seconds(low)}, {"value": _seconds(high)}]}
    raise TypeError(f"{what}: unknown distribution {dist!r}")


def _calendar_periods(calendar: Calendar) -> list[dict[str, str]]:
    if calendar.always:
        return [{"from": "MONDAY", "to": "SUNDAY", "beginTime": "00:00:00.000", "endTime": "23:59:59.999"}]
    out = []
    for day in calendar.days:
        for start, end in calendar.periods_on(WEEKDAYS.index(day)):
            end_text = "23:59:59.999" if end >= 1440 else f"{end // 60:02d}:{end % 60:02d}:00.000"
            out.append({"from": WEEKDAY_NAMES[day], "to": WEEKDAY_NAMES[day],
                        "beginTime": f"{start // 60:02d}:{start % 60:02d}:00.000", "endTime": end_text})
    return out


def _branch_shares(process: Process, seed: int) -> dict[str, list[float]]:
    """Share of cases taking each branch of every decision by condition, from sampled case attributes."""
    routing = compile_routing(process)
    decisions = [route for route in routing.steps if route.kind == DECIDE_C]
    if not decisions:
        return {}
    rng = np.random.default_rng(seed)
    weights = np.array([annual_cases(process, arrival) for arrival in process.arrivals], dtype=float)
    weights = weights / weights.sum()
    counts = {route.id: np.zeros(len(route.branch_to)) for route in decisions}
    for _ in range(SAMPLE_CASES):
        arrival = process.arrivals[int(rng.choice(len(process.arrivals), p=weights))]
        attributes: dict[str, Any] = {"channel": arrival.channel}
        for name, dist in {**process.attributes, **arrival.attributes}.items():
            attributes[name] = dist.sample(rng)
        for route in decisions:
            target = choose(route, attributes)
            counts[route.id][route.branch_to.index(target)] += 1
    return {step_id: list(count / SAMPLE_CASES) for step_id, count in counts.items()}


def prosimos_scenario(process: Process, *, seed: int = 0) -> ProsimosScenario:
    """The Prosimos model and parameters of ``process`` (module docstring); ``seed`` fixes the sample that
    estimates the branch shares of decisions by condition."""
    notes: list[str] = []
    graph = flow_graph(process, task_tag="task")
    entry_shares = _single_start(process, graph, notes)
    _single_end(graph, notes)
    calendars: dict[str, dict[str, Any]] = {}

    def calendar_id(name: str | None) -> str:
        key = name or "process"
        if key not in calendars:
            calendar = process.calendar_of(name)
            calendars[key] = {"id": f"calendar-{key}", "name": key, "time_periods": _calendar_periods(calendar)}
            if not calendar.always and (calendar.holidays or calendar.closed):
                notes.append(f"calendar {key!r}: public holidays and closed dates are not carried (Prosimos "
                             "calendars are weekly)")
            rules = [name for name, value in (("nth", calendar.nth), ("every_weeks", calendar.every_weeks),
                                              ("month_days", calendar.month_days),
                                              ("exceptions", calendar.exceptions)) if value]
            if not calendar.always and rules:
                notes.append(f"calendar {key!r}: {', '.join(rules)} not carried: open on every listed weekday "
                             "(Prosimos calendars are weekly)")
        return str(calendars[key]["id"])

    assigned: dict[str, list[str]] = {role: [] for role in process.roles}
    durations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for step in process.steps:
        if isinstance(step, (Task, Approval)):
            assigned[step.role].append(step.id)
            durations.append({"task_id": step.id, "resources": [
                {"resource_id": step.role, **_distribution(step.duration, f"step {step.id!r}", notes)}]})
            if isinstance(step, Approval):
                if step.delegations:
                    notes.append(f"step {step.id!r}: delegations (専決) are not followed; {step.role!r} does it")
                if step.batch:
                    notes.append(f"step {step.id!r}: the in-tray batch times {list(step.batch)} are not carried")
        elif isinstance(step, Handoff):
            events.append({"event_id": step.id, **_distribution(step.delay, f"step {step.id!r}", notes)})
            if step.departures:
                notes.append(f"step {step.id!r}: departures at {list(step.departures)} are not carried; the "
                             "delay starts at once")
        elif isinstance(step, Wait):
            events.append({"event_id": step.id, **_distribution(step.duration, f"step {step.id!r}", notes)})
    profiles = []
    for role_id, role in process.roles.items():
        if not assigned[role_id]:
            continue
        amount = role.staff
        if amount == "unlimited":
            amount = UNLIMITED_STAFF
            notes.append(f"role {role_id!r}: unlimited staff written as a pool of {UNLIMITED_STAFF}")
        profiles.append({"id": f"pool-{role_id}", "name": role.name or role_id, "resource_list": [{
            "id": role_id, "name": role.name or role_id, "cost_per_hour": role.hourly_cost, "amount": amount,
            "calendar": calendar_id(role.calendar), "assignedTasks": assigned[role_id]}]})

    gateways = _gateway_probabilities(process, graph, seed, notes)
    if entry_shares:
        gateways.insert(0, {"gateway_id": f"{SINGLE_START}-split", "probabilities": entry_shares})
    arrival = _arrival(process, notes)
    calendar_id(None)
    parameters: dict[str, Any] = {
        "resource_profiles": profiles,
        "arrival_time_distribution": arrival,
        "arrival_time_calendar": calendars["process"]["time_periods"],
        "gateway_branching_probabilities": gateways,
        "task_resource_distribution": durations,
        "resource_calendars": list(calendars.values()),
        "event_distribution": events,
    }
    if process.attributes:
        notes.append("case attributes are not carried: decisions by condition use the estimated branch shares")
    return ProsimosScenario(write_bpmn(process, graph=graph), parameters, tuple(notes))


SINGLE_START = "prosimos-start"
"""Id of the one start event when arrivals enter at several steps (with ``-split`` for the gateway after it)."""
MERGED_END = "prosimos-end"
"""Id of the one end event when several end steps are merged (with ``-merge`` for the gateway before it)."""


def _single_start(process: Process, graph: BpmnGraph, notes: list[str]) -> list[dict[str, Any]]:
    """Leave one start event: where arrivals enter at several steps, the start event is followed by an
    exclusive gateway whose branches lead to the entries with their shares of the yearly cases (exact for
    Poisson streams: a merged Poisson stream split at random gives back the streams). Returns the
    gateway's branching probabilities, or nothing when there is one entry."""
    shares: dict[str, float] = {}
    for arrival in process.arrivals:
        entry = arrival.start or process.start_step
        shares[entry] = shares.get(entry, 0.0) + annual_cases(process, arrival)
    starts = [node for node in graph.nodes if node.tag == "startEvent"]
    start_flows = [item for item in graph.flows if item.source in {node.id for node in starts}]
    used = [item for item in start_flows if shares.get(item.target, 0.0) > 0]
    graph.nodes[:] = [node for node in graph.nodes if node.tag != "startEvent"
                      or node.id in {item.source for item in used}]
    graph.flows[:] = [item for item in graph.flows if item in used or item not in start_flows]
    if len(used) < 2:
        return []
    total = sum(shares.values())
    notes.append(f"arrivals enter at {', '.join(item.target for item in used)}: one start event, then a "
                 f"choice by share of yearly cases ({', '.join(f'{shares[i.target] / total:.3f}' for i in used)})")
    lane = next(node.lane for node in graph.nodes if node.id == used[0].target)
    start = BpmnNode(SINGLE_START, "startEvent", " / ".join(a.channel for a in process.arrivals), "event", lane=lane)
    split = BpmnNode(f"{SINGLE_START}-split", "exclusiveGateway", "", "gateway", lane=lane)
    graph.nodes[:] = [start, split] + [node for node in graph.nodes if node.tag != "startEvent"]
    graph.flows.insert(0, BpmnFlow(f"{SINGLE_START}-flow", start.id, split.id))
    for item in used:
        item.source = split.id
    return [{"path_id": item.id, "value": shares[item.target] / total} for item in used]


def _single_end(graph: BpmnGraph, notes: list[str]) -> None:
    """Route every end step through one exclusive gateway into one end event (Prosimos refuses a model with
    several end events); the end steps' own nodes are dropped."""
    ends = [node for node in graph.nodes if node.tag == "endEvent"]
    if len(ends) < 2:
        return
    names = [node.id for node in ends]
    notes.append(f"end steps {', '.join(names)} merged into one end event (Prosimos has one); outcomes are not "
                 "told apart")
    end_ids = set(names)
    merge = BpmnNode(f"{MERGED_END}-merge", "exclusiveGateway", "", "gateway", lane=ends[0].lane)
    end = BpmnNode(MERGED_END, "endEvent", " / ".join(node.name for node in ends), "event", lane=ends[0].lane)
    graph.nodes[:] = [node for node in graph.nodes if node.id not in end_ids] + [merge, end]
    for item in graph.flows:
        if item.target in end_ids:
            item.target = merge.id
    graph.flows.append(BpmnFlow(f"{MERGED_END}-flow", merge.id, end.id))


def _gateway_probabilities(process: Process, graph: BpmnGraph, seed: int, notes: list[str]) -> list[dict[str, Any]]:
    shares = _branch_shares(process, seed)
    out = []
    for step in process.steps:
        if isinstance(step, Decision):
            flows = [f for f in graph.flows if f.source == step.id]
            if step.id in shares:
                values = shares[step.id]
                notes.append(f"step {step.id!r}: conditions replaced by the share of cases taking each branch "
                             f"({', '.join(f'{v:.3f}' for v in values)}, from {SAMPLE_CASES:,} sampled cases)")
            else:
                values = [float(b.probability or 0.0) for b in step.next]
            out.append({"gateway_id": step.id, "probabilities": [
                {"path_id": f.id, "value": value} for f, value in zip(flows, values)]})
        elif isinstance(step, Approval) and step.reject is not None:
            gateway = f"{step.id}-outcome"
            flows = [f for f in graph.flows if f.source == gateway]
            p = step.reject.probability
            out.append({"gateway_id": gateway, "probabilities": [
                {"path_id": flows[0].id, "value": 1 - p}, {"path_id": flows[1].id, "value": p}]})
    return out


def _arrival(process: Process, notes: list[str]) -> dict[str, Any]:
    """One Poisson stream with the yearly volume of all streams, spread over the process calendar's weeks."""
    year = REFERENCE_YEAR
    cases = sum(annual_cases(process, arrival, year) for arrival in process.arrivals)
    calendar = process.calendar
    if len({arrival.calendar for arrival in process.arrivals}) > 1 or any(a.calendar for a in process.arrivals):
        notes.append("arrival streams on their own calendars are summed onto the process calendar")
    if any(arrival.profile for arrival in process.arrivals):
        notes.append("weekday/hour arrival profiles are not carried")
    for arrival in process.arrivals:
        if arrival.times is not None or arrival.at is not None:
            notes.append(f"arrival stream {arrival.channel!r}: replayed instants written as Poisson arrivals of the "
                         "same yearly volume (Prosimos reads no list of instants)")
        elif arrival.pattern == "regular":
            notes.append(f"arrival stream {arrival.channel!r}: regular arrivals written as Poisson arrivals of the "
                         "same rate")
    if len(process.arrivals) > 1:
        notes.append(f"{len(process.arrivals)} arrival streams summed into one Poisson stream "
                     f"({cases:,.0f} cases a year)")
    mean_minutes = days_in_year(year) * 1440 / cases
    if not calendar.always:
        notes.append("arrivals: Prosimos draws gaps in clock time and holds arrivals at closed times until the "
                     "next opening (bpr draws them in open time); the yearly volume is the same")
    mean = _seconds(mean_minutes)
    return {"distribution_name": "expon",
            "distribution_params": [{"value": mean}, {"value": 0.0}, {"value": mean * 100}]}


def write_prosimos(process: Process, stem: str | os.PathLike[str], *, seed: int = 0) -> tuple[Path, Path,
                                                                                          tuple[str, ...]]:
    """Write ``<stem>.bpmn`` and ``<stem>.json`` for Prosimos; the two paths and the notes."""
    scenario = prosimos_scenario(process, seed=seed)
    base = Path(stem)
    if base.suffix.lower() in (".bpmn", ".json"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    bpmn_path, json_path = base.with_name(base.name + ".bpmn"), base.with_name(base.name + ".json")
    bpmn_path.write_text(scenario.bpmn, encoding="utf-8")
    json_path.write_text(scenario.json(), encoding="utf-8")
    return bpmn_path, json_path, scenario.notes
