"""The JSON Schema of process files, as editors want it: the file form (units as text), not the inside form."""

from __future__ import annotations

from typing import Any

from bpr.model.schema import Process

SCHEMA_ID = "https://bpr.example/schema/process-1.json"


def process_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for a process file in format version 1."""
    schema = Process.model_json_schema(mode="validation", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "bpr process file"
    props = schema["properties"]
    # 'always' is accepted where a calendar is expected
    props["calendar"] = {"anyOf": [{"const": "always"}, {"$ref": "#/$defs/Calendar"}], "description": "working calendar, or 'always' for 24/7"}
    props["calendars"]["additionalProperties"] = {"anyOf": [{"const": "always"}, {"$ref": "#/$defs/Calendar"}]}
    return schema
