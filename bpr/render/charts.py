"""Small SVG charts for the report: grouped and stacked bars, a histogram, a quadrant matrix, a radar.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox`` so that the page scales it
to its width; no scripts, no external fonts. Text uses the IPAGothic family (a CJK font whose glyphs are
exactly one em wide, half an em for Latin), so label widths are computed from display columns rather than
measured, and Japanese renders wherever that font (or a fallback CJK sans) is installed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from bpr.render.labels import text_width, wrap

__all__ = [
    "FONT",
    "Bar",
    "Point",
    "Series",
    "grouped_bars",
    "histogram",
    "nice_ticks",
    "quadrangle",
    "quadrant_matrix",
    "stacked_bars",
]

FONT = "IPAGothic, IPAPGothic, 'Noto Sans CJK JP', sans-serif"
"""Font list of every text in the charts (the diagrams use the same first choice)."""

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
AXIS = "#9aa5b1"

Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One coloured set of values, one per category (``None`` where the category has no value)."""

    name: str
    values: Sequence[float | None]
    colour: str


@dataclass(frozen=True)
class Bar:
    """One segment of a stacked bar."""

    name: str
    colour: str


@dataclass(frozen=True)
class Point:
    """One labelled point of a quadrant matrix."""

    label: str
    x: float
    y: float
    colour: str
    title: str = ""


def _text_px(value: str, size: float) -> float:
    """Width of ``value`` in pixels at font size ``size`` (IPAGothic: wide glyphs 1 em, others 0.5 em)."""
    return text_width(value) * size / 2


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _t(x: float, y: float, body: str, *, size: float = 12, anchor: str = "start", fill: str = INK,
       weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{_num(round(x, 1))}" y="{_num(round(y, 1))}" font-size="{_num(size)}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}"{extra}>{escape(body)}</text>')


def _svg(width: float, height: float, title: str, body: list[str], css_class: str = "chart") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {_num(width)} {_num(round(height))}" '
        f'width="{_num(width)}" height="{_num(round(height))}" role="img" font-family="{escape(FONT)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``high`` (steps of 1, 2 or 5 times a power of ten)."""
    if not math.isfinite(high) or high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < high - 1e-9 * high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _legend(items: Sequence[tuple[str, str]], x: float, y: float, width: float, size: float = 12) -> tuple[list[str], float]:
    """Legend swatches flowing left to right, wrapping at ``width``; returns the parts and the height used."""
    parts: list[str] = []
    cx, cy = x, y
    row = size + 8
    for name, colour in items:
        item_width = 14 + 6 + _text_px(name, size) + 18
        if cx > x and cx + item_width > x + width:
            cx, cy = x, cy + row
        parts.append(f'<rect x="{_num(cx)}" y="{_num(cy - size + 2)}" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(_t(cx + 18, cy + 1, name, size=size, fill=MUTED))
        cx += item_width
    return parts, cy - y + row


def _label_lines(label: str, width_px: float, size: float) -> list[str]:
    columns = max(8, int(width_px / (size / 2)))
    return wrap(label, columns, 2)


# --- bars ---------------------------------------------------------------------------------------------


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Format,
    *,
    width: float = 720,
    reference: tuple[float, str] | None = None,
    max_value: float | None = None,
    tick_unit: float = 1.0,
) -> str:
    """Horizontal bars, one group per category (label on the left), one bar per series, values at the ends.

    ``reference`` draws a dashed vertical line at a value with a caption (e.g. a utilisation warning level);
    ``tick_unit`` is the size of the unit the axis is read in (1440 for minutes shown as days), so that its
    ticks are round numbers of that unit.
    """
    size = 12.5
    label_width = min(230.0, max([_text_px(c, size) for c in categories] + [60.0]) + 12)
    value_room = max([_text_px(fmt(v), 11.5) for s in series for v in s.values if v is not None] + [30.0]) + 10
    plot_left = label_width + 8
    plot_width = width - plot_left - value_room - 8
    bar_height = 14.0
    gap = 3.0
    group_gap = 14.0
    legend, legend_height = _legend([(s.name, s.colour) for s in series], plot_left, 18, plot_width + value_room)
    top = 18 + legend_height + 4
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    high = max_value if max_value is not None else max(values + [reference[0] if reference else 0.0, 0.0])
    ticks = [tick * tick_unit for tick in nice_ticks((high if high > 0 else tick_unit) / tick_unit)]
    scale_max = ticks[-1]
    group_height = len(series) * (bar_height + gap) - gap
    plot_height = len(categories) * (group_height + group_gap)
    body = list(legend)

    def x_of(value: float) -> float:
        return plot_left + plot_width * max(0.0, value) / scale_max

    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{_num(round(x, 1))}" y1="{_num(top)}" x2="{_num(round(x, 1))}" '
                    f'y2="{_num(round(top + plot_height, 1))}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_t(x, top + plot_height + 16, fmt(tick), size=11, anchor="middle", fill=MUTED))
    for index, category in enumerate(categories):
        y0 = top + index * (group_height + group_gap) + group_gap / 2
        lines = _label_lines(category, label_width - 8, size)
        middle = y0 + group_height / 2
        for line_no, line in enumerate(lines):
            offset = (line_no - (len(lines) - 1) / 2) * (size + 2)
            body.append(_t(label_width, middle + offset + size / 3, line, size=size, anchor="end"))
        for number, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else None
            y = y0 + number * (bar_height + gap)
            if value is None or not math.isfinite(value):
                body.append(_t(plot_left + 4, y + bar_height - 3, "—", size=11, fill=MUTED))
                continue
            end = x_of(value)
            body.append(f'<rect x="{_num(plot_left)}" y="{_num(round(y, 1))}" width="{_num(round(max(end - plot_left, 0.8), 1))}" '
                        f'height="{_num(bar_height)}" rx="2" fill="{item.colour}"><title>{escape(item.name)}: '
                        f"{escape(fmt(value))}</title></rect>")
            body.append(_t(end + 5, y + bar_height - 3, fmt(value), size=11.5, fill=INK))
    body.append(f'<line x1="{_num(plot_left)}" y1="{_num(top)}" x2="{_num(plot_left)}" y2="{_num(round(top + plot_height, 1))}" '
                f'stroke="{AXIS}" stroke-width="1"/>')
    if reference is not None:
        x = x_of(reference[0])
        body.append(f'<line x1="{_num(round(x, 1))}" y1="{_num(top - 2)}" x2="{_num(round(x, 1))}" '
                    f'y2="{_num(round(top + plot_height, 1))}" stroke="#c8553d" stroke-width="1.2" stroke-dasharray="4 3"/>')
        body.append(_t(x - 4, top + plot_height - 4, reference[1], size=10.5, anchor="end", fill="#c8553d"))
    return _svg(width, top + plot_height + 26, title, body)


