"""The change language: what-ifs and redesigns written as edits to a process.

A change list (``{base: before.yaml, changes: [...]}``, a ``--change`` on the command line, a redesign
suggestion, a REST what-if) is a list of one-key mappings such as ``remove: chief_check``. This package
reads them into frozen models (:func:`parse_changes`), writes them back (:func:`change_to_data`), explains
them in one line (:func:`describe`, :func:`describe_ja`) and applies them (:func:`apply_changes`).
Change-list files, and the process they stand for, are read by :func:`read_change_list` and
:func:`load_process`.

Each kind lives in a module of its own with its parsing, application and wording (``remove.py``,
``digitize.py``, …), found through :mod:`bpr.changes.registry`; the rules are in ``docs/changes.md``.
"""

from bpr.changes.apply import apply_changes
from bpr.changes.arrivals import Arrivals, ChannelChange
from bpr.changes.base import Change, Words
from bpr.changes.batch import Batch
from bpr.changes.calendar import CalendarChange
from bpr.changes.delegate import Delegate
from bpr.changes.digitize import Digitize
from bpr.changes.listfile import (
    ChangeList,
    change_list_from_data,
    changes_in,
    load_process,
    parse_process,
    process_from_data,
    read_change_list,
    read_change_list_file,
)
from bpr.changes.merge import Merge
from bpr.changes.parallelize import Parallelize
from bpr.changes.parse import parse_changes
from bpr.changes.registry import CHANGE_KINDS, CHANGE_TYPES
from bpr.changes.remove import Remove
from bpr.changes.reorder import Reorder
from bpr.changes.set_fields import SetFields
from bpr.changes.staff import Staff
from bpr.changes.triage import Triage
from bpr.changes.wording import change_to_data, describe, describe_ja, describe_named

__all__ = [
    "CHANGE_KINDS",
    "CHANGE_TYPES",
    "Arrivals",
    "Batch",
    "CalendarChange",
    "Change",
    "ChangeList",
    "ChannelChange",
    "Delegate",
    "Digitize",
    "Merge",
    "Parallelize",
    "Remove",
    "Reorder",
    "SetFields",
    "Staff",
    "Triage",
    "Words",
    "apply_changes",
    "change_list_from_data",
    "change_to_data",
    "changes_in",
    "describe",
    "describe_ja",
    "describe_named",
    "load_process",
    "parse_changes",
    "parse_process",
    "process_from_data",
    "read_change_list",
    "read_change_list_file",
]
