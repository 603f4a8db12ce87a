"""The report's SVG charts: geometry proportional to the numbers, valid XML, Japanese labels, no scripts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bpr.render import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert "IPAGothic" in root.get("font-family", "")
    assert not root.findall(f".//{SVG}script") and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


@pytest.mark.parametrize("high, expected", [(5, [0, 1, 2, 3, 4, 5]), (7.3, [0, 2, 4, 6, 8]), (0.33, [0, 0.1, 0.2, 0.3, 0.4]),
                                            (1860, [0, 500, 1000, 1500, 2000]), (0, [0, 1])])
def test_nice_ticks_are_round_and_cover_the_range(high, expected):
    ticks = charts.nice_ticks(high)
    assert ticks == pytest.approx(expected)


def test_grouped_bars_are_proportional_to_their_values():
    root = parse(charts.grouped_bars("稼働率", ["起案担当者", "係長"],
                                     [charts.Series("見直し前", [0.4, 0.1], "#aaa"),
                                      charts.Series("見直し後", [0.2, None], "#333")], lambda v: f"{v:.0%}"))
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in bars(root)}
    assert set(widths) == {"見直し前: 40%", "見直し前: 10%", "見直し後: 20%"}  # None draws no bar
    assert widths["見直し前: 40%"] == pytest.approx(2 * widths["見直し後: 20%"], rel=0.01)
    assert widths["見直し前: 40%"] == pytest.approx(4 * widths["見直し前: 10%"], rel=0.01)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "起案担当者" in texts and "—" in texts


def test_stacked_segments_add_up_to_the_total():
    root = parse(charts.stacked_bars("内訳", [("前", [10.0, 30.0, 0.0, 60.0]), ("後", [10.0, 5.0, 0.0, 0.0])],
                                     [charts.Bar(n, "#888") for n in ("作業", "順番待ち", "まとめ", "搬送")],
                                     lambda v: f"{v:.0f}分"))
    segments = bars(root)
    assert len(segments) == 5  # zero-length parts are not drawn
    before = sum(float(r.get("width")) for r in segments[:3])
    after = sum(float(r.get("width")) for r in segments[3:])
    assert before == pytest.approx(100 / 15 * after, rel=0.01)
    assert "100分" in [t.text for t in root.iter(f"{SVG}text")]


def test_histogram_shares_follow_the_counts():
    values = [0.5] * 6 + [1.5] * 3 + [9.0]  # 9.0 is beyond the last edge: it counts in the last bin
    root = parse(charts.histogram("分布", [("前", values, "#888")], [0, 1, 2, 3], lambda v: f"{v:g}",
                                  axis_label="日", share_label="割合", ticks=[0, 1, 2, 3]))
    polygon = root.find(f"{SVG}polygon")
    points = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
    base = points[0][1]
    heights = [base - points[1 + 2 * b][1] for b in range(3)]
    assert heights[0] == pytest.approx(2 * heights[1], rel=0.01)
    assert heights[2] == pytest.approx(heights[1] / 3, rel=0.01)
    assert "≥3" in [t.text for t in root.iter(f"{SVG}text")]


def test_matrix_places_points_in_their_quadrant():
    points = [charts.Point("1", 0.9, 0.30, "#2e8b57"), charts.Point("2", 0.2, 0.20, "#d08c2b"),
              charts.Point("3", 0.9, 0.01, "#3e7cb1"), charts.Point("4", 0.9, 0.0, "#8795a1")]
    svg = charts.quadrant_matrix("m", points, x_threshold=0.5, y_threshold=0.05, x_label="x", y_label="y",
                                 quadrant_labels={"A": "すぐに", "B": "計画", "C": "短期", "D": "下げる", "none": "なし"})
    root = parse(svg)
    rects = [r for r in root.iter(f"{SVG}rect")][:4]  # A, B, C, D shading in that order
    circles = {c.find(f"{SVG}title").text: (float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")}

    def inside(rect: ET.Element, point: tuple[float, float]) -> bool:
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        return x <= point[0] <= x + w and y <= point[1] <= y + h

    assert inside(rects[0], circles["1"]) and inside(rects[1], circles["2"]) and inside(rects[2], circles["3"])
    zero_band_top = max(float(r.get("y")) + float(r.get("height")) for r in rects)
    assert circles["4"][1] > zero_band_top  # no gain: in the band below zero


def test_quadrangle_puts_zero_on_the_dashed_ring():
    root = parse(charts.quadrangle("q", [("時間", 0.0), ("費用", 1.0), ("品質", -1.0), ("柔軟性", None)]))
    outer, ring = list(root.iter(f"{SVG}circle"))[:2]
    cx, cy, r_outer, r_ring = (float(outer.get("cx")), float(outer.get("cy")), float(outer.get("r")),
                               float(ring.get("r")))
    assert r_ring == pytest.approx(r_outer / 2)
    polygon = root.find(f"{SVG}polygon")
    top, right, bottom, _left = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
    assert cy - top[1] == pytest.approx(r_ring, abs=0.1)  # score 0
    assert right[0] - cx == pytest.approx(r_outer, abs=0.1)  # score +1
    assert bottom == pytest.approx((cx, cy), abs=0.1)  # score -1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "時間 +0%" in texts and "費用 +100%" in texts and "柔軟性 ?" in texts


def test_labels_are_escaped():
    svg = charts.grouped_bars("<b>&", ["a<b"], [charts.Series("x&y", [1.0], "#000")], str)
    parse(svg)
    assert "a&lt;b" in svg and "<b>&" not in svg and re.search(r"x&amp;y", svg)
