"""``bpr sweep CATALOG [-o results/]``: every process of a catalogue under every what-if, ranked.

CATALOG is a folder of process files or a catalogue file (docs/sweep.md). Writes into the output folder:
``sweep.csv`` and ``sweep.parquet`` (one row per version), ``ranking.csv`` (the what-ifs, best first),
``summary.json``, and ``runs/``, the store of finished runs that lets an interrupted sweep continue where it
stopped. ``--dask tcp://host:8786`` (or a scheduler file, or ``local:N`` for a cluster of N worker processes
on this machine) runs on Dask; the numbers are the same whichever runs them.

``bpr gen-catalog OUT``: writes a synthetic catalogue made from the shipped scenarios (tests, benches, demos).
"""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bpr.cli.common import console, err_console, fail, fail_writing, note_created, print_json
from bpr.errors import BprError, Issue
from bpr.render.files import missing_folder, write_atomic
from bpr.study.catalog import read_catalog
from bpr.study.executors import DaskExecutor, Executor, InProcess, LocalPool
from bpr.study.generate import generate_catalog
from bpr.study.options import SweepOptions
from bpr.study.store import RunStore
from bpr.study.sweep import SweepResult, plan_sweep, run_sweep
from bpr.study.table import GAINS, RANKING_COLUMNS, ranking, rows_csv, rows_parquet, sweep_rows


class SweepFormat(str, enum.Enum):
    text = "text"
    json = "json"


class RankBy(str, enum.Enum):
    yen = "yen"
    hours = "hours"
    lead_days = "lead_days"


def _executor(dask: str | None, workers: int) -> Executor:
    if dask is None:
        count = workers if workers > 0 else (os.cpu_count() or 1)
        return InProcess() if count == 1 else LocalPool(count)
    if dask.startswith("local"):
        _, _, number = dask.partition(":")
        if number and (not number.isdigit() or int(number) < 1):
            fail([Issue(f"cannot read {dask!r}", path="--dask", file="<options>",
                        hint="local:2 starts a local Dask cluster of 2 worker processes")])
        return DaskExecutor(local_workers=int(number or 2))
    if Path(dask).is_file():
        return DaskExecutor(scheduler_file=dask)
    if "://" not in dask and ":" not in dask:
        fail([Issue(f"{dask!r} is neither a scheduler address nor a scheduler file", path="--dask",
                    file="<options>", hint="tcp://host:8786, a scheduler file (scheduler.json) or local:2")])
    return DaskExecutor(dask)


def _options(catalog_options: dict[str, Any], flags: dict[str, Any]) -> SweepOptions:
    """The catalogue's options, overridden by the flags given; a bad flag is named and the command exits 2."""
    try:
        return SweepOptions(**{**catalog_options, **{k: v for k, v in flags.items() if v is not None}})
    except ValidationError as error:
        fail([Issue(str(e["msg"]).removeprefix("Value error, "),
                    path="--" + str(e["loc"][0]).replace("_", "-") if e["loc"] else "options", file="<options>")
              for e in error.errors(include_url=False)])


