"""Durations and rates as analysts write them: what is accepted, what it means, and what is refused."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpr.model.units import MINUTES_PER_UNIT, RATE_PERIODS, format_duration, format_rate, parse_duration, parse_rate

# --- durations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("15m", 15.0),
        ("15min", 15.0),
        ("2h", 120.0),
        ("2hour", 120.0),
        ("1.5d", 2160.0),
        ("1day", 1440.0),
        ("1w", 10080.0),
        ("2week", 20160.0),
        ("30s", 0.5),
        ("90sec", 1.5),
        (".5h", 30.0),
        ("0m", 0.0),
        (" 15 m ", 15.0),  # spaces around and between are fine
        ("15M", 15.0),  # case does not matter: M is minutes, there is no month unit
        ("2H", 120.0),
    ],
)
def test_duration_units(text: str, minutes: float) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (15, "duration 15 has no unit; write e.g. '15m' (minutes) or '15h' (hours)"),
        (1.5, "duration 1.5 has no unit; write e.g. '1.5m' (minutes) or '1.5h' (hours)"),
        ("15", "cannot read duration '15'; write a number and a unit: 30s, 15m, 2h, 1d, 1w"),
        ("-15m", "duration '-15m' is negative; a duration is 0 or more"),
        (-3, "duration -3 is negative; a duration is 0 or more"),
        (float("nan"), "duration nan is not finite"),
        (float("inf"), "duration inf is not finite"),
        ("15 minutes", "unknown time unit 'minutes' in '15 minutes'; write '15m'"),
        ("2 hours", "unknown time unit 'hours' in '2 hours'; write '2h'"),
        ("1.5hrs", "unknown time unit 'hrs' in '1.5hrs'; write '1.5h'"),
        ("3 days", "unknown time unit 'days' in '3 days'; write '3d'"),
        ("2weeks", "unknown time unit 'weeks' in '2weeks'; write '2w'"),
        ("30 seconds", "unknown time unit 'seconds' in '30 seconds'; write '30s'"),
        ("5 mins", "unknown time unit 'mins' in '5 mins'; write '5m'"),
        ("1mo", "unknown time unit 'mo' in '1mo'; use s, m, h, d or w"),
        ("3 fortnights", "unknown time unit 'fortnights' in '3 fortnights'; use s, m, h, d or w"),
        ("1e3m", "cannot read duration '1e3m'; write a number and a unit: 30s, 15m, 2h, 1d, 1w"),
        ("1:30", "cannot read duration '1:30'; write a number and a unit: 30s, 15m, 2h, 1d, 1w"),
        ("15分", "cannot read duration '15分'; write a number and a unit: 30s, 15m, 2h, 1d, 1w"),
        ("", "cannot read duration ''; write a number and a unit: 30s, 15m, 2h, 1d, 1w"),
        (True, "expected a duration such as '15m', '2h' or '1d', got True"),
        (None, "expected a duration such as '15m', '2h' or '1d', got None"),
        (["15m"], "expected a duration such as '15m', got list"),
    ],
)
def test_duration_refusals(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.0, "0m"),
        (15.0, "15m"),
        (90.0, "90m"),
        (120.0, "2h"),
        (1440.0, "1d"),
        (2160.0, "36h"),
        (10080.0, "1w"),
        (30240.0, "3w"),
        (0.5, "30s"),
        (0.1, "6s"),
        (1.5, "90s"),
        (0.025, "0.025m"),  # 1.5 seconds: no whole unit fits
        (1e-07, "0.0000001m"),  # never an exponent: the parser does not read one
        (61.00000000000001, "61.00000000000001m"),
    ],
)
def test_format_duration_picks_the_largest_exact_unit(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text
    assert parse_duration(text) == minutes


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_format_then_parse_gives_the_same_float(minutes: float) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(MINUTES_PER_UNIT)))
def test_written_durations_survive_a_round_trip(count: int, unit: str) -> None:
    minutes = parse_duration(f"{count}{unit}")
    assert math.isclose(minutes, count * MINUTES_PER_UNIT[unit])
    canonical = format_duration(minutes)
    assert parse_duration(canonical) == minutes
    assert format_duration(parse_duration(canonical)) == canonical  # stable after one round


# --- rates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("40/day", (40.0, "day")),
        ("3/hour", (3.0, "hour")),
        ("2/week", (2.0, "week")),
        ("25/month", (25.0, "month")),
        ("1200/year", (1200.0, "year")),
        ("1,200/year", (1200.0, "year")),
        ("1_200/year", (1200.0, "year")),
        ("0.5/day", (0.5, "day")),
        (" 5 / week ", (5.0, "week")),
        ("3/h", (3.0, "hour")),
        ("3/hr", (3.0, "hour")),
        ("10/d", (10.0, "day")),
        ("1/w", (1.0, "week")),
        ("1/wk", (1.0, "week")),
        ("4/mo", (4.0, "month")),
        ("12/y", (12.0, "year")),
        ("12/yr", (12.0, "year")),
        ("40/DAY", (40.0, "day")),
    ],
)
def test_rate_spellings(text: str, rate: tuple[float, str]) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0/day", "rate '0/day' must be greater than 0"),
        ("5 per day", "cannot read rate '5 per day'; write a count per period: 3/hour, 40/day, 1200/year"),
        ("-1/day", "cannot read rate '-1/day'; write a count per period: 3/hour, 40/day, 1200/year"),
        ("1e3/day", "cannot read rate '1e3/day'; write a count per period: 3/hour, 40/day, 1200/year"),
        ("5/fortnight", "unknown period 'fortnight' in rate '5/fortnight'; use one of hour, day, week, month, year"),
        ("5/days", "unknown period 'days' in rate '5/days'; use one of hour, day, week, month, year"),
        (5, "expected a rate such as '40/day' or '1200/year', got 5"),
        (None, "expected a rate such as '40/day' or '1200/year', got None"),
    ],
)
def test_rate_refusals(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rate(value)
    assert str(caught.value) == message


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.integers(min_value=1, max_value=10**9), st.floats(min_value=0.001, max_value=1e6)),
    st.sampled_from(RATE_PERIODS),
)
def test_rate_format_round_trip(count: float, period: str) -> None:
    text = format_rate(count, period)
    assert parse_rate(text) == (float(count), period)


def test_format_rate_drops_a_needless_point() -> None:
    assert format_rate(40.0, "day") == "40/day"
    assert format_rate(2.5, "hour") == "2.5/hour"
