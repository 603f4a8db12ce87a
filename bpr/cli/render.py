"""``bpr render FILE``: the swimlane diagram of a process as SVG, PNG, PDF or DOT."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from bpr.analysis import analyze
from bpr.cli.common import console, fail, fail_writing, load_or_exit, note_created, read_json_or_exit
from bpr.errors import BprError
from bpr.render import format_of, render_dot, write_diagram
from bpr.render.files import missing_folder
from bpr.render.overlay import overlay_from_results


class Lang(str, enum.Enum):
    ja = "ja"
    en = "en"


class Direction(str, enum.Enum):
    auto = "auto"
    LR = "LR"
    TB = "TB"


def _read_results(path: Path, process_name: str) -> tuple[dict[str, float], dict[str, float]]:
    data = read_json_or_exit(path, "bpr simulate --format json")
    try:
        return overlay_from_results(data, process_name)
    except BprError as error:
        fail(f"{path}: {error}")


def render_command(
    file: Annotated[Path, typer.Argument(help="A process file or a change list (base: + changes:).")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="out.svg, out.png, out.pdf or out.dot; without it DOT goes to stdout"),
    ] = None,
    findings: Annotated[
        bool, typer.Option("--findings", help="mark the analysis findings on the steps, explained in the legend")
    ] = False,
    results: Annotated[
        Path | None,
        typer.Option("--results", help="results JSON of 'bpr simulate': waiting time per step, utilisation per lane"),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="language of the diagram's words")] = Lang.ja,
    direction: Annotated[
        Direction,
        typer.Option("--direction", help="LR (left to right), TB (top to bottom) or auto (TB for long flows)"),
    ] = Direction.auto,
) -> None:
    """Draw the process as swimlanes (one lane per department), with findings and results if asked.

    Exit 0 when the diagram is written; 2 for a bad process or results file, an unknown output format,
    or a missing Graphviz (PNG/PDF/SVG need the 'dot' program; DOT output does not).
    """
    if output is not None:
        try:
            format_of(output)
        except BprError as error:
            fail(error)
    process = load_or_exit(file)
    marks = analyze(process).findings if findings else ()
    waits, utilisation = _read_results(results, process.name) if results is not None else ({}, {})
    dot_text = render_dot(
        process,
        findings=marks,
        waits=waits or None,
        utilisation=utilisation or None,
        lang=lang.value,
        direction=direction.value,
    )
    if output is None:
        sys.stdout.write(dot_text)
        return
    created = missing_folder(output)
    try:
        fmt = write_diagram(dot_text, output)
    except BprError as error:
        fail(error)
    except OSError as error:
        fail_writing(output, error)
    note_created(created)
    console.print(f"wrote {output} ({fmt.upper()})", markup=False)


def register(app: typer.Typer) -> None:
    app.command("render")(render_command)
