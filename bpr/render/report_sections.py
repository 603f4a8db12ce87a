"""What each section of the report says, as plain data for the template (numbers already in words).

Every figure taken from the simulation is wrapped in ``<span class="fig" data-key=… data-value=…>`` with the
exact number behind the text, so that a test (or a reader's script) can check the page against the
results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from markupsafe import Markup

from bpr.analysis import Finding
from bpr.model.distributions import Choice, Fixed
from bpr.model.schema import Calendar, Process
from bpr.model.volume import annual_cases
from bpr.render import charts
from bpr.render.labels import (
    channel_name,
    format_minutes,
    format_rate,
    handoff_mode_name,
    rule_meaning,
    rule_title,
)
from bpr.render.report_changes import change_line, step_name
from bpr.render.report_text import (
    ci_phrase,
    fmt_count,
    fmt_days,
    fmt_fte,
    fmt_hours,
    fmt_percent,
    fmt_ratio,
    fmt_time,
    fmt_yen,
    num,
    t,
    time_unit,
)
from bpr.simulate import Comparison, SimulationResult
from bpr.simulate.estimate import Difference
from bpr.study.impact import Impact

__all__ = [
    "AFTER_COLOUR",
    "BEFORE_COLOUR",
    "Card",
    "assumptions",
    "case_lead_times",
    "charts_section",
    "findings_section",
    "headline",
    "impact_section",
    "method_section",
]

BEFORE_COLOUR = "#a3907c"
AFTER_COLOUR = "#1f6f8b"

CAUSES: tuple[tuple[str, str, str], ...] = (
    ("path_touch", "cause_work", "#3e7cb1"),
    ("wait_contention", "cause_contention", "#e07b39"),
    ("wait_priority", "cause_priority", "#f2b447"),
    ("wait_batching", "cause_batching", "#9c6ba8"),
    ("wait_unavailability", "cause_unavailability", "#b8c2cc"),
    ("wait_transport", "cause_transport", "#c9a26b"),
    ("wait_external", "cause_external", "#7a9e7e"),
    ("wait_rework", "cause_rework", "#c8553d"),
)
"""The parts a lead time splits into (they add up to it), in the order the chart stacks them."""


def fig(key: str, value: float | None, text: str) -> Markup:
    """A figure on the page: the words, and the exact number behind them for checking."""
    raw = "" if value is None or not math.isfinite(value) else repr(float(value))
    return Markup(f'<span class="fig" data-key="{escape(key)}" data-value="{raw}">{escape(text)}</span>')


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


# --- headline -------------------------------------------------------------------------------------------


@dataclass
class Card:
    """One headline box: a title, the main figure, detail lines, intervals in words and a note."""

    key: str
    title: str
    main: Markup
    details: list[Markup] = field(default_factory=list)
    intervals: list[str] = field(default_factory=list)
    note: str = ""
    tone: str = "good"  # good | neutral | bad


def _saving(diff: Difference) -> tuple[float, float, float]:
    """Mean, low and high of a saving (before minus after; positive = better)."""
    d = diff.difference
    return -d.mean, -d.high, -d.low


def _ci95(measure: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Low and high of a headline measure's ``ci95`` (None where the interval could not be computed)."""
    low, high = measure["ci95"]
    return low, high


def _gain(diff: Difference) -> tuple[float, float, float]:
    """Mean, low and high of an increase (after minus before; positive = better, for rates)."""
    d = diff.difference
    return d.mean, d.low, d.high


def _tone(diff: Difference, better_when_lower: bool = True) -> str:
    if not diff.significant:
        return "neutral"
    improved = diff.difference.mean < 0 if better_when_lower else diff.difference.mean > 0
    return "good" if improved else "bad"


def _points(lang: str) -> Any:
    return (lambda v: f"{num(100 * v, 1)}ポイント") if lang == "ja" else (lambda v: f"{num(100 * v, 1)} points")


