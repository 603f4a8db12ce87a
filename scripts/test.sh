#!/usr/bin/env bash
# The test command of the README and of CI: set up on first use, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${PYTHON:-.venv/bin/python}" -m pytest "$@"
