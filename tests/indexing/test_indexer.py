"""The outbox indexer against real engines: outages, crashes, stale replays, partial bulk failures
(RELIABILITY 1–4)."""
import time

from sqlalchemy import text

from marketplace.achievements.models import Achievement
from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.indexing.documents import to_document
from marketplace.indexing.models import OutboxEntry
from marketplace.indexing.records import count_searchable
from marketplace.review import services as review
from search.engine import Document, SearchQuery
from tests import factories as f
from tests.indexing.helpers import pending_rows, published_achievements, published_ids
from tests.search_fixtures import engine_down


def _drain(app):
    from marketplace.indexing.runtime import get_engine

    return indexer.drain(get_engine(app))


def test_publish_then_withdraw_reaches_the_index(app, ctx, search_engine):
    owner = f.user(f.organization())
    record = f.achievement(owner, publish_by=f.broker(), title="钙钛矿太阳能电池封装工艺")
    db.session.commit()
    report = _drain(app)
    assert report.failed == 0 and not report.unavailable
    assert [h.id for h in search_engine.search(SearchQuery(kind="achievement", text="钙钛矿太阳能电池")).hits] == [record.id]
    review.withdraw(owner, record)
    db.session.commit()
    _drain(app)
    assert search_engine.search(SearchQuery(kind="achievement", text="钙钛矿太阳能电池")).total == 0
    assert pending_rows() == []


def test_duplicates_collapse_and_all_rows_are_marked_done(app, ctx, search_engine):
    owner = f.user(f.organization())
    record = f.achievement(owner, publish_by=f.broker())
    for i in range(3):
        record.summary = f"第{i}次修改的简介"
        db.session.flush()
    db.session.commit()
    rows = db.session.execute(db.select(OutboxEntry).where(OutboxEntry.kind == "achievement")).scalars().all()
    assert len(rows) >= 4
    report = _drain(app)
    assert report.claimed == len(rows) + 2  # + the two organisations (owner's, broker's)
    assert report.indexed == 3  # one achievement document, two organisations
    assert search_engine.versions("achievement") == {record.id: record.version}
    assert pending_rows() == []


def test_reliability_1_engine_down_during_100_writes(app, ctx, any_engine):
    """Writes succeed while the engine is down; the outbox keeps them; the index catches up when it returns."""
    org = f.organization()
    db.session.commit()
    with engine_down(app):
        for i in range(10):  # ten requests of ten listings each
            published_achievements(org, 10, title=f"断网期间发布{i}-")
            db.session.commit()
        report = _drain(app)
        assert report.unavailable and report.claimed == 101  # 100 listings + the organisation
        assert len(pending_rows("achievement")) == 100
        assert all(r.attempts == 0 for r in pending_rows())  # an outage is not the documents' fault
    started = time.monotonic()
    report = _drain(app)
    assert not report.unavailable and report.failed == 0
    assert any_engine.count("achievement") == count_searchable("achievement") == 100
    assert pending_rows() == []
    assert time.monotonic() - started < 60


def test_reliability_2_crash_after_commit_before_indexing(app, ctx, search_engine):
    """The indexer dies after pushing but before recording results: the rows stay pending and the next pass
    indexes (idempotently) and marks them."""
    org = f.organization()
    records = published_achievements(org, 5)
    db.session.commit()
    entries = indexer._claim(100, indexer.utcnow())
    indexer.push(search_engine, entries, indexer.DrainReport())
    db.session.rollback()  # the "crash": nothing recorded
    assert len(pending_rows("achievement")) == 5
    report = _drain(app)
    assert report.failed == 0 and pending_rows() == []
    assert search_engine.versions("achievement") == {r.id: r.version for r in records}


