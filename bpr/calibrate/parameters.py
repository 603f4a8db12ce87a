"""A fitted parameter of a process file, and how fitted values are written in the file's own units.

Fitted numbers are rounded to what a person would write (three significant figures, a duration in the
largest sensible unit) before they go into the file; the calibrated process is built from the written
text, so the file, the table and the re-simulation all mean the same value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bpr.model.distributions import Fixed, _Dist

__all__ = ["Parameter", "duration_text", "file_form", "nice_between", "round_sig"]


@dataclass(frozen=True)
class Parameter:
    """One parameter: where it is in the file (``path``), its value before and fitted (as written), the
    sample it was fitted from and the uncertainty of the fit. ``value`` is what is written into the
    calibrated file (``None``: reported only, e.g. a field the file does not have)."""

    path: str
    what: str
    before: str
    fitted: str
    n: int
    uncertainty: str
    value: Any = None
    note: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "what": self.what, "before": self.before, "fitted": self.fitted, "n": self.n,
                "uncertainty": self.uncertainty, "written": self.value is not None, "note": self.note,
                "line": self.line}


def round_sig(x: float, digits: int = 3) -> float:
    """``x`` to ``digits`` significant figures (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _number(x: float) -> str:
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def duration_text(minutes: float) -> str:
    """A duration as a person writes it, three significant figures: ``31.4m``, ``2.5h``, ``3.2d``, ``45s``."""
    if minutes <= 0:
        return "0m"
    for unit, size, above in (("d", 1440.0, 2880.0), ("h", 60.0, 120.0), ("m", 1.0, 1.0), ("s", 1 / 60, 0.0)):
        if minutes >= above:
            return f"{_number(round_sig(minutes / size))}{unit}"
    return "0m"


def file_form(dist: _Dist) -> Any:
    """A duration distribution as written in a file, rounded (module docstring)."""
    if isinstance(dist, Fixed):
        return duration_text(dist.value)
    data = dist.model_dump(by_alias=True)
    out: dict[str, Any] = {"dist": data.pop("dist")}
    for key, value in data.items():
        out[key] = duration_text(float(value))
    return out


def nice_between(lo: float, hi: float) -> float:
    """The number with the fewest significant figures in ``[lo, hi)`` (a threshold a person would write):
    between 987,000 and 1,012,000 that is 1,000,000."""
    if not hi > lo:
        return lo
    top = max(abs(lo), abs(hi))
    magnitude = math.floor(math.log10(top)) if top > 0 else 0
    for digits in range(1, 16):
        step = 10.0 ** (magnitude - digits + 1)
        candidate = math.ceil(lo / step) * step
        if lo <= candidate < hi:
            return round_sig(candidate, digits + 1)
    return lo
