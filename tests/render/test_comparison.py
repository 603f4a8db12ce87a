"""Before and after in one picture: removed steps greyed and struck through, new ones green, changed blue."""

from __future__ import annotations

import pytest
from render_layout import layout
from render_samples import small_process

from bpr.changes import apply_changes
from bpr.render import render_comparison, style

CHANGES = [
    {"remove": "chief_check"},
    {"digitize": ["receive", "mail_run"]},
    {"parallelize": ["receive", "enter"]},
]


@pytest.fixture(scope="module")
def pair():
    before = small_process()
    return before, apply_changes(before, CHANGES)


@pytest.fixture(scope="module")
def drawn(pair):
    return layout(render_comparison(*pair))


def test_two_panels_before_first(drawn, pair):
    before_panel, after_panel = drawn.clusters["cluster_before"], drawn.clusters["cluster_after"]
    assert "現行:" in before_panel.attrs["label"] and "改善後:" in after_panel.attrs["label"]
    assert {n for n in before_panel.nodes if not n.startswith("b__")} == {"b_" + s for s in pair[0].step_ids}
    assert {n for n in after_panel.nodes if not n.startswith("a__")} == {"a_" + s for s in pair[1].step_ids}
    assert before_panel.box[1] > after_panel.box[3]  # before drawn above after (y grows upwards)


def test_panels_sit_side_by_side_when_drawn_downwards(pair):
    drawn = layout(render_comparison(*pair, direction="TB"))
    assert drawn.clusters["cluster_before"].box[2] < drawn.clusters["cluster_after"].box[0]


def test_removed_steps_are_greyed_struck_and_crossed(drawn):
    removed = drawn.nodes["b_chief_check"]
    assert removed.get("fillcolor") == style.REMOVED_FILL and "dashed" in removed.get("style")
    label = removed.get("label")
    assert "<S>" in label and ">×<" in label
    assert f'COLOR="{style.REMOVED_INK}"' in label  # the 印 mark is greyed too
    kept = drawn.nodes["b_budget_check"]
    assert kept.get("fillcolor") != style.REMOVED_FILL and "<S>" not in kept.get("label")


def test_added_steps_are_highlighted(drawn, pair):
    added = [s for s in pair[1].step_ids if s not in pair[0].step_ids]
    assert added, "parallelize adds a split and a join"
    for step_id in added:
        assert drawn.nodes["a_" + step_id].get("color") == style.ADDED_COLOUR


def test_changed_steps_say_what_changed(drawn):
    receive = drawn.nodes["a_receive"]
    assert receive.get("color") == style.CHANGED_COLOUR
    assert "紙→電子" in receive.get("label")
    mail = drawn.nodes["a_mail_run"]
    assert "庁内便→電子" in mail.get("label") and "所要時間 2時間→0秒" in mail.get("label")
    assert drawn.nodes["a_notify"].get("color") == style.INK  # rewired but not changed


def test_legend_explains_the_comparison_marks(drawn):
    legend = drawn.graph["label"]
    for words in ("削除された工程", "新しい工程", "変更された工程"):
        assert words in legend


def test_titles_count_stamps_and_paper(drawn):
    before = drawn.clusters["cluster_before"].attrs["label"]
    after = drawn.clusters["cluster_after"].attrs["label"]
    assert "工程 8 · 決裁 3 · 押印 3 · 回付 1 · 紙 6" in before
    assert "押印 2" in after and "紙 4" in after
