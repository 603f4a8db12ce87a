"""One bench against another checkout, in the same run: ``--reference DIR`` of the benches.

On a shared machine the seconds of two runs an hour apart say little; the ratio of two versions measured in
turns, in the same minutes, says what changed. :func:`in_turns` runs a bench script once per turn in each
checkout, alternately (the reference first: neither always runs second), each time in a fresh interpreter
with that checkout's ``bpr`` first on the path and the checkout as the working directory (worker processes
put their working directory first on their path). The script is *this* checkout's (the reference need not
have the bench), told by ``--json`` to print one run's figures as a JSON object of numbers.
:func:`print_ratios` prints the medians of the turns and this / reference.

    git worktree add /tmp/prev HEAD~1
    python bench/calendar_speed.py --reference /tmp/prev
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

Figures = dict[str, float]


def measured_checkout_first() -> None:
    """Put this checkout first on the path, unless ``PYTHONPATH`` names a checkout's ``bpr`` (a turn's of
    :func:`in_turns`): a bench measures that one then. Call it before the bench imports ``bpr``."""
    if not any((Path(entry) / "bpr" / "__init__.py").is_file()
               for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry):
        sys.path.insert(0, str(ROOT))


def add_reference_options(parser: argparse.ArgumentParser, repeat: int = 3) -> None:
    """``--reference DIR``, ``--repeat N`` (turns of each version) and the hidden ``--json`` of one run."""
    parser.add_argument("--reference", type=Path, help="a checkout of another bpr version to measure against")
    parser.add_argument("--repeat", type=int, default=repeat, help="runs of each version with --reference")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run's figures, as JSON


def end_with_parent() -> None:
    """In a child process before it starts (``preexec_fn``): SIGTERM when the bench dies, however it dies (a
    child in a session of its own, or a turn's whole run, would otherwise outlive a bench that was killed)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def in_turns(script: str, arguments: Sequence[str], reference: Path, repeat: int,
             timeout: float | None = None) -> dict[str, list[Figures]]:
    """``python script --json *arguments`` ``repeat`` times in each of ``reference`` and this checkout, in
    turns: ``{"reference": [figures, ...], "this": [...]}``. A run that fails stops the comparison with its
    output (a bench is not a test: nothing is retried)."""
    reference = reference.resolve()
    if not (reference / "bpr" / "__init__.py").is_file():
        raise SystemExit(f"--reference {reference}: not a bpr checkout (no bpr/__init__.py)")
    figures: dict[str, list[Figures]] = {"reference": [], "this": []}
    for turn in range(repeat):
        for label, source in (("reference", reference), ("this", ROOT)):
            print(f"  turn {turn + 1}/{repeat}: {label}", file=sys.stderr, flush=True)
            done = subprocess.run(
                [sys.executable, str(Path(script).resolve()), "--json", *arguments],
                env=dict(os.environ, PYTHONPATH=str(source)), cwd=source, capture_output=True, text=True,
                timeout=timeout, preexec_fn=end_with_parent)
            if done.returncode != 0:
                raise SystemExit(f"{label} ({source}) failed with exit code {done.returncode}:\n"
                                 f"{done.stdout}{done.stderr}")
            figures[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
    return figures


def print_ratios(figures: dict[str, list[Figures]], names: Sequence[tuple[str, str]], reference: Path,
                 title: str) -> None:
    """Medians of the turns of each figure (``(key, label)`` in ``names``) and this / reference."""
    runs = len(figures["this"])
    print(f"{title}; medians of {runs} run(s) each, in turns; this / reference ({reference})")
    print(f"{'figure':44} {'reference':>12} {'this':>12} {'ratio':>7}")
    for key, label in names:
        ref = statistics.median(run[key] for run in figures["reference"])
        this = statistics.median(run[key] for run in figures["this"])
        ratio = f"{this / ref:7.3f}" if ref else "      -"
        print(f"{label:44} {ref:12.4g} {this:12.4g} {ratio}")
