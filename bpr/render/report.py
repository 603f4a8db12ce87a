"""The proposal report: one self-contained HTML file a DX office hands to a mayor or a council.

:func:`build_report` analyses both versions, draws the diagrams, the charts and the pictures of a redesign
result, and fills the template: headline savings with their intervals in words, diagrams, charts, findings,
impact of each change, the redesign matrix, assumptions and method. It simulates nothing: the numbers come
in as a :class:`~bpr.study.report.ReportRun`, made by :func:`bpr.study.report.simulate_report` (the slow
part, which a caller can show with a progress bar and run once for several languages).

The page needs nothing else: CSS inline, diagrams and charts as inline SVG, no scripts, no fonts to fetch,
no link to the network. It prints on A4 (each section on a new page). Writing files is left to the caller
(the ``bpr report`` command writes the page and the diagrams next to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bpr.analysis import analyze
from bpr.render.overlay import overlay_from_results
from bpr.render.report_diagrams import DIAGRAM_NAMES, Diagram, draw_diagrams, inline_svg
from bpr.render.report_check import check_section
from bpr.render.report_redesign import redesign_section
from bpr.render.report_assumptions import assumptions
from bpr.render.report_sections import (
    charts_section,
    findings_section,
    headline,
    impact_section,
    method_section,
)
from bpr.render.report_text import LANGS, TEXT, t
from bpr.render.report_warnings import SHOWN_ABOVE_CARDS, warning_lines
from bpr.study.report import OptionsRun, ReportRun

__all__ = ["Report", "build_report"]

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Report:
    """The page and the pictures in it (to be written next to it)."""

    html: str
    diagrams: dict[str, Diagram] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _environment_render(template: str, context: Mapping[str, Any]) -> str:
    return _environment().get_template(template).render(**context)


def impact_note_text(run: ReportRun, lang: str) -> str:
    """Why the impact of each change is left out, in ``lang`` (the English detail in English only)."""
    if not run.impact_note:
        return ""
    reason = run.impact_note if lang == "en" or run.impact_skip is None else t(f"i_{run.impact_skip}", lang)
    return t("i_skipped", lang, reason=reason)


def page_basics(lang: str, today: date) -> dict[str, Any]:
    """What every report page's template needs: its language, words, style sheet and date."""
    return {
        "lang": lang,
        "T": TEXT[lang],
        "css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        "today": today.isoformat() if lang == "en" else f"{today.year}年{today.month}月{today.day}日",
    }


def build_report(
    run: ReportRun | OptionsRun,
    *,
    today: date,
    lang: str = "ja",
    files: Sequence[str] = ("before", "after"),
    command: str = "",
    redesign: Mapping[str, Any] | None = None,
    diagrams: Mapping[str, Diagram] | None = None,
    check: Mapping[str, Any] | None = None,
) -> Report:
    """Fill the report template in ``lang`` (``ja`` or ``en``).

    ``today`` is the date printed on the report (the library never reads the clock); ``files`` the names of
    the before and after files as the reader knows them; ``command`` the command line that made it;
    ``redesign`` a redesign result (``RedesignResult.to_dict()``) to draw; ``diagrams`` pictures already
    drawn (else they are drawn here, which needs Graphviz for SVG); ``check`` the prediction of the version
    after checked against its event log (``Check.to_dict()`` of :mod:`bpr.calibrate.check`), for a report
    on one redesign only.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if isinstance(run, OptionsRun):
        if len(run.options) != 1:
            if check is not None:
                raise ValueError("the check against a log goes with a report on one redesign (one option)")
            from bpr.render.report_options import build_options_report

            return build_options_report(run, today=today, lang=lang, files=files, command=command,
                                        diagrams=diagrams)
        run = run.options[0]
    before, after, comparison = run.before, run.after, run.comparison
    analysis_before, analysis_after = analyze(before), analyze(after)
    notes: list[str] = []
    if diagrams is None:
        overlays = {
            "before": overlay_from_results(comparison.before.to_dict()),
            "after": overlay_from_results(comparison.after.to_dict()),
        }
        if not overlays["before"][0]:
            notes.append(t("d_no_waits", lang))
        diagrams = draw_diagrams(before, after, findings_before=analysis_before.findings,
                                 findings_after=analysis_after.findings, overlays=overlays, lang=lang)
    pictures = []
    for name in DIAGRAM_NAMES:
        diagram = diagrams.get(name)
        if diagram is None:
            continue
        title = t(f"d_{name}", lang)
        pictures.append({
            "name": name,
            "title": title,
            "caption": t(f"d_caption_{name}", lang),
            "svg": Markup(inline_svg(diagram.svg, f"d-{name}", title)) if diagram.svg else None,
            "error": t("d_missing", lang, reason=diagram.error) if diagram.error else None,
        })
    sections = [("summary", t("s_summary", lang)), ("diagrams", t("s_diagrams", lang)),
                ("charts", t("s_charts", lang)), ("findings", t("s_findings", lang))]
    impact = impact_section(run.impact, lang) if run.impact is not None else None
    if impact is not None or run.impact_note:
        sections.append(("impact", t("s_impact", lang)))
    redesign_view = redesign_section(redesign, before, lang) if redesign is not None else None
    if redesign_view is not None:
        sections.append(("redesign", t("s_redesign", lang)))
    check_view = check_section(check, lang) if check is not None else None
    if check_view is not None:
        sections.append(("check", t("s_check", lang)))
    sections += [("assumptions", t("s_assumptions", lang)), ("method", t("s_method", lang))]
    config = comparison.before.config
    context = {
        **page_basics(lang, today),
        "before": before,
        "after": after,
        "sections": sections,
        "headline": headline(comparison, lang),
        "summary_note": t("summary_note", lang, replications=config.replications, horizon=config.horizon),
        "warnings": [*warning_lines(comparison.before, lang, kinds=SHOWN_ABOVE_CARDS, label=t("before", lang)),
                     *warning_lines(comparison.after, lang, kinds=SHOWN_ABOVE_CARDS, label=t("after", lang))],
        "diagrams": pictures,
        "diagram_notes": notes,
        "diagram_files": ", ".join(f"{name}.svg" for name in DIAGRAM_NAMES if diagrams.get(name) is not None
                                   and diagrams[name].svg),
        "charts": charts_section([(t("before", lang), before, comparison.before),
                                  (t("after", lang), after, comparison.after)], lang),
        "findings": findings_section(before, after, analysis_before.findings, analysis_after.findings, lang),
        "impact": impact,
        "impact_note": impact_note_text(run, lang),
        "redesign": redesign_view,
        "check": check_view,
        "assumptions": assumptions([(t("before", lang), before), (t("after", lang), after)], lang, files),
        "method": method_section(comparison, lang, command),
    }
    html = _environment_render("report.html", context)
    return Report(html, dict(diagrams), tuple(notes))
