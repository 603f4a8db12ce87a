"""Summary figures along the most likely path, computed by hand on small processes."""

from __future__ import annotations

import pytest
from analysishelp import HEADER, build

from bpr.analysis import SUMMARY_KEYS, analyze, most_likely_path, summarize
from bpr.analysis.cases import SEED
from bpr.model.graph import build_graph
from bpr.model.load import parse_process

SMALL = """
- {id: receive, type: task, role: clerk, duration: 10m, medium: paper, next: check}
- id: check
  type: approval
  role: chief
  duration: {dist: uniform, min: 10m, max: 30m}
  stamp: true
  reject: {probability: 0.1, to: receive}
  next: send
- {id: send, type: handoff, delay: 30m, next: review}
- {id: review, type: approval, role: budget, duration: 15m, stamp: true, next: outcome}
- id: outcome
  type: decision
  next: [{to: refuse, probability: 0.3}, {to: file, probability: 0.7}]
- {id: refuse, type: task, role: clerk, duration: 20m, next: done}
- {id: file, type: task, role: clerk, duration: 5m, medium: paper, rekey: true, next: done}
- {id: done, type: end}
"""


def test_summary_of_a_small_process_by_hand() -> None:
    summary = analyze(build(SMALL)).summary
    assert list(summary) == list(SUMMARY_KEYS)
    assert summary == {
        "steps_total": 8,
        "path": ["receive", "check", "send", "review", "outcome", "file", "done"],
        "path_probability": 0.63,  # 0.9 (check does not reject) x 0.7 (file)
        "steps": 5,  # receive, check, send, review, file
        "approvals": 2,
        "stamps": 2,
        "handoffs": 2,  # 総務課 -> 財政課 (through send) -> 総務課
        "departments": 2,
        "paper_steps": 3,  # receive, file, and send (a handoff is paper unless said otherwise)
        "rekeys": 1,
        "touch_time_minutes": 50.0,  # 10 + 20 (mean of 10..30) + 15 + 5; the handoff is transport
        "transport_minutes": 30.0,
        "other_entries": [],
        "seed": SEED,
    }


def test_condition_branches_follow_the_larger_sampled_share() -> None:
    template = """
    - id: route
      type: decision
      next: [{{to: big, when: "amount > {limit}"}}, {{to: small, otherwise: true}}]
    - {{id: big, type: task, role: manager, duration: 30m, next: done}}
    - {{id: small, type: task, role: clerk, duration: 5m, next: done}}
    - {{id: done, type: end}}
    """
    extra = "attributes:\n  amount: {dist: uniform, min: 0, max: 200}\n"
    low = build(template.format(limit=50), extra)
    high = build(template.format(limit=150), extra)
    assert most_likely_path(build_graph(low), low) == ["route", "big", "done"]
    assert most_likely_path(build_graph(high), high) == ["route", "small", "done"]
    # P(amount > 50) = 0.75; 2000 samples: standard error about 0.01
    assert summarize(build_graph(low), low)["path_probability"] == pytest.approx(0.75, abs=0.03)


def test_every_branch_of_a_parallel_split_is_on_the_path() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: split}
        - {id: split, type: parallel, next: [budget_ok, legal_ok], join: meet}
        - {id: budget_ok, type: approval, role: budget, duration: 5m, next: meet}
        - {id: legal_ok, type: approval, role: legal, duration: 7m, next: meet}
        - {id: meet, type: join, next: file}
        - {id: file, type: task, role: clerk, duration: 5m, next: done}
        - {id: done, type: end}
        """
    )
    summary = analyze(p).summary
    assert summary["path"] == ["draft", "split", "budget_ok", "legal_ok", "meet", "file", "done"]
    assert summary["approvals"] == 2
    assert summary["touch_time_minutes"] == 27.0
    assert summary["departments"] == 3
    assert summary["handoffs"] == 4  # one copy out to each co-signer, and each back


def test_rework_is_never_followed_even_when_likely() -> None:
    p = build(
        """
        - {id: draft, type: task, role: clerk, duration: 10m, next: check}
        - id: check
          type: decision
          next: [{to: draft, probability: 0.6}, {to: done, probability: 0.4}]
        - {id: done, type: end}
        """
    )
    summary = analyze(p).summary
    assert summary["path"] == ["draft", "check", "done"]
    assert summary["path_probability"] == 0.4


def test_handoff_within_a_department_counts_once() -> None:
    p = build(
        """
        - {id: receive, type: task, role: clerk, duration: 10m, next: carry}
        - {id: carry, type: handoff, mode: walk, delay: 5m, next: chief_ok}
        - {id: chief_ok, type: approval, role: chief, duration: 5m, next: done}
        - {id: done, type: end}
        """
    )
    summary = analyze(p).summary
    assert (summary["handoffs"], summary["departments"], summary["transport_minutes"]) == (1, 1, 5.0)


def test_channels_starting_elsewhere_get_their_own_path() -> None:
    extra = """\
arrivals:
  - {channel: internal, rate: 30/day}
  - {channel: mail, rate: 10/day, start: claim}
"""
    text = (
        HEADER.split("arrivals:")[0]
        + extra
        + """steps:
  - {id: order, type: task, role: clerk, duration: 10m, next: order_ok}
  - {id: order_ok, type: approval, role: chief, duration: 5m, next: ordered}
  - {id: ordered, type: end}
  - {id: claim, type: task, role: clerk, duration: 20m, next: pay}
  - {id: pay, type: task, role: budget, duration: 15m, next: paid}
  - {id: paid, type: end}
"""
    )
    summary = analyze(parse_process(text)).summary
    assert summary["path"] == ["order", "order_ok", "ordered"]
    assert summary["touch_time_minutes"] == 15.0
    assert summary["other_entries"] == [
        {
            "start": "claim",
            "share": 0.25,
            "path": ["claim", "pay", "paid"],
            "path_probability": 1.0,
            "steps": 2,
            "approvals": 0,
            "stamps": 0,
            "handoffs": 1,
            "departments": 2,
            "touch_time_minutes": 35.0,
            "transport_minutes": 0.0,
        }
    ]
