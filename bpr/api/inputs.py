"""From request bodies to library values: processes, change lists, simulation configs, scenarios.

Nothing here decides anything about processes: it picks the library function that reads each kind of
input, labels the source so issues say where a problem is (``process_yaml:12:5``), and applies the limits
of :class:`~bpr.api.settings.Settings`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bpr.api.errors import REQUEST, ApiError, issues_of
from bpr.api.models import ProcessInput, SimOptions
from bpr.api.settings import Settings
from bpr.changes import change_list_from_data, parse_process, process_from_data, read_change_list
from bpr.errors import BprError, Issue, ModelError, path_text
from bpr.model.schema import Process
from bpr.simulate.config import SimConfig, parse_span

__all__ = ["check_config", "list_scenarios", "options_error", "resolve_changes", "resolve_process", "scenario_path",
           "sim_config"]

_SCENARIO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MINUTES_PER_DAY = 1440.0


def _invalid(error: BprError) -> ApiError:
    return ApiError(422, issues_of(error))


def scenario_names(settings: Settings) -> list[str]:
    root = settings.scenarios_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "before.yaml").is_file() and _SCENARIO_NAME.match(p.name))


def scenario_path(settings: Settings, name: str, variant: str) -> Path:
    """The file of a shipped scenario; 422 naming the close matches when there is no such scenario."""
    import difflib

    names = scenario_names(settings)
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else (
            f"one of: {', '.join(names)}" if names else "this server ships no scenarios")
        raise ApiError.one(422, f"no shipped scenario {name[:64]!r}", path="scenario", hint=hint)
    path = settings.scenarios_dir / name / f"{variant}.yaml"
    if not path.is_file():
        raise ApiError.one(422, f"scenario {name!r} has no {variant} file", path="variant", hint="use 'before'")
    return path


@lru_cache(maxsize=64)
def _load_scenario(path: Path, mtime: float, label: str) -> Process:
    """Shipped scenarios are read once per change of the file (``mtime`` is part of the cache key); issues
    name them ``scenarios/NAME/before.yaml``, never by the server's own folders."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ModelError([Issue(f"cannot read file: {error.strerror}", file=label)]) from None
    return parse_process(raw, file=label, base_dir=path.parent)


def _scenario(path: Path) -> Process:
    return _load_scenario(path, path.stat().st_mtime, f"scenarios/{path.parent.name}/{path.name}")


def resolve_process(body: ProcessInput, settings: Settings, field: str = "") -> Process:
    """The process a request names, fully validated; 422 with the library's issues when it is not valid.

    ``field`` is where the input sits in the request (``after.`` for the redesigned process of a what-if):
    issues then name ``after.process_yaml`` as their file.
    """
    given = [name for name in ("process_yaml", "process", "scenario") if getattr(body, name) is not None]
    if len(given) != 1:
        message = ("give the process: one of process_yaml, process or scenario" if not given
                   else f"give only one of process_yaml, process or scenario (got {', '.join(given)})")
        raise ApiError.one(422, message, path=field.rstrip("."), hint="process_yaml is the YAML text of a process file")
    try:
        if body.process_yaml is not None:
            process = parse_process(body.process_yaml, file=f"{field}process_yaml")
        elif body.process is not None:
            process = process_from_data(body.process, file=f"{field}process")
        else:
            assert body.scenario is not None
            path = scenario_path(settings, body.scenario, body.variant)
            process = _scenario(path)
    except BprError as error:
        raise _invalid(error) from None
    check_size(process, settings)
    return process


def check_size(process: Process, settings: Settings) -> None:
    """413 for a process larger than the server takes: steps, roles and arrival streams each cost in every
    replication, beyond what the run-time estimate (cases x steps) counts."""
    for path, count, limit in (("steps", len(process.steps), settings.max_steps),
                               ("roles", len(process.roles), settings.max_roles),
                               ("arrivals", len(process.arrivals), settings.max_arrivals)):
        if count > limit:
            raise ApiError.one(413, f"the process has {count} {path.replace('arrivals', 'arrival streams')}; this "
                                    f"server accepts at most {limit}", path=path,
                               hint="split the process or run it with the CLI")


