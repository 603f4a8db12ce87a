"""Change-list files: ``base: before.yaml`` + ``changes: [...]``, and the process such a file stands for.

One reader, :func:`read_change_list`, serves every place that takes a change list:

- as a process (``bpr validate after.yaml``, ``bpr simulate before.yaml after.yaml``, a shipped scenario's
  ``after.yaml``, the report's impact table): the file must name its ``base:``; a complete process file is
  not a change list (the reader answers ``None``). :func:`load_process` and :func:`parse_process` read
  either kind and apply a change list to its base.
- as changes onto a process given otherwise (``--changes FILE``, the REST ``changes_yaml``): ``base:`` may
  be left out (and is not used), and a bare list of changes is read too.

:mod:`bpr.model.load` reads complete process files only; it knows nothing of changes, so that the model
layer does not import this package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpr.changes.apply import apply_changes
from bpr.changes.base import Change, Locations, locate
from bpr.changes.parse import parse_changes
from bpr.errors import Issue, ModelError
from bpr.model import load
from bpr.model.files import unreadable
from bpr.model.schema import Process

__all__ = [
    "ChangeList",
    "change_list_from_data",
    "changes_in",
    "load_process",
    "parse_process",
    "process_from_data",
    "read_change_list",
    "read_change_list_file",
]

MAX_BASES = 16
"""Longest chain of change lists, each the base of the next: deeper is a mistake (or a loop through names
that resolve differently), and refusing it keeps the reading shallow."""

FIELDS = ("base", "changes", "name", "description")
"""What a change-list file may hold."""


@dataclass(frozen=True)
class ChangeList:
    """A change list as written: the changes in file form with where each part is, and what the file says
    about the process it changes."""

    file: str
    items: list[Any]
    """The changes in file form, in order."""
    locations: Locations
    """Where each part starts (``changes[0].remove``, or ``[0].remove`` in a bare list) -> (line, column)."""
    base: str | None = None
    """The base file as written, relative to the change list (``None`` in a bare list)."""
    name: str | None = None
    description: str | None = None

    def parse(self) -> tuple[Change, ...]:
        """The change models, every problem at once (raises :class:`~bpr.errors.ModelError`)."""
        return parse_changes(self.items, file=self.file, locations=self.locations)


def change_list_from_data(
    data: Any, file: str = "<input>", locations: Locations | None = None, *, base_needed: bool = True
) -> ChangeList | None:
    """Already-parsed YAML as a change list; see :func:`read_change_list`."""
    locations = locations or {}
    if isinstance(data, list) and not base_needed:
        return ChangeList(file, data, locations)
    if not isinstance(data, dict) or not ("base" in data or "changes" in data):
        if base_needed:
            return None  # a complete process file (or not a process at all: the process loader says so)
        raise ModelError([Issue("expected a list of changes or a mapping with 'changes:'", path="changes", file=file,
                                line=1, column=1,
                                hint="write 'changes:' and under it one '- remove: step_id' per line")])
    issues = []
    for key in sorted(set(data) - set(FIELDS), key=str):
        line, column = locate(locations, str(key), key=True)
        issues.append(Issue(f"unknown field in a change list; allowed: {', '.join(FIELDS)}",
                            path=load.printable(str(key)), file=file, line=line, column=column,
                            hint=load.close_match(key, ["base", "changes"])))
    base = data.get("base")
    if (base_needed or "base" in data) and (not isinstance(base, str) or not base):
        line, column = locate(locations, "base")
        issues.append(Issue("a change list needs 'base:' naming the process file it changes", path="base",
                            file=file, line=line or 1, column=column or 1, hint="base: before.yaml"))
    items = data.get("changes")
    if not isinstance(items, list):
        line, column = locate(locations, "changes")
        issues.append(Issue("'changes:' must be a list of changes", path="changes", file=file, line=line or 1,
                            column=column or 1, hint="write a list such as 'changes: [{remove: step_id}]'"))
    if issues:
        raise ModelError(issues)
    assert isinstance(items, list)
    name, description = (data.get(key) for key in ("name", "description"))
    return ChangeList(file, items, locations, base if isinstance(base, str) else None,
                      name if isinstance(name, str) else None,
                      description if isinstance(description, str) else None)


def read_change_list(raw: bytes | str, file: str = "<input>", *, base_needed: bool = True) -> ChangeList | None:
    """The change list in the YAML text ``raw``, checked for shape (its changes are parsed by
    :meth:`ChangeList.parse`); raises :class:`~bpr.errors.ModelError` with every problem at once.

    With ``base_needed`` (the file stands for a process), the file must name its ``base:``, and a document
    that is not a change list gives ``None``: it is a complete process file. Without it (the changes go onto a
    process given otherwise), ``base:`` may be left out and a bare list of changes is read too; anything
    else is refused.
    """
    data, locations = load.read_yaml(raw, file)
    return change_list_from_data(data, file, locations, base_needed=base_needed)


def changes_in(raw: bytes | str, file: str) -> tuple[Change, ...] | None:
    """The parsed changes of a change-list file (``base:`` + ``changes:``); ``None`` for a complete process
    file (a report's after file may be either)."""
    listed = read_change_list(raw, file)
    return None if listed is None else listed.parse()


def read_change_list_file(path: str | os.PathLike[str]) -> ChangeList:
    """The changes of a ``--changes FILE``: a change-list file (its base unused) or a bare list."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ModelError([Issue(f"cannot read file: {error.strerror}", file=str(path))]) from None
    listed = read_change_list(raw, str(path), base_needed=False)
    assert listed is not None  # without base_needed, the reader refuses what is not a change list
    return listed


# --- the process a file stands for -------------------------------------------------------------------


def process_from_data(
    data: Any,
    file: str = "<input>",
    locations: Locations | None = None,
    base_dir: Path | None = None,
    _seen: tuple[str, ...] = (),
) -> Process:
    """Validate already-parsed data as a process, or as a change list applied to its base (a file in
    ``base_dir``)."""
    listed = change_list_from_data(data, file, locations)
    if listed is None:
        return load.process_from_data(data, file, locations, base_dir)
    return _applied(listed, base_dir, _seen)


def parse_process(
    text: str | bytes, file: str = "<input>", base_dir: Path | None = None, _seen: tuple[str, ...] = ()
) -> Process:
    """Parse and validate the text of a process file or a change list."""
    data, locations = load.read_yaml(text, file)
    return process_from_data(data, file, locations, base_dir, _seen)


def load_process(path: str | os.PathLike[str], _seen: tuple[str, ...] = ()) -> Process:
    """Load a process file or a change list (``base:`` + ``changes:``) from disk."""
    path = Path(path)
    file = str(path)
    resolved = str(path.resolve())
    return parse_process(load.read_file(path), file=file, base_dir=path.parent, _seen=_seen + (resolved,))


def _applied(listed: ChangeList, base_dir: Path | None, seen: tuple[str, ...]) -> Process:
    """The base of ``listed`` (a file next to it) with its changes applied."""
    assert listed.base is not None
    file = listed.file
    line, column = locate(listed.locations, "base")
    if base_dir is None:
        raise ModelError([Issue("a change list given as text cannot name a base file", path="base", file=file,
                                line=line, column=column, hint="send the base process itself")])
    if len(seen) > MAX_BASES:
        raise ModelError([Issue(f"change lists are based on change lists more than {MAX_BASES} deep", path="base",
                                file=file, line=line, column=column,
                                hint="base the change list on the process file, or merge the change lists")])
    base_path = base_dir / listed.base  # not resolved: messages about the base name it as the user would
    shown = listed.base if len(listed.base) <= 80 else listed.base[:79] + "…"
    problem = unreadable(base_path)
    if problem == "no such file":
        siblings = [p.name for p in base_path.parent.iterdir()] if base_path.parent.is_dir() else []
        raise ModelError([Issue(f"no base file {shown!r} next to this change list", path="base", file=file,
                                line=line, column=column,
                                hint=load.close_match(base_path.name, siblings) or f"looked for {base_path}")])
    if problem is not None:
        raise ModelError([Issue(f"base {shown!r} {problem}" if problem.startswith("is ")
                                else f"base {shown!r}: {problem}", path="base", file=file, line=line,
                                column=column, hint="base: names the process file (a regular .yaml file) it changes")])
    if str(base_path.resolve()) in seen:
        names = [Path(name).name for name in seen[seen.index(str(base_path.resolve())):]] + [base_path.name]
        raise ModelError([Issue(f"change lists are based on each other in a circle: {' -> '.join(names)}",
                                path="base", file=file, line=line, column=column,
                                hint="one of them must be based on the process file itself")])
    base_process = load_process(base_path, _seen=seen)
    changed = apply_changes(base_process, listed.parse(), file=file)
    renamed = {key: value for key, value in (("name", listed.name), ("description", listed.description))
               if value is not None}
    if renamed:  # the change list may give the redesigned process its own title
        located = dict(changed._locations)
        changed = changed.model_copy(update=renamed)
        changed._locations = located
        changed._file = file
    return changed
