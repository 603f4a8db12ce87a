"""Words and number formats on the diagrams, in Japanese and English, and line wrapping for node names.

Diagrams are pasted into proposals, so every visible word comes from here (one table per language) and
numbers are spelt the way readers of that language expect (``15分`` / ``15 min``, ``1,000,000``).
Wrapping counts display columns (a CJK character is two) and keeps closing punctuation off the start of
a line (kinsoku), so long Japanese step names become short, balanced lines.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[str, ...] = ("ja", "en")

TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "legend": "凡例",
        "start": "開始",
        "end": "終了",
        "task_digital": "作業（電子）",
        "task_paper": "作業（紙）",
        "approval": "決裁・承認",
        "stamp": "押印（はんこ）",
        "stamp_mark": "印",
        "paper": "紙",
        "digital": "電子",
        "handoff_step": "回付・搬送",
        "wait_step": "庁外の応答待ち（申請者・外部機関・審議会）",
        "handoff_paper": "紙の回付（部署間）",
        "handoff_digital": "電子の受け渡し（部署間）",
        "decision": "分岐",
        "parallel": "並行処理の開始・合流",
        "rework": "差戻し",
        "otherwise": "その他",
        "rekey": "再入力",
        "citizen": "来庁者待ち",
        "control": "必須統制",
        "batch": "一括処理",
        "external": "外部",
        "staff": "{n}人",
        "staff_unlimited": "人数制限なし",
        "findings": "指摘事項",
        "concerns": "対象",
        "suggestion": "改善案",
        "severity_error": "誤り",
        "severity_warning": "要改善",
        "severity_info": "参考",
        "wait": "待ち",
        "mean_wait": "平均待ち時間",
        "no_wait_data": "待ち時間データなし",
        "utilisation": "稼働率",
        "before": "現行",
        "after": "改善後",
        "removed": "削除",
        "added": "新規",
        "changed": "変更",
        "steps": "工程",
        "approvals": "決裁",
        "stamps": "押印",
        "handoffs": "回付",
        "paper_steps": "紙",
        "arrow_to": "→",
        "duration_changed": "所要時間",
        "role_changed": "担当",
        "no_department": "（部署未設定）",
        "more_findings": "ほか {n} 件",
        "stamp_removed": "押印廃止",
        "stamp_added": "押印追加",
        "rekey_removed": "再入力解消",
        "batch_removed": "随時処理に",
        "batch_changed": "処理時刻変更",
        "delegation_added": "専決追加",
        "delegation": "専決あり",
        "removed_explained": "削除された工程",
        "added_explained": "新しい工程",
        "changed_explained": "変更された工程",
        "wait_scale": "平均待ち時間（色）",
        "utilisation_scale": "担当の稼働率（レーン）",
        "under": "{x}未満",
        "over": "{x}以上",
    },
    "en": {
        "legend": "Legend",
        "start": "Start",
        "end": "End",
        "task_digital": "Task (digital)",
        "task_paper": "Task (paper)",
        "approval": "Approval",
        "stamp": "Seal stamp (hanko)",
        "stamp_mark": "印",
        "paper": "paper",
        "digital": "digital",
        "handoff_step": "Handoff / transport",
        "wait_step": "Waiting for someone outside (applicant, agency, committee)",
        "handoff_paper": "Paper handoff between departments",
        "handoff_digital": "Electronic handoff between departments",
        "decision": "Decision",
        "parallel": "Parallel split / join",
        "rework": "rework",
        "otherwise": "otherwise",
        "rekey": "re-key",
        "citizen": "citizen waits",
        "control": "required control",
        "batch": "batched",
        "external": "external",
        "staff": "{n} staff",
        "staff_unlimited": "unlimited staff",
        "findings": "Findings",
        "concerns": "steps",
        "suggestion": "suggested",
        "severity_error": "error",
        "severity_warning": "warning",
        "severity_info": "info",
        "wait": "wait",
        "mean_wait": "Mean waiting time",
        "no_wait_data": "no waiting data",
        "utilisation": "utilisation",
        "before": "Before",
        "after": "After",
        "removed": "removed",
        "added": "new",
        "changed": "changed",
        "steps": "steps",
        "approvals": "approvals",
        "stamps": "stamps",
        "handoffs": "handoffs",
        "paper_steps": "paper",
        "arrow_to": "→",
        "duration_changed": "time",
        "role_changed": "by",
        "no_department": "(no department)",
        "more_findings": "{n} more",
        "stamp_removed": "no stamp",
        "stamp_added": "stamp added",
        "rekey_removed": "no re-keying",
        "batch_removed": "worked continuously",
        "batch_changed": "new in-tray times",
        "delegation_added": "delegated",
        "delegation": "delegable",
        "removed_explained": "step removed",
        "added_explained": "new step",
        "changed_explained": "step changed",
        "wait_scale": "Mean waiting time (colour)",
        "utilisation_scale": "Role utilisation (lane)",
        "under": "under {x}",
        "over": "{x} or more",
    },
}

CHANNELS: dict[str, dict[str, str]] = {
    "ja": {"counter": "窓口", "mail": "郵送", "online": "オンライン", "internal": "庁内", "phone": "電話"},
    "en": {"counter": "counter", "mail": "mail", "online": "online", "internal": "internal", "phone": "phone"},
}

HANDOFF_MODES: dict[str, dict[str, str]] = {
    "ja": {
        "internal_mail": "庁内便",
        "courier": "使送",
        "post": "郵便",
        "fax": "FAX",
        "walk": "持参",
        "electronic": "電子",
    },
    "en": {
        "internal_mail": "internal mail",
        "courier": "courier",
        "post": "post",
        "fax": "fax",
        "walk": "walked over",
        "electronic": "electronic",
    },
}

_PERIODS: dict[str, dict[str, str]] = {
    "ja": {"hour": "時間", "day": "日", "week": "週", "month": "月", "year": "年"},
    "en": {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"},
}

#: Japanese names of the analysis rules (by the rule's ``name``), and what each means in one line: the
#: analysis writes its messages in English, and a Japanese legend should not.
RULES_JA: dict[str, tuple[str, str]] = {
    "dominated-approval": ("上位者と重複する決裁", "後の上位者の決裁が、どの経路でも同じ項目を確認している"),
    "same-role-approvals": ("同じ担当の連続決裁", "同じ担当者が続けて決裁している"),
    "rubber-stamp": ("形式的な決裁", "差戻しが一度もない（確認が機能していない）"),
    "excess-authority": ("必要以上の決裁権限", "専決規程で下位の職が決裁できる案件まで上位者が決裁している"),
    "insufficient-authority": ("決裁権限の不足", "専決規程が求める職より下位の者が決裁している"),
    "serial-independent-approvals": ("並行化できる直列の決裁", "確認項目が重ならない決裁を順番に回している"),
    "handoff-ping-pong": ("回付の往復", "他部署へ回した書類がすぐ戻ってくる"),
    "handoff-chain": ("たらい回し", "一件が何度も部署をまたぐ"),
    "physical-handoff": ("書類の持ち運び", "紙の書類を部署間で運んでいる"),
    "rekey": ("再入力", "紙や別システムにあるデータを打ち直している"),
    "stamp-only": ("押印だけの工程", "押印のほかに目的が見えない工程"),
    "batched-approval": ("一括処理待ち", "決まった時刻にしか決裁箱を処理しない"),
}


def text(key: str, lang: str, **values: object) -> str:
    """The word for ``key`` in ``lang``; ``{n}``-style fields are filled from ``values``."""
    template = TEXT[_lang(lang)][key]
    return template.format(**values) if values else template


def channel_name(channel: str, lang: str) -> str:
    return CHANNELS[_lang(lang)].get(channel, channel)


PARTIES: dict[str, dict[str, str]] = {
    "ja": {"applicant": "申請者の対応待ち", "external": "外部機関の回答待ち", "committee": "審議会待ち"},
    "en": {"applicant": "waiting for the applicant", "external": "waiting for another agency",
           "committee": "waiting for the committee"},
}


def party_name(party: str, lang: str) -> str:
    """Whom a wait step waits for, in words."""
    return PARTIES[_lang(lang)].get(party, party)


def handoff_mode_name(mode: str, lang: str) -> str:
    return HANDOFF_MODES[_lang(lang)].get(mode, mode)


def rule_title(rule_name: str, lang: str) -> str:
    """A finding's rule name for the legend: translated when known, else as the analysis wrote it."""
    if _lang(lang) == "ja" and rule_name in RULES_JA:
        return RULES_JA[rule_name][0]
    return rule_name.replace("-", " ").replace("_", " ")