def headline(comparison: Comparison, lang: str) -> dict[str, Any]:
    """The hero figure (processing time reduction), the cards, and one summary sentence."""
    h = comparison.headline
    d = comparison.differences
    ns = t("not_significant", lang)

    lead = d["lead_time"]
    unit = time_unit(lead.before)
    reduction = h["processing_time_reduction_percent"]
    hero = Card(
        key="processing_time_reduction_percent",
        title=t("h_reduction", lang),
        main=fig("headline.processing_time_reduction_percent", reduction["value"], fmt_percent(reduction["value"])),
        details=[Markup(t("h_reduction_detail", lang, before=fig("lead_time.before", lead.before,
                                                                   fmt_time(lead.before, unit, lang)),
                          after=fig("lead_time.after", lead.after, fmt_time(lead.after, unit, lang))))],
        intervals=[ci_phrase(*_ci95(reduction), "time", lang, fmt_percent)],
        note="" if reduction["significant"] else ns,
        tone=_tone(lead),
    )

    cards: list[Card] = []
    days, business = d["lead_days"], d["business_days"]
    business_saved = h["business_days_saved"]
    spell: Callable[[float], str]
    if unit.key == "u_day":  # long processes: calendar days, as people count them
        calendar, key, label = days, "lead_days", t("h_lead_calendar", lang)
        spell = lambda v: fmt_days(v, lang)
    else:  # a case done within a day or two: hours or minutes say more than "0.14 days"
        calendar, key, label = lead, "lead_time", t("h_lead_elapsed", lang)
        spell = lambda v: fmt_time(v, unit, lang)
    saving = _saving(calendar)
    cards.append(Card(
        key="lead_time",
        title=t("h_lead", lang),
        main=Markup(f"{fig(key + '.before', calendar.before, spell(calendar.before))} → "
                    f"{fig(key + '.after', calendar.after, spell(calendar.after))}"
                    f'<span class="unit-note">{escape(label)}</span>'),
        details=[Markup(f"{escape(t('h_lead_business', lang))} "
                        f"{fig('business_days.before', business.before, fmt_days(business.before, lang))} → "
                        f"{fig('business_days.after', business.after, fmt_days(business.after, lang))}")],
        intervals=[f"{label}: " + ci_phrase(saving[1], saving[2], "time", lang, spell),
                   f"{t('h_lead_business', lang)}: " + ci_phrase(*_ci95(business_saved), "time", lang,
                                                                 lambda v: fmt_days(v, lang))],
        note="" if calendar.significant and business_saved["significant"] else ns,
        tone=_tone(calendar),
    ))

    hours = d["staff_hours_per_year"]
    hours_saved, fte_saved = h["staff_hours_saved_per_year"], h["fte_saved"]
    hours_per_fte = comparison.before.config.hours_per_fte
    cards.append(Card(
        key="staff_hours",
        title=t("h_hours", lang),
        main=Markup(t("h_hours_value", lang, value=fig("headline.staff_hours_saved_per_year", hours_saved["value"],
                                                       fmt_hours(hours_saved["value"], lang)))),
        details=[Markup(t("h_hours_fte", lang, fte=fig("headline.fte_saved", fte_saved["value"],
                                                      fmt_fte(fte_saved["value"], lang)),
                          hours=num(hours_per_fte))),
                 Markup(f"{fig('staff_hours_per_year.before', hours.before, fmt_hours(hours.before, lang))} → "
                        f"{fig('staff_hours_per_year.after', hours.after, fmt_hours(hours.after, lang))}")],
        intervals=[ci_phrase(*_ci95(hours_saved), "save", lang, lambda v: fmt_hours(v, lang))],
        note="" if hours_saved["significant"] else ns,
        tone=_tone(hours),
    ))

    cost = d["cost_yen_per_year"]
    yen_saved = h["yen_saved_per_year"]
    cards.append(Card(
        key="cost",
        title=t("h_yen", lang),
        main=Markup(t("h_yen_value", lang, value=fig("headline.yen_saved_per_year", yen_saved["value"],
                                                     fmt_yen(yen_saved["value"], lang)))),
        details=[Markup(f"{fig('cost_yen_per_year.before', cost.before, fmt_yen(cost.before, lang))} → "
                        f"{fig('cost_yen_per_year.after', cost.after, fmt_yen(cost.after, lang))}")],
        intervals=[ci_phrase(*_ci95(yen_saved), "save", lang, lambda v: fmt_yen(v, lang))],
        note="" if yen_saved["significant"] else ns,
        tone=_tone(cost),
    ))

    counter = d["counter_wait"]
    if not counter.before and not counter.after:
        cards.append(Card(key="counter_wait", title=t("h_counter", lang), main=Markup("—"),
                          details=[Markup(escape(t("h_counter_none", lang)))], tone="neutral"))
    else:
        counter_unit = time_unit(max(counter.before, counter.after))
        reduction = h["counter_wait_reduction_percent"]
        saved = h["counter_wait_saved_minutes"]
        cards.append(Card(
            key="counter_wait",
            title=t("h_counter", lang),
            main=Markup(f"{fig('counter_wait.before', counter.before, fmt_time(counter.before, counter_unit, lang))} → "
                        f"{fig('counter_wait.after', counter.after, fmt_time(counter.after, counter_unit, lang))}"),
            details=[Markup(f"{escape(t('h_counter_reduction', lang))} "
                            f"{fig('headline.counter_wait_reduction_percent', reduction['value'], fmt_percent(reduction['value']))}")],
            intervals=[ci_phrase(*_ci95(saved), "time", lang, lambda v: fmt_time(v, counter_unit, lang))],
            note="" if saved["significant"] else ns,
            tone=_tone(counter),
        ))

    stamps, handoffs = d["stamps"], d["handoffs"]
    cases = comparison.before.yearly["cases_per_year"].mean
    lines, details, intervals = [], [], []
    for key, diff in (("stamps", stamps), ("handoffs", handoffs)):
        if diff.before == 0 and diff.after == 0:
            continue
        lines.append(Markup(f"{escape(t('h_' + key, lang))} {fig(key + '.before', diff.before, fmt_count(diff.before, lang))}"
                            f" → {fig(key + '.after', diff.after, fmt_count(diff.after, lang))}"))
        saved_per_year = (diff.before - diff.after) * cases
        if _finite(saved_per_year) and saved_per_year >= 1:
            details.append(Markup(escape(t(f"per_year_{key}", lang, value=num(saved_per_year)))))
        _mean, low, high = _saving(diff)
        intervals.append(f"{t('h_' + key, lang)}: " + ci_phrase(low, high, "count", lang, lambda v: fmt_count(v, lang)))
    cards.append(Card(
        key="stamps_handoffs",
        title=t("h_stamps_handoffs", lang),
        main=Markup("<br>").join(lines) if lines else Markup("—"),
        details=details if lines else [Markup(escape(t("h_no_stamps", lang)))],
        intervals=intervals,
        note="" if all(x.significant or x.difference.mean == 0 for x in (stamps, handoffs)) else ns,
        tone=_tone(stamps),
    ))

    e_rate, online = d["e_approval_rate"], d["online_rate"]
    shown = [("e_approval_rate", e_rate)]
    if "online" in comparison.before.channels or "online" in comparison.after.channels:
        shown.append(("online_rate", online))  # an online rate of a process without an online channel says nothing
    lines, intervals = [], []
    for key, diff in shown:
        label = t("h_e_approval" if key == "e_approval_rate" else "h_online", lang)
        lines.append(Markup(f"{escape(label)} {fig(key + '.before', diff.before, fmt_ratio(diff.before))} → "
                            f"{fig(key + '.after', diff.after, fmt_ratio(diff.after))}"))
        _, low, high = _gain(diff)
        if _finite(low) and _finite(high) and not (low == high == 0):
            intervals.append(f"{label}: " + ci_phrase(low, high, "rate", lang, _points(lang)))
    cards.append(Card(
        key="digital",
        title=t("h_digital", lang),
        main=Markup("<br>").join(lines),
        intervals=intervals,
        tone=_tone(e_rate, better_when_lower=False),
    ))

    return {"hero": hero, "cards": cards, "sentence": _sentence(comparison, lang)}


