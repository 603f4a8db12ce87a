#!/usr/bin/env bash
# Type-checks bpr/ with mypy as pyproject.toml configures it ([tool.mypy]): set up on first use (mypy and
# the type stubs are in the test extra), then check. Arguments go to mypy (e.g. a single file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${PYTHON:-.venv/bin/python}" -m mypy "$@"
