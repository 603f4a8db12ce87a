"""``bpr cases ...`` and ``bpr inbox USER``: the workflow engine (:mod:`bpr.execute`) at a clerk's machine.

Each command is one call of :class:`bpr.execute.Workflow` (``show`` and ``inbox`` read two things); what
the engine refuses is printed as its message and hint, exit 2, never a traceback. ``--as USER`` is trusted:
the CLI is for whoever sits at the machine that holds the database (an administrator, a rehearsal, a
shared terminal). People authenticate with their token on the REST face (docs/api.md), where nobody can
name another actor.

``--now`` sets the engine's clock, for rehearsals and tests: docs/execute.md walks through weeks of
deadlines in minutes. Without it the engine uses the real time.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from bpr.cli.common import EXIT_THRESHOLD, OutputFormat, console, fail, load_or_exit, print_json
from bpr.errors import BprError
from bpr.execute import Workflow, default_url

app = typer.Typer(
    name="cases",
    help="Run real cases of a deployed process file: people, their inboxes, actions, deadlines, the audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="user")

Database = Annotated[str | None, typer.Option(
    "--database", envvar="BPR_DATABASE", show_envvar=True,
    help="SQLAlchemy URL of the store, e.g. sqlite:///cases.db or postgresql+psycopg://user@host/db "
         "(default sqlite:///bpr-cases.db in the working directory).")]
Now = Annotated[str | None, typer.Option(
    "--now", help="Act as if it were this moment, e.g. 2027-04-05T09:30+09:00 (rehearsals and tests; "
                  "default: the real time).")]
Actor = Annotated[str, typer.Option("--as", help="The user who acts (trusted here; REST users log in).")]
Admin = Annotated[str, typer.Option("--as", help="Who the audit trail records as doing it.")]
Format = Annotated[OutputFormat, typer.Option("--format", help="text or json")]
CHOICE_EXAMPLE = "complete=to_payment"
"""A decision taken by a person (a decision by probability in the file), as --choice names it."""


class Act(str, enum.Enum):
    claim = "claim"
    release = "release"
    done = "done"
    approve = "approve"
    reject = "reject"
    return_ = "return"


def _moment(text: str, option: str) -> datetime:
    """An aware ISO 8601 moment; a time without its offset is refused (whose 09:30 would it be?)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r}: not a date and time — write e.g. 2027-04-05T09:30+09:00")
    if moment.tzinfo is None:
        fail(f"{option} {text!r}: say which time zone — write e.g. {text}+09:00")
    return moment


def _pairs(texts: list[str] | None, option: str, numbers: bool, example: str) -> dict[str, Any]:
    """``NAME=VALUE`` options as a dict; with ``numbers``, values that read as numbers become numbers."""
    out: dict[str, Any] = {}
    for text in texts or []:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            fail(f"{option} {text!r}: write NAME=VALUE, e.g. {option} {example}")
        out[name.strip()] = _number(value.strip()) if numbers else value.strip()
    return out


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text.replace(",", "").replace("_", ""))
        except ValueError:
            continue
    return text  # a choice attribute's value; the engine checks it against the file


@contextmanager
def _engine(database: str | None, now: str | None) -> Iterator[Workflow]:
    """The engine on ``database``; every refusal of the engine becomes exit 2 with its message and hint."""
    url = database or default_url()
    moment = _moment(now, "--now") if now else None
    try:
        workflow = Workflow(url, clock=lambda: moment) if moment else Workflow(url)
    except SQLAlchemyError as error:
        fail(f"cannot open the database {url}: {type(error).__name__}: {str(error).splitlines()[0]} — "
             "give --database a SQLAlchemy URL such as sqlite:///bpr-cases.db")
    except BprError as error:
        fail(error)
    try:
        yield workflow
    except BprError as error:
        fail(error)
    except SQLAlchemyError as error:  # the database went away or refused mid-command
        fail(f"the database refused: {str(error).splitlines()[0]} — check --database")
    except OSError as error:
        fail(f"{error.filename2 or error.filename or ''}: {error.strerror or error}")
    finally:
        workflow.close()


def _say(text: str) -> None:
    console.print(text, markup=False)


def _when(value: str | datetime | None) -> str:
    """A time as the clerk reads it: in this machine's time zone (TZ), to the minute; JSON keeps UTC."""
    if value is None:
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # the audit trail's stored times are naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().isoformat(timespec="minutes")


