"""The ``bpr`` command: a typer app whose commands live one per module in :mod:`bpr.cli`.

A command's module (and the libraries it needs: pydantic, simpy, jinja2, fastapi…) is imported only when
that command runs, so ``bpr --help`` and ``bpr validate`` do not pay for the others. The list of commands and
their one-line help is therefore written here, in :data:`COMMANDS`; ``tests/cli/test_main.py`` holds it equal
to what the modules register.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer 0.29 and later carry their own click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer uses the click package
    import click  # type: ignore[no-redef]

__all__ = ["COMMANDS", "app", "run"]


class Command(NamedTuple):
    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "validate": Command("validate", "Check process files: schema, references, soundness. Exit 0 when all are "
                                    "valid, 2 otherwise."),
    "analyze": Command("analyze", "Find redundant approvals, needless handoffs, re-keying and stamps (rules in "
                                  "docs/rules.md)."),
    "simulate": Command("simulate", "Simulate a process (KPIs with 95% confidence intervals) or compare BEFORE "
                                    "with AFTER."),
    "render": Command("render", "Draw the process as swimlanes (one lane per department), with findings and "
                                "results if asked."),
    "schema": Command("schema", "Print the JSON Schema of the process file format."),
    "whatif": Command("whatif", "Apply changes to a process, print the changed process (it passes [bold]bpr "
                                "validate[/bold]) and the\ncomparison of before and after, as [bold]bpr simulate "
                                "BEFORE AFTER[/bold] prints it."),
    "serve": Command("serve", "Run the REST service: POST /v1/validate, /v1/analyze, /v1/simulate, /v1/whatif, "
                              "/v1/render; docs at /docs."),
    "redesign": Command("redesign", "Propose improvements, simulate each against the process, rank them (A do "
                                    "now, B plan, C quick win,\nD drop) and combine the best into one plan "
                                    "(docs/redesign.md)."),
    "report": Command("report", "Write the proposal report: headline savings with 95% intervals, diagrams, "
                                "charts, findings, the impact\nof each change, assumptions and method, in one "
                                "self-contained HTML file (printable on A4)."),
    "inbox": Command("cases", "The open work USER may do now (their roles, their claims, and what they do for "
                              "absent users), with counts."),
    "calibrate": Command("calibrate", "Fit durations, rates, probabilities, sweeps and staff of PROCESS to LOG; "
                                      "report where LOG leaves it."),
    "cases": Command("cases", "Run real cases of a deployed process file: people, their inboxes, actions, "
                              "deadlines, the audit trail."),
    "import": Command("interchange", "Read a BPMN model as a bpr process file; list what has no equivalent and "
                                     "the defaults to fill in."),
    "export": Command("interchange", "Write a process as BPMN 2.0 with lanes and diagram, or as a Prosimos "
                                     "scenario; exit 2 on bad input."),
    "sweep": Command("sweep", "Simulate every process of a catalogue under every what-if (common random numbers) "
                              "and rank the what-ifs."),
    "gen-catalog": Command("sweep", "Write a synthetic catalogue made from the shipped scenarios (volumes, staff "
                                    "and durations varied)."),
}
"""Command name -> the module of :mod:`bpr.cli` whose ``register(app)`` adds it, and its help line (the first
paragraph of its docstring); the order is the help order."""

_SETTINGS: dict[str, Any] = dict(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode="rich")


def registered(module: str) -> typer.Typer:
    """A typer app holding what the command module ``module`` registers (imports it)."""
    sub = typer.Typer(**_SETTINGS)
    importlib.import_module(f"bpr.cli.{module}").register(sub)
    return sub


class _LazyGroup(TyperGroup):
    """Lists the commands from :data:`COMMANDS`; imports a command's module when the command is looked up to
    run (or for its own help), not when the list is shown."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = COMMANDS.get(cmd_name)
        if command is None:
            return None
        if self._listing:
            return TyperCommand(cmd_name, help=command.help)
        if cmd_name not in self.commands:
            group = typer.main.get_group(registered(command.module))
            found = group.get_command(ctx, cmd_name)
            if found is None:
                return None
            self.commands[cmd_name] = found
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="bpr",
    cls=_LazyGroup,
    help="Redesign paper- and approval-heavy processes: validate, analyze, simulate, render, report.",
    no_args_is_help=True,
    **_SETTINGS,
)


@app.callback()
def _main() -> None:
    """Redesign paper- and approval-heavy processes: validate, analyze, simulate, render, report."""


def run() -> None:
    """The ``bpr`` command (:func:`bpr.cli.run`, which console scripts installed before it call here)."""
    from bpr.cli import run as run_command

    run_command()


if __name__ == "__main__":
    run()
