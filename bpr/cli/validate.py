"""``bpr validate FILE...``: check process files and change lists; every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bpr.changes import load_process
from bpr.cli.common import EXIT_BAD_INPUT, OutputFormat, console, err_console, print_json
from bpr.errors import BprError, ModelError


def validate(
    files: Annotated[list[Path], typer.Argument(help="Process files or change lists (base: + changes:).")],
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
) -> None:
    """Check process files: schema, references, soundness. Exit 0 when all are valid, 2 otherwise."""
    results = []
    for path in files:
        try:
            process = load_process(path)
        except BprError as error:
            issues = error.issues if isinstance(error, ModelError) else ()
            results.append({"file": str(path), "valid": False, "issues": [i.to_dict() for i in issues],
                            "message": str(error)})
            continue
        results.append({"file": str(path), "valid": True, "issues": [], "process": process.id,
                        "name": process.name, "steps": len(process.steps)})
    if output is OutputFormat.json:
        print_json({"files": results, "valid": all(r["valid"] for r in results)})
    else:
        for result in results:
            if result["valid"]:
                # file and process names are user text: escaped, or '[/]' in a name would be read as markup
                console.print(f"[green]ok[/green]  {escape(str(result['file']))}  ({escape(str(result['name']))}, "
                              f"{result['steps']} steps)")
            else:
                err_console.print(str(result["message"]), markup=False)
        bad = sum(not r["valid"] for r in results)
        if bad:
            err_console.print(f"{bad} of {len(results)} file(s) invalid")
    if not all(r["valid"] for r in results):
        raise typer.Exit(EXIT_BAD_INPUT)


def register(app: typer.Typer) -> None:
    app.command()(validate)
