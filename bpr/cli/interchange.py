"""``bpr import FILE.bpmn`` and ``bpr export FILE --to bpmn|prosimos``: BPMN in and out, Prosimos out."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bpr import __version__
from bpr.cli.common import (
    EXIT_THRESHOLD,
    OutputFormat,
    console,
    err_console,
    fail,
    fail_writing,
    load_or_exit,
    print_json,
    write_output,
)
from bpr.interchange.bpmn_check import schema_problems, structural_problems
from bpr.interchange.bpmn_read import APPROXIMATED, NOT_IMPORTED, BpmnImportError, read_bpmn
from bpr.interchange.bpmn_write import write_bpmn
from bpr.interchange.prosimos import write_prosimos


class Target(str, enum.Enum):
    bpmn = "bpmn"
    prosimos = "prosimos"


def import_command(
    file: Annotated[Path, typer.Argument(help="A BPMN 2.0 XML file (bpmn.io, Camunda Modeler, Signavio…).")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the process file here "
                                                   "(default: standard output).")] = None,
    process_id: Annotated[Optional[str], typer.Option("--process", help="Id of the process (pool) to read when "
                                                      "the file has several.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when an element was not imported or only "
                                         "approximated.")] = False,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
) -> None:
    """Read a BPMN model as a bpr process file; list what has no equivalent and the defaults to fill in.

    Exit 0 when a valid process file was made, 1 with --strict when something was not imported or only
    approximated, 2 when the file is refused or does not make a valid process.
    """
    try:
        result = read_bpmn(file, process_id=process_id)
    except BpmnImportError as error:
        if output_format is OutputFormat.text:
            for note in error.notes:
                err_console.print(note.format(str(file)), markup=False)
        fail(error)
    if output is not None:
        write_output(output, result.yaml())
    lossy = [note for note in result.notes if note.kind in (NOT_IMPORTED, APPROXIMATED)]
    if output_format is OutputFormat.json:
        print_json({"file": str(file), "output": str(output) if output else None, "process": result.data,
                    "notes": [note.to_dict() for note in result.notes], "valid": True})
    else:
        if output is None:
            sys.stdout.write(result.yaml())
        for note in result.notes:
            err_console.print(note.format(str(file)), markup=False)
        defaults = sum(note.kind == "default" for note in result.notes)
        err_console.print(f"{result.process.id}: {len(result.process.steps)} steps, {len(result.process.roles)} "
                          f"roles; {defaults} default(s) to fill in, {len(lossy)} element(s) not imported or "
                          "approximated" + (f"; wrote {output}" if output else ""), markup=False)
    if strict and lossy:
        raise typer.Exit(EXIT_THRESHOLD)


def export_command(
    file: Annotated[Path, typer.Argument(help="A process file or a change list (base: + changes:).")],
    to: Annotated[Target, typer.Option("--to", help="bpmn (bpmn.io, Camunda Modeler) or prosimos (BPMN + "
                                       "simulation parameters JSON)")] = Target.bpmn,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="out.bpmn; for prosimos the stem of "
                                                   "out.bpmn and out.json (required)")] = None,
    check: Annotated[bool, typer.Option("--check", help="Validate the BPMN written: the BPMN 2.0 XSD where an "
                                        "installed package ships it, and the structural check.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="prosimos: seed of the sample that estimates the shares "
                                      "of decisions by condition.")] = 0,
) -> None:
    """Write a process as BPMN 2.0 with lanes and diagram, or as a Prosimos scenario; exit 2 on bad input."""
    process = load_or_exit(file)
    if to is Target.prosimos:
        if output is None:
            fail("--to prosimos writes two files: give their stem with -o (e.g. -o out/purchase)")
        try:
            bpmn_path, json_path, notes = write_prosimos(process, output, seed=seed)
        except OSError as error:
            fail_writing(output, error)
        for note in notes:
            err_console.print(f"note: {note}", markup=False)
        console.print(f"wrote {bpmn_path} and {json_path}; run: prosimos start-simulation --bpmn_path {bpmn_path} "
                      f"--json_path {json_path} --total_cases 1000 --log_out_path log.csv", markup=False)
        text = bpmn_path.read_text(encoding="utf-8")
    else:
        text = write_bpmn(process, exporter_version=__version__)
        if output is None:
            sys.stdout.write(text)
        else:
            write_output(output, text)
            console.print(f"wrote {output} (BPMN 2.0, {len(process.steps)} steps, {len(process.roles)} lanes)",
                          markup=False)
    if check:
        _check(text)


def _check(text: str) -> None:
    problems = structural_problems(text)
    schema = schema_problems(text)
    if schema is None:
        err_console.print("check: no BPMN 2.0 XSD installed (SpiffWorkflow ships one); structural check only",
                          markup=False)
    problems += schema or []
    for problem in problems:
        err_console.print(f"check: {problem}", markup=False)
    if problems:
        fail(f"the BPMN written has {len(problems)} problem(s)")
    err_console.print("check: the BPMN is valid" + (" against the BPMN 2.0 XSD" if schema == [] else ""),
                      markup=False)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)
