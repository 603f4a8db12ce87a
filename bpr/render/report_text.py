"""Every word of the report in Japanese and English, and numbers spelt the way readers expect.

A report is read by a mayor or a council, so intervals are said in words (「95%の確からしさで 1.8〜2.3日
短縮」, "with 95% confidence, between 1.8 and 2.3 days shorter"), yen in 万円 in Japanese, and one unit
is chosen per measure so that a before, an after and an interval read alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "LANGS",
    "LEAD_UNIT",
    "TOUCH_UNIT",
    "TEXT",
    "Direction",
    "TimeUnit",
    "ci_phrase",
    "fmt_count",
    "fmt_days",
    "fmt_fte",
    "fmt_hours",
    "fmt_lead",
    "fmt_lead_days",
    "fmt_percent",
    "fmt_ratio",
    "fmt_time",
    "fmt_yen",
    "num",
    "t",
    "time_unit",
]

LANGS = ("ja", "en")

TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "doc_title": "業務改善提案書",
        "doc_subtitle": "業務プロセスの見直しによる効果の試算",
        "date": "作成日",
        "before": "見直し前",
        "after": "見直し後",
        "before_short": "現行",
        "after_short": "見直し後",
        "prepared_with": "bpr（業務プロセス見直しツール）で作成",
        "contents": "目次",
        # sections
        "s_summary": "効果の概要",
        "s_diagrams": "業務フロー図",
        "s_charts": "詳しい結果",
        "s_findings": "見直しの対象（指摘事項）",
        "s_impact": "変更ごとの効果",
        "s_redesign": "改善案の優先順位",
        "s_check": "効果の検証（予測と実績）",
        "s_assumptions": "前提条件",
        "s_method": "試算の方法",
        # headline
        "h_reduction": "処理期間の短縮率",
        "h_reduction_detail": "受付から完了までの平均 {before} → {after}",
        "h_lead": "1件あたりの処理期間",
        "h_lead_calendar": "暦日",
        "h_lead_elapsed": "経過時間",
        "h_lead_business": "開庁日",
        "h_hours": "職員の作業時間（年間）",
        "h_hours_value": "{value} 削減",
        "h_hours_fte": "常勤職員 {fte}（1人年{hours}時間で換算）",
        "h_yen": "人件費（年間）",
        "h_yen_value": "{value} 削減",
        "h_counter": "窓口での待ち時間",
        "h_counter_none": "来庁者が窓口で待つ工程はありません（庁内の手続）",
        "h_counter_reduction": "待ち時間の短縮率",
        "h_no_stamps": "押印も部署間の回付もありません",
        "h_stamps_handoffs": "押印と部署間の回付（1件あたり）",
        "h_stamps": "押印",
        "h_handoffs": "回付",
        "h_digital": "電子化の進み具合",
        "o_lead": "処理期間（暦日）", "o_business": "処理期間（開庁日）", "o_touch": "職員の作業時間（1件あたり）",
        "o_counter": "窓口での待ち時間", "o_hours": "職員の作業時間（年間）", "o_cost": "人件費（年間）",
        "o_stamps": "押印（1件あたり）", "o_handoffs": "部署間の回付（1件あたり）", "o_e_approval": "電子決裁率",
        "o_online": "オンライン申請率", "o_measure": "項目",
        "option": "案{label}", "options_title": "改善案の比較", "asis_title": "現状の業務の姿",
        "asis_subtitle": "業務プロセスの現状の試算", "s_asis_summary": "現状の概要", "s_overview": "改善案の比較（概要）",
        "overview_intro": "見直し前と各案を同じ条件（共通乱数）で試算しました。各案の欄には、見直し前との差を95%の確からしさで示します。",
        "asis_intro": "現状の業務をシミュレーションした結果です。各数値の下に95%信頼区間を示します。",
        "s_option": "案{label}：{name}",
        "d_option": "案{label}の業務フロー", "d_compare_option": "見直し前と案{label}の比較",
        "zoom": "拡大して表示", "zoom_close": "閉じる",
        "h_deadline": "標準処理期間内に終わる案件の割合",
        "h_deadline_limit": "標準処理期間 {limit}",
        "h_deadline_p90": "9割の案件が終わるまで",
        "h_deadline_ci": "95%区間 {low}〜{high}",
        "h_e_approval": "電子決裁率",
        "h_online": "オンライン申請率",
        "h_increase": "{value} 増加",
        "times_unit": "回",
        "per_year_stamps": "年間およそ{value}回の押印がなくなります",
        "per_year_handoffs": "年間およそ{value}回の回付がなくなります",
        "not_significant": "※ 統計的に有意な差ではありません（95%区間が0をまたぐ）。",
        "summary_sentence_lead": "見直し後は、1件あたりの処理期間が平均{before}から{after}に短くなり",
        "summary_sentence_hours": "、職員の作業時間は年間約{hours}（{fte}）",
        "summary_sentence_yen": "、人件費は年間約{yen}",
        "summary_sentence_end_reduce": "減ると見込まれます。",
        "summary_sentence_end": "なると見込まれます。",
        "warning_title": "注意",
        "warn_overload": "{role}は手一杯です（稼働率{utilisation}、{staff}人）。待ち行列が際限なく伸びるため、待ち時間の平均は"
                         "試算期間の長さで変わります。人を増やすか、この役割の仕事を減らしてください。",
        "warn_growing_queue": "{role}の待ち行列が試算期間を通じて伸び続けています（最初の3分の1から最後の3分の1までに"
                              "{growth}件増加）。結果は落ち着いた状態ではなく過渡期を表しています。人を増やすか、"
                              "ウォームアップと測定期間を長くしてください。",
        "warn_unfinished": "測定期間に受け付けた案件のうち{count}件が、打ち切りの時点でまだ処理中でした。受付に処理が"
                           "追いつかず、平均はこれらの案件を含みません。",
        "summary_note": "数値はシミュレーション（{replications}回の反復、各{horizon}）の平均です。"
                        "区間は95%信頼区間で、同じ条件で試算を繰り返したときに真の値が入ると見込まれる範囲です。",
        # CI words
        "ci_exact": "どの反復でも同じ値（ばらつきなし）",
        "ci_better": "95%の確からしさで {low}〜{high} {better}",
        "ci_worse": "95%の確からしさで {low}〜{high} {worse}",
        "ci_mixed": "95%の確からしさで {worse_amount} {worse}〜{better_amount} {better}の範囲（差があるとは言えません）",
        "ci_none": "信頼区間を計算できません",
        "ci_about": "95%の確からしさで 約{value} {better}",
        "w_time_better": "短縮", "w_time_worse": "延長",
        "w_save_better": "削減", "w_save_worse": "増加",
        "w_count_better": "減少", "w_count_worse": "増加",
        "w_rate_better": "上昇", "w_rate_worse": "低下",
        # units
        "u_min": "{v}分", "u_hour": "{v}時間", "u_day": "{v}日",
        "u_hours": "{v}時間", "u_fte": "{v}人分", "u_count": "{v}回",
        # diagrams
        "d_before": "見直し前の業務フロー",
        "d_after": "見直し後の業務フロー",
        "d_compare": "見直し前と見直し後の比較",
        "d_caption_before": "番号付きの印は「見直しの対象」の表の番号です。レーンの色は職員の稼働率（緑 60%未満、黄 60〜85%、赤 85%以上）。",
        "d_caption_after": "見直し後に残る指摘を番号で示します。レーンの色は職員の稼働率です。",
        "d_caption_compare": "灰色の×はなくなる工程、緑は新しい工程、青は内容が変わる工程です。",
        "d_missing": "図を描けませんでした：{reason}",
        "d_files": "図は報告書と同じフォルダにも保存されています（{files}）。",
        "d_no_waits": "工程ごとの待ち時間の色分けは、シミュレーション結果に工程別の待ち時間（steps.<id>.waiting）がないため表示していません。",
        # charts
        "c_lead": "処理期間の分布",
        "c_lead_caption_n": "反復1回目に受け付けた案件（{counts}）の処理期間の分布。破線は全反復の平均です。",
        "c_cases_of": "{label} {n}件",
        "c_lead_caption": "反復1回目に受け付けた案件（見直し前 {before}件・見直し後 {after}件）の処理期間の分布。破線は全反復の平均です。",
        "c_lead_axis": "受付から完了までの期間（{unit}）",
        "c_share": "案件の割合",
        "c_mean": "平均",
        "c_wait": "処理期間の内訳（待ちの原因別）",
        "c_wait_caption": "1件あたりの平均。作業時間は処理の流れ（クリティカルパス）上の作業で、残りはすべて待ち時間です。",
        "c_util": "職員の稼働率（役割別）",
        "c_util_caption": "勤務時間のうち作業している割合。85%を超えると待ち行列が急に長くなります。",
        "c_util_ref": "85%",
        "c_hours": "職員の作業時間（役割別・年間）",
        "c_hours_caption": "各役割が1年間にこの手続に費やす作業時間。",
        "c_impact": "変更を順に加えたときの処理期間",
        "cause_work": "作業",
        "cause_contention": "順番待ち（職員が手一杯）",
        "cause_priority": "優先案件の追越し",
        "cause_batching": "まとめ処理待ち",
        "cause_unavailability": "時間外・休日",
        "cause_transport": "搬送・回付",
        "cause_external": "庁外の応答待ち（申請者・外部機関）",
        "cause_rework": "差戻し後の待ち",
        # findings
        "f_intro": "見直し前の業務フローを分析して見つかった、見直しの候補です。",
        "f_no": "番号", "f_rule": "指摘", "f_severity": "重要度", "f_steps": "対象の工程", "f_what": "内容",
        "f_suggestion": "改善案", "f_status": "見直し後",
        "f_resolved": "解消", "f_remains": "残る",
        "f_after_title": "見直し後に残る指摘",
        "f_after_none": "見直し後の業務フローには指摘がありません。",
        "f_none": "指摘はありません。",
        "sev_error": "誤り", "sev_warning": "要改善", "sev_info": "参考",
        # impact
        "i_intro": "見直し後のファイルは見直し前への変更の一覧です。変更を上から順に一つずつ加え、その都度シミュレーションして、"
                   "一つ前との差（その変更による上積み）を示します。上積みは加える順番によって変わります。",
        "i_no": "順", "i_change": "変更", "i_lead": "処理期間", "i_lead_gain": "処理期間の短縮",
        "i_hours_gain": "作業時間の削減／年", "i_yen_gain": "人件費の削減／年",
        "i_display_only": "表示名の変更のみ（結果は変わらないため試算を省略）",
        "i_start": "見直し前",
        "i_method": "各段階は{replications}回の反復、各{horizon}（ウォームアップ{warm_up}、シード{seed}、共通乱数）で試算しました"
                    "（{runs}回のシミュレーション）。",
        "i_grouped": "試算の回数を抑えるため、続けて並ぶ変更の一部をまとめて一段階としています（最大{steps}段階）。",
        "i_skipped": "変更ごとの効果は表示していません：{reason}",
        "i_other_base": "変更一覧を見直し前に順に加えても見直し後にならないため（変更一覧が別のファイルを元にしています）",
        "i_not_applicable": "変更一覧を見直し前に順に加えることができないため",
        "i_ns": "有意差なし",
        "ns_paren": "（有意差なし）",
        "i_ci": "95%区間",
        # redesign
        "r_intro": "bpr redesign が見直し前の業務から自動で作成した改善案を、効果（影響度）と実現可能性で位置づけました。",
        "r_matrix": "影響度 × 実現可能性",
        "r_x": "実現可能性（1 = 特別な準備なし）",
        "r_y": "影響度（有意な改善の加重和）",
        "q_A": "すぐに取り組む", "q_B": "計画して取り組む", "q_C": "短期改善", "q_D": "優先度を下げる", "q_none": "有意な改善なし（優先度を下げる）",
        "r_rank": "順位", "r_candidate": "改善案", "r_quadrant": "区分", "r_impact": "影響度", "r_feasibility": "実現可能性",
        "r_lead": "処理期間", "r_plan": "採用",
        "r_quadrangle": "悪魔の四角形（時間・費用・品質・柔軟性）",
        "r_quadrangle_caption": "外側ほど改善、破線の円が変化なし、中心に近いほど悪化。品質は統制が守られ差戻しが減るほど良く、"
                                "柔軟性は最も忙しい役割の余力の増減です。",
        "axis_time": "時間", "axis_cost": "費用", "axis_quality": "品質", "axis_flexibility": "柔軟性",
        "r_plan_title": "組み合わせた改善計画",
        "r_settings": "改善案は{replications}回の反復、各{horizon}（ウォームアップ{warm_up}）で試算されています。",
        "heur_eliminate": "工程の削除", "heur_delegate": "専決（権限の委譲）", "heur_parallel": "並列合議", "heur_merge": "工程の統合",
        "heur_digitize": "電子化", "heur_online": "オンライン化", "heur_batching": "まとめ処理の廃止", "heur_knockout": "審査順の入替え",
        "heur_triage": "簡易案件の振分け", "heur_staff": "増員", "heur_suggestion": "分析の改善案",
        # check (plan against actual)
        "c_intro": "見直し後の業務の記録から、{first}〜{last}に受け付けて完了した{cases}件の実績を、試算の予測と比べました。",
        "c_log": "記録",
        "c_figure": "指標", "c_predicted": "予測（試算）", "c_actual": "実績（記録）", "c_verdict": "判定",
        "c_lead_days": "処理期間（受付から完了まで、平均）",
        "c_deadline_share": "標準処理期間内に終わる案件の割合（{limit}）",
        "c_staff_hours_per_case": "1件あたりの職員の作業時間",
        "c_staff_hours_per_year": "年間の職員の作業時間",
        "c_range": "95%区間 {low}〜{high}",
        "c_within": "予測の範囲内", "c_better": "予測より良い", "c_worse": "予測より悪い", "c_unknown": "判定できない",
        "c_left_out": "記録の終わりにまだ処理中だった{open}件と、その最初の1件より後に受け付けた{late}件は含めていません"
                      "（最近の案件のうち早く終わったものだけを数えると、処理期間が短く見えるため）。",
        "c_no_year": "記録の期間が{days}日で{year}日に満たないため、年間の作業時間は比べていません。",
        "c_method": "予測の95%区間は試算の{replications}回の反復のばらつきから、実績の95%区間は案件ごとのばらつきから"
                    "計算しています（処理期間と1件あたりの作業時間は案件ごとの値の平均に対するt区間、期限内の割合は"
                    "ウィルソンの区間、年間の作業時間は1件あたりの作業時間と受付件数の不確かさを合わせた区間）。"
                    "二つの区間が重なれば「予測の範囲内」、離れていれば実績がどちら側にあるかで「予測より良い」"
                    "「予測より悪い」としています。",
        # assumptions
        "a_intro": "試算は、次の前提をプロセスファイル（{before_file}、{after_file}）から読み取って行いました。",
        "a_volumes": "件数（受付経路別）",
        "a_channel": "経路", "a_rate": "件数（ファイルの記載）", "a_annual": "年間件数（換算）",
        "a_steps": "工程と所要時間",
        "a_step": "工程", "a_type": "種類", "a_role": "担当", "a_duration": "所要時間", "a_medium": "媒体",
        "a_removed": "なし（廃止）", "a_new": "（新規）",
        "a_staff": "人員と人件費単価",
        "a_department": "部署", "a_count": "人数", "a_authority": "決裁権限", "a_cost": "時間単価",
        "a_calendar": "執務時間（カレンダー）",
        "a_intro_files": "試算は、次の前提をプロセスファイル（{files}）から読み取って行いました。",
        "a_version": "版", "a_users": "このカレンダーで動く役割・受付・便", "a_rules": "その他の規則",
        "a_days": "開庁日", "a_hours": "時間", "a_holidays": "祝日", "a_closed": "閉庁日", "a_always": "24時間365日",
        "a_attributes": "案件の属性",
        "a_attribute": "属性", "a_distribution": "分布",
        "a_same": "同じ",
        "a_standard": "標準",
        "a_holidays_of": "{code}の祝日",
        "instant": "なし（即時）",
        "departures": "発送 {times}",
        "a_yen_per_hour": "{v}円/時",
        "a_unlimited": "制限なし",
        "a_external": "外部（人件費に含めない）",
        "type_task": "作業", "type_approval": "決裁・承認", "type_handoff": "回付・搬送", "type_wait": "待ち",
        "type_decision": "分岐", "type_parallel": "並行開始", "type_join": "合流", "type_end": "終了",
        "medium_paper": "紙", "medium_digital": "電子", "stamp": "押印", "batch": "一括処理 {times}",
        "mean": "平均",
        "weekdays": "月火水木金土日",
        # method
        "m_replications": "反復回数",
        "m_horizon": "測定期間（1反復あたり）",
        "m_warm_up": "ウォームアップ（測定前に流す期間）",
        "m_seed": "乱数のシード",
        "m_start": "開始日",
        "m_fte": "常勤1人あたりの年間勤務時間",
        "m_units": "時間の単位",
        "m_units_text": "処理期間（受付から完了まで）と待ち時間は日、1件あたりの作業時間と窓口での待ち時間は分、年間の作業時間は時間で示します。",
        "m_crn": "見直し前と見直し後は同じ乱数（共通乱数）で試算しています。同じ案件が同じ時刻に届き、同じ確率で差し戻されるため、"
                 "差は見直しの効果だけを表します。",
        "m_ci": "「95%の確からしさで」は95%信頼区間を指します。各反復の結果のばらつきから計算した範囲で、"
                "試算を何度も繰り返すと95%の場合に真の平均値を含みます。区間が0をまたぐ差は「有意差なし」とし、効果として数えません。",
        "m_cases": "測定期間に受け付けた案件を完了まで追いかけて集計しています。年間の数値は測定期間を365日に換算したものです。",
        "m_events": "処理期間の分布は反復1回目の案件ごとの記録から描いています。",
        "m_warnings": "シミュレーションの警告",
        "m_tool": "試算と図の作成には bpr を使いました。コマンド：",
    },
    "en": {
        "doc_title": "Process redesign proposal",
        "doc_subtitle": "Estimated effects of redesigning the process",
        "date": "Date",
        "before": "Before",
        "after": "After",
        "before_short": "before",
        "after_short": "after",
        "prepared_with": "Prepared with bpr (business process redesign toolkit)",
        "contents": "Contents",
        "s_summary": "Summary of effects",
        "s_diagrams": "Process diagrams",
        "s_charts": "Detailed results",
        "s_findings": "What to redesign (findings)",
        "s_impact": "Impact of each change",
        "s_redesign": "Priorities of the improvement options",
        "s_check": "Check: the prediction against the log",
        "s_assumptions": "Assumptions",
        "s_method": "Method",
        "h_reduction": "Lead time reduction",
        "h_reduction_detail": "mean from receipt to completion {before} → {after}",
        "h_lead": "Lead time per case",
        "h_lead_calendar": "calendar days",
        "h_lead_elapsed": "elapsed time",
        "h_lead_business": "business days",
        "h_hours": "Staff-hours per year",
        "h_hours_value": "{value} saved",
        "h_hours_fte": "{fte} ({hours} hours a year per full-time employee)",
        "h_yen": "Staff cost per year",
        "h_yen_value": "{value} saved",
        "h_counter": "Waiting at the counter",
        "h_counter_none": "No step where citizens wait at a counter (an internal procedure)",
        "h_counter_reduction": "reduction",
        "h_no_stamps": "No stamps and no handoffs between departments",
        "h_stamps_handoffs": "Stamps and handoffs per case",
        "h_stamps": "stamps",
        "h_handoffs": "handoffs",
        "h_digital": "Digital adoption",
        "o_lead": "Lead time (calendar days)", "o_business": "Lead time (business days)",
        "o_touch": "Touch time per case", "o_counter": "Waiting at the counter", "o_hours": "Staff-hours per year",
        "o_cost": "Staff cost per year", "o_stamps": "Stamps per case", "o_handoffs": "Handoffs per case",
        "o_e_approval": "e-approval rate", "o_online": "online application rate", "o_measure": "Measure",
        "option": "Option {label}", "options_title": "Improvement options compared", "asis_title": "The process as it is",
        "asis_subtitle": "Simulation of the process as it works today", "s_asis_summary": "Summary",
        "s_overview": "The options compared",
        "overview_intro": "The process before and every option were simulated under the same conditions (common random "
                          "numbers). Each option's column gives its difference from the process before, with 95% confidence.",
        "asis_intro": "The process as it works today, simulated. Each figure has its 95% confidence interval under it.",
        "s_option": "Option {label}: {name}",
        "d_option": "The process of option {label}", "d_compare_option": "Before and option {label} compared",
        "zoom": "enlarge", "zoom_close": "close",
        "h_deadline": "Cases finished within the deadline",
        "h_deadline_limit": "deadline {limit}",
        "h_deadline_p90": "90% of cases done within",
        "h_deadline_ci": "95% interval {low} to {high}",
        "h_e_approval": "e-approval rate",
        "h_online": "online application rate",
        "h_increase": "{value} more",
        "times_unit": "",
        "per_year_stamps": "about {value} fewer stamps a year",
        "per_year_handoffs": "about {value} fewer handoffs a year",
        "not_significant": "Not a significant difference (the 95% interval includes zero).",
        "summary_sentence_lead": "After the redesign, a case takes on average {after} instead of {before}",
        "summary_sentence_hours": "; staff work about {hours} less a year ({fte})",
        "summary_sentence_yen": " and staff costs fall by about {yen} a year",
        "summary_sentence_end_reduce": ".",
        "summary_sentence_end": ".",
        "warning_title": "Warning",
        "warn_overload": "{role} is overloaded (utilisation {utilisation} with {staff} staff): its queue grows without "
                         "bound and waiting-time averages depend on the length of the run. Add staff or remove work "
                         "from this role.",
        "warn_growing_queue": "the queue of {role} keeps growing over the run (+{growth} cases from the first to the "
                              "last third): the results describe a transient, not a steady state. Add staff, or "
                              "lengthen the warm-up and the window.",
        "warn_unfinished": "{count} case(s) received in the window were still in process when the run stopped: the "
                           "process cannot keep up with its arrivals and the averages leave these cases out.",
        "summary_note": "Figures are means over simulation runs ({replications} replications of {horizon} each). "
                        "Intervals are 95% confidence intervals: the range expected to hold the true value.",
        "ci_exact": "the same in every replication",
        "ci_better": "with 95% confidence, between {low} and {high} {better}",
        "ci_worse": "with 95% confidence, between {low} and {high} {worse}",
        "ci_mixed": "with 95% confidence, between {worse_amount} {worse} and {better_amount} {better}: no clear difference",
        "ci_none": "no confidence interval could be computed",
        "ci_about": "with 95% confidence, about {value} {better}",
        "w_time_better": "shorter", "w_time_worse": "longer",
        "w_save_better": "saved", "w_save_worse": "added",
        "w_count_better": "fewer", "w_count_worse": "more",
        "w_rate_better": "higher", "w_rate_worse": "lower",
        "u_min": "{v} min", "u_hour": "{v} h", "u_day": "{v} days",
        "u_hours": "{v} hours", "u_fte": "{v} FTE", "u_count": "{v}",
        "d_before": "The process before the redesign",
        "d_after": "The process after the redesign",
        "d_compare": "Before and after compared",
        "d_caption_before": "Numbered badges refer to the findings table. Lane colours show staff utilisation "
                            "(green under 60%, amber 60–85%, red 85% or more).",
        "d_caption_after": "Findings that remain after the redesign are numbered. Lane colours show staff utilisation.",
        "d_caption_compare": "Grey with × : steps that go; green: new steps; blue: steps that change.",
        "d_missing": "The diagram could not be drawn: {reason}",
        "d_files": "The diagrams are also saved next to this report ({files}).",
        "d_no_waits": "Waiting time per step is not coloured: the simulation results carry no per-step waiting "
                      "(steps.<id>.waiting).",
        "c_lead": "Distribution of lead times",
        "c_lead_caption_n": "Lead times of the cases received in the first replication ({counts}). "
                            "Dashed lines: means over all replications.",
        "c_cases_of": "{n} {label}",
        "c_lead_caption": "Lead times of the cases received in the first replication ({before} before, {after} after). "
                          "Dashed lines: means over all replications.",
        "c_lead_axis": "from receipt to completion ({unit})",
        "c_share": "share of cases",
        "c_mean": "mean",
        "c_wait": "Where the lead time goes (waiting by cause)",
        "c_wait_caption": "Mean per case. Work is the work on the case's critical path; everything else is waiting.",
        "c_util": "Staff utilisation by role",
        "c_util_caption": "Share of working time spent working. Above 85%, queues grow quickly.",
        "c_util_ref": "85%",
        "c_hours": "Staff-hours per year by role",
        "c_hours_caption": "Hours each role spends on this procedure in a year.",
        "c_impact": "Lead time as the changes are added one by one",
        "cause_work": "work",
        "cause_contention": "queueing for busy staff",
        "cause_priority": "overtaken by priority cases",
        "cause_batching": "waiting for a batch",
        "cause_unavailability": "off-hours and holidays",
        "cause_transport": "transport and handoffs",
        "cause_external": "waiting for someone outside (applicant, agency)",
        "cause_rework": "waiting in rework",
        "f_intro": "Candidates for redesign found by analysing the process before the redesign.",
        "f_no": "No.", "f_rule": "Finding", "f_severity": "Severity", "f_steps": "Steps", "f_what": "What",
        "f_suggestion": "Suggested change", "f_status": "After",
        "f_resolved": "resolved", "f_remains": "remains",
        "f_after_title": "Findings left after the redesign",
        "f_after_none": "The redesigned process has no findings.",
        "f_none": "No findings.",
        "sev_error": "error", "sev_warning": "warning", "sev_info": "info",
        "i_intro": "The redesigned file is a list of changes to the process before. The changes are added one at a time, "
                   "in order, and each version is simulated; each row shows the gain over the row before it. The gain of "
                   "a change depends on the order in which changes are added.",
        "i_no": "Step", "i_change": "Change", "i_lead": "Lead time", "i_lead_gain": "Lead time saved",
        "i_hours_gain": "Staff-hours saved / year", "i_yen_gain": "Staff cost saved / year",
        "i_display_only": "names only (cannot change any figure; not simulated)",
        "i_start": "before",
        "i_method": "Each version was simulated with {replications} replications of {horizon} (warm-up {warm_up}, "
                    "seed {seed}, common random numbers): {runs} simulations.",
        "i_grouped": "To bound the cost, some consecutive changes are simulated together as one step (at most {steps} steps).",
        "i_skipped": "The impact of each change is not shown: {reason}",
        "i_other_base": "the changes added to the process before do not give the process after (the change list's "
                        "base: is another file)",
        "i_not_applicable": "the changes cannot be added to the process before one by one",
        "i_ns": "not significant",
        "ns_paren": " (not significant)",
        "i_ci": "95% interval",
        "r_intro": "Improvement options that bpr redesign proposed for the process before the redesign, placed by "
                   "impact and feasibility.",
        "r_matrix": "Impact × feasibility",
        "r_x": "feasibility (1 = nothing to prepare)",
        "r_y": "impact (weighted significant savings)",
        "q_A": "do now", "q_B": "plan", "q_C": "quick win", "q_D": "drop", "q_none": "no significant gain (drop)",
        "r_rank": "Rank", "r_candidate": "Option", "r_quadrant": "Quadrant", "r_impact": "Impact",
        "r_feasibility": "Feasibility", "r_lead": "Lead time", "r_plan": "In plan",
        "r_quadrangle": "Devil's quadrangle (time, cost, quality, flexibility)",
        "r_quadrangle_caption": "Further out is better; the dashed ring is no change; towards the centre is worse. "
                                "Quality: controls kept and less rework; flexibility: spare capacity of the busiest role.",
        "axis_time": "time", "axis_cost": "cost", "axis_quality": "quality", "axis_flexibility": "flexibility",
        "r_plan_title": "The combined plan",
        "r_settings": "Options were simulated with {replications} replications of {horizon} (warm-up {warm_up}).",
        "heur_eliminate": "task elimination", "heur_delegate": "delegation (専決)", "heur_parallel": "parallel co-sign",
        "heur_merge": "composition", "heur_digitize": "digitisation", "heur_online": "online channel",
        "heur_batching": "no batching", "heur_knockout": "knock-out order", "heur_triage": "triage", "heur_staff": "extra staff",
        "heur_suggestion": "analysis suggestion",
        "c_intro": "The log of the redesigned process: {cases} cases received from {first} to {last} and finished, "
                   "compared with the simulation's prediction.",
        "c_log": "Log",
        "c_figure": "Figure", "c_predicted": "Predicted (simulation)", "c_actual": "Actual (log)", "c_verdict": "Verdict",
        "c_lead_days": "Lead time (receipt to completion, mean)",
        "c_deadline_share": "Cases finished within the deadline ({limit})",
        "c_staff_hours_per_case": "Staff time per case",
        "c_staff_hours_per_year": "Staff time a year",
        "c_range": "95% interval {low} to {high}",
        "c_within": "within the prediction", "c_better": "better than predicted", "c_worse": "worse than predicted",
        "c_unknown": "cannot tell",
        "c_left_out": "Left out: {open} cases still open at the end of the log and {late} received after the first of "
                      "them (counting only the recent cases that finished early would make the lead time look shorter).",
        "c_no_year": "The log covers {days} days, fewer than {year}: staff time a year is not compared.",
        "c_method": "The prediction's 95% interval comes from the spread of the simulation's {replications} "
                    "replications, the log's from the spread of its cases (lead time and staff time per case: a t "
                    "interval on the mean of the case values; share within the deadline: the Wilson interval; staff "
                    "time a year: the errors of the staff time per case and of the number of cases combined). When the "
                    "two intervals overlap the verdict is \"within the prediction\"; when they are apart, better or "
                    "worse by the side the log's lies on.",
        "a_intro": "The simulation used these assumptions, read from the process files ({before_file}, {after_file}).",
        "a_volumes": "Volumes by channel",
        "a_channel": "Channel", "a_rate": "Rate (as written)", "a_annual": "Cases a year",
        "a_steps": "Steps and durations",
        "a_step": "Step", "a_type": "Type", "a_role": "Role", "a_duration": "Duration", "a_medium": "Medium",
        "a_removed": "removed", "a_new": "(new)",
        "a_staff": "Staff and hourly costs",
        "a_department": "Department", "a_count": "Staff", "a_authority": "Authority", "a_cost": "Hourly cost",
        "a_calendar": "Working calendar",
        "a_intro_files": "The simulation used these assumptions, read from the process files ({files}).",
        "a_version": "Version", "a_users": "Kept by (roles, channels, mail runs)", "a_rules": "Further rules",
        "a_days": "Days", "a_hours": "Hours", "a_holidays": "Public holidays", "a_closed": "Closed", "a_always": "24/7",
        "a_attributes": "Case attributes",
        "a_attribute": "Attribute", "a_distribution": "Distribution",
        "a_same": "same",
        "a_standard": "standard",
        "a_holidays_of": "public holidays ({code})",
        "instant": "none (instant)",
        "departures": "leaves {times}",
        "a_yen_per_hour": "¥{v}/h",
        "a_unlimited": "unlimited",
        "a_external": "external (no staff cost)",
        "type_task": "task", "type_approval": "approval", "type_handoff": "handoff", "type_wait": "wait",
        "type_decision": "decision", "type_parallel": "parallel split", "type_join": "join", "type_end": "end",
        "medium_paper": "paper", "medium_digital": "digital", "stamp": "stamp", "batch": "batched {times}",
        "mean": "mean",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "m_replications": "Replications",
        "m_horizon": "Measurement window (per replication)",
        "m_warm_up": "Warm-up (simulated before measuring)",
        "m_seed": "Random seed",
        "m_start": "Start date",
        "m_fte": "Working hours of one full-time employee a year",
        "m_units": "Units of time",
        "m_units_text": "Lead time (receipt to completion) and waiting in days; touch time per case and waiting at the "
                        "counter in minutes; staff time per year in hours.",
        "m_crn": "Before and after are simulated with common random numbers: the same cases arrive at the same times and "
                 "meet the same rejections, so a difference is the effect of the redesign alone.",
        "m_ci": "\"With 95% confidence\" refers to a 95% confidence interval computed from the spread of the "
                "replications: repeated many times, such intervals hold the true mean 95% of the time. A difference "
                "whose interval includes zero is called not significant and is not counted as an effect.",
        "m_cases": "Cases received in the measurement window are followed to completion. Yearly figures scale the "
                   "window to 365 days.",
        "m_events": "The distribution of lead times is drawn from the per-case records of the first replication.",
        "m_warnings": "Simulation warnings",
        "m_tool": "Simulation and diagrams by bpr. Command:",
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` with ``{name}`` fields filled in."""
    if lang not in TEXT:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    template = TEXT[lang][key]
    return template.format(**values) if values else template


