"""Replayed arrivals from a CSV file: a real period's register, exported as it is.

``times: {csv: arrivals.csv, column: 受付日時}`` in an arrival stands for the list of instants in that column
(a path relative to the process file). Reading it here, before validation, keeps the model plain data (a
process's ``times`` is always a list) and puts each bad cell at ``file.csv:line:column``. A process that
comes as text (the REST service) has no folder, so it cannot point at files: there, give ``times`` as a list.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from bpr.errors import Issue
from bpr.model.files import unreadable
from bpr.model.schema import parse_timestamp

__all__ = ["MAX_REPLAYED", "read_replay_files"]

MAX_REPLAYED = 1_000_000
"""Most instants one CSV file may give (a busy counter's decade); more is refused, not truncated."""

MAX_CSV_BYTES = 64 * 1_048_576
_KEYS = {"csv", "column"}
_HINT = "write times: {csv: arrivals.csv, column: received} (column: the header of the instants; default the first)"


def read_replay_files(data: Any, file: str, folder: Path | None) -> tuple[Any, list[Issue]]:
    """``data`` with each ``times: {csv: …}`` of its arrivals replaced by the instants the CSV file lists
    (a copy where something is replaced; ``data`` itself is left as it is).

    CSV files are read from ``folder`` (the process file's) only: without one, naming a file is refused, so
    a process sent as text cannot make the server read its files. Issues without a line (about the YAML
    field) are to be located by the caller; those about the CSV carry its own file, line and column, named
    beside ``file``.
    """
    arrivals = data.get("arrivals") if isinstance(data, dict) else None
    if not isinstance(arrivals, list) or not any(
            isinstance(a, dict) and isinstance(a.get("times"), dict) for a in arrivals):
        return data, []
    arrivals = [dict(a) if isinstance(a, dict) else a for a in arrivals]
    data = {**data, "arrivals": arrivals}
    issues: list[Issue] = []
    for index, arrival in enumerate(arrivals):
        if not isinstance(arrival, dict) or not isinstance(arrival.get("times"), dict):
            continue
        path = f"arrivals[{index}].times"
        spec = arrival["times"]
        unknown = sorted(str(key) for key in spec if key not in _KEYS)
        if unknown or not isinstance(spec.get("csv"), str) or not spec["csv"].strip():
            what = f"unknown field {unknown[0]!r}" if unknown else "a CSV file name is needed in 'csv'"
            issues.append(Issue(f"{what} in a replayed stream", path, hint=_HINT))
            continue
        column = spec.get("column")
        if column is not None and not isinstance(column, (str, int)):
            issues.append(Issue("'column' is the header of the column of instants, or its number from 1",
                                f"{path}.column", hint=_HINT))
            continue
        if folder is None:
            issues.append(Issue("a CSV of arrival instants can only be named in a process file on disk",
                                f"{path}.csv", hint="give the instants as a list: times: ['2026-04-06 08:41', …]"))
            continue
        shown = spec["csv"] if file.startswith("<") else str(Path(file).parent / spec["csv"])
        instants, problems = _read_instants(folder / spec["csv"], shown, column)
        if problems:
            issues.extend(problem if problem.file != "<input>" else
                          Issue(problem.message, f"{path}.csv", hint=problem.hint) for problem in problems)
        elif not instants:
            issues.append(Issue(f"{spec['csv']} lists no instants", f"{path}.csv",
                                hint="a replayed stream needs at least one case"))
        else:
            arrival["times"] = instants
    return data, issues


def _read_instants(path: Path, name: str, column: str | int | None) -> tuple[list[str], list[Issue]]:
    problem = unreadable(path)
    if problem is not None:
        return [], [Issue(f"{name}: {problem.replace(', not a process file', ', not a regular file')}", hint="name a CSV file, relative to the process file's folder")]
    raw = path.read_bytes()[: MAX_CSV_BYTES + 1]
    if len(raw) > MAX_CSV_BYTES:
        return [], [Issue(f"larger than {MAX_CSV_BYTES // 1_048_576} MiB", file=name,
                          hint=f"split the period; at most {MAX_REPLAYED:,} instants per file")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [], [Issue("not UTF-8 text", file=name, line=line,
                          hint="save the CSV as UTF-8 (Excel: 'CSV UTF-8'); Shift_JIS is not read")]
    rows = csv.reader(io.StringIO(text, newline=""))
    instants: list[str] = []
    issues: list[Issue] = []
    at: int | None = None
    try:
        for number, row in enumerate(rows, start=1):
            line = rows.line_num
            if at is None:
                at, header = _column(row, column)
                if at is None:
                    return [], [Issue(f"no column {column!r} in the header", file=name, line=line, column=1,
                                      hint=f"the header names: {', '.join(row) or '(none)'}")]
                if header:
                    continue
            if not any(cell.strip() for cell in row):
                continue
            cell = row[at].strip() if at < len(row) else ""
            try:
                parse_timestamp(cell.replace("/", "-"))
            except ValueError as error:
                issues.append(Issue(str(error), file=name, line=line, column=at + 1))
                if len(issues) >= 20:
                    break
                continue
            instants.append(cell.replace("/", "-"))
            if len(instants) > MAX_REPLAYED:
                return [], [Issue(f"more than {MAX_REPLAYED:,} instants", file=name, line=line,
                                  hint="split the period into several streams or files")]
    except csv.Error as error:
        return [], [Issue(f"not a CSV file: {error}", file=name, line=rows.line_num)]
    return instants, issues


def _column(header: list[str], column: str | int | None) -> tuple[int | None, bool]:
    """Where the instants are in the first row's terms, and whether that row is a header to skip."""
    if isinstance(column, int):
        return (column - 1 if column >= 1 else None), not _is_instant(header[column - 1] if 0 < column <= len(header)
                                                                       else "")
    if column is None:
        return 0, not _is_instant(header[0] if header else "")
    names = [cell.strip() for cell in header]
    return (names.index(column.strip()) if column.strip() in names else None), True


def _is_instant(cell: str) -> bool:
    try:
        parse_timestamp(cell.replace("/", "-"))
    except ValueError:
        return False
    return True
