#!/usr/bin/env bash
# The README's first command: set up on first use, then write the before/after proposal report (with its
# diagrams) for the shipped purchase-request ringi scenario. Any other scenario: bash scripts/demo.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
name=${1:-purchase_ringi}
out="out/$name"
"${PYTHON:-.venv/bin/python}" -m bpr analyze "scenarios/$name/before.yaml"
"${PYTHON:-.venv/bin/python}" -m bpr report "scenarios/$name/before.yaml" "scenarios/$name/after.yaml" -o "$out/report.html"
echo
echo "Open $(pwd)/$out/report.html in a browser (diagrams beside it in $out/)."
