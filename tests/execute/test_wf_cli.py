"""``bpr cases`` and ``bpr inbox`` on SQLite and PostgreSQL: each command does what it says through the engine,
bad input exits 2 with one clear line (never a traceback), JSON output parses, a broken trail exits 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from wfhelp import Clock, item_at

from bpr.changes import load_process
from bpr.cli.main import app
from bpr.execute import Workflow

NOW = "2027-04-05T09:30+09:00"  # the Clock fixture's moment, Monday 09:30 in Tokyo
runner = CliRunner()


def bpr(url: str, *args: str, code: int = 0) -> str:
    """Run ``bpr ARGS --database URL``; check the exit code and that no traceback escaped; the output."""
    result = runner.invoke(app, [*args, "--database", url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, f"bpr {' '.join(args)}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result.output


def refused(url: str, *args: str) -> str:
    """Exit 2; the one-line reason on stderr."""
    result = runner.invoke(app, [*args, "--database", url])
    assert result.exit_code == 2, f"bpr {' '.join(args)}: exit {result.exit_code}\n{result.output}"
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr


def as_json(url: str, *args: str) -> Any:
    return json.loads(bpr(url, *args, "--format", "json"))


def drafted(url: str, amount: int = 300000, user: str = "sato") -> int:
    """A case of purchase_ringi started and drafted by ``user``; its number."""
    out = bpr(url, "cases", "start", "purchase_ringi", "--as", user, "--attr", f"amount={amount}", "--now", NOW)
    case_id = int(out.split()[1])
    item = next(i for i in as_json(url, "inbox", user, "--now", NOW)["items"] if i["case_id"] == case_id)
    bpr(url, "cases", "act", str(item["id"]), "done", "--as", user, "--now", NOW)
    return case_id


# --- definitions and people -------------------------------------------------------------------------------


def test_deploy_numbers_versions_and_refuses_a_bad_file(store_url: str, repo_root: Path, write_file: Any) -> None:
    ringi = repo_root / "scenarios" / "purchase_ringi"
    assert bpr(store_url, "cases", "deploy", str(ringi / "before.yaml")).startswith("deployed purchase_ringi@1 ")
    assert bpr(store_url, "cases", "deploy", str(ringi / "after.yaml")).startswith("deployed purchase_ringi@2 ")
    assert "purchase_ringi@2 has the same content" in bpr(store_url, "cases", "deploy", str(ringi / "after.yaml"))
    assert [d["ref"] for d in as_json(store_url, "cases", "definitions")] == ["purchase_ringi@1", "purchase_ringi@2"]
    bad = write_file("bad.yaml", "format: 1\nid: x\nname: x\nsteps: []\nroles: {}\ncolour: red\n")
    assert "bad.yaml:6:1: colour: unknown field" in refused(store_url, "cases", "deploy", str(bad))


def test_user_add_prints_a_token_that_authenticates_once(store_url: str) -> None:
    out = bpr(store_url, "cases", "user", "add", "sato", "--name", "佐藤", "--role", "tanto", "--role", "kakaricho")
    assert out.splitlines()[0] == "added sato (佐藤), roles: kakaricho, tanto"
    token = out.splitlines()[1].split()[1]
    workflow = Workflow(store_url)
    try:
        user = workflow.authenticate(token)
        assert user is not None and user.id == "sato"
    finally:
        workflow.close()
    bpr(store_url, "cases", "user", "add", "audit", "--auditor")
    assert as_json(store_url, "cases", "user", "list") == [
        {"id": "audit", "name": "audit", "roles": [], "auditor": True},
        {"id": "sato", "name": "佐藤", "roles": ["kakaricho", "tanto"], "auditor": False}]
    assert refused(store_url, "cases", "user", "add", "sato").strip() == "user 'sato' exists already"
    assert bpr(store_url, "cases", "user", "roles", "sato", "--role", "kacho") == "sato: roles kacho\n"
    new = bpr(store_url, "cases", "user", "token", "sato").split()[1]
    workflow = Workflow(store_url)
    try:
        assert workflow.authenticate(token) is None
        renewed = workflow.authenticate(new)
        assert renewed is not None and renewed.roles == {"kacho"}
    finally:
        workflow.close()
    assert "no user 'ghost'" in refused(store_url, "cases", "user", "token", "ghost")
    assert "'2bad' is not an id" in refused(store_url, "cases", "user", "add", "2bad")


# --- starting and acting ----------------------------------------------------------------------------------


def test_start_puts_the_draft_in_the_drafters_inbox(ringi: Workflow, store_url: str) -> None:
    assert bpr(store_url, "cases", "start", "purchase_ringi", "--as", "sato", "--attr", "amount=3,000,000",
               "--now", NOW) == "case 1 started by sato\n"
    box = as_json(store_url, "inbox", "sato", "--now", NOW)
    assert [(i["case_id"], i["step"], i["claimed_by"]) for i in box["items"]] == [(1, "kian", "sato")]
    assert box["counts"] == {"total": 1, "overdue": 0, "by_process": {"purchase_ringi": {"kian": 1}}}
    case = ringi.case("sato", 1)
    assert case["attributes"] == {"amount": 3000000} and case["started_at"] == "2027-04-05T00:30:00+00:00"


@pytest.mark.parametrize(("args", "message"), [
    (["--as", "ghost", "--attr", "amount=1"], "no user 'ghost' — add the user first (bpr cases user add)"),
    (["--as", "sato", "--attr", "amount=abc"], "attribute 'amount' must be a finite number, got 'abc'"),
    (["--as", "sato", "--attr", "amount"], "--attr 'amount': write NAME=VALUE, e.g. --attr amount=3000000"),
    (["--as", "sato", "--attr", "amount=1", "--attr", "colour=red"], "has no attribute 'colour'"),
    (["--as", "sato"], "a case of purchase_ringi@1 needs 'amount'"),
    (["--as", "suzuki", "--attr", "amount=1"], "suzuki may not start purchase_ringi@1: its first work is for tanto"),
    (["--as", "sato", "--attr", "amount=1", "--choice", "needs_mayor"], "--choice 'needs_mayor': write NAME=VALUE"),
    (["--as", "sato", "--attr", "amount=1", "--now", "2027-04-05T09:30"], "say which time zone"),
    (["--as", "sato", "--attr", "amount=1", "--now", "next monday"], "not a date and time"),
])
def test_start_refuses_bad_input_with_one_line(ringi: Workflow, store_url: str, args: list[str], message: str) -> None:
    assert message in refused(store_url, "cases", "start", "purchase_ringi", *args)


def test_start_of_an_unknown_process_says_to_deploy_it(ringi: Workflow, store_url: str) -> None:
    assert refused(store_url, "cases", "start", "nope", "--as", "sato", "--attr", "amount=1").strip() == (
        "no definition 'nope' — deploy the process file first (bpr cases deploy FILE)")


def test_claim_release_approve_reject_and_return(ringi: Workflow, store_url: str) -> None:
    case = drafted(store_url, 3000000)
    check = item_at(ringi, "suzuki", "kakaricho_check").id
    assert bpr(store_url, "cases", "act", str(check), "claim", "--as", "suzuki", "--now", NOW) == (
        f"item {check} claimed by suzuki\n")
    assert ringi.case("suzuki", case)["items"][-1]["claimed_by"] == "suzuki"
    bpr(store_url, "cases", "act", str(check), "release", "--as", "suzuki", "--now", NOW)
    assert ringi.case("suzuki", case)["items"][-1]["status"] == "open"
    out = bpr(store_url, "cases", "act", str(check), "return", "--as", "suzuki", "--to", "kian", "--note", "見積書",
              "--now", NOW)
    assert out.startswith(f"item {check} returned by suzuki; opened: ")
    again = item_at(ringi, "sato", "kian").id
    bpr(store_url, "cases", "act", str(again), "done", "--as", "sato", "--now", NOW)
    check = item_at(ringi, "suzuki", "kakaricho_check").id
    bpr(store_url, "cases", "act", str(check), "approve", "--as", "suzuki", "--now", NOW)
    review = item_at(ringi, "kato", "kacho_check").id
    assert bpr(store_url, "cases", "act", str(review), "reject", "--as", "kato", "--now", NOW).startswith(
        f"item {review} rejected by kato; opened: ")
    history = [(row["actor"], row["action"]) for row in ringi.history("sato", case)]
    assert history == [("sato", "start"), ("sato", "done"), ("suzuki", "claim"), ("suzuki", "release"),
                       ("suzuki", "return"), ("sato", "done"), ("suzuki", "approve"), ("kato", "reject")]
    assert json.loads(ringi.history("sato", case)[4]["detail"])["note"] == "見積書"


def test_act_refuses_what_is_not_yours_and_stale_versions(ringi: Workflow, store_url: str) -> None:
    drafted(store_url)
    item = item_at(ringi, "suzuki", "kakaricho_check")
    assert "is for role kakaricho; kato does not hold it" in refused(
        store_url, "cases", "act", str(item.id), "approve", "--as", "kato", "--now", NOW)
    assert refused(store_url, "cases", "act", "999", "approve", "--as", "kato", "--now", NOW).strip() == "no item 999"
    assert "--to 'kian' goes with return, not approve" in refused(
        store_url, "cases", "act", str(item.id), "approve", "--as", "suzuki", "--to", "kian")
    assert "is an approval: approve or reject it" in refused(
        store_url, "cases", "act", str(item.id), "done", "--as", "suzuki", "--now", NOW)
    bpr(store_url, "cases", "act", str(item.id), "claim", "--as", "suzuki", "--version", str(item.version), "--now", NOW)
    assert f"changed since version {item.version}" in refused(
        store_url, "cases", "act", str(item.id), "approve", "--as", "suzuki", "--version", str(item.version))
    assert "invalid value for 'action'" in runner.invoke(
        app, ["cases", "act", str(item.id), "stamp", "--as", "suzuki", "--database", store_url]).output.lower()


def test_withdraw_is_the_drafters_while_nobody_started(ringi: Workflow, store_url: str) -> None:
    case = drafted(store_url)
    assert "only the drafter of case 1 (sato) may withdraw it" in refused(
        store_url, "cases", "withdraw", str(case), "--as", "suzuki", "--now", NOW)
    out = bpr(store_url, "cases", "withdraw", str(case), "--as", "sato", "--note", "差替え", "--now", NOW)
    assert out.startswith(f"case {case} withdrawn by sato: item ")
    assert [i.step for i in ringi.inbox("sato")] == ["kian"] and ringi.inbox("suzuki") == []


def test_comment_and_show_and_list_for_those_who_may_read(ringi: Workflow, store_url: str) -> None:
    case = drafted(store_url)
    assert bpr(store_url, "cases", "comment", str(case), "急ぎです", "--as", "sato", "--now", NOW) == (
        f"comment 1 on case {case} by sato\n")
    shown = as_json(store_url, "cases", "show", str(case), "--as", "sato", "--now", NOW)
    assert [c["text"] for c in shown["comments"]] == ["急ぎです"]
    assert [i["step"] for i in shown["items"]] == ["kian", "kakaricho_check"]
    assert [h["action"] for h in shown["history"]] == ["start", "done", "comment"]
    text_out = bpr(store_url, "cases", "show", str(case), "--as", "sato", "--now", NOW)
    assert "kakaricho_check" in text_out and "急ぎです" in text_out
    assert [c["id"] for c in as_json(store_url, "cases", "list", "--as", "suzuki", "--now", NOW)] == [case]
    assert as_json(store_url, "cases", "list", "--as", "zai", "--now", NOW) == []
    assert refused(store_url, "cases", "show", str(case), "--as", "zai", "--now", NOW).strip() == (
        f"no case {case} — or it is not yours to see: ask its drafter or an auditor")
    assert "an empty comment" in refused(store_url, "cases", "comment", str(case), "  ", "--as", "sato")
    assert as_json(store_url, "cases", "list", "--as", "audit", "--status", "ended") == []


# --- absences, deadlines, timers ------------------------------------------------------------------------------


def test_absence_routes_work_to_the_substitute(ringi: Workflow, store_url: str) -> None:
    out = bpr(store_url, "cases", "absence", "kato", "--from", "2027-04-05T00:00+09:00", "--to",
              "2027-04-10T00:00+09:00", "--substitute", "ito", "--now", NOW)
    assert out.startswith("absence 1: kato away ") and out.rstrip().endswith("substitute ito")
    assert "below kato's 4" in refused(store_url, "cases", "absence", "kato", "--from", "2027-04-05T00:00+09:00",
                                       "--to", "2027-04-06T00:00+09:00", "--substitute", "sato")
    assert "not a date and time" in refused(store_url, "cases", "absence", "kato", "--from", "monday", "--to",
                                            "2027-04-06T00:00+09:00", "--substitute", "ito")
    assert "ends" in refused(store_url, "cases", "absence", "kato", "--from", "2027-04-06T00:00+09:00",
                             "--to", "2027-04-05T00:00+09:00", "--substitute", "ito")
    drafted(store_url, 3000000)
    bpr(store_url, "cases", "act", str(item_at(ringi, "suzuki", "kakaricho_check").id), "approve", "--as", "suzuki",
        "--now", NOW)
    box = as_json(store_url, "inbox", "ito", "--now", NOW)["items"]
    assert [(i["step"], i["for_user"]) for i in box] == [("kacho_check", "kato")]
    assert "for kato (代決)" in bpr(store_url, "inbox", "ito", "--now", NOW)


def test_inbox_filters_and_tick_escalates_overdue_work(ringi: Workflow, store_url: str, repo_root: Path) -> None:
    ringi.deploy(load_process(repo_root / "docs" / "execute" / "kessai_deadline.yaml"))
    ringi.start("sato", "purchase_ringi", {"amount": 500000})
    ringi.complete("sato", item_at(ringi, "sato", "kian").id)
    ringi.approve("suzuki", item_at(ringi, "suzuki", "kakaricho_check").id)
    ringi.approve("zai", item_at(ringi, "zai", "zaisei_cosign").id)
    ringi.approve("kei", item_at(ringi, "kei", "keiyaku_cosign").id)
    kessai = item_at(ringi, "kato", "kessai").id

    def ids(*args: str) -> list[int]:
        return [i["id"] for i in as_json(store_url, "inbox", "kato", *args)["items"]]

    # Opened Monday 5 April 09:30: due at the close (17:15) of the third business day after, Thursday 8 April.
    assert ids("--due-before", "2027-04-08T17:15+09:00", "--now", NOW) == [kessai]
    assert ids("--due-before", "2027-04-08T17:14+09:00", "--now", NOW) == []
    assert ids("--overdue", "--now", "2027-04-08T17:14+09:00") == []
    assert ids("--overdue", "--step", "kessai", "--process", "purchase_ringi", "--now", "2027-04-09T09:00+09:00") == [
        kessai]
    assert ids("--process", "other", "--now", NOW) == []
    late = bpr(store_url, "inbox", "kato", "--now", "2027-04-09T09:00+09:00")
    assert "OVERDUE" in late and late.splitlines()[-1] == "1 open, 1 overdue"
    fired = bpr(store_url, "cases", "tick", "--now", "2027-04-09T09:00+09:00").splitlines()
    assert [line.split(": ")[1] for line in fired[:-1]] == ["remind", "escalate"] and fired[-1] == "2 timer(s) fired"
    assert bpr(store_url, "cases", "tick", "--now", "2027-04-09T09:05+09:00") == "0 timer(s) fired\n"
    assert ids("--now", "2027-04-09T09:05+09:00") == []
    assert [i["id"] for i in as_json(store_url, "inbox", "ito", "--now", "2027-04-09T09:05+09:00")["items"]] == [kessai]
    notes = as_json(store_url, "cases", "notifications", "--as", "ito")
    assert [n["kind"] for n in notes] == ["escalated"] and "escalated to you" in notes[0]["text"]
    assert "not a date and time" in refused(store_url, "inbox", "kato", "--due-before", "soon")
    assert "no user 'ghost'" in refused(store_url, "inbox", "ghost")


# --- going live, the log, the archive, the trail -------------------------------------------------------------


@pytest.fixture
def paper(store_url: str, repo_root: Path) -> Any:
    """before.yaml as @1 with one case at kian_print, after.yaml as @2."""
    workflow = Workflow(store_url, clock=Clock())
    ringi = repo_root / "scenarios" / "purchase_ringi"
    workflow.deploy(load_process(ringi / "before.yaml"))
    workflow.deploy(load_process(ringi / "after.yaml"))
    workflow.add_user("sato", "sato", ["tanto"])
    workflow.start("sato", "purchase_ringi@1", {"amount": 1500000})
    workflow.complete("sato", item_at(workflow, "sato", "kian").id)
    yield workflow
    workflow.close()


def test_migrate_dry_run_then_apply(paper: Workflow, store_url: str, write_file: Any) -> None:
    plan = as_json(store_url, "cases", "migrate", "purchase_ringi@1", "purchase_ringi@2", "--now", NOW)
    assert plan == {"from": "purchase_ringi@1", "to": "purchase_ringi@2", "dry_run": True, "moved": 1, "refused": 0,
                    "cases": [{"case": 1, "from": ["kian_print"], "to": ["kakaricho_check"], "ok": True,
                               "reason": ""}]}
    assert paper.case("sato", 1)["definition"] == "purchase_ringi@1"
    mapping = write_file("mapping.yaml", "steps:\n  kian_print: kian\n")
    out = bpr(store_url, "cases", "migrate", "purchase_ringi@1", "purchase_ringi@2", "--mapping", str(mapping),
              "--apply", "--now", NOW)
    assert out.splitlines() == ["case 1: kian_print -> kian",
                                "purchase_ringi@1 -> purchase_ringi@2: 1 case(s) moved, 0 refused"]
    assert paper.case("sato", 1)["definition"] == "purchase_ringi@2"
    assert [i.step for i in paper.inbox("sato")] == ["kian"]


def test_migrate_refuses_bad_mappings_and_versions(paper: Workflow, store_url: str, write_file: Any) -> None:
    def migrate(*args: str) -> str:
        return refused(store_url, "cases", "migrate", "purchase_ringi@1", *args)

    assert "the mapping names step 'nope', which purchase_ringi@1 does not have" in migrate(
        "purchase_ringi@2", "--mapping", str(write_file("m1.yaml", "steps: {nope: kian}\n")))
    assert "a mapping file is 'steps:'" in migrate(
        "purchase_ringi@2", "--mapping", str(write_file("m2.yaml", "- kian\n")))
    assert "missing.yaml: cannot read" in migrate("purchase_ringi@2", "--mapping", "missing.yaml")
    assert "purchase_ringi@1 is already the version named" in migrate("purchase_ringi@1")
    assert "no definition 'purchase_ringi@9'" in migrate("purchase_ringi@9")


def _finished_case(ringi: Workflow) -> int:
    """A 300,000 yen case walked to its end (ordered), at the Clock's moment."""
    case = ringi.start("sato", "purchase_ringi", {"amount": 300000})
    for user, step in [("sato", "kian"), ("suzuki", "kakaricho_check"), ("zai", "zaisei_cosign"),
                       ("kei", "keiyaku_cosign"), ("kato", "kessai"), ("sato", "enter_zaimu"), ("sato", "order")]:
        item = item_at(ringi, user, step)
        if item.kind == "approval":
            ringi.approve(user, item.id)
        else:
            ringi.complete(user, item.id)
    assert ringi.case("sato", case)["outcome"] == "ordered"
    return case


