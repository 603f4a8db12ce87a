"""The simulation's warnings in the report's language.

A warning carries its kind and role (:class:`bpr.simulate.results.Warning_`); its ``message`` is the
English line the CLI prints. The report words it again from the kind and the result's own numbers, so
that a Japanese report has no English sentence in it.
"""

from __future__ import annotations

from bpr.render.report_text import fmt_ratio, num, t
from bpr.simulate import SimulationResult

__all__ = ["warning_lines", "warning_text"]

SHOWN_ABOVE_CARDS = ("overload", "unfinished")
"""The warnings that make a version's averages misleading: shown above the headline figures."""


def _role(result: SimulationResult, role_id: str | None) -> str:
    role = result.roles.get(role_id or "")
    if role is None:
        return role_id or ""
    return role.name if role.name and role.name != role.id else role.id


def warning_text(warning: object, result: SimulationResult, lang: str) -> str:
    """One warning of ``result`` in words; an unknown kind keeps its message (English)."""
    kind = getattr(warning, "kind", "")
    role_id = getattr(warning, "role", None)
    role = result.roles.get(role_id or "")
    if kind == "overload" and role is not None and role.utilisation is not None:
        staff = t("a_unlimited", lang) if role.staff is None else str(role.staff)
        return t("warn_overload", lang, role=_role(result, role_id), utilisation=fmt_ratio(role.utilisation.mean),
                 staff=staff)
    if kind == "growing_queue" and role is not None:
        return t("warn_growing_queue", lang, role=_role(result, role_id), growth=num(role.queue_growth.mean, 1))
    if kind == "unfinished":
        return t("warn_unfinished", lang, count=result.cases.get("unfinished", "?"))
    return str(getattr(warning, "message", ""))


def warning_lines(result: SimulationResult, lang: str, *, kinds: tuple[str, ...] | None = None,
                  label: str = "") -> list[str]:
    """The warnings of ``result`` (of ``kinds`` only, when given), each prefixed with ``label``."""
    prefix = f"{label}: " if label else ""
    return [prefix + warning_text(w, result, lang) for w in result.warnings if kinds is None or w.kind in kinds]
