"""``bpr whatif FILE --change 'remove: chief_check' ...``: print the process with changes applied.

The changes of ``--changes FILE`` (a list, or a change-list file's ``changes:``) come first, then each
``--change`` in the order given. Each ``--change`` is a YAML snippet read as safely as a process file.
The output is a complete process file that ``bpr validate`` accepts; it keeps the comments and modeline
at the top of the files and takes a change-list file's ``name:`` (:mod:`bpr.study.whatif`).

Then the command simulates the process before and after, as ``bpr simulate BEFORE AFTER`` and
``POST /v1/whatif`` do, and prints the comparison: on stdout when the process goes to ``-o FILE``, on
stderr when the process goes to stdout (so that ``> after.yaml`` still gives a clean file). With
``--format json`` stdout holds ``{"process": …, "comparison": …}``. ``--yaml-only`` (or
``--process-only``) prints the process alone and simulates nothing.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import typer

from bpr.changes import Change, apply_changes, describe, parse_changes, read_change_list_file
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
    write_output,
)
from bpr.cli.simulate import comparison_text
from bpr.errors import BprError
from bpr.model.load import process_to_data
from bpr.model.schema import Process
from bpr.simulate import Comparison, compare
from bpr.simulate.precision import Precision, compare_to_precision
from bpr.study.whatif import whatif_yaml

SNIPPETS = "--change"
"""How errors name the ``--change`` options: ``--change: changes[1].remove: ...`` is the second one."""


class WhatifFormat(str, enum.Enum):
    yaml = "yaml"
    json = "json"


def whatif(
    file: Annotated[Path, typer.Argument(help="Process file (or change list) to start from.")],
    change: Annotated[
        list[str] | None,
        typer.Option("--change", "-c", help="A change as YAML, e.g. 'remove: chief_check' or '{staff: {clerk: 4}}'."),
    ] = None,
    changes_file: Annotated[
        Path | None, typer.Option("--changes", help="YAML file with a list of changes (applied first).")
    ] = None,
    output_format: Annotated[WhatifFormat, typer.Option("--format", help="yaml or json")] = WhatifFormat.yaml,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    yaml_only: Annotated[bool, typer.Option(
        "--yaml-only", "--process-only", help="Print the changed process only: do not simulate.")] = False,
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
) -> None:
    """Apply changes to a process, print the changed process (it passes [bold]bpr validate[/bold]) and the
    comparison of before and after, as [bold]bpr simulate BEFORE AFTER[/bold] prints it."""
    before: Process = load_or_exit(file)
    process = before
    applied: list[Change] = []
    name = description = None
    changes_text = ""
    try:
        if changes_file is not None:
            listed = read_change_list_file(changes_file)
            name, description = listed.name, listed.description
            changes_text = changes_file.read_text(encoding="utf-8", errors="replace")
            parsed = listed.parse()
            process = apply_changes(process, parsed, file=listed.file)
            applied.extend(parsed)
        if change:
            parsed = parse_changes(change_snippets(change, SNIPPETS), file=SNIPPETS)
            process = apply_changes(process, parsed, file=SNIPPETS)
            applied.extend(parsed)
    except BprError as error:
        fail(error)
    comparison: Comparison | None = None
    reached: Precision | None = None
    if not yaml_only:
        config = sim_config_or_exit(replications=replications, horizon=horizon, warm_up=warm_up, seed=seed,
                                    workers=workers, start_date=start_date, hours_per_fte=hours_per_fte)
        chosen = run_size_or_exit([before, process], config, replications, precision, max_replications, force)
        try:
            if chosen is None:
                comparison = compare(before, process, config)
            else:
                comparison, reached = compare_to_precision(before, process, config, *chosen)
        except BprError as error:
            fail(error)
    if output_format is WhatifFormat.json:
        data = process_to_data(process) if comparison is None else {
            "process": process_to_data(process), "comparison": comparison.to_dict(),
            **({"precision": reached.to_dict()} if reached is not None else {})}
        if output is None:
            print_json(data)
            return
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        file_text = file.read_text(encoding="utf-8", errors="replace")
        text = whatif_yaml(process, applied, file_text=file_text, changes_text=changes_text, name=name,
                           description=description)
        if output is None:
            typer.echo(text, nl=False)
            if comparison is not None:
                comparison_text(comparison, err_console, reached)
            return
    write_output(output, text)
    console.print(f"wrote {output}: {len(applied)} change(s) applied", markup=False)
    for item in applied:
        console.print(f"  - {describe(item)}", markup=False)
    if comparison is not None and output_format is WhatifFormat.yaml:
        comparison_text(comparison, console, reached)


def register(app: typer.Typer) -> None:
    app.command()(whatif)
