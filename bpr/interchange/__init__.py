"""Exchange with other tools: event logs as CSV and XES, in the record simulation and workflow engine share."""

from bpr.interchange.eventlog import (
    CSV_COLUMNS,
    ENDED,
    ActivityRecord,
    EventLogError,
    is_instant,
    read_csv,
    sort_records,
    write_csv,
)
from bpr.interchange.export import write_event_log
from bpr.interchange.xes import write_xes

__all__ = ["CSV_COLUMNS", "ENDED", "ActivityRecord", "EventLogError", "is_instant", "read_csv",
           "sort_records", "write_csv", "write_event_log", "write_xes"]