# --- definitions and people -----------------------------------------------------------------------------


@app.command()
def deploy(
    file: Annotated[Path, typer.Argument(help="A process file or a change list (base: + changes:).")],
    database: Database = None, now: Now = None, by: Admin = "admin",
) -> None:
    """Deploy a process file as the next immutable version of its process (the same content: no new one)."""
    process = load_or_exit(file)
    with _engine(database, now) as workflow:
        definition, new = workflow.deploy(process, by=by)
    if new:
        _say(f"deployed {definition.ref}  {definition.name}  (sha256 {definition.content_hash[:12]})")
    else:
        _say(f"{definition.ref} has the same content: nothing new deployed")


@app.command()
def definitions(database: Database = None, output: Format = OutputFormat.text) -> None:
    """List the deployed versions."""
    with _engine(database, None) as workflow:
        found = workflow.definitions()
    if output is OutputFormat.json:
        print_json([d.summary() for d in found])
        return
    for d in found:
        _say(f"{d.ref:24} {_when(d.deployed_at)}  {d.name}")


@users_app.command("add")
def user_add(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="The user's id, e.g. sato.")],
    role: Annotated[list[str] | None, typer.Option("--role", help="A role id of the process files (repeat).")] = None,
    name: Annotated[str, typer.Option(help="The name people know them by.")] = "",
    auditor: Annotated[bool, typer.Option("--auditor", help="May read every case and the audit trail.")] = False,
    database: Database = None, now: Now = None, by: Admin = "admin",
) -> None:
    """Add a user; prints their REST token once (only its hash is kept)."""
    with _engine(database, now) as workflow:
        user, token = workflow.add_user(user_id, name, role or [], by=by, auditor=auditor)
    roles = ", ".join(sorted(user.roles)) or "none"
    _say(f"added {user.id} ({user.name}), roles: {roles}{', auditor' if user.auditor else ''}")
    _say(f"token: {token}  (shown once: the REST face's Bearer token for {user.id})")


@users_app.command("roles")
def user_roles(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="The user's id.")],
    role: Annotated[list[str] | None, typer.Option("--role", help="Every role they hold from now on (repeat).")] = None,
    database: Database = None, now: Now = None, by: Admin = "admin",
) -> None:
    """Replace a user's roles (a transfer, a promotion); their open claims stay theirs."""
    with _engine(database, now) as workflow:
        user = workflow.set_roles(user_id, role or [], by=by)
    _say(f"{user.id}: roles {', '.join(sorted(user.roles)) or 'none'}")


@users_app.command("token")
def user_token(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="The user's id.")],
    database: Database = None, now: Now = None, by: Admin = "admin",
) -> None:
    """Issue a new REST token (the old one stops working); printed once."""
    with _engine(database, now) as workflow:
        token = workflow.new_token(user_id, by=by)
    _say(f"token: {token}  (shown once: the REST face's Bearer token for {user_id}; the old one no longer works)")


@users_app.command("list")
def user_list(database: Database = None, output: Format = OutputFormat.text) -> None:
    """List users, their roles, and who is an auditor."""
    with _engine(database, None) as workflow:
        found = workflow.users()
    if output is OutputFormat.json:
        print_json([u.summary() for u in found])
        return
    for u in found:
        _say(f"{u.id:12} {', '.join(sorted(u.roles)) or '-':24} {'auditor  ' if u.auditor else ''}{u.name}")


@app.command()
def absence(
    user_id: Annotated[str, typer.Argument(metavar="USER", help="Who will be away.")],
    starts: Annotated[str, typer.Option("--from", help="Start, e.g. 2027-04-12T00:00+09:00.")],
    ends: Annotated[str, typer.Option("--to", help="End (exclusive), e.g. 2027-04-17T00:00+09:00.")],
    substitute: Annotated[str, typer.Option(help="Who acts for them meanwhile (代決), with enough authority.")],
    database: Database = None, now: Now = None,
) -> None:
    """Record an absence: meanwhile the substitute sees and does the user's work, recorded as 代決."""
    start, end = _moment(starts, "--from"), _moment(ends, "--to")
    with _engine(database, now) as workflow:
        found = workflow.add_absence(user_id, start, end, substitute)
    _say(f"absence {found.id}: {found.user_id} away {_when(found.starts)} to {_when(found.ends)}, "
         f"substitute {found.substitute_id}")


