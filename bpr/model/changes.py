"""The change language: what-ifs and redesigns written as edits to a process.

A change list (``{base: before.yaml, changes: [...]}``, a ``--change`` on the command line, a redesign
suggestion, a REST what-if) is a list of one-key mappings such as ``remove: chief_check``. This module
reads them into frozen models (:func:`parse_changes`), writes them back (:func:`change_to_data`), explains
them in one line (:func:`describe`) and applies them (:func:`apply_changes`).

Applying works on the process in file form (``process_to_data``), rewires it, and rebuilds it with
``process_from_data`` after *each* change, so every check of a process file runs again and a change that
breaks the process is named as the culprit. The exact rules are in ``docs/changes.md``.
"""

from __future__ import annotations

import copy
import difflib
import math
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from bpr.errors import ChangeError, Issue, ModelError, path_text
from bpr.model.distributions import DISTRIBUTION_NAMES, Duration, Fixed, Lognormal
from bpr.model.schema import (
    Approval,
    Arrival,
    Channel,
    Clock,
    ConditionText,
    Decision,
    End,
    Handoff,
    Id,
    Join,
    Parallel,
    Probability,
    Process,
    Rate,
    Task,
    Wait,
)
from bpr.model.units import parse_rate
from bpr.model.volume import annual_cases

__all__ = [
    "CHANGE_KINDS",
    "Arrivals",
    "Batch",
    "Change",
    "ChannelChange",
    "Delegate",
    "Digitize",
    "Merge",
    "Parallelize",
    "Remove",
    "Reorder",
    "SetFields",
    "Staff",
    "Triage",
    "apply_changes",
    "change_to_data",
    "describe",
    "parse_changes",
]

Locations = dict[str, tuple[int, int]]


# --- the models ------------------------------------------------------------------------------------


def _staff_count(value: object) -> int | str:
    """Staff is a whole number of people (1..100000) or ``unlimited`` (a self-service step)."""
    if value == "unlimited":
        return "unlimited"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"staff must be a whole number of people or 'unlimited', got {value!r}")  # noqa: TRY004 (pydantic locates ValueErrors)
    if not 1 <= value <= 100_000:
        raise ValueError(f"staff must be between 1 and 100000, got {value}")
    return value


StaffCount = Annotated[Any, AfterValidator(_staff_count)]


class _Change(BaseModel):
    """Base of every change. Equality ignores where in a file the change was written."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str]
    # How the change was written ("short", "scalar" or "mapping") and where its parts are in the file,
    # keyed by path relative to the change ("delegate.to"); used to locate errors found while applying.
    _form: str | None = PrivateAttr(default=None)
    _where: Locations = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Change):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # some changes hold dicts


class Remove(_Change):
    """Bypass a task, approval or handoff: whatever was routed to it goes to its ``next``.

    With ``when``, only matching cases skip it (triage of simple cases, 専決 where the step is not needed):
    a decision step ``<step>_bypass`` is put in front of it.
    """

    kind: ClassVar[str] = "remove"
    step: Id
    when: ConditionText | None = None


class Digitize(_Change):
    """Paper -> digital: no re-keying, no stamps, electronic handoffs.

    Durations change only by a claim someone stated: with ``factor``, every listed step's duration times
    ``factor``; without it, each step's own ``digital_duration`` (the analyst's estimate in the process file)
    where it has one, and its duration kept where it has none.
    """

    kind: ClassVar[str] = "digitize"
    steps: tuple[Id, ...] = Field(min_length=1)
    factor: float | None = Field(default=None, gt=0, le=10)


class Delegate(_Change):
    """Delegation of authority (専決): ``to`` decides matching cases, or all cases without ``when``."""

    kind: ClassVar[str] = "delegate"
    step: Id
    to: Id
    when: ConditionText | None = None


class Parallelize(_Change):
    """A serial chain of tasks or approvals runs at once between a new split and join (合議)."""

    kind: ClassVar[str] = "parallelize"
    steps: tuple[Id, ...] = Field(min_length=2)


class Merge(_Change):
    """Consecutive steps of one role become one step that keeps the first id."""

    kind: ClassVar[str] = "merge"
    steps: tuple[Id, ...] = Field(min_length=2)
    duration: Duration | None = None
    name: str | None = None


class Reorder(_Change):
    """A serial chain of tasks or approvals runs in the listed order (knock-out ordering: the check that
    rejects most for the least work goes first)."""

    kind: ClassVar[str] = "reorder"
    steps: tuple[Id, ...] = Field(min_length=2)


class Triage(_Change):
    """Simple cases get a lighter version of a step: a decision in front of ``step`` sends cases matching
    ``when`` (or a ``share`` of all cases) to a copy ``<step>_simple`` that takes ``duration``."""

    kind: ClassVar[str] = "triage"
    step: Id
    when: ConditionText | None = None
    share: Probability | None = None
    duration: Duration
    name: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Triage:
        if (self.when is None) == (self.share is None):
            raise ValueError("give exactly one of 'when' (a condition) or 'share' (e.g. 0.6)")
        return self


class Staff(_Change):
    """Number of staff per role."""

    kind: ClassVar[str] = "staff"
    roles: dict[Id, StaffCount] = Field(min_length=1)


class ChannelChange(BaseModel):
    """New volume of one channel: a ``share`` of the total (kept) or an absolute ``rate``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    share: Probability | None = None
    rate: Rate | None = None
    start: Id | None = Field(default=None, description="first step, for a channel that has no stream yet")
    calendar: Id | None = Field(default=None, description="calendar, for a channel that has no stream yet")

    @model_validator(mode="after")
    def _one_of(self) -> ChannelChange:
        if (self.share is None) == (self.rate is None):
            raise ValueError("give exactly one of 'share' (e.g. 0.5) or 'rate' (e.g. '20/day')")
        return self


class Arrivals(_Change):
    """Channel shift (shares of a kept total) or new rates per channel."""

    kind: ClassVar[str] = "arrivals"
    channels: dict[Channel, ChannelChange] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Arrivals:
        shares = [c.share for c in self.channels.values() if c.share is not None]
        if shares and len(shares) != len(self.channels):
            raise ValueError("mix of 'share' and 'rate' in one change; write them as two changes")
        if sum(shares) > 1 + 1e-9:
            raise ValueError(f"shares add up to {sum(shares):g}, more than 1")
        return self


class Batch(_Change):
    """When an approver clears the in-tray: ``at: null`` continuously, or at set times of day."""

    kind: ClassVar[str] = "batch"
    step: Id
    at: Annotated[tuple[Clock, ...], Field(min_length=1)] | None