def stacked_bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    segments: Sequence[Bar],
    fmt: Format,
    *,
    width: float = 720,
    tick_unit: float = 1.0,
) -> str:
    """One horizontal bar per row split into segments (e.g. lead time split by cause), total at the end.

    A segment wide enough carries its value inside; every segment's value is in its tooltip. ``tick_unit``
    as for :func:`grouped_bars`.
    """
    size = 12.5
    label_width = max([_text_px(label, size) for label, _ in rows] + [40.0]) + 12
    totals = [sum(v for v in values if math.isfinite(v) and v > 0) for _, values in rows]
    value_room = max([_text_px(fmt(t), 12) for t in totals] + [30.0]) + 12
    plot_left = label_width + 6
    plot_width = width - plot_left - value_room
    bar_height = 30.0
    row_gap = 18.0
    top = 12.0
    ticks = [tick * tick_unit for tick in nice_ticks((max(totals + [0.0]) or tick_unit) / tick_unit)]
    scale_max = ticks[-1]
    plot_height = len(rows) * (bar_height + row_gap)
    body: list[str] = []

    def x_of(value: float) -> float:
        return plot_left + plot_width * value / scale_max

    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{_num(round(x, 1))}" y1="{_num(top)}" x2="{_num(round(x, 1))}" '
                    f'y2="{_num(round(top + plot_height, 1))}" stroke="{GRID}" stroke-width="1"/>')
        body.append(_t(x, top + plot_height + 14, fmt(tick), size=11, anchor="middle", fill=MUTED))
    for index, (label, values) in enumerate(rows):
        y = top + index * (bar_height + row_gap) + row_gap / 2
        body.append(_t(label_width, y + bar_height / 2 + size / 3, label, size=size, anchor="end", weight="bold"))
        x = plot_left
        for segment, value in zip(segments, values):
            if not math.isfinite(value) or value <= 0:
                continue
            w = plot_width * value / scale_max
            body.append(f'<rect x="{_num(round(x, 2))}" y="{_num(round(y, 1))}" width="{_num(round(max(w, 0.5), 2))}" '
                        f'height="{_num(bar_height)}" fill="{segment.colour}" stroke="#ffffff" stroke-width="0.8">'
                        f"<title>{escape(segment.name)}: {escape(fmt(value))}</title></rect>")
            shown = fmt(value)
            if w >= _text_px(shown, 11) + 8:
                body.append(_t(x + w / 2, y + bar_height / 2 + 4, shown, size=11, anchor="middle", fill="#ffffff",
                               weight="bold"))
            x += w
        body.append(_t(x + 6, y + bar_height / 2 + 4.5, fmt(totals[index]), size=12, weight="bold"))
    legend, legend_height = _legend([(s.name, s.colour) for s in segments], plot_left, top + plot_height + 40,
                                    plot_width + value_room)
    body += legend
    return _svg(width, top + plot_height + 40 + legend_height, title, body)