def _sentence(comparison: Comparison, lang: str) -> str:
    """One sentence with the significant savings, for the first paragraph of the report."""
    d, h = comparison.differences, comparison.headline
    lead = d["lead_time"]
    if not lead.significant:
        return ""
    unit = time_unit(lead.before)
    text = t("summary_sentence_lead", lang, before=fmt_time(lead.before, unit, lang),
             after=fmt_time(lead.after, unit, lang))
    reduced = False
    if h["staff_hours_saved_per_year"]["significant"] and h["staff_hours_saved_per_year"]["value"] > 0:
        text += t("summary_sentence_hours", lang, hours=fmt_hours(h["staff_hours_saved_per_year"]["value"], lang),
                  fte=fmt_fte(h["fte_saved"]["value"], lang))
        reduced = True
        if h["yen_saved_per_year"]["significant"] and h["yen_saved_per_year"]["value"] > 0:
            text += t("summary_sentence_yen", lang, yen=fmt_yen(h["yen_saved_per_year"]["value"], lang))
    return text + t("summary_sentence_end_reduce" if reduced else "summary_sentence_end", lang)


# --- charts ---------------------------------------------------------------------------------------------


def case_lead_times(result: SimulationResult) -> list[float]:
    """Lead times (minutes) of the measured cases of replication 0, from the event log.

    A case's lead time runs from its first activity becoming ready (its arrival: decisions and splits take
    no time) to the end of its last activity; a case is measured when it arrived in the window.
    """
    if not result.events:
        return []
    first: dict[Any, float] = {}
    last: dict[Any, float] = {}
    for event in result.events:
        case, enable, end = event.case_id, event.enable, event.end
        if case not in first or enable < first[case]:
            first[case] = enable
        if case not in last or end > last[case]:
            last[case] = end
    start = result.config.warm_up_minutes
    stop = start + result.config.horizon_minutes
    return [last[c] - first[c] for c in first if start <= first[c] < stop]


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def charts_section(comparison: Comparison, before: Process, after: Process, lang: str) -> dict[str, Any]:
    """The four charts of the detailed results, each an inline SVG with its caption."""
    out: dict[str, Any] = {}
    b, a = comparison.before, comparison.after
    label_b, label_a = t("before", lang), t("after", lang)

    lead_b, lead_a = case_lead_times(b), case_lead_times(a)
    if lead_b or lead_a:
        top = max(_quantile(lead_b, 0.98), _quantile(lead_a, 0.98), 1.0)
        unit = time_unit(top)
        ticks = charts.nice_ticks(top / unit.minutes, 6)
        upper = ticks[-1] * unit.minutes
        bins = 30
        edges = [upper * i / bins for i in range(bins + 1)]
        scaled = lambda v: num(v / unit.minutes).removesuffix(".0")
        mean_b, mean_a = b.kpis["lead_time"].mean.mean, a.kpis["lead_time"].mean.mean
        out["lead"] = {
            "title": t("c_lead", lang),
            "svg": Markup(charts.histogram(
                t("c_lead", lang),
                [(label_b, lead_b, BEFORE_COLOUR), (label_a, lead_a, AFTER_COLOUR)],
                edges, scaled,
                axis_label=t("c_lead_axis", lang, unit=t(unit.key, lang, v="").strip()),
                share_label=t("c_share", lang),
                ticks=[tick * unit.minutes for tick in ticks],
                markers=[(mean_b, f"{label_b} {t('c_mean', lang)} {fmt_time(mean_b, unit, lang)}", BEFORE_COLOUR),
                         (mean_a, f"{label_a} {t('c_mean', lang)} {fmt_time(mean_a, unit, lang)}", AFTER_COLOUR)],
            )),
            "caption": t("c_lead_caption", lang, before=num(len(lead_b)), after=num(len(lead_a))),
        }

    unit = time_unit(b.kpis["lead_time"].mean.mean)
    rows = [(label, [result.kpis[key].mean.mean for key, _, _ in CAUSES]) for label, result in
            ((label_b, b), (label_a, a))]
    used = [i for i, (key, _, _) in enumerate(CAUSES) if any(_finite(r[1][i]) and r[1][i] > 0 for r in rows)]
    out["waiting"] = {
        "title": t("c_wait", lang),
        "svg": Markup(charts.stacked_bars(
            t("c_wait", lang),
            [(label, [values[i] for i in used]) for label, values in rows],
            [charts.Bar(t(CAUSES[i][1], lang), CAUSES[i][2]) for i in used],
            lambda v: fmt_time(v, unit, lang), tick_unit=unit.minutes,
        )),
        "caption": t("c_wait_caption", lang),
    }

    roles = list(dict.fromkeys([*b.roles, *a.roles]))
    names = [(_role_display(before, after, r)) for r in roles]

    def role_values(result: SimulationResult, attr: str) -> list[float | None]:
        values: list[float | None] = []
        for role_id in roles:
            role = result.roles.get(role_id)
            est = getattr(role, attr) if role is not None else None
            values.append(est.mean if est is not None and _finite(est.mean) else None)
        return values

    util_roles = [i for i, r in enumerate(roles) if any(res.roles.get(r) is not None and res.roles[r].utilisation
                                                         is not None for res in (b, a))]
    if util_roles:
        ub, ua = role_values(b, "utilisation"), role_values(a, "utilisation")
        out["utilisation"] = {
            "title": t("c_util", lang),
            "svg": Markup(charts.grouped_bars(
                t("c_util", lang), [names[i] for i in util_roles],
                [charts.Series(label_b, [ub[i] for i in util_roles], BEFORE_COLOUR),
                 charts.Series(label_a, [ua[i] for i in util_roles], AFTER_COLOUR)],
                fmt_ratio, reference=(0.85, t("c_util_ref", lang)),
                max_value=max([v for v in ub + ua if v is not None] + [1.0]),
            )),
            "caption": t("c_util_caption", lang),
        }
    hb, ha = role_values(b, "staff_hours_per_year"), role_values(a, "staff_hours_per_year")
    paid = [i for i, r in enumerate(roles) if not any(res.roles.get(r) is not None and res.roles[r].external
                                                      for res in (b, a))]
    out["hours"] = {
        "title": t("c_hours", lang),
        "svg": Markup(charts.grouped_bars(
            t("c_hours", lang), [names[i] for i in paid],
            [charts.Series(label_b, [hb[i] for i in paid], BEFORE_COLOUR),
             charts.Series(label_a, [ha[i] for i in paid], AFTER_COLOUR)],
            lambda v: fmt_hours(v, lang),
        )),
        "caption": t("c_hours_caption", lang),
    }
    return out


