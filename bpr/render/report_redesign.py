"""The redesign section: the impact x feasibility matrix and a devil's quadrangle per candidate.

Built from the JSON of ``bpr redesign --format json`` (``RedesignResult.to_dict()``, docs/redesign.md),
so the report can be made from a redesign run earlier, elsewhere, or just now; this module never runs one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from bpr.errors import BprError
from bpr.model.schema import Process
from bpr.render import charts
from bpr.render.report_changes import change_line
from bpr.render.report_text import fmt_percent, num, t

__all__ = ["QUADRANT_COLOURS", "check_redesign", "redesign_section"]

QUADRANT_COLOURS = {"A": "#2e8b57", "B": "#d08c2b", "C": "#3e7cb1", "D": "#8795a1"}

_AXES = ("time", "cost", "quality", "flexibility")


def check_redesign(data: Any, source: str) -> Mapping[str, Any]:
    """The document, if it is a redesign result this report can read; else a :class:`BprError` saying why."""
    if not isinstance(data, Mapping):
        raise BprError(f"{source}: expected a JSON object as written by 'bpr redesign --format json'")
    if data.get("kind") != "redesign":
        raise BprError(f"{source}: 'kind' is {data.get('kind')!r}; expected 'redesign' "
                       "(the output of 'bpr redesign FILE --format json')")
    if data.get("schema_version") != 1:
        raise BprError(f"{source}: schema_version {data.get('schema_version')!r} is not supported (this report reads 1)")
    for key in ("candidates", "thresholds", "plan", "config"):
        if key not in data:
            raise BprError(f"{source}: the redesign result has no {key!r}")
    return data


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _title(candidate: Mapping[str, Any], process: Process | None, lang: str) -> tuple[str, list[str]]:
    """A heading (the heuristic in the report's language) and the changes in plain words."""
    heuristic = str(candidate.get("heuristic", ""))
    key = f"heur_{heuristic}"
    heading = t(key, lang) if key in _known_keys(lang) else heuristic
    changes = candidate.get("changes") or []
    try:
        lines = [change_line(change, process, lang) for change in changes]
    except (BprError, ValueError, TypeError):
        lines = list(candidate.get("descriptions") or [])
    if lang == "en" and candidate.get("title"):
        heading = f"{heading}: {candidate['title']}"
    return heading, lines


def _known_keys(lang: str) -> set[str]:
    from bpr.render.report_text import TEXT

    return set(TEXT[lang])


def _lead_change(candidate: Mapping[str, Any], lang: str) -> str:
    measure = ((candidate.get("impact") or {}).get("measures") or {}).get("lead_time") or {}
    value = measure.get("percent_change")
    if not isinstance(value, (int, float)):
        return "—"
    return fmt_percent(value) + ("" if measure.get("significant") else t("ns_paren", lang))


def _quadrangle_svg(title: str, quadrangle: Mapping[str, Any], colour: str, lang: str) -> Markup:
    axes = [(t(f"axis_{axis}", lang), _score((quadrangle.get(axis) or {}).get("score"))) for axis in _AXES]
    return Markup(charts.quadrangle(title, axes, colour=colour))


def redesign_section(data: Mapping[str, Any], before: Process | None, lang: str) -> dict[str, Any]:
    """Matrix, table and quadrangles of the candidates, and the combined plan."""
    thresholds = data.get("thresholds") or {}
    high = _score(thresholds.get("high_impact")) or 0.05
    feasible = _score(thresholds.get("feasible")) or 0.5
    candidates = list(data.get("candidates") or [])
    points: list[charts.Point] = []
    rows: list[dict[str, Any]] = []  # one per candidate, for the table
    quadrangles: list[dict[str, Any]] = []
    for candidate in candidates:
        rank = candidate.get("rank", len(rows) + 1)
        impact = _score((candidate.get("impact") or {}).get("score")) or 0.0
        feasibility = _score((candidate.get("feasibility") or {}).get("score")) or 0.0
        quadrant = str(candidate.get("quadrant", "D"))
        colour = QUADRANT_COLOURS.get(quadrant, QUADRANT_COLOURS["D"])
        heading, lines = _title(candidate, before, lang)
        points.append(charts.Point(str(rank), feasibility, impact, colour, f"{rank}. {heading}"))
        rows.append({
            "rank": rank, "heading": heading, "changes": lines, "quadrant": quadrant,
            "quadrant_text": t(f"q_{quadrant}", lang) if quadrant in "ABCD" else quadrant,
            "impact": num(impact, 3), "feasibility": num(feasibility, 2), "lead": _lead_change(candidate, lang),
            "in_plan": bool(candidate.get("in_plan")), "colour": colour,
        })
        if candidate.get("quadrangle"):
            quadrangles.append({"rank": rank, "heading": heading, "quadrant": quadrant,
                                "svg": _quadrangle_svg(f"{rank}. {heading}", candidate["quadrangle"], colour, lang)})
    matrix = charts.quadrant_matrix(
        t("r_matrix", lang), points, x_threshold=feasible, y_threshold=high,
        x_label=t("r_x", lang), y_label=t("r_y", lang),
        quadrant_labels={**{q: t(f"q_{q}", lang) for q in "ABCD"}, "none": t("q_none", lang)},
    )
    plan = data.get("plan") or {}
    plan_lines: list[str] = []
    try:
        plan_lines = [change_line(change, before, lang) for change in plan.get("changes") or []]
    except (BprError, ValueError, TypeError):
        plan_lines = list(plan.get("descriptions") or [])
    plan_quadrangle = (_quadrangle_svg(t("r_plan_title", lang), plan["quadrangle"], "#17324d", lang)
                       if plan.get("quadrangle") else None)
    plan_lead = _lead_change({"impact": plan.get("impact")}, lang) if plan.get("impact") else "—"
    config = data.get("config") or {}
    return {
        "matrix": Markup(matrix),
        "rows": rows,
        "quadrangles": quadrangles,
        "plan_lines": plan_lines,
        "plan_quadrangle": plan_quadrangle,
        "plan_lead": plan_lead,
        "settings": t("r_settings", lang, replications=config.get("replications", "?"),
                      horizon=config.get("horizon", "?"), warm_up=config.get("warm_up", "?")),
    }
