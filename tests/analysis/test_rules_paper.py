"""BPR301 re-keying, BPR302 stamp-only steps, BPR401 batched approvals."""

from __future__ import annotations

from analysishelp import build, findings

TAIL = "- {id: done, type: end}\n"


def test_rekeying_suggests_digitize() -> None:
    p = build(
        """
        - {id: enter_data, name: 台帳入力, type: task, role: clerk, duration: 15m, medium: paper, rekey: true, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR301")
    assert (f.steps, f.severity, f.suggestion) == (("enter_data",), "warning", {"digitize": ["enter_data"]})
    assert "台帳入力 (enter_data)" in f.message and "paper form" in f.message


def test_entering_new_data_is_not_rekeying() -> None:
    p = build(
        "- {id: enter_data, type: task, role: clerk, duration: 15m, medium: paper, next: done}\n" + TAIL
    )
    assert findings(p, "BPR301") == []


def test_stamp_only_approval_before_another_sign_off_is_removable() -> None:
    p = build(
        """
        - {id: chief_seal, type: approval, role: chief, duration: 2m, stamp: true, next: manager_ok}
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], reject: {probability: 0.1, to: chief_seal}, next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR302")
    assert (f.steps, f.suggestion) == (("chief_seal",), {"remove": "chief_seal"})


def test_last_stamp_only_sign_off_is_kept_but_made_electronic() -> None:
    p = build(
        "- {id: chief_seal, type: approval, role: chief, duration: 2m, stamp: true, next: done}\n" + TAIL
    )
    (f,) = findings(p, "BPR302")
    assert f.suggestion == {"digitize": ["chief_seal"]} and "last sign-off" in f.message


def test_stamp_only_control_is_made_electronic_not_removed() -> None:
    p = build(
        """
        - id: chief_seal
          type: approval
          role: chief
          duration: 2m
          stamp: true
          control: {kind: legal, basis: 公印規則}
          next: manager_ok
        - {id: manager_ok, type: approval, role: manager, duration: 5m, checks: [金額], next: done}
        """
        + TAIL
    )
    (f,) = findings(p, "BPR302")
    assert f.suggestion == {"digitize": ["chief_seal"]} and "required control" in f.message


def test_task_with_a_seal_is_stamp_only() -> None:
    p = build("- {id: print_seal, type: task, role: clerk, duration: 5m, stamp: true, next: done}\n" + TAIL)
    (f,) = findings(p, "BPR302")
    assert (f.steps, f.suggestion) == (("print_seal",), {"digitize": ["print_seal"]})


def test_stamped_approval_with_checks_is_not_stamp_only() -> None:
    p = build(
        "- {id: chief_ok, type: approval, role: chief, duration: 5m, stamp: true, checks: [金額], next: done}\n"
        + TAIL
    )
    assert findings(p, "BPR302") == []


def test_batched_approval_suggests_working_the_in_tray_continuously() -> None:
    p = build(
        """
        - id: chief_ok
          type: approval
          role: chief
          duration: 5m
          batch: ["10:00", "16:00"]
          reject: {probability: 0.1, to: chief_ok}
          next: done
        """
        + TAIL
    )
    (f,) = findings(p, "BPR401")
    assert (f.steps, f.severity) == (("chief_ok",), "info")
    assert f.suggestion == {"batch": {"step": "chief_ok", "at": None}}
    assert "10:00, 16:00" in f.message


def test_unbatched_approval_is_fine() -> None:
    p = build("- {id: chief_ok, type: approval, role: chief, duration: 5m, next: done}\n" + TAIL)
    assert findings(p, "BPR401") == []
