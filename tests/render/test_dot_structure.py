"""The swimlane diagram as Graphviz lays it out: lanes, node kinds, edge styles, findings and results marks."""

from __future__ import annotations

import re

import pytest
from render_layout import layout
from render_samples import small_data, small_process

from bpr.analysis import Finding
from bpr.model.load import process_from_data
from bpr.render import render_dot, style


@pytest.fixture(scope="module")
def small():
    return small_process()


@pytest.fixture(scope="module")
def drawn(small):
    return layout(render_dot(small))


def _label(node_or_cluster) -> str:
    return str(node_or_cluster.get("label") if hasattr(node_or_cluster, "get") else node_or_cluster.attrs["label"])


def test_one_lane_per_department_in_flow_order(drawn):
    lanes = {name: c for name, c in drawn.clusters.items() if re.fullmatch(r"cluster_lane\d+", name)}
    titles = [re.search(r"<B>(.*?)</B>", lanes[f"cluster_lane{i}"].attrs["label"]).group(1) for i in range(3)]
    assert titles == ["市民課", "財政課", "総務部"]
    # Stacked top to bottom in the order the flow reaches them (Graphviz y grows upwards).
    tops = [lanes[f"cluster_lane{i}"].box[3] for i in range(3)]
    assert tops[0] > tops[1] > tops[2]
    # Every lane spans the same width (first to last rank), as swimlanes do.
    lefts = {round(lanes[f"cluster_lane{i}"].box[0]) for i in range(3)}
    rights = {round(lanes[f"cluster_lane{i}"].box[2]) for i in range(3)}
    assert max(rights) - min(rights) < 20 and max(lefts) - min(lefts) < 40


def test_work_steps_sit_in_their_roles_sub_lane(drawn, small):
    roles = {step.id: step.role for step in small.steps if hasattr(step, "role")}
    sub_lanes: dict[str, set[str]] = {}
    for step_id, role in roles.items():
        sub_lanes.setdefault(role, set()).add(drawn.cluster_of(step_id))
    assert all(len(clusters) == 1 for clusters in sub_lanes.values()), sub_lanes
    assert len({next(iter(c)) for c in sub_lanes.values()}) == len(sub_lanes)  # one sub-lane per role
    assert drawn.department_cluster_of("receive") == drawn.department_cluster_of("chief_check") == "cluster_lane0"
    assert drawn.department_cluster_of("budget_check") == drawn.department_cluster_of("manager_ok")
    assert "窓口係員 · 3人" in drawn.clusters[drawn.cluster_of("receive")].attrs["label"]


def test_steps_without_role_follow_the_work_before_them(drawn):
    assert drawn.department_cluster_of("big") == drawn.department_cluster_of("manager_ok")  # decision
    assert drawn.department_cluster_of("cosign") == drawn.department_cluster_of("manager_ok")  # parallel bar
    assert drawn.department_cluster_of("done") == drawn.department_cluster_of("notify")  # end
    # A handoff stands in the department it leaves from, outside the role sub-lanes.
    assert drawn.department_cluster_of("mail_run") == "cluster_lane0"
    assert drawn.cluster_of("mail_run") == "cluster_lane0"


def test_node_shapes_tell_the_kinds_apart(drawn):
    node = drawn.nodes
    assert node["receive"].get("shape") == "note"  # paper task
    assert node["enter"].get("shape") == "box" and "rounded" in node["enter"].get("style")  # digital task
    assert node["chief_check"].get("peripheries") == "2"  # approval: double border
    assert node["legal_check"].get("peripheries", "1") == "1"
    assert node["mail_run"].get("shape") == "cds"  # handoff
    assert node["big"].get("shape") == "diamond"
    for bar in ("cosign", "cosign_done"):
        assert node[bar].get("shape") == "box" and node[bar].get("label") == ""
        assert float(node[bar].get("width")) < 0.2 < float(node[bar].get("height"))  # a bar across the flow
    assert node["done"].get("shape") == "circle" and node["done"].get("penwidth") == "3"
    assert node["_start"].get("shape") == "circle"


def test_stamp_mark_only_on_stamped_steps(drawn, small):
    for step in small.steps:
        label = str(drawn.nodes[step.id].get("label"))
        has_mark = f'<TD BORDER="1" COLOR="{style.STAMP_RED}"' in label and "印" in label
        assert has_mark == bool(getattr(step, "stamp", False)), step.id


