"""``bpr whatif FILE --change 'remove: chief_check' ...``: print the process with changes applied.

The changes of ``--changes FILE`` (a list, or a change-list file's ``changes:``) come first, then each
``--change`` in the order given. Each ``--change`` is a YAML snippet read as safely as a process file.
The output is a complete process file that ``bpr validate`` accepts.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import typer

from bpr.changes import Change, apply_changes, describe, parse_changes, read_change_list_file
from bpr.cli.common import change_snippets, console, fail, load_or_exit, print_json, write_output
from bpr.errors import BprError
from bpr.model.load import dump_process, process_to_data
from bpr.model.schema import Process

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
) -> None:
    """Apply changes to a process and print the changed process (it passes [bold]bpr validate[/bold])."""
    process: Process = load_or_exit(file)
    applied: list[Change] = []
    try:
        if changes_file is not None:
            listed = read_change_list_file(changes_file)
            parsed = listed.parse()
            process = apply_changes(process, parsed, file=listed.file)
            applied.extend(parsed)
        if change:
            parsed = parse_changes(change_snippets(change, SNIPPETS), file=SNIPPETS)
            process = apply_changes(process, parsed, file=SNIPPETS)
            applied.extend(parsed)
    except BprError as error:
        fail(error)
    if output_format is WhatifFormat.json:
        if output is None:
            print_json(process_to_data(process))
            return
        text = json.dumps(process_to_data(process), ensure_ascii=False, indent=2) + "\n"
    else:
        text = dump_process(process)
        if output is None:
            typer.echo(text, nl=False)
            return
    write_output(output, text)
    console.print(f"wrote {output}: {len(applied)} change(s) applied", markup=False)
    for item in applied:
        console.print(f"  - {describe(item)}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(whatif)