def resolve_changes(
    changes: list[dict[str, Any]] | None, changes_yaml: str | None, settings: Settings
) -> tuple[Any, str, list[Any]]:
    """Parsed changes (``bpr.changes``), the label of their source, and their plain data."""
    if (changes is None) == (changes_yaml is None):
        message = ("give the changes: changes (a JSON list), changes_yaml (YAML text) or after (a process)"
                   if changes is None else "give only one of changes or changes_yaml")
        raise ApiError.one(422, message, path="changes", hint='e.g. "changes": [{"staff": {"clerk": 3}}]')
    try:
        if changes_yaml is not None:
            # a YAML list, or a whole change-list document (its base is not used: the process is in the request)
            listed = read_change_list(changes_yaml, "changes_yaml", base_needed=False)
        else:
            listed = change_list_from_data(changes, "changes", base_needed=False)
        assert listed is not None  # without base_needed, the reader refuses what is not a change list
        if len(listed.items) > settings.max_changes:
            raise ApiError.one(413, f"{len(listed.items)} changes; this server accepts at most "
                                    f"{settings.max_changes}", path="changes")
        parsed = listed.parse()
    except BprError as error:
        raise _invalid(error) from None
    return parsed, listed.file, listed.items


def sim_config(options: SimOptions, settings: Settings) -> SimConfig:
    """A SimConfig from the request's options (SimConfig's defaults for the rest), within the limits."""
    given = options.model_dump(exclude_none=True, exclude={"precision", "max_replications"})
    if "replications" in given and given["replications"] > settings.max_replications:
        raise ApiError.one(422, f"replications {given['replications']} is more than this server's limit of "
                                f"{settings.max_replications}", path="options.replications",
                           hint="use fewer replications, or the CLI for large studies")
    try:
        config = SimConfig(**given, workers=1)
    except ValidationError as error:
        raise options_error(error) from None
    check_config(config, settings)
    return config


def precision_of(options: SimOptions, settings: Settings) -> tuple[float, int] | None:
    """``(target, most replications)`` unless the request asks for a fixed count (``replications`` without
    ``precision``): its precision, or ±2% when it names neither (the CLI's rule: ``chosen_precision``)."""
    from bpr.simulate.precision import chosen_precision

    try:
        chosen = chosen_precision(options.replications, options.precision, options.max_replications)
    except ValueError:
        raise ApiError.one(422, "max_replications goes with precision", path="options.max_replications",
                           hint="give options.precision (0.02: ±2%), or leave out options.replications") from None
    if chosen is None:
        return None
    target, most = chosen
    if options.max_replications is None:
        return target, min(most, settings.max_replications)
    if most > settings.max_replications:
        raise ApiError.one(422, f"max_replications {most} is more than this server's limit of "
                                f"{settings.max_replications}", path="options.max_replications",
                           hint="ask for fewer, or a looser precision")
    return target, most


def options_error(error: ValidationError) -> ApiError:
    """A SimConfig's refusal of the request's options, as issues naming ``options.<field>``."""
    issues = []
    for err in error.errors(include_url=False):
        message = str(err.get("ctx", {}).get("error") or err["msg"]).removeprefix("Value error, ")
        issues.append(Issue(message, path=path_text(("options", *err["loc"])), file=REQUEST))
    return ApiError(422, issues)


def check_config(config: SimConfig, settings: Settings) -> None:
    """Horizon, warm-up and replications within the server's limits (422 naming the option)."""
    if parse_span(config.horizon) > settings.max_horizon_days * _MINUTES_PER_DAY:
        raise ApiError.one(422, f"horizon {config.horizon!r} is longer than this server's limit of "
                                f"{settings.max_horizon_days:g} days", path="options.horizon", hint="e.g. 1y")
    if parse_span(config.warm_up) > settings.max_warm_up_days * _MINUTES_PER_DAY:
        raise ApiError.one(422, f"warm_up {config.warm_up!r} is longer than this server's limit of "
                                f"{settings.max_warm_up_days:g} days", path="options.warm_up", hint="e.g. 4w")
    if config.replications > settings.max_replications:
        raise ApiError.one(422, f"replications {config.replications} is more than this server's limit of "
                                f"{settings.max_replications}", path="options.replications",
                           hint="use fewer replications, or the CLI for large studies")


def _title(folder: Path) -> str:
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return folder.name


def list_scenarios(settings: Settings) -> list[dict[str, Any]]:
    """The shipped scenarios with their title, variants and the process each describes."""
    out = []
    for name in scenario_names(settings):
        folder = settings.scenarios_dir / name
        variants = [v for v in ("before", "after") if (folder / f"{v}.yaml").is_file()]
        entry: dict[str, Any] = {"name": name, "title": _title(folder), "variants": variants,
                                 "process": None, "process_name": None, "steps": None, "issues": []}
        path = folder / "before.yaml"
        try:
            process = _scenario(path)
        except BprError as error:
            entry["issues"] = [issue.to_dict() for issue in issues_of(error)]
        else:
            entry.update(process=process.id, process_name=process.name, steps=len(process.steps))
        out.append(entry)
    return out
