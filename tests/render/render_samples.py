"""Small processes for the render tests, written as file data and checked by the real loader.

``big_process(60)`` is a long, plausible city-hall flow (many departments, approvals with rework,
handoffs, a decision and a parallel co-sign block) with long Japanese names, for the readability tests.
"""

from __future__ import annotations

from typing import Any

from bpr.model.load import process_from_data
from bpr.model.schema import Process

ROLES: dict[str, Any] = {
    "applicant": {"name": "申請者", "department": "申請者", "external": True, "staff": "unlimited"},
    "clerk": {"name": "窓口係員", "department": "市民課", "staff": 3, "authority": 1},
    "chief": {"name": "係長", "department": "市民課", "staff": 1, "authority": 2},
    "budget": {"name": "財政担当", "department": "財政課", "staff": 2, "authority": 1},
    "manager": {"name": "課長", "department": "財政課", "staff": 1, "authority": 3},
    "legal": {"name": "法務担当", "department": "総務部", "staff": 1, "authority": 1},
    "director": {"name": "部長", "department": "総務部", "staff": 1, "authority": 4},
}


def small_data() -> dict[str, Any]:
    """Every kind of step once: paper task, re-keying, stamped approval with rework, paper handoff,
    a decision by condition, a parallel co-sign with join, an electronic step, two ends."""
    return {
        "id": "subsidy",
        "name": "住宅リフォーム補助金の申請",
        "arrivals": [{"channel": "counter", "rate": "12/day"}, {"channel": "mail", "rate": "3/day"}],
        "attributes": {"amount": {"dist": "uniform", "min": 1, "max": 2_000_000}},
        "roles": ROLES,
        "steps": [
            {"id": "receive", "name": "申請書の受付と本人確認", "type": "task", "role": "clerk",
             "duration": "15m", "medium": "paper", "citizen_present": True, "next": "enter"},
            {"id": "enter", "name": "システムへの再入力", "type": "task", "role": "clerk", "duration": "10m",
             "rekey": True, "next": "chief_check"},
            {"id": "chief_check", "name": "係長確認", "type": "approval", "role": "chief", "duration": "5m",
             "medium": "paper", "stamp": True, "reject": {"probability": 0.1, "to": "receive"},
             "next": "mail_run"},
            {"id": "mail_run", "name": "庁内便で財政課へ", "type": "handoff", "mode": "internal_mail",
             "delay": "2h", "departures": ["14:00"], "next": "budget_check"},
            {"id": "budget_check", "name": "予算残額の確認", "type": "task", "role": "budget",
             "duration": "20m", "medium": "paper", "next": "manager_ok"},
            {"id": "manager_ok", "name": "課長決裁", "type": "approval", "role": "manager", "duration": "10m",
             "medium": "paper", "stamp": True, "batch": ["10:00", "16:00"],
             "reject": {"probability": 0.05, "to": "budget_check"}, "next": "big"},
            {"id": "big", "name": "金額判定", "type": "decision", "next": [
                {"to": "cosign", "when": "amount > 1000000"}, {"to": "notify", "otherwise": True}]},
            {"id": "cosign", "name": "合議", "type": "parallel", "next": ["legal_check", "director_ok"],
             "join": "cosign_done"},
            {"id": "legal_check", "name": "法令確認", "type": "task", "role": "legal", "duration": "30m",
             "next": "cosign_done"},
            {"id": "director_ok", "name": "部長決裁", "type": "approval", "role": "director",
             "duration": "15m", "stamp": True, "medium": "paper", "next": "cosign_done"},
            {"id": "cosign_done", "name": "合議完了", "type": "join", "next": "notify"},
            {"id": "notify", "name": "交付決定通知の送付", "type": "task", "role": "clerk", "duration": "10m",
             "medium": "paper", "next": "done"},
            {"id": "done", "name": "交付決定", "type": "end", "outcome": "approved"},
        ],
    }


def small_process() -> Process:
    return process_from_data(small_data(), file="small.yaml")


