"""How each kind of thing looks on a diagram: shapes, colours, line styles, fonts.

One place for the visual vocabulary so that the process diagram, the before/after picture and the legend
always agree. Colours are chosen to survive greyscale printing (fills differ in lightness, marks differ in
shape or line style too) and to be told apart by colour-blind readers (orange/blue rather than red/green
for the main distinctions; red is kept for the hanko mark and paper handoffs, which also differ in shape).
"""

from __future__ import annotations

FONT = "IPAGothic, Noto Sans CJK JP, sans-serif"
"""Font list for every label: Graphviz passes it to Pango (PNG/PDF) and to the SVG ``font-family``."""

FONT_SIZE = 11
SMALL_FONT_SIZE = 8.5
EDGE_FONT_SIZE = 9

INK = "#263238"
MUTED = "#607D8B"
LANE_BORDER = "#90A4AE"
LANE_FILLS = ("#F3F6F9", "#E9EEF3")
ROLE_FILL = "#FBFCFD"

PAPER_FILL = "#FFF3CD"
DIGITAL_FILL = "#E3F2FD"
APPROVAL_PAPER_FILL = "#FFE9B0"
APPROVAL_DIGITAL_FILL = "#D6E8FA"
HANDOFF_PAPER_FILL = "#FDE2E1"
HANDOFF_DIGITAL_FILL = "#E3F2FD"
OUTSIDE_WAIT_FILL = "#F1F1F1"
START_FILL = "#C8E6C9"
END_FILL = "#ECEFF1"
BAR_FILL = "#37474F"

STAMP_RED = "#C62828"
PAPER_HANDOFF_RED = "#C62828"
DIGITAL_HANDOFF_BLUE = "#1565C0"
REWORK_ORANGE = "#E65100"

SEVERITY_COLOURS: dict[str, str] = {"error": "#B71C1C", "warning": "#E65100", "info": "#1565C0"}
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

REMOVED_FILL = "#EEEEEE"
REMOVED_INK = "#9E9E9E"
REMOVED_MARK = "#C62828"
ADDED_COLOUR = "#2E7D32"
ADDED_FILL = "#E8F5E9"
CHANGED_COLOUR = "#1565C0"

# Mean waiting time classes (upper bounds in minutes, last class open). Fixed bounds rather than ones
# fitted to the data, so that a before and an after diagram share one scale.
WAIT_BOUNDS: tuple[float, ...] = (10.0, 60.0, 480.0, 2880.0)
WAIT_FILLS: tuple[str, ...] = ("#FFFFCC", "#FED976", "#FD8D3C", "#E31A1C", "#800026")
WAIT_INKS: tuple[str, ...] = (INK, INK, INK, "#FFFFFF", "#FFFFFF")

# Utilisation classes of a lane: comfortable, busy, overloaded.
UTILISATION_BOUNDS: tuple[float, ...] = (0.6, 0.85)
UTILISATION_FILLS: tuple[str, ...] = ("#E8F5E9", "#FFF8E1", "#FFEBEE")
UTILISATION_INKS: tuple[str, ...] = ("#2E7D32", "#EF6C00", "#C62828")


def wait_class(minutes: float) -> int:
    """Index into :data:`WAIT_FILLS` for a mean waiting time."""
    for index, bound in enumerate(WAIT_BOUNDS):
        if minutes < bound:
            return index
    return len(WAIT_BOUNDS)


def utilisation_class(fraction: float) -> int:
    for index, bound in enumerate(UTILISATION_BOUNDS):
        if fraction < bound:
            return index
    return len(UTILISATION_BOUNDS)
