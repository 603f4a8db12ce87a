"""Task functions for the worker-pool tests (importable by spawned worker processes)."""

from __future__ import annotations

import time
from typing import Any

from bpr.errors import Issue, ModelError


def square(x: int, progress: Any = None) -> int:
    return x * x


def steps(n: int, pause: float, progress: Any = None) -> int:
    for i in range(n):
        time.sleep(pause)
        progress((i + 1) / n)
    return n


def sleep(seconds: float, progress: Any = None) -> float:
    time.sleep(seconds)
    return seconds


def refuse(progress: Any = None) -> None:
    raise ModelError([Issue("no step 'x'", path="steps[0].next", file="f.yaml", line=3, column=9)])


def crash(progress: Any = None) -> None:
    raise ZeroDivisionError("division by zero")


def die(progress: Any = None) -> None:
    import os

    os._exit(3)
