"""Results of a run and of a before/after comparison, with the stable JSON shape of docs/results.md.

Per replication the engine gives sums over the measured cases and a bounded uniform sample of them; here
each measure becomes one value per replication (a mean, a p50, a p90, a rate, a yearly total) and then an
:class:`~bpr.simulate.estimate.Estimate` over replications. A comparison pairs replication ``r`` of the
before and after runs (same seed, same streams) and reports :class:`~bpr.simulate.estimate.Difference`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from bpr.errors import SimulationError
from bpr.interchange.eventlog import ActivityRecord, write_csv
from bpr.simulate.config import SimConfig
from bpr.simulate.engine import CASE_FIELDS, Event, ReplicationOutput
from bpr.simulate.estimate import Difference, Estimate, _num
from bpr.model.routing import Route
from bpr.simulate.plan import APPROVAL, HANDOFF, TASK, WAIT, Plan

__all__ = ["KPIS", "OVERLOAD_UTILISATION", "SCHEMA_VERSION", "YEARLY", "Comparison", "DeadlineResult", "KpiResult",
           "RoleResult", "SimulationResult", "StepResult", "Warning_", "compare_results", "event_records", "events_csv",
           "summarize"]

SCHEMA_VERSION = 1
"""Version of the JSON shape; raised only when a key changes meaning or disappears."""

OVERLOAD_UTILISATION = 0.98
"""A role this busy (or busier) is flagged: its queue would grow without bound, averages mean nothing."""

# name -> (unit, label). Per-case measures: mean, p50 and p90 of the measured cases, per replication.
KPIS: dict[str, tuple[str, str]] = {
    "lead_time": ("minutes", "Lead time"),
    "lead_days": ("days", "Lead time (calendar days)"),
    "business_days": ("days", "Lead time (business days)"),
    "touch_time": ("minutes", "Touch time"),
    "path_touch": ("minutes", "Touch time (critical path)"),
    "waiting": ("minutes", "Waiting"),
    "wait_contention": ("minutes", "Waiting: busy staff"),
    "wait_priority": ("minutes", "Waiting: priority"),
    "wait_batching": ("minutes", "Waiting: batching"),
    "wait_unavailability": ("minutes", "Waiting: off-hours"),
    "wait_transport": ("minutes", "Waiting: transport"),
    "wait_external": ("minutes", "Waiting: outside parties"),
    "wait_rework": ("minutes", "Waiting: rework"),
    "counter_wait": ("minutes", "Counter waiting"),
    "rework_time": ("minutes", "Time in rework"),
    "visits": ("count", "Citizen visits"),
    "stamps": ("count", "Stamps (hanko)"),
    "handoffs": ("count", "Handoffs"),
    "paper_steps": ("count", "Paper steps"),
    "approvals": ("count", "Approvals"),
    "rejections": ("count", "Rejections"),
    "overtime": ("minutes", "Counter overtime"),
}

# name -> (unit, label). One value per replication: totals and rates for one year (365 days).
YEARLY: dict[str, tuple[str, str]] = {
    "cases_per_year": ("cases", "Cases/year"),
    "staff_hours_per_year": ("hours", "Staff-hours/year"),
    "fte": ("FTE", "FTE"),
    "cost_yen_per_year": ("yen", "Staff cost/year"),
    "e_approval_rate": ("ratio", "E-approval rate"),
    "online_rate": ("ratio", "Online rate"),
    "wip": ("cases", "Cases in process"),
    "overtime_hours_per_year": ("hours", "Counter overtime hours/year"),
}

_COL = {name: i for i, name in enumerate(CASE_FIELDS)}

_TIMED = {TASK: "task", APPROVAL: "approval", HANDOFF: "handoff", WAIT: "wait"}
"""Step kinds that take time, and so have per-step figures: their type names in the process file."""


@dataclass(frozen=True)
class Warning_:
    """Something that makes averages misleading; ``kind`` is ``overload``, ``growing_queue`` or ``unfinished``."""

    kind: str
    message: str
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "role": self.role, "message": self.message}


@dataclass(frozen=True)
class KpiResult:
    name: str
    unit: str
    label: str
    mean: Estimate
    p50: Estimate
    p90: Estimate

    def to_dict(self) -> dict[str, Any]:
        out = {"unit": self.unit, "label": self.label, **self.mean.to_dict()}
        out["p50"] = _num(self.p50.mean)
        out["p90"] = _num(self.p90.mean)
        out["p50_ci95"] = [_num(self.p50.low), _num(self.p50.high)]
        out["p90_ci95"] = [_num(self.p90.low), _num(self.p90.high)]
        return out


@dataclass(frozen=True)
class RoleResult:
    id: str
    name: str
    staff: int | None
    external: bool
    hourly_cost: float
    utilisation: Estimate | None
    staff_hours_per_year: Estimate
    fte: Estimate
    cost_yen_per_year: Estimate
    tasks_per_year: Estimate
    queue_mean: float
    queue_growth: Estimate
    overloaded: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "staff": self.staff if self.staff is not None else "unlimited",
            "external": self.external,
            "hourly_cost": self.hourly_cost,
            "utilisation": self.utilisation.to_dict() if self.utilisation is not None else None,
            "staff_hours_per_year": self.staff_hours_per_year.to_dict(),
            "fte": self.fte.to_dict(),
            "cost_yen_per_year": self.cost_yen_per_year.to_dict(),
            "tasks_per_year": self.tasks_per_year.to_dict(),
            "queue_mean": _num(self.queue_mean),
            "queue_growth": self.queue_growth.to_dict(),
            "overloaded": self.overloaded,
        }


@dataclass(frozen=True)
class StepResult:
    """Where cases wait, step by step: mean waiting at the step and times passed, per measured case."""

    id: str
    name: str
    type: str
    waiting: Estimate
    visits: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type,
                "waiting": {"unit": "minutes", **self.waiting.to_dict()},
                "visits": {"unit": "count", **self.visits.to_dict()}}


@dataclass(frozen=True)
class DeadlineResult:
    """How the cases fare against the process deadline (標準処理期間, ``deadline:`` of the process file).

    ``share_within``: the share of measured cases that ended by their deadline (a ratio); ``lead_p90`` and
    ``lead_mean``: the 90th percentile and the mean of the lead time in the deadline's ``unit`` (calendar
    ``days``, ``business_days`` or ``working_hours``), to read against ``limit``. Each an estimate over the
    replications with its 95% confidence interval.
    """

    within: str
    limit: int
    unit: str
    share_within: Estimate
    lead_p90: Estimate
    lead_mean: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"within": self.within, "limit": self.limit, "unit": self.unit,
                "share_within": {"unit": "ratio", **self.share_within.to_dict()},
                "lead_p90": {"unit": self.unit, **self.lead_p90.to_dict()},
                "lead_mean": {"unit": self.unit, **self.lead_mean.to_dict()}}


@dataclass(frozen=True)
class SimulationResult:
    """Everything a run measured; ``values`` holds the per-replication values behind every estimate."""

    process_id: str
    process_name: str
    config: SimConfig
    kpis: dict[str, KpiResult]
    yearly: dict[str, Estimate]
    roles: dict[str, RoleResult]
    cases: dict[str, Any]
    warnings: tuple[Warning_, ...]
    values: dict[str, list[float]] = field(repr=False)
    events: list[Event] | None = field(default=None, repr=False)
    channels: tuple[str, ...] = ()
    steps: dict[str, StepResult] = field(default_factory=dict)
    timezone: str = "Asia/Tokyo"  # of the process calendar: the event log's times are local to it
    deadline: DeadlineResult | None = None  # against the process deadline; None when the process has none

    @property
    def overloaded(self) -> bool:
        return any(w.kind in ("overload", "unfinished") for w in self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "simulation",
            "process": {"id": self.process_id, "name": self.process_name},
            "config": _config_dict(self.config),
            "cases": self.cases,
            "kpis": {name: kpi.to_dict() for name, kpi in self.kpis.items()},
            "year": {name: {"unit": YEARLY[name][0], "label": YEARLY[name][1], **est.to_dict()}
                     for name, est in self.yearly.items()},
            "roles": {role_id: role.to_dict() for role_id, role in self.roles.items()},
            "steps": {step_id: step.to_dict() for step_id, step in self.steps.items()},
            "deadline": self.deadline.to_dict() if self.deadline is not None else None,
            "overloaded": self.overloaded,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def to_csv(self) -> str:
        """One row per measure: metric, unit, mean, ci95 low/high, p50, p90."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric", "unit", "mean", "ci95_low", "ci95_high", "p50", "p90"])
        for name, kpi in self.kpis.items():
            writer.writerow([name, kpi.unit, _cell(kpi.mean.mean), _cell(kpi.mean.low), _cell(kpi.mean.high),
                             _cell(kpi.p50.mean), _cell(kpi.p90.mean)])
        for name, est in self.yearly.items():
            writer.writerow([name, YEARLY[name][0], _cell(est.mean), _cell(est.low), _cell(est.high), "", ""])
        for role_id, role in self.roles.items():
            for key, unit, kept in (("utilisation", "ratio", role.utilisation),
                                    ("staff_hours_per_year", "hours", role.staff_hours_per_year),
                                    ("fte", "FTE", role.fte), ("cost_yen_per_year", "yen", role.cost_yen_per_year)):
                if kept is not None:  # no utilisation for a role of unlimited staff
                    writer.writerow([f"role.{role_id}.{key}", unit, _cell(kept.mean), _cell(kept.low),
                                     _cell(kept.high), "", ""])
        if self.deadline is not None:
            d = self.deadline
            for key, unit, est in (("share_within", "ratio", d.share_within), ("lead_p90", d.unit, d.lead_p90),
                                   ("lead_mean", d.unit, d.lead_mean)):
                writer.writerow([f"deadline.{key}", unit, _cell(est.mean), _cell(est.low), _cell(est.high), "", ""])
        for step_id, step in self.steps.items():
            for key, unit, est in (("waiting", "minutes", step.waiting), ("visits", "count", step.visits)):
                writer.writerow([f"step.{step_id}.{key}", unit, _cell(est.mean), _cell(est.low),
                                 _cell(est.high), "", ""])
        return out.getvalue()


