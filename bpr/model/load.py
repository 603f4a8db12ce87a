"""Reading process files: the only place in bpr that sees YAML text, raw dicts or pydantic errors.

Files come from analysts and, through the REST service, from anyone, so reading is strict and safe:
size limit, UTF-8 only, no custom tags, no anchors or aliases (no alias bombs), no duplicate keys, and
YAML 1.1 surprises defused (``10:00`` stays the text "10:00", not 600; ``no`` stays "no"; dates stay text;
``010`` is ten, not octal 8).
Every problem is reported at once, each with ``file:line:column``, the path of the field and a hint.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import math
import os
import re
import types
import typing
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from bpr.errors import Issue, ModelError, path_text
from bpr.model.distributions import DISTRIBUTION_NAMES
from bpr.model.files import unreadable
from bpr.model.schema import STEP_TYPES, Process

MAX_BYTES = 1_048_576
"""Largest process file accepted (1 MiB): real processes are a few kilobytes."""

Locations = dict[str, tuple[int, int]]

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None, hint: str | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.hint = hint
        self.path = path


class _Lines:
    """1-based (line, column) of a character of ``text``, counting lines as editors do.

    YAML also breaks lines at U+0085, U+2028 and U+2029, so PyYAML's own line numbers run ahead of the
    file's wherever one of those stands in a comment or a text (a character on line 2 was reported at 4:1);
    positions are taken from the character index of PyYAML's marks instead. Lines end at ``\n``, ``\r\n``
    or a lone ``\r``."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in re.finditer(r"\r\n|\n|\r", text)]

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def at(self, mark: yaml.Mark | None) -> tuple[int | None, int | None]:
        return self.position(mark.index) if mark is not None else (None, None)


def _scalar(node: yaml.ScalarNode, constructor: yaml.SafeLoader) -> Any:
    if node.tag not in _SAFE_TAGS:
        raise _Refused(f"tag {node.tag!r} is not allowed", node.start_mark, "process files use plain YAML only")
    if node.style is None:  # plain scalar: defuse YAML 1.1 resolution surprises
        text = node.value
        if node.tag == "tag:yaml.org,2002:bool" and text.lower() not in ("true", "false"):
            return text
        if node.tag == "tag:yaml.org,2002:timestamp":
            return text
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" in text:
            return text
        if node.tag == "tag:yaml.org,2002:int" and re.match(r"^[-+]?0[0-7_]+$", text):
            return int(text.replace("_", ""), 10)  # YAML 1.1 reads 010 as octal 8; people mean 10
    try:
        value = constructor.construct_object(node, deep=True)
    except ValueError:  # e.g. an integer longer than Python converts (4300 digits)
        raise _Refused(f"cannot read {node.value[:20]!r}{'…' if len(node.value) > 20 else ''} as a value",
                       node.start_mark, "write a shorter number, or quote it as text") from None
    if isinstance(value, float) and not math.isfinite(value):  # .inf, .nan, or 1e400 (too large: infinity)
        shown = node.value[:20] + ("…" if len(node.value) > 20 else "")
        raise _Refused(f"{shown!r} is not a finite number", node.start_mark, _FINITE_HINT)
    return value


_FINITE_HINT = "write an ordinary number: no .inf, .nan or exponent beyond 1e308"


def _convert(node: yaml.Node, path: tuple[str | int, ...], loader: yaml.SafeLoader, locations: Locations,
             lines: _Lines) -> Any:
    if node.tag not in _SAFE_TAGS:
        raise _Refused(f"tag {node.tag!r} is not allowed", node.start_mark, "process files use plain YAML only")
    locations.setdefault(path_text(path), lines.at(node.start_mark))  # type: ignore[arg-type]
    if isinstance(node, yaml.ScalarNode):
        try:
            return _scalar(node, loader)
        except _Refused as refused:
            refused.path = refused.path or printable(path_text(path))
            raise
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, path + (i,), loader, locations, lines) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge keys ('<<') are not allowed", key_node.start_mark, "write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("mapping keys must be plain text", key_node.start_mark)
            key = _scalar(key_node, loader)
            if key in out:
                raise _Refused(
                    f"duplicate key {key!r}", key_node.start_mark, "each key may appear once in a mapping"
                )
            child = path + (str(key),)
            locations[path_text(child) + "#key"] = lines.at(key_node.start_mark)  # type: ignore[assignment]
            out[key] = _convert(value_node, child, loader, locations, lines)
        return out
    raise _Refused("unsupported YAML node", node.start_mark)


