"""A catalogue: the processes of a sweep and the what-ifs to try on them.

Two ways to give one (docs/sweep.md has the whole format):

- **a folder**: every process file under it (``*.yaml``, ``*.yml``, subfolders included) is a process,
  keyed by its path without the suffix (``purchase_ringi/before``); every change list in it
  (``base:`` + ``changes:``) is a what-if of its base, named after its file (``after``); the rules given to
  :func:`read_catalog` (by default :data:`DEFAULT_RULES`) are tried on every process.
- **a catalogue file**::

      name: 市の手続き一覧
      options: {replications: 10, horizon: 13w}
      processes:
        - file: procedures/juminhyo.yaml        # relative to the catalogue
          key: juminhyo                          # default: the file name without suffix
          whatifs:                               # this process only
            - {name: konbini, changes: [{arrivals: {online: {share: 0.4}}}]}
            - {name: after, file: procedures/juminhyo_after.yaml}   # a change list or a complete file
        - glob: procedures/*.yaml                # many processes at once
      whatifs:                                   # every process
        - {name: digitize-rekey, rule: digitize-rekey}
        - {name: staff, rule: add-staff, above: 0.85, add: 1}

Every problem of a catalogue is reported at once, each as ``file:line:col: path: message — hint``
(:class:`~bpr.errors.ModelError`), before anything is simulated: a process file that does not load, a
change that does not apply, a rule that does not exist, two processes with one key.
"""

from __future__ import annotations

import glob as globbing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bpr.changes import (apply_changes, change_list_from_data, change_to_data, load_process, parse_changes,
                         read_change_list)
from bpr.changes.base import Locations, locate
from bpr.errors import BprError, Issue, ModelError, path_text
from bpr.model import load
from bpr.model.files import unreadable
from bpr.model.schema import Process
from bpr.study.options import SweepOptions
from bpr.study.whatifs import DEFAULT_RULES, RULES, check_rule

__all__ = ["Catalog", "CatalogEntry", "MAX_PROCESSES", "WhatIf", "read_catalog"]

MAX_PROCESSES = 100_000
"""More processes than any country has procedures: a glob that matched a whole disk."""

CATALOG_FIELDS = ("name", "description", "options", "processes", "whatifs")
ENTRY_FIELDS = ("file", "glob", "key", "whatifs")
WHATIF_FIELDS = ("name", "changes", "file", "rule")
BASELINE = "baseline"
"""The name of every process's unchanged version in the sweep's table; no what-if may take it."""


@dataclass(frozen=True)
class WhatIf:
    """One what-if: explicit changes (file form), a rule that finds the changes for each process, or a
    complete redesigned process file (``process``, read from ``file``)."""

    name: str
    changes: tuple[dict[str, Any], ...] | None = None
    rule: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # file:line of its definition, for messages
    process: Process | None = field(default=None, repr=False)
    file: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    """A process of the catalogue, its key (unique, stable: it decides the process's seed) and its own what-ifs."""

    key: str
    file: str
    process: Process
    whatifs: tuple[WhatIf, ...] = ()


@dataclass(frozen=True)
class Catalog:
    file: str
    entries: tuple[CatalogEntry, ...]
    whatifs: tuple[WhatIf, ...]  # tried on every process, after each process's own
    options: dict[str, Any]  # as written in the file (the sweep's options start from them)
    name: str | None = None

    def whatifs_of(self, entry: CatalogEntry) -> tuple[WhatIf, ...]:
        return entry.whatifs + self.whatifs


class _Reader:
    """Collects every issue of one catalogue file, with its line and column."""

    def __init__(self, file: str, locations: Locations) -> None:
        self.file = file
        self.locations = locations
        self.issues: list[Issue] = []

    def add(self, message: str, path: str, hint: str | None = None, key: bool = False) -> None:
        line, column = locate(self.locations, path, key=key)
        self.issues.append(Issue(message, path=path, file=self.file, line=line, column=column, hint=hint))

    def extend(self, error: ModelError, prefix: str | None = None) -> None:
        """Issues of a process file or change list; with ``prefix``, paths of changes written inline here
        (``changes[1].remove``) become paths in the catalogue (``whatifs[0].changes[1].remove``)."""
        for issue in error.issues:
            if prefix is not None and issue.file == self.file and issue.path.startswith("changes"):
                issue = Issue(issue.message, prefix + issue.path.removeprefix("changes"), issue.file, issue.line,
                              issue.column, issue.hint, issue.severity)
            self.issues.append(issue)

    def unknown_fields(self, data: dict[Any, Any], allowed: tuple[str, ...], path: str, what: str) -> None:
        for key in sorted(set(data) - set(allowed), key=str):
            at = f"{path}.{key}" if path else str(key)
            self.add(f"unknown field in {what}; allowed: {', '.join(allowed)}", load.printable(at),
                     hint=load.close_match(key, list(allowed)), key=True)


