"""One call for a face that writes an event log: the file name says the format."""

from __future__ import annotations

import os
from collections.abc import Iterable

from bpr.interchange.eventlog import ActivityRecord, write_csv
from bpr.interchange.xes import write_xes

__all__ = ["write_event_log"]


def write_event_log(records: Iterable[ActivityRecord], path: str | os.PathLike[str],
                    log_name: str = "bpr event log") -> None:
    """XES when ``path`` ends in ``.xes`` (any case), CSV otherwise; written atomically (see
    :func:`~bpr.interchange.eventlog.write_csv`, :func:`~bpr.interchange.xes.write_xes`)."""
    if os.fspath(path).lower().endswith(".xes"):
        write_xes(records, path, log_name=log_name)
    else:
        write_csv(records, path)
