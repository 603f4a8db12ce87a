"""Every change kind is whole: one module with its parsing, application and wording, listed in the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bpr.changes import CHANGE_KINDS, Change, Words, change_to_data, describe, describe_ja, parse_changes
from bpr.changes.registry import KINDS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "changes.md"

# One change of each kind, in its shortest file form.
EXAMPLES = {
    "remove": {"remove": "check"},
    "digitize": {"digitize": ["receive", "check"]},
    "delegate": {"delegate": {"step": "approve", "to": "chief", "when": "amount <= 100000"}},
    "parallelize": {"parallelize": ["check", "approve"]},
    "merge": {"merge": ["receive", "check"]},
    "reorder": {"reorder": ["approve", "check"]},
    "triage": {"triage": {"step": "check", "share": 0.5, "duration": "5m"}},
    "staff": {"staff": {"clerk": 3}},
    "arrivals": {"arrivals": {"online": {"share": 0.5}}},
    "batch": {"batch": {"step": "approve", "at": ["10:00"]}},
    "calendar": {"calendar": {"name": "committee", "nth": None}},
    "set": {"set": {"step": "check", "name": "審査"}},
}


def test_the_registry_lists_each_kind_once_and_the_examples_cover_it() -> None:
    assert len(set(CHANGE_KINDS)) == len(KINDS) and set(EXAMPLES) == set(CHANGE_KINDS)


@pytest.mark.parametrize("cls", KINDS, ids=lambda cls: cls.kind)
def test_every_kind_applies_writes_and_words_itself(cls: type[Change]) -> None:
    missing = [name for name in ("apply", "to_data", "describe", "ja") if getattr(cls, name) is getattr(Change, name)]
    assert missing == [], f"{cls.__module__}.{cls.__name__} lacks {missing}"


@pytest.mark.parametrize("kind", CHANGE_KINDS)
def test_every_kind_reads_back_its_file_form_and_says_what_it_does(kind: str) -> None:
    (change,) = parse_changes([EXAMPLES[kind]])
    assert change_to_data(change) == EXAMPLES[kind]
    assert describe(change).endswith(".")
    words = Words(None, channel=str, condition=str, minutes=lambda minutes: f"{minutes:g}分")
    assert describe_ja(change, words) and describe_ja(change, words) != describe(change)


def test_every_kind_has_its_section_in_the_documentation() -> None:
    headings = re.findall(r"^## `(\w+):", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert set(CHANGE_KINDS) <= set(headings)


def test_wording_refuses_what_is_not_a_change() -> None:
    with pytest.raises(TypeError, match="not a change"):
        describe({"remove": "x"})  # type: ignore[arg-type]
