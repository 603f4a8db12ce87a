"""The REST service: ``create_app(settings)`` gives the FastAPI app that ``bpr serve`` runs with uvicorn.

A face on the library, HTTP only: it parses requests, applies the request limits, calls the same functions
as the CLI and shapes the answers. Jobs, worker processes, the result store, kept replications and the
warm-up are the service runtime's (:mod:`bpr.service`); the numbers are the library's. See docs/api.md.
"""

from bpr.api.app import create_app
from bpr.api.settings import Settings

__all__ = ["Settings", "create_app"]