def test_export_archive_and_verify(ringi: Workflow, store_url: str, tmp_path: Path) -> None:
    _finished_case(ringi)
    csv, xes = tmp_path / "log.csv", tmp_path / "log.xes"
    # seven pieces of work, three handoffs passed at once (to_zaisei, to_hisho, to_genka), one end record
    assert bpr(store_url, "cases", "export", str(csv)) == f"wrote 11 records to {csv}\n"
    assert bpr(store_url, "cases", "export", str(xes)) == f"wrote 11 records to {xes}\n"
    assert "+09:00" in csv.read_text(encoding="utf-8") and xes.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    archive = tmp_path / "archive.db"
    assert bpr(store_url, "cases", "archive", "--older-than", "30", "--to", str(archive), "--now", NOW) == (
        f"archived 0 case(s) and 0 audit row(s) to {archive}\n")
    out = bpr(store_url, "cases", "archive", "--older-than", "30", "--to", str(archive), "--now",
              "2027-06-01T09:00+09:00")
    assert out.startswith("archived 1 case(s) and ")
    assert bpr(store_url, "cases", "export", str(csv)) == f"wrote 0 records to {csv}\n"
    assert bpr(store_url, "cases", "export", str(csv), "--archive", str(archive)) == f"wrote 11 records to {csv}\n"
    assert bpr(store_url, "cases", "verify").startswith("ok: the audit trail is intact")
    with_archive = bpr(store_url, "cases", "verify", "--archive", str(archive))
    assert with_archive.startswith("ok: the audit trail is intact") and "0 archived" not in with_archive
    assert "no archive file" in refused(store_url, "cases", "verify", "--archive", str(tmp_path / "none.db"))
    assert "--older-than -1" in refused(store_url, "cases", "archive", "--older-than", "-1", "--to", str(archive))


