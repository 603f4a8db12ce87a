"""Imported by the forkserver alone, as a preload (:func:`bpr.simulate.lifeline.worker_pool`): no traceback
from it once the bpr process that started it is gone.

A bpr process killed while it asks its forkserver for a worker (SIGKILL, an out-of-memory kill) leaves the
forkserver reading from a connection whose other end has vanished; the forkserver's loop ends with an
``EOFError`` and prints its traceback onto the terminal of a command that has already ended. That error, or
any error of a vanished peer (``ConnectionError``), is the owner's end and no fault to report: the process
ends quietly. The owner closes its connections as it ends, a moment before it has ended, so its end is awaited
for up to :data:`OWNER_ENDING` seconds. Every other error, and any error while the owner lives on, is printed
as before.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType

from bpr.simulate.lifeline import ORPHANED, ends_within

__all__ = ["OWNER_ENDING", "quiet_when_orphaned"]

OWNER_ENDING = 2.0
"""Seconds an error of a vanished peer waits for the owner's end before it is printed after all."""

_OWNER = os.getppid()
"""The bpr process that started the forkserver importing this module."""
_PRINT = sys.excepthook


def quiet_when_orphaned(kind: type[BaseException], error: BaseException, trace: TracebackType | None,
                        owner: int = _OWNER) -> None:
    """``sys.excepthook`` of the forkserver and its workers (see module doc)."""
    if issubclass(kind, (EOFError, ConnectionError)) and ends_within(owner, OWNER_ENDING):
        os._exit(ORPHANED)
    _PRINT(kind, error, trace)


sys.excepthook = quiet_when_orphaned
