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
from bpr.model.schema import Process
from bpr.render import charts
from bpr.render.labels import rule_meaning, rule_title
from bpr.render.report_changes import change_line, step_name
from bpr.render.report_warnings import warning_lines
from bpr.render.report_deadline import deadline_amount, deadline_figures, deadline_words
from bpr.render.report_text import (
    LEAD_UNIT,
    TOUCH_UNIT,
    TimeUnit,
    ci_phrase,
    fmt_count,
    fmt_days,
    fmt_fte,
    fmt_hours,
    fmt_lead,
    fmt_lead_days,
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
    "OPTION_COLOURS",
    "case_lead_times",
    "chart_unit",
    "charts_section",
    "deadline_card",
    "findings_by_option",
    "findings_section",
    "headline",
    "impact_section",
    "method_section",
    "version_colours",
]

BEFORE_COLOUR = "#a3907c"
AFTER_COLOUR = "#1f6f8b"
OPTION_COLOURS = (AFTER_COLOUR, "#d1495b", "#66a182", "#edae49", "#6d597a")
"""Options A, B, C … on charts (one option is drawn in the after colour)."""

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
    reduction = h["processing_time_reduction_percent"]
    hero = Card(
        key="processing_time_reduction_percent",
        title=t("h_reduction", lang),
        main=fig("headline.processing_time_reduction_percent", reduction["value"], fmt_percent(reduction["value"])),
        details=[Markup(t("h_reduction_detail", lang, before=fig("lead_time.before", lead.before,
                                                                   fmt_lead(lead.before, lang)),
                          after=fig("lead_time.after", lead.after, fmt_lead(lead.after, lang))))],
        intervals=[ci_phrase(*_ci95(reduction), "time", lang, fmt_percent)],
        note="" if reduction["significant"] else ns,
        tone=_tone(lead),
    )

    cards: list[Card] = []
    days, business = d["lead_days"], d["business_days"]
    business_saved = h["business_days_saved"]
    label = t("h_lead_calendar", lang)
    spell: Callable[[float], str] = lambda v: fmt_lead_days(v, lang)
    saving = _saving(days)
    cards.append(Card(
        key="lead_time",
        title=t("h_lead", lang),
        main=Markup(f"{fig('lead_days.before', days.before, spell(days.before))} → "
                    f"{fig('lead_days.after', days.after, spell(days.after))}"
                    f'<span class="unit-note">{escape(label)}</span>'),
        details=[Markup(f"{escape(t('h_lead_business', lang))} "
                        f"{fig('business_days.before', business.before, fmt_days(business.before, lang))} → "
                        f"{fig('business_days.after', business.after, fmt_days(business.after, lang))}")],
        intervals=[f"{label}: " + ci_phrase(saving[1], saving[2], "time", lang, lambda v: fmt_days(v, lang)),
                   f"{t('h_lead_business', lang)}: " + ci_phrase(*_ci95(business_saved), "time", lang,
                                                                 lambda v: fmt_days(v, lang))],
        note="" if days.significant and business_saved["significant"] else ns,
        tone=_tone(days),
    ))
    deadline = deadline_card(comparison, lang)
    if deadline is not None:
        cards.append(deadline)

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
        counter_unit = TOUCH_UNIT
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


def deadline_card(comparison: Comparison, lang: str) -> Card | None:
    """The share of cases within the process deadline (標準処理期間), when the results carry it."""
    before, after = deadline_figures(comparison.before), deadline_figures(comparison.after)
    if before is None or after is None:
        return None
    lines = [Markup(f"{fig('deadline.share.before', before.share, fmt_ratio(before.share))} → "
                    f"{fig('deadline.share.after', after.share, fmt_ratio(after.share))}")]
    details = [Markup(escape(t("h_deadline_limit", lang, limit=deadline_words(before.limit, lang))))]
    if before.p90 is not None and after.p90 is not None:
        details.append(Markup(f"{escape(t('h_deadline_p90', lang))} "
                              f"{fig('deadline.p90.before', before.p90, deadline_amount(before.p90, before.unit, lang))} → "
                              f"{fig('deadline.p90.after', after.p90, deadline_amount(after.p90, after.unit, lang))}"))
    intervals = [f"{label}: {t('h_deadline_ci', lang, low=fmt_ratio(f.share_low), high=fmt_ratio(f.share_high))}"
                 for label, f in ((t("before", lang), before), (t("after", lang), after))
                 if _finite(f.share_low) and _finite(f.share_high)]
    tone = "neutral"
    if _finite(before.share_high) and _finite(after.share_low) and after.share_low > before.share_high:
        tone = "good"
    elif _finite(before.share_low) and _finite(after.share_high) and after.share_high < before.share_low:
        tone = "bad"
    return Card(key="deadline", title=t("h_deadline", lang), main=Markup("<br>").join(lines), details=details,
                intervals=intervals, tone=tone)


