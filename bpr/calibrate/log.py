"""Reading an event log for calibration: bpr's CSV and XES, or any CSV with a column mapping.

A log is read into columns (:class:`Log`): one row per activity instance, times as seconds since the
epoch (UTC), so that a million events fit in a few arrays. Every problem a person can cause with a
file — a missing column, an empty file, a time that cannot be read, naive and zoned times mixed — is a
:class:`LogError` naming the file, the line and the column; never a traceback.

Naive times (no UTC offset) are read in ``timezone`` when one is given (the CLI gives the process
calendar's); a log that mixes naive and zoned times is refused, since one of the two would be hours off.
Columns that are neither mapped nor bpr's own are **case attributes** (``amount``): the first non-empty
value of a case is kept, as a number where it reads as one.
"""

from __future__ import annotations

import csv
import re
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from bpr.errors import BprError

__all__ = ["FIELDS", "REQUIRED", "BPR_MAPPING", "Log", "LogError", "read_log"]

FIELDS: tuple[str, ...] = ("case", "activity", "start", "end", "resource", "enable", "role", "outcome", "channel")
"""What a log column can mean; a mapping names the column for each."""

REQUIRED: tuple[str, ...] = ("case", "activity", "start", "end")
"""Fields without which nothing can be fitted (``resource`` is needed for staff counts only)."""

BPR_MAPPING: dict[str, str] = {"case": "case_id", "activity": "activity", "start": "start_time", "end": "end_time",
                               "resource": "resource", "enable": "enable_time", "role": "role",
                               "outcome": "outcome", "channel": "channel"}
"""The columns of ``bpr simulate --events`` and the workflow engine's export (bpr.interchange.eventlog)."""

_NOT_ATTRIBUTES = frozenset({"activity_name", "on_behalf_of"})
"""bpr columns that are neither fitted nor case attributes."""


class LogError(BprError):
    """An event log that cannot be read: the message starts with ``file:line`` and names the column."""


@dataclass
class Log:
    """An event log as columns; row ``i`` is one activity instance (or the end record of a case).

    ``enable`` is NaN where the log has no enable time; ``outcome``, ``role``, ``resource`` and ``channel``
    are ``""`` where it has none. Times are seconds since the epoch.
    """

    file: str
    case: list[str]
    activity: list[str]
    start: np.ndarray
    end: np.ndarray
    enable: np.ndarray
    resource: list[str]
    role: list[str]
    outcome: list[str]
    channel: list[str]
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # case id -> name -> value
    has: frozenset[str] = frozenset()  # the fields the file had a column for
    lines: list[int] = field(default_factory=list)  # source line of each row (CSV) or trace number (XES)

    def __len__(self) -> int:
        return len(self.case)

    def by_case(self) -> dict[str, list[int]]:
        """Row numbers of each case in time order (end, then enable, then file order), cases in file order."""
        rows: dict[str, list[int]] = {}
        for i, case in enumerate(self.case):
            rows.setdefault(case, []).append(i)
        end, enable = self.end, np.nan_to_num(self.enable, nan=-math.inf)
        for case, indexes in rows.items():
            indexes.sort(key=lambda i: (end[i], enable[i]))
        return rows


class _Times:
    """Parses the times of one file and remembers whether they carried an offset (a mix is an error)."""

    def __init__(self, file: str, zone: ZoneInfo | None) -> None:
        self.file = file
        self.zone = zone
        self.aware: bool | None = None
        self.first_line = 0
        self.first_column = ""

    def column(self, texts: list[str], lines: list[int], column: str) -> np.ndarray:
        """A whole column: at numpy speed when every time has the same shape and UTC offset (a log a program
        wrote), else one by one (which also says where a bad time is)."""
        if texts and self.aware is not False:
            first = texts[0]
            suffix, width = first[-6:], len(first)
            if _OFFSET.match(suffix) and all(len(t) == width and t.endswith(suffix) for t in texts):
                try:
                    local = np.array([t[:-6] for t in texts], dtype="datetime64[us]")
                except ValueError:
                    local = None
                if local is not None:
                    if self.aware is None:
                        self.aware, self.first_line, self.first_column = True, lines[0], column
                    sign = 1 if suffix[0] == "+" else -1
                    offset = sign * (int(suffix[1:3]) * 3600 + int(suffix[4:6]) * 60)
                    return local.astype(np.int64) / 1e6 - offset
        return np.fromiter((self.parse(t, line, column) for t, line in zip(texts, lines)), dtype=float,
                           count=len(texts))

    def parse(self, text: str, line: int, column: str) -> float:
        text = text.strip()
        if not text:
            raise LogError(f"{self.file}:{line}: column {column!r} is empty; every row needs its time")
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise LogError(f"{self.file}:{line}: column {column!r}: {text!r} is not an ISO 8601 time "
                           "(write e.g. 2026-04-01T09:00:00+09:00)") from None
        aware = value.utcoffset() is not None
        if self.aware is None:
            self.aware, self.first_line, self.first_column = aware, line, column
        elif aware != self.aware:
            had = "with" if self.aware else "without"
            raise LogError(f"{self.file}:{line}: column {column!r}: {text!r} is {'with' if aware else 'without'} a "
                           f"UTC offset, but line {self.first_line} ({self.first_column!r}) is {had} one: a mix of "
                           "naive and zoned times is ambiguous — give every time its offset (e.g. +09:00)")
        if not aware:
            if self.zone is None:
                raise LogError(f"{self.file}:{line}: column {column!r}: {text!r} has no UTC offset; add offsets "
                               "(e.g. +09:00) or give the time zone the log was written in")
            value = value.replace(tzinfo=self.zone)
        return value.timestamp()