def read_catalog(path: str | Path, rules: tuple[str, ...] | None = None) -> Catalog:
    """Read a catalogue folder or file (see module doc); raises :class:`ModelError` with every issue.

    ``rules`` are rule names tried on every process of a folder (default :data:`DEFAULT_RULES`); for a
    catalogue file they are added to the file's own ``whatifs``.
    """
    path = Path(path)
    extra = tuple(WhatIf(rule, rule=rule, where="--rule") for rule in (rules or ()))
    unknown = [Issue(f"unknown rule {rule!r}; rules: {', '.join(RULES)}", path="--rule", file="<options>",
                     hint=load.close_match(rule, list(RULES))) for rule in rules or () if rule not in RULES]
    if unknown:
        raise ModelError(unknown)
    if path.is_dir():
        return _read_folder(path, extra if rules is not None else
                            tuple(WhatIf(rule, rule=rule, where=str(path)) for rule in DEFAULT_RULES))
    problem = unreadable(path)
    if problem is not None:
        hint = None
        if problem == "no such file" and path.parent.is_dir():
            hint = load.close_match(path.name, [p.name for p in path.parent.iterdir()])
        raise ModelError([Issue(problem if problem == "no such file" or problem.startswith("cannot") else
                                f"{problem.removeprefix('is ').removesuffix(', not a process file')} is not a "
                                "catalogue", file=str(path),
                                hint=hint or "give a folder of process files or a catalogue file (.yaml)")])
    return _read_file(path, extra)


# --- a folder ----------------------------------------------------------------------------------------


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _read_folder(folder: Path, whatifs: tuple[WhatIf, ...]) -> Catalog:
    issues: list[Issue] = []
    processes: dict[Path, tuple[str, Process]] = {}
    change_lists: list[tuple[Path, str]] = []
    for path in _yaml_files(folder):
        file = str(path)
        try:
            listed = read_change_list(load.read_file(path), file)
            if listed is not None:
                change_lists.append((path, (path.parent / listed.base).resolve().as_posix() if listed.base else ""))
                continue
            processes[path.resolve()] = (path.relative_to(folder).with_suffix("").as_posix(), load_process(path))
        except ModelError as error:
            issues.extend(error.issues)
    own: dict[Path, list[WhatIf]] = {}
    for path, base in change_lists:
        if Path(base) not in processes:
            issues.append(Issue("this change list's base is not a process of the catalogue folder", path="base",
                                file=str(path), line=1, column=1,
                                hint="put its base file in the folder too, or list the processes in a catalogue file"))
            continue
        try:
            load_process(path)  # its changes apply to its base
        except ModelError as error:
            issues.extend(error.issues)
            continue
        listed = read_change_list(load.read_file(path), str(path))
        assert listed is not None
        own.setdefault(Path(base), []).append(WhatIf(path.stem, changes=_changes_data(listed.parse()),
                                                     where=str(path)))
    if not processes and not issues:
        issues.append(Issue("no process files (*.yaml, *.yml) in this folder", file=str(folder),
                            hint="give a folder that holds process files, or a catalogue file"))
    if issues:
        raise ModelError(issues)
    entries = []
    for resolved, (key, process) in processes.items():
        names = {w.name for w in whatifs}
        mine = tuple(w for w in own.get(resolved, []) if w.name not in names)
        entries.append(CatalogEntry(key, str(folder / key) + resolved.suffix, process, mine))
    _check_names(entries, whatifs, str(folder))
    return Catalog(str(folder), tuple(entries), whatifs, {}, None)


def _check_names(entries: list[CatalogEntry], whatifs: tuple[WhatIf, ...], file: str) -> None:
    """Two what-ifs of one process with one name (a folder's change list named like a rule) are refused."""
    issues = []
    for entry in entries:
        seen: set[str] = set()
        for whatif in entry.whatifs + whatifs:
            if whatif.name in seen:
                issues.append(Issue(f"two what-ifs named {whatif.name!r} for process {entry.key!r}",
                                    file=whatif.where or file, hint="rename one of them"))
            seen.add(whatif.name)
    if issues:
        raise ModelError(issues)


def _changes_data(changes: Any) -> tuple[dict[str, Any], ...]:
    return tuple(change_to_data(change) for change in changes)


# --- a catalogue file --------------------------------------------------------------------------------