class SetFields(_Change):
    """Set any field(s) of one step; ``null`` returns a field to its default."""

    kind: ClassVar[str] = "set"
    step: Id
    values: dict[str, Any] = Field(min_length=1)


Change = Remove | Digitize | Delegate | Parallelize | Merge | Reorder | Triage | Staff | Arrivals | Batch | SetFields
CHANGE_TYPES: dict[str, type[_Change]] = {
    cls.kind: cls
    for cls in (Remove, Digitize, Delegate, Parallelize, Merge, Reorder, Triage, Staff, Arrivals, Batch, SetFields)
}
CHANGE_KINDS: tuple[str, ...] = tuple(CHANGE_TYPES)

# The field a short form stands for (``remove: X`` is ``remove: {step: X}``), and the fields that are
# always written flat (``staff: {clerk: 4}`` holds ``roles``).
_SHORT_FIELD = {"remove": "step", "digitize": "steps", "parallelize": "steps", "merge": "steps", "reorder": "steps"}
_FLAT_FIELD = {"staff": "roles", "arrivals": "channels", "set": "values"}

_DURATION = TypeAdapter(Duration)


# --- reading and writing ---------------------------------------------------------------------------


def _hint(word: str, choices: Any) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _normalize(kind: str, body: Any) -> tuple[Any, str]:
    """File form -> model input, and the form it was written in."""
    if kind in _SHORT_FIELD:
        if isinstance(body, dict):
            return body, "mapping"
        if kind != "remove" and isinstance(body, str):
            return {"steps": [body]}, "scalar"
        return {_SHORT_FIELD[kind]: body}, "short"
    if kind == "set":
        if not isinstance(body, dict):
            return body, "mapping"
        values = {k: v for k, v in body.items() if k != "step"}
        out: dict[str, Any] = {"values": values}
        if "step" in body:
            out["step"] = body["step"]
        return out, "mapping"
    if kind in _FLAT_FIELD:
        return {_FLAT_FIELD[kind]: body}, "mapping"
    return body, "mapping"


def _file_path(kind: str, form: str | None, loc: tuple[Any, ...]) -> str:
    """Model location -> path relative to the change as written (``delegate.to``, ``digitize[1]``)."""
    form = form or _canonical_form(kind)
    parts = [p for p in loc if not (isinstance(p, str) and ("[" in p or "(" in p))]
    # A discriminated union adds its tag ('lognormal') to the location; the file has no such key.
    parts = [p for i, p in enumerate(parts) if not (p in DISTRIBUTION_NAMES and i and parts[i - 1] == "duration")]
    # Fields that the file form leaves out: ``staff: {clerk: 4}`` holds ``roles``, ``remove: X`` is ``step``.
    unwritten = _FLAT_FIELD.get(kind) or (_SHORT_FIELD.get(kind) if form == "short" else None)
    if parts and parts[0] == unwritten:
        parts = parts[1:]
    elif parts and form == "scalar" and parts[0] == "steps":
        parts = []
    return kind + (("." if isinstance(parts[0], str) else "") + path_text(parts) if parts else "")


def _canonical_form(kind: str) -> str:
    return "short" if kind in _SHORT_FIELD else "mapping"


def _locate(where: Locations, path: str, key: bool = False) -> tuple[int | None, int | None]:
    """(line, column) of ``path`` (of its key, for a misspelled key) or of its nearest located parent."""
    if key and path + "#key" in where:
        return where[path + "#key"]
    while True:
        if path in where:
            return where[path]
        if not path:
            return None, None
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""


def _expected_text(loc: tuple[Any, ...]) -> str:
    """What a text field of a change holds, for 'expected …, got 3'."""
    if loc and (loc[-1] == "step" or loc[0] == "steps"):
        return "a step id"
    if loc and loc[-1] == "to":
        return "a role id"
    return "text"


def _error_issue(
    error: dict[str, Any], kind: str, form: str, index: int, file: str, where: Locations
) -> Issue:
    """One pydantic error on a change -> an Issue in the words and paths of the file."""
    loc = tuple(error["loc"])
    kind_of_error = error["type"]
    hint: str | None = None
    message = error["msg"]
    ctx = error.get("ctx") or {}
    at_key = False
    if kind_of_error == "missing":
        name = loc[-1]
        loc = loc[:-1]
        message = f"missing field {name!r}"
    elif kind_of_error == "extra_forbidden":
        model = ChannelChange if kind == "arrivals" else CHANGE_TYPES[kind]
        allowed = [f for f in model.model_fields if f not in _FLAT_FIELD.values()]
        message = f"unknown field; allowed: {', '.join(allowed)}"
        hint = _hint(loc[-1], allowed)
        at_key = True
    elif kind_of_error == "literal_error":
        expected = [e.strip().strip("'") for e in str(ctx.get("expected", "")).replace(" or ", ",").split(",")]
        expected = [e for e in expected if e]
        message = f"{error['input']!r} is not one of: {', '.join(expected)}"
        hint = _hint(error["input"], expected)
        at_key = "[key]" in loc
    elif kind_of_error == "string_pattern_mismatch":
        message = f"{error['input']!r} is not an id: ids are ASCII letters, digits and '_', starting with a letter"
    elif kind_of_error == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind_of_error == "string_type":
        message = f"expected {_expected_text(loc)}, got {error['input']!r}"
        if kind == "remove" and isinstance(error["input"], list):
            hint = "remove one step per change: '- remove: a' then '- remove: b'"
    elif kind_of_error == "too_short":
        noun = "steps" if loc and loc[-1] == "steps" else "items"
        message = f"needs at least {ctx.get('min_length')} {noun}, got {ctx.get('actual_length')}"
    elif "input" in error and not isinstance(error["input"], (dict, list)):
        message = f"{message}, got {error['input']!r}"
    relative = _file_path(kind, form, loc)
    line, column = _locate(where, relative, key=at_key)
    return Issue(message=message, path=f"changes[{index}].{relative}", file=file, line=line, column=column, hint=hint)


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


