"""The report on several options side by side (A, B, C …), or on the process as it is (no option).

The same sections as the report on one redesign, with a column per option where that one has before and
after: a summary table (:mod:`bpr.render.report_overview`), the process before and each option drawn (each
with its comparison picture), charts with a series per version, the findings of the process before with
whether each option resolves them, the impact of each change of every option that is a change list, the
assumptions of every version, and the method. A report on the process as it is has the same page with no
option column. :func:`bpr.render.report.build_report` calls this for any number of options but one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from markupsafe import Markup

from bpr.analysis import analyze
from bpr.render.overlay import overlay_from_results
from bpr.render.report_assumptions import assumptions
from bpr.render.report_diagrams import Diagram, draw_options, inline_svg, option_diagram_names
from bpr.render.report_overview import overview
from bpr.render.report_sections import charts_section, findings_by_option, impact_section, method_rows
from bpr.render.report_text import TEXT, t
from bpr.render.report_warnings import SHOWN_ABOVE_CARDS, warning_lines
from bpr.study.report import OptionsRun

__all__ = ["build_options_report"]

def _diagram_titles(name: str, lang: str) -> tuple[str, str]:
    if name == "before":
        return t("d_before", lang), t("d_caption_before", lang)
    kind, label = name.split("_", 1)
    if kind == "option":
        return t("d_option", lang, label=label), t("d_caption_after", lang)
    return t("d_compare_option", lang, label=label), t("d_caption_compare", lang)


def build_options_report(run: OptionsRun, *, today: date, lang: str, files: Sequence[str], command: str = "",
                         diagrams: Mapping[str, Diagram] | None = None) -> Any:
    """The page (a :class:`~bpr.render.report.Report`) for ``run``'s options, or for the process as it is."""
    from bpr.render.report import Report, _environment_render, impact_note_text, page_basics

    before, baseline = run.before, run.baseline
    labels = run.labels
    option_names = [t("option", lang, label=label) for label in labels]
    analysis_before = analyze(before)
    analyses = [analyze(option.after) for option in run.options]
    notes: list[str] = []
    if diagrams is None:
        overlay_before = overlay_from_results(baseline.to_dict())
        if not overlay_before[0]:
            notes.append(t("d_no_waits", lang))
        diagrams = draw_options(
            before,
            [(label, option.after, analysis.findings, overlay_from_results(option.comparison.after.to_dict()))
             for label, option, analysis in zip(labels, run.options, analyses)],
            findings_before=analysis_before.findings, overlay_before=overlay_before, lang=lang)
    pictures = []
    for name in option_diagram_names(labels):
        diagram = diagrams.get(name)
        if diagram is None:
            continue
        title, caption = _diagram_titles(name, lang)
        pictures.append({
            "name": name, "title": title, "caption": caption,
            "svg": Markup(inline_svg(diagram.svg, f"d-{name}", title)) if diagram.svg else None,
            "error": t("d_missing", lang, reason=diagram.error) if diagram.error else None,
        })
    as_is = not run.options
    versions = [(t("before" if not as_is else "before_short", lang), before, baseline)]
    versions += [(name, option.after, option.comparison.after) for name, option in zip(option_names, run.options)]
    impacts = []
    for label, name, option in zip(labels, option_names, run.options):
        view = impact_section(option.impact, lang) if option.impact is not None else None
        if view is not None or option.impact_note:
            impacts.append({"label": label, "title": t("s_option", lang, label=label, name=option.after.name),
                            "impact": view, "note": impact_note_text(option, lang)})
    sections = [("summary", t("s_asis_summary" if as_is else "s_overview", lang)),
                ("diagrams", t("s_diagrams", lang)), ("charts", t("s_charts", lang)),
                ("findings", t("s_findings", lang))]
    if impacts:
        sections.append(("impact", t("s_impact", lang)))
    sections += [("assumptions", t("s_assumptions", lang)), ("method", t("s_method", lang))]
    warnings = [line for label, _, result in versions
                for line in warning_lines(result, lang, kinds=SHOWN_ABOVE_CARDS, label=label)]
    options = [{"label": label, "name": name, "process": option.after}
               for label, name, option in zip(labels, option_names, run.options)]
    columns = [label for label, _, _ in versions]
    context = {
        **page_basics(lang, today),
        "as_is": as_is,
        "title": t("asis_title" if as_is else "options_title", lang),
        "subtitle": t("asis_subtitle" if as_is else "doc_subtitle", lang),
        "before": before,
        "options": options,
        "columns": columns,
        "cover_names": [(columns[0], "before", before.name)] + [(name, "after", option.after.name)
                                                                 for name, option in zip(option_names, run.options)],
        "sections": sections,
        "overview": overview(baseline, [(label, option.comparison) for label, option in zip(labels, run.options)],
                             lang),
        "summary_note": t("summary_note", lang, replications=baseline.config.replications,
                          horizon=baseline.config.horizon),
        "warnings": warnings,
        "diagrams": pictures,
        "diagram_notes": notes,
        "diagram_files": ", ".join(f"{p['name']}.svg" for p in pictures if p["svg"]),
        "charts": charts_section(versions, lang),
        "findings": findings_by_option(before, analysis_before.findings,
                                       [(label, a.findings) for label, a in zip(labels, analyses)], lang),
        "impacts": impacts,
        "assumptions": assumptions([(label, process) for label, process, _ in versions], lang, files),
        "method": method_rows(baseline.config, lang, command, [(label, result) for label, _, result in versions]),
    }
    return Report(_environment_render("report_options.html", context), dict(diagrams), tuple(notes))
