"""The event-log record that simulated and real cases share, and its CSV form.

The simulation (``bpr simulate --events``) and the workflow engine write the same
:class:`ActivityRecord`, so that a simulated log and a real one can be compared, and one be calibrated
against the other. One record is one activity instance of a case: when its work became ready
(``enable``), started and ended, who did it and with what outcome. The end of a case is one more record,
of no duration, whose ``activity`` is the end step and whose ``outcome`` is the case's outcome.

**Order.** Writers keep the order they are given; :func:`sort_records` gives the order this package
writes and expects: cases in natural order of their ids (``case-2`` before ``case-10``), the records of a
case by ``end`` time; of records that end at the same time, instant ones (:func:`is_instant`: the end of
the case) come last, the others in the order given.

**CSV.** One row per record, the columns :data:`CSV_COLUMNS` (the field names, with ``_time`` on the
three times), times in ISO 8601 with their UTC offset (``2027-04-01T09:00:00+09:00``; microseconds only
where there are some), UTF-8. :func:`read_csv` is the inverse of :func:`write_csv`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from bpr.interchange._files import Target, text_output

__all__ = ["CSV_COLUMNS", "ENDED", "TIME_FIELDS", "ActivityRecord", "EventLogError", "is_instant", "read_csv",
           "sort_records", "write_csv"]


class ActivityRecord(NamedTuple):
    """One activity instance of a case; the end of a case is one record whose activity is the end step."""

    case_id: str
    activity: str  # step id (XES concept:name)
    activity_name: str  # display name of the step
    role: str  # the role that did it (XES org:role); "" for routing-only/end records
    resource: str  # who did it: a user id (real) or "role#n"/mode/party (simulated) (XES org:resource)
    enable: datetime  # tz-aware: when the work became ready
    start: datetime  # tz-aware
    end: datetime  # tz-aware
    outcome: str  # done | approved | rejected | returned | withdrawn ...; the end record: the case's outcome (End.outcome, or "ended")
    channel: str = ""  # arrival channel (simulated) or ""
    on_behalf_of: str = ""  # substitute (代決): the absent user the resource acted for


ENDED = "ended"
"""The outcome of a case whose end step names none."""

TIME_FIELDS: tuple[str, ...] = ("enable", "start", "end")
"""The record's times; each is a column ``<name>_time`` in CSV."""

CSV_COLUMNS: tuple[str, ...] = tuple(f"{name}_time" if name in TIME_FIELDS else name
                                     for name in ActivityRecord._fields)
"""The CSV header: ``case_id,activity,activity_name,role,resource,enable_time,start_time,end_time,outcome,
channel,on_behalf_of``."""

_TIME_INDEX = tuple(ActivityRecord._fields.index(name) for name in TIME_FIELDS)


def is_instant(record: ActivityRecord) -> bool:
    """No duration and nobody's work: the end of a case (or a routing-only record); one event in XES."""
    return record.enable == record.start == record.end and not record.role and not record.resource


class EventLogError(ValueError):
    """A record or a log file that does not have the shape of this module (says where and why)."""


def _stamp(record: ActivityRecord, index: int) -> str:
    value = record[index]
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise EventLogError(f"case {record.case_id!r}, activity {record.activity!r}: {ActivityRecord._fields[index]}"
                            f" must be a datetime with a time zone, not {value!r}")
    return value.isoformat()


def write_csv(records: Iterable[ActivityRecord], target: Target) -> int:
    """Write ``records`` as CSV (one row each, in the order given) to a path or an open text file; the
    number of records written. A naive (zone-less) time is refused: a log without offsets cannot be
    compared with one from another place or season."""
    count = 0
    with text_output(target, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in records:
            row: list[object] = list(record)  # the times replaced just below
            for index in _TIME_INDEX:
                row[index] = _stamp(record, index)
            writer.writerow(row)
            count += 1
    return count


def read_csv(source: Target) -> list[ActivityRecord]:
    """The records of a CSV event log written by :func:`write_csv`, in file order."""
    if isinstance(source, (str, os.PathLike)):
        # utf-8-sig: the same file after a round through a spreadsheet that added a byte-order mark.
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return _read_rows(handle, str(source))
    return _read_rows(source, str(getattr(source, "name", "<input>")))


def _read_rows(handle: Iterable[str], name: str) -> list[ActivityRecord]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or tuple(header) != CSV_COLUMNS:
        raise EventLogError(f"{name}:1: the header must be {','.join(CSV_COLUMNS)}, "
                            f"not {','.join(header or [])}")
    records = []
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if len(row) != len(CSV_COLUMNS):
            raise EventLogError(f"{where}: {len(row)} fields, expected {len(CSV_COLUMNS)}")
        values: list[object] = list(row)
        for index in _TIME_INDEX:
            values[index] = _parse_time(row[index], where, CSV_COLUMNS[index])
        records.append(ActivityRecord(*values))  # type: ignore[arg-type]
    return records


def _parse_time(text: str, where: str, column: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise EventLogError(f"{where}: {column} {text!r} is not an ISO 8601 time") from None
    if value.utcoffset() is None:
        raise EventLogError(f"{where}: {column} {text!r} has no UTC offset (write e.g. +09:00)")
    return value


_DIGITS = re.compile(r"(\d+)")


def _natural(case_id: str) -> tuple[tuple[int, int | str], ...]:
    """``after-2`` before ``after-10``: digit runs compare as numbers, the rest as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(case_id) if part)


def sort_records(records: Iterable[ActivityRecord]) -> list[ActivityRecord]:
    """``records`` in this package's order (module docstring): by case, end time, instants last; stable."""
    return sorted(records, key=lambda r: (_natural(r.case_id), r.end, is_instant(r)))
