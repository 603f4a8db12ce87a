"""Cross-reference checks: every name a process uses must be declared, every id unique.

Pydantic checks fields one by one; these checks span the file (a step routed to a step that exists, a role
that is declared, a condition that reads a declared attribute). Each problem names its exact path so that
the loader can point at the line; hints suggest the nearest existing name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from bpr.errors import Issue
from bpr.model.conditions import BoolOp, Compare, Condition, Const, Name, Not, compiled
from bpr.model.distributions import Choice
from bpr.model.schema import CHANNELS, Approval, Decision, Handoff, Join, Parallel, Process, Task, Wait
from bpr.model.volume import calendar_problems, profile_shape

BUILTIN_ATTRIBUTES = ("channel",)
"""Attributes every case has without declaring them: ``channel`` is the arrival channel's name."""


def _hint(name: str, known: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None


def check_references(process: Process) -> list[Issue]:
    """Problems with names and ids in ``process``, each with its path; empty when all is well."""
    issues: list[Issue] = []
    step_ids = [step.id for step in process.steps]
    known_steps = set(step_ids)
    seen: set[str] = set()
    for i, step_id in enumerate(step_ids):
        if step_id in seen:
            issues.append(Issue(f"duplicate step id {step_id!r}", f"steps[{i}].id", hint="ids must be unique"))
        seen.add(step_id)

    def step_ref(target: str, path: str, what: str = "step") -> None:
        if target not in known_steps:
            issues.append(Issue(f"no {what} {target!r}", path, hint=_hint(target, step_ids) or "list of steps: " + ", ".join(step_ids[:12])))

    def role_ref(role: str, path: str) -> None:
        if role not in process.roles:
            issues.append(Issue(f"no role {role!r}", path, hint=_hint(role, process.roles) or "declare it under 'roles:'"))

    def calendar_ref(name: str | None, path: str) -> None:
        if name is not None and name != "always" and name not in process.calendars:
            issues.append(Issue(f"no calendar {name!r}", path,
                                hint=_hint(name, list(process.calendars) + ["always"]) or "declare it under 'calendars:' or use 'always'"))

    attributes = set(process.attributes) | set(BUILTIN_ATTRIBUTES)
    for arrival in process.arrivals:
        attributes |= set(arrival.attributes)

    kinds = _attribute_kinds(process)

    def condition_ref(text: str | None, path: str) -> None:
        if text is None:
            return
        unknown = False
        for name in sorted(compiled(text).names):
            if name not in attributes:
                unknown = True
                issues.append(Issue(f"condition reads {name!r}, which is not a case attribute", path,
                                    hint=_hint(name, attributes) or "declare it under 'attributes:'"))
        if not unknown:
            issues.extend(Issue(message, path, hint=hint) for message, hint in _never_true(compiled(text), kinds))

    if process.start is not None:
        step_ref(process.start, "start")
    for role_id, role in process.roles.items():
        calendar_ref(role.calendar, f"roles.{role_id}.calendar")
    for a, arrival in enumerate(process.arrivals):
        calendar_ref(arrival.calendar, f"arrivals[{a}].calendar")
        if arrival.calendar is None or arrival.calendar == "always" or arrival.calendar in process.calendars:
            shape = profile_shape(arrival, process.calendar_of(arrival.calendar))
            if shape is not None and shape[2] == 0:
                issues.append(Issue(f"the profile of channel {arrival.channel!r} is 0 at every hour its calendar is "
                                    "open: no case could ever arrive", f"arrivals[{a}].profile",
                                    hint="give some open weekday and hour a weight above 0, or remove the stream"))
        if arrival.start is not None:
            step_ref(arrival.start, f"arrivals[{a}].start")
    for name in process.calendars:
        if name == "always":
            issues.append(Issue("'always' is built in and cannot be redefined", f"calendars.{name}"))
    for prefix, calendar in [("calendar", process.calendar)] + [(f"calendars.{k}", c) for k, c in process.calendars.items()]:
        for field, message, hint in calendar_problems(calendar):
            issues.append(Issue(message, f"{prefix}.{field}", hint=hint))

    for i, step in enumerate(process.steps):
        base = f"steps[{i}]"
        if isinstance(step, (Task, Approval)):
            role_ref(step.role, f"{base}.role")
            if step.simple is not None and step.simple.when is not None:
                condition_ref(step.simple.when, f"{base}.simple.when")
        if step.control is not None:
            for k, other in enumerate(step.control.separate_from):
                step_ref(other, f"{base}.control.separate_from[{k}]")
        if isinstance(step, (Task, Approval, Handoff, Wait, Join)):
            step_ref(step.next, f"{base}.next")
            if step.next == step.id:
                issues.append(Issue("a step cannot lead to itself", f"{base}.next"))
        if isinstance(step, Handoff):
            calendar_ref(step.calendar, f"{base}.calendar")
        if isinstance(step, Approval):
            if step.reject is not None:
                step_ref(step.reject.to, f"{base}.reject.to")
            for d, delegation in enumerate(step.delegations):
                role_ref(delegation.role, f"{base}.delegations[{d}].role")
                condition_ref(delegation.when, f"{base}.delegations[{d}].when")
            for r, rule in enumerate(step.required_authority):
                condition_ref(rule.when, f"{base}.required_authority[{r}].when")
        if isinstance(step, Decision):
            for b, branch in enumerate(step.next):
                step_ref(branch.to, f"{base}.next[{b}].to")
                condition_ref(branch.when, f"{base}.next[{b}].when")
        if isinstance(step, Parallel):
            for b, target in enumerate(step.next):
                step_ref(target, f"{base}.next[{b}]")
            if len(set(step.next)) != len(step.next):
                issues.append(Issue("a parallel step lists the same branch twice", f"{base}.next"))
            step_ref(step.join, f"{base}.join", "join step")
            if step.join in known_steps and process.step(step.join).type != "join":
                kind = process.step(step.join).type
                issues.append(Issue(f"{step.join!r} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}, not a join", f"{base}.join",
                                    hint="point 'join:' at a step with type: join"))
    return issues


def _attribute_kinds(process: Process) -> dict[str, tuple[str, frozenset[str]]]:
    """Attribute -> ("text", its possible values) or ("number", {}), where every definition agrees."""
    kinds: dict[str, set[str]] = {}
    values: dict[str, set[str]] = {}
    definitions = list(process.attributes.items())
    definitions += [item for arrival in process.arrivals for item in arrival.attributes.items()]
    for name, dist in definitions:
        kinds.setdefault(name, set()).add("text" if isinstance(dist, Choice) else "number")
        if isinstance(dist, Choice):
            values.setdefault(name, set()).update(dist.values)
    out = {name: (kind.pop(), frozenset(values.get(name, ()))) for name, kind in kinds.items() if len(kind) == 1}
    out.setdefault("channel", ("text", frozenset(CHANNELS)))
    return out


def _never_true(condition: Condition, kinds: dict[str, tuple[str, frozenset[str]]]) -> list[tuple[str, str | None]]:
    """Comparisons that can never hold (or cannot be evaluated) given what the attributes can be.

    ``kind == "nwe"`` or ``amount == "high"`` would silently send every case the other way; ``kind > 5``
    would stop a simulation half way. Both are mistakes a reader cannot see in a diagram.
    """
    found: list[tuple[str, str | None]] = []
    nodes: list[object] = [condition.tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, BoolOp):
            nodes.extend(node.parts)
        elif isinstance(node, Not):
            nodes.append(node.part)
        elif isinstance(node, Compare):
            name, const = (node.left, node.right) if isinstance(node.left, Name) else (node.right, node.left)
            if not (isinstance(name, Name) and isinstance(const, Const)) or name.name not in kinds:
                continue
            kind, known = kinds[name.name]
            for literal in const.value if isinstance(const.value, tuple) else (const.value,):
                if isinstance(literal, bool):
                    literal_kind, shown = "true/false", str(literal).lower()
                elif isinstance(literal, str):
                    literal_kind, shown = "text", f"the text {literal!r}"
                else:
                    literal_kind, shown = "number", f"the number {literal:g}"
                if literal_kind != kind:
                    verb = "cannot be ordered against" if node.op in ("<", "<=", ">", ">=") else "is never equal to"
                    found.append((f"{kind} attribute {name.name!r} {verb} {shown}",
                                  "compare text with text and numbers with numbers"))
                elif kind == "text" and known and literal not in known and node.op not in ("<", "<=", ">", ">="):
                    found.append((f"attribute {name.name!r} is never {literal!r}; its values are {', '.join(sorted(known))}",
                                  _hint(str(literal), known)))
    return found