# --- numbers ------------------------------------------------------------------------------------------


def num(value: float, decimals: int | None = None) -> str:
    """A number for people: thousands separators; one decimal under 100, two under 1 (unless told)."""
    if value is None or not math.isfinite(value):
        return "—"
    if decimals is None:
        magnitude = abs(value)
        decimals = 0 if magnitude >= 100 else 1 if magnitude >= 1 or magnitude == 0 else 2
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


@dataclass(frozen=True)
class TimeUnit:
    """A unit for durations: its text key and its size in minutes."""

    key: str
    minutes: float


def time_unit(minutes: float) -> TimeUnit:
    """Days from two days up, hours from two hours up, else minutes (a measure keeps one unit throughout)."""
    magnitude = abs(minutes) if minutes is not None and math.isfinite(minutes) else 0.0
    if magnitude >= 2 * 1440:
        return TimeUnit("u_day", 1440.0)
    if magnitude >= 120:
        return TimeUnit("u_hour", 60.0)
    return TimeUnit("u_min", 1.0)


LEAD_UNIT = TimeUnit("u_day", 1440.0)
"""Lead times (and the waiting they are made of) are said in days, in every command and the report."""
TOUCH_UNIT = TimeUnit("u_min", 1.0)
"""Touch time (staff working on a case) and counter waiting are said in minutes."""