@dataclass(frozen=True)
class Comparison:
    """Before and after, paired by replication (common random numbers)."""

    before: SimulationResult
    after: SimulationResult
    differences: dict[str, Difference]
    role_differences: dict[str, dict[str, Difference]]

    @property
    def headline(self) -> dict[str, Any]:
        """The savings a proposal quotes; positive numbers are savings."""
        d = self.differences
        lead, counter = d["lead_time"], d["counter_wait"]

        def saving(diff: Difference) -> dict[str, Any]:
            est = diff.difference
            return {"value": _num(0.0 - est.mean), "ci95": [_num(0.0 - est.high), _num(0.0 - est.low)], "significant": diff.significant}

        def reduction(diff: Difference) -> dict[str, Any]:
            low, high = diff.percent_ci
            return {"value": _num(0.0 - diff.percent_change), "ci95": [_num(0.0 - high), _num(0.0 - low)],
                    "significant": diff.significant}

        return {
            "processing_time_reduction_percent": reduction(lead),
            "lead_time_saved_minutes": saving(lead),
            "business_days_saved": saving(d["business_days"]),
            "staff_hours_saved_per_year": saving(d["staff_hours_per_year"]),
            "fte_saved": saving(d["fte"]),
            "yen_saved_per_year": saving(d["cost_yen_per_year"]),
            "counter_wait_reduction_percent": reduction(counter),
            "counter_wait_saved_minutes": saving(counter),
            "deadline": self.deadline,
        }

    @property
    def deadline(self) -> dict[str, Any] | None:
        """The deadline figures before and after, and the change in the share of cases within it (in
        percentage points, positive: more cases in time) and in the p90 lead time (in the deadline's unit,
        positive: longer); ``None`` unless both versions have a deadline."""
        if self.before.deadline is None or self.after.deadline is None:
            return None
        share, p90 = self.differences["deadline_share"].difference, self.differences["deadline_lead_p90"].difference
        return {
            "before": self.before.deadline.to_dict(),
            "after": self.after.deadline.to_dict(),
            "share_within_change_points": {
                "value": _num(100.0 * share.mean), "ci95": [_num(100.0 * share.low), _num(100.0 * share.high)],
                "significant": self.differences["deadline_share"].significant},
            "lead_p90_change": {"value": _num(p90.mean), "ci95": [_num(p90.low), _num(p90.high)],
                                "unit": self.after.deadline.unit,
                                "significant": self.differences["deadline_lead_p90"].significant},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "comparison",
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "differences": {name: {"unit": _unit(name), **diff.to_dict()} for name, diff in self.differences.items()},
            "roles": {role: {key: diff.to_dict() for key, diff in diffs.items()}
                      for role, diffs in self.role_differences.items()},
            "headline": self.headline,
            "overloaded": self.before.overloaded or self.after.overloaded,
            "warnings": [{"version": "before", **w.to_dict()} for w in self.before.warnings]
            + [{"version": "after", **w.to_dict()} for w in self.after.warnings],
        }

    def to_csv(self) -> str:
        """One row per measure: before, after, difference, % change, 95% CI of the difference, significant."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric", "unit", "before", "after", "difference", "percent_change", "ci95_low",
                         "ci95_high", "significant"])
        rows = list(self.differences.items())
        for role, diffs in self.role_differences.items():
            rows += [(f"role.{role}.{key}", diff) for key, diff in diffs.items()]
        for name, diff in rows:
            est = diff.difference
            writer.writerow([name, _unit(name.rsplit(".", 1)[-1]), _cell(diff.before), _cell(diff.after),
                             _cell(est.mean), _cell(diff.percent_change), _cell(est.low), _cell(est.high),
                             "yes" if diff.significant else "no"])
        return out.getvalue()


def _unit(name: str) -> str:
    if name == "deadline_share":
        return "ratio"
    if name in KPIS:
        return KPIS[name][0]
    if name in YEARLY:
        return YEARLY[name][0]
    return {"utilisation": "ratio", "staff_hours_per_year": "hours", "fte": "FTE",
            "cost_yen_per_year": "yen"}.get(name, "")


def _cell(value: float) -> str:
    v = _num(value)
    return "" if v is None else repr(round(v, 6))


def _config_dict(config: SimConfig) -> dict[str, Any]:
    return {
        "replications": config.replications,
        "horizon": config.horizon,
        "warm_up": config.warm_up,
        "horizon_minutes": config.horizon_minutes,
        "warm_up_minutes": config.warm_up_minutes,
        "drain": config.drain,
        "drain_minutes": config.drain_minutes,
        "seed": config.seed,
        "start_date": config.start_date.isoformat(),
        "hours_per_fte": config.hours_per_fte,
        "case_sample": config.case_sample,
    }


# --- building results from replications --------------------------------------------------------------


def _replication_values(plan: Plan, config: SimConfig, out: ReplicationOutput) -> dict[str, float]:
    """Every measure of one replication as a flat name -> value map (``kpi.p50`` style for quantiles)."""
    values: dict[str, float] = {}
    n = out.completed
    quantiles = out.quantiles  # rows p50, p90 (engine.QUANTILES)
    for name in KPIS:
        col = _COL[name]
        values[name] = float(out.sums[col] / n) if n else math.nan
        if quantiles is not None:
            values[f"{name}.p50"], values[f"{name}.p90"] = float(quantiles[0, col]), float(quantiles[1, col])
        else:
            values[f"{name}.p50"] = values[f"{name}.p90"] = math.nan
    if plan.deadline is not None:
        values["deadline_share"] = float(out.sums[_COL["within_deadline"]] / n) if n else math.nan
        values["deadline_lead"] = float(out.sums[_COL["deadline_lead"]] / n) if n else math.nan
        values["deadline_lead.p90"] = (float(quantiles[1, _COL["deadline_lead"]]) if quantiles is not None
                                       else math.nan)
    years = config.years
    window = out.window[1] - out.window[0]
    staff_hours = fte = cost = overtime_hours = 0.0
    overtime = out.overtime or [0.0] * len(plan.roles)
    for role, busy, available, tasks, extra in zip(plan.roles, out.busy, out.available, out.tasks, overtime):
        # Staff-hours include the counter's overtime; utilisation is of open time only.
        hours = (busy + extra) / 60.0 / years
        values[f"role.{role.id}.overtime_hours_per_year"] = extra / 60.0 / years
        values[f"role.{role.id}.tasks_per_year"] = tasks / years
        values[f"role.{role.id}.utilisation"] = busy / available if math.isfinite(available) and available > 0 else math.nan
        values[f"role.{role.id}.staff_hours_per_year"] = hours
        values[f"role.{role.id}.fte"] = hours / config.hours_per_fte
        values[f"role.{role.id}.cost_yen_per_year"] = hours * role.hourly_cost
        samples = out.queue_samples[role.index]
        third = max(1, len(samples) // 3)
        values[f"role.{role.id}.queue_mean"] = float(np.mean(samples)) if samples else 0.0
        values[f"role.{role.id}.queue_growth"] = (float(np.mean(samples[-third:]) - np.mean(samples[:third]))
                                                   if samples else 0.0)
        if not role.external:
            overtime_hours += extra / 60.0 / years
            staff_hours += hours
            fte += hours / config.hours_per_fte
            cost += hours * role.hourly_cost
    approvals = out.sums[_COL["approvals"]]
    values["cases_per_year"] = out.arrived / years
    values["staff_hours_per_year"] = staff_hours
    values["fte"] = fte
    values["cost_yen_per_year"] = cost
    values["e_approval_rate"] = float(out.sums[_COL["e_approvals"]] / approvals) if approvals else math.nan
    values["online_rate"] = out.by_channel.get("online", 0) / out.arrived if out.arrived else math.nan
    values["wip"] = out.wip_minutes / window
    values["overtime_hours_per_year"] = overtime_hours
    for step in plan.steps:
        if step.kind in _TIMED and out.step_visits:
            values[f"step.{step.id}.waiting"] = out.step_waiting[step.index] / n if n else math.nan
            values[f"step.{step.id}.visits"] = out.step_visits[step.index] / n if n else math.nan
    values["arrived"] = float(out.arrived)
    values["completed"] = float(out.completed)
    values["unfinished"] = float(out.unfinished)
    return values


def _measure(values: Sequence[float], unit: str = "") -> Estimate:
    """The estimate of a measure that cannot be negative (times, counts, hours, costs; a ratio is at most 1
    too): its interval stays within that range."""
    return Estimate.of(values, floor=0.0, ceiling=1.0 if unit == "ratio" else math.inf)


def summarize(plan: Plan, config: SimConfig, outputs: Sequence[ReplicationOutput]) -> SimulationResult:
    """Turn the replications' outputs (in replication order) into a :class:`SimulationResult`."""
    outputs = sorted(outputs, key=lambda o: o.replication)
    per_rep = [_replication_values(plan, config, out) for out in outputs]
    values = {name: [rep[name] for rep in per_rep] for name in per_rep[0]}
    kpis = {
        name: KpiResult(name, unit, label, _measure(values[name]), _measure(values[f"{name}.p50"]),
                        _measure(values[f"{name}.p90"]))
        for name, (unit, label) in KPIS.items()
    }
    yearly = {name: _measure(values[name], YEARLY[name][0]) for name in YEARLY}
    roles: dict[str, RoleResult] = {}
    warnings: list[Warning_] = []
    unfinished = int(sum(values["unfinished"]))
    for role in plan.roles:
        key = f"role.{role.id}."
        utilisation = _measure(values[key + "utilisation"], "ratio") if role.staff is not None else None
        growth = Estimate.of(values[key + "queue_growth"])
        queue_mean = float(np.mean(values[key + "queue_mean"]))
        overloaded = utilisation is not None and utilisation.mean >= OVERLOAD_UTILISATION
        # A queue that keeps growing: significantly longer at the end of the window than at its start, by
        # more than a couple of cases per staff member and by more than 1% of the tasks the role did in
        # between (the thirds' midpoints are 2/3 of the window apart): arrivals exceed capacity for good.
        # Seasons (a year-end closure late in the window) lengthen queues for a while, not by that much.
        tasks = _measure(values[key + "tasks_per_year"]).mean * config.years
        growing = (role.staff is not None and growth.n >= 2 and growth.low > 0
                   and growth.mean > max(2.0 * role.staff, 0.01 * tasks * 2 / 3))
        if overloaded and utilisation is not None:  # (an overloaded role has one: said for the type checker)
            warnings.append(Warning_(
                "overload",
                f"role {role.id!r} ({role.name}) is overloaded: utilisation {utilisation.mean:.0%} "
                f"with {role.staff} staff; its queue grows without bound and waiting-time averages depend on the "
                "horizon. Add staff or remove work from this role.",
                role.id,
            ))
        elif growing:
            warnings.append(Warning_(
                "growing_queue",
                f"the queue of role {role.id!r} ({role.name}) keeps growing over the horizon "
                f"(+{growth.mean:.1f} cases from the first to the last third); the results describe a "
                "transient, not a steady state. Add staff, or lengthen the warm-up and horizon.",
                role.id,
            ))
        roles[role.id] = RoleResult(
            id=role.id,
            name=role.name,
            staff=role.staff,
            external=role.external,
            hourly_cost=role.hourly_cost,
            utilisation=utilisation,
            staff_hours_per_year=_measure(values[key + "staff_hours_per_year"]),
            fte=_measure(values[key + "fte"]),
            cost_yen_per_year=_measure(values[key + "cost_yen_per_year"]),
            tasks_per_year=_measure(values[key + "tasks_per_year"]),
            queue_mean=queue_mean,
            queue_growth=growth,
            overloaded=overloaded or growing,
        )
    if unfinished:
        warnings.append(Warning_(
            "unfinished",
            f"{unfinished} measured case(s) were still in process at the drain limit ("
            f"{config.drain or 'the longer of the horizon and 30 days'} after the window); the process cannot "
            "keep up with its arrivals and the averages leave these cases out.",
        ))
    cases = {
        "arrived": _measure(values["arrived"]).to_dict(),
        "completed": _measure(values["completed"]).to_dict(),
        "unfinished": unfinished,
        "by_channel": {channel: Estimate.of([o.by_channel.get(channel, 0) for o in outputs]).mean
                       for channel in sorted({c for o in outputs for c in o.by_channel})},
    }
    steps = {
        step.id: StepResult(step.id, step.name, _TIMED[step.kind],
                            _measure(values[f"step.{step.id}.waiting"]),
                            _measure(values[f"step.{step.id}.visits"]))
        for step in plan.steps if not isinstance(step, Route) and f"step.{step.id}.waiting" in values
    }
    events = next((o.events for o in outputs if o.events is not None), None)
    deadline = None
    if plan.deadline is not None:
        deadline = DeadlineResult(plan.deadline_text, plan.deadline[0], plan.deadline[1],
                                  _measure(values["deadline_share"], "ratio"), _measure(values["deadline_lead.p90"]),
                                  _measure(values["deadline_lead"]))
    return SimulationResult(
        process_id=plan.process_id,
        process_name=plan.process_name,
        config=config,
        kpis=kpis,
        yearly=yearly,
        roles=roles,
        cases=cases,
        warnings=tuple(warnings),
        values=values,
        events=events,
        channels=tuple(a.channel for a in plan.arrivals),
        steps=steps,
        timezone=plan.calendar.timezone,
        deadline=deadline,
    )


