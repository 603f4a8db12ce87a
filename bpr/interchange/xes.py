"""XES (IEEE 1849) event logs: one trace per case, lifecycle transitions, times with their UTC offset.

A log declares the standard extensions it uses (concept, lifecycle, org, time). Each case is a trace whose
``concept:name`` is the case id. An activity record becomes three events at its three times, with
``lifecycle:transition`` ``schedule`` (the work became ready: without it the waiting before the work
would be lost), ``start`` and ``complete``; a record of no duration done by nobody (the end of a case,
or a routing-only record) becomes one ``complete`` event. Every event carries ``concept:name`` (the step
id), ``time:timestamp`` (``2027-04-01T09:00:00.000+09:00``), ``activity_name``, and where not empty
``org:role``, ``org:resource``, ``channel`` and ``on_behalf_of``; the ``complete`` event also carries the
``outcome``.

Within a trace the events are in time order. The file is written as it goes, a trace at a time: a log of
millions of events never sits in memory (as a tree or otherwise), only the events of one case. The records of a case must therefore come together (as :func:`~bpr.interchange.eventlog.sort_records`
orders them); a case met again after other cases is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TextIO
from xml.sax.saxutils import quoteattr

from bpr.interchange._files import Target, text_output
from bpr.interchange.eventlog import ActivityRecord, EventLogError, is_instant

__all__ = ["COMPLETE", "END_LIFECYCLE", "SCHEDULE", "START", "XES_EXTENSIONS", "write_xes"]

SCHEDULE, START, COMPLETE = "schedule", "start", "complete"
"""The standard lifecycle transitions an activity record becomes."""

END_LIFECYCLE = COMPLETE
"""The one transition of a case's end record (and of any other instant record, see
:func:`~bpr.interchange.eventlog.is_instant`)."""

XES_EXTENSIONS: tuple[tuple[str, str], ...] = (
    ("Concept", "concept"), ("Lifecycle", "lifecycle"), ("Organizational", "org"), ("Time", "time"),
)
"""(name, prefix) of the standard extensions declared; each at http://www.xes-standard.org/<prefix>.xesext."""

_HEADER = "\n".join([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">',
    *(f'  <extension name="{name}" prefix="{prefix}" uri="http://www.xes-standard.org/{prefix}.xesext"/>'
      for name, prefix in XES_EXTENSIONS),
    '  <global scope="trace">',
    '    <string key="concept:name" value="__INVALID__"/>',
    "  </global>",
    '  <global scope="event">',
    '    <string key="concept:name" value="__INVALID__"/>',
    '    <string key="lifecycle:transition" value="complete"/>',
    '    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>',
    "  </global>",
    '  <classifier name="Activity" keys="concept:name"/>',
    '  <classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>',
    "",
])

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot carry at all, escaped or not."""

_ATTRIBUTE_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
"""Kept as characters: a parser would otherwise turn them into spaces (attribute-value normalisation)."""


def _quote(value: str, record: ActivityRecord | None) -> str:
    if _NOT_XML.search(value):
        where = "the log name" if record is None else f"case {record.case_id!r}, activity {record.activity!r}"
        raise EventLogError(f"{where}: {value!r} holds a control character that XML cannot carry")
    return quoteattr(value, _ATTRIBUTE_ENTITIES)


def _timestamp(value: datetime, record: ActivityRecord) -> str:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise EventLogError(f"case {record.case_id!r}, activity {record.activity!r}: times must be datetimes "
                            f"with a time zone, not {value!r}")
    return value.isoformat(timespec="milliseconds")


def _events(record: ActivityRecord) -> Iterator[tuple[datetime, str]]:
    """The XES events of one record, each with its time."""
    common = [f'      <string key="concept:name" value={_quote(record.activity, record)}/>']
    optional = [("org:role", record.role), ("org:resource", record.resource),
                ("activity_name", record.activity_name), ("channel", record.channel),
                ("on_behalf_of", record.on_behalf_of)]
    common += [f'      <string key="{key}" value={_quote(value, record)}/>'
               for key, value in optional if value]
    outcome = f'      <string key="outcome" value={_quote(record.outcome, record)}/>'
    transitions = ([(COMPLETE, record.end)] if is_instant(record)
                   else [(SCHEDULE, record.enable), (START, record.start), (COMPLETE, record.end)])
    for transition, at in transitions:
        lines = ["    <event>", *common,
                 f'      <string key="lifecycle:transition" value="{transition}"/>',
                 f'      <date key="time:timestamp" value="{_timestamp(at, record)}"/>']
        if transition == COMPLETE:
            lines.append(outcome)
        lines.append("    </event>")
        yield at, "\n".join(lines) + "\n"


def write_xes(records: Iterable[ActivityRecord], target: Target, log_name: str = "bpr event log") -> int:
    """Write ``records`` as an XES log named ``log_name`` to a path or an open text file, a trace per case
    in the order the cases come; the number of traces written."""
    with text_output(target) as handle:
        return _write(records, handle, log_name)


def _write(records: Iterable[ActivityRecord], handle: TextIO, log_name: str) -> int:
    handle.write(_HEADER)
    handle.write(f"  <string key=\"concept:name\" value={_quote(log_name, None)}/>\n")
    done: set[str] = set()
    current: str | None = None
    events: list[tuple[datetime, str]] = []  # of the current case

    def close_trace() -> None:
        # In time order within the trace (records come by end time, so one activity's start may come after
        # another's completion); sorted() is stable, so ties keep the order of the records.
        handle.writelines(text for _, text in sorted(events, key=lambda event: event[0]))
        handle.write("  </trace>\n")

    for record in records:
        if record.case_id != current:
            if record.case_id in done:
                raise EventLogError(f"case {record.case_id!r} comes again after other cases: the records "
                                    "of a case must come together (sort them with sort_records)")
            if current is not None:
                close_trace()
                events.clear()
            current = record.case_id
            done.add(current)
            handle.write(f'  <trace>\n    <string key="concept:name" value={_quote(current, record)}/>\n')
        events.extend(_events(record))
    if current is not None:
        close_trace()
    handle.write("</log>\n")
    return len(done)