def fmt_lead(minutes: float, lang: str) -> str:
    """A lead time in days: ``2.3日``; under a day the minutes follow: ``0.02日（25分）`` / ``0.02 days (25 min)``."""
    text = fmt_time(minutes, LEAD_UNIT, lang)
    if minutes is not None and math.isfinite(minutes) and abs(minutes) < LEAD_UNIT.minutes:
        inner = fmt_time(minutes, TOUCH_UNIT, lang)
        text += f"（{inner}）" if lang == "ja" else f" ({inner})"
    return text


def fmt_lead_days(days: float, lang: str) -> str:
    """:func:`fmt_lead` of a figure already in days."""
    return fmt_lead(days * LEAD_UNIT.minutes if days is not None and math.isfinite(days) else math.nan, lang)


def fmt_time(minutes: float, unit: TimeUnit, lang: str) -> str:
    return t(unit.key, lang, v=num(minutes / unit.minutes if math.isfinite(minutes) else math.nan))


def fmt_days(days: float, lang: str) -> str:
    return t("u_day", lang, v=num(days))


def fmt_hours(hours: float, lang: str) -> str:
    return t("u_hours", lang, v=num(hours))


def fmt_fte(fte: float, lang: str) -> str:
    return t("u_fte", lang, v=num(fte, 2 if abs(fte) < 10 else 1))


