"""Numbers and intervals in words, in Japanese and English; changes described with display names."""

from __future__ import annotations

import pytest

from bpr.changes import load_process, parse_changes
from bpr.render.report_changes import change_line
from bpr.render.report_text import ci_phrase, fmt_days, fmt_hours, fmt_percent, fmt_ratio, fmt_yen, num, t
from bpr.study.impact import is_display_only


@pytest.mark.parametrize("low, high, lang, expected", [
    (1.83, 2.31, "ja", "95%の確からしさで 1.8〜2.3日 短縮"),
    (1.83, 2.31, "en", "with 95% confidence, between 1.8 and 2.3 days shorter"),
    (-2.31, -1.83, "ja", "95%の確からしさで 1.8〜2.3日 延長"),
    (-2.31, -1.83, "en", "with 95% confidence, between 1.8 and 2.3 days longer"),
    (-0.3, 1.2, "ja", "95%の確からしさで 0.30日 延長〜1.2日 短縮の範囲（差があるとは言えません）"),
    (-0.3, 1.2, "en", "with 95% confidence, between 0.30 days longer and 1.2 days shorter: no clear difference"),
    (2.0, 2.0, "ja", "どの反復でも同じ値（ばらつきなし）"),
    (2.01, 2.02, "en", "with 95% confidence, about 2.0 days shorter"),
    (None, 1.0, "en", "no confidence interval could be computed"),
])
def test_intervals_in_words(low, high, lang, expected):
    assert ci_phrase(low, high, "time", lang, lambda v: fmt_days(v, lang)) == expected


@pytest.mark.parametrize("yen, ja, en", [
    (7_185_778, "719万円", "¥7.19 million"),
    (123_000, "12.3万円", "¥123,000"),
    (2.5e8, "2.50億円", "¥250.00 million"),
    (-50_000, "-5.0万円", "-¥50,000"),
    (800, "800円", "¥800"),
])
def test_yen_as_readers_say_it(yen, ja, en):
    assert fmt_yen(yen, "ja") == ja and fmt_yen(yen, "en") == en


def test_numbers():
    assert num(1702.49) == "1,702" and num(87.249) == "87.2" and num(0.915) == "0.92" and num(-0.0001) == "0"
    assert fmt_percent(87.25) == "87.2%" and fmt_percent(100.0) == "100%" and fmt_ratio(0.456) == "45.6%"
    assert fmt_hours(1702.4, "ja") == "1,702時間" and fmt_hours(1702.4, "en") == "1,702 hours"


def test_every_text_exists_in_both_languages():
    from bpr.render.report_text import TEXT

    assert set(TEXT["ja"]) == set(TEXT["en"])
    with pytest.raises(ValueError, match="unknown language"):
        t("doc_title", "fr")


@pytest.fixture(scope="module")
def ringi(repo_root):
    return load_process(repo_root / "scenarios/purchase_ringi/before.yaml")


@pytest.mark.parametrize("change, ja", [
    ({"remove": "hosa_check"}, "「課長補佐審査・押印」をなくす（前後の工程を直接つなぐ）"),
    ({"digitize": {"steps": ["enter_zaimu"], "factor": 0.3}},
     "「財務会計システムへ支出負担行為を入力」を電子化（紙・押印・打ち直しをなくし、回付は即時、所要時間は30%に）"),
    ({"delegate": {"step": "kessai", "to": "kacho", "when": "amount < 1000000"}},
     "「決裁（副市長）」は amount < 1,000,000 の案件を課長（原課）が専決"),
    ({"parallelize": ["zaisei_cosign", "keiyaku_cosign"]},
     "「財政課合議（予算執行の確認）」・「契約課合議（契約方法・業者選定の確認）」を同時に回す（並列合議）"),
    ({"batch": {"step": "kessai", "at": None}}, "「決裁（副市長）」の決裁箱を随時処理する（まとめ処理をやめる）"),
    ({"staff": {"zaisei": 3}}, "人員を財政課 予算執行担当 3人に"),
    ({"set": {"step": "kessai", "name": "決裁"}}, "「決裁（副市長）」の表示名を「決裁」に"),
    ({"reorder": ["keiyaku_cosign", "zaisei_cosign"]},
     "「契約課合議（契約方法・業者選定の確認）」 → 「財政課合議（予算執行の確認）」の順に回す（差し戻しの多い確認を先に）"),
    ({"triage": {"step": "kacho_check", "when": "amount < 500000", "duration": "5m"}},
     "「課長審査・押印」の前で amount < 500,000 の案件を簡易な処理（5分）に振り分ける"),
])
def test_changes_in_japanese_name_the_steps(ringi, change, ja):
    assert change_line(change, ringi, "ja") == ja


def test_digitize_in_japanese_names_the_steps_whose_digital_duration_the_file_states(repo_root):
    road = load_process(repo_root / "scenarios/road_occupancy/before.yaml")
    assert change_line({"digitize": ["to_iji", "fee_calc", "koin"]}, road, "ja") == (
        "「庁内逓送（道路管理課→道路維持課）」・「占用料の算定（条例の単価表から手計算）」・「公印押印（公印使用簿に記入）」"
        "を電子化（紙・押印・打ち直しをなくし、回付は即時、「占用料の算定（条例の単価表から手計算）」の所要時間は電子化後の見積りに）"
    )
    assert change_line({"digitize": ["to_iji"]}, road, "ja") == (
        "「庁内逓送（道路管理課→道路維持課）」を電子化（紙・押印・打ち直しをなくし、回付は即時）")


def test_changes_in_english_keep_the_cli_wording_and_add_names(ringi):
    line = change_line({"remove": "hosa_check"}, ringi, "en")
    assert line.startswith("Remove step hosa_check: cases routed to it go straight to its next step.")
    assert "hosa_check (課長補佐審査・押印)" in line


def test_every_change_kind_has_japanese_words(ringi):
    from bpr.changes import CHANGE_KINDS

    described = {"remove", "digitize", "delegate", "parallelize", "merge", "reorder", "triage", "staff", "arrivals",
                 "batch", "calendar", "set"}
    assert set(CHANGE_KINDS) <= described, f"describe {set(CHANGE_KINDS) - described} in report_changes._ja"


def test_only_name_changes_are_display_only():
    (rename,), (retime,) = parse_changes([{"set": {"step": "a", "name": "x"}}]), parse_changes(
        [{"set": {"step": "a", "name": "x", "duration": "5m"}}])
    assert is_display_only(rename) and not is_display_only(retime)
