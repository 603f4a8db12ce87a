"""Property-based fuzzing from the OpenAPI schema (schemathesis): no 5xx, answers match the schema.

Bounded to a few examples per operation so that it runs in seconds; CI runs it with the rest.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from apihelp import make_settings
from hypothesis import HealthCheck, settings
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bpr.api import create_app

_FOLDER = Path(tempfile.mkdtemp(prefix="bpr-fuzz-"))
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(make_settings(_FOLDER, workers=1, max_estimate_seconds=5.0, sync_seconds=5.0))
)


@pytest.fixture(scope="module", autouse=True)
def _stop_service() -> Iterator[None]:
    yield
    shutdown_lifespans()
    shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_answers_match_the_schema(case: schemathesis.Case) -> None:
    # Schema-valid is not always acceptable: a well-formed process_yaml text is rarely a valid process.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