def parse_changes(data: Any, file: str = "<input>", locations: Locations | None = None) -> tuple[Change, ...]:
    """File form -> change models, reporting every problem at once (raises :class:`ModelError`).

    ``locations`` maps paths such as ``changes[0].remove`` (as :func:`bpr.model.load.read_yaml` makes
    them for a change-list file; paths of a bare list, ``[0].remove``, are read the same) to (line, col).
    """
    issues: list[Issue] = []
    changes: list[Change] = []
    if not isinstance(data, list):
        line, column = _locate(_relative_locations(locations, -1), "")
        where = (locations or {}).get("changes", (None, None))
        issues.append(
            Issue(
                message=f"expected a list of changes, got {type(data).__name__}",
                path="changes",
                file=file,
                line=where[0] if where[0] is not None else line,
                column=where[1] if where[0] is not None else column,
                hint="write one change per item: '- remove: chief_check'",
            )
        )
        raise ModelError(issues)
    for index, item in enumerate(data):
        where = _relative_locations(locations, index)
        line, column = _locate(where, "")
        if not isinstance(item, dict) or len(item) != 1:
            if isinstance(item, dict) and item:
                message = f"a change has exactly one kind, got {len(item)}: {', '.join(map(str, item))}"
                hint = "write each change as its own list item"
            else:
                message = f"expected a one-key mapping such as 'remove: chief_check', got {item!r}"
                hint = f"kinds: {', '.join(CHANGE_KINDS)}"
            issues.append(Issue(message, f"changes[{index}]", file, line, column, hint))
            continue
        ((kind, body),) = item.items()
        kind = str(kind)
        if kind not in CHANGE_TYPES:
            line, column = _locate(where, kind, key=True)
            hint = _hint(kind, CHANGE_KINDS) or f"kinds: {', '.join(CHANGE_KINDS)}"
            issues.append(Issue(f"unknown change {kind!r}", f"changes[{index}].{kind}", file, line, column, hint))
            continue
        model_input, form = _normalize(kind, body)
        try:
            change = CHANGE_TYPES[kind].model_validate(model_input)
        except ValidationError as error:
            for detail in _most_specific([dict(e) for e in error.errors()]):
                issues.append(_error_issue(detail, kind, form, index, file, where))
            continue
        change._form = form
        change._where = where
        changes.append(change)  # type: ignore[arg-type]
    if issues:
        raise ModelError(issues)
    return tuple(changes)


def _duration_data(dist: Any) -> Any:
    return _DURATION.dump_python(dist, mode="json")


def _duration_words(dist: Any) -> str:
    """``15m``, or ``triangular min 10m, mode 20m, max 40m`` (the file form, as a phrase)."""
    data = _duration_data(dist)
    if isinstance(data, str):
        return data
    return f"{data['dist']} " + ", ".join(f"{key} {value}" for key, value in data.items() if key != "dist")


def change_to_data(change: Change) -> dict[str, Any]:
    """Change model -> its file form, the shortest that :func:`parse_changes` reads back equal."""
    if isinstance(change, Remove):
        if change.when is not None:
            return {"remove": {"step": change.step, "when": change.when}}
        return {"remove": change.step}
    if isinstance(change, Digitize):
        if change.factor is None:
            return {"digitize": list(change.steps)}
        return {"digitize": {"steps": list(change.steps), "factor": change.factor}}
    if isinstance(change, Delegate):
        body: dict[str, Any] = {"step": change.step, "to": change.to}
        if change.when is not None:
            body["when"] = change.when
        return {"delegate": body}
    if isinstance(change, Parallelize):
        return {"parallelize": list(change.steps)}
    if isinstance(change, Merge):
        if change.duration is None and change.name is None:
            return {"merge": list(change.steps)}
        body = {"steps": list(change.steps)}
        if change.duration is not None:
            body["duration"] = _duration_data(change.duration)
        if change.name is not None:
            body["name"] = change.name
        return {"merge": body}
    if isinstance(change, Reorder):
        return {"reorder": list(change.steps)}
    if isinstance(change, Triage):
        body = {"step": change.step}
        if change.when is not None:
            body["when"] = change.when
        else:
            body["share"] = change.share
        body["duration"] = _duration_data(change.duration)
        if change.name is not None:
            body["name"] = change.name
        return {"triage": body}
    if isinstance(change, Staff):
        return {"staff": dict(change.roles)}
    if isinstance(change, Arrivals):
        return {"arrivals": {channel: c.model_dump(exclude_none=True) for channel, c in change.channels.items()}}
    if isinstance(change, Batch):
        return {"batch": {"step": change.step, "at": None if change.at is None else list(change.at)}}
    if isinstance(change, SetFields):
        return {"set": {"step": change.step, **change.values}}
    raise TypeError(f"not a change: {change!r}")


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def describe(change: Change) -> str:
    """One plain-English line saying what the change does (for reports and redesign suggestions)."""
    if isinstance(change, Remove):
        if change.when is not None:
            return f"Skip step {change.step} when {change.when}: those cases go straight to its next step."
        return f"Remove step {change.step}: cases routed to it go straight to its next step."
    if isinstance(change, Digitize):
        if change.factor is None:
            scaled = "durations kept unless the file states a step's digital_duration"
        else:
            scaled = "durations kept" if change.factor == 1 else f"durations x{change.factor:g}"
        return (
            f"Digitize {_ids(change.steps)}: paper becomes digital, no re-keying, no stamps, "
            f"handoffs electronic and instant; {scaled}."
        )
    if isinstance(change, Delegate):
        if change.when is None:
            return f"Delegate approval {change.step} to role {change.to} for every case."
        return f"Delegate approval {change.step} to role {change.to} when {change.when}."
    if isinstance(change, Parallelize):
        return f"Run {_ids(change.steps)} in parallel instead of one after another."
    if isinstance(change, Merge):
        how = "durations added" if change.duration is None else f"duration {_duration_words(change.duration)}"
        return f"Merge {_ids(change.steps)} into one step {change.steps[0]} ({how})."
    if isinstance(change, Reorder):
        return f"Reorder the chain to run {' -> '.join(change.steps)} (knock-out ordering)."
    if isinstance(change, Triage):
        who = f"cases with {change.when}" if change.when is not None else f"{change.share:.0%} of cases (simple ones)"
        return f"Triage before {change.step}: {who} get a simple version taking {_duration_words(change.duration)}."
    if isinstance(change, Staff):
        return "Set staff: " + ", ".join(f"{role} {count}" for role, count in change.roles.items()) + "."
    if isinstance(change, Arrivals):
        if all(c.share is not None for c in change.channels.values()):
            parts = ", ".join(f"{ch} {c.share:.0%}" for ch, c in change.channels.items())
            return f"Shift arrivals, keeping the annual total: {parts} of cases; other channels shrink in proportion."
        parts = ", ".join(f"{ch} {c.rate}" for ch, c in change.channels.items())
        return f"Set arrival rates: {parts}."
    if isinstance(change, Batch):
        if change.at is None:
            return f"Approver of {change.step} works the in-tray continuously (no batching)."
        return f"Approver of {change.step} clears the in-tray only at {', '.join(change.at)}."
    if isinstance(change, SetFields):
        fields = ", ".join(f"{key}={value}" for key, value in change.values.items())
        return f"Set {fields} on step {change.step}."
    raise TypeError(f"not a change: {change!r}")