# --- histogram ------------------------------------------------------------------------------------------


def histogram(
    title: str,
    series: Sequence[tuple[str, Sequence[float], str]],
    edges: Sequence[float],
    fmt: Format,
    *,
    axis_label: str,
    share_label: str,
    markers: Sequence[tuple[float, str, str]] = (),
    ticks: Sequence[float] | None = None,
    width: float = 720,
) -> str:
    """Share of cases per bin for each series, drawn as translucent areas with outlines over shared bins.

    Values beyond the last edge fall in the last bin (its tick is marked ``≥``); ``markers`` are vertical
    dashed lines ``(value, caption, colour)`` such as means; ``ticks`` are the values labelled on the axis
    (by default round numbers of the values' own unit).
    """
    left, right, height = 56.0, 16.0, 250.0
    legend, legend_height = _legend([(name, colour) for name, _, colour in series], left, 18, width - left - right)
    top = 18 + legend_height + 8
    plot_width = width - left - right
    bins = len(edges) - 1
    shares: list[list[float]] = []
    for _, values, _ in series:
        counts = [0] * bins
        for value in values:
            if not math.isfinite(value):
                continue
            index = bins - 1
            for b in range(bins):
                if value < edges[b + 1]:
                    index = b
                    break
            counts[index] += 1
        total = sum(counts) or 1
        shares.append([100.0 * c / total for c in counts])
    share_ticks = nice_ticks(max([max(s) for s in shares if s] + [1.0]), 4)
    y_max = share_ticks[-1]
    low, high = edges[0], edges[-1]

    def x_of(value: float) -> float:
        return left + plot_width * (min(max(value, low), high) - low) / (high - low)

    def y_of(share: float) -> float:
        return top + height * (1 - share / y_max)

    body = list(legend)
    for tick in share_ticks:
        y = y_of(tick)
        body.append(f'<line x1="{_num(left)}" y1="{_num(round(y, 1))}" x2="{_num(width - right)}" y2="{_num(round(y, 1))}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_t(left - 6, y + 4, f"{_num(tick)}%", size=11, anchor="end", fill=MUTED))
    for (name, _, colour), share in zip(series, shares):
        points = [(x_of(edges[0]), y_of(0))]
        for b in range(bins):
            points += [(x_of(edges[b]), y_of(share[b])), (x_of(edges[b + 1]), y_of(share[b]))]
        points.append((x_of(edges[-1]), y_of(0)))
        path = " ".join(f"{_num(round(px, 1))},{_num(round(py, 1))}" for px, py in points)
        body.append(f'<polygon points="{path}" fill="{colour}" fill-opacity="0.28" stroke="{colour}" stroke-width="1.6" '
                    f'stroke-linejoin="round"><title>{escape(name)}</title></polygon>')
    body.append(f'<line x1="{_num(left)}" y1="{_num(round(top + height, 1))}" x2="{_num(width - right)}" '
                f'y2="{_num(round(top + height, 1))}" stroke="{AXIS}" stroke-width="1"/>')
    for tick in ticks if ticks is not None else nice_ticks(high, 6):
        if tick > high + 1e-9:
            break
        caption = ("≥" if abs(tick - high) < 1e-9 else "") + fmt(tick)
        body.append(_t(x_of(tick), top + height + 15, caption, size=11, anchor="middle", fill=MUTED))
    body.append(_t(left + plot_width / 2, top + height + 34, axis_label, size=11.5, anchor="middle", fill=MUTED))
    body.append(_t(14, top + height / 2, share_label, size=11.5, anchor="middle", fill=MUTED,
                   extra=f' transform="rotate(-90 14 {_num(round(top + height / 2, 1))})"'))
    for number, (value, caption, colour) in enumerate(markers):
        x = x_of(value)
        body.append(f'<line x1="{_num(round(x, 1))}" y1="{_num(top)}" x2="{_num(round(x, 1))}" y2="{_num(round(top + height, 1))}" '
                    f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        anchor = "start" if x < left + plot_width * 0.7 else "end"
        shift = 4 if anchor == "start" else -4
        body.append(_t(x + shift, top + 14 + 15 * number, caption, size=11, anchor=anchor, fill=colour, weight="bold"))
    return _svg(width, top + height + 44, title, body)


# --- redesign pictures ------------------------------------------------------------------------------------


def quadrant_matrix(
    title: str,
    points: Sequence[Point],
    *,
    x_threshold: float,
    y_threshold: float,
    x_label: str,
    y_label: str,
    quadrant_labels: dict[str, str],
    width: float = 720,
) -> str:
    """Impact (up) against feasibility (right), split at the thresholds into the quadrants A, B, C and D.

    ``quadrant_labels`` maps ``A`` (top right), ``B`` (top left), ``C`` (bottom right), ``D`` (bottom left)
    to captions, and ``none`` to the caption of the band below zero (no significant gain: also D). Points carry short labels (their rank); their titles are tooltips.
    """
    left, right, top, bottom = 64.0, 20.0, 16.0, 52.0
    height = 420.0
    plot_w, plot_h = width - left - right, height
    y_values = [p.y for p in points] + [0.0, y_threshold * 2]
    span = max(y_values) - min(min(y_values), 0.0)
    y_low = min(min(y_values), 0.0) - 0.12 * span  # a band below zero for the options with no gain
    y_high = max(y_values) + 0.1 * span
    x_pad = 22.0  # points at feasibility 0 or 1 stay inside the frame

    def x_of(value: float) -> float:
        return left + x_pad + (plot_w - 2 * x_pad) * min(max(value, 0.0), 1.0)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - y_low) / (y_high - y_low))

    tx, ty = x_of(x_threshold), y_of(y_threshold)
    right_edge = left + plot_w
    zero = y_of(0.0)
    bottom_edge = top + plot_h
    # Quadrants: A/B above the impact threshold, C/D between zero and it, and a D band for no gain (score
    # <= 0) across the whole width, as the quadrant rules say.
    shades = {"A": ("#e3f2ec", tx, top, right_edge, ty), "B": ("#fdf3e1", left, top, tx, ty),
              "C": ("#e8f0f8", tx, ty, right_edge, zero), "D": ("#f1f3f5", left, ty, tx, zero)}
    body: list[str] = []
    for letter, (colour, x1, y1, x2, y2) in shades.items():
        body.append(f'<rect x="{_num(round(x1, 1))}" y="{_num(round(y1, 1))}" width="{_num(round(x2 - x1, 1))}" '
                    f'height="{_num(round(y2 - y1, 1))}" fill="{colour}"/>')
        anchor_right = letter in ("A", "C")
        lx = x2 - 10 if anchor_right else x1 + 10
        ly = y1 + 26 if letter in ("A", "B") else y2 - 8
        body.append(_t(lx, ly, letter, size=22, anchor="end" if anchor_right else "start", fill="#829ab1", weight="bold"))
        body.append(_t(lx + (-28 if anchor_right else 28), ly - 3, quadrant_labels.get(letter, ""), size=12,
                       anchor="end" if anchor_right else "start", fill=MUTED))
    body.append(f'<rect x="{_num(left)}" y="{_num(round(zero, 1))}" width="{_num(plot_w)}" '
                f'height="{_num(round(bottom_edge - zero, 1))}" fill="#e4e7eb"/>')
    body.append(_t(left + 10, bottom_edge - 8, f"D  {quadrant_labels.get('none', '')}".rstrip(), size=12, fill=MUTED))
    body.append(f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(plot_w)}" height="{_num(plot_h)}" fill="none" '
                f'stroke="{AXIS}"/>')
    body.append(f'<line x1="{_num(round(tx, 1))}" y1="{_num(top)}" x2="{_num(round(tx, 1))}" y2="{_num(round(zero, 1))}" '
                f'stroke="#829ab1" stroke-width="1.2" stroke-dasharray="6 4"/>')
    body.append(f'<line x1="{_num(left)}" y1="{_num(round(ty, 1))}" x2="{_num(left + plot_w)}" y2="{_num(round(ty, 1))}" '
                f'stroke="#829ab1" stroke-width="1.2" stroke-dasharray="6 4"/>')
    body.append(f'<line x1="{_num(left)}" y1="{_num(round(zero, 1))}" x2="{_num(left + plot_w)}" y2="{_num(round(zero, 1))}" '
                f'stroke="{AXIS}" stroke-width="1"/>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(_t(x_of(tick), top + plot_h + 16, f"{tick:.2f}", size=11, anchor="middle", fill=MUTED))
    for tick in nice_ticks(y_high, 4):
        if tick <= y_high:
            body.append(_t(left - 6, y_of(tick) + 4, f"{tick:.2f}", size=11, anchor="end", fill=MUTED))
    body.append(_t(left + plot_w / 2, top + plot_h + 36, x_label, size=12, anchor="middle", fill=INK))
    body.append(_t(16, top + plot_h / 2, y_label, size=12, anchor="middle", fill=INK,
                   extra=f' transform="rotate(-90 16 {_num(round(top + plot_h / 2, 1))})"'))
    placed: list[tuple[float, float]] = []
    band_middle = (zero + bottom_edge) / 2
    for point in points:
        # No gain (score <= 0) is drawn in the band below zero: at its score, or in the band's middle.
        x0, y = x_of(point.x), (y_of(point.y) if point.y > 0 else max(y_of(point.y), band_middle))
        # Points at (almost) the same place are fanned out left and right so every label stays readable.
        x = x0
        for k in range(1, 40):
            if not any(abs(px - x) < 19 and abs(py - y) < 19 for px, py in placed):
                break
            x = x0 + (k + 1) // 2 * 20 * (-1 if k % 2 else 1)
            x = min(max(x, left + 11), right_edge - 11)
        placed.append((x, y))
        body.append(f'<circle cx="{_num(round(x, 1))}" cy="{_num(round(y, 1))}" r="10" fill="{point.colour}" '
                    f'stroke="#ffffff" stroke-width="1.5"><title>{escape(point.title or point.label)}</title></circle>')
        body.append(_t(x, y + 4, point.label, size=11, anchor="middle", fill="#ffffff", weight="bold"))
    return _svg(width, top + plot_h + bottom, title, body)


def quadrangle(
    title: str,
    axes: Sequence[tuple[str, float | None]],
    *,
    colour: str = "#1f6f8b",
    size: float = 240,
) -> str:
    """The devil's quadrangle: one axis per dimension (top, right, bottom, left), scores in [-1, 1].

    The centre is -1 (much worse), the dashed ring 0 (unchanged), the outer ring +1 (much better); each
    caption carries its score as a percentage; a score that could not be computed is drawn as 0 with ``?``.
    """
    width = size + 130  # room for the side captions
    cx, cy = width / 2, size / 2
    radius = size / 2 - 32
    body: list[str] = []
    directions = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)]
    body.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(radius)}" fill="#f5f7fa" stroke="{GRID}"/>')
    body.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(radius / 2)}" fill="none" stroke="{AXIS}" '
                f'stroke-dasharray="3 3"/>')
    points = []
    for (dx, dy), (name, score) in zip(directions, axes):
        body.append(f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(round(cx + dx * radius, 1))}" '
                    f'y2="{_num(round(cy + dy * radius, 1))}" stroke="{GRID}"/>')
        value = 0.0 if score is None or not math.isfinite(score) else max(-1.0, min(1.0, score))
        r = radius * (value + 1) / 2
        points.append((cx + dx * r, cy + dy * r))
        caption = f"{name} ?" if score is None else f"{name} {value * 100:+.0f}%"
        lx, ly = cx + dx * (radius + 8), cy + dy * (radius + 8)
        anchor = "middle" if dx == 0 else ("start" if dx > 0 else "end")
        if dx == 0:
            ly += 10 if dy > 0 else -2
        else:
            ly += 4
        body.append(_t(lx, ly, caption, size=13, anchor=anchor, fill=INK))
    path = " ".join(f"{_num(round(px, 1))},{_num(round(py, 1))}" for px, py in points)
    body.append(f'<polygon points="{path}" fill="{colour}" fill-opacity="0.22" stroke="{colour}" stroke-width="2" '
                f'stroke-linejoin="round"/>')
    for px, py in points:
        body.append(f'<circle cx="{_num(round(px, 1))}" cy="{_num(round(py, 1))}" r="2.5" fill="{colour}"/>')
    return _svg(width, size, title, body, css_class="chart quadrangle")
