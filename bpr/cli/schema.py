"""``bpr schema``: the JSON Schema of process files, for editors (YAML language server) and tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bpr.cli.common import console, print_json, write_output
from bpr.model.jsonschema import process_json_schema


def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the process file format."""
    data: dict[str, Any] = process_json_schema()
    if output is None:
        print_json(data)
    else:
        write_output(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        console.print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(schema)
