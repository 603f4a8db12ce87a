"""``bpr analyze FILE``: redundant approvals and needless handoffs, like a linter, plus summary figures."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bpr.analysis import SEVERITIES, Analysis, Finding, analyze, change_text
from bpr.cli.common import EXIT_THRESHOLD, OutputFormat, console, load_or_exit, print_json


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"


def finding_line(file: str, finding: Finding) -> str:
    """``file:line: BPR101 warning [a, b] message (suggest: remove: a)``."""
    where = f"{file}:{finding.line}" if finding.line is not None else file
    text = f"{where}: {finding.rule} {finding.severity} [{', '.join(finding.steps)}] {finding.message}"
    if finding.suggestion:
        text += f" (suggest: {change_text(finding.suggestion)})"
    return text


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title="summary (most likely path)", show_header=False, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key == "path" or (key == "other_entries" and not value):
            continue
        if key == "other_entries":  # cases that enter at other steps: where, and what share of them
            value = ", ".join(f"{entry['start']} ({entry['share']:.0%})" for entry in value)
        table.add_row(key, str(value))
    return table


def _print_text(file: str, analysis: Analysis) -> None:
    for finding in analysis.findings:
        console.print(finding_line(file, finding), markup=False)
    counts = analysis.counts()
    console.print(
        f"{len(analysis.findings)} finding(s): " + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES),
        markup=False,
    )
    console.print("path: " + " -> ".join(analysis.summary.get("path", [])), markup=False)
    console.print(_summary_table(analysis.summary))


def analyze_command(
    file: Annotated[Path, typer.Argument(help="A process file or a change list (base: + changes:).")],
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="exit 1 when a finding of this severity or a more serious one exists"),
    ] = None,
) -> None:
    """Find redundant approvals, needless handoffs, re-keying and stamps (rules in docs/rules.md).

    Exit 0 whatever is found, unless --fail-on is given; 2 for a file that cannot be read.
    """
    process = load_or_exit(file)
    analysis = analyze(process)
    if output is OutputFormat.json:
        print_json(
            {
                "file": str(file),
                "process": process.id,
                "summary": analysis.summary,
                "findings": [finding.to_dict() for finding in analysis.findings],
            }
        )
    else:
        _print_text(str(file), analysis)
    if fail_on is not None:
        limit = SEVERITIES.index(fail_on.value)
        if any(SEVERITIES.index(f.severity) <= limit for f in analysis.findings):
            raise typer.Exit(EXIT_THRESHOLD)


def register(app: typer.Typer) -> None:
    app.command(name="analyze")(analyze_command)
