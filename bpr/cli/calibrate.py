"""``bpr calibrate PROCESS LOG``: fit a process file to an event log, check conformance, measure the fit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from bpr.calibrate.accuracy import Distance, accuracy
from bpr.calibrate.calibrate import Calibration, calibrate
from bpr.calibrate.log import LogError, read_log
from bpr.calibrate.rewrite import Rewritten, rewrite
from bpr.cli.common import (
    LogMap,
    LogTimezone,
    OutputFormat,
    console,
    err_console,
    fail,
    load_or_exit,
    log_mapping,
    print_json,
    write_output,
)
from bpr.errors import BprError
from bpr.model.load import read_file


def calibrate_command(
    process_file: Annotated[Path, typer.Argument(metavar="PROCESS", help="The process file to calibrate.")],
    log_file: Annotated[Path, typer.Argument(metavar="LOG", help="Event log: bpr CSV, XES, or a CSV with --map.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the calibrated file here.")] = None,
    mapping: LogMap = None,
    timezone: LogTimezone = None,
    check: Annotated[bool, typer.Option("--accuracy/--no-accuracy", help="Re-simulate the log's period and "
                                        "print the distances to the log.")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the re-simulation.")] = 0,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
) -> None:
    """Fit durations, rates, probabilities, sweeps and staff of PROCESS to LOG; report where LOG leaves it."""
    process = load_or_exit(process_file)
    try:
        log = read_log(log_file, log_mapping(mapping), timezone or process.calendar.timezone)
        result = calibrate(process, log)
    except (LogError, BprError) as error:
        fail(error)
    values = [(p.path, p.value) for p in result.parameters if p.value is not None]
    try:
        original = read_file(process_file).decode("utf-8-sig")
    except (BprError, UnicodeDecodeError):
        original = ""
    written = rewrite(process, original, values)
    if output is not None:
        write_output(output, written.text)
    distances: list[tuple[Distance, Distance]] = []
    if check:
        try:
            after = accuracy(result, written.process, seed=seed)
            before = accuracy(result, process, seed=seed)
        except BprError as error:
            fail(error)
        distances = list(zip(before, after))
    if output_format is OutputFormat.json:
        print_json(_json(result, written, distances, output))
    else:
        _text(result, written, distances, output)


def _json(result: Calibration, written: Rewritten, distances: list[tuple[Distance, Distance]],
          output: Path | None) -> dict[str, Any]:
    return {
        "process": result.process.id, "log": result.log.file, "rows": len(result.log), "cases": result.cases,
        "parameters": [p.to_dict() for p in result.parameters],
        "conformance": [i.to_dict() for i in result.issues],
        "accuracy": [{**a.to_dict(), "before": b.distance} for b, a in distances],
        "output": str(output) if output else None, "kept_layout": written.kept_layout,
    }


def _text(result: Calibration, written: Rewritten, distances: list[tuple[Distance, Distance]],
          output: Path | None) -> None:
    out = console.print
    out(f"{result.log.file}: {len(result.log)} rows, {result.cases} cases", markup=False)
    header = ("line", "parameter", "before", "fitted", "n", "uncertainty")
    rows = [(str(p.line or ""), p.what, p.before, p.fitted + ("" if p.value is not None else " (not written)"),
             str(p.n), p.uncertainty) for p in result.parameters]
    widths = [min(max(len(r[k]) for r in [header, *rows]), 48) for k in range(len(header))]
    for row in [header, *rows]:
        out("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), markup=False, overflow="ignore",
            crop=False)
    notes = [(p.what, p.note) for p in result.parameters if p.note]
    if notes:
        out("notes:", markup=False)
        for what, note in notes:
            out(f"  {what}: {note}", markup=False, crop=False)
    if result.issues:
        out("conformance:", markup=False)
        for issue in result.issues:
            out(f"  {issue.format()}", markup=False, crop=False)
    else:
        out("conformance: every case follows the file", markup=False)
    if distances:
        out("accuracy (W1 to the log; the file as given → calibrated):", markup=False)
        for before, after in distances:
            flag = "  WARNING: the calibrated model does not reproduce the log here" if after.warn else ""
            out(f"  {after.measure}: {before.distance:.3g} → {after.distance:.3g} {after.unit} "
                f"(log mean {after.log_mean:.3g}){flag}", markup=False, crop=False)
    if output is not None:
        how = "comments and layout kept" if written.kept_layout else \
            "written as the dumped process: the original layout could not be kept (comments are lost)"
        err_console.print(f"wrote {output} ({len(written.written)} values; {how})", markup=False)


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_command)