# --- actions ----------------------------------------------------------------------------------------------


@app.command()
def start(
    process: Annotated[str, typer.Argument(help="A deployed process (its newest version) or process@N.")],
    actor: Actor,
    attr: Annotated[list[str] | None, typer.Option("--attr", help="A case attribute, NAME=VALUE (repeat).")] = None,
    choice: Annotated[list[str] | None, typer.Option(
        "--choice", help="Which way a decision by a person goes, DECISION=STEP (repeat).")] = None,
    database: Database = None, now: Now = None,
) -> None:
    """Start a case as its drafter (起案); its first work is claimed for them."""
    attributes = _pairs(attr, "--attr", numbers=True, example="amount=3000000")
    choices = _pairs(choice, "--choice", numbers=False, example=CHOICE_EXAMPLE)
    with _engine(database, now) as workflow:
        case_id = workflow.start(actor, process, attributes, choices or None)
    _say(f"case {case_id} started by {actor}")


@app.command("act")
def act(
    item: Annotated[int, typer.Argument(help="The item's number (bpr inbox USER lists them).")],
    what: Annotated[Act, typer.Argument(metavar="ACTION", help="claim, release, done, approve, reject or return.")],
    actor: Actor,
    to: Annotated[str | None, typer.Option(
        "--to", help="return only: the earlier step to return to (default: the previous actor).")] = None,
    note: Annotated[str, typer.Option(help="A note kept with the action in the audit trail.")] = "",
    version: Annotated[int | None, typer.Option(
        help="The item's version you saw: refused if someone changed it since (optimistic lock).")] = None,
    choice: Annotated[list[str] | None, typer.Option(
        "--choice", help="Which way a decision by a person goes next, DECISION=STEP (repeat).")] = None,
    database: Database = None, now: Now = None,
) -> None:
    """Act on a work item: claim or release it, finish a task (done), approve, reject, or return it (差戻し)."""
    if to is not None and what is not Act.return_:
        fail(f"--to {to!r} goes with return, not {what.value}", code=2)
    choices = _pairs(choice, "--choice", numbers=False, example=CHOICE_EXAMPLE) or None
    with _engine(database, now) as workflow:
        if what is Act.claim:
            workflow.claim(actor, item, version)
            opened: list[int] | None = None
        elif what is Act.release:
            workflow.release(actor, item, version)
            opened = None
        elif what is Act.return_:
            opened = workflow.return_to_sender(actor, item, to=to, version=version, note=note)
        else:
            opened = workflow.complete(actor, item, what.value, version=version, choice=choices, note=note)
    past = {"claim": "claimed", "release": "released", "done": "done", "approve": "approved",
            "reject": "rejected", "return": "returned"}[what.value]
    text = f"item {item} {past} by {actor}"
    if opened is not None:
        text += f"; opened: {', '.join(map(str, opened))}" if opened else "; nothing new opened"
    _say(text)


@app.command()
def withdraw(
    case: Annotated[int, typer.Argument(help="The case's number.")], actor: Actor,
    note: Annotated[str, typer.Option(help="Why (kept in the audit trail).")] = "",
    database: Database = None, now: Now = None,
) -> None:
    """Withdraw a case you sent on (引戻し), while nobody has started the next work."""
    with _engine(database, now) as workflow:
        item = workflow.withdraw(actor, case, note)
    _say(f"case {case} withdrawn by {actor}: item {item} is theirs again")


@app.command()
def comment(
    case: Annotated[int, typer.Argument(help="The case's number.")],
    text: Annotated[str, typer.Argument(help="The comment.")], actor: Actor,
    database: Database = None, now: Now = None,
) -> None:
    """Comment on a case you may read."""
    with _engine(database, now) as workflow:
        comment_id = workflow.comment(actor, case, text)
    _say(f"comment {comment_id} on case {case} by {actor}")


@app.command()
def tick(database: Database = None, now: Now = None) -> None:
    """Fire every timer that is due (reminders, escalations, case deadlines); run it from cron."""
    with _engine(database, now) as workflow:
        fired = workflow.tick()
    for timer_id, what in fired:
        _say(f"timer {timer_id}: {what}")
    _say(f"{len(fired)} timer(s) fired")


# --- reading ----------------------------------------------------------------------------------------------


