"""Fitting decisions: how often each branch is taken, and whether a condition on a case attribute explains
the choice better than a probability.

The branches come from the replay (which branch each case's path went through). A decision by probability
gets the observed shares (standard error √(p(1−p)/n)). For a decision with two branches, every numeric
case attribute is tried as a threshold ``attr > t`` (a decision stump): the threshold that classifies most
cases right, against the share of the larger branch (what a probability gets right at best). A decision by
a condition of the form ``attr OP number`` gets its threshold moved to where it classifies best: the
number with the fewest significant figures between the two observed values that the split falls between
(any number there classifies the log the same; the interval is the uncertainty).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from bpr.model.schema import Decision, Process

from bpr.calibrate.log import Log
from bpr.calibrate.parameters import Parameter, nice_between
from bpr.calibrate.replay import Replay

__all__ = ["Stump", "fit_branches", "stump"]

_SIMPLE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|>|<=|<)\s*(-?[0-9][0-9_]*(?:\.[0-9]+)?)\s*$")


class Stump:
    """The best threshold on one attribute: cases with ``value > lo`` (``above`` True) take the first branch;
    any threshold in ``[lo, hi)`` does as well; ``right`` cases of ``n`` are classified right."""

    def __init__(self, attribute: str, lo: float, hi: float, above: bool, right: int, n: int) -> None:
        self.attribute, self.lo, self.hi, self.above, self.right, self.n = attribute, lo, hi, above, right, n

    @property
    def accuracy(self) -> float:
        return self.right / self.n


def stump(attribute: str, values: np.ndarray, first: np.ndarray) -> Stump | None:
    """The threshold on ``values`` that best separates cases taking the first branch (``first`` True)."""
    n = len(values)
    if n < 2:
        return None
    order = np.argsort(values, kind="stable")
    v, y = values[order], first[order].astype(np.int64)
    # Split after position i (cases 0..i below): right = (#not-first below) + (#first above) for "above".
    below_not = np.cumsum(1 - y)
    above_first = y.sum() - np.cumsum(y)
    right_above = below_not + above_first
    right_below = n - right_above  # the opposite orientation: first branch below the threshold
    cuts = np.flatnonzero(v[:-1] < v[1:])  # only between distinct values
    if len(cuts) == 0:
        return None
    best_a = cuts[np.argmax(right_above[cuts])]
    best_b = cuts[np.argmax(right_below[cuts])]
    if right_above[best_a] >= right_below[best_b]:
        return Stump(attribute, float(v[best_a]), float(v[best_a + 1]), True, int(right_above[best_a]), n)
    return Stump(attribute, float(v[best_b]), float(v[best_b + 1]), False, int(right_below[best_b]), n)


def fit_branches(process: Process, log: Log, replay: Replay) -> list[Parameter]:
    """Branch shares and conditions of every decision the cases passed (module docstring)."""
    taken: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for case in replay.cases:
        if case.problem:
            continue
        for decision, branch in case.branches:
            taken[decision].append((case.case, branch))
    out: list[Parameter] = []
    for i, step in enumerate(process.steps):
        if not isinstance(step, Decision) or i not in taken:
            continue
        choices = taken[i]
        n = len(choices)
        counts = Counter(b for _, b in choices)
        shares = [counts.get(j, 0) / n for j in range(len(step.next))]
        path = f"steps[{i}]"
        best = _best_stump(log, choices) if len(step.next) == 2 else None
        if step.next[0].probability is not None:
            out.extend(_probabilities(process, path, step, shares, n, best))
        else:
            out.extend(_condition(process, path, step, shares, n, best, log, choices))
    return out


def _best_stump(log: Log, choices: list[tuple[str, int]]) -> Stump | None:
    names: set[str] = set()
    for case, _ in choices:
        names |= {k for k, v in log.attributes.get(case, {}).items() if isinstance(v, float)}
    best = None
    for name in sorted(names):
        pairs = [(log.attributes[c][name], b == 0) for c, b in choices
                 if isinstance(log.attributes.get(c, {}).get(name), float)]
        if len(pairs) < len(choices):
            continue  # an attribute some cases lack cannot route them
        found = stump(name, np.asarray([p[0] for p in pairs]), np.asarray([p[1] for p in pairs]))
        if found is not None and (best is None or found.right > best.right):
            best = found
    return best


def _rounded_shares(shares: list[float]) -> list[float]:
    out = [round(s, 3) for s in shares]
    out[-1] = round(1 - sum(out[:-1]), 3)
    return out


def _probabilities(process: Process, path: str, step: Decision, shares: list[float], n: int,
                   best: Stump | None) -> list[Parameter]:
    fitted = _rounded_shares(shares)
    out = []
    for j, (branch, p) in enumerate(zip(step.next, fitted)):
        se = math.sqrt(max(shares[j] * (1 - shares[j]), 0.0) / n)
        note = ""
        if j == 0 and best is not None and best.accuracy > max(shares) + 2 * math.sqrt(max(shares) * (1 - max(shares)) / n):
            op = ">" if best.above else "<="
            note = (f"'{best.attribute} {op} {_plain(nice_between(best.lo, best.hi))}' explains {best.accuracy:.0%} of the "
                    f"choices, a probability {max(shares):.0%}: consider a decision by condition")
        out.append(Parameter(f"{path}.next[{j}].probability", f"{step.id} → {branch.to}: probability",
                             f"{branch.probability:g}", f"{p:g}", n, f"±{1.96 * se:.3f} (95%)", p, note,
                             _line(process, f"{path}.next[{j}].probability")))
    return out


def _condition(process: Process, path: str, step: Decision, shares: list[float], n: int, best: Stump | None,
               log: Log, choices: list[tuple[str, int]]) -> list[Parameter]:
    first = step.next[0]
    when = first.when or ""
    right = _file_right(step, log, choices)
    share_text = ", ".join(f"{b.to} {s:.0%}" for b, s in zip(step.next, shares))
    match = _SIMPLE.match(when)
    file_note = f"the file's conditions route {right:.0%} of the cases as the log did" if right is not None else \
        "the log has no attributes to check the conditions"
    if not match or best is None or len(step.next) != 2 or best.attribute != match.group(1):
        return [Parameter(f"{path}.next[0].when", f"{step.id}: branches taken", when, share_text, n, "", None,
                          file_note, _line(process, f"{path}.next[0].when"))]
    attribute, op = match.group(1), match.group(2)
    above = op in (">", ">=")
    if above != best.above:
        return [Parameter(f"{path}.next[0].when", f"{step.id}: branches taken", when, share_text, n, "", None,
                          file_note + "; the log splits the other way round", _line(process, f"{path}.next[0].when"))]
    threshold = nice_between(best.lo, best.hi)
    fitted = f"{attribute} {op} {_plain(threshold)}" if abs(threshold) < 1e15 else when
    if right is not None and best.right <= round(right * n) and fitted != when:
        fitted = when  # the file's threshold already classifies as well as any
    return [Parameter(f"{path}.next[0].when", f"{step.id} → {first.to}: condition", when, fitted, n,
                      f"any threshold in [{best.lo:g}, {best.hi:g})", fitted if fitted != when else None,
                      f"{file_note}; the fitted threshold {best.accuracy:.0%}; {share_text}",
                      _line(process, f"{path}.next[0].when"))]


def _file_right(step: Decision, log: Log, choices: list[tuple[str, int]]) -> float | None:
    """The share of cases the file's own conditions route the way the log shows (None: no attributes)."""
    from bpr.model.conditions import ConditionError, compiled

    conditions = [None if b.otherwise else compiled(b.when or "") for b in step.next]
    right = total = 0
    for case, branch in choices:
        attributes: dict[str, Any] = log.attributes.get(case, {})
        if not attributes:
            continue
        try:
            chosen = next(j for j, c in enumerate(conditions) if c is None or c.evaluate(attributes))
        except (ConditionError, StopIteration):
            continue
        total += 1
        right += chosen == branch
    return right / total if total else None


def _plain(x: float) -> str:
    """A number as a condition reads it: no exponent (``1000000``, ``0.25``)."""
    return str(int(x)) if x == int(x) else f"{x:.10f}".rstrip("0")


def _line(process: Process, path: str) -> int | None:
    where = process.location(path)
    return where[0] if where else None
