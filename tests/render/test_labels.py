"""Words, numbers and line wrapping on the diagrams."""

from __future__ import annotations

import pytest

from bpr.render.labels import (
    TEXT,
    format_condition,
    format_minutes,
    format_percent,
    format_rate,
    text,
    text_width,
    wrap,
)


def test_both_languages_have_every_word():
    assert set(TEXT["ja"]) == set(TEXT["en"])


@pytest.mark.parametrize(
    "minutes, ja, en",
    [(0.5, "30秒", "30 s"), (15, "15分", "15 min"), (90, "1.5時間", "1.5 h"), (120, "2時間", "2 h"),
     (2880, "2日", "2 d"), (6.7, "6.7分", "6.7 min"), (12.4, "12分", "12 min")],
)
def test_minutes(minutes, ja, en):
    assert format_minutes(minutes, "ja") == ja
    assert format_minutes(minutes, "en") == en


def test_percent_rate_condition():
    assert format_percent(0.25) == "25%" and format_percent(0.005) == "0.5%" and format_percent(0) == "0%"
    assert format_rate((1200.0, "year"), "ja") == "1,200/年" and format_rate((3.0, "day"), "en") == "3/day"
    assert format_condition("amount > 1000000 and year >= 2024") == "amount > 1,000,000 and year >= 2024"


@pytest.mark.parametrize(
    "name, lines",
    [
        ("課長決裁", ["課長決裁"]),
        ("申請書類の確認と受付", ["申請書類の", "確認と受付"]),  # balanced, not eight and two
        ("申請書の受付と本人確認", ["申請書の受付", "と本人確認"]),
        ("「申請書」を受付する", ["「申請書」", "を受付する"]),
        ("Check the application form", ["Check the", "application form"]),
    ],
)
def test_wrap_balances_lines(name, lines):
    assert wrap(name, 16) == lines


def test_wrap_keeps_kinsoku():
    for line in wrap("確認、照合、登録。そして通知（郵送）を行う", 8, max_lines=6)[1:]:
        assert line[0] not in "、。）"


def test_wrap_cuts_long_names_with_an_ellipsis():
    lines = wrap("住民票の写しの交付申請書（窓口）の受付と本人確認、手数料の収納", 16, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(text_width(line) <= 16 for line in lines)


def test_wrap_splits_a_long_identifier():
    assert all(text_width(line) <= 16 for line in wrap("a_very_long_identifier_without_spaces", 16))


def test_unknown_language():
    with pytest.raises(ValueError, match="unknown language 'de'; use one of ja, en"):
        text("legend", "de")
