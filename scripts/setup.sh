#!/usr/bin/env bash
# Installs what bpr needs, once: Graphviz and a Japanese font (diagrams), Chromium (the report's browser
# test), and the bpr package with its test dependencies in a virtual environment inside this clone
# (.venv/), so that no other checkout's installation is touched. Safe to run again: it skips what is there.
# PYTHON=/path/to/python uses that interpreter instead of the clone's .venv (nothing is created then).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
fc-list :lang=ja 2>/dev/null | grep -q . || need_apt+=(fonts-ipafont-gothic)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "setup: cannot install ${need_apt[*]} (not root, no sudo); SVG diagrams still work." >&2
    echo "setup: ask an administrator for: apt-get install ${need_apt[*]}" >&2
  else
    echo "setup: installing system packages: ${need_apt[*]}"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
fi

# The workflow engine's tests run against a real PostgreSQL server as well as SQLite: start the machine's
# cluster and give the tests a role and a database (BPR_TEST_POSTGRES says where; this is the default).
if command -v pg_lsclusters >/dev/null 2>&1 && [ -z "${BPR_TEST_POSTGRES:-}" ]; then
  if [ "$(id -u)" = 0 ]; then AS_ROOT=""; AS_PG="runuser -u postgres --"
  elif command -v sudo >/dev/null 2>&1; then AS_ROOT="sudo"; AS_PG="sudo -u postgres"
  else AS_ROOT=""; AS_PG=""; fi
  if [ -n "$AS_PG" ]; then
    read -r pg_version pg_cluster pg_status < <(pg_lsclusters -h | awk '{print $1, $2, $4; exit}')
    if [ -n "${pg_version:-}" ] && [ "$pg_status" != online ]; then
      echo "setup: starting PostgreSQL $pg_version/$pg_cluster"
      $AS_ROOT pg_ctlcluster "$pg_version" "$pg_cluster" start
    fi
    if ! $AS_PG psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'bpr'" 2>/dev/null | grep -q 1; then
      $AS_PG psql -q -c "CREATE ROLE bpr LOGIN PASSWORD 'bpr' CREATEDB" >/dev/null
    fi
    if ! $AS_PG psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'bpr_test'" 2>/dev/null | grep -q 1; then
      $AS_PG psql -q -c "CREATE DATABASE bpr_test OWNER bpr" >/dev/null
    fi
  else
    echo "setup: cannot start PostgreSQL (not root, no sudo); the workflow engine's PostgreSQL tests will fail." >&2
  fi
fi

if [ -z "${PYTHON:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    echo "setup: creating a virtual environment in $(pwd)/.venv"
    python3 -m venv .venv
  fi
  PYTHON=.venv/bin/python
fi

stamp=".setup-stamp"
want=$( (sha256sum pyproject.toml; "$PYTHON" -c 'import sys; print(sys.prefix)') | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PYTHON" -c "import bpr" 2>/dev/null; then
  echo "setup: installing bpr and its test dependencies into $("$PYTHON" -c 'import sys; print(sys.prefix)') (pip)"
  # A machine's pip configuration may name package folders that are not there (extra-index-url or find-links
  # as file:// locations): pip warns once per package and per folder and goes on with the others. Those lines
  # are dropped; every other message of pip's, and its exit status, stays.
  { "$PYTHON" -m pip install --disable-pip-version-check -q -e ".[test]" 2>&1 1>&3 3>&- \
      | sed "/^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory\.\$/d" >&2; } 3>&1
  echo "$want" > "$stamp"
fi
