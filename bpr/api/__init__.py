"""The REST service: ``create_app(settings)`` gives the FastAPI app that ``bpr serve`` runs with uvicorn.

A face on the library: it parses requests, calls the same functions as the CLI and shapes the answers;
jobs, limits and the result store are its own, the numbers are the library's. See docs/api.md.
"""

from bpr.api.app import create_app
from bpr.api.settings import Settings

__all__ = ["Settings", "create_app"]
