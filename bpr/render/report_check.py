"""The check section: the redesign's predicted figures against what the event log of the new process shows.

The figures and verdicts come in computed (``Check.to_dict()`` of :mod:`bpr.calibrate.check`, made by the
caller from the log); this module only words them: one row per figure with both 95% intervals and the
verdict, the log's cases and period, and how the intervals were made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bpr.render.report_deadline import deadline_words
from bpr.render.report_text import fmt_hours, fmt_lead_days, fmt_ratio, num, t

__all__ = ["check_section"]

_FORMATS: dict[str, Callable[[float, str], str]] = {
    "days": fmt_lead_days,
    "ratio": lambda value, lang: fmt_ratio(value),
    "hours": fmt_hours,
}

_PRECISE: dict[str, Callable[[float, int, str], str]] = {
    "days": lambda value, decimals, lang: t("u_day", lang, v=num(value, decimals)),
    "ratio": lambda value, decimals, lang: f"{num(100 * value, decimals)}%",
    "hours": lambda value, decimals, lang: t("u_hours", lang, v=num(value, decimals)),
}
"""With more decimals: for an interval whose ends would read alike (``3.2時間〜3.2時間``)."""


def _day(text: str, lang: str) -> str:
    day = date.fromisoformat(text)
    return day.isoformat() if lang == "en" else f"{day.year}年{day.month}月{day.day}日"


def _amount(value: Any, unit: str, lang: str) -> str:
    return _FORMATS[unit](float("nan") if value is None else float(value), lang)


def _interval(figure: Mapping[str, Any], unit: str, lang: str) -> dict[str, str]:
    mean, (low, high) = figure["mean"], figure["ci95"]
    texts = [_amount(value, unit, lang) for value in (mean, low, high)]
    if None not in (mean, low, high) and low != high:
        decimals = 2
        while texts[1] == texts[2] and decimals <= 4:
            texts = [_PRECISE[unit](float(value), decimals, lang) for value in (mean, low, high)]
            decimals += 1
    return {"value": texts[0], "range": t("c_range", lang, low=texts[1], high=texts[2])}


def _label(name: str, data: Mapping[str, Any], lang: str) -> str:
    if name == "deadline_share":
        return t("c_deadline_share", lang, limit=deadline_words(str(data["deadline"]), lang))
    return t(f"c_{name}", lang)


def check_section(data: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The rows and sentences of the check section in ``lang`` (module docstring)."""
    rows = []
    for name, figure in data["figures"].items():
        unit = figure["unit"]
        rows.append({
            "name": name,
            "label": _label(name, data, lang),
            "predicted": _interval(figure["predicted"], unit, lang),
            "actual": _interval(figure["actual"], unit, lang),
            "verdict": figure["verdict"],
            "verdict_text": t(f"c_{figure['verdict']}", lang),
        })
    notes = []
    if data["open_cases"] or data["late_cases"]:
        notes.append(t("c_left_out", lang, open=num(data["open_cases"], 0), late=num(data["late_cases"], 0)))
    if "staff_hours_per_year" not in data["figures"]:
        notes.append(t("c_no_year", lang, days=num(data["span_days"] or 0.0, 0), year=num(data["year_days"], 0)))
    return {
        "log": data["log"],
        "intro": t("c_intro", lang, cases=num(data["cases"], 0), first=_day(data["first_arrival"], lang),
                   last=_day(data["last_arrival"], lang)),
        "rows": rows,
        "notes": notes,
        "method": t("c_method", lang, replications=data["replications"]),
    }
