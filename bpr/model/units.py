"""Quantities with units as analysts write them: durations (``15m``, ``2h``, ``1.5d``) and rates
(``40/day``, ``1200/year``).

Inside bpr every duration is a float number of **minutes**; ``d`` is a calendar day of 24 hours and ``w`` a
week of 7 days (how long work takes in working time is the calendar's business, not the unit's).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

MINUTES_PER_UNIT: dict[str, float] = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "m": 1.0,
    "min": 1.0,
    "h": 60.0,
    "hour": 60.0,
    "d": 1440.0,
    "day": 1440.0,
    "w": 10080.0,
    "week": 10080.0,
}

#: Periods a rate may be given per. ``day``/``hour`` count open time of the stream's calendar, see docs.
RATE_PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-z]+)\s*$")
_RATE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*/\s*([a-z]+)\s*$")
_LONG_UNITS = (("second", "s"), ("minute", "m"), ("mins", "m"), ("hour", "h"), ("hrs", "h"), ("hr", "h"),
               ("day", "d"), ("week", "w"), ("wk", "w"))
"""Spellings that are not units but whose meaning is plain: the message names the short form to write."""
_RATE_ALIASES = {"h": "hour", "hr": "hour", "d": "day", "w": "week", "wk": "week", "mo": "month", "y": "year", "yr": "year"}


def any_case(word: str) -> str:
    """``"min"`` -> ``"[mM][iI][nN]"``: JSON Schema patterns have no case-insensitive flag."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


DURATION_PATTERN = (
    r"^\s*([0-9]+(\.[0-9]+)?|\.[0-9]+)\s*("
    + "|".join(any_case(unit) for unit in sorted(MINUTES_PER_UNIT, key=lambda u: (-len(u), u)))
    + r")\s*$"
)
"""Exactly the texts :func:`parse_duration` reads, as a JSON Schema pattern for editors (tested both ways)."""

RATE_PATTERN = (
    r"^\s*(?=[0-9_,.]*[1-9])[0-9][0-9_,]*(\.[0-9]+)?\s*/\s*("
    + "|".join(any_case(p) for p in sorted({*RATE_PERIODS, *_RATE_ALIASES}, key=lambda p: (-len(p), p)))
    + r")\s*$"
)
"""Exactly the texts :func:`parse_rate` reads (a count above 0 per period), as a JSON Schema pattern."""


def parse_duration(text: object) -> float:
    """``"15m"`` -> 15.0 minutes. A bare number is refused: the unit must be written."""
    if isinstance(text, bool) or text is None:
        raise ValueError(f"expected a duration such as '15m', '2h' or '1d', got {text!r}")
    if isinstance(text, (int, float)) and not math.isfinite(text):
        raise ValueError(f"duration {text!r} is not finite")
    if isinstance(text, (int, float)) and text < 0 or isinstance(text, str) and re.match(r"^\s*-\s*[0-9.]", text):
        raise ValueError(f"duration {text!r} is negative; a duration is 0 or more")
    if isinstance(text, (int, float)):
        raise ValueError(f"duration {text!r} has no unit; write e.g. '{text}m' (minutes) or '{text}h' (hours)")
    if not isinstance(text, str):
        raise ValueError(f"expected a duration such as '15m', got {type(text).__name__}")
    match = _DURATION.match(text.lower())
    if not match:
        raise ValueError(f"cannot read duration {text!r}; write a number and a unit: 30s, 15m, 2h, 1d, 1w")
    number, unit = match.groups()
    if unit not in MINUTES_PER_UNIT:
        short = next((s for long, s in _LONG_UNITS if unit.startswith(long)), None)
        if short is not None:
            raise ValueError(f"unknown time unit {unit!r} in {text!r}; write '{number}{short}'")
        raise ValueError(f"unknown time unit {unit!r} in {text!r}; use s, m, h, d or w")
    value = float(number) * MINUTES_PER_UNIT[unit]
    if not math.isfinite(value):
        raise ValueError(f"duration {_cut(str(text))} is not finite")
    return value


def format_duration(minutes: float) -> str:
    """The shortest exact spelling of a number of minutes: 90.0 -> ``"90m"``, 120.0 -> ``"2h"``.

    Exact means that :func:`parse_duration` gives back the very same float, so a dumped file reloads
    unchanged; numbers are written without an exponent, which the file format does not read.
    """
    if minutes == 0:
        return "0m"
    for unit, size in (("w", 10080.0), ("d", 1440.0), ("h", 60.0), ("m", 1.0), ("s", 1 / 60)):
        count = minutes / size
        if count == int(count) and abs(count) >= 1:
            text = f"{int(count)}{unit}"
            if parse_duration(text) == minutes:
                return text
    return f"{format(Decimal(repr(minutes)), 'f')}m"


def parse_rate(text: object) -> tuple[float, str]:
    """``"40/day"`` -> ``(40.0, "day")``. Numbers may use ``_`` or ``,`` as thousands separators."""
    if not isinstance(text, str):
        raise ValueError(f"expected a rate such as '40/day' or '1200/year', got {text!r}")
    match = _RATE.match(text.lower())
    if not match:
        raise ValueError(f"cannot read rate {text!r}; write a count per period: 3/hour, 40/day, 1200/year")
    number, period = match.groups()
    period = _RATE_ALIASES.get(period, period)
    if period not in RATE_PERIODS:
        raise ValueError(f"unknown period {period!r} in rate {text!r}; use one of {', '.join(RATE_PERIODS)}")
    value = float(number.replace("_", "").replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(f"rate {_cut(text)} is not a finite number")
    if value <= 0:
        raise ValueError(f"rate {text!r} must be greater than 0")
    return value, period


def _cut(text: str, limit: int = 30) -> str:
    """``repr`` of a text cut short for a message: a 400-digit rate would fill the screen."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def format_rate(count: float, period: str) -> str:
    number = int(count) if count == int(count) else count
    return f"{number}/{period}"
