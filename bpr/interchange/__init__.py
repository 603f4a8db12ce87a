"""Exchange with other tools: event logs as CSV and XES, in the record simulation and workflow engine share;
process models as BPMN 2.0 (import and export, with lanes and diagram); scenarios for the Prosimos simulator.

The BPMN and Prosimos names load their modules (and lxml) when first used, so that importing the event-log
record stays cheap for the simulator and the workflow engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from bpr.interchange.bpmn_check import schema_problems, structural_problems
    from bpr.interchange.bpmn_read import BpmnImport, BpmnImportError, ImportNote, read_bpmn
    from bpr.interchange.bpmn_write import write_bpmn
    from bpr.interchange.prosimos import ProsimosScenario, prosimos_scenario, write_prosimos

_LAZY = {
    "bpr.interchange.bpmn_check": ("schema_problems", "structural_problems"),
    "bpr.interchange.bpmn_read": ("BpmnImport", "BpmnImportError", "ImportNote", "read_bpmn"),
    "bpr.interchange.bpmn_write": ("write_bpmn",),
    "bpr.interchange.prosimos": ("ProsimosScenario", "prosimos_scenario", "write_prosimos"),
}
_HOME_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'bpr.interchange' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["ActivityRecord", "BpmnImport", "BpmnImportError", "CSV_COLUMNS", "ENDED", "EventLogError", "ImportNote",
           "ProsimosScenario", "is_instant", "prosimos_scenario", "read_bpmn", "read_csv", "schema_problems",
           "sort_records", "structural_problems", "write_bpmn", "write_csv", "write_event_log", "write_prosimos",
           "write_xes"]
