"""The legend under a diagram: only the symbols the diagram uses, then the numbered findings and scales.

Built as one Graphviz HTML-like table so that it is laid out exactly (a legend placed as ordinary nodes
would be moved around by the layout). Symbols are drawn with the same colours as the diagram.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from html import escape
from typing import Any

from bpr.render import style
from bpr.render.labels import format_minutes, format_percent, rule_meaning, rule_title, text, wrap
from bpr.render.nodes import badge_cell, stamp_symbol

#: Symbol kinds in the order they are listed.
SYMBOLS: tuple[str, ...] = (
    "task_digital",
    "task_paper",
    "approval",
    "stamp",
    "handoff_step",
    "wait_step",
    "handoff_paper",
    "handoff_digital",
    "decision",
    "parallel",
    "rework",
    "removed",
    "added",
    "changed",
)

SYMBOLS_PER_ROW = 4
COLUMNS = SYMBOLS_PER_ROW * 2
FINDINGS_PER_COLUMN = 6
"""Findings are listed two to a row once there are more than this many."""


@dataclass(frozen=True, slots=True)
class LegendFinding:
    """One numbered finding as listed in the legend."""

    number: str
    rule: str
    name: str
    severity: str
    message: str
    suggestion: dict[str, Any] | None
    step_names: tuple[str, ...] = ()
    suggestion_text: str = ""  # the suggestion in words (never the change's file syntax)


def legend_html(
    symbols: set[str],
    lang: str,
    findings: list[LegendFinding] | None = None,
    show_waits: bool = False,
    show_utilisation: bool = False,
) -> str:
    """The whole legend as an HTML-like label (with the outer ``<...>``), or ``""`` when empty.

    One flat grid of :data:`COLUMNS` columns (symbol, words, symbol, words, ...): Graphviz stretches a
    nested table to fill its cell, spreading the extra width over every column, which would blow the
    finding badges up; in a flat grid each badge sits in a symbol column at its own size.
    """
    used = [kind for kind in SYMBOLS if kind in symbols]
    rows: list[str] = []
    for start in range(0, len(used), SYMBOLS_PER_ROW):
        cells = "".join(
            f"<TD ALIGN=\"CENTER\">{_symbol(kind, lang)}</TD><TD ALIGN=\"LEFT\">{_esc(_symbol_text(kind, lang))}</TD>"
            for kind in used[start : start + SYMBOLS_PER_ROW]
        )
        rows.append(f"<TR>{cells}</TR>")
    if show_waits:
        rows.append(f"<TR><TD COLSPAN=\"{COLUMNS}\" ALIGN=\"LEFT\">{_wait_scale(lang)}</TD></TR>")
    if show_utilisation:
        rows.append(f"<TR><TD COLSPAN=\"{COLUMNS}\" ALIGN=\"LEFT\">{_utilisation_scale(lang)}</TD></TR>")
    if findings:
        rows.append(f"<TR><TD COLSPAN=\"{COLUMNS}\" ALIGN=\"LEFT\"><B>{_esc(text('findings', lang))}</B></TD></TR>")
        rows.extend(_finding_rows(findings, lang))
    if not rows:
        return ""
    title = f"<TR><TD COLSPAN=\"{COLUMNS}\" ALIGN=\"LEFT\"><B>{_esc(text('legend', lang))}</B></TD></TR>"
    return (
        f"<<TABLE BORDER=\"1\" COLOR=\"{style.LANE_BORDER}\" CELLBORDER=\"0\" CELLSPACING=\"3\" "
        f"CELLPADDING=\"2\" BGCOLOR=\"#FFFFFF\">{title}{''.join(rows)}</TABLE>>"
    )


def _symbol_text(kind: str, lang: str) -> str:
    if kind in ("removed", "added", "changed"):
        return text(f"{kind}_explained", lang)
    return text(kind, lang)


def _box(fill: str, border: str = style.INK, inner: str = "", rounded: bool = True, dashed: bool = False) -> str:
    styles = ",".join(part for part in ("rounded" if rounded else "", "dashed" if dashed else "") if part)
    style_attr = f" STYLE=\"{styles}\"" if styles else ""
    return (
        f"<TABLE BORDER=\"1\" COLOR=\"{border}\" BGCOLOR=\"{fill}\" CELLBORDER=\"0\" CELLPADDING=\"1\"{style_attr}>"
        f"<TR><TD WIDTH=\"30\" HEIGHT=\"14\">{inner}</TD></TR></TABLE>"
    )


def _line(colour: str, glyphs: str) -> str:
    return f"<FONT COLOR=\"{colour}\"><B>{glyphs}</B></FONT>"


def _symbol(kind: str, lang: str) -> str:
    if kind == "task_digital":
        return _box(style.DIGITAL_FILL)
    if kind == "task_paper":
        return _box(style.PAPER_FILL, rounded=False)
    if kind == "approval":
        inner = (
            f"<TABLE BORDER=\"1\" COLOR=\"{style.INK}\" CELLBORDER=\"0\" BGCOLOR=\"{style.APPROVAL_DIGITAL_FILL}\">"
            "<TR><TD WIDTH=\"24\" HEIGHT=\"8\"></TD></TR></TABLE>"
        )
        return (
            f"<TABLE BORDER=\"1\" COLOR=\"{style.INK}\" CELLBORDER=\"0\" CELLPADDING=\"1\" CELLSPACING=\"1\">"
            f"<TR><TD>{inner}</TD></TR></TABLE>"
        )
    if kind == "stamp":
        return stamp_symbol(lang)
    if kind == "handoff_step":
        return _box(style.HANDOFF_PAPER_FILL, inner=_line(style.INK, "▷"), rounded=False)
    if kind == "wait_step":
        return _box(style.OUTSIDE_WAIT_FILL, border=style.MUTED, inner=_line(style.MUTED, "待"))  # a dashed HTML table crashes dot -Tjson
    if kind == "handoff_paper":
        return _line(style.PAPER_HANDOFF_RED, "━ ━ ━→")
    if kind == "handoff_digital":
        return _line(style.DIGITAL_HANDOFF_BLUE, "━━━━→")
    if kind == "decision":
        return _line(style.INK, "◆")
    if kind == "parallel":
        return _line(style.BAR_FILL, "┃")
    if kind == "rework":
        return f"<FONT COLOR=\"{style.REWORK_ORANGE}\">- - - →</FONT>"
    if kind == "removed":
        inner = f"<FONT COLOR=\"{style.REMOVED_MARK}\" POINT-SIZE=\"8\"><B>×</B></FONT>"
        return _box(style.REMOVED_FILL, border=style.REMOVED_INK, inner=inner, dashed=True)
    if kind == "added":
        return _box(style.ADDED_FILL, border=style.ADDED_COLOUR)
    if kind == "changed":
        return _box(style.DIGITAL_FILL, border=style.CHANGED_COLOUR)
    raise ValueError(f"no legend symbol for {kind!r}")


def _wait_scale(lang: str) -> str:
    bounds = style.WAIT_BOUNDS
    names = [text("under", lang, x=format_minutes(bounds[0], lang))]
    names += [f"{format_minutes(low, lang)}–{format_minutes(high, lang)}" for low, high in itertools.pairwise(bounds)]
    names.append(text("over", lang, x=format_minutes(bounds[-1], lang)))
    cells = "".join(
        f"<TD BGCOLOR=\"{fill}\" BORDER=\"1\" COLOR=\"{style.LANE_BORDER}\">"
        f"<FONT COLOR=\"{ink}\" POINT-SIZE=\"{style.SMALL_FONT_SIZE}\">{_esc(name)}</FONT></TD>"
        for name, fill, ink in zip(names, style.WAIT_FILLS, style.WAIT_INKS)
    )
    return (
        "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"3\"><TR>"
        f"<TD ALIGN=\"LEFT\">{_esc(text('wait_scale', lang))}</TD>{cells}</TR></TABLE>"
    )


def _utilisation_scale(lang: str) -> str:
    bounds = style.UTILISATION_BOUNDS
    names = [text("under", lang, x=format_percent(bounds[0]))]
    names += [f"{format_percent(low)}–{format_percent(high)}" for low, high in itertools.pairwise(bounds)]
    names.append(text("over", lang, x=format_percent(bounds[-1])))
    cells = "".join(
        f"<TD BGCOLOR=\"{fill}\" BORDER=\"1\" COLOR=\"{style.LANE_BORDER}\">"
        f"<FONT COLOR=\"{ink}\" POINT-SIZE=\"{style.SMALL_FONT_SIZE}\">{_esc(name)}</FONT></TD>"
        for name, fill, ink in zip(names, style.UTILISATION_FILLS, style.UTILISATION_INKS)
    )
    return (
        "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"3\"><TR>"
        f"<TD ALIGN=\"LEFT\">{_esc(text('utilisation_scale', lang))}</TD>{cells}</TR></TABLE>"
    )


def _finding_rows(findings: list[LegendFinding], lang: str) -> list[str]:
    """Findings, one per row when few, two per row (each badge in a symbol column) when many."""
    per_row = 1 if len(findings) <= FINDINGS_PER_COLUMN else 2
    span = COLUMNS // per_row - 1
    width = (64 if lang == "ja" else 80) if per_row == 2 else (110 if lang == "ja" else 130)
    rows = []
    for start in range(0, len(findings), per_row):
        cells = []
        for finding in findings[start : start + per_row]:
            colour = style.SEVERITY_COLOURS.get(finding.severity, style.MUTED)
            head = f"{finding.rule} {rule_title(finding.name, lang)} ({text('severity_' + finding.severity, lang)})"
            meaning = rule_meaning(finding.name, lang)
            if meaning is not None:  # Japanese: the analysis's English message gives way to the rule's meaning
                body = wrap(meaning, width, max_lines=2)
                if finding.step_names:
                    body += wrap(f"{text('concerns', lang)}: " + "、".join(finding.step_names), width, max_lines=2)
            else:
                body = wrap(finding.message, width, max_lines=3)
            if finding.suggestion_text:
                body += wrap(f"{text('suggestion', lang)}: {finding.suggestion_text}", width, max_lines=2)
            lines = "".join(f"{_esc(line)}<BR ALIGN=\"LEFT\"/>" for line in body)
            cells.append(
                badge_cell(finding.number, colour)
                + f"<TD COLSPAN=\"{span}\" ALIGN=\"LEFT\" BALIGN=\"LEFT\">"
                f"<FONT COLOR=\"{colour}\"><B>{_esc(head)}</B></FONT><BR ALIGN=\"LEFT\"/>"
                f"<FONT POINT-SIZE=\"{style.SMALL_FONT_SIZE + 0.5}\">{lines}</FONT></TD>"
            )
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return rows


def _esc(value: str) -> str:
    return escape(value, quote=True)