@app.command("list")
def list_cases(
    actor: Actor,
    status: Annotated[str | None, typer.Option(help="open, ended or withdrawn.")] = None,
    process: Annotated[str | None, typer.Option(help="Only cases of this process.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    database: Database = None, now: Now = None, output: Format = OutputFormat.text,
) -> None:
    """The cases USER may read (docs/execute.md, "Who may do and see what"), newest first."""
    with _engine(database, now) as workflow:
        found = workflow.cases(actor, status=status, process=process, limit=limit)
    if output is OutputFormat.json:
        print_json(found)
        return
    for case in found:
        attributes = " ".join(f"{k}={v}" for k, v in case["attributes"].items())
        end = f" ({case['outcome']})" if case["outcome"] else ""
        _say(f"case {case['id']:<5} {case['definition']:20} {case['status']}{end:12} drafter {case['drafter']:10} "
             f"{attributes}")
    _say(f"{len(found)} case(s)")


@app.command()
def show(
    case: Annotated[int, typer.Argument(help="The case's number.")], actor: Actor,
    database: Database = None, now: Now = None, output: Format = OutputFormat.text,
) -> None:
    """A case as USER may see it: attributes, its work items, its history (audit) and comments."""
    with _engine(database, now) as workflow:
        found = workflow.case(actor, case)
        found["history"] = workflow.history(actor, case)
    if output is OutputFormat.json:
        print_json(found)
        return
    attributes = " ".join(f"{k}={v}" for k, v in found["attributes"].items())
    _say(f"case {found['id']}  {found['definition']}  {found['status']}"
         f"{' (' + found['outcome'] + ')' if found['outcome'] else ''}  drafter {found['drafter']}  {attributes}")
    _say(f"started {_when(found['started_at'])}  due {_when(found['due_at'])}  ended {_when(found['ended_at'])}")
    _say("items:")
    for item in found["items"]:
        who = item["done_by"] or item["claimed_by"] or f"role {item['role'] or '-'}"
        behalf = f" for {item['on_behalf_of']}" if item["on_behalf_of"] else ""
        state = item["outcome"] if item["status"] == "done" and item["outcome"] else (
            f"{item['status']} ({item['outcome']})" if item["outcome"] else item["status"])
        due = f" due {_when(item['due_at'])}" if item["due_at"] and item["status"] in ("open", "claimed") else ""
        _say(f"  item {item['id']:<4} {item['step']:18} {state:10} {who}{behalf}{due}")
    _say("history:")
    for row in found["history"]:
        behalf = f" for {row['on_behalf_of']}" if row["on_behalf_of"] else ""
        _say(f"  {row['seq']:>4} {_when(row['at'])} {row['actor']}{behalf} {row['action']}  {row['detail']}")
    if found["comments"]:
        _say("comments:")
        for note in found["comments"]:
            _say(f"  {_when(note['at'])} {note['author']}: {note['text']}")


@app.command()
def notifications(
    actor: Actor, limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 20,
    database: Database = None, output: Format = OutputFormat.text,
) -> None:
    """Reminders, overdue work and escalations sent to USER or their roles, newest first."""
    with _engine(database, None) as workflow:
        found = workflow.notifications(actor, limit)
    if output is OutputFormat.json:
        print_json(found)
        return
    for note in found:
        _say(f"{_when(note['at'])}  {note['kind']:9} {note['text']}")


def inbox(
    user: Annotated[str, typer.Argument(help="Whose inbox.")],
    process: Annotated[str | None, typer.Option(help="Only work of this process.")] = None,
    step: Annotated[str | None, typer.Option(help="Only work at this step.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue work.")] = False,
    due_before: Annotated[str | None, typer.Option(
        "--due-before", help="Only work due by then, e.g. 2027-04-09T17:15+09:00.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, soonest due first.")] = 100,
    database: Database = None, now: Now = None, output: Format = OutputFormat.text,
) -> None:
    """The open work USER may do now (their roles, their claims, and what they do for absent users), with counts."""
    due = _moment(due_before, "--due-before") if due_before else None
    with _engine(database, now) as workflow:
        found = workflow.inbox(user, process=process, step=step, overdue=overdue, due_before=due, limit=limit)
        counts = workflow.inbox_counts(user, process=process)
    if output is OutputFormat.json:
        print_json({"user": user, "items": [item.summary() for item in found], "counts": counts})
        return
    for item in found:
        flags = " OVERDUE" if item.overdue else ""
        who = f" claimed by {item.claimed_by}" if item.claimed_by else ""
        behalf = f" for {item.for_user} (代決)" if item.for_user else ""
        due_at = f" due {_when(item.due_at)}" if item.due_at else ""
        _say(f"item {item.id:<4} case {item.case_id:<4} {item.definition:20} {item.step:16} {item.step_name}"
             f"{who}{behalf}{due_at}{flags}")
    _say(f"{counts['total']} open, {counts['overdue']} overdue" + (f" ({len(found)} shown)" if len(found)
                                                                    != counts["total"] else ""))


# --- going live, the log, the archive, the trail ---------------------------------------------------------


@app.command()
def migrate(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The version the cases run on, e.g. purchase_ringi@1.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="The version to move them to, e.g. purchase_ringi@2.")],
    mapping: Annotated[Path | None, typer.Option(
        help="YAML file 'steps: {old_step: new_step}' placing steps the rules cannot.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run/--apply", help="Only say where each case would go "
                                                                    "(the default), or move them.")] = True,
    database: Database = None, now: Now = None, by: Admin = "admin", output: Format = OutputFormat.text,
) -> None:
    """Move the open cases of one version to another (before → after); a dry run first, by default."""
    steps = _mapping(mapping) if mapping else None
    with _engine(database, now) as workflow:
        plan = workflow.migrate(source, target, steps, dry_run=dry_run, by=by)
    if output is OutputFormat.json:
        print_json(plan.summary())
        return
    for move in plan.cases:
        if move.ok:
            _say(f"case {move.case_id}: {', '.join(move.from_steps)} -> {', '.join(move.to_steps)}")
        else:
            _say(f"case {move.case_id}: {', '.join(move.from_steps)} refused: {move.reason}")
    verb = "would move" if plan.dry_run else "moved"
    _say(f"{plan.source} -> {plan.target}: {plan.moved} case(s) {verb}, {plan.refused} refused"
         + (" (dry run: --apply moves them)" if plan.dry_run else ""))