class _Bar:
    """Progress of the runs on stderr (a terminal only)."""

    def __init__(self, enabled: bool, where: str) -> None:
        self.bar: Progress | None = None
        if enabled:
            self.bar = Progress(TextColumn(f"sweeping on {where}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("runs"), TimeElapsedColumn(), TimeRemainingColumn(),
                                console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("sweep", total=None)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _write(path: Path, content: str | bytes) -> None:
    try:
        write_atomic(path, content)
    except OSError as error:
        fail_writing(path, error)


def _summary(result: SweepResult, files: list[str], rank_by: str, top: int) -> dict[str, Any]:
    rows = ranking(result, rank_by)
    statuses: dict[str, int] = {}
    for row in sweep_rows(result):
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return {"catalog": result.plan.catalog.file, "processes": len(result.plan.catalog.entries),
            "versions": len(result.versions), "status": statuses, "runs": {"ran": result.ran, "reused": result.reused},
            "cpu_seconds": round(result.cpu_seconds, 3), "options": result.plan.options.to_data(),
            "rank_by": rank_by, "files": files, "ranking": rows[:top]}


def sweep_command(
    catalog: Annotated[Path, typer.Argument(help="Folder of process files, or a catalogue file (YAML).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the table, the ranking and the run store.")] = Path("sweep-results"),
    dask: Annotated[str | None, typer.Option(
        help="Run on Dask: a scheduler address (tcp://host:8786), a scheduler file, or local:N (a local "
        "cluster of N worker processes). Needs the dask extra.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes (0: one per CPU; 1: in this process).")] = 0,
    replications: Annotated[int | None, typer.Option("--replications", "-r", help="Replications per run (default 10).")] = None,
    horizon: Annotated[str | None, typer.Option(help="Measurement window of each replication (default 13w).")] = None,
    warm_up: Annotated[str | None, typer.Option("--warm-up", help="Simulated before measuring (default 2w).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the whole sweep (default 0).")] = None,
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", help="A rule to try on every process (repeatable): digitize-rekey, remove-dominated, "
        "delegate, parallelize, suggestions, add-staff. A folder's default: digitize-rekey, remove-dominated, "
        "add-staff.")] = None,
    rank_by: Annotated[RankBy, typer.Option("--rank-by", help="Rank what-ifs by yen, hours or lead_days saved.")] = RankBy.yen,
    top: Annotated[int, typer.Option(help="What-ifs shown in the ranking on screen.")] = 15,
    output_format: Annotated[SweepFormat, typer.Option("--format", help="text or json")] = SweepFormat.text,
) -> None:
    """Simulate every process of a catalogue under every what-if (common random numbers) and rank the what-ifs."""
    try:
        found = read_catalog(catalog, tuple(rule) if rule else None)
    except BprError as error:
        fail(error)
    options = _options(found.options, {"replications": replications, "horizon": horizon, "warm_up": warm_up,
                                       "seed": seed})
    executor = _executor(dask, workers)
    try:
        plan = plan_sweep(found, options)
    except BprError as error:
        fail(error)
    created = missing_folder(output / "sweep.csv")
    if output.exists() and not output.is_dir():
        fail(f"{output}: not a folder")
    bar = _Bar(err_console.is_terminal and output_format is SweepFormat.text, executor.name)
    try:
        result = run_sweep(plan, executor, RunStore(output / "runs"), bar)
    except BprError as error:
        bar.close()
        fail(error)
    except OSError as error:
        bar.close()
        fail_writing(output / "runs", error)
    finally:
        bar.close()
    note_created(created)
    rows = sweep_rows(result)
    files = ["sweep.csv", "sweep.parquet", "ranking.csv", "summary.json"]
    _write(output / "sweep.csv", rows_csv(rows))
    try:
        _write(output / "sweep.parquet", rows_parquet(rows))
    except ImportError as error:
        files.remove("sweep.parquet")
        err_console.print(f"note: {error}; sweep.csv has the same table", markup=False)
    _write(output / "ranking.csv", rows_csv(ranking(result, rank_by.value), RANKING_COLUMNS))
    summary = _summary(result, files, rank_by.value, top)
    _write(output / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")
    if output_format is SweepFormat.json:
        print_json(summary)
        return
    _print(result, summary, output, rank_by.value)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _print(result: SweepResult, summary: dict[str, Any], output: Path, rank_by: str) -> None:
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary["status"].items()))
    console.print(f"{summary['processes']} process(es), {summary['versions']} version(s): {statuses}", markup=False)
    console.print(f"runs: {result.ran} run now, {result.reused} taken from {output / 'runs'}; "
                  f"{result.cpu_seconds:,.1f} CPU seconds in all", markup=False)
    table = Table(title=f"what pays most ({GAINS[rank_by][1]}; 95% intervals)", show_lines=False)
    for column in ("#", "process", "what-if", "yen saved / year", "staff-hours saved / year", "lead time saved (days)"):
        table.add_column(column, overflow="fold")
    for row in summary["ranking"]:
        table.add_row(str(row["rank"]), row["process"], row["whatif"],
                      f"{_money(row['yen_saved'])} [{_money(row['yen_saved_low'])}, {_money(row['yen_saved_high'])}]",
                      f"{_money(row['hours_saved'])} [{_money(row['hours_saved_low'])}, {_money(row['hours_saved_high'])}]",
                      f"{row['lead_days_saved']:.2f} [{row['lead_days_saved_low']:.2f}, {row['lead_days_saved_high']:.2f}]"
                      if row["lead_days_saved"] is not None else "")
    console.print(table)
    console.print(f"wrote {', '.join(str(output / f) for f in summary['files'])}", markup=False)


def gen_catalog_command(
    output: Annotated[Path, typer.Argument(help="Folder to write the catalogue into (created).")],
    processes: Annotated[int, typer.Option(help="Processes to generate.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the variations.")] = 0,
) -> None:
    """Write a synthetic catalogue made from the shipped scenarios (volumes, staff and durations varied)."""
    if processes < 1:
        fail([Issue(f"--processes must be at least 1, got {processes}", path="--processes", file="<options>")])
    try:
        catalog_file = generate_catalog(output, processes, seed=seed)
    except OSError as error:
        fail_writing(output, error)
    console.print(f"wrote {catalog_file} with {processes} process(es)", markup=False)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_command)
    app.command("gen-catalog")(gen_catalog_command)
