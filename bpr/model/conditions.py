"""A small, safe language for conditions on case attributes: ``amount > 1000000 and kind == "new"``.

Conditions come from files written by people and, through the REST service, from anyone; so they are
tokenised and parsed here by hand into a tiny tree, and evaluated by walking it. Nothing is ever passed to
``eval``: the only things a condition can do are compare attribute values with literals and combine the
results with ``and``, ``or`` and ``not``.

Grammar::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := "(" expr ")" | operand [op operand]
    op         := "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in"
    operand    := NUMBER | STRING | NAME | "true" | "false" | "[" literal ("," literal)* "]"
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Mapping, TypeVar, Union

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?(?:[0-9][0-9_]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<string>"[^"\\]*"|'[^'\\]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
MAX_LENGTH = 500
MAX_DEPTH = 30
ALLOWED = "only comparisons, and/or/not, numbers, strings and attribute names are allowed"


class ConditionError(ValueError):
    """A condition that cannot be parsed or evaluated; ``column`` is 1-based within the condition."""

    def __init__(self, message: str, column: int | None = None, text: str = "", hint: str = "") -> None:
        self.column = column
        self.text = text
        self.hint = hint
        where = f" at column {column}" if column is not None else ""
        full = f"{message}{where} in condition {text!r}" if text else message
        super().__init__(f"{full}; {hint}" if hint else full)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    value: str
    column: int


Literal_ = Union[float, str, bool, tuple]


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Const:
    value: Literal_


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Name | Const
    right: Name | Const


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


@dataclass(frozen=True, slots=True)
class Truth:
    """A bare operand used as a condition (``urgent``): true when the value is truthy."""

    operand: Name | Const


Node = Union[Compare, BoolOp, Not, Truth]


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            char = text[pos]
            hint = ALLOWED
            if char == "=":
                hint = "use '==' to compare"
            elif char in "&|!":
                hint = "use 'and', 'or', 'not'"
            elif char == ".":
                hint = "attribute access is not allowed (write numbers with a leading digit: 0.5)"
            raise ConditionError(f"unexpected character {char!r}", pos + 1, text, hint)
        kind = match.lastgroup or ""
        if kind != "ws":
            value = match.group()
            if kind == "name" and value in _KEYWORDS:
                kind = value
            out.append(_Tok(kind, value, pos + 1))
        pos = match.end()
    out.append(_Tok("eof", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self, kind: str | None = None) -> _Tok:
        tok = self.toks[self.i]
        if kind is not None and tok.kind != kind:
            self.fail(tok, f"expected {kind!r}")
        self.i += 1
        return tok

    def fail(self, tok: _Tok, expected: str) -> None:
        got = "end of condition" if tok.kind == "eof" else repr(tok.value)
        raise ConditionError(f"{expected}, got {got}", tok.column, self.text, ALLOWED)

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"condition nested deeper than {MAX_DEPTH} levels", self.peek().column, self.text)
        parts = [self.and_expr()]
        while self.peek().kind == "or":
            self.take()
            parts.append(self.and_expr())
        self.depth -= 1
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.peek().kind == "and":
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.peek().kind == "not":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ConditionError(f"condition nested deeper than {MAX_DEPTH} levels", self.peek().column, self.text)
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        if self.peek().value == "(":
            self.take()
            node = self.expr()
            if self.peek().value != ")":
                self.fail(self.peek(), "expected ')'")
            self.take()
            return node
        left = self.operand()
        tok = self.peek()
        if tok.kind == "op" or tok.kind == "in":
            self.take()
            op = tok.value
        elif tok.kind == "not" and self.toks[self.i + 1].kind == "in":
            self.take()
            self.take()
            op = "not in"
        else:
            return Truth(left)
        right = self.operand()
        if op in ("in", "not in") and not (isinstance(right, Const) and isinstance(right.value, tuple)):
            raise ConditionError(f"'{op}' needs a list such as [\"a\", \"b\"] on its right", tok.column, self.text)
        return Compare(op, left, right)

    def literal(self) -> Const:
        tok = self.take()
        if tok.kind == "number":
            return Const(float(tok.value.replace("_", "")))
        if tok.kind == "string":
            return Const(tok.value[1:-1])
        if tok.kind in ("true", "false"):
            return Const(tok.kind == "true")
        self.i -= 1
        self.fail(tok, "expected a number, a string or true/false")
        raise AssertionError  # unreachable

    def operand(self) -> Name | Const:
        tok = self.peek()
        if tok.kind == "name":
            self.take()
            if self.peek().value == "(":
                raise ConditionError("calls are not allowed", self.peek().column, self.text, ALLOWED)
            return Name(tok.value)
        if tok.value == "[":
            self.take()
            items = [self.literal().value]
            while self.peek().value == ",":
                self.take()
                items.append(self.literal().value)
            if self.peek().value != "]":
                self.fail(self.peek(), "expected ']'")
            self.take()
            return Const(tuple(items))
        if tok.kind not in ("number", "string", "true", "false"):
            self.fail(tok, "expected an attribute name, a number, a string or a list")
        return self.literal()


@dataclass(frozen=True)
class Condition:
    """A parsed condition; ``names`` are the attributes it reads."""

    text: str
    tree: Node

    @property
    def names(self) -> frozenset[str]:
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, Name):
                found.add(node.name)
            elif isinstance(node, Compare):
                walk(node.left)
                walk(node.right)
            elif isinstance(node, BoolOp):
                for part in node.parts:
                    walk(part)
            elif isinstance(node, Not):
                walk(node.part)
            elif isinstance(node, Truth):
                walk(node.operand)

        walk(self.tree)
        return frozenset(found)

    def evaluate(self, attributes: Mapping[str, Any]) -> bool:
        """True or false for one case; raises ConditionError for an unknown name or mismatched types."""
        return bool(_eval(self.tree, attributes, self.text))

    def __str__(self) -> str:
        return self.text


def _value(operand: Name | Const, attributes: Mapping[str, Any], text: str) -> Any:
    if isinstance(operand, Const):
        return operand.value
    try:
        return attributes[operand.name]
    except KeyError:
        raise ConditionError(f"case has no attribute {operand.name!r}", None, text) from None


def _eval(node: Node, attributes: Mapping[str, Any], text: str) -> bool:
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_eval(part, attributes, text) for part in node.parts)
        return any(_eval(part, attributes, text) for part in node.parts)
    if isinstance(node, Not):
        return not _eval(node.part, attributes, text)
    if isinstance(node, Truth):
        return bool(_value(node.operand, attributes, text))
    left = _value(node.left, attributes, text)
    right = _value(node.right, attributes, text)
    op = node.op
    if op == "in":
        return left in right
    if op == "not in":
        return left not in right
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if not isinstance(left, bool) and not isinstance(right, bool):
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return _order(op, left, right)
        if isinstance(left, str) and isinstance(right, str):
            return _order(op, left, right)
    raise ConditionError(f"cannot order {left!r} and {right!r} with '{op}'", None, text)


_Ordered = TypeVar("_Ordered", float, str)
"""What a condition may order: two numbers (not booleans) or two texts, never one of each."""


def _order(op: str, left: _Ordered, right: _Ordered) -> bool:
    """``left op right`` (bool(): a numpy float64, which is a float, compares to a numpy.bool_)."""
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def parse_condition(text: str) -> Condition:
    """Parse ``text`` or raise :class:`ConditionError` with the column of the first problem."""
    if not isinstance(text, str):
        raise ConditionError(f"a condition must be text, got {type(text).__name__}")
    if not text.strip():
        raise ConditionError("condition is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is longer than {MAX_LENGTH} characters")
    parser = _Parser(text)
    tree = parser.expr()
    if parser.peek().kind != "eof":
        parser.fail(parser.peek(), "expected 'and', 'or' or the end")
    return Condition(text, tree)


@lru_cache(maxsize=4096)
def compiled(text: str) -> Condition:
    """``parse_condition`` with a cache: the engine evaluates the same few conditions for every case."""
    return parse_condition(text)
