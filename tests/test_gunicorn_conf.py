"""gunicorn.conf.py: each worker warms itself (one match, one search) before taking requests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(tmp_path: Path, extra_env: dict[str, str]) -> str:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SEARCH_AUTO_DRAIN": "0", **extra_env}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=REPO, env=env, check=True,
                   capture_output=True)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                                 "--log-level", "info", "wsgi:app"], cwd=REPO, env=env, stdout=out, stderr=out)
    try:
        deadline = time.time() + 60
        while True:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, log.read_text()
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return log.read_text()


def test_workers_warm_up_quietly(tmp_path):
    log = _serve(tmp_path, {})
    assert "Booting worker" in log and "warm-up" not in log, log


def test_a_failed_warm_up_is_logged_and_the_worker_still_serves(tmp_path):
    log = _serve(tmp_path, {"SEARCH_URL": "opensearch://127.0.0.1:9"})  # nothing listens there
    assert "warm-up POST /api/v1/match/achievements: 503" in log, log
