#!/usr/bin/env bash
# The test command of the README and of CI: set up on first use; without arguments, type-check bpr/ (mypy as
# pyproject.toml configures it) and run the whole suite; with arguments, only pytest with them
# (bash scripts/test.sh tests/model -x). scripts/typecheck.sh runs mypy alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python="${PYTHON:-.venv/bin/python}"
if [ "$#" -eq 0 ]; then
    "$python" -m mypy
fi
exec "$python" -m pytest "$@"
