"""SQLite connections set up for several processes at once (gunicorn workers, the indexer, imports): a commit does
not wait for readers, and a writer waits for another's lock (up to the busy timeout) instead of failing at once
with "database is locked"."""
import time

import pytest
from sqlalchemy import text

from marketplace.accounts.models import Organization
from marketplace.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from tests import factories as f


@pytest.fixture
def sqlite_file(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")
    return db.engine.url.database


def test_every_connection_uses_wal_and_waits_for_locks(ctx, sqlite_file):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_a_commit_does_not_wait_for_an_open_reader(ctx, sqlite_file):
    """Under the default rollback journal, a reader's open transaction keeps a writer's commit waiting until the
    busy timeout and then fails it with "database is locked"; with WAL the commit goes through at once and the
    reader keeps its snapshot."""
    f.organization(name="已有机构")
    db.session.commit()
    reader = db.engine.raw_connection()
    try:
        cursor = reader.cursor()
        cursor.execute("BEGIN")
        cursor.execute("SELECT count(*) FROM organizations")
        assert cursor.fetchone()[0] == 1  # a read transaction is open (shared lock / WAL snapshot)

        started = time.monotonic()
        f.organization(name="并发写入的机构")
        db.session.commit()
        assert time.monotonic() - started < 2

        cursor.execute("SELECT count(*) FROM organizations")
        assert cursor.fetchone()[0] == 1  # still its snapshot
        reader.rollback()
    finally:
        reader.close()
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) == 2

