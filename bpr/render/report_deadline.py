"""The deadline figures of a simulation result (標準処理期間), when the results carry them.

The results say how many cases finish within the process ``deadline:`` in the attribute
:data:`DEADLINE_ATTRIBUTE` of :class:`~bpr.simulate.SimulationResult`: an object (or mapping) with

* ``within`` — the deadline as written (``"30 days"``, ``"10 business days"``);
* ``share`` — an estimate (``mean``, ``low``, ``high``) of the share of cases finished within it, 0..1;
* ``p90_days`` — an estimate of the 90th percentile of the lead time, in the deadline's days (optional).

A result without it (a process with no deadline, or results from before deadlines were measured) shows
nothing: :func:`deadline_figures` returns ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bpr.model.schema import parse_deadline

__all__ = ["DEADLINE_ATTRIBUTE", "DeadlineFigures", "deadline_figures", "deadline_words"]

DEADLINE_ATTRIBUTE = "deadline"


@dataclass(frozen=True)
class DeadlineFigures:
    limit: str
    share: float
    share_low: float
    share_high: float
    p90_days: float | None = None


def _get(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def deadline_figures(result: Any) -> DeadlineFigures | None:
    """The deadline share of ``result`` (and its interval and p90), or ``None`` when it has none."""
    data = _get(result, DEADLINE_ATTRIBUTE)
    if data is None:
        return None
    share = _get(data, "share")
    if share is None:
        return None
    mean = _number(_get(share, "mean") if not isinstance(share, (int, float)) else share)
    if not math.isfinite(mean):
        return None
    p90 = _get(data, "p90_days")
    p90_mean = None if p90 is None else _number(_get(p90, "mean") if not isinstance(p90, (int, float)) else p90)
    return DeadlineFigures(
        limit=str(_get(data, "within") or ""),
        share=mean,
        share_low=_number(_get(share, "low")),
        share_high=_number(_get(share, "high")),
        p90_days=p90_mean if p90_mean is not None and math.isfinite(p90_mean) else None,
    )


_UNITS = {"ja": {"days": "{n}日", "business_days": "開庁日{n}日", "working_hours": "勤務時間{n}時間"},
          "en": {"days": "{n} days", "business_days": "{n} business days", "working_hours": "{n} working hours"}}


def deadline_words(text: str, lang: str) -> str:
    """A deadline as written in a file (``"30 days"``) in the report's language (``30日``)."""
    try:
        count, unit = parse_deadline(text)
    except ValueError:
        return text
    return _UNITS[lang][unit].format(n=count)