def test_verify_exits_1_naming_a_changed_row(ringi: Workflow, store_url: str) -> None:
    drafted(store_url)
    engine = create_engine(store_url)
    try:
        with engine.begin() as conn:  # what someone with the owner's rights could do
            if store_url.startswith("sqlite"):
                conn.execute(text("DROP TRIGGER audit_no_update"))
            else:
                conn.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_append_only"))
            conn.execute(text("UPDATE audit SET actor = 'mallory' WHERE seq = 3"))
    finally:
        engine.dispose()
    out = bpr(store_url, "cases", "verify", code=1)
    assert "audit row 3 (" in out and "was changed: its hash does not match" in out
    assert out.splitlines()[-1].startswith("broken: ")


# --- the database -----------------------------------------------------------------------------------------------


def test_the_database_comes_from_bpr_database(ringi: Workflow, store_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BPR_DATABASE", store_url)
    result = runner.invoke(app, ["cases", "user", "list", "--format", "json"])
    assert result.exit_code == 0 and "kato" in [u["id"] for u in json.loads(result.stdout)]


def test_a_database_that_cannot_be_opened_is_exit_2() -> None:
    result = runner.invoke(app, ["cases", "user", "list", "--database", "nosuchdb://x"])
    assert result.exit_code == 2 and result.stderr.startswith("cannot open the database nosuchdb://x: ")
    assert "Traceback" not in result.output


TINY = """format: 1
id: tiny
name: 小さな手続
roles:
  clerk: {name: 担当, staff: 1}
arrivals:
  - {channel: counter, rate: 10/day}
steps:
  - {id: draft, name: 起案, type: task, role: clerk, duration: 10m, next: complete}
  - id: complete
    name: 書類はそろっているか
    type: decision
    next:
      - {to: fix, probability: 0.2}
      - {to: done, probability: 0.8}
  - {id: fix, name: 補正, type: task, role: clerk, duration: 5m, next: done}
  - {id: done, name: 完了, type: end}
"""


def test_a_decision_by_probability_is_the_persons_choice(store_url: str, write_file: Any) -> None:
    bpr(store_url, "cases", "deploy", str(write_file("tiny.yaml", TINY)))
    bpr(store_url, "cases", "user", "add", "a", "--role", "clerk")
    bpr(store_url, "cases", "start", "tiny", "--as", "a", "--now", NOW)
    assert refused(store_url, "cases", "act", "1", "done", "--as", "a", "--now", NOW).strip() == (
        "decision 'complete' is taken by a person: say which way it goes — give choice complete=fix|done")
    assert "give choice complete=fix|done" in refused(store_url, "cases", "act", "1", "done", "--as", "a", "--choice",
                                                      "complete=nowhere", "--now", NOW)
    bpr(store_url, "cases", "act", "1", "done", "--as", "a", "--choice", "complete=fix", "--now", NOW)
    assert [i["step"] for i in as_json(store_url, "inbox", "a", "--now", NOW)["items"]] == ["fix"]


def test_files_that_cannot_be_used_are_exit_2(ringi: Workflow, store_url: str, tmp_path: Path,
                                              write_file: Any) -> None:
    not_an_archive = write_file("notes.txt", "not a database\n" * 100)
    for args in (["verify", "--archive", str(not_an_archive)],
                 ["export", str(tmp_path / "log.csv"), "--archive", str(not_an_archive)],
                 ["archive", "--older-than", "0", "--to", str(not_an_archive)]):
        assert refused(store_url, "cases", *args).strip() == (
            f"{str(not_an_archive)!r} is not an archive file (not an SQLite database) — archive files are written "
            "by bpr cases archive")
    assert not_an_archive.read_text(encoding="utf-8") == "not a database\n" * 100
    assert refused(store_url, "cases", "export", str(tmp_path)).strip() == f"{tmp_path}: Is a directory"
