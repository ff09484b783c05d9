"""Fault drills on real processes (issue 13, item 5): gunicorn, ``flask search worker`` and the ``flask ... import``
commands run as subprocesses on a SQLite file database of their own, and are killed with SIGKILL half-way.

Each drill gets a fresh instance folder holding a copy of one migrated database (migrated once per session). The
test process opens the same database through an application of its own (``Drill.app``) to set up records and to
check the outcome. Skipped when the suite runs on PostgreSQL (TEST_DATABASE_URL): the drills are about a SQLite file
shared by processes, and they run in ``make test``."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from marketplace import create_app
from marketplace.extensions import db
from marketplace.indexing import reconcile
from marketplace.indexing.documents import KINDS
from marketplace.indexing.runtime import get_engine

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


def _env(instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "SEARCH_URL", "TEST_DATABASE_URL")}
    env.update({"INSTANCE_PATH": str(instance), "SECRET_KEY": "drill", "SEARCH_AUTO_DRAIN": "0",
                "RATELIMIT_ENABLED": "0", "MAIL_AUTO_DELIVER": "0", "PYTHONUNBUFFERED": "1"})
    return env


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("fault drills run on a SQLite file (make test)")
    folder = tmp_path_factory.mktemp("drill-template")
    subprocess.run([PY, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=REPO, env=_env(folder), check=True,
                   capture_output=True, timeout=300)
    return folder / "marketplace.db"


class Drill:
    """One instance folder: its processes, its database and an application of the test's own on it."""

    def __init__(self, folder: Path, template: Path):
        self.instance = folder
        self.database = folder / "marketplace.db"
        folder.mkdir(parents=True)
        source, target = sqlite3.connect(template), sqlite3.connect(self.database)
        with target:
            source.backup(target)
        source.close()
        target.close()
        self.env = _env(folder)
        self.processes: list[subprocess.Popen] = []
        self.app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder), "SECRET_KEY": "drill",
                               "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.database}", "SEARCH_URL": None,
                               "SEARCH_AUTO_DRAIN": False, "RATELIMIT_ENABLED": False})

    # -- processes ------------------------------------------------------------------------------------------------
    def flask(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([PY, "-m", "flask", "--app", "wsgi", *args], cwd=REPO, env=self.env, text=True,
                              capture_output=True, timeout=timeout)

    def start(self, *command: str, log: str) -> subprocess.Popen:
        handle = open(self.instance / f"{log}.log", "w")
        process = subprocess.Popen(list(command), cwd=REPO, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        self.processes.append(process)
        return process

    def start_flask(self, *args: str, log: str) -> subprocess.Popen:
        return self.start(PY, "-m", "flask", "--app", "wsgi", *args, log=log)

    def log(self, name: str) -> str:
        return (self.instance / f"{name}.log").read_text(errors="replace")

    def gunicorn(self, port: int, workers: int = 2) -> subprocess.Popen:
        master = self.start(PY, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level",
                            "warning", "wsgi:app", log="gunicorn")
        deadline = time.monotonic() + 120
        while len(workers_of(master)) < workers or not _answers(f"http://127.0.0.1:{port}/api/v1/me"):
            if master.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("gunicorn did not start:\n" + self.log("gunicorn"))
            time.sleep(0.2)
        return master

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    # -- the database ---------------------------------------------------------------------------------------------
    def query(self, sql: str, *params) -> list[tuple]:
        """Read the database as it is on disk (a connection of its own, outside the test's application)."""
        connection = sqlite3.connect(self.database, timeout=20)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def scalar(self, sql: str, *params):
        return self.query(sql, *params)[0][0]

    def assert_intact(self) -> None:
        assert self.query("PRAGMA integrity_check") == [("ok",)]
        assert self.query("PRAGMA foreign_key_check") == []

    def assert_index_matches_database(self, kinds: tuple[str, ...] = KINDS) -> None:
        """The outbox is empty, and for each kind the index holds exactly the searchable records at their versions."""
        assert self.scalar("SELECT count(*) FROM search_outbox WHERE done_at IS NULL") == 0
        with self.app.app_context():
            engine = get_engine(self.app)
            for kind in kinds:
                diff = reconcile.compare(engine, kind)
                assert engine.count(kind) == diff.expected, kind
                assert (diff.missing, diff.stale, diff.extra) == ({}, {}, {}), kind

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def workers_of(master: subprocess.Popen) -> list[int]:
    """The pids of a gunicorn master's worker processes (its children)."""
    try:
        return [int(pid) for pid in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]
    except OSError:
        return []


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_until(condition, timeout: float, message: str, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(every)


@pytest.fixture
def drill(migrated_database, tmp_path):
    instance = Drill(tmp_path / "instance", migrated_database)
    yield instance
    instance.close()
