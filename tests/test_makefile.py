"""``make run`` serves on the HOST and PORT given on the command line or in the environment (README)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def planned_run_line(*args: str, env: dict | None = None) -> str:
    """The ``flask run`` command ``make run`` would execute (``make -n`` prints without running)."""
    out = subprocess.run(["make", "-n", "-C", str(ROOT), "run", *args], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}).stdout
    return next(line for line in out.splitlines() if " run --host " in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_port_and_host_from_the_command_line_and_the_environment():
    assert planned_run_line().endswith("run --host 127.0.0.1 --port 5000")
    assert planned_run_line("PORT=8080", "HOST=0.0.0.0").endswith("run --host 0.0.0.0 --port 8080")
    assert planned_run_line(env={"PORT": "8081"}).endswith("run --host 127.0.0.1 --port 8081")


def test_readme_says_how_to_change_port_and_host():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=8080 HOST=0.0.0.0" in readme
