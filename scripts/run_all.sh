#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together; Ctrl-C stops all three within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
GRACE="${STOP_GRACE_SECONDS:-5}"
pids=()

alive() {
    local pid
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && return 0
    done
    return 1
}

wait_gone() {  # wait_gone SECONDS: true once every child has exited
    local deadline=$((SECONDS + $1))
    while alive; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

signal_all() {
    local pid
    for pid in "${pids[@]}"; do
        pkill "-$1" -P "$pid" 2>/dev/null || true
        kill "-$1" "$pid" 2>/dev/null || true
    done
}

stopping=0
cleanup() {
    [ "$stopping" = 1 ] && return
    stopping=1
    trap - EXIT INT TERM
    echo "正在停止……"
    # TERM: runserver exits, beat exits, the worker starts a warm shutdown (finishes its current task).
    # runserver's autoreloader runs the server in a child process: signal the children too.
    signal_all TERM
    if ! wait_gone "$GRACE"; then
        # QUIT is Celery's cold shutdown; anything still running after that is killed.
        signal_all QUIT
        wait_gone 2 || signal_all KILL
    fi
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Development worker: one process (nothing to wait for on shutdown), no heartbeat/gossip/mingle chatter.
$BIN/celery -A zhengxie worker --loglevel=INFO --pool=solo --without-heartbeat --without-gossip --without-mingle &
pids+=($!)
$BIN/celery -A zhengxie beat --loglevel=INFO &
pids+=($!)
echo "政协履职工作平台: http://127.0.0.1:${PORT}/  (Ctrl-C 停止)"
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait -n "${pids[@]}" || true
