"""The JSON Schema of process files, as editors want it: the file form (units as text), not the inside form."""

from __future__ import annotations

from typing import Any

from bpr.model.schema import DEADLINE_PATTERN, Process
from bpr.model.units import RATE_PATTERN

SCHEMA_ID = "https://bpr.example/schema/process-1.json"

_CLOCK = r"\s*(([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)\s*"
CLOCK_PATTERN = f"^{_CLOCK}$"
SPAN_PATTERN = f"^{_CLOCK}-{_CLOCK}$"
DATE_PATTERN = r"^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$"

_TEXT_FIELDS = {
    # field name -> (pattern of the text or of each item, description for editors)
    "rate": (RATE_PATTERN, "a count per period: 40/day, 3/hour, 1200/year (per open day/hour of the calendar)"),
    "batch": (CLOCK_PATTERN, "times of day (HH:MM) when the in-tray is cleared, e.g. ['10:00', '16:00']"),
    "departures": (CLOCK_PATTERN, "times of day (HH:MM) when it leaves, e.g. ['14:00']"),
    "hours": (SPAN_PATTERN, "working hours of an open day, e.g. ['08:30-12:00', '13:00-17:15']"),
    "closed": (r"^(([0-9]{4}-)?[0-9]{2}-[0-9]{2}|year_end)$",
               "closed dates: 'MM-DD' every year, 'YYYY-MM-DD' once, or 'year_end' (12-29 to 01-03)"),
}


def _add_text_patterns(node: Any) -> None:
    """Give rates, times of day, spans and dates their patterns, so that editors flag typos as you type."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            if name in _TEXT_FIELDS and isinstance(prop, dict):
                pattern, description = _TEXT_FIELDS[name]
                for target in [prop, *prop.get("anyOf", [])]:
                    if target.get("type") == "string":
                        target["pattern"] = pattern
                    elif target.get("type") == "array" and target.get("items", {}).get("type") == "string":
                        target["items"]["pattern"] = pattern
                prop.setdefault("description", description)
        for value in node.values():
            _add_text_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _add_text_patterns(value)


def process_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for a process file in format version 1."""
    schema = Process.model_json_schema(mode="validation", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "bpr process file"
    props = schema["properties"]
    # 'always' is accepted where a calendar is expected
    calendar_or_always = {"anyOf": [{"const": "always"}, {"$ref": "#/$defs/Calendar"}]}
    props["calendar"] = {**calendar_or_always, "description": "working calendar, or 'always' for 24/7"}
    for pattern in props["calendars"].get("patternProperties", {}):
        props["calendars"]["patternProperties"][pattern] = calendar_or_always
    props["calendars"]["additionalProperties"] = False  # names are ids
    _add_text_patterns(schema)
    _add_replay_file(schema)
    _add_deadline_shorthand(schema)
    return schema


def _add_deadline_shorthand(node: Any) -> None:
    """``deadline: 30 days`` stands for ``{within: 30 days}`` wherever a deadline is accepted."""
    if isinstance(node, dict):
        prop = node.get("properties", {}).get("deadline")
        if isinstance(prop, dict) and {"$ref": "#/$defs/Deadline"} in prop.get("anyOf", []):
            prop["anyOf"] = [{"type": "string", "pattern": DEADLINE_PATTERN}, *prop["anyOf"]]
        for value in node.values():
            _add_deadline_shorthand(value)
    elif isinstance(node, list):
        for value in node:
            _add_deadline_shorthand(value)


_REPLAY_FILE = {
    "type": "object", "additionalProperties": False, "required": ["csv"],
    "properties": {"csv": {"type": "string", "minLength": 1, "description": "a CSV file beside the process file"},
                   "column": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1}],
                              "description": "header (or number from 1) of the column of instants; default the first"}},
    "description": "replay the instants listed in a CSV file (bpr.model.replay)",
}


def _add_replay_file(schema: dict[str, Any]) -> None:
    """``times`` may name a CSV file (read when the process file is loaded, see :mod:`bpr.model.replay`)."""
    times = schema["$defs"]["Arrival"]["properties"]["times"]
    times["anyOf"] = [*times.get("anyOf", []), _REPLAY_FILE]