def _sentence(comparison: Comparison, lang: str) -> str:
    """One sentence with the significant savings, for the first paragraph of the report."""
    d, h = comparison.differences, comparison.headline
    lead = d["lead_time"]
    if not lead.significant:
        return ""
    text = t("summary_sentence_lead", lang, before=fmt_lead(lead.before, lang), after=fmt_lead(lead.after, lang))
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


def chart_unit(minutes: float) -> TimeUnit:
    """The unit of a lead-time axis: days (the convention), unless everything happens within a day."""
    return LEAD_UNIT if minutes >= LEAD_UNIT.minutes else time_unit(minutes)


def version_colours(count: int) -> list[str]:
    """Colours of the versions on charts: the process before, then each option."""
    return [BEFORE_COLOUR, *(OPTION_COLOURS[i % len(OPTION_COLOURS)] for i in range(count - 1))]


def charts_section(versions: Sequence[tuple[str, Process, SimulationResult]], lang: str) -> dict[str, Any]:
    """The four charts of the detailed results, each an inline SVG with its caption.

    ``versions`` are ``(label, process, result)``, the process before first, then each option.
    """
    out: dict[str, Any] = {}
    colours = version_colours(len(versions))
    labels = [label for label, _, _ in versions]
    results = [result for _, _, result in versions]
    b = results[0]

    leads = [case_lead_times(result) for result in results]
    if any(leads):
        top = max(*(_quantile(lead, 0.98) for lead in leads), 1.0)
        unit = chart_unit(top)
        ticks = charts.nice_ticks(top / unit.minutes, 6)
        upper = ticks[-1] * unit.minutes
        bins = 30
        edges = [upper * i / bins for i in range(bins + 1)]
        scaled = lambda v: num(v / unit.minutes).removesuffix(".0")
        means = [result.kpis["lead_time"].mean.mean for result in results]
        sep = "・" if lang == "ja" else ", "
        out["lead"] = {
            "title": t("c_lead", lang),
            "svg": Markup(charts.histogram(
                t("c_lead", lang),
                [(label, lead, colour) for label, lead, colour in zip(labels, leads, colours)],
                edges, scaled,
                axis_label=t("c_lead_axis", lang, unit=t(unit.key, lang, v="").strip()),
                share_label=t("c_share", lang),
                ticks=[tick * unit.minutes for tick in ticks],
                markers=[(mean, f"{label} {t('c_mean', lang)} {fmt_lead(mean, lang)}", colour)
                         for label, mean, colour in zip(labels, means, colours) if _finite(mean)],
            )),
            "caption": t("c_lead_caption_n", lang, counts=sep.join(
                t("c_cases_of", lang, label=label, n=num(len(lead))) for label, lead in zip(labels, leads))),
        }

    unit = chart_unit(b.kpis["lead_time"].mean.mean)
    rows = [(label, [result.kpis[key].mean.mean for key, _, _ in CAUSES]) for label, result in zip(labels, results)]
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

    processes = [process for _, process, _ in versions]
    roles = list(dict.fromkeys(r for result in results for r in result.roles))
    names = [_role_display(processes, r) for r in roles]

    def role_values(result: SimulationResult, attr: str) -> list[float | None]:
        values: list[float | None] = []
        for role_id in roles:
            role = result.roles.get(role_id)
            est = getattr(role, attr) if role is not None else None
            values.append(est.mean if est is not None and _finite(est.mean) else None)
        return values

    util_roles = [i for i, r in enumerate(roles) if any(res.roles.get(r) is not None and res.roles[r].utilisation
                                                         is not None for res in results)]
    if util_roles:
        utils = [role_values(result, "utilisation") for result in results]
        out["utilisation"] = {
            "title": t("c_util", lang),
            "svg": Markup(charts.grouped_bars(
                t("c_util", lang), [names[i] for i in util_roles],
                [charts.Series(label, [values[i] for i in util_roles], colour)
                 for label, values, colour in zip(labels, utils, colours)],
                fmt_ratio, reference=(0.85, t("c_util_ref", lang)),
                max_value=max([v for values in utils for v in values if v is not None] + [1.0]),
            )),
            "caption": t("c_util_caption", lang),
        }
    hours = [role_values(result, "staff_hours_per_year") for result in results]
    paid = [i for i, r in enumerate(roles) if not any(res.roles.get(r) is not None and res.roles[r].external
                                                      for res in results)]
    out["hours"] = {
        "title": t("c_hours", lang),
        "svg": Markup(charts.grouped_bars(
            t("c_hours", lang), [names[i] for i in paid],
            [charts.Series(label, [values[i] for i in paid], colour)
             for label, values, colour in zip(labels, hours, colours)],
            lambda v: fmt_hours(v, lang),
        )),
        "caption": t("c_hours_caption", lang),
    }
    return out


