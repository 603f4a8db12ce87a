"""The ``bpr`` command lists its commands without importing them, and the list is what the modules register."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from bpr.cli.main import COMMANDS, app, registered

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]  # the child imports this checkout's bpr, not another installed one


def _help_line(command: typer.models.CommandInfo) -> str:
    text = command.help or inspect.getdoc(command.callback) or ""
    return inspect.cleandoc(text).split("\n\n")[0]


def test_the_list_is_what_each_module_registers_in_order() -> None:
    found: dict[str, tuple[str, str]] = {}
    for module in dict.fromkeys(command.module for command in COMMANDS.values()):
        sub = registered(module)
        for command in sub.registered_commands:
            assert command.name is not None or command.callback is not None
            found[command.name or command.callback.__name__] = (module, _help_line(command))  # type: ignore[union-attr]
        for group in sub.registered_groups:
            assert group.name is not None and group.typer_instance is not None
            found[group.name] = (module, inspect.cleandoc(group.typer_instance.info.help or "").split("\n\n")[0])
    assert {name: (c.module, c.help) for name, c in COMMANDS.items()} == found


def test_help_lists_every_command_and_imports_none_of_them() -> None:
    code = ("import sys\nfrom bpr.cli.main import app\ntry:\n    app(['--help'], prog_name='bpr')\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('bpr.cli.') and m not in "
            "('bpr.cli.main', 'bpr.cli.interrupt')), sorted(m for m in ('pydantic', 'simpy', 'jinja2', 'numpy', "
            "'networkx', 'fastapi', 'sqlalchemy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "LOADED [] []"
    for name in COMMANDS:
        assert f" {name} " in done.stdout, name


def test_a_command_runs_and_an_unknown_one_is_refused() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and '"$schema"' in result.stdout
    result = runner.invoke(app, ["cases", "--help"])
    assert result.exit_code == 0 and "deployed process file" in result.stdout
    result = runner.invoke(app, ["simulat"])
    assert result.exit_code == 2 and "No such command 'simulat'" in result.output


def test_validate_loads_neither_the_engine_nor_the_renderer() -> None:
    """``bpr validate`` checks a file: it needs the model and its graph, not the simulation, the templates,
    the event logs, the service, or the holiday tables (which import every country the package knows)."""
    ringi = ROOT / "scenarios" / "purchase_ringi" / "before.yaml"
    code = ("import sys\nfrom bpr.cli.main import app\ntry:\n"
            f"    app(['validate', {str(ringi)!r}], prog_name='bpr')\n"
            "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
            "print('LOADED', sorted(m for m in ('simpy', 'jinja2', 'fastapi', 'sqlalchemy', 'lxml', 'graphviz', "
            "'bpr.simulate.engine', 'bpr.calibrate', 'bpr.render', 'holidays.countries') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout and done.stdout.splitlines()[-1] == "LOADED []"
