"""RELIABILITY 8, the restore drill: ``flask backup`` while a writer keeps inserting, ``flask restore --reindex`` into
a fresh instance, then the same row counts, the same sampled records field by field, the same attachment bytes and
search dictionaries, and an index equal to the database. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL
names one (.ci/run's PostgreSQL pass)."""
from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.achievements.models import Achievement
from marketplace.attachments.services import add_attachment
from marketplace.backup.services import read_manifest
from marketplace.extensions import db
from marketplace.indexing import reconcile
from marketplace.indexing.documents import KINDS
from marketplace.indexing.runtime import get_engine
from marketplace.search_admin.dictionaries import save_synonyms, synonyms_path
from search.engine import SearchQuery
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + os.urandom(200_000) + b"\ntrailer<<>>\n%%EOF\n"
WRITER_PREFIX = "并发写入机构"


class Writer(threading.Thread):
    """Creates organisations one committed transaction after another until stopped; ``committed`` lists their
    names in commit order."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.committed, self.error = app, [], None
        self.halt = threading.Event()

    def run(self) -> None:
        try:
            with self.app.test_request_context():
                while not self.halt.is_set():
                    name = f"{WRITER_PREFIX}{len(self.committed):05d}"
                    accounts.create_organization(name, "enterprise", "220000")
                    db.session.commit()
                    self.committed.append(name)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.committed) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"the writer committed only {len(self.committed)} rows"
            time.sleep(0.01)


def _populate():
    """Listings of each searchable kind and a draft with an attachment."""
    university, enterprise = f.organization(name="备份演练大学"), f.organization("enterprise", name="备份演练企业")
    owner, buyer, broker = f.user(university, role="org_admin"), f.user(enterprise, role="org_admin"), f.broker()
    for title in ("固态电池电解质界面改性技术", "光伏组件回收中的银浆分离工艺", "玉米秸秆生物降解地膜"):
        f.achievement(owner, publish_by=broker, title=title)
    f.demand(buyer, publish_by=broker)
    f.patent(owner)
    draft = f.achievement(owner, title="带附件的草稿成果")
    attachment = add_attachment(owner, draft, io.BytesIO(PDF), "技术方案.pdf")
    db.session.commit()
    return attachment.stored_name


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table.name: conn.execute(select(db.func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables}


def _rows(engine, table, keys=None) -> dict[tuple, dict]:
    """Rows of ``table`` by primary key (all of them, or those of ``keys``)."""
    pk = list(table.primary_key.columns)
    query = select(table).order_by(*pk)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    found = {tuple(row[c.name] for c in pk): row for row in rows}
    return found if keys is None else {key: found.get(key) for key in keys}


def test_reliability_8_restore_drill(app, ctx, runner, fresh_instance, source_dictionaries, tmp_path):
    stored_name = _populate()
    assert not save_synonyms(app, "固态电池,全固态电池").errors
    source = db.engine
    initial = _counts(source)
    archive = tmp_path / "backup.tar"
    writer = Writer(app)
    writer.start()
    try:
        writer.wait_for(5)
        at_start = len(writer.committed)
        backup = runner.invoke(args=["backup", str(archive)])
        at_end = len(writer.committed)
        writer.wait_for(at_end + 5)  # still writing after the backup
    finally:
        writer.halt.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert backup.exit_code == 0, backup.output
    final = _counts(source)
    total = len(writer.committed)

    restored = fresh_instance()
    started = time.perf_counter()
    with restored.app_context():  # the command runs in the current application's context
        restore = restored.test_cli_runner().invoke(args=["restore", str(archive), "--reindex"])
    assert restore.exit_code == 0, restore.output
    elapsed = time.perf_counter() - started
    assert "documents indexed" in restore.output
    with restored.app_context():
        target = db.engine
    counts = _counts(target)

    # a consistent snapshot: the writer's organisations are exactly its first k commits, taken during the backup,
    # and every table it writes holds k organisations' worth of rows, no more, no less
    organizations = _rows(target, db.metadata.tables["organizations"]).values()
    taken = sorted(row["name"] for row in organizations if row["name"].startswith(WRITER_PREFIX))
    k = len(taken)
    assert at_start <= k <= at_end < total
    assert taken == writer.committed[:k]
    manifest = read_manifest(archive)
    for table, count in counts.items():
        assert manifest.tables[table] == count, table
        grown = final[table] - initial[table]
        if grown:
            assert grown % total == 0, f"{table}: {grown} rows for {total} organisations"
            assert count == initial[table] + grown // total * k, table
        else:
            assert count == final[table], table
    assert counts["achievements"] == 4 and counts["attachments"] == 1

    # the records, field by field: every row of every table (the drill's data is small)
    for table in db.metadata.sorted_tables:
        restored_rows = _rows(target, table)
        assert restored_rows == _rows(source, table, list(restored_rows)), table.name

    # the attachment's bytes and the search dictionary
    assert (Path(restored.config["UPLOAD_FOLDER"]) / stored_name).read_bytes() == PDF
    assert synonyms_path(restored).read_bytes() == synonyms_path(app).read_bytes()

    # the index rebuilt on the embedded engine equals the database, and finds through the restored synonyms
    with restored.test_request_context():
        engine = get_engine()
        for kind in KINDS:
            difference = reconcile.compare(engine, kind)
            assert difference.problems == 0 and difference.indexed == difference.expected, difference
        battery = db.session.scalars(select(Achievement.id).filter_by(title="固态电池电解质界面改性技术")).one()
        hits = engine.search(SearchQuery(kind="achievement", text="全固态电池"))
        assert [hit.id for hit in hits.hits] == [battery]
    print(f"\nbackup {archive.stat().st_size / 1024:.0f} KiB, restore + reindex {elapsed:.2f} s")
