"""The summary of a report on the process as it is, or on several options side by side.

One table: a row per measure, a column for the process before and one per option (A, B, C …). The
column before gives each figure with its 95% interval; an option's column gives its figure and the saving
against the process before in words, with the note when it is not significant. Lead times are in days,
touch time and counter waiting in minutes (the convention of every command, docs/results.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from bpr.render.report_deadline import deadline_figures, deadline_words
from bpr.render.report_sections import fig
from bpr.render.report_text import (
    TOUCH_UNIT,
    ci_phrase,
    fmt_count,
    fmt_days,
    fmt_hours,
    fmt_lead_days,
    fmt_percent,
    fmt_ratio,
    fmt_time,
    fmt_yen,
    num,
    t,
)
from bpr.simulate import Comparison, SimulationResult

__all__ = ["Cell", "Row", "overview"]


@dataclass
class Cell:
    value: Markup
    words: str = ""  # the interval (before) or the saving (an option) in words
    note: str = ""
    tone: str = "neutral"  # good | bad | neutral


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class _Measure:
    key: str
    text: str  # text key of the label
    spell: Callable[[float, str], str]
    direction: str  # words of ci_phrase: time, save, count, rate
    lower_is_better: bool = True
    interval: Callable[[float, str], str] | None = None  # how intervals spell an amount (default: ``spell``)

    def amount(self, value: float, lang: str) -> str:
        return (self.interval or self.spell)(value, lang)


def _points(value: float, lang: str) -> str:
    return f"{num(100 * value, 1)}ポイント" if lang == "ja" else f"{num(100 * value, 1)} points"


_MEASURES: tuple[_Measure, ...] = (
    _Measure("lead_days", "o_lead", fmt_lead_days, "time", interval=fmt_days),
    _Measure("business_days", "o_business", fmt_days, "time"),
    _Measure("touch_time", "o_touch", lambda v, lang: fmt_time(v, TOUCH_UNIT, lang), "time"),
    _Measure("counter_wait", "o_counter", lambda v, lang: fmt_time(v, TOUCH_UNIT, lang), "time"),
    _Measure("staff_hours_per_year", "o_hours", fmt_hours, "save"),
    _Measure("cost_yen_per_year", "o_cost", fmt_yen, "save"),
    _Measure("stamps", "o_stamps", fmt_count, "count"),
    _Measure("handoffs", "o_handoffs", fmt_count, "count"),
    _Measure("e_approval_rate", "o_e_approval", lambda v, lang: fmt_ratio(v), "rate", lower_is_better=False),
    _Measure("online_rate", "o_online", lambda v, lang: fmt_ratio(v), "rate", lower_is_better=False),
)


def _estimate(result: SimulationResult, key: str) -> Any:
    return result.kpis[key].mean if key in result.kpis else result.yearly[key]


def _shown(measure: _Measure, results: Sequence[SimulationResult]) -> bool:
    if measure.key == "online_rate":
        return any("online" in r.channels for r in results)
    if measure.key in ("counter_wait", "stamps", "handoffs"):
        return any(_estimate(r, measure.key).mean for r in results)
    return True


def _interval(measure: _Measure, estimate: Any, lang: str) -> str:
    if estimate.n < 2 or estimate.low == estimate.high:
        return ""
    sep = "〜" if lang == "ja" else " to "
    return f"{t('i_ci', lang)} {measure.amount(estimate.low, lang)}{sep}{measure.amount(estimate.high, lang)}"


def _option_cell(measure: _Measure, comparison: Comparison, label: str, lang: str) -> Cell:
    diff = comparison.differences[measure.key]
    d = diff.difference
    value = fig(f"{measure.key}.{label}", diff.after, measure.spell(diff.after, lang))
    if measure.lower_is_better:
        low, high = -d.high, -d.low
    else:
        low, high = d.low, d.high
    spell: Callable[[float], str] = (lambda v: _points(v, lang)) if measure.direction == "rate" else (
        lambda v: measure.amount(v, lang))
    words = "" if d.mean == 0 and d.low == d.high else ci_phrase(low, high, measure.direction, lang, spell)
    tone = "neutral"
    if diff.significant:
        improved = d.mean < 0 if measure.lower_is_better else d.mean > 0
        tone = "good" if improved else "bad"
    note = "" if diff.significant or d.mean == 0 else t("i_ns", lang)
    return Cell(value, words, note, tone)


def _reduction_row(comparisons: Sequence[tuple[str, Comparison]], lang: str) -> Row:
    row = Row("processing_time_reduction_percent", t("h_reduction", lang), [Cell(Markup("—"))])
    for label, comparison in comparisons:
        item = comparison.headline["processing_time_reduction_percent"]
        low, high = item["ci95"]
        significant = item["significant"]
        tone = "neutral" if not significant else ("good" if (item["value"] or 0) > 0 else "bad")
        row.cells.append(Cell(
            fig(f"headline.processing_time_reduction_percent.{label}", item["value"], fmt_percent(item["value"])),
            ci_phrase(low, high, "time", lang, fmt_percent), "" if significant else t("i_ns", lang), tone))
    return row


def _deadline_row(baseline: SimulationResult, comparisons: Sequence[tuple[str, Comparison]], lang: str) -> Row | None:
    first = deadline_figures(baseline)
    if first is None:
        return None
    label = f"{t('h_deadline', lang)}（{deadline_words(first.limit, lang)}）" if lang == "ja" else \
        f"{t('h_deadline', lang)} ({deadline_words(first.limit, lang)})"
    row = Row("deadline.share", label)
    versions: list[tuple[str, SimulationResult]] = [("before", baseline)] + [(k, c.after) for k, c in comparisons]
    for key, result in versions:
        figures = deadline_figures(result)
        if figures is None:
            row.cells.append(Cell(Markup("—")))
            continue
        words = t("h_deadline_ci", lang, low=fmt_ratio(figures.share_low), high=fmt_ratio(figures.share_high))
        row.cells.append(Cell(fig(f"deadline.share.{key}", figures.share, fmt_ratio(figures.share)), words))
    return row


def overview(baseline: SimulationResult, comparisons: Sequence[tuple[str, Comparison]], lang: str) -> list[Row]:
    """The rows of the summary table: the process before (``baseline``), then each ``(label, comparison)``."""
    results = [baseline, *(c.after for _, c in comparisons)]
    rows: list[Row] = []
    if comparisons:
        rows.append(_reduction_row(comparisons, lang))
    for measure in _MEASURES:
        if not _shown(measure, results):
            continue
        estimate = _estimate(baseline, measure.key)
        row = Row(measure.key, t(measure.text, lang),
                  [Cell(fig(f"{measure.key}.before", estimate.mean, measure.spell(estimate.mean, lang)),
                        _interval(measure, estimate, lang))])
        row.cells += [_option_cell(measure, comparison, label, lang) for label, comparison in comparisons]
        rows.append(row)
        if measure.key == "business_days":
            deadline = _deadline_row(baseline, comparisons, lang)
            if deadline is not None:
                rows.append(deadline)
    return rows
