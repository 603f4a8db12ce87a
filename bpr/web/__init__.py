"""The e-approval pages (電子決裁) for staff: inbox, case, start form, substitutes, dashboard.

A face like ``bpr.cli`` and ``bpr.api``: server-rendered pages that call :class:`bpr.execute.Workflow` and
draw with bpr's own renderer; everything they decide is the engine's. Mount :func:`create_web_app` under a
prefix of the main application, or serve it alone.
"""

from __future__ import annotations

from bpr.web.app import create_web_app

__all__ = ["create_web_app"]
