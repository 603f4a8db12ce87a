"""Ctrl-C and SIGTERM end a command with a short line, never a traceback, and never leave a process behind.

The first signal prints ``stopping…`` and raises in the main thread (``KeyboardInterrupt`` for Ctrl-C,
``SystemExit(143)`` for SIGTERM), so that what runs cleans up: the simulation stops its worker processes
(:mod:`bpr.simulate.runner`), half-written files are removed. A second signal ends the command at once;
its workers then end with it (:mod:`bpr.simulate.lifeline`).

This module imports nothing heavy: :func:`install` runs before the libraries load, so a Ctrl-C during
start-up is handled too.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

__all__ = ["install", "leave_to_the_server"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM

_stopping = False


def install() -> None:
    """Handle SIGINT and SIGTERM in this (the main) thread as described in the module doc."""
    global _stopping
    _stopping = False
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def leave_to_the_server() -> None:
    """Give SIGINT and SIGTERM back to Python's defaults for a server that shuts down by itself on them
    (uvicorn stops gracefully, stops the workers through the app's shutdown, then re-raises the signal)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _stopping
    if _stopping:
        os._exit(128 + signum)  # the second signal: at once, without waiting for any clean-up
    _stopping = True
    try:
        sys.stderr.write("\nstopping… (press Ctrl-C again to quit at once)\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed with its terminal
        pass
    if signum == signal.SIGTERM:
        raise SystemExit(EXIT_TERMINATED)
    raise KeyboardInterrupt
