"""One step as a Graphviz node: its shape, fill and an HTML-like label (name, facts, marks).

The label shows what a reader of a proposal needs at a glance: the step's name (wrapped), how long it
takes, whether it is on paper, re-keyed or done with the citizen waiting, a red 印 when a seal is pressed,
and the marks added by findings, simulation results or a before/after comparison (:class:`Marks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from bpr.model.schema import Approval, Decision, End, Handoff, Join, Parallel, Process, Step, Task, Wait
from bpr.render import style
from bpr.render.labels import format_minutes, handoff_mode_name, party_name, text, text_width, wrap


@dataclass(slots=True)
class Marks:
    """Decorations on one step, gathered from findings, results and comparisons before drawing."""

    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, colour), e.g. ("1", red)
    outline: str | None = None
    outline_rank: int = 99  # lower wins: the most severe finding sets the outline colour
    fill: str | None = None
    ink: str | None = None
    notes: list[str] = field(default_factory=list)  # extra small lines under the facts
    removed: bool = False
    show_role: bool = False  # name the role in the facts (when roles share a lane)


MAX_BADGES = 3
FACTS_WIDTH = 24
"""Columns per line of the small facts under a step's name (they wrap between facts, never inside one)."""


def _fact_lines(facts: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for fact in facts:
        if lines and text_width(lines[-1] + " · " + fact) <= width:
            lines[-1] += " · " + fact
        else:
            lines.append(fact)
    return lines


def name_width(lang: str) -> int:
    """Columns per line of a step name: eight kanji, or twenty Latin letters."""
    return 16 if lang == "ja" else 20


_Boxed = Task | Approval | Handoff | Wait
"""The steps drawn as a box with a name and facts (the others are bars, a circle or a diamond)."""


def step_node(
    step: Step, process: Process, lang: str, marks: Marks | None = None, direction: str = "LR"
) -> dict[str, str]:
    """Graphviz node attributes for ``step`` (``label`` is an HTML-like label ``<...>``).

    ``direction`` is the flow of the diagram (``LR`` or ``TB``): parallel bars lie across it.
    """
    marks = marks or Marks()
    if isinstance(step, (Parallel, Join)):
        return _bar(step, process, marks, direction)
    if isinstance(step, End):
        return _end(step, lang, marks)
    if isinstance(step, Decision):
        return _decision(step, lang, marks)
    return _work(step, process, lang, marks)


def _work(step: _Boxed, process: Process, lang: str, marks: Marks) -> dict[str, str]:
    paper = step.medium == "paper"
    if isinstance(step, Wait):  # nobody of the city works: a light, dashed box
        shape = "box"
        fill = style.OUTSIDE_WAIT_FILL
        peripheries = "1"
        node_style = "rounded,dashed,filled"
    elif isinstance(step, Handoff):
        shape = "cds"
        fill = style.HANDOFF_PAPER_FILL if step.mode != "electronic" else style.HANDOFF_DIGITAL_FILL
        peripheries = "1"
        node_style = "filled"
    elif isinstance(step, Approval):
        shape = "box"
        fill = style.APPROVAL_PAPER_FILL if paper else style.APPROVAL_DIGITAL_FILL
        peripheries = "2"
        node_style = "filled"
    else:
        shape = "note" if paper else "box"
        fill = style.PAPER_FILL if paper else style.DIGITAL_FILL
        peripheries = "1"
        node_style = "filled" if paper else "rounded,filled"
    if isinstance(step, Approval) and paper:
        shape = "box"  # a double border already tells approvals apart; paper shows in fill and facts
    ink = marks.ink or style.INK
    if marks.removed:
        fill, ink = style.REMOVED_FILL, style.REMOVED_INK
        node_style += ",dashed"
    attrs = {
        "shape": shape,
        "style": node_style,
        "fillcolor": marks.fill or fill if not marks.removed else fill,
        "color": marks.outline or (style.REMOVED_INK if marks.removed else style.INK),
        "penwidth": "2.5" if marks.outline else "1",
        "peripheries": peripheries,
        "label": _html_label(step, process, lang, marks, ink),
        "tooltip": _tooltip(step),
        "margin": "0.08,0.04",
    }
    return attrs


def _html_label(step: _Boxed, process: Process, lang: str, marks: Marks, ink: str) -> str:
    name_lines = "<BR/>".join(_esc(line) for line in wrap(step.label, name_width(lang)))
    if marks.removed:
        name_lines = f"<S>{name_lines}</S>"
    cells = []
    if marks.badges:
        cells.append(f"<TD VALIGN=\"TOP\">{_badges(marks.badges)}</TD>")
    cells.append(f"<TD><FONT COLOR=\"{ink}\">{name_lines}</FONT></TD>")
    if getattr(step, "stamp", False):
        cells.append(_stamp_cell(lang, faded=marks.removed))
    rows = ["<TR>" + "".join(cells) + "</TR>"]
    span = len(cells)
    facts = _facts(step, process, lang)
    role = getattr(step, "role", None)
    if marks.show_role and role in process.roles:
        facts.insert(0, process.roles[role].name or role)
    if facts:
        fact_ink = style.MUTED if ink == style.INK else ink
        lines = "<BR/>".join(_esc(line) for line in _fact_lines(facts, FACTS_WIDTH))
        rows.append(
            f"<TR><TD COLSPAN=\"{span}\"><FONT POINT-SIZE=\"{style.SMALL_FONT_SIZE}\" COLOR=\"{fact_ink}\">"
            f"{lines}</FONT></TD></TR>"
        )
    for note in marks.notes:
        rows.append(
            f"<TR><TD COLSPAN=\"{span}\"><FONT POINT-SIZE=\"{style.SMALL_FONT_SIZE}\" COLOR=\"{ink}\">"
            f"<B>{_esc(note)}</B></FONT></TD></TR>"
        )
    return (
        "<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"1\">" + "".join(rows) + "</TABLE>>"
    )


def _facts(step: _Boxed, process: Process, lang: str) -> list[str]:
    """Short facts under the name: duration first, then what makes the step costly or slow."""
    facts: list[str] = []
    if isinstance(step, Wait):
        facts.append(party_name(step.party, lang))
        facts.append(("≈" if step.duration.variance else "") + format_minutes(step.duration.mean, lang))
        if step.medium == "paper":
            facts.append(text("paper", lang))
        return facts
    if isinstance(step, Handoff):
        facts.append(handoff_mode_name(step.mode, lang))
        if step.departures:
            facts.append("/".join(step.departures) + ("発" if lang == "ja" else " run"))
        if step.delay.mean > 0:
            facts.append(format_minutes(step.delay.mean, lang))
        return facts
    mean = step.duration.mean
    approx = "" if step.duration.variance == 0 else "≈"
    facts.append(approx + format_minutes(mean, lang))
    if step.medium == "paper":
        facts.append(text("paper", lang))
    if isinstance(step, Task) and step.rekey:
        facts.append(text("rekey", lang))
    if step.citizen_present:
        facts.append(text("citizen", lang))
    if isinstance(step, Approval):
        if step.batch:
            facts.append(text("batch", lang) + " " + "/".join(step.batch))
        if step.delegations:
            facts.append(text("delegation", lang))
    if step.control is not None:
        facts.append(text("control", lang))
    return facts


def _badges(badges: list[tuple[str, str]]) -> str:
    shown = badges[:MAX_BADGES]
    if len(badges) > MAX_BADGES:
        shown = badges[: MAX_BADGES - 1] + [(f"+{len(badges) - MAX_BADGES + 1}", style.MUTED)]
    rows = "".join(f"<TR>{badge_cell(label, colour)}</TR>" for label, colour in shown)
    return f"<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"0\">{rows}</TABLE>"


def badge_cell(label: str, colour: str) -> str:
    """A small filled rounded cell with white text: the numbered mark of a finding.

    Never give it VALIGN: Graphviz 2.43 draws a fixed-size cell with VALIGN outside its row.
    """
    width = 8 + 6 * len(label) if label.isascii() else 6 + 11 * len(label)
    return (
        f"<TD BGCOLOR=\"{colour}\" STYLE=\"rounded\" FIXEDSIZE=\"TRUE\" WIDTH=\"{width}\" HEIGHT=\"13\" CELLPADDING=\"0\">"
        f"<FONT COLOR=\"#FFFFFF\" POINT-SIZE=\"{style.SMALL_FONT_SIZE}\"><B>{_esc(label)}</B></FONT></TD>"
    )


def _stamp_cell(lang: str, faded: bool = False) -> str:
    colour = style.REMOVED_INK if faded else style.STAMP_RED
    return (
        f"<TD BORDER=\"1\" COLOR=\"{colour}\" STYLE=\"rounded\" FIXEDSIZE=\"TRUE\" WIDTH=\"17\" HEIGHT=\"17\">"
        f"<FONT COLOR=\"{colour}\" POINT-SIZE=\"9\">{text('stamp_mark', lang)}</FONT></TD>"
    )


def stamp_symbol(lang: str) -> str:
    """The 印 mark as a standalone table, for legends."""
    return (
        "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR>"
        + _stamp_cell(lang)
        + "</TR></TABLE>"
    )


def _decision(step: Decision, lang: str, marks: Marks) -> dict[str, str]:
    lines = wrap(step.label, 12 if lang == "ja" else 14, max_lines=2)
    label = "<BR/>".join(_esc(line) for line in lines)
    if marks.badges:
        label = _badge_text(marks.badges) + "<BR/>" + label
    return {
        "shape": "diamond",
        "style": "filled",
        "fillcolor": marks.fill or "#FFFFFF",
        "color": marks.outline or style.INK,
        "penwidth": "3" if marks.outline else "1",
        "label": f"<<FONT POINT-SIZE=\"{style.EDGE_FONT_SIZE + 0.5}\">{label}</FONT>>",
        "tooltip": _tooltip(step),
        "margin": "0.02,0.02",
    }


def _bar(step: Parallel | Join, process: Process, marks: Marks, direction: str) -> dict[str, str]:
    if isinstance(step, Parallel):
        branches = len(step.next)
    else:
        branches = sum(len(s.next) for s in process.steps if isinstance(s, Parallel) and s.join == step.id) or 2
    return {
        "shape": "box",
        "style": "filled",
        "fillcolor": marks.outline or style.BAR_FILL,
        "color": marks.outline or style.BAR_FILL,
        "label": "",
        "xlabel": f"<{_badge_text(marks.badges)}>" if marks.badges else "",
        "width": "0.1" if direction == "LR" else f"{max(0.8, 0.9 * branches):.2f}",
        "height": f"{max(0.5, 0.4 * branches):.2f}" if direction == "LR" else "0.1",
        "fixedsize": "true",
        "tooltip": _tooltip(step),
    }


def _end(step: End, lang: str, marks: Marks) -> dict[str, str]:
    name = step.name or step.outcome or text("end", lang)
    lines = wrap(name, 12 if lang == "ja" else 14, max_lines=2)
    label = "<BR/>".join(_esc(line) for line in lines)
    if marks.badges:
        label = _badge_text(marks.badges) + " " + label
    return {
        "shape": "circle",
        "style": "filled",
        "fillcolor": style.END_FILL,
        "color": marks.outline or style.INK,
        "penwidth": "3",
        "label": "",
        "width": "0.3",
        "fixedsize": "true",
        "xlabel": f"<<FONT POINT-SIZE=\"{style.EDGE_FONT_SIZE}\">{label}</FONT>>",
        "tooltip": _tooltip(step),
    }


def start_node(lang: str) -> dict[str, str]:
    return {
        "shape": "circle",
        "style": "filled",
        "fillcolor": style.START_FILL,
        "color": style.INK,
        "label": "",
        "width": "0.3",
        "fixedsize": "true",
        "xlabel": f"<<FONT POINT-SIZE=\"{style.EDGE_FONT_SIZE}\">{text('start', lang)}</FONT>>",
    }


def _badge_text(badges: list[tuple[str, str]]) -> str:
    return " ".join(f"<FONT COLOR=\"{colour}\"><B>[{_esc(label)}]</B></FONT>" for label, colour in badges)


def _tooltip(step: object) -> str:
    description = getattr(step, "description", "")
    label = getattr(step, "label", "")
    return f"{label} ({getattr(step, 'id', '')})" + (f": {description}" if description else "")


def _esc(value: str) -> str:
    return escape(value, quote=True)