def fmt_count(count: float, lang: str) -> str:
    return t("u_count", lang, v=num(count))


def fmt_percent(percent: float) -> str:
    """A percentage already multiplied by 100: 87.25 -> '87.2%', 100.0 -> '100%'."""
    if percent is None or not math.isfinite(percent):
        return "—"
    return f"{num(percent, 1).removesuffix('.0')}%"


def fmt_ratio(fraction: float) -> str:
    """A fraction 0..1 as a percentage: 0.456 -> '45.6%', 1.0 -> '100%'."""
    return "—" if fraction is None or not math.isfinite(fraction) else fmt_percent(100 * fraction)


def fmt_yen(yen: float, lang: str) -> str:
    """Yen as a reader says it: 718万円 / 1.24億円 in Japanese, ¥7.19 million in English."""
    if yen is None or not math.isfinite(yen):
        return "—"
    sign = "-" if yen < 0 else ""
    magnitude = abs(yen)
    if lang == "ja":
        if magnitude >= 1e8:
            return f"{sign}{magnitude / 1e8:,.2f}億円"
        if magnitude >= 1e6:
            return f"{sign}{magnitude / 1e4:,.0f}万円"
        if magnitude >= 1e4:
            return f"{sign}{magnitude / 1e4:,.1f}万円"
        return f"{sign}{magnitude:,.0f}円"
    if magnitude >= 1e6:
        return f"{sign}¥{magnitude / 1e6:,.2f} million"
    return f"{sign}¥{magnitude:,.0f}"


