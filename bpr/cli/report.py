"""``bpr report BEFORE [OPTION ...] -o report.html``: the proposal report, with its diagrams written next to it.

One OPTION gives the before/after report; several (each a process file or a change list on BEFORE) are
compared side by side as options A, B, C …; none gives a report on the process as it is.

The library does the work (:mod:`bpr.study.report` simulates, :mod:`bpr.render.report` draws); this module
reads the options, shows a progress bar on a terminal, runs or reads a redesign when asked, writes the page
atomically and the diagrams beside it (``before.svg``, ``after.svg``, ``compare.svg``, and PNG when Graphviz
is present), and says where to open it.

``--redesign FILE.json`` draws a redesign result made earlier (``bpr redesign BEFORE --format json``);
``--redesign`` with no file (last, or followed by another option) runs the redesign of BEFORE first.

``--actual LOG`` adds the check section: the event log of the redesigned process, read as ``bpr calibrate``
reads one (``--map``, ``--timezone``), measured before anything is simulated (:mod:`bpr.calibrate.check`,
so that a bad log fails at once) and checked against the simulation of AFTER.
"""

from __future__ import annotations

import enum
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperCommand

from bpr.calibrate.check import Actual, check_prediction, measure_log
from bpr.calibrate.log import read_log
from bpr.changes import changes_in
from bpr.cli.common import (
    Force,
    Horizon,
    HoursPerFte,
    LogMap,
    LogTimezone,
    Replications,
    Seed,
    StartDate,
    WarmUp,
    Workers,
    check_run_size_or_exit,
    console,
    err_console,
    fail,
    fail_writing,
    load_or_exit,
    log_mapping,
    note_created,
    read_json_or_exit,
    sim_config_or_exit,
)
from bpr.errors import BprError, Issue
from bpr.render.files import StagedFiles, missing_folder
from bpr.render.graphviz_run import DEFAULT_DPI, find_dot, run_dot
from bpr.render.report import build_report
from bpr.render.report_redesign import check_redesign
from bpr.study import MAX_IMPACT_STEPS
from bpr.study.report import OPTION_LABELS, simulate_options

RUN_REDESIGN = "-"
"""The value ``--redesign`` takes when no file follows it: run the redesign now."""

PROGRESS_AFTER = 2.0
"""Seconds a run may take before the progress bar appears."""


class Lang(str, enum.Enum):
    ja = "ja"
    en = "en"


def redesign_flag(args: list[str]) -> list[str]:
    """``--redesign`` with no value after it (the end, another option, or a process file) gets the value
    :data:`RUN_REDESIGN`: typer options cannot take an optional value by themselves."""
    fixed: list[str] = []
    for index, arg in enumerate(args):
        fixed.append(arg)
        if arg == "--redesign":
            following = args[index + 1] if index + 1 < len(args) else None
            if following is None or following.startswith("-") or following.endswith((".yaml", ".yml")):
                fixed.append(RUN_REDESIGN)
    return fixed


class _ReportCommand(TyperCommand):
    """Lets ``--redesign`` stand alone (see :func:`redesign_flag`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Any: typer's vendored click.Context
        return super().parse_args(ctx, redesign_flag(args))


class _Bar:
    """A rich progress bar on stderr that appears only once a stage has taken ``PROGRESS_AFTER`` seconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = err_console.is_terminal
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER or done >= total:
                return
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done, total=total,
                        description=f"{self.label}: {stage[:30]}" if stage else self.label)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _read_redesign(path: Path) -> dict[str, Any]:
    data = read_json_or_exit(path, "bpr redesign FILE --format json")
    try:
        return dict(check_redesign(data, str(path)))
    except BprError as error:
        fail(error)


def _run_redesign(process: Any, seed: int, workers: int) -> dict[str, Any]:
    from bpr.redesign import DEFAULT_CONFIG, redesign  # only when asked: it is the slow part

    bar = _Bar("redesign")
    try:
        result = redesign(process, DEFAULT_CONFIG.model_copy(update={"seed": seed, "workers": workers}), bar)
    except BprError as error:
        fail(error)
    finally:  # a Ctrl-C too: the bar gives the terminal back
        bar.close()
    return result.to_dict()


def _measure_log(process: Any, path: Path, mapping: str | None, timezone: str | None) -> Actual:
    try:
        return measure_log(process, read_log(path, log_mapping(mapping), timezone or process.calendar.timezone))
    except BprError as error:
        fail(error)


def _write_diagrams(staged: StagedFiles, folder: Path, report: Any) -> None:
    """Each diagram as SVG (as drawn for the page) and, when Graphviz is present, as PNG."""
    can_draw = find_dot() is not None
    for name, diagram in report.diagrams.items():
        if diagram.svg is None:
            continue
        staged.write(folder / f"{name}.svg", diagram.svg)
        if can_draw:
            staged.write(folder / f"{name}.png", run_dot(diagram.dot, "png", dpi=DEFAULT_DPI))


