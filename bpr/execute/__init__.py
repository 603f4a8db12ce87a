"""The workflow engine: real cases run on a deployed process file (電子決裁), driven by the routing core.

Start with :class:`Workflow` (docs/execute.md walks through it). The modules, each with one job:
``store`` (tables, one transaction per action), ``schema_migrations`` (Alembic), ``definitions``
(immutable versions), ``people`` (users, roles, absences and substitutes), ``access`` (who may do and
see what), ``runtime`` (a case's routing state in the database), ``actions`` (what people do),
``inbox``, ``deadlines`` and ``timers`` (business-day deadlines, reminders, escalation), ``audit``
(the hash-chained trail), ``migrate`` (moving running cases to a new version), ``eventlog`` (the real
cases' log) and ``archive`` (finished cases out of the working tables).
"""

from __future__ import annotations

from bpr.execute.errors import BadInput, Conflict, Forbidden, NotFound, Refused, WorkflowError
from bpr.execute.workflow import Workflow, default_url

__all__ = ["BadInput", "Conflict", "Forbidden", "NotFound", "Refused", "Workflow", "WorkflowError", "default_url"]