def _read_file(path: Path, extra: tuple[WhatIf, ...]) -> Catalog:
    file = str(path)
    data, locations = load.read_yaml(load.read_file(path), file)
    reader = _Reader(file, locations)
    if not isinstance(data, dict):
        reader.add("a catalogue is a mapping with 'processes:' (and 'whatifs:', 'options:')", "",
                   hint="processes:\n  - file: before.yaml")
        raise ModelError(reader.issues)
    reader.unknown_fields(data, CATALOG_FIELDS, "", "a catalogue")
    options = data.get("options") or {}
    if not isinstance(options, dict):
        reader.add("'options:' must be a mapping such as {replications: 10, horizon: 13w}", "options")
        options = {}
    else:
        _check_options(reader, options)
    whatifs = _whatifs(reader, data.get("whatifs"), "whatifs", None, path.parent) + extra
    entries: list[CatalogEntry] = []
    items = data.get("processes")
    if not isinstance(items, list) or not items:
        reader.add("'processes:' must be a list of {file: ...} or {glob: ...}", "processes",
                   hint="processes:\n  - file: before.yaml")
        items = []
    keys: dict[str, str] = {}
    for index, item in enumerate(items):
        at = f"processes[{index}]"
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict):
            reader.add("a process is a mapping with 'file:' or 'glob:'", at, hint="- file: before.yaml")
            continue
        reader.unknown_fields(item, ENTRY_FIELDS, at, "a process entry")
        for key, entry_file, process in _processes_of(reader, item, at, path.parent):
            if key in keys:
                reader.add(f"two processes with the key {key!r} ({keys[key]} and {entry_file})",
                           f"{at}.key" if "key" in item else at,
                           hint="give each a 'key:' of its own (keys decide the seeds, so keep them stable)")
                continue
            keys[key] = entry_file
            own = _whatifs(reader, item.get("whatifs"), f"{at}.whatifs", process, path.parent)
            entries.append(CatalogEntry(key, entry_file, process, own))
    if len(entries) > MAX_PROCESSES:
        reader.add(f"{len(entries)} processes; at most {MAX_PROCESSES} are allowed", "processes")
    if reader.issues:
        raise ModelError(reader.issues)
    _check_names(entries, whatifs, file)
    name = data.get("name")
    return Catalog(file, tuple(entries), whatifs, options, name if isinstance(name, str) else None)


def _check_options(reader: _Reader, options: dict[Any, Any]) -> None:
    try:
        SweepOptions(**{str(k): v for k, v in options.items()})
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = "options" + ("." + path_text(problem["loc"]) if problem["loc"] else "")
            message = str(problem["msg"]).removeprefix("Value error, ")
            hint = None
            if problem["type"] == "extra_forbidden":
                allowed = list(SweepOptions.model_fields)
                message = f"unknown option; allowed: {', '.join(allowed)}"
                hint = load.close_match(problem["loc"][0], allowed)
            reader.add(message, where, hint=hint, key=problem["type"] == "extra_forbidden")


def _processes_of(reader: _Reader, item: dict[str, Any], at: str, here: Path) -> list[tuple[str, str, Process]]:
    """(key, file, process) of one entry: one file, or every file a glob matches."""
    if ("file" in item) == ("glob" in item):
        reader.add("a process entry needs 'file:' or 'glob:' (one of them)", at, hint="- file: before.yaml")
        return []
    if "glob" in item:
        pattern = item["glob"]
        if not isinstance(pattern, str) or not pattern:
            reader.add("'glob:' must be a pattern such as procedures/*.yaml", f"{at}.glob")
            return []
        if "key" in item:
            reader.add("'key:' names one process; a glob matches many (each is keyed by its file name)",
                       f"{at}.key", hint="remove 'key:', or list the file with 'file:'", key=True)
        matched = sorted(Path(p) for p in globbing.glob(str(here / pattern), recursive=True) if Path(p).is_file())
        if not matched:
            reader.add(f"no file matches {pattern!r} (relative to {here})", f"{at}.glob",
                       hint="check the folder name; patterns are relative to the catalogue file")
        files = [(p, p.relative_to(here).with_suffix("").as_posix() if p.is_relative_to(here) else p.stem)
                 for p in matched]
    else:
        name = item["file"]
        if not isinstance(name, str) or not name:
            reader.add("'file:' must name a process file", f"{at}.file")
            return []
        key = item.get("key", Path(name).with_suffix("").as_posix())
        if not isinstance(key, str) or not key.strip() or key == BASELINE:
            reader.add("'key:' must be a non-empty name", f"{at}.key")
            return []
        files = [(here / name, key)]
    found = []
    for file_path, key in files:
        problem = unreadable(file_path)
        if problem is not None:
            siblings = [p.name for p in file_path.parent.iterdir()] if file_path.parent.is_dir() else []
            reader.add(f"{file_path}: {problem}", f"{at}.file" if "file" in item else f"{at}.glob",
                       hint=load.close_match(file_path.name, siblings) or "paths are relative to the catalogue file")
            continue
        try:
            found.append((key, str(file_path), load_process(file_path)))
        except ModelError as error:
            reader.extend(error)
    return found