def compare_results(before: SimulationResult, after: SimulationResult) -> Comparison:
    """Pair the replications of two results run with the same seed and replications."""
    if before.config.seed != after.config.seed or before.config.replications != after.config.replications:
        raise ValueError("a paired comparison needs the same seed and number of replications for both runs")
    differences = {name: Difference.of(before.values[name], after.values[name]) for name in (*KPIS, *YEARLY)}
    if before.deadline is not None and after.deadline is not None:
        # Against each version's own deadline (a redesign may shorten the 標準処理期間 too).
        differences["deadline_share"] = Difference.of(before.values["deadline_share"], after.values["deadline_share"])
        differences["deadline_lead_p90"] = Difference.of(before.values["deadline_lead.p90"],
                                                         after.values["deadline_lead.p90"])
    role_differences: dict[str, dict[str, Difference]] = {}
    for role_id in before.roles:
        if role_id not in after.roles:
            continue
        diffs = {}
        for key in ("utilisation", "staff_hours_per_year", "fte", "cost_yen_per_year"):
            b, a = before.values[f"role.{role_id}.{key}"], after.values[f"role.{role_id}.{key}"]
            if not all(math.isnan(v) for v in b + a):
                diffs[key] = Difference.of(b, a)
        role_differences[role_id] = diffs
    return Comparison(before, after, differences, role_differences)


