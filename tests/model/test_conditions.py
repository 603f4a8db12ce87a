"""The safe condition language: grammar, precedence, evaluation, type errors, limits, and error columns."""

from __future__ import annotations

import builtins
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpr.model.conditions import (
    MAX_DEPTH,
    MAX_LENGTH,
    BoolOp,
    Compare,
    ConditionError,
    Const,
    Name,
    Not,
    Truth,
    compiled,
    parse_condition,
)

CASE = {"amount": 1_500_000, "kind": "new", "urgent": False, "pages": 3, "channel": "counter"}


def holds(text: str, attributes: dict[str, Any] = CASE) -> bool:
    return parse_condition(text).evaluate(attributes)


# --- grammar -------------------------------------------------------------------------------------------


def test_tree_of_a_typical_condition() -> None:
    condition = parse_condition('amount > 1_000_000 and kind in ["new", "change"] or not urgent')
    assert condition.tree == BoolOp("or", (
        BoolOp("and", (
            Compare(">", Name("amount"), Const(1_000_000.0)),
            Compare("in", Name("kind"), Const(("new", "change"))),
        )),
        Not(Truth(Name("urgent"))),
    ))
    assert condition.names == frozenset({"amount", "kind", "urgent"})
    assert str(condition) == condition.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amount > 1000000", True),
        ("amount >= 1500000", True),
        ("amount < 1500000", False),
        ("amount <= 1500000", True),
        ("amount == 1500000", True),
        ("amount != 1500000", False),
        ("1000000 < amount", True),  # literal on the left
        ("amount > 1e6", True),
        ("amount > 1_000_000.5", True),
        ("pages > -1", True),
        ('kind == "new"', True),
        ("kind == 'new'", True),  # either quote
        ('kind != "new"', False),
        ('kind < "old"', True),  # text orders alphabetically
        ('kind in ["new", "change"]', True),
        ('kind not in ["new", "change"]', False),
        ("pages in [1, 2, 3]", True),
        ("pages not in [1, 2]", True),
        ('channel == "counter"', True),
        ("urgent", False),  # a bare name: its truth
        ("not urgent", True),
        ("urgent == false", True),
        ("true", True),
        ("(amount > 1)", True),
        ("((amount > 1))", True),
        ('kind == "新規"', False),  # any text in string literals
    ],
)
def test_each_form_evaluates(text: str, expected: bool) -> None:
    assert holds(text) is expected


def test_and_binds_tighter_than_or() -> None:
    # a or (b and c), not (a or b) and c
    assert holds("true or true and false") is True
    assert holds("(true or true) and false") is False
    assert holds("false and true or true") is True
    assert parse_condition("a or b and c").tree == BoolOp("or", (
        Truth(Name("a")), BoolOp("and", (Truth(Name("b")), Truth(Name("c")))),
    ))


def test_not_binds_tighter_than_and() -> None:
    # (not a) and b, not not (a and b)
    attributes = {"a": False, "b": False}
    assert holds("not a and b", attributes) is False
    assert holds("not (a and b)", attributes) is True
    assert parse_condition("not a and b").tree == BoolOp("and", (Not(Truth(Name("a"))), Truth(Name("b"))))


def test_not_in_is_one_operator_and_not_can_repeat() -> None:
    assert parse_condition("kind not in ['x']").tree == Compare("not in", Name("kind"), Const(("x",)))
    assert parse_condition("not kind in ['x']").tree == Not(Compare("in", Name("kind"), Const(("x",))))
    assert holds("not not urgent") is False
    assert holds("not not not urgent") is True


def test_chains_of_and_or_are_flat() -> None:
    tree = parse_condition("a and b and c or d or e").tree
    assert isinstance(tree, BoolOp) and tree.op == "or" and len(tree.parts) == 3


def test_keywords_are_whole_words() -> None:
    # "order", "andrew", "notes", "india" are attribute names, not operators
    condition = parse_condition("order > 1 and andrew and notes or india")
    assert condition.names == frozenset({"order", "andrew", "notes", "india"})


# --- evaluation errors and types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attributes", "message"),
    [
        ("amount > 1", {}, "case has no attribute 'amount' in condition 'amount > 1'"),
        ('amount > "x"', {"amount": 5}, "cannot order 5 and 'x' with '>' in condition 'amount > \"x\"'"),
        ("kind < 3", {"kind": "new"}, "cannot order 'new' and 3.0 with '<' in condition 'kind < 3'"),
        ("urgent > 0", {"urgent": True}, "cannot order True and 0.0 with '>' in condition 'urgent > 0'"),
        ("[1] >= 0", {}, "cannot order (1.0,) and 0.0 with '>=' in condition '[1] >= 0'"),
    ],
)
def test_evaluation_errors(text: str, attributes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text).evaluate(attributes)
    assert str(caught.value) == message