def _role_display(processes: Sequence[Process], role_id: str) -> str:
    role = next((p.roles[role_id] for p in processes if role_id in p.roles), None)
    return role.name if role is not None and role.name else role_id


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


def findings_by_option(before: Process, findings_before: Sequence[Finding],
                       options: Sequence[tuple[str, Sequence[Finding]]], lang: str) -> dict[str, Any]:
    """The findings of the process before, each resolved or not by every option (``(label, findings)``)."""
    rows = []
    for number, finding in enumerate(findings_before, start=1):
        row = _finding_row(number, finding, before, lang)
        row["statuses"] = []
        for _, findings_after in options:
            resolved = not any(f.rule == finding.rule and set(f.steps) & set(finding.steps) for f in findings_after)
            row["statuses"].append({"resolved": resolved, "text": t("f_resolved" if resolved else "f_remains", lang)})
        rows.append(row)
    return {"rows": rows, "resolved": [sum(r["statuses"][i]["resolved"] for r in rows) for i in range(len(options))],
            "total": len(rows)}


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
    unit = chart_unit(base.kpis["lead_time"].mean.mean)
    rows = [{"number": "", "changes": [t("i_start", lang)], "lead": fmt_lead(base.kpis["lead_time"].mean.mean, lang),
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
            row["lead"] = fmt_lead(lead, lang)
            row["lead_gain"] = _short_ci(m["lead_time"], lambda v: fmt_time(v, LEAD_UNIT, lang), lang)
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


# --- method ---------------------------------------------------------------------------------------------


def method_section(comparison: Comparison, lang: str, command: str) -> dict[str, Any]:
    config = comparison.before.config
    return method_rows(config, lang, command, [(t("before", lang), comparison.before),
                                                (t("after", lang), comparison.after)])


def method_rows(config: Any, lang: str, command: str,
                results: Sequence[tuple[str, SimulationResult]]) -> dict[str, Any]:
    """The run's settings, what the method means, every version's warnings in words, and the command."""
    rows = [
        (t("m_replications", lang), str(config.replications)),
        (t("m_horizon", lang), config.horizon),
        (t("m_warm_up", lang), config.warm_up),
        (t("m_seed", lang), str(config.seed)),
        (t("m_start", lang), config.start_date.isoformat()),
        (t("m_fte", lang), fmt_hours(config.hours_per_fte, lang)),
        (t("m_units", lang), t("m_units_text", lang)),
    ]
    warnings = [line for label, result in results for line in warning_lines(result, lang, label=label)]
    return {"rows": rows, "notes": [t("m_crn", lang), t("m_ci", lang), t("m_cases", lang), t("m_events", lang)],
            "warnings": warnings, "command": command}

