"""The change kinds, in the order documentation and hints list them. A new kind is a module of its own
(see :mod:`bpr.changes.base`) and one entry here."""

from __future__ import annotations

from bpr.changes.arrivals import Arrivals
from bpr.changes.base import Change
from bpr.changes.batch import Batch
from bpr.changes.calendar import CalendarChange
from bpr.changes.delegate import Delegate
from bpr.changes.digitize import Digitize
from bpr.changes.merge import Merge
from bpr.changes.parallelize import Parallelize
from bpr.changes.remove import Remove
from bpr.changes.reorder import Reorder
from bpr.changes.set_fields import SetFields
from bpr.changes.staff import Staff
from bpr.changes.triage import Triage

__all__ = ["CHANGE_KINDS", "CHANGE_TYPES", "KINDS"]

KINDS: tuple[type[Change], ...] = (
    Remove, Digitize, Delegate, Parallelize, Merge, Reorder, Triage, Staff, Arrivals, Batch, CalendarChange, SetFields,
)
CHANGE_TYPES: dict[str, type[Change]] = {cls.kind: cls for cls in KINDS}
CHANGE_KINDS: tuple[str, ...] = tuple(CHANGE_TYPES)