def _whatifs(reader: _Reader, items: Any, at: str, process: Process | None, here: Path) -> tuple[WhatIf, ...]:
    """The what-ifs of a list; for one process (``process`` given) their changes are applied now, so that a
    change naming a missing step is reported with the catalogue, not in the middle of the sweep."""
    if items is None:
        return ()
    if not isinstance(items, list):
        reader.add("'whatifs:' must be a list of {name, changes | file | rule}", at,
                   hint="whatifs:\n  - {name: digitize, rule: digitize-rekey}")
        return ()
    found: list[WhatIf] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        path = f"{at}[{index}]"
        if isinstance(item, str):  # a bare rule name
            item = {"name": item, "rule": item}
        if not isinstance(item, dict):
            reader.add("a what-if is a mapping with 'name:' and one of 'changes:', 'file:', 'rule:'", path)
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            reader.add("a what-if needs a 'name:' (it names its rows in the table)", f"{path}.name" if "name" in item
                       else path, hint="name: digitize-rekey")
            continue
        if name == BASELINE or name in names:
            reader.add(f"what-if name {name!r} is {'reserved' if name == BASELINE else 'used twice'}",
                       f"{path}.name", hint="give it a name of its own")
            continue
        names.add(name)
        kinds = [k for k in ("changes", "file", "rule") if k in item]
        line, _ = locate(reader.locations, path)
        where = f"{reader.file}:{line}" if line else reader.file
        if len(kinds) != 1:
            reader.add(f"what-if {name!r} needs exactly one of 'changes:', 'file:', 'rule:'", path,
                       hint="changes: [{remove: step_id}], file: after.yaml, or rule: digitize-rekey")
            continue
        kind = kinds[0]
        if kind == "rule":
            allowed = ("name", "rule", *RULES.get(str(item["rule"]), {}))
            reader.unknown_fields(item, allowed, path, f"rule {item['rule']!r}" if item["rule"] in RULES else "a what-if")
            for message, field_name, hint in check_rule(item["rule"], {k: v for k, v in item.items()
                                                                    if k not in ("name", "rule")}):
                reader.add(message, f"{path}.{field_name}", hint=hint)
            params = {k: v for k, v in item.items() if k not in ("name", "rule")}
            found.append(WhatIf(name, rule=str(item["rule"]), params=params, where=where))
            continue
        reader.unknown_fields(item, ("name", kind), path, "a what-if")
        try:
            if kind == "changes":
                prefix = f"{path}.changes"
                sub = {k[len(prefix):]: v for k, v in reader.locations.items() if k.startswith(prefix)}
                try:
                    parsed = parse_changes(item["changes"], file=reader.file, locations=sub)
                except ModelError as error:
                    reader.extend(error, prefix)
                    continue
            else:
                if not isinstance(item["file"], str):
                    reader.add("'file:' must name a change list or a redesigned process file", f"{path}.file")
                    continue
                if process is None:
                    reader.add("a redesign file belongs to one process: give it under that process",
                               f"{path}.file", hint="move this what-if to the 'whatifs:' of its process")
                    continue
                prefix = None
                try:
                    target = here / item["file"]
                    data, locations = load.read_yaml(load.read_file(target), str(target))
                    if isinstance(data, dict) and not ("base" in data or "changes" in data):
                        # a complete redesigned process file: simulated as it is, with its process's seed
                        found.append(WhatIf(name, process=load_process(target), file=str(target), where=where))
                        continue
                    # a change list (its base unused: the changes go onto this process) or a bare list
                    listed = change_list_from_data(data, str(target), locations, base_needed=False)
                    assert listed is not None  # without base_needed, anything else is refused
                    parsed = listed.parse()
                except ModelError as error:
                    reader.extend(error)
                    continue
            if process is not None:
                apply_changes(process, parsed, file=reader.file)
        except ModelError as error:  # a change that does not apply to this process
            reader.extend(error, prefix)
            continue
        except BprError as error:
            reader.add(str(error), path)
            continue
        found.append(WhatIf(name, changes=_changes_data(parsed), where=where))
    return tuple(found)