def test_facts_under_the_name(drawn):
    label = drawn.nodes["receive"].get("label")
    assert "申請書の受付<BR/>と本人確認" in label  # wrapped into two balanced lines
    assert "15分 · 紙 · 来庁者待ち" in label
    assert "再入力" in drawn.nodes["enter"].get("label")
    assert "一括処理 10:00/16:00" in drawn.nodes["manager_ok"].get("label")
    assert "庁内便 · 14:00発 · 2時間" in drawn.nodes["mail_run"].get("label")


def test_edge_styles(drawn):
    rework = drawn.edge("chief_check", "receive")
    assert rework["style"] == "dashed" and rework["color"] == style.REWORK_ORANGE
    assert rework["label"] == "差戻し 10%"
    assert drawn.edge("manager_ok", "budget_check")["label"] == "差戻し 5%"
    for tail, head in (("chief_check", "mail_run"), ("mail_run", "budget_check")):  # paper handoff
        edge = drawn.edge(tail, head)
        assert edge["style"] == "dashed" and edge["color"] == style.PAPER_HANDOFF_RED
        assert float(edge["penwidth"]) >= 2.5
    # An implicit handoff between departments: paper when the step it leaves is on paper, else electronic.
    assert drawn.edge("cosign", "director_ok")["color"] == style.PAPER_HANDOFF_RED
    electronic = drawn.edge("cosign", "legal_check")
    assert electronic["color"] == style.DIGITAL_HANDOFF_BLUE and electronic.get("style") != "dashed"
    plain = drawn.edge("receive", "enter")
    assert plain.get("color", style.INK) == style.INK and plain.get("style") is None
    assert drawn.edge("big", "cosign")["label"] == "amount > 1,000,000"
    assert drawn.edge("big", "notify")["label"] == "その他"
    assert drawn.edge("_start", "receive")["label"] == "窓口 12/日\n郵送 3/日"


def test_probability_branches_show_percentages():
    data = small_data()
    data["steps"][6]["next"] = [{"to": "cosign", "probability": 0.3}, {"to": "notify", "probability": 0.7}]
    drawn = layout(render_dot(process_from_data(data)))
    assert drawn.edge("big", "cosign")["label"] == "30%"
    assert drawn.edge("big", "notify")["label"] == "70%"


def test_rework_edges_do_not_constrain_ranks():
    dot_text = render_dot(small_process())
    rework_lines = [line for line in dot_text.splitlines() if "差戻し" in line and "->" in line]
    assert len(rework_lines) == 2 and all("constraint=false" in line for line in rework_lines)


FINDINGS = [
    Finding("BPR101", "dominated-approval", "warning", ("chief_check", "manager_ok"), "chief_check is repeated",
            {"remove": "chief_check"}),
    Finding("BPR301", "rekey", "error", ("enter",), "enter re-keys the form", {"digitize": ["enter"]}),
    Finding("BPR401", "batched-approval", "info", ("manager_ok",), "batched", None),
]


def test_findings_mark_steps_with_numbered_badges_and_legend():
    drawn = layout(render_dot(small_process(), findings=FINDINGS))
    badge = re.compile(r'BGCOLOR="(#[0-9A-F]{6})"[^>]*><FONT COLOR="#FFFFFF"[^>]*><B>(\d+)</B>')
    marks = {name: badge.findall(str(node.get("label"))) for name, node in drawn.nodes.items()}
    assert marks["chief_check"] == [(style.SEVERITY_COLOURS["warning"], "1")]
    assert marks["enter"] == [(style.SEVERITY_COLOURS["error"], "2")]
    assert marks["manager_ok"] == [(style.SEVERITY_COLOURS["warning"], "1"), (style.SEVERITY_COLOURS["info"], "3")]
    assert all(not found for name, found in marks.items() if name not in ("chief_check", "enter", "manager_ok"))
    # Outline in the colour of the most serious finding on the step.
    assert drawn.nodes["manager_ok"].get("color") == style.SEVERITY_COLOURS["warning"]
    assert drawn.nodes["enter"].get("color") == style.SEVERITY_COLOURS["error"]
    assert drawn.nodes["receive"].get("color") == style.INK
    legend = drawn.graph["label"]
    assert "指摘事項" in legend
    for rule, title in (("BPR101", "上位者と重複する決裁"), ("BPR301", "再入力"), ("BPR401", "一括処理待ち")):
        assert f"{rule} {title}" in legend
    assert "改善案: 「係長確認」" in legend and "対象: 係長確認、課長決裁" in legend
    assert "remove:" not in legend and "batch:" not in legend  # changes in words, never their syntax
    assert re.findall(r"<B>(\d+)</B></FONT></TD><TD COLSPAN", legend) == ["1", "2", "3"]