def _role_display(before: Process, after: Process, role_id: str) -> str:
    role = before.roles.get(role_id) or after.roles.get(role_id)
    return (role.name if role is not None and role.name else role_id)


# --- findings -------------------------------------------------------------------------------------------


def _steps_text(process: Process, steps: Sequence[str], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(step_name(process, s) for s in steps)


def _finding_row(number: int, finding: Finding, process: Process, lang: str) -> dict[str, Any]:
    meaning = rule_meaning(finding.name, lang)
    return {
        "number": number,
        "rule": finding.rule,
        "title": rule_title(finding.name, lang),
        "severity": finding.severity,
        "severity_text": t(f"sev_{finding.severity}", lang),
        "steps": _steps_text(process, finding.steps, lang),
        "what": meaning if meaning else finding.message,
        "suggestion": change_line(finding.suggestion, process, lang) if finding.suggestion else "—",
    }


def findings_section(before: Process, after: Process, findings_before: Sequence[Finding],
                     findings_after: Sequence[Finding], lang: str) -> dict[str, Any]:
    """The findings of the process before (numbered as on its diagram), each resolved or not, and those left."""
    rows = []
    for number, finding in enumerate(findings_before, start=1):
        row = _finding_row(number, finding, before, lang)
        # Resolved: no finding of the same rule is left on any of its steps.
        row["resolved"] = not any(f.rule == finding.rule and set(f.steps) & set(finding.steps) for f in findings_after)
        row["status"] = t("f_resolved" if row["resolved"] else "f_remains", lang)
        rows.append(row)
    after_rows = [_finding_row(n, f, after, lang) for n, f in enumerate(findings_after, start=1)]
    return {"rows": rows, "after_rows": after_rows,
            "resolved": sum(r["resolved"] for r in rows), "total": len(rows)}


# --- impact of each change ------------------------------------------------------------------------------


def _short_ci(diff: Difference, fmt: Any, lang: str) -> Markup:
    """``1.2日`` with ``(0.9〜1.5)`` under it, of a saving; greyed with a note when not significant."""
    mean, low, high = _saving(diff)
    sep = "〜" if lang == "ja" else " to "
    text = f'<span class="gain">{escape(fmt(mean))}</span>'
    if _finite(low) and _finite(high) and low != high:
        text += f'<span class="ci">({escape(fmt(low))}{sep}{escape(fmt(high))})</span>'
    if not diff.significant and diff.difference.mean != 0:
        text += f'<span class="ns">{escape(t("i_ns", lang))}</span>'
    return Markup(text)


def impact_section(impact: Impact, lang: str) -> dict[str, Any]:
    """Rows of the cumulative table, the staircase chart of lead time, and what was simulated."""
    base = impact.baseline
    unit = time_unit(base.kpis["lead_time"].mean.mean)
    rows = [{"number": "", "changes": [t("i_start", lang)], "lead": fmt_time(base.kpis["lead_time"].mean.mean, unit, lang),
             "simulated": True, "start": True}]
    bars: list[tuple[str, float]] = [(t("i_start", lang), base.kpis["lead_time"].mean.mean)]
    for step in impact.steps:
        number = "–".join(str(p) for p in (step.positions[0], step.positions[-1])) if len(step.positions) > 1 \
            else str(step.positions[0])
        lines = [change_line(change, step.applied_to, lang) for change in step.changes]
        row: dict[str, Any] = {"number": number, "changes": lines, "simulated": step.simulated, "start": False}
        if step.simulated and step.result is not None and step.marginal is not None:
            m = step.marginal.differences
            lead = step.result.kpis["lead_time"].mean.mean
            row["lead"] = fmt_time(lead, unit, lang)
            row["lead_gain"] = _short_ci(m["lead_time"], lambda v: fmt_time(v, unit, lang), lang)
            row["hours_gain"] = _short_ci(m["staff_hours_per_year"], lambda v: fmt_hours(v, lang), lang)
            row["yen_gain"] = _short_ci(m["cost_yen_per_year"], lambda v: fmt_yen(v, lang), lang)
            bars.append((f"+{number}", lead))
        else:
            row["note"] = t("i_display_only", lang)
        rows.append(row)
    config = impact.plan.config
    chart = charts.grouped_bars(
        t("c_impact", lang), [label for label, _ in bars],
        [charts.Series(t("i_lead", lang), [value for _, value in bars], AFTER_COLOUR)],
        lambda v: fmt_time(v, unit, lang), tick_unit=unit.minutes,
    )
    return {
        "rows": rows,
        "chart": Markup(chart),
        "method": t("i_method", lang, replications=config.replications, horizon=config.horizon,
                    warm_up=config.warm_up, seed=config.seed, runs=impact.plan.simulations),
        "grouped": t("i_grouped", lang, steps=impact.plan.max_steps) if impact.plan.grouped else "",
    }


# --- assumptions ----------------------------------------------------------------------------------------

_DIST_JA = {"fixed": "固定", "exponential": "指数分布", "uniform": "一様分布", "triangular": "三角分布",
            "normal": "正規分布", "lognormal": "対数正規分布", "empirical": "経験分布", "choice": "選択"}
_PARAM_JA = {"min": "最小", "mode": "最頻", "max": "最大", "mean": "平均", "sd": "標準偏差", "value": "値"}


def _params(dist: Any, lang: str, spell: Any) -> str:
    """The parameters of a distribution as written in the file (``min``, ``mode``, ``max``, ``mean``, ``sd``)."""
    parts = []
    for key, value in dist.model_dump(by_alias=True).items():
        if key == "dist" or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        name = _PARAM_JA.get(key, key) if lang == "ja" else key
        parts.append(f"{name}{'' if lang == 'ja' else ' '}{spell(value)}")
    return ("・" if lang == "ja" else ", ").join(parts)


def _kind(dist: Any, lang: str) -> str:
    return _DIST_JA.get(dist.dist, dist.dist) if lang == "ja" else dist.dist


def duration_text(dist: Any, lang: str) -> str:
    """``三角分布（最小45分・最頻1.5時間・最大3時間）平均1.8時間`` / ``triangular (min 45 min, …) mean 1.8 h``."""
    if isinstance(dist, Fixed):
        return t("instant", lang) if dist.value == 0 else format_minutes(dist.value, lang)
    inner = _params(dist, lang, lambda v: format_minutes(v, lang))
    kind = _kind(dist, lang)
    shown = (f"{kind}（{inner}）" if lang == "ja" else f"{kind} ({inner})") if inner else kind
    return f"{shown} {t('mean', lang)}{'' if lang == 'ja' else ' '}{format_minutes(dist.mean, lang)}"


def _attribute_text(dist: Any, lang: str) -> str:
    if isinstance(dist, Choice):
        return ("、" if lang == "ja" else ", ").join(f"{k} {v:.0%}" for k, v in dist.values.items())
    inner = _params(dist, lang, num)
    kind = _kind(dist, lang)
    return (f"{kind}（{inner}）" if lang == "ja" else f"{kind} ({inner})") if inner else kind


_COUNTRIES = {"ja": {"JP": "日本"}, "en": {"JP": "Japan"}}


def _calendar_rows(name: str, calendar: Calendar, lang: str) -> dict[str, str]:
    weekdays = t("weekdays", lang)
    letters = list(weekdays) if lang == "ja" else weekdays.split()
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if calendar.always:
        return {"name": name, "days": t("a_always", lang), "hours": "", "holidays": "", "closed": ""}
    return {
        "name": name,
        "days": ("" if lang == "ja" else " ").join(letters[order.index(d)] for d in calendar.days),
        "hours": ", ".join(calendar.hours),
        "holidays": t("a_holidays_of", lang, code=_COUNTRIES[lang].get(calendar.holidays, calendar.holidays))
        if calendar.holidays else "—",
        "closed": ", ".join(calendar.closed) or "—",
    }


def _step_facts(step: Any, process: Process, lang: str) -> dict[str, str]:
    kind = step.type
    role = getattr(step, "role", None)
    facts = []
    medium = getattr(step, "medium", None)
    if medium and kind in ("task", "approval", "handoff"):
        facts.append(t(f"medium_{medium}", lang))
    if getattr(step, "stamp", False):
        facts.append(t("stamp", lang))
    if getattr(step, "batch", None):
        facts.append(t("batch", lang, times="/".join(step.batch)))
    if kind == "handoff":
        facts.append(handoff_mode_name(step.mode, lang))
        if step.departures:
            facts.append(t("departures", lang, times="/".join(step.departures)))
    duration = getattr(step, "duration", None) or getattr(step, "delay", None)
    return {
        "role": (process.roles[role].name or role) if role and role in process.roles else "",
        "duration": duration_text(duration, lang) if duration is not None else "",
        "facts": ("・" if lang == "ja" else ", ").join(facts),
    }


def assumptions(before: Process, after: Process, lang: str, files: tuple[str, str]) -> dict[str, Any]:
    """Volumes, steps with durations, staff and costs, calendars and case attributes, before and after."""
    volumes = []
    after_arrivals = {a.channel: a for a in after.arrivals}
    seen = set()
    for arrival in [*before.arrivals, *[a for a in after.arrivals if a.channel not in
                                        {b.channel for b in before.arrivals}]]:
        if arrival.channel in seen:
            continue
        seen.add(arrival.channel)
        b = next((x for x in before.arrivals if x.channel == arrival.channel), None)
        a = after_arrivals.get(arrival.channel)
        volumes.append({
            "channel": channel_name(arrival.channel, lang),
            "before_rate": format_rate(b.rate_value(), lang) if b else "—",
            "before_annual": num(sum(annual_cases(before, x) for x in before.arrivals if x.channel == arrival.channel))
            if b else "—",
            "after_rate": format_rate(a.rate_value(), lang) if a else "—",
            "after_annual": num(sum(annual_cases(after, x) for x in after.arrivals if x.channel == arrival.channel))
            if a else "—",
        })
    steps = []
    after_ids = set(after.step_ids)
    for step in before.steps:
        if step.type in ("decision", "parallel", "join", "end"):
            continue
        row: dict[str, Any] = {"name": step.name or step.id, "id": step.id, "type": t(f"type_{step.type}", lang),
                               "before": _step_facts(step, before, lang)}
        if step.id in after_ids:
            row["after"] = _step_facts(after.step(step.id), after, lang)
            row["same"] = row["after"] == row["before"]
        else:
            row["after"] = None
            row["same"] = False
        steps.append(row)
    for step in after.steps:
        if step.id in set(before.step_ids) or step.type in ("decision", "parallel", "join", "end"):
            continue
        steps.append({"name": (step.name or step.id) + t("a_new", lang), "id": step.id,
                      "type": t(f"type_{step.type}", lang), "before": None, "after": _step_facts(step, after, lang),
                      "same": False})
    staff = []
    for role_id in dict.fromkeys([*before.roles, *after.roles]):
        b_role, a_role = before.roles.get(role_id), after.roles.get(role_id)
        role = b_role or a_role
        assert role is not None

        def count(r: Any) -> str:
            if r is None:
                return "—"
            return t("a_unlimited", lang) if r.staff == "unlimited" else str(r.staff)

        staff.append({
            "name": role.name or role_id,
            "department": role.department,
            "before": count(b_role),
            "after": count(a_role),
            "authority": str(role.authority),
            "cost": t("a_external", lang) if role.external else t("a_yen_per_hour", lang, v=num(role.hourly_cost)),
        })
    calendars = [_calendar_rows(t("a_standard", lang), before.calendar, lang)]
    for name, calendar in {**before.calendars, **after.calendars}.items():
        calendars.append(_calendar_rows(name, calendar, lang))
    if after.calendar != before.calendar:
        calendars.append(_calendar_rows(t("after", lang), after.calendar, lang))
    attributes = [{"name": name, "dist": _attribute_text(dist, lang)} for name, dist in before.attributes.items()]
    return {
        "intro": t("a_intro", lang, before_file=files[0], after_file=files[1]),
        "volumes": volumes,
        "steps": steps,
        "staff": staff,
        "calendars": calendars,
        "attributes": attributes,
    }


# --- method ---------------------------------------------------------------------------------------------


def method_section(comparison: Comparison, lang: str, command: str) -> dict[str, Any]:
    config = comparison.before.config
    rows = [
        (t("m_replications", lang), str(config.replications)),
        (t("m_horizon", lang), config.horizon),
        (t("m_warm_up", lang), config.warm_up),
        (t("m_seed", lang), str(config.seed)),
        (t("m_start", lang), config.start_date.isoformat()),
        (t("m_fte", lang), fmt_hours(config.hours_per_fte, lang)),
    ]
    warnings = [f"{t('before', lang)}: {w.message}" for w in comparison.before.warnings]
    warnings += [f"{t('after', lang)}: {w.message}" for w in comparison.after.warnings]
    return {"rows": rows, "notes": [t("m_crn", lang), t("m_ci", lang), t("m_cases", lang), t("m_events", lang)],
            "warnings": warnings, "command": command}