_OFFSET = re.compile(r"[+-][0-9][0-9]:[0-9][0-9]$")


def _zone(timezone: str | None) -> ZoneInfo | None:
    if timezone is None:
        return None
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise LogError(f"time zone {timezone!r} is not known (write e.g. 'Asia/Tokyo')") from None


def read_log(path: str | os.PathLike[str], mapping: Mapping[str, str] | None = None,
             timezone: str | None = None) -> Log:
    """Read an event log: XES when the name ends in ``.xes``, else CSV with ``mapping`` (field -> column;
    by default bpr's own columns, :data:`BPR_MAPPING`). Naive times are read in ``timezone``."""
    file = os.fspath(path)
    if not os.path.isfile(file):
        raise LogError(f"{file}: no such file" if not os.path.exists(file) else f"{file}: not a regular file")
    zone = _zone(timezone)
    if file.lower().endswith(".xes"):
        return _read_xes(file, zone)
    return _read_csv(file, dict(mapping) if mapping else dict(BPR_MAPPING), zone, custom=mapping is not None)


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _read_csv(file: str, mapping: dict[str, str], zone: ZoneInfo | None, custom: bool) -> Log:
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise LogError(f"mapping names unknown field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}")
    try:
        handle = open(file, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise LogError(f"{file}: cannot read: {error.strerror or error}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise LogError(f"{file}:1: not a CSV text file ({error})") from None
        if header is None or not any(h.strip() for h in header):
            raise LogError(f"{file}: the file is empty; an event log needs a header line and one row per activity")
        header = [h.strip() for h in header]
        where = {name: k for k, name in enumerate(header)}
        columns: dict[str, int] = {}
        for name in FIELDS:
            column = mapping.get(name)
            if column is None:
                continue
            if column not in where:
                if name in REQUIRED or custom:
                    raise LogError(f"{file}:1: no column {column!r} for the {name} of each row; the header has "
                                   f"{', '.join(header)}" + ("" if custom else " (map the columns of your log: "
                                                             "--map case=...,activity=...,start=...,end=...)"))
                continue
            columns[name] = where[column]
        for name in REQUIRED:
            if name not in columns:
                raise LogError(f"{file}: the mapping names no column for the {name} of each row")
        used = set(columns.values())
        attribute_columns = [(k, h) for k, h in enumerate(header) if k not in used and h not in _NOT_ATTRIBUTES
                             and h not in BPR_MAPPING.values() and h]
        return _rows(file, reader, columns, attribute_columns, len(header), header, zone)


def _rows(file: str, reader: Any, columns: dict[str, int], attribute_columns: list[tuple[int, str]], width: int,
          header: list[str], zone: ZoneInfo | None) -> Log:
    times = _Times(file, zone)
    case: list[str] = []
    activity: list[str] = []
    resource: list[str] = []
    role: list[str] = []
    outcome: list[str] = []
    channel: list[str] = []
    start: list[str] = []
    end: list[str] = []
    enable: list[str] = []
    lines: list[int] = []
    attributes: dict[str, dict[str, Any]] = {}
    c_case, c_act, c_start, c_end = columns["case"], columns["activity"], columns["start"], columns["end"]
    c_res, c_role, c_out, c_chan, c_en = (columns.get(n, -1) for n in ("resource", "role", "outcome", "channel",
                                                                       "enable"))
    intern: dict[str, str] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != width:
                raise LogError(f"{file}:{line}: {len(row)} fields, but the header has {width}")
            case_id = row[c_case]
            if not case_id:
                raise LogError(f"{file}:{line}: column {header[c_case]!r} is empty; every row needs its case")
            name = row[c_act]
            if not name:
                raise LogError(f"{file}:{line}: column {header[c_act]!r} is empty; every row needs its activity")
            case.append(intern.setdefault(case_id, case_id))
            activity.append(intern.setdefault(name, name))
            start.append(row[c_start])
            end.append(row[c_end])
            if c_en >= 0:
                enable.append(row[c_en])
            resource.append(intern.setdefault(row[c_res], row[c_res]) if c_res >= 0 else "")
            role.append(intern.setdefault(row[c_role], row[c_role]) if c_role >= 0 else "")
            outcome.append(intern.setdefault(row[c_out], row[c_out]) if c_out >= 0 else "")
            channel.append(intern.setdefault(row[c_chan], row[c_chan]) if c_chan >= 0 else "")
            lines.append(line)
            if attribute_columns:
                mine = attributes.setdefault(case_id, {})
                for k, attribute in attribute_columns:
                    if row[k] != "" and attribute not in mine:
                        mine[attribute] = _number(row[k])
    except csv.Error as error:
        raise LogError(f"{file}:{reader.line_num}: not readable as CSV: {error}") from None
    except UnicodeDecodeError as error:
        raise LogError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not case:
        raise LogError(f"{file}: the log has a header but no rows; nothing to calibrate from")
    has = frozenset(name for name in FIELDS if name in columns)
    t_start = times.column(start, lines, header[c_start])
    t_end = times.column(end, lines, header[c_end])
    t_enable = times.column(enable, lines, header[c_en]) if c_en >= 0 else np.full(len(case), math.nan)
    backwards = np.flatnonzero(t_end < t_start)
    if len(backwards):
        raise LogError(f"{file}:{lines[backwards[0]]}: column {header[c_end]!r} is before {header[c_start]!r}")
    return Log(file, case, activity, t_start, t_end, t_enable, resource, role, outcome, channel, attributes, has,
               lines)


# --- XES ------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attributes(element: ET.Element) -> dict[str, str]:
    return {child.get("key", ""): child.get("value", "") for child in element if _local(child.tag) != "event"
            and child.get("key") is not None}


def _read_xes(file: str, zone: ZoneInfo | None) -> Log:
    """One trace per case; ``schedule``/``start``/``complete`` events of an activity make one row (paired in
    order per activity name); a ``complete`` with nothing open is an instant row (the end of a case)."""
    times = _Times(file, zone)
    rows: list[tuple[str, str, float, float, float, str, str, str, str, int]] = []
    attributes: dict[str, dict[str, Any]] = {}
    traces = 0
    try:
        for _, element in ET.iterparse(file, events=("end",)):
            if _local(element.tag) != "trace":
                continue
            traces += 1
            trace = _attributes(element)
            case_id = trace.pop("concept:name", "") or f"trace-{traces}"
            attributes[case_id] = {k: _number(v) for k, v in trace.items()}
            rows.extend(_trace_rows(case_id, element, times, traces))
            element.clear()
    except ET.ParseError as error:
        line = error.position[0] if error.position else 0
        raise LogError(f"{file}:{line}: not a readable XES (XML) file: {error}") from None
    if not rows:
        raise LogError(f"{file}: the log holds no events; nothing to calibrate from")
    case, activity, enable, start, end, resource, role, outcome, channel, lines = (list(c) for c in zip(*rows))
    return Log(file, case, activity, np.asarray(start, dtype=float), np.asarray(end, dtype=float),
               np.asarray(enable, dtype=float), resource, role, outcome, channel, attributes,
               frozenset(FIELDS), lines)


def _trace_rows(case_id: str, trace: ET.Element, times: _Times,
                number: int) -> Iterator[tuple[str, str, float, float, float, str, str, str, str, int]]:
    open_: dict[str, list[dict[str, Any]]] = {}
    for event in trace:
        if _local(event.tag) != "event":
            continue
        values = _attributes(event)
        name = values.get("concept:name", "")
        if not name:
            raise LogError(f"{times.file}: trace {number} ({case_id!r}): an event without concept:name")
        t = times.parse(values.get("time:timestamp", ""), number, "time:timestamp")
        transition = values.get("lifecycle:transition", "complete").lower()
        pending = open_.setdefault(name, [])
        if transition == "schedule":
            pending.append({"enable": t, **values})
        elif transition == "start":
            item = next((p for p in pending if "start" not in p), None)
            if item is None:
                item = {"enable": math.nan, **values}
                pending.append(item)
            item["start"] = t
        elif transition == "complete":
            item = next((p for p in pending if "start" in p), None) or (pending[0] if pending else None)
            if item is None:
                item = {"enable": t, "start": t}
            else:
                pending.remove(item)
            merged = {**item, **values}
            begin = item.get("start", t)
            yield (case_id, name, item["enable"], begin, t, merged.get("org:resource", ""), merged.get("org:role", ""),
                   merged.get("outcome", ""), merged.get("channel", ""), number)



def log_from_records(records: Iterable[Any], file: str = "<records>",
                     attributes: Mapping[str, Mapping[str, Any]] | None = None) -> Log:
    """A :class:`Log` of :class:`bpr.interchange.eventlog.ActivityRecord` values already in memory (a
    simulation's :func:`~bpr.simulate.results.event_records`), without a round through a file."""
    rows = list(records)
    if not rows:
        raise LogError(f"{file}: the log holds no records; nothing to calibrate from")
    return Log(file, [r.case_id for r in rows], [r.activity for r in rows],
               np.asarray([r.start.timestamp() for r in rows]), np.asarray([r.end.timestamp() for r in rows]),
               np.asarray([r.enable.timestamp() for r in rows]), [r.resource for r in rows], [r.role for r in rows],
               [r.outcome for r in rows], [r.channel for r in rows],
               {case: dict(values) for case, values in (attributes or {}).items()}, frozenset(FIELDS),
               list(range(2, len(rows) + 2)))