# --- applying --------------------------------------------------------------------------------------


class _Refused(Exception):
    """A change does not apply; ``loc`` is the model location of the field at fault (e.g. ("steps", 1))."""

    def __init__(self, message: str, loc: tuple[Any, ...] = (), hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint


WORK_TYPES = ("task", "approval")
ROUTED_TYPES = ("task", "approval", "handoff", "wait", "join")  # steps with a single ``next``


def _find(data: dict[str, Any], step_id: str, loc: tuple[Any, ...]) -> dict[str, Any]:
    for step in data["steps"]:
        if step["id"] == step_id:
            return step
    ids = [step["id"] for step in data["steps"]]
    raise _Refused(f"step {step_id!r} does not exist", loc, _hint(step_id, ids))


def _position(data: dict[str, Any], step_id: str) -> int:
    return next(i for i, step in enumerate(data["steps"]) if step["id"] == step_id)


def _references(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every routing reference as (source, how, target); source is a step id, ``start`` or ``arrivals[i]``."""
    refs: list[tuple[str, str, str]] = []
    if data.get("start"):
        refs.append(("start", "start", data["start"]))
    for i, arrival in enumerate(data.get("arrivals", [])):
        if arrival.get("start"):
            refs.append((f"arrivals[{i}]", "start", arrival["start"]))
    for step in data["steps"]:
        kind = step["type"]
        if kind in ROUTED_TYPES:
            refs.append((step["id"], "next", step["next"]))
        if kind == "approval" and step.get("reject"):
            refs.append((step["id"], "reject", step["reject"]["to"]))
        if kind == "decision":
            refs.extend((step["id"], "branch", branch["to"]) for branch in step["next"])
        if kind == "parallel":
            refs.extend((step["id"], "split", target) for target in step["next"])
    return refs


def _retarget(data: dict[str, Any], mapping: dict[str, str], sources: set[str] | None = None) -> None:
    """Point every routing reference to a key of ``mapping`` at its value (only from ``sources`` if given)."""

    def new(target: str) -> str:
        return mapping.get(target, target)

    if sources is None or "start" in sources:
        if data.get("start"):
            data["start"] = new(data["start"])
        for arrival in data.get("arrivals", []):
            if arrival.get("start"):
                arrival["start"] = new(arrival["start"])
    for step in data["steps"]:
        if sources is not None and step["id"] not in sources:
            continue
        kind = step["type"]
        if kind in ROUTED_TYPES:
            step["next"] = new(step["next"])
        if kind == "approval" and step.get("reject"):
            step["reject"]["to"] = new(step["reject"]["to"])
        if kind == "decision":
            for branch in step["next"]:
                branch["to"] = new(branch["to"])
        if kind == "parallel":
            step["next"] = [new(target) for target in step["next"]]


def _rename_in_controls(data: dict[str, Any], mapping: dict[str, str | None]) -> None:
    """Follow removed (``None``) or merged steps in the ``separate_from`` lists of controls."""
    for step in data["steps"]:
        control = step.get("control")
        if not control or not control.get("separate_from"):
            continue
        kept: list[str] = []
        for other in control["separate_from"]:
            other = mapping.get(other, other)
            if other is not None and other != step["id"] and other not in kept:
                kept.append(other)
        control["separate_from"] = kept


def _performers(step: dict[str, Any]) -> set[str]:
    """Roles that may perform a step: its role and the roles it is delegated to."""
    roles = {step["role"]} if step.get("role") else set()
    roles |= {d["role"] for d in step.get("delegations", []) or []}
    return roles


def _segregation_breaches(data: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(controlled step, step it must be separate from) -> roles that would perform both."""
    steps = {step["id"]: step for step in data["steps"]}
    out: dict[tuple[str, str], set[str]] = {}
    for step in data["steps"]:
        control = step.get("control") or {}
        for other in control.get("separate_from", []) or []:
            if other in steps:
                shared = _performers(step) & _performers(steps[other])
                if shared:
                    out[(step["id"], other)] = shared
    return out


def _refuse_control(step: dict[str, Any], verb: str, loc: tuple[Any, ...]) -> None:
    control = step.get("control")
    if control:
        basis = control.get("basis", "")
        raise _Refused(
            f"step {step['id']!r} is a required control ({control.get('kind', 'legal')}: {basis}); "
            f"a redesign may not {verb} it",
            loc,
            "keep the step, or make it lighter with digitize/delegate/batch",
        )


_REMOVE_HINTS = {
    "decision": "a decision chooses a path; remove the steps of the branch you no longer want, "
    "or change its branches with 'set'",
    "parallel": "remove the branch steps instead: a split with fewer than two branches left disappears",
    "join": "remove the branch steps instead: a split with fewer than two branches left disappears",
    "end": "an end has no next step; route the step before it elsewhere with 'set: {step: ..., next: ...}'",
}


def _apply_remove(data: dict[str, Any], change: Remove, process: Process) -> None:
    step = _find(data, change.step, ("step",))
    if step["type"] not in ("task", "approval", "handoff", "wait"):
        raise _Refused(
            f"step {change.step!r} is a {step['type']} step; only task, approval, handoff and wait steps can be removed",
            ("step",),
            _REMOVE_HINTS[step["type"]],
        )
    _refuse_control(step, "remove", ("step",))
    if change.when is not None:
        _insert_bypass(data, step, change.when)
        return
    data["steps"] = [s for s in data["steps"] if s["id"] != change.step]
    split_parents = [s for s in data["steps"] if s["type"] == "parallel" and change.step in s["next"]]
    _retarget(data, {change.step: step["next"]})
    _rename_in_controls(data, {change.step: None})
    for split in split_parents:
        _tidy_split(data, split)


def _insert_bypass(data: dict[str, Any], step: dict[str, Any], when: str) -> None:
    """Put a decision in front of ``step`` that sends cases matching ``when`` past it."""
    bypass_id = _fresh_id(data, f"{step['id']}_bypass")
    label = step.get("name") or step["id"]
    decision = {
        "id": bypass_id,
        "name": f"{label}: skip? ({when})",
        "type": "decision",
        "next": [{"to": step["next"], "when": when}, {"to": step["id"], "otherwise": True}],
    }
    _retarget(data, {step["id"]: bypass_id})
    data["steps"].insert(_position(data, step["id"]), decision)


def _tidy_split(data: dict[str, Any], split: dict[str, Any]) -> None:
    """After a branch step is bypassed: drop branches that now go straight to the join (or repeat one);
    a split left with one branch or none disappears together with its join."""
    join_id = split["join"]
    branches: list[str] = []
    for target in split["next"]:
        if target != join_id and target not in branches:
            branches.append(target)
    if len(branches) >= 2:
        split["next"] = branches
        return
    join = next(s for s in data["steps"] if s["id"] == join_id)
    after_join = join["next"]
    data["steps"] = [s for s in data["steps"] if s["id"] not in (split["id"], join_id)]
    _retarget(data, {split["id"]: branches[0] if branches else after_join, join_id: after_join})


def _minutes(value: float) -> float:
    """Computed durations are kept to 1/10000 of a minute, so that files stay readable (``12m``, not
    ``12.000000000000002m``)."""
    return round(value, 4)


def _scaled(dist: Any, factor: float) -> Any:
    """A duration distribution with every time parameter multiplied by ``factor``, in file form."""
    if factor == 1:
        return _duration_data(dist)
    raw = dist.model_dump(by_alias=True)
    for key in ("value", "mean", "sd", "min", "mode", "max"):
        if key in raw:
            raw[key] = _minutes(raw[key] * factor)
    if "values" in raw:
        raw["values"] = [_minutes(v * factor) for v in raw["values"]]
    return _duration_data(type(dist).model_validate(raw))


def _digital_duration(step: dict[str, Any], change: Digitize, process: Process) -> Any:
    """The duration a digitised step keeps (see :class:`Digitize`); its estimate is used up either way."""
    estimate = step.pop("digital_duration", None)
    if change.factor is None and estimate is not None:
        return estimate
    return _scaled(process.step(step["id"]).duration, change.factor or 1.0)  # type: ignore[union-attr]


def _apply_digitize(data: dict[str, Any], change: Digitize, process: Process) -> None:
    for i, step_id in enumerate(change.steps):
        step = _find(data, step_id, ("steps", i))
        kind = step["type"]
        if kind in WORK_TYPES:
            # Fields are only written where they change, so the result reads like a hand-written file.
            if step.get("medium", "digital") != "digital":
                step["medium"] = "digital"
            for flag in ("stamp", "rekey"):
                if step.get(flag):
                    step[flag] = False
            step["duration"] = _digital_duration(step, change, process)
        elif kind == "handoff":
            step["mode"] = "electronic"
            step["medium"] = "digital"
            step["delay"] = "0m"
            step.pop("departures", None)
            step.pop("calendar", None)
        elif kind == "wait":  # the reply comes online: no post either way; the other party's time is scaled
            if step.get("medium", "digital") != "digital":
                step["medium"] = "digital"
            step["duration"] = _digital_duration(step, change, process)
        else:
            raise _Refused(
                f"step {step_id!r} is a {kind} step; only task, approval, handoff and wait steps can be digitized",
                ("steps", i),
            )


def _roles(data: dict[str, Any], role: str, loc: tuple[Any, ...]) -> None:
    if role not in data["roles"]:
        raise _Refused(f"role {role!r} does not exist", loc, _hint(role, data["roles"]))


def _approval(data: dict[str, Any], step_id: str, verb: str) -> dict[str, Any]:
    step = _find(data, step_id, ("step",))
    if step["type"] != "approval":
        raise _Refused(
            f"step {step_id!r} is a {step['type']} step; only approvals can be {verb}",
            ("step",),
        )
    return step


def _apply_delegate(data: dict[str, Any], change: Delegate, process: Process) -> None:
    step = _approval(data, change.step, "delegated")
    _roles(data, change.to, ("to",))
    if change.to == step["role"]:
        raise _Refused(f"approval {change.step!r} is already decided by role {change.to!r}", ("to",))
    if change.when is None:
        step["role"] = change.to
    else:
        step.setdefault("delegations", [])
        step["delegations"] = list(step["delegations"]) + [{"when": change.when, "role": change.to}]


def _chain(data: dict[str, Any], ids: tuple[str, ...], verb: str) -> list[dict[str, Any]]:
    """The steps ``ids`` if they form a serial chain of tasks/approvals; refuses otherwise."""
    steps: list[dict[str, Any]] = []
    for i, step_id in enumerate(ids):
        if step_id in ids[:i]:
            raise _Refused(f"step {step_id!r} is listed twice", ("steps", i))
        step = _find(data, step_id, ("steps", i))
        if step["type"] not in WORK_TYPES:
            raise _Refused(
                f"step {step_id!r} is a {step['type']} step; only tasks and approvals can be {_PARTICIPLE[verb]}",
                ("steps", i),
            )
        if steps and steps[-1]["next"] != step_id:
            raise _Refused(
                f"{ids[i - 1]!r} is not followed by {step_id!r} (its next is {steps[-1]['next']!r}); "
                f"{verb} needs a serial chain {' -> '.join(ids)}",
                ("steps", i),
            )
        steps.append(step)
    return steps  # the last step cannot lead back into the chain: a valid process has no loop without exit


_PARTICIPLE = {"parallelize": "run in parallel", "merge": "merged", "reorder": "reordered"}
_HOW = {"next": "next", "reject": "reject.to", "branch": "a branch", "split": "a parallel branch", "start": "start"}


def _entries_inside(data: dict[str, Any], ids: tuple[str, ...], verb: str, hint: str, rework_in: bool) -> None:
    """Refuse a chain entered other than at its first step. The chain's own links and a step's rework of
    itself are fine. Where ``rework_in`` (merge), rework returns to any chain step are fine too: they
    become rework of the merged step."""
    inside = set(ids)
    for source, how, target in _references(data):
        if target not in inside:
            continue
        if source in inside and (how == "next" or source == target):
            continue
        if how == "reject" and rework_in:
            continue
        if target == ids[0] and source not in inside:
            continue
        position = ids.index(target)
        if source in inside and how == "reject":
            raise _Refused(
                f"{source!r} sends rejected cases back to {target!r}, inside the chain; run in parallel, "
                f"that return would leave the other branches waiting at the join",
                ("steps", position),
                hint,
            )
        if source == "start":
            where = "the process start"
        elif source.startswith("arrivals["):
            where = f"the {data['arrivals'][int(source[9:-1])]['channel']} arrivals (start)"
        else:
            where = f"{source!r} ({_HOW[how]})"
        raise _Refused(
            f"step {target!r} is also entered from {where}; {verb} needs a chain entered only at {ids[0]!r}",
            ("steps", position),
            hint,
        )


def _fresh_id(data: dict[str, Any], base: str) -> str:
    taken = {step["id"] for step in data["steps"]}
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def _apply_parallelize(data: dict[str, Any], change: Parallelize, process: Process) -> None:
    ids = change.steps
    steps = _chain(data, ids, "parallelize")
    _entries_inside(
        data,
        ids,
        "parallelize",
        "point those routes at the first step of the chain with 'set', or parallelize a shorter chain",
        rework_in=False,
    )
    first, after = ids[0], steps[-1]["next"]
    split_id = _fresh_id(data, f"{first}_split")
    join_id = _fresh_id(data, f"{first}_join")
    outside = {step["id"] for step in data["steps"]} - set(ids)
    _retarget(data, {first: split_id}, sources=outside | {"start"})
    for step in steps:
        step["next"] = join_id
    positions = [_position(data, step_id) for step_id in ids]
    data["steps"].insert(max(positions) + 1, {"id": join_id, "type": "join", "next": after})
    data["steps"].insert(min(positions), {"id": split_id, "type": "parallel", "next": list(ids), "join": join_id})


def _apply_reorder(data: dict[str, Any], change: Reorder, process: Process) -> None:
    wanted = change.steps
    for i, step_id in enumerate(wanted):
        if step_id in wanted[:i]:
            raise _Refused(f"step {step_id!r} is listed twice", ("steps", i))
        _find(data, step_id, ("steps", i))
    by_id = {step["id"]: step for step in data["steps"]}
    followed = {by_id[i].get("next") for i in wanted if isinstance(by_id[i].get("next"), str)}
    heads = [i for i in wanted if i not in followed]
    current: list[str] = [heads[0]] if len(heads) == 1 else []
    while current and by_id[current[-1]].get("next") in wanted and len(current) < len(wanted):
        current.append(by_id[current[-1]]["next"])
    if len(current) != len(wanted):
        raise _Refused(
            f"steps {', '.join(wanted)} do not follow one another as a serial chain in any order",
            ("steps", 0),
            "reorder the steps of one chain A -> B -> C",
        )
    steps = _chain(data, tuple(current), "reorder")
    _entries_inside(
        data, tuple(current), "reorder", "point those routes at the first step of the chain, or reorder a shorter chain",
        rework_in=True,
    )
    after = steps[-1]["next"]
    outside = {step["id"] for step in data["steps"]} - set(wanted)
    _retarget(data, {current[0]: wanted[0]}, sources=outside | {"start"})
    for here, there in zip(wanted, wanted[1:]):
        by_id[here]["next"] = there
    by_id[wanted[-1]]["next"] = after


def _apply_triage(data: dict[str, Any], change: Triage, process: Process) -> None:
    step = _find(data, change.step, ("step",))
    if step["type"] not in WORK_TYPES:
        raise _Refused(
            f"step {change.step!r} is a {step['type']} step; only tasks and approvals can be triaged", ("step",)
        )
    simple_id = _fresh_id(data, f"{change.step}_simple")
    triage_id = _fresh_id(data, f"{change.step}_triage")
    label = step.get("name") or step["id"]
    simple = copy.deepcopy(step)
    simple["id"] = simple_id
    simple["name"] = change.name or f"{label}（簡易）"
    simple["duration"] = _duration_data(change.duration)
    # The lighter lane now exists: neither step carries the estimate any more; the copy's digital estimate was
    # for the full work, not for the simple cases.
    for estimate in ("simple", "digital_duration"):
        simple.pop(estimate, None)
    step.pop("simple", None)
    if change.when is not None:
        branches = [{"to": simple_id, "when": change.when}, {"to": change.step, "otherwise": True}]
        title = f"{label}: simple case? ({change.when})"
    else:
        share = float(change.share or 0.0)
        branches = [{"to": simple_id, "probability": share}, {"to": change.step, "probability": 1.0 - share}]
        title = f"{label}: simple case? ({share:.0%})"
    _retarget(data, {change.step: triage_id})
    position = _position(data, change.step)
    data["steps"][position:position] = [{"id": triage_id, "name": title, "type": "decision", "next": branches}, simple]


def _same_or_one(steps: list[dict[str, Any]], field: str, default: Any) -> Any:
    """The value of ``field`` that the merged step keeps: equal everywhere, or set on one step only."""
    values = [step.get(field, default) for step in steps]
    values_set = [v for v in values if v not in (default, None)]
    distinct: list[Any] = []
    for v in values_set:
        if v not in distinct:
            distinct.append(v)
    if len(distinct) > 1:
        raise _Refused(
            f"steps {', '.join(repr(s['id']) for s in steps)} differ in {field!r}; a merged step can have only one",
            ("steps",),
            f"make {field!r} the same first with 'set'",
        )
    return distinct[0] if distinct else None


def _merged_duration(process: Process, ids: tuple[str, ...]) -> Any:
    """Fixed + fixed -> fixed sum; otherwise a lognormal with the summed mean and variance."""
    return _summed([process.step(step_id).duration for step_id in ids])  # type: ignore[union-attr]


def _summed(dists: list[Any]) -> Any:
    """Duration of doing each of ``dists`` in turn, in file form (see :func:`_merged_duration`)."""
    mean = sum(d.mean for d in dists)
    variance = sum(d.variance for d in dists)
    if variance <= 0:
        return _duration_data(Fixed(value=_minutes(mean)))
    return _duration_data(Lognormal(mean=_minutes(mean), sd=_minutes(math.sqrt(variance))))


def _merge_estimates(merged: dict[str, Any], process: Process, ids: tuple[str, ...]) -> None:
    """The merged step's estimates: each part's estimate where stated, its duration where not, added up.
    Simple-case lanes merge only when they name the same cases."""
    parts = [process.step(step_id) for step_id in ids]
    merged.pop("digital_duration", None)
    merged.pop("simple", None)
    if any(getattr(part, "digital_duration", None) is not None for part in parts):
        merged["digital_duration"] = _summed([getattr(p, "digital_duration", None) or p.duration for p in parts])  # type: ignore[union-attr]
    lanes = [p.simple for p in parts if getattr(p, "simple", None) is not None]  # type: ignore[union-attr]
    if not lanes:
        return
    rules = {(lane.when, lane.share) for lane in lanes}
    if len(rules) > 1:
        raise _Refused(
            f"steps {_ids(ids)} name different simple cases ('simple'); a merged step can have only one lighter lane",
            ("steps",),
            "make 'simple' the same first with 'set', or remove it from all but one step",
        )
    when, share = rules.pop()
    lane: dict[str, Any] = {"when": when} if when is not None else {"share": share}
    lane["duration"] = _summed([p.simple.duration if p.simple is not None else p.duration for p in parts])  # type: ignore[union-attr]
    merged["simple"] = lane


def _apply_merge(data: dict[str, Any], change: Merge, process: Process) -> None:
    ids = change.steps
    steps = _chain(data, ids, "merge")
    kinds = {step["type"] for step in steps}
    if len(kinds) > 1:
        raise _Refused(f"steps {_ids(ids)} mix {' and '.join(sorted(kinds))}; only steps of one type merge", ("steps",))
    roles = {step["role"] for step in steps}
    if len(roles) > 1:
        raise _Refused(
            f"steps {_ids(ids)} are done by different roles ({', '.join(sorted(roles))}); only one role's consecutive steps merge",
            ("steps",),
            "delegate or 'set' the role first if one person should do both",
        )
    for i, step in enumerate(steps):
        _refuse_control(step, "merge", ("steps", i))
    _entries_inside(data, ids, "merge", "point those routes at the first step with 'set' first", rework_in=True)
    first = steps[0]
    merged = copy.deepcopy(first)
    merged["next"] = steps[-1]["next"]
    merged["duration"] = _duration_data(change.duration) if change.duration is not None else _merged_duration(process, ids)
    if change.name is not None:
        merged["name"] = change.name
    _merge_estimates(merged, process, ids)
    if any(step.get("medium", "paper" if step["type"] == "handoff" else "digital") == "paper" for step in steps):
        merged["medium"] = "paper"
    for flag in ("stamp", "rekey", "citizen_present"):
        if any(step.get(flag) for step in steps):
            merged[flag] = True
    if first["type"] == "approval":
        checks: list[str] = []
        for step in steps:
            checks.extend(c for c in step.get("checks", []) or [] if c not in checks)
        if checks:
            merged["checks"] = checks
        rejects = [(step["id"], step["reject"]) for step in steps if step.get("reject")]
        targets = {ids[0] if r["to"] in ids else r["to"] for _, r in rejects}
        if len(targets) > 1:
            raise _Refused(
                f"steps {_ids(ids)} send rejected cases to different steps ({', '.join(sorted(targets))})",
                ("steps",),
                "make reject.to the same first with 'set'",
            )
        if rejects:
            keep = 1.0
            for _, reject in rejects:
                keep *= 1 - reject["probability"]
            # rounded so that 1 - 0.9 * 0.8 is written 0.28, not 0.2799999999999999
            merged["reject"] = {"probability": round(1 - keep, 12), "to": targets.pop()}
        for field, default in (("batch", None), ("required_authority", []), ("delegations", [])):
            value = _same_or_one(steps, field, default)
            if value is None:
                merged.pop(field, None)
            else:
                merged[field] = value
    position = _position(data, ids[0])
    data["steps"] = [step for step in data["steps"] if step["id"] not in ids]
    data["steps"].insert(position, merged)
    _retarget(data, {step_id: ids[0] for step_id in ids[1:]})
    _rename_in_controls(data, {step_id: ids[0] for step_id in ids[1:]})


def _apply_staff(data: dict[str, Any], change: Staff, process: Process) -> None:
    for role, count in change.roles.items():
        _roles(data, role, ("roles", role))
        data["roles"][role]["staff"] = count


def _apply_batch(data: dict[str, Any], change: Batch, process: Process) -> None:
    step = _approval(data, change.step, "batched")
    if change.at is None:
        step.pop("batch", None)
    else:
        step["batch"] = list(change.at)


_FIXED_FIELDS = {"id": "ids are stable: other steps, analyses and logs refer to them", "type": "a step keeps its type"}


def _apply_set(data: dict[str, Any], change: SetFields, process: Process) -> None:
    step = _find(data, change.step, ("step",))
    model = _STEP_MODELS[step["type"]]
    allowed = [name for name in model.model_fields if name not in _FIXED_FIELDS]
    for field, value in change.values.items():
        if field in _FIXED_FIELDS:
            raise _Refused(f"cannot set {field!r}: {_FIXED_FIELDS[field]}", ("values", field))
        if field not in model.model_fields:
            raise _Refused(
                f"a {step['type']} step has no field {field!r}; fields: {', '.join(allowed)}",
                ("values", field),
                _hint(field, allowed),
            )
        if value is None:
            step.pop(field, None)
        else:
            step[field] = copy.deepcopy(value)


_STEP_MODELS: dict[str, type[BaseModel]] = {
    "task": Task,
    "approval": Approval,
    "handoff": Handoff,
    "wait": Wait,
    "decision": Decision,
    "parallel": Parallel,
    "join": Join,
    "end": End,
}


def _number(value: float) -> str:
    """A rate count to six significant digits, written out (the rate syntax has no exponents)."""
    if value == int(value):
        return str(int(value))
    digits = max(0, 5 - math.floor(math.log10(value)))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _scaled_rate(rate: str, factor: float) -> str:
    count, period = parse_rate(rate)
    return f"{_number(count * factor)}/{period}"


def _new_stream(data: dict[str, Any], channel: str, spec: ChannelChange) -> dict[str, Any]:
    """A stream for a channel that had none: online arrives around the clock; the start is the one all
    existing streams share (else the process start) unless the change names one."""
    stream: dict[str, Any] = {"channel": channel, "rate": spec.rate or "1/year"}
    calendar = spec.calendar or ("always" if channel == "online" else None)
    if calendar:
        stream["calendar"] = calendar
    starts = {arrival.get("start") for arrival in data["arrivals"]}
    start = spec.start or (starts.pop() if len(starts) == 1 else None)
    if start:
        stream["start"] = start
    return stream


def _apply_arrivals(data: dict[str, Any], change: Arrivals, process: Process) -> None:
    for channel, spec in change.channels.items():
        if spec.start is not None:
            _find(data, spec.start, ("channels", channel, "start"))
        calendars = ["always", *data.get("calendars", {})]
        if spec.calendar is not None and spec.calendar not in calendars:
            raise _Refused(f"calendar {spec.calendar!r} does not exist", ("channels", channel, "calendar"),
                           _hint(spec.calendar, calendars) or f"calendars: {', '.join(calendars)}")
        for field, value in (("start", spec.start), ("calendar", spec.calendar)):
            if value is not None:
                for arrival in data["arrivals"]:
                    if arrival["channel"] == channel:
                        arrival[field] = value
    if any(spec.rate is not None for spec in change.channels.values()):
        _set_rates(data, change, process)
    else:
        _set_shares(data, change, process)


def _volumes(data: dict[str, Any]) -> list[float]:
    """Cases a year of each stream of ``data`` (in the reference year of :mod:`bpr.model.volume`)."""
    process = Process.model_validate({**data, "steps": data["steps"]})
    return [annual_cases(process, Arrival.model_validate(arrival)) for arrival in data["arrivals"]]


def _set_rates(data: dict[str, Any], change: Arrivals, process: Process) -> None:
    for channel, spec in change.channels.items():
        assert spec.rate is not None
        streams = [a for a in data["arrivals"] if a["channel"] == channel]
        if not streams:
            data["arrivals"].append(_new_stream(data, channel, spec))
        elif len(streams) == 1:
            streams[0]["rate"] = spec.rate
        else:
            # Several streams of one channel (e.g. different entry steps): the new rate is the channel's
            # total, read on the calendar of its first stream, and the streams keep their proportions.
            volumes = _volumes(data)
            current = sum(v for v, a in zip(volumes, data["arrivals"]) if a["channel"] == channel)
            target = _volumes({**data, "arrivals": [{**streams[0], "rate": spec.rate}]})[0]
            for arrival in streams:
                arrival["rate"] = _scaled_rate(arrival["rate"], target / current)


def _set_shares(data: dict[str, Any], change: Arrivals, process: Process) -> None:
    volumes = _volumes(data)
    total = sum(volumes)
    named = change.channels
    rest_share = 1 - sum(spec.share or 0.0 for spec in named.values())
    others = sum(v for v, a in zip(volumes, data["arrivals"]) if a["channel"] not in named)
    if others == 0 and rest_share > 1e-9:
        raise _Refused(
            f"the shares add up to {1 - rest_share:g}, and no other channel is left to take the remaining "
            f"{rest_share:.0%}",
            ("channels",),
            "make the shares add up to 1",
        )
    channel_volume: dict[str, float] = {}
    for volume, arrival in zip(volumes, data["arrivals"]):
        channel_volume[arrival["channel"]] = channel_volume.get(arrival["channel"], 0.0) + volume
    new_arrivals: list[dict[str, Any]] = []
    for volume, arrival in zip(volumes, data["arrivals"]):
        spec = named.get(arrival["channel"])
        if spec is not None:
            factor = (spec.share or 0.0) * total / channel_volume[arrival["channel"]]
        else:
            factor = rest_share * total / others
        if factor > 1e-12:
            new_arrivals.append({**arrival, "rate": _scaled_rate(arrival["rate"], factor)})
    for channel, spec in named.items():
        if channel not in channel_volume and (spec.share or 0.0) > 0:
            stream = _new_stream(data, channel, spec)
            stream["rate"] = "1/year"
            unit = _volumes({**data, "arrivals": [{**stream, "rate": "1/day"}]})[0]
            wanted = (spec.share or 0.0) * total
            stream["rate"] = f"{_number(wanted / unit)}/day" if unit > 0 else f"{_number(wanted)}/year"
            new_arrivals.append(stream)
    data["arrivals"] = new_arrivals


_APPLY = {
    Remove: _apply_remove,
    Digitize: _apply_digitize,
    Delegate: _apply_delegate,
    Parallelize: _apply_parallelize,
    Merge: _apply_merge,
    Reorder: _apply_reorder,
    Triage: _apply_triage,
    Staff: _apply_staff,
    Arrivals: _apply_arrivals,
    Batch: _apply_batch,
    SetFields: _apply_set,
}


def _change_issue(change: Change, index: int, file: str, loc: tuple[Any, ...], message: str, hint: str | None) -> Issue:
    relative = _file_path(change.kind, change._form, loc)
    line, column = _locate(change._where, relative)
    return Issue(message=message, path=f"changes[{index}].{relative}", file=file, line=line, column=column, hint=hint)


def _invalid_issues(error: ModelError, change: Change, index: int, file: str, data: dict[str, Any]) -> list[Issue]:
    """The rebuilt process failed a check: name the change, and say what broke where."""
    issues = []
    set_prefix = None
    if isinstance(change, SetFields):
        set_prefix = f"steps[{_position(data, change.step)}]."
    for inner in error.issues:
        loc: tuple[Any, ...] = ()
        if set_prefix and inner.path.startswith(set_prefix):
            field = inner.path[len(set_prefix) :].split(".")[0].split("[")[0]
            if field in change.values:
                loc = ("values", field)
        where = f"{inner.path}: " if inner.path else ""
        message = f"makes the process invalid: {where}{inner.message}"
        issues.append(_change_issue(change, index, file, loc, message, inner.hint))
    return issues


def _refuse_new_breaches(before: dict[tuple[str, str], set[str]], after: dict[tuple[str, str], set[str]]) -> None:
    """A change may not let one role do two steps that a control keeps apart (a breach already in the
    base process is the base's problem, not the change's)."""
    for (controlled, other), roles in after.items():
        new = roles - before.get((controlled, other), set())
        if new:
            raise _Refused(
                f"role {min(new)!r} would do both {other!r} and {controlled!r}, which a control of "
                f"{controlled!r} keeps apart (segregation of duties)",
                (),
                "give one of the steps to another role",
            )


def apply_changes(process: Process, changes: Any, file: str = "<input>") -> Process:
    """Apply ``changes`` in order; the result is a new, fully checked Process (raises :class:`ChangeError`).

    ``changes`` are change models (from :func:`parse_changes`) or their file form (``{"remove": "x"}``).
    ``file`` names where the changes were written, for the locations of errors.
    """
    # Imported here: the loader reads change-list files with this module, so a top-level import would be circular.
    from bpr.model.load import process_from_data, process_to_data

    changes = list(changes)
    if any(isinstance(change, dict) for change in changes):  # file form, e.g. a finding's suggestion
        changes = list(parse_changes([c if isinstance(c, dict) else change_to_data(c) for c in changes], file=file))
    for index, change in enumerate(changes):
        data = copy.deepcopy(process_to_data(process))
        # The start is made explicit while rewiring, so that it follows the step it names even when
        # that step is removed or moves from the head of the list; it is left implicit again if it can be.
        implicit_start = not data.get("start")
        data["start"] = process.start_step
        breaches_before = _segregation_breaches(data)
        try:
            _APPLY[type(change)](data, change, process)  # type: ignore[operator]
            _refuse_new_breaches(breaches_before, _segregation_breaches(data))
        except _Refused as refused:
            raise ChangeError([_change_issue(change, index, file, refused.loc, refused.message, refused.hint)]) from None
        if implicit_start and data["start"] == data["steps"][0]["id"]:
            del data["start"]
        try:
            process = process_from_data(data, file=file)
        except ModelError as error:
            raise ChangeError(_invalid_issues(error, change, index, file, data)) from None
    return process
