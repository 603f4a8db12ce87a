"""``bpr schema`` and the shipped schema/process.schema.json: up to date, valid, and in step with the parsers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bpr.cli.main import app
from bpr.model.jsonschema import CLOCK_PATTERN, DATE_PATTERN, SPAN_PATTERN, SCHEMA_ID, process_json_schema
from bpr.model.load import read_yaml
from bpr.model.schema import clock_minutes
from bpr.model.units import DURATION_PATTERN, RATE_PATTERN, parse_duration, parse_rate

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ROOT / "schema" / "process.schema.json"
VALID_FILES = sorted([*ROOT.glob("tests/model/valid/*.yaml"), *ROOT.glob("scenarios/*/*.yaml")])
CHANGE_LISTS = [p for p in VALID_FILES if re.search(r"^base:", p.read_text(encoding="utf-8"), re.MULTILINE)]
"""Files of the form ``base:`` + ``changes:``: the process schema does not describe them (docs/changes.md)."""
PROCESS_FILES = [p for p in VALID_FILES if p not in CHANGE_LISTS]

runner = CliRunner()


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _validator() -> Any:
    return jsonschema.Draft202012Validator(process_json_schema())


def _file_form(path: Path) -> Any:
    """A file as an editor's language server sees it: plain JSON data (mapping keys are text)."""
    data, _ = read_yaml(path.read_bytes(), str(path))
    return json.loads(json.dumps(data))


# --- the command and the shipped file ---------------------------------------------------------------


def test_schema_command_prints_the_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == process_json_schema()


def test_schema_command_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "process.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == _text(process_json_schema())


def test_output_path_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "[/]" / "[bold]s.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"


def test_shipped_schema_is_the_generated_one() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == _text(process_json_schema()), (
        "schema/process.schema.json is out of date: run  bpr schema -o schema/process.schema.json"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    schema = process_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert set(schema["required"]) == {"id", "name", "roles", "arrivals", "steps"}


# --- it agrees with bpr on files --------------------------------------------------------------------


def test_change_lists_are_told_apart_by_their_base() -> None:
    assert CHANGE_LISTS and all("base" in _file_form(p) and "changes" in _file_form(p) for p in CHANGE_LISTS)
    assert all("base" not in _file_form(p) for p in PROCESS_FILES)


@pytest.mark.parametrize("path", PROCESS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_valid_file_passes_the_schema(path: Path) -> None:
    data = _file_form(path)
    assert [error.message for error in _validator().iter_errors(data)] == []


@pytest.mark.parametrize(
    "name",
    [
        "unknown_field.yaml", "unknown_top_field.yaml", "missing_field.yaml", "unknown_step_type.yaml",
        "missing_step_type.yaml", "unknown_distribution.yaml", "negative_duration.yaml", "negative_sd.yaml",
        "duration_without_unit.yaml", "parameter_without_unit.yaml", "duration_in_words.yaml", "duration_month.yaml",
        "rate_in_words.yaml", "rate_zero.yaml", "rate_unknown_period.yaml", "rate_number.yaml",
        "unknown_channel.yaml", "probability_above_one.yaml", "japanese_id.yaml", "version_number.yaml",
        "bad_clock.yaml", "unknown_weekday.yaml", "no_roles.yaml", "one_branch.yaml", "condition_not_text.yaml",
    ],
)
def test_the_schema_catches_shape_errors_while_typing(name: str) -> None:
    data = _file_form(ROOT / "tests" / "model" / "invalid" / name)
    assert list(_validator().iter_errors(data)), f"{name} passes the schema"


def test_calendar_always_is_accepted_in_both_places() -> None:
    data = _file_form(ROOT / "tests" / "model" / "valid" / "minimal.yaml")
    data["calendar"] = "always"
    data["calendars"] = {"night": "always", "committee": {"days": ["wed"]}}
    assert list(_validator().iter_errors(data)) == []
    data["calendars"] = {"bad name": {"days": ["wed"]}}
    assert list(_validator().iter_errors(data))


# --- its patterns read exactly what the parsers read ------------------------------------------------


def _accepts(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


_DURATION_BITS = st.sampled_from(["1", "5", "0", "15", ".", "-", " ", "s", "S", "sec", "m", "M", "min", "h", "hour",
                                  "d", "day", "w", "week", "e", "x", "minutes", "分", "\t", "/"])
_RATE_BITS = st.sampled_from(["0", "1", "4", "_", ",", ".", "/", " ", "-", "hour", "h", "hr", "HR", "day", "d", "Day",
                              "week", "w", "wk", "month", "mo", "year", "y", "yr", "days", "per", "e"])
_CLOCK_BITS = st.sampled_from(["0", "1", "2", "3", "4", "5", "9", ":", " ", "-", "24", "23", "00", "60"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_DURATION_BITS, max_size=6).map("".join))
def test_duration_pattern_is_exactly_the_parser(text: str) -> None:
    assert bool(re.search(DURATION_PATTERN, text)) == _accepts(parse_duration, text), repr(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(_RATE_BITS, max_size=6).map("".join))
def test_rate_pattern_is_exactly_the_parser(text: str) -> None:
    assert bool(re.search(RATE_PATTERN, text)) == _accepts(parse_rate, text), repr(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(_CLOCK_BITS, max_size=5).map("".join))
def test_clock_pattern_is_exactly_the_parser(text: str) -> None:
    assert bool(re.search(CLOCK_PATTERN, text)) == _accepts(clock_minutes, text), repr(text)


@pytest.mark.parametrize(
    ("text", "valid"),
    [("08:30-12:00", True), ("8:30 - 12:00", True), ("13:00-24:00", True), ("08:30", False), ("8-12", False),
     ("25:00-26:00", False)],
)
def test_span_pattern(text: str, valid: bool) -> None:
    assert bool(re.search(SPAN_PATTERN, text)) is valid


@pytest.mark.parametrize(("text", "valid"), [("12-29", True), ("2026-05-01", True), ("5-1", False), ("2026/05/01", False)])
def test_date_pattern(text: str, valid: bool) -> None:
    assert bool(re.search(DATE_PATTERN, text)) is valid


# --- the editor setup shown in the docs ---------------------------------------------------------------


def test_docs_show_the_modeline_and_valid_vscode_settings() -> None:
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=../../schema/process.schema.json" in doc
    (settings_block,) = re.findall(r"```json\n(.*?)```", doc, flags=re.S)
    mapping = json.loads(settings_block)["yaml.schemas"]
    assert list(mapping) == ["./schema/process.schema.json"]
    assert "bpr schema -o schema/process.schema.json" in doc