def test_equality_across_types_is_false_not_an_error() -> None:
    # Documented: == and != never raise; a number is never equal to a text.
    assert holds('amount == "1500000"') is False
    assert holds('amount != "1500000"') is True
    assert holds("1 == 1.0") is True


def test_and_or_stop_early() -> None:
    # The right side is not evaluated, so a missing attribute there does not matter.
    assert holds("false and missing > 1") is False
    assert holds("true or missing > 1") is True


# --- parse errors with their column ----------------------------------------------------------------

ALLOWED = "only comparisons, and/or/not, numbers, strings and attribute names are allowed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('rm -rf /')",
         "unexpected character '.' at column 17 in condition \"__import__('os').system('rm -rf /')\"; "
         "attribute access is not allowed (write numbers with a leading digit: 0.5)"),
        ("__import__('os')", f"calls are not allowed at column 11 in condition \"__import__('os')\"; {ALLOWED}"),
        ("amount.__class__", "unexpected character '.' at column 7 in condition 'amount.__class__'; "
         "attribute access is not allowed (write numbers with a leading digit: 0.5)"),
        ("lambda: 1", f"unexpected character ':' at column 7 in condition 'lambda: 1'; {ALLOWED}"),
        ("[x for x in ()]", "expected a number, a string or true/false, got 'x' at column 2 in condition "
         f"'[x for x in ()]'; {ALLOWED}"),
        ("amount = 5", "unexpected character '=' at column 8 in condition 'amount = 5'; use '==' to compare"),
        ("a && b", "unexpected character '&' at column 3 in condition 'a && b'; use 'and', 'or', 'not'"),
        ("a || b", "unexpected character '|' at column 3 in condition 'a || b'; use 'and', 'or', 'not'"),
        ("!a", "unexpected character '!' at column 1 in condition '!a'; use 'and', 'or', 'not'"),
        ("amount > .5", "unexpected character '.' at column 10 in condition 'amount > .5'; "
         "attribute access is not allowed (write numbers with a leading digit: 0.5)"),
        ("a > 1 and", "expected an attribute name, a number, a string or a list, got end of condition at column 10 "
         f"in condition 'a > 1 and'; {ALLOWED}"),
        ("(a > 1", f"expected ')', got end of condition at column 7 in condition '(a > 1'; {ALLOWED}"),
        ("a > 1)", f"expected 'and', 'or' or the end, got ')' at column 6 in condition 'a > 1)'; {ALLOWED}"),
        ("a b", f"expected 'and', 'or' or the end, got 'b' at column 3 in condition 'a b'; {ALLOWED}"),
        ("a > > 1", "expected an attribute name, a number, a string or a list, got '>' at column 5 in condition "
         f"'a > > 1'; {ALLOWED}"),
        ("a in b", "'in' needs a list such as [\"a\", \"b\"] on its right at column 3 in condition 'a in b'"),
        ("a in [1, b]", f"expected a number, a string or true/false, got 'b' at column 10 in condition 'a in [1, b]'; "
         f"{ALLOWED}"),
        ("a in [1, 2", f"expected ']', got end of condition at column 11 in condition 'a in [1, 2'; {ALLOWED}"),
        ("金額 > 5", f"unexpected character '金' at column 1 in condition '金額 > 5'; {ALLOWED}"),
        ("a == 'it\\'s'", f"unexpected character \"'\" at column 6 in condition \"a == 'it\\\\'s'\"; {ALLOWED}"),
        ("", "condition is empty"),
        ("   ", "condition is empty"),
    ],
)
def test_parse_errors_name_the_column(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert str(caught.value) == message


def test_error_column_is_an_attribute() -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition("amount >= 10 and kind = 'x'")
    assert caught.value.column == 23
    assert caught.value.text == "amount >= 10 and kind = 'x'"
    assert caught.value.hint == "use '==' to compare"


def test_non_text_is_refused() -> None:
    with pytest.raises(ConditionError, match="a condition must be text, got int"):
        parse_condition(5)  # type: ignore[arg-type]


# --- limits --------------------------------------------------------------------------------------


def test_length_limit() -> None:
    at_limit = "a == " + "1" * (MAX_LENGTH - 5)
    assert len(at_limit) == MAX_LENGTH
    parse_condition(at_limit)
    with pytest.raises(ConditionError) as caught:
        parse_condition(at_limit + "1")
    assert str(caught.value) == "condition is longer than 500 characters"


def test_depth_limit_counts_parentheses_and_nots() -> None:
    # The whole condition is level 1; each parenthesis or 'not' adds one.
    deepest = MAX_DEPTH - 1
    parse_condition("(" * deepest + "a" + ")" * deepest)
    parse_condition("not " * deepest + "a")
    with pytest.raises(ConditionError) as caught:
        parse_condition("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    assert str(caught.value).startswith(f"condition nested deeper than {MAX_DEPTH} levels at column {MAX_DEPTH + 1}")
    with pytest.raises(ConditionError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_condition("not " * MAX_DEPTH + "a")


# --- never code ----------------------------------------------------------------------------------


def test_parsing_and_evaluating_never_call_eval_or_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    assert holds('amount > 1000000 and kind in ["new"] or not urgent') is True
    for text in ("__import__('os').system('true')", "open('x')", "amount.__class__", "lambda: 1"):
        with pytest.raises(ConditionError):
            parse_condition(text)


def test_compiled_conditions_are_cached() -> None:
    assert compiled("amount > 5") is compiled("amount > 5")


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_raises_condition_error(text: str) -> None:
    try:
        parse_condition(text)
    except ConditionError:
        pass


_TOKENS = st.sampled_from(["a", "b", "x1", "1", "2.5", "-3", "'t'", '"u"', "true", "false", "and", "or", "not",
                           "in", "not in", "==", "!=", "<", "<=", ">", ">=", "(", ")", "[", "]", ","])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=25))
def test_any_token_soup_parses_or_raises_condition_error(tokens: list[str]) -> None:
    text = " ".join(tokens)
    try:
        condition = parse_condition(text)
    except ConditionError as error:
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    try:
        condition.evaluate({"a": 1.0, "b": "t", "x1": True})
    except ConditionError:
        pass


# Random expression trees, rendered with full parentheses; the parsed condition must agree with a
# reference evaluation of the same tree written here (in the test, again without eval).
_NUMBERS = st.integers(min_value=-5, max_value=5)
_LEAVES = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.sampled_from(["n", "m"]), _NUMBERS),
    st.tuples(st.just("in"), st.sampled_from(["in", "not in"]), st.sampled_from(["n", "m"]),
              st.lists(_NUMBERS, min_size=1, max_size=3)),
    st.tuples(st.just("flag"), st.sampled_from(["p", "q"])),
)
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=8,
)


