"""The plan as a change-list file: ``base:`` (the redesigned file, relative to the plan's folder) and
``changes:``, each group of changes under a comment naming the candidate it comes from.

The text is built here (the caller writes it, atomically); every change is one line of YAML flow style
(:func:`bpr.analysis.change_text`), so ``bpr validate plan.yaml`` and ``bpr simulate before.yaml plan.yaml``
read it back as the plan's process.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from bpr.analysis.text import change_text
from bpr.redesign.result import RedesignResult

__all__ = ["plan_yaml", "relative_base"]


def relative_base(process_file: str | os.PathLike[str], plan_file: str | os.PathLike[str]) -> str:
    """``base:`` for a plan written to ``plan_file``: the process file relative to the plan's folder
    (forward slashes). Give absolute paths (the caller resolves them)."""
    relative = os.path.relpath(Path(process_file), start=Path(plan_file).parent)
    return PurePath(relative).as_posix()


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _signed(measure: Mapping[str, Any]) -> str:
    """A measure of :attr:`bpr.redesign.impact.Impact.measures` as ``+12.3% [+8.0, +16.6]``."""
    percent = measure.get("percent_change")
    low, high = measure.get("percent_ci95") or [None, None]
    if percent is None:
        return "n/a"
    ci = f" [{low:+.1f}, {high:+.1f}]" if low is not None and high is not None else ""
    return f"{percent:+.1f}%{ci}"


def plan_yaml(result: RedesignResult, base: str) -> str:
    """The plan of ``result`` as change-list YAML with ``base: <base>``."""
    plan = result.plan
    config = result.baseline.config
    lines = [
        f"# Redesign plan for {_comment(result.process_name)} ({result.process_id}), proposed by bpr redesign.",
        (f"# Simulated: {config.replications} replications of {config.horizon} after a {config.warm_up} warm-up, "
         f"seed {config.seed}."),
    ]
    if plan.impact is not None:
        measures = plan.impact.measures
        lines.append(
            f"# Against the base: lead time {_signed(measures['lead_time'])}, "
            f"staff-hours/year {_signed(measures['staff_hours_per_year'])} (95% CI)."
        )
    else:
        lines.append("# No candidate improved the process: the plan is empty.")
    plain = re.fullmatch(r"[A-Za-z0-9_./-]+", base) and not base.startswith("-")
    lines.append(f"base: {base if plain else json.dumps(base, ensure_ascii=False)}")
    if not plan.changes:
        lines.append("changes: []")
        return "\n".join(lines) + "\n"
    lines.append("changes:")
    for step in plan.steps:
        if not step.accepted:
            continue
        lines.append(f"  # {step.candidate}: {_comment(step.title)}")
        for change in step.changes:
            lines.append(f"  - {change_text(change)}")
    return "\n".join(lines) + "\n"
