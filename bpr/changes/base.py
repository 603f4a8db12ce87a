"""What every change kind is: a frozen model that reads its file form, applies itself and says what it does.

A kind is a subclass of :class:`Change` in a module of its own (``remove.py``, ``digitize.py``, …) and one
line of :mod:`bpr.changes.registry`. The class holds, in one place:

- its fields (the model :func:`~bpr.changes.parse_changes` validates) and how its file form maps onto them
  (:attr:`Change.short_field`, :attr:`Change.flat_field`, :meth:`Change.from_file`);
- :meth:`Change.apply`, which rewires a process in file form and raises :class:`Refused` when it cannot;
- :meth:`Change.to_data` (back to the shortest file form), :meth:`Change.describe` (one English line) and
  :meth:`Change.ja` (one Japanese line for reports, with names from :class:`Words`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from bpr.model.schema import Process

__all__ = ["Change", "Locations", "Refused", "Words", "hint", "ids_text", "locate", "step_name"]

Locations = dict[str, tuple[int, int]]
"""Where each part of a file starts: path (``changes[0].remove``) -> (line, column)."""


def hint(word: object, choices: Iterable[object]) -> str | None:
    """``did you mean 'x'?`` for the closest of ``choices``, or ``None``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"did you mean {close[0]!r}?" if close else None


def locate(where: Locations, path: str, key: bool = False) -> tuple[int | None, int | None]:
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


def ids_text(ids: Iterable[str]) -> str:
    return ", ".join(ids)


class Refused(Exception):
    """A change does not apply; ``loc`` is the model location of the field at fault (e.g. ("steps", 1))."""

    def __init__(self, message: str, loc: tuple[Any, ...] = (), hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint


@dataclass(frozen=True)
class Words:
    """What a Japanese line needs besides the change: the version it applies to (for display names) and how
    the reader writes channels, conditions and durations (the report passes its own formatters)."""

    process: Process | None
    channel: Callable[[str], str]
    condition: Callable[[str], str]
    minutes: Callable[[float], str]

    def step(self, step_id: str) -> str:
        return step_name(self.process, step_id)

    def role(self, role_id: str) -> str:
        if self.process is None or role_id not in self.process.roles:
            return role_id
        return self.process.roles[role_id].name or role_id

    def quoted(self, ids: Iterable[str]) -> str:
        """「受付」・「審査」"""
        return "・".join(f"「{self.step(s)}」" for s in ids)

    def has_digital_estimate(self, step_id: str) -> bool:
        """Whether the file states how long ``step_id`` takes once digital (``digital_duration``)."""
        if self.process is None or step_id not in self.process.step_ids:
            return False
        return getattr(self.process.step(step_id), "digital_duration", None) is not None


def step_name(process: Process | None, step_id: str) -> str:
    """The step's display name, or its id when it has none (or the process does not know it)."""
    if process is None:
        return step_id
    try:
        step = process.step(step_id)
    except KeyError:
        return step_id
    return step.name or step_id


class Change(BaseModel):
    """Base of every change kind. Equality ignores where in a file the change was written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    """The key that names the kind in a file (``remove``)."""
    short_field: ClassVar[str | None] = None
    """The field a short form stands for: ``remove: X`` is ``remove: {step: X}``."""
    flat_field: ClassVar[str | None] = None
    """The field that is always written flat: ``staff: {clerk: 4}`` holds ``roles``."""

    # How the change was written ("short", "scalar" or "mapping") and where its parts are in the file,
    # keyed by path relative to the change ("delegate.to"); used to locate errors found while applying.
    _form: str | None = PrivateAttr(default=None)
    _where: Locations = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Change):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # some changes hold dicts

    # --- reading ------------------------------------------------------------------------------------

    @classmethod
    def from_file(cls, body: Any) -> tuple[Any, str]:
        """File form -> model input, and the form it was written in ("short", "scalar" or "mapping")."""
        if cls.short_field is not None:
            if isinstance(body, dict):
                return body, "mapping"
            if cls.short_field == "steps" and isinstance(body, str):  # one step where a list is expected
                return {"steps": [body]}, "scalar"
            return {cls.short_field: body}, "short"
        if cls.flat_field is not None:
            return {cls.flat_field: body}, "mapping"
        return body, "mapping"

    @classmethod
    def canonical_form(cls) -> str:
        return "short" if cls.short_field is not None else "mapping"

    @classmethod
    def allowed_fields(cls) -> list[str]:
        """The keys a mapping of this kind may hold (for 'unknown field; allowed: …')."""
        return [name for name in cls.model_fields if name != cls.flat_field]

    @classmethod
    def wrong_type_hint(cls, value: Any) -> str | None:
        """A hint for a value of the wrong type where text was expected."""
        return None

    # --- applying -----------------------------------------------------------------------------------

    def apply(self, data: dict[str, Any], process: Process) -> None:
        """Rewire ``data`` (``process`` in file form, start explicit) in place; raise :class:`Refused`."""
        raise NotImplementedError(f"change kind {self.kind!r} does not say how it applies")

    def invalid_loc(self, path: str, data: dict[str, Any]) -> tuple[Any, ...]:
        """The field of this change to blame when the rebuilt process has a problem at ``path``."""
        return ()

    # --- writing ------------------------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """The shortest file form that :func:`~bpr.changes.parse_changes` reads back equal."""
        raise NotImplementedError(f"change kind {self.kind!r} has no file form")

    def describe(self) -> str:
        """One plain-English line saying what the change does."""
        raise NotImplementedError(f"change kind {self.kind!r} has no English wording")

    def ja(self, words: Words) -> str:
        """One Japanese line for a report, naming steps and roles by their display names."""
        raise NotImplementedError(f"change kind {self.kind!r} has no Japanese wording")

    def named_steps(self) -> tuple[str, ...]:
        """The steps the change names (their display names follow the English line in a report)."""
        return ()

    def display_only(self) -> bool:
        """True when the change alters only what is shown, never a simulated figure."""
        return False