# --- event log -----------------------------------------------------------------------------------------


def event_records(results: Sequence[tuple[str, SimulationResult]]) -> list[ActivityRecord]:
    """The event logs of replication 0 (warm-up and drain included) as the records real logs have too.

    Times are minutes since ``start_date`` 00:00 in the time zone of the process calendar, rounded to the
    second. With several versions (before/after) case ids are prefixed with the version (``after-17``).
    Order: versions as given; within one, the order of :func:`bpr.interchange.eventlog.sort_records`
    (cases by number, a case's records by end time, its end record last).
    """
    records: list[ActivityRecord] = []
    prefix_needed = len(results) > 1
    for version, result in results:
        if result.events is None:
            continue
        try:
            zone = ZoneInfo(result.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SimulationError(f"calendar timezone {result.timezone!r} is not a known time zone "
                                  "(write e.g. 'Asia/Tokyo')") from None
        origin = datetime.combine(result.config.start_date, time(), tzinfo=zone)
        channels = result.channels

        def stamp(minutes: float) -> datetime:
            return origin + timedelta(seconds=round(minutes * 60.0))

        # Stable: the engine appends a case's end event after every other event of the case.
        for e in sorted(result.events, key=lambda e: (e.case_id, e.end)):
            records.append(ActivityRecord(
                f"{version}-{e.case_id}" if prefix_needed else str(e.case_id), e.activity, e.activity_name,
                e.role, e.resource, stamp(e.enable), stamp(e.start), stamp(e.end), e.outcome,
                channels[e.channel]))
    return records


def events_csv(results: Sequence[tuple[str, SimulationResult]]) -> str:
    """:func:`event_records` as CSV text (:func:`bpr.interchange.eventlog.write_csv`)."""
    out = io.StringIO()
    write_csv(event_records(results), out)
    return out.getvalue()