def _render(tree: tuple) -> str:
    kind = tree[0]
    if kind == "cmp":
        return f"{tree[2]} {tree[1]} {tree[3]}"
    if kind == "in":
        return f"{tree[2]} {tree[1]} [{', '.join(str(v) for v in tree[3])}]"
    if kind == "flag":
        return tree[1]
    if kind == "not":
        return f"not ({_render(tree[1])})"
    return f"({_render(tree[1])}) {kind} ({_render(tree[2])})"


def _reference(tree: tuple, env: dict[str, Any]) -> bool:
    kind = tree[0]
    if kind == "cmp":
        left, right = env[tree[2]], tree[3]
        return {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                ">": left > right, ">=": left >= right}[tree[1]]
    if kind == "in":
        inside = env[tree[2]] in tree[3]
        return inside if tree[1] == "in" else not inside
    if kind == "flag":
        return bool(env[tree[1]])
    if kind == "not":
        return not _reference(tree[1], env)
    if kind == "and":
        return _reference(tree[1], env) and _reference(tree[2], env)
    return _reference(tree[1], env) or _reference(tree[2], env)


@settings(max_examples=300, deadline=None)
@given(_TREES, _NUMBERS, _NUMBERS, st.booleans(), st.booleans())
def test_parsed_conditions_agree_with_a_reference_evaluation(tree: tuple, n: int, m: int, p: bool, q: bool) -> None:
    text = _render(tree)
    if len(text) > MAX_LENGTH:
        return
    env = {"n": n, "m": m, "p": p, "q": q}
    try:
        condition = parse_condition(text)
    except ConditionError as error:
        assert "nested deeper" in str(error)  # the only refusal a well-formed tree can meet
        return
    assert condition.evaluate(env) is _reference(tree, env), text
