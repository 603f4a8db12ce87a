"""``bpr simulate BEFORE [AFTER | --change ...]``: KPIs with confidence intervals, or a before/after comparison.

One process prints its KPIs; two (AFTER, or BEFORE with ``--change``/``--changes``) print the comparison
with common random numbers and the headline savings. ``--format json`` prints the documented result
(docs/results.md), ``--format csv`` one row per measure; ``--events FILE`` writes the event log of
replication 0, as CSV or, when FILE ends in ``.xes``, as XES. A progress bar appears on stderr when a run
takes more than a couple of seconds.
"""

from __future__ import annotations

import enum
import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bpr.changes import apply_changes, parse_changes, read_change_list_file
from bpr.cli.common import (
    CountOrPrecision,
    Force,
    Horizon,
    HoursPerFte,
    MaxReplications,
    PrecisionOption,
    Seed,
    StartDate,
    WarmUp,
    Workers,
    change_snippets,
    console,
    err_console,
    fail,
    load_or_exit,
    print_json,
    run_size_or_exit,
    sim_config_or_exit,
)
from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.interchange import write_event_log
from bpr.simulate import Comparison, SimulationResult, compare, simulate
from bpr.simulate.estimate import Estimate
from bpr.simulate.precision import Precision, run_to_precision
from bpr.simulate.results import KPIS, YEARLY, DeadlineResult, event_records

PROGRESS_AFTER = 2.0
"""Seconds a run may take before the progress bar appears."""

# What the text tables show, in order (all measures are in JSON and CSV).
TEXT_KPIS = ("lead_time", "business_days", "touch_time", "waiting", "wait_contention", "wait_priority",
             "wait_batching", "wait_unavailability", "wait_transport", "wait_external", "wait_rework",
             "counter_wait", "visits", "stamps", "handoffs", "paper_steps", "approvals", "rejections")
TEXT_YEARLY = ("cases_per_year", "staff_hours_per_year", "fte", "cost_yen_per_year", "e_approval_rate",
               "online_rate", "wip", "overtime_hours_per_year")
_DEADLINE_UNITS = {"days": "days", "business_days": "days", "working_hours": "hours"}


def _deadline_text(deadline: DeadlineResult) -> str:
    """``deadline 30 days: 84.0% of cases within (95% CI …); p90 lead time 27.31 d (…)``."""
    unit = _DEADLINE_UNITS[deadline.unit]
    share, p90 = deadline.share_within, deadline.lead_p90
    shown = "business days" if deadline.unit == "business_days" else "d" if unit == "days" else "h"
    p90_text = f"{p90.mean:,.2f} {shown}"
    if p90.n >= 2 and math.isfinite(p90.half_width):
        p90_text += f" (95% CI {p90.low:,.2f} … {p90.high:,.2f})"
    return (f"deadline {deadline.within}: [bold]{_fmt(share.mean, 'ratio')}[/bold] of cases within "
            f"(95% CI {_ci(share, 'ratio')}); p90 lead time {p90_text} against {deadline.limit}")


class SimulateFormat(str, enum.Enum):
    text = "text"
    json = "json"
    csv = "csv"


# --- input -----------------------------------------------------------------------------------------------


def _after(before: Process, changes: list[str], changes_file: Path | None) -> Process:
    process = before
    try:
        if changes_file is not None:
            listed = read_change_list_file(changes_file)
            process = apply_changes(process, listed.parse(), file=listed.file)
        if changes:
            parsed = parse_changes(change_snippets(changes), file="--change")
            process = apply_changes(process, parsed, file="--change")
    except BprError as error:
        fail(error)
    return process


# --- numbers as text -------------------------------------------------------------------------------------


TOUCH_MEASURES = ("touch_time", "path_touch", "counter_wait")
"""Measures of staff working on a case, or of a citizen at the counter: said in minutes. Every other time
(the lead time and the waiting it is made of) is said in days (docs/results.md, the same in the report)."""


def _scale(name: str) -> tuple[str, float]:
    return ("min", 1.0) if name in TOUCH_MEASURES else ("d", 1440.0)