# --- intervals in words ---------------------------------------------------------------------------------

Direction = str
"""Which words an interval uses: ``time`` (shorter/longer), ``save`` (saved/added), ``count``
(fewer/more) or ``rate`` (higher/lower)."""


def _range(low: str, high: str) -> dict[str, str]:
    """Say a shared unit once: ('1.8日', '2.3日') -> 1.8〜2.3日; ('1.8 days', '2.3 days') -> 1.8 and 2.3 days."""
    suffix = ""
    for a, b in zip(reversed(low), reversed(high)):
        if a != b or a.isdigit():
            break
        suffix = a + suffix
    if suffix and low.endswith(suffix) and len(low) > len(suffix):
        low = low[: -len(suffix)].rstrip()
    return {"low": low, "high": high}


def ci_phrase(low: float | None, high: float | None, direction: Direction, lang: str,
              fmt: Callable[[float], str]) -> str:
    """The 95% interval of a **saving** (positive = better) in words.

    ``low``/``high`` bound the saving; ``fmt`` spells an amount (always given a non-negative number).
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return t("ci_none", lang)
    if low == high:
        return t("ci_exact", lang)
    better, worse = t(f"w_{direction}_better", lang), t(f"w_{direction}_worse", lang)
    if low > 0:
        if fmt(low) == fmt(high):
            return t("ci_about", lang, value=fmt(low), better=better)
        return t("ci_better", lang, **_range(fmt(low), fmt(high)), better=better)
    if high < 0:
        if fmt(-high) == fmt(-low):
            return t("ci_about", lang, value=fmt(-low), better=worse)
        return t("ci_worse", lang, **_range(fmt(-high), fmt(-low)), worse=worse)
    return t("ci_mixed", lang, worse_amount=fmt(-low), better_amount=fmt(high), better=better, worse=worse)