def report_command(
    before: Annotated[Path, typer.Argument(help="The process as it is (a process file).")],
    options: Annotated[list[Path] | None, typer.Argument(
        help="The redesigned process (a process file or a change list on BEFORE); several are compared side by "
             "side as options A, B, C …; none gives a report on BEFORE as it is.", show_default=False)] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write; diagrams go next to it.")] = Path(
        "report.html"),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report: ja or en.")] = Lang.ja,
    replications: Replications = 20,
    horizon: Horizon = "1y",
    warm_up: WarmUp = "4w",
    seed: Seed = 0,
    workers: Workers = 0,
    start_date: StartDate = None,
    hours_per_fte: HoursPerFte = 1860.0,
    force: Force = False,
    impact_steps: Annotated[int, typer.Option(
        "--impact-steps", help="For a change list: at most this many simulated steps of the impact of each change "
                               "(neighbours are grouped beyond; 0 leaves the section out).")] = MAX_IMPACT_STEPS,
    redesign: Annotated[str | None, typer.Option(
        "--redesign", help="Add the impact x feasibility matrix: FILE.json from 'bpr redesign BEFORE --format json', "
                           "or no value to run the redesign now.")] = None,
    actual: Annotated[Path | None, typer.Option(
        "--actual", help="Add the check: the event log of the redesigned process (bpr CSV, XES, or a CSV with "
                         "--map), its lead time, deadline share and staff-hours against the prediction.")] = None,
    mapping: LogMap = None,
    timezone: LogTimezone = None,
) -> None:
    """Write the proposal report: headline savings with 95% intervals, diagrams, charts, findings, the impact
    of each change, assumptions and method, in one self-contained HTML file (printable on A4).

    bpr report BEFORE AFTER (before/after), bpr report BEFORE A.yaml B.yaml C.yaml (options side by side),
    bpr report BEFORE (the process as it is)."""
    if output.suffix.lower() not in (".html", ".htm"):
        fail([Issue(f"the report is HTML; got {output.name!r}", path="--output", file="<options>",
                    hint=f"write -o {output.with_suffix('.html')}")])
    if impact_steps < 0:
        fail([Issue("must be 0 or more", path="--impact-steps", file="<options>")])
    paths = list(options or [])
    if len(paths) > len(OPTION_LABELS):
        fail([Issue(f"at most {len(OPTION_LABELS)} options fit in one report; got {len(paths)}", path="OPTION",
                    file="<options>", hint="make several reports, or compare the most promising options")])
    if redesign is not None and len(paths) != 1:
        fail([Issue("the impact x feasibility matrix goes with one redesign", path="--redesign", file="<options>",
                    hint="give one AFTER file with --redesign, or leave --redesign out")])
    if actual is not None and len(paths) != 1:
        fail([Issue("the check against a log goes with one redesigned process", path="--actual", file="<options>",
                    hint="give one AFTER file: bpr report BEFORE AFTER --actual LOG")])
    if actual is None and (mapping or timezone):
        fail([Issue("--map and --timezone describe the log of --actual", path="--map" if mapping else "--timezone",
                    file="<options>", hint="add --actual LOG, or leave them out")])
    process_before = load_or_exit(before)
    versions = []
    for path in paths:
        process = load_or_exit(path)
        try:
            changes = changes_in(path.read_bytes(), str(path))
        except OSError as error:
            fail(f"{path}: cannot read: {error.strerror}")
        except BprError as error:
            fail(error)
        versions.append((process, changes))
    measured = _measure_log(versions[0][0], actual, mapping, timezone) if actual is not None else None
    config = sim_config_or_exit(replications=replications, horizon=horizon, warm_up=warm_up, seed=seed,
                                workers=workers, start_date=start_date, hours_per_fte=hours_per_fte)
    check_run_size_or_exit([process_before, *(process for process, _ in versions)], config, force)
    redesign_data = None
    if redesign == RUN_REDESIGN:
        redesign_data = _run_redesign(process_before, seed, config.workers)
    elif redesign is not None:
        redesign_data = _read_redesign(Path(redesign))
    bar = _Bar("simulating")
    try:
        run = simulate_options(process_before, versions, config, impact_steps=impact_steps, progress=bar)
    except BprError as error:
        fail(error)
    finally:  # a Ctrl-C too: the bar gives the terminal back
        bar.close()
    check = None
    if measured is not None:
        try:
            check = check_prediction(measured, run.options[0].comparison.after).to_dict()
        except BprError as error:
            fail(error)
    command = " ".join(["bpr report", str(before), *map(str, paths), f"-o {output} --lang {lang.value} "
                        f"-r {replications} --horizon {horizon} --seed {seed}",
                        *([f"--actual {actual}"] if actual is not None else [])])
    report = build_report(run, today=date.today(), lang=lang.value, files=[str(before), *map(str, paths)],
                          command=command, redesign=redesign_data, check=check)
    created = missing_folder(output)
    try:
        with StagedFiles() as staged:  # the page and its diagrams appear together, or none of them
            staged.write(output, report.html)
            _write_diagrams(staged, output.parent, report)
    except BprError as error:
        fail(error)
    except OSError as error:
        fail_writing(output, error)
    written = staged.written[1:]
    note_created(created)
    for note in report.notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    missing = [d.error for d in report.diagrams.values() if d.error]
    if missing:
        err_console.print(f"warning: {missing[0]}", markup=False, highlight=False)
    for label, option in zip(run.labels, run.options):
        if option.impact_note:
            which = "" if len(run.options) == 1 else f" of option {label}"
            err_console.print(f"note: impact of each change{which} left out: {option.impact_note}", markup=False)
    console.print(f"wrote {output} and {len(written)} diagram file(s): {', '.join(p.name for p in written)}",
                  markup=False)
    console.print(f"open it in a browser: {output.resolve().as_uri()}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("report", cls=_ReportCommand)(report_command)
