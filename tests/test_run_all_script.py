"""`make run`'s process script stops web, worker and beat within seconds of Ctrl-C."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.celery
def test_ctrl_c_stops_everything_within_seconds(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DJANGO_DEBUG": "1",
        "DJANGO_DOTENV": "",
        "DJANGO_SECRET_KEY": "run-all-test",
        # Read-only use: runserver only checks migrations against it.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["bash", "scripts/run_all.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        worker_ready = False
        while time.monotonic() < deadline:
            text = (tmp_path / "run.log").read_text()
            worker_ready = "ready." in text
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                server_up = True
            except OSError:
                server_up = False
            if worker_ready and server_up:
                break
            time.sleep(0.5)
        else:
            pytest.fail("web server and worker did not start:\n" + (tmp_path / "run.log").read_text()[-3000:])

        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        process.wait(timeout=20)
        while _group_alive(process.pid) and time.monotonic() - started < 20:
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        assert not _group_alive(process.pid), "a process of make run is still running"
        assert elapsed < 12, f"stopping took {elapsed:.1f} s"
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
