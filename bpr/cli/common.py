"""What every command shares: consoles, loading with friendly errors, output formats, exit codes.

Exit codes are a contract: 0 ok, 1 a threshold the user asked for was missed, 2 bad input. Bad input is
printed as ``file:line:col: path: message — hint`` lines on stderr, never as a traceback.
"""

from __future__ import annotations

import enum
import json
import math
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

try:  # typer 0.2x runs on its own copy of click, whose context stack is not click's
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on click
    from click import get_current_context  # type: ignore[no-redef]

from bpr.changes import load_process
from bpr.errors import BprError, Issue, ModelError
from bpr.model.load import read_yaml
from bpr.model.schema import Process

if TYPE_CHECKING:
    from bpr.simulate import SimConfig

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_BAD_INPUT = 2


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


def fail(problem: BprError | Iterable[Issue] | str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print the problem (every issue of it) and exit with ``code``: as lines on stderr, or, when the command
    was asked for ``--format json``, as ``{"issues": [...]}`` on stdout (the shape of the REST service's
    errors), so that a script reading the JSON reads its errors too."""
    if isinstance(problem, ModelError):
        issues = list(problem.issues)
    elif isinstance(problem, (BprError, str)):
        issues = [Issue(str(problem), file="<input>" if isinstance(problem, BprError) else "<options>")]
    else:
        issues = list(problem)
    if _json_asked():
        print_json({"issues": [issue.to_dict() for issue in issues]})
    else:
        lines = [str(problem)] if isinstance(problem, (str, BprError)) and not isinstance(problem, ModelError) \
            else [issue.format() for issue in issues]
        for line in lines:
            err_console.print(line, markup=False)
    raise typer.Exit(code)


def _json_asked() -> bool:
    """Whether the running command was given ``--format json`` (whatever its parameter is called)."""
    context = get_current_context(silent=True)
    if context is None:
        return False
    return any(isinstance(value, enum.Enum) and value.value == "json" for value in context.params.values())


def load_or_exit(path: str | Path) -> Process:
    """Load a process file or a change list; on bad input print the issues and exit 2."""
    try:
        return load_process(path)
    except BprError as error:
        fail(error)


def change_snippets(texts: list[str], option: str = "--change") -> list[Any]:
    """Each ``--change`` YAML snippet as data (read as safely as a process file); a list adds all its items.

    A snippet that is not valid YAML is reported as ``--change 2`` (the second one); every bad snippet is
    reported at once, as a :class:`ModelError`.
    """
    items: list[Any] = []
    issues: list[Issue] = []
    for number, text in enumerate(texts, start=1):
        try:
            data, _ = read_yaml(text, f"{option} {number}")
        except ModelError as error:
            issues.extend(error.issues)
            continue
        items.extend(data if isinstance(data, list) else [data])
    if issues:
        raise ModelError(issues)
    return items


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8 as is (Japanese stays readable); a number that is not finite is ``null``, as
    JSON has no infinity (Python would print ``Infinity``, which JSON readers refuse)."""
    sys.stdout.write(json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def json_safe(data: Any) -> Any:
    """``data`` with every NaN or infinity replaced by ``None``."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: json_safe(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(value) for value in data]
    return data


def write_output(path: str | Path, text: str) -> None:
    """Write a result file whole or not at all (:mod:`bpr.render.files`); a folder that does not exist or a
    file that cannot be written is bad input (exit 2)."""
    from bpr.render.files import missing_folder, write_atomic  # here: bpr validate needs no renderer

    created = missing_folder(path)
    try:
        write_atomic(path, text)
    except OSError as error:
        fail_writing(path, error)
    note_created(created)


def note_created(folder: Path | None) -> None:
    """Say which folder writing an output created (a typing error in a folder name shows here)."""
    if folder is not None:
        err_console.print(f"note: created folder {folder}", markup=False, highlight=False)


def fail_writing(path: str | Path, error: OSError) -> NoReturn:
    """Exit 2 saying why ``path`` cannot be written."""
    fail(f"{path}: cannot write: {error.strerror or error}")


def read_json_or_exit(path: Path, written_by: str) -> Any:
    """A JSON result file another command wrote; on a bad file print why and exit 2."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"{path}: cannot read: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text; give the JSON written by '{written_by}'")
    except json.JSONDecodeError as error:
        fail(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}")


# Simulation options shared by every command that simulates (simulate, report): same names, same help.
Replications = Annotated[int, typer.Option("--replications", "-r", help="Independent replications (>= 2).")]
Horizon = Annotated[str, typer.Option(help="Length of the measurement window: 1y, 6mo, 8w, 10d.")]
WarmUp = Annotated[str, typer.Option("--warm-up", help="Simulated before measuring starts.")]
Seed = Annotated[int, typer.Option(help="Seed of all random streams.")]
Workers = Annotated[int, typer.Option(help="Worker processes (0: one per CPU). Results do not depend on it.")]
StartDate = Annotated[str | None, typer.Option(
    "--start-date", help="Date of simulation time 0, YYYY-MM-DD (default 2026-04-01).")]
HoursPerFte = Annotated[float, typer.Option("--hours-per-fte", help="Working hours of one FTE a year.")]
CountOrPrecision = Annotated[int | None, typer.Option(
    "--replications", "-r",
    help="A fixed count of independent replications (>= 2), instead of running them until --precision.")]
PrecisionOption = Annotated[str | None, typer.Option(
    "--precision", help="Run replications until the 95% interval of the lead time and the staff-hours (of "
    "their difference, when comparing) is within ± this of the before value: 2% or 0.02. The default is 2% "
    "unless --replications gives a fixed count; with both, --precision.")]
# The least --max-replications is bpr.simulate.precision.LEAST, written out: --help loads no engine (a
# test holds the two the same).
MaxReplications = Annotated[int | None, typer.Option(
    "--max-replications", min=5,
    help="The most replications a run to a precision may run (at least 5; default 200).")]
Force = Annotated[bool, typer.Option(
    "--force", help="Run even when the run is estimated to take longer than 15 minutes.")]

MAX_SECONDS_UNFORCED = 900.0
"""A run estimated to take longer than this (15 min) needs ``--force``: such an estimate is nearly always a
rate or horizon typed wrong (``1000000000/day``), and the run would not end in an afternoon."""


def sim_config_or_exit(
    *, replications: int | None, horizon: str, warm_up: str, seed: int, workers: int, start_date: str | None,
    hours_per_fte: float, **more: Any,
) -> SimConfig:
    """The simulation options of a command line as a SimConfig (``workers`` 0: one per CPU, at most one per
    replication; ``replications`` None: SimConfig's count, which a run to a precision uses only to estimate
    its size); a bad option is named by its flag, and the command exits 2."""
    from bpr.simulate import SimConfig

    count = SimConfig.model_fields["replications"].default if replications is None else replications
    options: dict[str, Any] = {
        "replications": count, "horizon": horizon, "warm_up": warm_up, "seed": seed,
        "workers": workers if workers > 0 else max(1, min(os.cpu_count() or 1, count)),
        "hours_per_fte": hours_per_fte, **more,
    }
    if start_date is not None:
        try:
            options["start_date"] = date.fromisoformat(start_date)
        except ValueError:
            fail([Issue(f"cannot read date {start_date!r}", path="--start-date", file="<options>",
                        hint="write YYYY-MM-DD, e.g. 2026-04-01")])
    try:
        return SimConfig(**options)
    except ValidationError as error:
        fail([Issue(str(e["msg"]).removeprefix("Value error, "), path="--" + str(e["loc"][0]).replace("_", "-"),
                    file="<options>") for e in error.errors(include_url=False)])


def precision_or_exit(text: str | None) -> float | None:
    """``--precision 2%`` (or ``0.02``) as a fraction; a bad value exits 2 naming the option."""
    if text is None:
        return None
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value < 1):
        fail([Issue(f"cannot read precision {text!r}", path="--precision", file="<options>",
                    hint="a share of the before value above 0 and below 100%: 2% or 0.02")])
    return value


def chosen_precision_or_exit(replications: int | None, precision: str | None, max_replications: int | None
                             ) -> tuple[float, int] | None:
    """``(target, most replications)`` of a run to a precision (``--precision``, or the default one when
    ``--replications`` is not given), or None for a fixed count
    (:func:`bpr.simulate.precision.chosen_precision`)."""
    from bpr.simulate.precision import chosen_precision

    try:
        return chosen_precision(replications, precision_or_exit(precision), max_replications)
    except ValueError as error:
        fail([Issue(str(error), path="--max-replications", file="<options>",
                    hint="give --precision with it, or leave out --replications")])


def check_run_size_or_exit(processes: list[Process], config: SimConfig, force: bool,
                           count_option: str = "--replications") -> None:
    """Estimate the run first (:mod:`bpr.simulate.budget`); over :data:`MAX_SECONDS_UNFORCED` without
    ``--force``, exit 2 naming the busiest arrival stream (where a mistyped rate is) and the estimate
    (``count_option``: the option that set ``config.replications``, for the hint)."""
    from bpr.model.volume import annual_cases
    from bpr.simulate.budget import cases_per_replication, estimated_seconds, format_seconds

    seconds = estimated_seconds(processes, config, config.workers)
    if seconds <= MAX_SECONDS_UNFORCED:
        return
    cases = max(cases_per_replication(p, config) for p in processes)
    shown = f"{cases:,.0f}" if cases < 1e12 else f"{cases:.1e}"
    message = (f"this run would simulate about {shown} cases in each of {config.replications} replications "
               f"and take about {format_seconds(seconds)} with {config.workers} worker(s)")
    if force:
        err_console.print(f"note: {message}; running it as --force asks", markup=False, highlight=False)
        return
    process = max(processes, key=lambda p: cases_per_replication(p, config))
    busiest = max(range(len(process.arrivals)),
                  key=lambda i: annual_cases(process, process.arrivals[i], config.start_date.year))
    path = f"arrivals[{busiest}].rate"
    line, column = process.location(path) or (None, None)
    fail([Issue(message, path=path, file=process.source_file or "<input>", line=line, column=column,
                hint=f"check this rate and --horizon, or use fewer {count_option}; --force runs it anyway")])


def run_size_or_exit(processes: list[Process], config: SimConfig, replications: int | None,
                     precision: str | None, max_replications: int | None,
                     force: bool) -> tuple[float, int] | None:
    """How the run's replications are chosen (:func:`chosen_precision_or_exit`: None for a fixed count, else
    the precision and the most replications), checked with :func:`check_run_size_or_exit`: a run to a
    precision at its maximum when ``--max-replications`` gave it; with the default maximum, the count
    ``config`` holds is checked (a mistyped rate shows there) and the maximum lowered to the replications
    estimated to end within :data:`MAX_SECONDS_UNFORCED` (never below that count; ``--force`` keeps it), with
    a note saying so."""
    from bpr.simulate.budget import replications_within

    chosen = chosen_precision_or_exit(replications, precision, max_replications)
    if chosen is not None and max_replications is not None:
        check_run_size_or_exit(processes, config.model_copy(update={"replications": chosen[1]}), force,
                               "--max-replications")
        return chosen
    check_run_size_or_exit(processes, config, force)
    if chosen is None or force:
        return chosen
    target, most = chosen
    fits = replications_within(processes, config, config.workers, MAX_SECONDS_UNFORCED)
    within = max(config.replications, fits)
    if within >= most:
        return chosen
    err_console.print(f"note: at most {within} replications, the most estimated to end within "
                      f"{MAX_SECONDS_UNFORCED / 60:.0f} minutes (--max-replications or --force for more)",
                      markup=False, highlight=False)
    return target, within


LogMap = Annotated[str | None, typer.Option(
    "--map", help="Columns of another CSV: case=..,activity=..,start=..,end=..[,resource=..,role=..,outcome=..,"
                  "channel=..]")]
LogTimezone = Annotated[str | None, typer.Option(
    "--timezone", help="Zone of the log's times without offset; default the process calendar's")]


def log_mapping(text: str | None) -> dict[str, str] | None:
    """``--map case=CaseID,activity=Activity,…`` as field -> column (``None``: bpr's own columns)."""
    if not text:
        return None
    from bpr.calibrate.log import FIELDS  # here: every command imports this module, few read logs

    out = {}
    for part in text.split(","):
        field, sep, column = part.partition("=")
        if not sep or field.strip() not in FIELDS or not column.strip():
            fail(f"--map {text!r}: write field=column pairs separated by commas, fields from {', '.join(FIELDS)} "
                 f"(e.g. case=CaseID,activity=Activity,start=Start,end=End,resource=User)")
        out[field.strip()] = column.strip()
    return out
