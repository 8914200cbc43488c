#!/usr/bin/env bash
# The whole test suite against the local PostgreSQL and Redis (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=zhengxie.settings_test
echo "== ruff"
$BIN/ruff check .
echo "== migrations in step with models"
$BIN/python manage.py makemigrations --check --dry-run
echo "== system checks"
$BIN/python manage.py check
echo "== pytest"
mkdir -p tests/artifacts
$BIN/pytest "$@"
