"""Writing the calibrated file: the original text with only the fitted values replaced.

Comments, order, quoting and layout of everything else stay as the analyst wrote them. A value is found
at its line and column (the loader's locations, :meth:`Process.location`) and replaced there: a scalar
up to where it ends on its line, a flow collection (``{…}``, ``[…]``) up to its closing bracket, a block
collection (its lines, indented under its key) by one line in flow style. Only values the file already
has are replaced; a fitted field the file lacks (a ``profile``, a ``reject``) is reported, not inserted.

The result is then loaded again and must give exactly the intended process; if it does not (a layout this
module does not understand), :func:`rewrite` says so and the caller writes the dumped process instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from bpr.errors import BprError
from bpr.model.load import dump_process, parse_process, process_from_data, process_to_data
from bpr.model.schema import Process

__all__ = ["Rewritten", "apply_values", "flow", "rewrite"]

_PLAIN = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./ -]*$")
_UNIT = re.compile(r"[0-9.]+[a-z]+|[0-9.]+/[a-z]+")
"""A duration (``31.4m``) or a rate (``12.1/day``): plain in YAML, and the format reads them as text."""
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def flow(value: Any) -> str:
    """``value`` in YAML flow style, strings quoted unless plainly safe (``20m``, ``lognormal``, ``3/day``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = f"{value:.10f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text or "0"
    text = str(value)
    if _PLAIN.match(text) and text.strip() == text and not text[0].isdigit() or _UNIT.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _split(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _PATH_PART.findall(path)]


def _has(data: Any, path: str) -> bool:
    for part in _split(path):
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return False
        elif not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def apply_values(process: Process, values: Iterable[tuple[str, Any]]) -> Process:
    """``process`` with the file-form ``values`` set at their paths (paths the file lacks are skipped)."""
    data = process_to_data(process)
    for path, value in values:
        if not _has(data, path):
            continue
        parts = _split(path)
        holder: Any = data
        for part in parts[:-1]:
            holder = holder[part]
        holder[parts[-1]] = value
    return process_from_data(data, process.source_file)


def _scalar_end(line: str, start: int) -> int:
    if line[start] in "\"'":
        quote, k = line[start], start + 1
        while k < len(line):
            if line[k] == quote and (quote == "'" or line[k - 1] != "\\"):
                if quote == "'" and k + 1 < len(line) and line[k + 1] == "'":
                    k += 2
                    continue
                return k + 1
            k += 1
        return len(line)
    k = start
    while k < len(line) and line[k] not in ",}]" and not (line[k] == "#" and line[k - 1] in " \t"):
        k += 1
    return len(line[:k].rstrip())


def _bracket_end(lines: list[str], row: int, start: int) -> tuple[int, int] | None:
    depth, quote = 0, ""
    for r in range(row, len(lines)):
        text = lines[r]
        for k in range(start if r == row else 0, len(text)):
            ch = text[k]
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    return r, k + 1
            elif ch == "#" and k > 0 and text[k - 1] in " \t":
                break
    return None


def _block_end(lines: list[str], row: int, indent: int, sequence: bool) -> int:
    last = row
    for r in range(row + 1, len(lines)):
        stripped = lines[r].strip()
        if not stripped or stripped.startswith("#"):
            continue
        own = len(lines[r]) - len(lines[r].lstrip(" "))
        if own > indent or (own == indent and (not sequence or stripped == "-" or stripped.startswith("- "))):
            last = r
            continue
        break
    return last


def _replace(lines: list[str], row: int, col: int, value: Any, is_collection: bool) -> None:
    text = lines[row]
    start = col
    if not is_collection:
        end = _scalar_end(text, start)
        lines[row] = text[:start] + flow(value) + text[end:]
        return
    if text[start] in "{[":
        found = _bracket_end(lines, row, start)
        if found is None:
            raise ValueError("unclosed bracket")
        end_row, end_col = found
        lines[row] = text[:start] + flow(value) + lines[end_row][end_col:]
        del lines[row + 1:end_row + 1]
        return
    last = _block_end(lines, row, start, text[start] == "-")
    if isinstance(value, dict):  # a block mapping stays one: a key a line, each value in flow style
        new = [" " * start + f"{key}: {flow(item)}" for key, item in value.items()]
    else:  # a block sequence may sit at its key's indent; a flow one must sit deeper
        new = [" " * (start + 2 if text[start] == "-" else start) + flow(value)]
    lines[row:last + 1] = new


class Rewritten:
    """The calibrated text; ``kept_layout`` False when the dumped process had to be written instead."""

    def __init__(self, text: str, process: Process, kept_layout: bool, written: list[str]) -> None:
        self.text, self.process, self.kept_layout, self.written = text, process, kept_layout, written


def rewrite(process: Process, original: str, values: list[tuple[str, Any]]) -> Rewritten:
    """``original`` (the text ``process`` was read from) with ``values`` (path, file form) written in."""
    data = process_to_data(process)
    present = [(path, value) for path, value in values if _has(data, path)]
    intended = apply_values(process, present)
    lines = original.split("\n")
    # Bottom-up, right to left: an edit never moves the position of one still to do.
    located = []
    for path, value in present:
        where = process.location(path)
        if where is None:
            continue
        old: Any = data
        for part in _split(path):
            old = old[part]
        located.append((where[0] - 1, where[1] - 1, path, value, isinstance(old, (dict, list))))
    try:
        for row, col, _, value, collection in sorted(located, key=lambda item: (item[0], item[1]), reverse=True):
            _replace(lines, row, col, value, collection)
        text = "\n".join(lines)
        again = parse_process(text, process.source_file)
        if again.model_dump(mode="json") == intended.model_dump(mode="json"):
            return Rewritten(text, again, True, [p for p, _ in present])
    except (BprError, ValueError, IndexError):
        pass
    return Rewritten(dump_process(intended), intended, False, [p for p, _ in present])
