#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/celery -A zhengxie worker --loglevel=INFO --concurrency=2 &
pids+=($!)
$BIN/celery -A zhengxie beat --loglevel=INFO &
pids+=($!)
echo "政协履职工作平台: http://127.0.0.1:${PORT}/  (Ctrl-C 停止)"
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait -n "${pids[@]}"