MAX_DEPTH = 64
"""Deepest nesting accepted: a process file is a few levels deep; refusing early keeps bad input cheap."""


MAX_NODES = 30_000
"""Most values (scalars, lists and mappings) accepted in one file: the largest shipped scenario has under a
thousand, a process of 500 steps about ten thousand. Refusing more while composing keeps a file of 200,000
tiny values (6 CPU-seconds and 270 MB to read) cheap to refuse."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases while composing (so alias bombs never expand), nesting
    deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES` values."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_DEPTH:
            event = self.peek_event()
            raise _Refused(f"YAML nested deeper than {MAX_DEPTH} levels", event.start_mark,
                           "a process file is a few levels deep")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            event = self.peek_event()
            raise _Refused(f"the file holds more than {MAX_NODES:,} values", event.start_mark,
                           "a process file holds a few thousand; summarise long lists (e.g. an empirical "
                           "duration as a fitted distribution)")
        self._depth += 1
        try:
            return self._compose_checked(parent, index)
        finally:
            self._depth -= 1

    def _compose_checked(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("aliases ('*name') are not allowed", event.start_mark, "write the value out in full")
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(f"anchors ('&{anchor}') are not allowed", event.start_mark, "write the value out in full")
        return super().compose_node(parent, index)


def _decode(raw: bytes | str, file: str) -> str:
    if isinstance(raw, str):
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ModelError([Issue(f"file is larger than {MAX_BYTES // 1024} KiB", file=file, hint="split it")])
        if "\x00" in raw:
            line, column = _Lines(raw).position(raw.index("\x00"))
            raise ModelError([Issue("file contains NUL characters: not a text file", file=file, line=line,
                                    column=column, hint="give a YAML file")])
        return raw
    if len(raw) > MAX_BYTES:
        raise ModelError([Issue(f"file is larger than {MAX_BYTES // 1024} KiB", file=file, hint="split it")])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # what some editors call "Unicode"
        raise ModelError([Issue("file is UTF-16, not UTF-8", file=file, line=1, column=1, hint="save it as UTF-8")])
    if b"\x00" in raw:
        before = raw[: raw.index(b"\x00")].decode("utf-8", errors="replace")
        line, column = _Lines(before).position(len(before))
        raise ModelError([Issue("file contains NUL bytes: not a text file", file=file, line=line, column=column,
                                hint="give a YAML file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start]
        line = prefix.count(b"\n") + 1
        column = error.start - (prefix.rfind(b"\n") + 1) + 1
        raise ModelError(
            [Issue("file is not valid UTF-8", file=file, line=line, column=column, hint="save it as UTF-8")]
        ) from None


_HIDDEN_BREAKS = {"\x85": "next line, NEL", "\u2028": "line separator", "\u2029": "paragraph separator"}
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")


def _refuse_hidden_breaks(text: str, lines: _Lines, file: str) -> None:
    """Refuse U+0085, U+2028 and U+2029: YAML 1.1 reads them as line breaks, editors do not, so a file with
    one would mean something other than it shows (a comment's second half read as a key)."""
    issues = []
    for match in itertools.islice(_HIDDEN_BREAK.finditer(text), 20):
        line, column = lines.position(match.start())
        char = match.group()
        issues.append(Issue(f"character U+{ord(char):04X} ({_HIDDEN_BREAKS[char]}) is not allowed in a YAML file",
                            file=file, line=line, column=column,
                            hint="YAML reads it as a line break that editors do not show; delete it or use a space"))
    if issues:
        raise ModelError(issues)


def read_yaml(raw: bytes | str, file: str = "<input>") -> tuple[Any, Locations]:
    """Parse one YAML document safely; returns the data and where each path starts in the text."""
    text = _decode(raw, file)
    lines = _Lines(text)
    _refuse_hidden_breaks(text, lines, file)
    locations: Locations = {}
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here already
    except yaml.reader.ReaderError as error:
        line, column = lines.position(error.position)
        raise ModelError([Issue(f"character U+{error.character:04X} is not allowed in a YAML file", file=file,
                                line=line, column=column,
                                hint="delete it: YAML allows printable characters, tabs and line breaks")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ModelError([Issue("file is empty", file=file, line=1, column=1, hint="start from docs/format.md")])
        data = _convert(node, (), loader, locations, lines)
    except _Refused as refused:
        where = lines.at(refused.mark)
        raise ModelError([Issue(refused.message, path=refused.path, file=file, line=where[0], column=where[1],
                                hint=refused.hint)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = (error.problem or error.context or "invalid YAML").strip()
        if message.startswith("but ") and error.context:  # the composer splits one sentence in two
            message = f"{error.context.strip()}, {message}"
        hint = None
        if "end of stream" in message and error.context and error.context_mark is not None:
            # an unclosed quote or bracket: where it was opened says more than the end of the file
            message = f"{error.context.strip()} that never ends"
            mark = error.context_mark
            hint = "close the quote or bracket opened here"
        where = lines.at(mark)
        if "'\\t'" in message or "tab" in message:  # PyYAML shows a tab escaped: '\t'
            hint = "YAML does not allow tabs for indentation; use spaces"
        elif "expected a single document" in message or "but found another document" in message:
            hint = "one process per file"
        elif "mapping values are not allowed" in message:
            hint = "check the indentation of this line, or quote a value that contains ': '"
        raise ModelError([Issue(f"invalid YAML: {message}", file=file, line=where[0], column=where[1], hint=hint)]) from None
    except yaml.YAMLError as error:
        raise ModelError([Issue(f"invalid YAML: {error}", file=file)]) from None
    except RecursionError:
        raise ModelError([Issue("YAML nested too deeply", file=file, hint="a process file is a few levels deep")]) from None
    finally:
        loader.dispose()
    return data, locations


# --- pydantic errors -> issues -----------------------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Annotated, Optional and unions opened up)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def _model_fields_at(loc: tuple[Any, ...], data: Any) -> list[str] | None:
    """Field names allowed at ``loc`` (the mapping that holds an unknown field), for hints."""
    candidates: list[Any] = [Process]
    node = data
    for part in loc:
        next_candidates: list[Any] = []
        for cand in candidates:
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                tag = node.get("type", node.get("dist")) if isinstance(node, dict) else None
                if isinstance(part, str) and part in cand.model_fields:
                    next_candidates.extend(_unwrap(cand.model_fields[part].annotation))
                elif "type" in cand.model_fields or "dist" in cand.model_fields:
                    field = cand.model_fields.get("type") or cand.model_fields.get("dist")
                    assert field is not None
                    if field.default == tag or tag in typing.get_args(field.annotation):
                        next_candidates.append(cand)
            else:
                origin = typing.get_origin(cand)
                args = typing.get_args(cand)
                if origin is tuple and args:
                    next_candidates.extend(_unwrap(args[0]))
                elif origin is dict and len(args) == 2:
                    next_candidates.extend(_unwrap(args[1]))
                elif origin is list and args:
                    next_candidates.extend(_unwrap(args[0]))
        # descend in the data alongside, skipping pydantic's union tags that are not in the data
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        candidates = next_candidates or candidates
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if not models:
        return None
    tag = node.get("type", node.get("dist")) if isinstance(node, dict) else None
    for model in models:
        field = model.model_fields.get("type") or model.model_fields.get("dist")
        if field is not None and tag is not None and (field.default == tag or tag in typing.get_args(field.annotation)):
            return [f.alias or name for name, f in model.model_fields.items()]
    return [f.alias or name for name, f in models[0].model_fields.items()]


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop the parts of a pydantic location that are union tags rather than keys of the data."""
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and part in (node.get("type"), node.get("dist")):
            continue
        elif part == "[key]":  # pydantic's marker for a bad mapping key: the path is the key itself
            continue
        elif isinstance(part, str) and ("[" in part or "-" in part) and not isinstance(node, dict):
            continue
        else:
            out.append(part)
            node = None
    return tuple(out)


_NOUNS = {"type": "step type", "dist": "distribution"}
_KINDS = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false", type(None): "null"}
_BOUNDS = {"greater_than_equal": "at least", "greater_than": "greater than", "less_than_equal": "at most",
           "less_than": "less than"}


def printable(text: str) -> str:
    """Escape line breaks and other control characters, so that one issue stays one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _show(value: Any, limit: int = 60) -> str:
    """``repr`` for messages, cut short: a value may be huge (a 5000-digit number, a pasted document)."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print in decimal
        return "a number too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def close_match(word: Any, choices: list[str]) -> str | None:
    if not isinstance(word, str):
        return None
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None


def _issue_from_pydantic(err: dict[str, Any], data: Any, locations: Locations, file: str) -> Issue:
    loc = _data_path(tuple(err["loc"]), data)
    path = printable(path_text(loc))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    message = err["msg"]
    hint: str | None = None
    key_position = bool(err["loc"]) and err["loc"][-1] == "[key]"
    if kind == "extra_forbidden":
        allowed = _model_fields_at(loc[:-1], data) or []
        message = "unknown field"
        hint = close_match(loc[-1] if loc else None, allowed)
        if allowed:
            message += f"; allowed: {', '.join(allowed)}"
        key_position = True
    elif kind == "missing":
        message = "required field is missing"
        key_position = False
    elif kind in _BOUNDS:
        limit = next(ctx[key] for key in ("ge", "gt", "le", "lt") if key in ctx)
        message = f"must be {_BOUNDS[kind]} {limit:g}, got {_show(value)}"
    elif kind == "finite_number":
        message = f"must be a finite number, got {_show(value)}"
        hint = _FINITE_HINT
    elif kind in ("bool_type", "bool_parsing"):
        message = f"expected true or false, got {_show(value)}"
    elif kind in ("tuple_type", "list_type"):
        message = f"expected a list, got {_KINDS.get(type(value), 'a mapping' if isinstance(value, dict) else 'a value')}"
        hint = "write each entry on a line starting with '- '"
    elif kind == "string_too_long":
        message = f"is longer than {ctx.get('max_length')} characters: {_show(value, 30)}"
    elif kind == "string_type":
        message = f"expected text, got {_show(value)}"
        if isinstance(value, (bool, int, float)):  # YAML read `version: 1.10` as a number
            hint = "put it in quotes to keep it as written"
    elif kind == "too_long":
        message = f"has {ctx.get('actual_length')} entries; at most {ctx.get('max_length'):,} are accepted"
    elif kind == "too_short":
        count = ctx.get("min_length")
        message = f"needs at least {count} {'entry' if count == 1 else 'entries'}, has {ctx.get('actual_length')}"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        noun = _NOUNS.get(discriminator, discriminator)
        expected = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]
        if kind == "union_tag_not_found":  # pydantic gives no expected tags here: name them ourselves
            if not expected and discriminator == "type":
                expected = list(STEP_TYPES)
            elif not expected and discriminator == "dist":
                expected = list(DISTRIBUTION_NAMES) + (["choice"] if "attributes" in loc else [])
            message = f"missing '{discriminator}:'; one of {', '.join(expected)}"
        else:
            message = f"unknown {noun} {_show(ctx.get('tag'))}"
            hint = close_match(ctx.get("tag"), expected) or f"use one of {', '.join(expected)}"
        if discriminator:
            path = printable(path_text(loc + (discriminator,)))
    elif kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = f"{_show(value)} is not allowed; expected {ctx.get('expected')}"
        hint = close_match(value, expected)
    elif kind == "value_error":
        message = str(ctx.get("error", message.removeprefix("Value error, ")))
    elif kind == "model_type" or kind == "dict_type":
        message = f"expected a mapping of fields, got {_show(value)}"
    elif kind == "string_pattern_mismatch":
        message = f"{_show(value)} is not a valid id: use ASCII letters, digits and '_', starting with a letter"
        hint = "put Japanese text in 'name:'"
    else:
        message = f"{message} (got {_show(value)})" if value is not None and not isinstance(value, (dict, list)) else message
    line, column = _locate(path, locations, key=key_position)
    return Issue(message, path=path, file=file, line=line, column=column, hint=hint)


def _without_echoes(errors: list[Any]) -> list[Any]:
    """Drop pydantic's "too short" for a list whose entries failed themselves: it counts only the valid ones."""
    def inside(inner: tuple[Any, ...], outer: tuple[Any, ...]) -> bool:
        return len(inner) > len(outer) and inner[: len(outer)] == outer

    return [err for err in errors
            if not (err["type"] == "too_short" and any(inside(tuple(o["loc"]), tuple(err["loc"])) for o in errors))]


def _locate(path: str, locations: Locations, key: bool = False) -> tuple[int | None, int | None]:
    if key and path + "#key" in locations:
        return locations[path + "#key"]
    probe = path
    while True:
        if probe in locations:
            return locations[probe]
        if probe + "#key" in locations:
            return locations[probe + "#key"]
        if not probe:
            return (None, None)
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""


def locate_issues(issues: list[Issue], locations: Locations, file: str) -> list[Issue]:
    """Fill in file, line and column of issues that only know their path."""
    out = []
    for issue in issues:
        line, column = (issue.line, issue.column)
        if line is None:
            line, column = _locate(issue.path, locations)
        out.append(
            Issue(issue.message, issue.path, file, line, column, issue.hint, issue.severity)
        )
    return out


# --- public entry points ----------------------------------------------------------------------------


def process_from_data(data: Any, file: str = "<input>", locations: Locations | None = None,
                      folder: Path | None = None) -> Process:
    """Validate already-parsed data as a complete process; files it names (a CSV of replayed arrivals) are
    read from ``folder``, the process file's, and refused without one.

    A change list (``base:`` + ``changes:``) means its base with its changes applied: :mod:`bpr.changes`
    reads it (``bpr.load_process`` reads either kind of file).
    """
    locations = locations or {}
    if not isinstance(data, dict):
        raise ModelError(
            [Issue(f"expected a mapping of fields at the top of the file, got {_KINDS.get(type(data), 'a value')}",
                   file=file, line=1, column=1, hint="start with 'id:', see docs/format.md")]
        )
    if "base" in data or "changes" in data:
        raise ModelError([Issue("a change list (base: + changes:) is not a complete process", file=file, line=1,
                                column=1, hint="read it with bpr.load_process, which applies it to its base")])
    from bpr.model.replay import read_replay_files

    data, replay_issues = read_replay_files(data, file, folder)
    if replay_issues:
        located = [issue for issue in replay_issues if issue.line is not None or issue.file != "<input>"]
        raise ModelError(located + locate_issues([i for i in replay_issues if i not in located], locations, file))
    try:
        process = Process.model_validate(data)
    except ValidationError as error:
        errors = _without_echoes(error.errors(include_url=False))
        issues = [_issue_from_pydantic(err, data, locations, file) for err in errors]
        raise ModelError(issues) from None
    from bpr.model.refs import check_references
    from bpr.model.soundness import check_soundness

    problems = check_references(process)
    if not problems:
        problems = check_soundness(process)
    if problems:
        raise ModelError(locate_issues(problems, locations, file))
    process._locations = {k: v for k, v in locations.items() if not k.endswith("#key")}
    process._file = file
    return process


def parse_process(text: str | bytes, file: str = "<input>", folder: Path | None = None) -> Process:
    """Parse and validate the text of a complete process file (``folder``: where the files it names are)."""
    data, locations = read_yaml(text, file)
    return process_from_data(data, file, locations, folder)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file to read as YAML (at most :data:`MAX_BYTES` + 1, so that the size check sees more)."""
    path = Path(path)
    file = str(path)
    problem = unreadable(path)
    if problem == "no such file":
        hint = None
        if path.parent.is_dir():
            hint = close_match(path.name, [p.name for p in path.parent.iterdir()])
        raise ModelError([Issue(problem, file=file, hint=hint)])
    if problem is not None:
        raise ModelError([Issue(problem, file=file,
                                hint=None if problem.startswith("is a folder") else "give a process file (.yaml)")])
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ModelError([Issue(f"cannot read file: {error.strerror}", file=file)]) from None


def load_process(path: str | os.PathLike[str]) -> Process:
    """Load a complete process file from disk (``bpr.load_process`` also reads change lists)."""
    return parse_process(read_file(path), file=str(path), folder=Path(path).parent)


def process_to_data(process: Process) -> dict[str, Any]:
    """The process as plain data in file form (units kept, fields as written)."""
    return process.model_dump(mode="json", by_alias=True, exclude_unset=True)


def dump_process(process: Process) -> str:
    """The process as YAML text that loads back to an equal process."""
    return yaml.safe_dump(process_to_data(process), allow_unicode=True, sort_keys=False, width=110)