_NAMES = (
    "申請内容の確認", "添付書類の点検", "住民記録との照合", "課税情報の照会", "手数料の収納確認",
    "審査調書の作成", "現地調査の日程調整", "関係課への意見照会", "補正依頼文書の作成", "台帳への登録",
    "決定通知書の作成", "決定通知書の発送準備", "統計報告用データの入力", "起案文書の作成",
    "支出負担行為の入力",
)
_LANE_ROLES = (("clerk", "chief"), ("budget", "manager"), ("legal", "director"))


def big_data(work_steps: int = 60) -> dict[str, Any]:
    """A process of about ``work_steps`` tasks and approvals across three departments (deterministic).

    Every fifth step is a stamped approval that may send the case back two steps; a handoff precedes
    each change of department; one decision and one parallel block sit in the middle.
    """
    steps: list[dict[str, Any]] = []
    ids = [f"s{n:02d}" for n in range(work_steps)]
    department = 0
    for n, step_id in enumerate(ids):
        following = ids[n + 1] if n + 1 < work_steps else "finish"
        hands_over = n % 12 == 11 and n + 1 < work_steps
        if hands_over:  # the file goes to the next department after this step
            steps_next, following = following, f"h{n:02d}"
        role_pair = _LANE_ROLES[department]
        name = f"{_NAMES[n % len(_NAMES)]}（その{n // len(_NAMES) + 1}）"
        if n % 5 == 4:
            step = {"id": step_id, "name": name.replace("の", "の決裁・", 1), "type": "approval",
                    "role": role_pair[1], "duration": "10m", "medium": "paper", "stamp": True,
                    "reject": {"probability": 0.05, "to": ids[max(0, n - 2)]}, "next": following}
        else:
            step = {"id": step_id, "name": name, "type": "task", "role": role_pair[0],
                    "duration": {"dist": "triangular", "min": "5m", "mode": "10m", "max": "30m"},
                    "medium": "paper" if n % 3 else "digital", "next": following}
        steps.append(step)
        if hands_over:
            steps.append({"id": following, "name": "庁内便で次の課へ回付", "type": "handoff",
                          "mode": "internal_mail", "delay": "3h", "departures": ["10:00", "14:00"],
                          "next": steps_next})
            department = (department + 1) % len(_LANE_ROLES)
    # A decision after step 20 and a parallel block after step 40 (kept on valid routes).
    split_at, parallel_at = 20, 40
    steps[_index(steps, ids[split_at])]["next"] = "route"
    steps.append({"id": "route", "name": "金額による分岐", "type": "decision", "next": [
        {"to": ids[split_at + 1], "probability": 0.7}, {"to": "extra_review", "probability": 0.3}]})
    steps.append({"id": "extra_review", "name": "高額案件の追加審査", "type": "approval", "role": "manager",
                  "duration": "20m", "stamp": True, "medium": "paper", "next": ids[split_at + 1]})
    after_parallel = steps[_index(steps, ids[parallel_at])]["next"]
    steps[_index(steps, ids[parallel_at])]["next"] = "co_sign"
    steps.append({"id": "co_sign", "name": "合議", "type": "parallel", "next": ["co_legal", "co_budget"],
                  "join": "co_join"})
    steps.append({"id": "co_legal", "name": "法務の合議", "type": "task", "role": "legal", "duration": "15m",
                  "next": "co_join"})
    steps.append({"id": "co_budget", "name": "財政の合議", "type": "task", "role": "budget",
                  "duration": "15m", "next": "co_join"})
    steps.append({"id": "co_join", "name": "合議完了", "type": "join", "next": after_parallel})
    steps.append({"id": "finish", "name": "完了", "type": "end"})
    return {
        "id": "big",
        "name": f"大規模な手続（{work_steps}工程）",
        "arrivals": [{"channel": "counter", "rate": "20/day"}],
        "roles": ROLES,
        "steps": steps,
    }


def big_process(work_steps: int = 60) -> Process:
    return process_from_data(big_data(work_steps), file="big.yaml")


def _index(steps: list[dict[str, Any]], step_id: str) -> int:
    return next(i for i, step in enumerate(steps) if step["id"] == step_id)
