"""``bpr redesign FILE``: propose improvements, simulate and rank them, and write the best combined plan.

The library does the work (:func:`bpr.redesign.redesign`); this module reads the options, shows a progress
bar on a terminal, prints the ranked candidates (text or JSON) and writes the plan file atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import JustifyMethod
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bpr.cli.common import OutputFormat, console, err_console, fail, load_or_exit, print_json, write_output
from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.redesign import (
    DEFAULT_CONFIG,
    HEURISTIC_FUNCTIONS,
    QUADRANTS,
    RedesignResult,
    config_for,
    plan_yaml,
    redesign,
    relative_base,
)
from bpr.simulate import SimConfig


def _config(process: Process, replications: int, horizon: str | None, warm_up: str | None, seed: int,
            workers: int) -> SimConfig:
    try:
        return config_for(process, replications, seed, workers, horizon, warm_up)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            option = "--" + str(item["loc"][0]).replace("_", "-") if item["loc"] else "option"
            lines.append(f"{option}: {item['msg'].removeprefix('Value error, ')} (got {item.get('input')!r})")
        fail("\n".join(lines))


def _pct(measure: dict[str, Any] | None) -> str:
    if not measure or measure.get("percent_change") is None:
        return "-"
    low, high = measure["percent_ci95"]
    text = f"{measure['percent_change']:+.1f}%"
    if low is not None and high is not None:
        text += f" [{low:+.1f}, {high:+.1f}]"
    return text if measure["significant"] else text + " n.s."


def _absolute(measure: dict[str, Any], unit: str) -> str:
    before, after = measure.get("before"), measure.get("after")
    if before is None or after is None:
        return ""
    if unit == "minutes":
        return f"{before:,.0f} -> {after:,.0f} min"
    if unit == "yen":
        return f"¥{before:,.0f} -> ¥{after:,.0f}"
    return f"{before:,.0f} -> {after:,.0f} {unit}"


def _short(measure: dict[str, Any] | None) -> str:
    if not measure or measure.get("percent_change") is None:
        return "-"
    return f"{measure['percent_change']:+.1f}%" + ("" if measure["significant"] else " n.s.")


_SHOWN = (("lead_time", "lead time", "minutes"), ("staff_hours_per_year", "staff-hours/year", "hours"),
          ("cost_yen_per_year", "cost/year", "yen"), ("counter_wait", "counter waiting", "minutes"))


def _impact_lines(impact: dict[str, Any], indent: str) -> list[str]:
    lines = []
    for name, label, unit in _SHOWN:
        measure = impact["measures"].get(name)
        if not measure or (name in ("counter_wait", "cost_yen_per_year") and not measure.get("before")):
            continue
        lines.append(f"{indent}{label}: {_pct(measure)}  ({_absolute(measure, unit)})")
    return lines


def _print_text(data: dict[str, Any], top: int | None) -> None:
    config = data["config"]
    process = data["process"]
    console.print(
        f"bpr redesign: {process['name']} ({process['id']}) — {len(data['candidates'])} candidate(s) simulated "
        f"against it: {config['replications']} replications of {config['horizon']} after a {config['warm_up']} "
        f"warm-up (cases followed up to {config['drain']} more), seed {config['seed']}, common random numbers",
        markup=False,
    )
    base = data["baseline"]
    console.print(
        f"baseline: lead time {base['lead_time']['mean']:,.0f} min, staff-hours {base['staff_hours_per_year']['mean']:,.0f} "
        f"a year, cost ¥{base['cost_yen_per_year']['mean']:,.0f} a year, counter waiting {base['counter_wait']['mean']:,.1f} min",
        markup=False,
    )
    shown = data["candidates"][:top] if top is not None else data["candidates"]
    table = Table(title="ranked candidates (impact x feasibility; details below)", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"), ("Q", "left"), ("impact", "right"), ("feasib.", "right"), ("lead time", "right"),
        ("staff-h/yr", "right"), ("plan", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, no_wrap=True)
    table.add_column("candidate", overflow="fold")
    for item in shown:
        measures = item["impact"]["measures"]
        table.add_row(str(item["rank"]), item["quadrant"], f"{item['impact']['score']:.3f}",
                      f"{item['feasibility']['score']:.2f}", _short(measures.get("lead_time")),
                      _short(measures.get("staff_hours_per_year")), "yes" if item["in_plan"] else "", item["id"])
    console.print(table)
    for item in shown:
        console.print(f"\n{item['rank']}. [{item['quadrant']}: {QUADRANTS[item['quadrant']]}] {item['title']}  ({item['id']})",
                      markup=False)
        console.print(f"   why: {item['explanation']}", markup=False)
        for line in item["descriptions"]:
            console.print(f"   - {line}", markup=False)
        for line in _impact_lines(item["impact"], "   "):
            console.print(line, markup=False)
        feas = item["feasibility"]
        console.print(f"   feasibility {feas['score']:.2f}: " + "; ".join(feas["reasons"]), markup=False)
    plan = data["plan"]
    console.print("", markup=False)
    if not plan["changes"]:
        console.print("plan: no candidate improves the process significantly; nothing to combine.", markup=False)
    else:
        console.print(f"plan: {len(plan['changes'])} change(s) from {len(plan['candidates'])} candidate(s): "
                      + ", ".join(plan["candidates"]), markup=False)
        for line in plan["descriptions"]:
            console.print(f"  - {line}", markup=False)
        console.print("combined impact against the process (95% CI, paired replications):", markup=False)
        for line in _impact_lines(plan["impact"], "  "):
            console.print(line, markup=False)
        kept = plan["controls"]
        console.print("  controls kept: " + ("yes" if kept["kept"] else "NO: " + "; ".join(kept["weakened"])),
                      markup=False)
        skipped = [s for s in plan["steps"] if not s["accepted"]]
        for step in skipped:
            console.print(f"  not combined: {step['candidate']}: {step['reason']}", markup=False)
    for item in data["blocked"]:
        console.print(f"not proposed: {item['title']} ({item['id']}): {item['explanation']} "
                      f"Why not: {item['reason']}. Needs: {item['needs']}", markup=False)
    for item in data["refused"]:
        why = item["reason"] + (": " + "; ".join(item["weakened"]) if item["weakened"] else "")
        console.print(f"refused: {item['id']}: {why}", markup=False)


def redesign_command(
    file: Annotated[Path, typer.Argument(help="A process file or a change list (base: + changes:).")],
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the K best candidates.")] = None,
    output_file: Annotated[Path | None, typer.Option("--output", "-o", help="Write the plan (base: + changes:) here.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
    replications: Annotated[int, typer.Option("--replications", "-r", help="Replications per simulation (>= 2).")] = DEFAULT_CONFIG.replications,
    horizon: Annotated[str | None, typer.Option(
        "--horizon", help="Measured window of each simulation, e.g. 4w, 3mo, 1y. Default: from the process, "
        "five times its expected lead time (at least 4w).")] = None,
    warm_up: Annotated[str | None, typer.Option(
        "--warm-up", help="Simulated before measuring starts. Default: as the horizon chosen from the process.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every simulation (common random numbers).")] = DEFAULT_CONFIG.seed,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Worker processes for replications (0: one per CPU). "
                                         "Results do not depend on it.")] = 1,
    heuristic: Annotated[
        list[str] | None,
        typer.Option("--heuristic", help=f"Run only these heuristics (repeat): {', '.join(HEURISTIC_FUNCTIONS)}."),
    ] = None,
) -> None:
    """Propose improvements, simulate each against the process, rank them (A do now, B plan, C quick win,
    D drop) and combine the best into one plan (docs/redesign.md)."""
    process = load_or_exit(file)
    config = _config(process, replications, horizon, warm_up, seed, workers or os.cpu_count() or 1)
    if heuristic:
        unknown = [h for h in heuristic if h not in HEURISTIC_FUNCTIONS]
        if unknown:
            fail(f"--heuristic: unknown {', '.join(unknown)}; known: {', '.join(HEURISTIC_FUNCTIONS)}")
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True, disable=not err_console.is_terminal)
    with bar:
        task = bar.add_task("baseline", total=None)

        def progress(done: int, total: int, stage: str) -> None:
            bar.update(task, completed=done, total=total, description=stage[:40])

        try:
            result: RedesignResult = redesign(process, config, progress, heuristic or None)
        except BprError as error:
            fail(error)
    data = result.to_dict()
    if top is not None:
        data["candidates"] = data["candidates"][:top]
    if output is OutputFormat.json:
        print_json(data)
    else:
        _print_text(data, None)
    if output_file is not None:
        base = relative_base(Path(file).resolve(), output_file.resolve())
        write_output(output_file, plan_yaml(result, base))
        message = f"wrote {output_file}: {len(result.plan.changes)} change(s), base {base}"
        (err_console if output is OutputFormat.json else console).print(message, markup=False)


def register(app: typer.Typer) -> None:
    app.command(name="redesign")(redesign_command)
