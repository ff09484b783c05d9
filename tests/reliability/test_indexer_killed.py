"""Drill: the indexer (``flask search worker``) killed (SIGKILL) while it drains a backlog, part of it pushed; the
next drain finishes the job and the index then holds exactly the database's searchable records."""
from __future__ import annotations

import os
import signal

from .conftest import wait_until
from .test_import_killed import ACHIEVEMENT_ROWS, _achievements_file

PENDING = "SELECT count(*) FROM search_outbox WHERE done_at IS NULL"
DONE = "SELECT count(*) FROM search_outbox WHERE done_at IS NOT NULL"


def test_indexer_killed_mid_backlog_then_drained(drill):
    source = drill.instance / "achievements.jsonl"
    _achievements_file(source)
    imported = drill.flask("achievements", "import", str(source), "--org", "演练大学", "--create-org", "university",
                           "--publish")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert drill.scalar(PENDING) >= ACHIEVEMENT_ROWS  # each published achievement (and the new organisation)

    worker = drill.start_flask("search", "worker", log="worker")
    # the first batch is recorded: the worker is now pushing the next one
    wait_until(lambda: drill.scalar(DONE) > 0 or worker.poll() is not None, 120,
               "the indexer recorded nothing")
    assert worker.poll() is None, "the indexer stopped by itself: " + drill.log("worker")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    left = drill.scalar(PENDING)
    assert 0 < left <= ACHIEVEMENT_ROWS, drill.log("worker")
    drill.assert_intact()

    drained = drill.flask("search", "drain", "--no-wait")  # the killed process's drain lock is free
    assert drained.returncode == 0, drained.stdout + drained.stderr
    assert "another process is draining" not in drained.stdout
    drill.assert_index_matches_database()
    verified = drill.flask("search", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
