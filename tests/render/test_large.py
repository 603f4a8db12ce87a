"""A 60-step process stays readable: wrapped labels, no overlaps, bounded node sizes, a sensible shape."""

from __future__ import annotations

import re

import pytest
from render_layout import Layout, layout
from render_samples import big_process

from bpr.model.graph import build_graph
from bpr.render import render_dot
from bpr.render.dot import AUTO_TB_RANKS, choose_direction, flow_length
from bpr.render.labels import text_width


@pytest.fixture(scope="module")
def big():
    return big_process(60)


@pytest.fixture(scope="module", params=["LR", "TB"])
def drawn(request, big) -> Layout:
    return layout(render_dot(big, direction=request.param))


def _overlapping(boxes: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, str]]:
    names = sorted(boxes)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (l1, b1, r1, t1), (l2, b2, r2, t2) = boxes[a], boxes[b]
            if l1 < r2 and l2 < r1 and b1 < t2 and b2 < t1:
                found.append((a, b))
    return found


def test_the_sample_is_large(big):
    work = [s for s in big.steps if s.type in ("task", "approval")]
    assert len(work) >= 60 and flow_length(build_graph(big)) > AUTO_TB_RANKS


def test_no_two_steps_overlap(drawn, big):
    boxes = {name: node.box for name, node in drawn.nodes.items() if not name.startswith("_")}
    assert len(boxes) == len(big.steps)
    assert _overlapping(boxes) == []


def test_no_edge_label_sits_on_a_step(drawn):
    boxes = {name: node.box for name, node in drawn.nodes.items() if not name.startswith("_")}
    covered = []
    for tail, head, edge in drawn.edges:
        if "lp" not in edge:
            continue
        x, y = (float(v) for v in edge["lp"].split(","))
        covered += [(tail, head, name) for name, (l, b, r, t) in boxes.items() if l < x < r and b < y < t]
    assert covered == []


def test_names_are_wrapped_and_nodes_stay_small(drawn):
    for name, node in drawn.nodes.items():
        label = str(node.get("label"))
        match = re.search(r'<FONT COLOR="#[0-9A-F]{6}">(.*?)</FONT></TD>', label)
        if match:  # the name cell of a work step
            lines = match.group(1).split("<BR/>")
            assert len(lines) <= 3 and all(text_width(line) <= 16 for line in lines), (name, lines)
        assert float(node.get("width")) <= 2.0 and float(node.get("height")) <= 1.0, name


def test_text_is_never_scaled_down(big):
    dot_text = render_dot(big)
    assert " size=" not in dot_text and "ratio=" not in dot_text  # no shrink-to-fit: 11 pt stays 11 pt
    assert "fontsize=11" in dot_text


def test_auto_turns_a_long_flow_downwards_and_keeps_it_a_page_wide(big):
    assert choose_direction("auto", big) == "TB"
    drawn = layout(render_dot(big))
    assert drawn.graph["rankdir"] == "TB"
    left, _, right, _ = (float(v) for v in drawn.graph["bb"].split(","))
    assert (right - left) / 72 <= 12, "wider than a screen at 100%"
    assert drawn.graph["splines"] == "polyline" and float(drawn.graph["nodesep"]) < 0.3


def test_roles_share_their_department_column_downwards_and_are_named_on_the_steps(big):
    drawn = layout(render_dot(big, direction="TB"))
    assert not [name for name in drawn.clusters if re.fullmatch(r"cluster_lane\d+_\d+", name)]
    assert "係長 · 10分 · 紙" in drawn.nodes["s04"].get("label")
    assert "係長 · 1人" in drawn.clusters["cluster_lane0"].attrs["label"]
