"""The ``bpr`` command: a typer app whose commands live one per module in :mod:`bpr.cli`."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="bpr",
    help="Redesign paper- and approval-heavy processes: validate, analyze, simulate, render, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

COMMANDS = ["validate", "analyze", "simulate", "render", "schema", "whatif", "serve", "redesign", "report",
            "cases", "calibrate", "sweep"]
"""Modules of bpr.cli that each add their command(s) with ``register(app)``; order is the help order."""

for _name in COMMANDS:
    importlib.import_module(f"bpr.cli.{_name}").register(app)


def run() -> None:
    """The ``bpr`` command (:func:`bpr.cli.run`, which console scripts installed before it call here)."""
    from bpr.cli import run as run_command

    run_command()


if __name__ == "__main__":
    run()