def rule_meaning(rule_name: str, lang: str) -> str | None:
    """One Japanese line on what a rule means, for legends in Japanese; ``None`` in English or when unknown."""
    if _lang(lang) == "ja" and rule_name in RULES_JA:
        return RULES_JA[rule_name][1]
    return None


def _lang(lang: str) -> str:
    if lang not in TEXT:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


# --- numbers -----------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """Up to two significant decimals, no trailing zeros: 2.0 -> '2', 1.25 -> '1.3', 0.5 -> '0.5'."""
    if value >= 100 or value == int(value):
        return f"{round(value):,}"
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_minutes(minutes: float, lang: str) -> str:
    """A duration for people: ``15分`` / ``15 min``, ``2.5時間`` / ``2.5 h``, ``3日`` / ``3 d`` (24-hour days)."""
    ja = _lang(lang) == "ja"
    if minutes < 1:
        seconds = minutes * 60
        return f"{_number(seconds)}秒" if ja else f"{_number(seconds)} s"
    if minutes < 60:
        return f"{_number(minutes)}分" if ja else f"{_number(minutes)} min"
    if minutes < 1440:
        return f"{_number(minutes / 60)}時間" if ja else f"{_number(minutes / 60)} h"
    return f"{_number(minutes / 1440)}日" if ja else f"{_number(minutes / 1440)} d"


