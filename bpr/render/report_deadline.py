"""The deadline figures of a simulation result (標準処理期間), when the process has a deadline.

The simulation measures them (:class:`bpr.simulate.results.DeadlineResult`): the share of cases that end
within the process ``deadline:`` and the 90th percentile of the lead time in the deadline's unit. A result of
a process without a deadline shows nothing: :func:`deadline_figures` returns ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bpr.model.schema import parse_deadline
from bpr.render.report_text import num
from bpr.simulate.results import SimulationResult

__all__ = ["DeadlineFigures", "deadline_amount", "deadline_figures", "deadline_words"]


@dataclass(frozen=True)
class DeadlineFigures:
    """The share within the deadline with its 95% interval, and the p90 lead time in ``unit``."""

    limit: str
    unit: str
    share: float
    share_low: float
    share_high: float
    p90: float | None = None


def deadline_figures(result: SimulationResult) -> DeadlineFigures | None:
    """The deadline share of ``result`` (and its interval and p90), or ``None`` when it has none."""
    data = result.deadline
    if data is None or not math.isfinite(data.share_within.mean):
        return None
    p90 = data.lead_p90.mean
    return DeadlineFigures(limit=data.within, unit=data.unit, share=data.share_within.mean,
                           share_low=data.share_within.low, share_high=data.share_within.high,
                           p90=p90 if math.isfinite(p90) else None)


_UNITS = {"ja": {"days": "{n}日", "business_days": "開庁日{n}日", "working_hours": "勤務時間{n}時間"},
          "en": {"days": "{n} days", "business_days": "{n} business days", "working_hours": "{n} working hours"}}


def deadline_amount(value: float, unit: str, lang: str) -> str:
    """An amount in a deadline's unit in the report's language (``開庁日12.5日``)."""
    return _UNITS[lang][unit].format(n=num(value))


def deadline_words(text: str, lang: str) -> str:
    """A deadline as written in a file (``"30 days"``) in the report's language (``30日``)."""
    try:
        count, unit = parse_deadline(text)
    except ValueError:
        return text
    return _UNITS[lang][unit].format(n=count)