def test_reliability_3_stale_replay_never_overwrites(app, ctx, any_engine):
    owner = f.user(f.organization())
    record = f.achievement(owner, publish_by=f.broker(), title="旧标题：石墨烯导热膜")
    db.session.commit()
    _drain(app)
    old_document = to_document(record)
    record.title = "新标题：碳纳米管导电浆料"
    db.session.commit()
    _drain(app)
    assert record.version > old_document.version
    result = any_engine.bulk([old_document])  # the older version arrives late
    assert all(item.ok for item in result.items)  # stale counts as ok ...
    assert any_engine.versions("achievement")[record.id] == record.version  # ... but changes nothing
    assert any_engine.search(SearchQuery(kind="achievement", text="石墨烯")).total == 0
    assert any_engine.search(SearchQuery(kind="achievement", text="碳纳米管")).total == 1
    # a late outbox row carrying the old version re-reads the record: still the newest
    indexer.enqueue("achievement", {record.id: old_document.version})
    db.session.commit()
    _drain(app)
    assert any_engine.versions("achievement")[record.id] == record.version


def test_reliability_4_bulk_partial_failure(app, ctx, search_engine):
    """1,000 documents, 2 malformed: 998 indexed, 2 failures recorded with reasons, no chunk skipped."""
    org = f.organization()
    records = published_achievements(org, 1000)
    db.session.commit()
    bad = [records[17].id, records[733].id]
    # Corrupt two rows behind the ORM's back: a keyword list holding objects cannot be indexed.
    db.session.execute(text("UPDATE achievements SET keywords = :bad WHERE id IN (:a, :b)"),
                       {"bad": '[{"not": "a keyword"}]', "a": bad[0], "b": bad[1]})
    db.session.commit()
    report = _drain(app)
    assert report.failed == 2 and report.indexed == 998 + 1
    indexed = search_engine.versions("achievement")
    assert len(indexed) == 998 and not set(bad) & set(indexed)
    assert set(indexed) == set(published_ids(Achievement)) - set(bad)
    failing = pending_rows("achievement")
    assert sorted(r.record_id for r in failing) == sorted(bad)
    for row in failing:
        assert row.attempts == 1 and "malformed" in row.last_error and "keywords" in row.last_error
        assert row.next_attempt_at > row.created_at  # backed off, not retried in a hot loop
    assert _drain(app).claimed == 0  # not due yet


def test_failed_rows_are_retried_after_the_backoff_and_succeed_once_fixed(app, ctx, search_engine):
    org = f.organization()
    record = published_achievements(org, 1)[0]
    db.session.commit()
    db.session.execute(text("UPDATE achievements SET keywords = :bad WHERE id = :id"),
                       {"bad": '[{"a": 1}]', "id": record.id})
    db.session.commit()
    _drain(app)
    row = pending_rows("achievement")[0]
    assert row.attempts == 1
    db.session.execute(text("UPDATE achievements SET keywords = '[\"修好了\"]' WHERE id = :id"), {"id": record.id})
    db.session.execute(db.update(OutboxEntry).values(next_attempt_at=indexer.utcnow()))
    db.session.commit()
    report = _drain(app)
    assert report.failed == 0 and pending_rows() == []
    assert record.id in search_engine.versions("achievement")


def test_deleted_row_is_removed_from_the_index(app, ctx, search_engine):
    org = f.organization()
    record = published_achievements(org, 1)[0]
    db.session.commit()
    _drain(app)
    db.session.delete(record)
    db.session.commit()
    _drain(app)
    assert search_engine.versions("achievement") == {}


def test_backoff_grows_and_is_capped():
    assert indexer.backoff(1).total_seconds() == 5
    assert indexer.backoff(3).total_seconds() == 20
    assert indexer.backoff(50).total_seconds() == 3600


def test_stale_document_version_kept_by_engine_directly(search_engine):
    search_engine.bulk([Document("organization", 1, 5, {"name": "新名称"})])
    search_engine.bulk([Document("organization", 1, 4, {"name": "旧名称"})])
    assert search_engine.versions("organization") == {1: 5}