def _fmt(value: float, unit: str, scale: tuple[str, float] | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "minutes":
        name, size = scale or ("min", 1.0)
        return f"{value / size:,.{_day_decimals(value / size) if size >= 1440 else 1}f} {name}"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "yen":
        return f"{'-' if value < 0 else ''}¥{abs(value):,.0f}"
    if unit in ("hours", "cases") and abs(value) >= 100:
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:,.{_day_decimals(value)}f} d"
    return f"{value:,.2f}"


def _day_decimals(days: float) -> int:
    """Two decimals of a day, more when a case takes minutes (a theory file), so that no figure reads 0.00 d."""
    size = abs(days)
    return 2 if size >= 0.1 or size == 0 else 3 if size >= 0.01 else 4


def _ci(est: Estimate, unit: str, scale: tuple[str, float] | None = None) -> str:
    if est.n < 2 or not math.isfinite(est.half_width):
        return "—"
    return f"{_fmt(est.low, unit, scale)} … {_fmt(est.high, unit, scale)}"


# --- text output -----------------------------------------------------------------------------------------


def _warnings(result: SimulationResult, label: str = "") -> None:
    for warning in result.warnings:
        err_console.print(f"[bold red]warning[/bold red]{label}: {escape(warning.message)}", highlight=False)


def _result_text(result: SimulationResult, precision: Precision | None = None) -> None:
    config = result.config
    # Names come from the process file: escaped, so that a name like "[/]" prints as written.
    console.print(f"[bold]{escape(result.process_name)}[/bold] ({result.process_id}) — "
                  f"{config.replications} replications of {config.horizon} after a {config.warm_up} warm-up "
                  f"from {config.start_date}, seed {config.seed}")
    _precision_line(precision, console)
    _warnings(result)
    if result.deadline is not None:
        console.print(_deadline_text(result.deadline))
    table = Table(title="per case", title_justify="left")
    for column, justify in (("measure", "left"), ("mean", "right"), ("95% CI", "right"), ("p50", "right"),
                            ("p90", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in TEXT_KPIS:
        kpi = result.kpis[name]
        scale = _scale(name) if kpi.unit == "minutes" else None
        table.add_row(kpi.label, _fmt(kpi.mean.mean, kpi.unit, scale), _ci(kpi.mean, kpi.unit, scale),
                      _fmt(kpi.p50.mean, kpi.unit, scale), _fmt(kpi.p90.mean, kpi.unit, scale))
    console.print(table)
    year = Table(title="per year", title_justify="left")
    for column, justify in (("measure", "left"), ("mean", "right"), ("95% CI", "right")):
        year.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in TEXT_YEARLY:
        unit, label = YEARLY[name]
        est = result.yearly[name]
        year.add_row(label, _fmt(est.mean, unit), _ci(est, unit))
    console.print(year)
    roles = Table(title="roles (utilisation, staff-hours, FTE and cost per year)", title_justify="left")
    flagged = any(role.overloaded for role in result.roles.values())
    columns = [("role", "left"), ("staff", "right"), ("util.", "right"), ("95% CI", "right"), ("hours", "right"),
               ("FTE", "right"), ("cost", "right")] + ([("", "left")] if flagged else [])
    for column, justify in columns:
        roles.add_column(column, justify=justify)  # type: ignore[arg-type]
    for role_id, role in result.roles.items():
        util = role.utilisation
        row = [
            escape(f"{role.name} ({role_id})" if role.name != role_id else role_id),
            "∞" if role.staff is None else str(role.staff),
            _fmt(util.mean, "ratio") if util else "—",
            _ci(util, "ratio") if util else "—",
            _fmt(role.staff_hours_per_year.mean, "hours"),
            _fmt(role.fte.mean, "FTE"),
            "external" if role.external else _fmt(role.cost_yen_per_year.mean, "yen"),
        ]
        if flagged:
            row.append("[bold red]OVERLOADED[/bold red]" if role.overloaded else "")
        roles.add_row(*row)
    console.print(roles)


def _headline_text(comparison: Comparison) -> str:
    h = comparison.headline

    def part(key: str, unit: str, label: str, factor: float = 1.0) -> str:
        item = h[key]
        value = item["value"]
        if value is None:
            return f"{label}: —"
        low, high = item["ci95"]
        value = value * factor
        low, high = (None if low is None else low * factor), (None if high is None else high * factor)
        if unit == "%":
            text = f"{value:+.1f}% (95% CI {low:+.1f} … {high:+.1f})" if low is not None else f"{value:+.1f}%"
        else:
            text = f"{_fmt(value, unit)} (95% CI {_fmt(math.nan if low is None else low, unit)} … " \
                   f"{_fmt(math.nan if high is None else high, unit)})"
        return f"{label}: [bold]{text}[/bold]{'' if item['significant'] else ' [dim](not significant)[/dim]'}"

    return "\n".join([
        part("processing_time_reduction_percent", "%", "lead time reduction"),
        part("lead_time_saved_minutes", "days", "lead time saved per case", 1 / 1440),
        part("staff_hours_saved_per_year", "hours", "staff-hours saved per year"),
        part("fte_saved", "FTE", "FTE saved"),
        part("yen_saved_per_year", "yen", "staff cost saved per year"),
        part("counter_wait_reduction_percent", "%", "counter waiting time reduction"),
        part("counter_wait_saved_minutes", "minutes", "counter waiting saved per case"),
    ])


def _precision_line(precision: Precision | None, console: Console) -> None:
    """How precise the answer came out, when replications ran until a precision (``--precision``)."""
    if precision is None:
        return
    labels = {"lead_time": "lead time", "staff_hours_per_year": "staff-hours"}
    reached = ", ".join(f"{labels.get(name, name)} ±{value:.1%}" if math.isfinite(value) else f"{labels.get(name, name)} —"
                        for name, value in precision.reached.items())
    if precision.met:
        console.print(f"precision ±{precision.target:.1%} reached after {precision.replications} replications: {reached}")
    else:
        err_console.print(f"[bold red]warning[/bold red]: precision ±{precision.target:.1%} not reached within "
                          f"{precision.max_replications} replications (--max-replications): {reached}", highlight=False)


def comparison_text(comparison: Comparison, console: Console, precision: Precision | None = None) -> None:
    """The comparison as tables on ``console`` (``bpr simulate BEFORE AFTER``, ``bpr whatif``)."""
    before, after = comparison.before, comparison.after
    config = before.config
    names = f"[bold]{escape(before.process_name)}[/bold] → [bold]{escape(after.process_name)}[/bold]"
    console.print(f"{names} — "
                  f"{config.replications} paired replications of {config.horizon} (common random numbers), "
                  f"seed {config.seed}")
    _precision_line(precision, console)
    _warnings(before, " (before)")
    _warnings(after, " (after)")
    console.print(Panel(_headline_text(comparison), title="savings (positive = better)", title_align="left"))
    for version, result in (("before", before), ("after", after)):
        if result.deadline is not None:
            console.print(f"{version}: {_deadline_text(result.deadline)}")
    deadline = comparison.deadline
    if deadline is not None:
        change = deadline["share_within_change_points"]
        if change["value"] is not None:
            low, high = change["ci95"]
            ci = f" (95% CI {low:+.1f} … {high:+.1f})" if low is not None else ""
            console.print(f"cases within the deadline: [bold]{change['value']:+.1f} points[/bold]{ci}"
                          f"{'' if change['significant'] else ' [dim](not significant)[/dim]'}")
    table = Table(title="before / after", title_justify="left")
    for column, justify in (("measure", "left"), ("before", "right"), ("after", "right"), ("difference", "right"),
                            ("change", "right"), ("95% CI of difference", "right"), ("significant", "center")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in (*TEXT_KPIS, *TEXT_YEARLY):
        unit, label = KPIS[name] if name in KPIS else YEARLY[name]
        diff = comparison.differences[name]
        scale = _scale(name) if unit == "minutes" else None
        d = diff.difference
        change = diff.percent_change
        table.add_row(
            label, _fmt(diff.before, unit, scale), _fmt(diff.after, unit, scale),
            _fmt(d.mean, unit, scale), f"{change:+.1f}%" if math.isfinite(change) else "—",
            _ci(d, unit, scale), "[green]yes[/green]" if diff.significant else "no",
        )
    console.print(table)
    roles = Table(title="roles (utilisation; staff-hours per year)", title_justify="left")
    for column in ("role", "util. before", "after", "hours before", "after", "change"):
        roles.add_column(column, justify="left" if column == "role" else "right")
    for role_id, diffs in comparison.role_differences.items():
        util, hours = diffs.get("utilisation"), diffs.get("staff_hours_per_year")
        roles.add_row(
            role_id,
            _fmt(util.before, "ratio") if util else "—",
            _fmt(util.after, "ratio") if util else "—",
            _fmt(hours.before, "hours") if hours else "—",
            _fmt(hours.after, "hours") if hours else "—",
            f"{hours.percent_change:+.1f}%" if hours and math.isfinite(hours.percent_change) else "—",
        )
    console.print(roles)


# --- the command -----------------------------------------------------------------------------------------


class _ProgressBar:
    """A rich progress bar on stderr that appears only once a run has taken ``PROGRESS_AFTER`` seconds."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER or done >= total:
                return
            self.bar = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("replications"),
                                TimeElapsedColumn(), console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("simulate", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def simulate_command(
    before: Annotated[Path, typer.Argument(help="Process file (or change list) to simulate.")],
    after: Annotated[Path | None, typer.Argument(help="Redesigned process to compare with BEFORE.")] = None,
    change: Annotated[list[str] | None, typer.Option(
        "--change", "-c", help="Compare BEFORE with BEFORE + this change (YAML, e.g. 'remove: chief_check').")] = None,
    changes_file: Annotated[Path | None, typer.Option(
        "--changes", help="YAML file with a list of changes to apply to BEFORE (before any --change).")] = None,
    replications: CountOrPrecision = None,
    horizon: Horizon = "1y",
    warm_up: WarmUp = "4w",
    seed: Seed = 0,
    workers: Workers = 0,
    start_date: StartDate = None,
    hours_per_fte: HoursPerFte = 1860.0,
    precision: PrecisionOption = None,
    max_replications: MaxReplications = None,
    force: Force = False,
    output_format: Annotated[SimulateFormat, typer.Option("--format", help="text, json or csv")] = SimulateFormat.text,
    events: Annotated[Path | None, typer.Option(
        "--events", help="Write the event log of replication 0 to this file: XES if it ends in .xes, CSV "
        "otherwise (both read by pm4py, Apromore, ProM).")] = None,
) -> None:
    """Simulate a process (KPIs with 95% confidence intervals) or compare BEFORE with AFTER."""
    if after is not None and (change or changes_file is not None):
        fail("give either AFTER or --change/--changes, not both")
    process_before = load_or_exit(before)
    process_after: Process | None = None
    if after is not None:
        process_after = load_or_exit(after)
    elif change or changes_file is not None:
        process_after = _after(process_before, change or [], changes_file)
    config = sim_config_or_exit(replications=replications, horizon=horizon, warm_up=warm_up, seed=seed,
                                workers=workers, start_date=start_date, hours_per_fte=hours_per_fte,
                                events=events is not None)
    chosen = run_size_or_exit([p for p in (process_before, process_after) if p is not None], config,
                              replications, precision, max_replications, force)
    progress = _ProgressBar(enabled=err_console.is_terminal)
    reached: Precision | None = None
    result: SimulationResult | Comparison
    try:
        if chosen is not None:
            result, reached = run_to_precision(process_before, process_after, config, *chosen, progress)
        elif process_after is None:
            result = simulate(process_before, config, progress)
        else:
            result = compare(process_before, process_after, config, progress)
    except BprError as error:
        fail(error)
    finally:  # a Ctrl-C too: the bar gives the terminal back
        progress.close()
    if events is not None:
        runs = [("run", result)] if isinstance(result, SimulationResult) else [("before", result.before),
                                                                              ("after", result.after)]
        log_name = " / ".join(dict.fromkeys(r.process_name for _, r in runs))
        try:
            write_event_log(event_records(runs), events, log_name=log_name)
        except OSError as error:
            fail(f"{events}: cannot write: {error.strerror or error}")
        except BprError as error:
            fail(error)
    if output_format is SimulateFormat.json:
        print_json({**result.to_dict(), **({"precision": reached.to_dict()} if reached is not None else {})})
    elif output_format is SimulateFormat.csv:
        typer.echo(result.to_csv(), nl=False)
    elif isinstance(result, SimulationResult):
        _result_text(result, reached)
    else:
        comparison_text(result, console, reached)
    if events is not None and output_format is SimulateFormat.text:
        console.print(f"wrote the event log of replication 0 to {events}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
