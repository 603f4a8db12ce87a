"""Digitisation: paper becomes digital, re-keying disappears, files travel electronically.

Three candidates at most, each one change of the change language's ``digitize``:

- **electronic circulation** — every handoff that carries the file inside the administration (internal
  mail, courier, fax, walking it over: :data:`CARRIED`) becomes an instant electronic handoff (BPR203).
  Postal handoffs are left alone: they go to or come from citizens and businesses, and their delay often
  includes the other party's own time (collecting missing documents), which no system removes;
- **no re-keying** — every task that types in data that already exists (``rekey: true``, BPR301) takes it
  digitally instead; what remains is a check of the transferred record: the step's ``digital_duration``
  where the file states one, otherwise assumed to take :data:`REKEY_FACTOR` of the typing time (the only
  time saving this module claims by itself, and it is stated in the change);
- **e-approval** — the remaining paper or sealed tasks and approvals (and waits on a paper exchange that
  the file estimates digitally) become digital. A step's duration changes only where the file states its
  ``digital_duration`` (an estimate the analyst wrote down, e.g. the fee computed by the system); the
  others keep theirs: no faster work is claimed that nobody stated.
"""

from __future__ import annotations

from bpr.analysis.text import steps_text
from bpr.model.schema import Approval, Handoff, Task, Wait
from bpr.redesign.candidate import Candidate, candidate_id
from bpr.redesign.context import Context

REKEY_FACTOR = 0.3
"""Duration of a former re-keying task once the data arrives digitally: checking the transferred record
(30% of the typing time; the purchase ringi scenario documents the same assumption)."""


CARRIED = ("internal_mail", "courier", "walk", "fax")
"""Handoff modes that move a file inside the administration, and that electronic circulation replaces."""


def electronic_circulation(context: Context) -> list[Candidate]:
    process = context.process
    carried = [s.id for s in process.steps if isinstance(s, Handoff) and s.mode in CARRIED]
    if not carried:
        return []
    return [
        Candidate(
            id=candidate_id("digitize", "handoffs"),
            heuristic="digitize",
            title="Circulate the file electronically instead of carrying it",
            explanation=(
                f"The file is carried between departments ({steps_text(process, carried)}: mail runs, couriers, "
                "walking it over); an electronic handoff arrives at once, with no departure times to wait for."
            ),
            changes=({"digitize": carried},),
            steps=tuple(carried),
            sources=("BPR203",),
        )
    ]


def _estimated(context: Context, ids: list[str]) -> list[str]:
    """Those of ``ids`` whose digital duration the file states."""
    return [i for i in ids if getattr(context.process.step(i), "digital_duration", None) is not None]


def _estimate_text(context: Context, estimated: list[str]) -> str:
    if not estimated:
        return ""
    return (f" For {steps_text(context.process, estimated)} the file states how long they take once digital "
            "(digital_duration); those estimates are used.")


def no_rekeying(context: Context) -> list[Candidate]:
    process = context.process
    rekeyed = [s.id for s in process.steps if isinstance(s, Task) and s.rekey]
    if not rekeyed:
        return []
    estimated = _estimated(context, rekeyed)
    assumed = [i for i in rekeyed if i not in estimated]
    changes: list[dict[str, object]] = []
    if estimated:
        changes.append({"digitize": estimated})
    if assumed:
        changes.append({"digitize": {"steps": assumed, "factor": REKEY_FACTOR}})
    assumption = (f"{steps_text(process, assumed)}: assumed {REKEY_FACTOR:.0%} of the typing time." if assumed else "")
    return [
        Candidate(
            id=candidate_id("digitize", "rekey"),
            heuristic="digitize",
            title=f"Take the data digitally instead of typing it again: {steps_text(process, rekeyed)}",
            explanation=(
                "These tasks type in data that already exists on a form or in another system. Taken digitally "
                f"at the source, only a check of the transferred record remains.{_estimate_text(context, estimated)}"
                f"{' ' + assumption if assumption else ''}"
            ),
            changes=tuple(changes),
            steps=tuple(rekeyed),
            sources=("BPR301",),
        )
    ]


def e_approval(context: Context) -> list[Candidate]:
    process = context.process
    paper = [
        s.id
        for s in process.steps
        if (
            isinstance(s, (Task, Approval))
            and not (isinstance(s, Task) and s.rekey)
            and (s.medium == "paper" or s.stamp or s.digital_duration is not None)
        )
        or (isinstance(s, Wait) and s.medium == "paper" and s.digital_duration is not None)
    ]
    if not paper:
        return []
    estimated = _estimated(context, paper)
    kept = ("Their durations are kept (no faster work is claimed)." if not estimated
            else "The other steps keep their durations (no faster work is claimed that the file does not state).")
    return [
        Candidate(
            id=candidate_id("digitize", "paper"),
            heuristic="digitize",
            title=f"E-approval and digital forms for {len(paper)} paper step(s)",
            explanation=(
                f"{steps_text(process, paper)} work on paper or press a seal. Digital forms and e-approval "
                f"remove the seals and the paper.{_estimate_text(context, estimated)} {kept}"
            ),
            changes=({"digitize": paper},),
            steps=tuple(paper),
            sources=("BPR302",) if any(f.rule == "BPR302" for f in context.analysis.findings) else (),
        )
    ]


def digitize_paper(context: Context) -> list[Candidate]:
    """The three digitisation candidates (module docstring); each only where it has something to change."""
    return [*electronic_circulation(context), *no_rekeying(context), *e_approval(context)]