def format_percent(fraction: float) -> str:
    """0.25 -> '25%'; small but non-zero shares keep a decimal (0.005 -> '0.5%')."""
    percent = fraction * 100
    if percent != 0 and abs(percent) < 1:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def format_rate(rate: tuple[float, str], lang: str) -> str:
    count, period = rate
    name = _PERIODS[_lang(lang)].get(period, period)
    return f"{_number(count)}/{name}"


_BIG_INTEGER = re.compile(r"(?<![\w.])(\d{5,})(?![\w.])")


def format_condition(condition: str) -> str:
    """A routing condition as printed on an edge: long integers get thousands separators."""
    return _BIG_INTEGER.sub(lambda m: f"{int(m.group(1)):,}", condition)


# --- wrapping ----------------------------------------------------------------------------------------

# Characters that must not begin a line (行頭禁則) and that must not end one (行末禁則).
_NO_LINE_START = set("、。，．,.・：:；;！!？?）)］]｝}」』】〉》〕ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々")
_NO_LINE_END = set("（(［[｛{「『【〈《〔")


def char_width(char: str) -> int:
    """Display columns of one character: 2 for wide (CJK, full-width) characters, else 1."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(value: str) -> int:
    return sum(char_width(c) for c in value)


def wrap(value: str, width: int = 16, max_lines: int = 3) -> list[str]:
    """Split ``value`` into lines of at most ``width`` columns (about ``width / 2`` kanji).

    Latin text breaks at spaces; Japanese breaks between any two characters except where kinsoku
    forbids. Lines are balanced (``申請書類の確認と受付`` -> two lines of five, not eight and two), and text
    beyond ``max_lines`` ends with ``…`` so that a node never grows past a readable size.
    """
    value = " ".join(value.split())
    if not value:
        return [""]
    total = text_width(value)
    if total <= width:
        return [value]
    lines_needed = min(max_lines, -(-total // width))
    tokens = _tokens(value)
    lines = _fill(tokens, min(width, -(-total // lines_needed) + 1), width)
    if len(lines) > lines_needed:  # balancing cost a line: fill greedily instead
        lines = _fill(tokens, width, width)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last) + 1 > width:
            last = last[:-1]
        kept[-1] = last + "…"
        return kept
    return lines


def _fill(tokens: list[str], target: int, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = current + token
        if current and text_width(candidate.rstrip()) > target and not _glued(current, token):
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return _split_overlong(lines, width)


def _tokens(value: str) -> list[str]:
    """Words of Latin text (with their trailing space) and single wide characters."""
    tokens: list[str] = []
    word = ""
    for char in value:
        if char_width(char) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        elif char == " ":
            word += char
            tokens.append(word)
            word = ""
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def _glued(current: str, token: str) -> bool:
    """True when breaking between ``current`` and ``token`` would break a kinsoku rule."""
    return token[:1] in _NO_LINE_START or current.rstrip()[-1:] in _NO_LINE_END


def _split_overlong(lines: list[str], width: int) -> list[str]:
    """Hard-split a single word longer than a line (a long ASCII id, say)."""
    out: list[str] = []
    for line in lines:
        while text_width(line) > width + 2:
            cut, used = 0, 0
            while cut < len(line) and used + char_width(line[cut]) <= width:
                used += char_width(line[cut])
                cut += 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out
