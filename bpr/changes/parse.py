"""Reading changes from their file form, every problem at once, each located in the file."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bpr.changes.base import Change, Locations, hint, locate
from bpr.changes.registry import CHANGE_KINDS, CHANGE_TYPES
from bpr.errors import Issue, ModelError, path_text
from bpr.model.distributions import DISTRIBUTION_NAMES

__all__ = ["change_issue", "parse_changes"]


def parse_changes(data: Any, file: str = "<input>", locations: Locations | None = None) -> tuple[Change, ...]:
    """File form -> change models, reporting every problem at once (raises :class:`ModelError`).

    ``locations`` maps paths such as ``changes[0].remove`` (as :func:`bpr.model.load.read_yaml` makes
    them for a change-list file; paths of a bare list, ``[0].remove``, are read the same) to (line, col).
    """
    issues: list[Issue] = []
    changes: list[Change] = []
    if not isinstance(data, list):
        line, column = locate(_relative_locations(locations, -1), "")
        at = (locations or {}).get("changes")
        issues.append(
            Issue(
                message=f"expected a list of changes, got {type(data).__name__}",
                path="changes",
                file=file,
                line=at[0] if at is not None else line,
                column=at[1] if at is not None else column,
                hint="write one change per item: '- remove: chief_check'",
            )
        )
        raise ModelError(issues)
    for index, item in enumerate(data):
        where = _relative_locations(locations, index)
        line, column = locate(where, "")
        if not isinstance(item, dict) or len(item) != 1:
            if isinstance(item, dict) and item:
                message = f"a change has exactly one kind, got {len(item)}: {', '.join(map(str, item))}"
                advice = "write each change as its own list item"
            else:
                message = f"expected a one-key mapping such as 'remove: chief_check', got {item!r}"
                advice = f"kinds: {', '.join(CHANGE_KINDS)}"
            issues.append(Issue(message, f"changes[{index}]", file, line, column, advice))
            continue
        ((key, body),) = item.items()
        kind = str(key)
        if kind not in CHANGE_TYPES:
            line, column = locate(where, kind, key=True)
            advice = hint(kind, CHANGE_KINDS) or f"kinds: {', '.join(CHANGE_KINDS)}"
            issues.append(Issue(f"unknown change {kind!r}", f"changes[{index}].{kind}", file, line, column, advice))
            continue
        cls = CHANGE_TYPES[kind]
        model_input, form = cls.from_file(body)
        try:
            change = cls.model_validate(model_input)
        except ValidationError as error:
            for detail in _most_specific([dict(e) for e in error.errors()]):
                issues.append(_error_issue(detail, cls, form, index, file, where))
            continue
        change._form = form
        change._where = where
        changes.append(change)
    if issues:
        raise ModelError(issues)
    return tuple(changes)


def change_issue(change: Change, index: int, file: str, loc: tuple[Any, ...], message: str,
                 advice: str | None) -> Issue:
    """An issue about ``changes[index]`` at its field ``loc`` (a model location), located where it was written."""
    relative = _file_path(type(change), change._form, loc)
    line, column = locate(change._where, relative)
    return Issue(message=message, path=f"changes[{index}].{relative}", file=file, line=line, column=column, hint=advice)


def _file_path(cls: type[Change], form: str | None, loc: tuple[Any, ...]) -> str:
    """Model location -> path relative to the change as written (``delegate.to``, ``digitize[1]``)."""
    form = form or cls.canonical_form()
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or "(" in p))]
    # A discriminated union adds its tag ('lognormal') to the location; the file has no such key.
    parts = [p for i, p in enumerate(parts) if not (p in DISTRIBUTION_NAMES and i and parts[i - 1] == "duration")]
    # Fields that the file form leaves out: ``staff: {clerk: 4}`` holds ``roles``, ``remove: X`` is ``step``.
    unwritten = cls.flat_field or (cls.short_field if form == "short" else None)
    if parts and parts[0] == unwritten:
        parts = parts[1:]
    elif parts and form == "scalar" and parts[0] == "steps":
        parts = []
    return cls.kind + (("." if isinstance(parts[0], str) else "") + path_text(parts) if parts else "")


def _expected_text(loc: tuple[Any, ...]) -> str:
    """What a text field of a change holds, for 'expected …, got 3'."""
    if loc and (loc[-1] == "step" or loc[0] == "steps"):
        return "a step id"
    if loc and loc[-1] == "to":
        return "a role id"
    return "text"


def _error_issue(
    error: dict[str, Any], cls: type[Change], form: str, index: int, file: str, where: Locations
) -> Issue:
    """One pydantic error on a change -> an Issue in the words and paths of the file."""
    loc = tuple(error["loc"])
    kind_of_error = error["type"]
    advice: str | None = None
    message = error["msg"]
    ctx = error.get("ctx") or {}
    at_key = False
    if kind_of_error == "missing":
        name = loc[-1]
        loc = loc[:-1]
        message = f"missing field {name!r}"
    elif kind_of_error == "extra_forbidden":
        allowed = cls.allowed_fields()
        message = f"unknown field; allowed: {', '.join(allowed)}"
        advice = hint(loc[-1], allowed)
        at_key = True
    elif kind_of_error == "literal_error":
        expected = [e.strip().strip("'") for e in str(ctx.get("expected", "")).replace(" or ", ",").split(",")]
        expected = [e for e in expected if e]
        message = f"{error['input']!r} is not one of: {', '.join(expected)}"
        advice = hint(error["input"], expected)
        at_key = "[key]" in loc
    elif kind_of_error == "string_pattern_mismatch":
        message = f"{error['input']!r} is not an id: ids are ASCII letters, digits and '_', starting with a letter"
    elif kind_of_error == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind_of_error == "string_type":
        message = f"expected {_expected_text(loc)}, got {error['input']!r}"
        advice = cls.wrong_type_hint(error["input"])
    elif kind_of_error == "too_short":
        noun = "steps" if loc and loc[-1] == "steps" else "items"
        message = f"needs at least {ctx.get('min_length')} {noun}, got {ctx.get('actual_length')}"
    elif "input" in error and not isinstance(error["input"], (dict, list)):
        message = f"{message}, got {error['input']!r}"
    relative = _file_path(cls, form, loc)
    line, column = locate(where, relative, key=at_key)
    return Issue(message=message, path=f"changes[{index}].{relative}", file=file, line=line, column=column, hint=advice)


def _most_specific(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop errors whose location holds a more specific error (a union reports every branch that failed)."""
    locs = [tuple(e["loc"]) for e in errors]
    return [e for e, loc in zip(errors, locs) if not any(other[: len(loc)] == loc and other != loc for other in locs)]


def _relative_locations(locations: Locations | None, index: int) -> Locations:
    """Locations of ``changes[index]`` and below, keyed relative to the change."""
    out: Locations = {}
    prefix = f"changes[{index}]"
    for path, place in (locations or {}).items():
        if path.startswith("["):
            path = "changes" + path
        if path == prefix:
            out[""] = place
        elif path.startswith(prefix + "."):
            out[path[len(prefix) + 1 :]] = place
    return out