def test_findings_legend_in_english_keeps_the_analysis_message():
    legend = layout(render_dot(small_process(), findings=FINDINGS, lang="en")).graph["label"]
    assert "BPR101 dominated approval (warning)" in legend
    assert "chief_check is repeated" in legend and "suggested: Remove step chief_check" in legend
    assert "Findings" in legend and "Legend" in legend


def test_no_findings_no_badges_and_no_findings_legend():
    drawn = layout(render_dot(small_process()))
    assert "指摘事項" not in drawn.graph["label"]
    assert all("#FFFFFF\"" not in str(n.get("label")) or "<B>" not in str(n.get("label")) for n in drawn.nodes.values())


def test_results_overlay_colours_waits_and_lanes():
    waits = {"receive": 5.0, "enter": 30.0, "chief_check": 120.0, "manager_ok": 600.0, "budget_check": 5000.0}
    utilisation = {"clerk": 0.5, "chief": 0.7, "manager": 0.95}
    drawn = layout(render_dot(small_process(), waits=waits, utilisation=utilisation))
    expected_class = {"receive": 0, "enter": 1, "chief_check": 2, "manager_ok": 3, "budget_check": 4}
    for step_id, level in expected_class.items():
        assert drawn.nodes[step_id].get("fillcolor") == style.WAIT_FILLS[level], step_id
    assert "待ち 2時間" in drawn.nodes["chief_check"].get("label")
    assert "待ち 3.5日" in drawn.nodes["budget_check"].get("label")
    assert drawn.nodes["legal_check"].get("fillcolor") == style.DIGITAL_FILL  # no figure, no overlay
    clerk_lane = drawn.clusters[drawn.cluster_of("receive")]
    assert "稼働率 50%" in clerk_lane.attrs["label"]
    assert clerk_lane.attrs["fillcolor"] == style.UTILISATION_FILLS[0]
    manager_lane = drawn.clusters[drawn.cluster_of("manager_ok")]
    assert "稼働率 95%" in manager_lane.attrs["label"]
    assert manager_lane.attrs["fillcolor"] == style.UTILISATION_FILLS[2]
    legend = drawn.graph["label"]
    assert "平均待ち時間（色）" in legend and "担当の稼働率（レーン）" in legend


def test_legend_lists_only_symbols_in_use():
    data = small_data()
    data["steps"] = [
        {"id": "a", "name": "受付", "type": "task", "role": "clerk", "duration": "5m", "next": "z"},
        {"id": "z", "name": "完了", "type": "end"},
    ]
    legend = layout(render_dot(process_from_data(data))).graph["label"]
    assert "作業（電子）" in legend
    for absent in ("作業（紙）", "決裁・承認", "押印", "差戻し", "分岐", "紙の回付"):
        assert absent not in legend


def test_english_words_and_formats():
    drawn = layout(render_dot(small_process(), lang="en"))
    assert drawn.edge("chief_check", "receive")["label"] == "rework 10%"
    assert drawn.edge("big", "notify")["label"] == "otherwise"
    assert "15 min · paper<BR/>citizen waits" in drawn.nodes["receive"].get("label")  # facts wrap between facts
    assert "Legend" in drawn.graph["label"] and "Task (paper)" in drawn.graph["label"]
    assert "窓口係員 · 3 staff" in drawn.clusters[drawn.cluster_of("receive")].attrs["label"]


def test_unknown_language_and_direction_are_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        render_dot(small_process(), lang="fr")
    with pytest.raises(ValueError, match="unknown direction 'RL'"):
        render_dot(small_process(), direction="RL")


def test_font_is_set_for_graph_nodes_and_edges():
    dot_text = render_dot(small_process())
    font = 'fontname="IPAGothic, Noto Sans CJK JP, sans-serif"'
    assert dot_text.count(font) == 3  # graph, node and edge defaults


def test_markup_in_names_is_escaped():
    data = small_data()
    data["steps"][0]["name"] = "<b>受付</b> & 確認"
    drawn = layout(render_dot(process_from_data(data)))  # Graphviz would refuse broken HTML labels
    label = drawn.nodes["receive"].get("label")
    assert "&lt;b&gt;受付" in label and "&lt;/b&gt;" in label and "&amp;" in label