def _mapping(path: Path) -> dict[str, str]:
    from bpr.execute.migrate import read_mapping

    try:
        raw = path.read_bytes()
    except OSError as error:
        fail(f"{path}: cannot read: {error.strerror}")
    try:
        return read_mapping(raw, str(path))
    except BprError as error:
        fail(error)


@app.command("export")
def export_log(
    file: Annotated[Path, typer.Argument(help="Where to write: *.xes is XES, anything else CSV.")],
    archive: Annotated[list[Path] | None, typer.Option(
        "--archive", help="Also the cases of this archive file (repeat).")] = None,
    database: Database = None,
) -> None:
    """Write the event log of every case (the same record as bpr simulate --events), times with offsets."""
    with _engine(database, None) as workflow:
        count = workflow.export_log(file, archives=archive or [])
    _say(f"wrote {count} records to {file}")


@app.command("archive")
def archive_cases(
    older_than: Annotated[int, typer.Option("--older-than", help="Finished more than this many days ago.")],
    to: Annotated[Path, typer.Option("--to", help="The archive file (SQLite; created, or added to).")],
    database: Database = None, now: Now = None, by: Admin = "admin",
) -> None:
    """Move finished cases out of the working tables into an archive file that export and verify still read."""
    with _engine(database, now) as workflow:
        result = workflow.archive(older_than, to, by=by)
    _say(f"archived {result.cases} case(s) and {result.audit_rows} audit row(s) to {result.path}")


@app.command()
def verify(
    archive: Annotated[list[Path] | None, typer.Option(
        "--archive", help="Check the rows moved to this archive file too (repeat).")] = None,
    database: Database = None,
) -> None:
    """Walk the hash-chained audit trail: exit 0 when it is intact, 1 naming each break."""
    from bpr.execute.archive import read_archive_audit

    with _engine(database, None) as workflow:
        archived = [row for path in archive or [] for row in read_archive_audit(path)]
        result = workflow.verify(archived)
    for problem in result.problems:
        _say(problem)
    if result.ok:
        _say(f"ok: the audit trail is intact ({result.rows} rows checked, {result.archived} archived)")
        return
    _say(f"broken: {len(result.problems)} problem(s) in {result.rows} rows")
    raise typer.Exit(EXIT_THRESHOLD)


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="cases")
    main.command("inbox")(inbox)
