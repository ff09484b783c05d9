"""flask search verify / reindex / status / drain (RELIABILITY 5 and 6)."""
import threading
import time

from marketplace.achievements.models import Achievement
from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.indexing.runtime import get_engine
from search.embedded_store import open_index
from search.engine import SearchQuery
from tests import factories as f
from tests.indexing.helpers import pending_rows, published_achievements, published_ids


def _delete_behind_the_apps_back(engine, kind: str, ids: list[int]) -> None:
    """Remove documents with the index library itself, as an operator or a broken disk would."""
    if engine.name == "embedded":
        store = engine._store(kind)
        index = open_index(store.dir / store.current_generation())
        writer = index.writer(50_000_000, 1)
        for doc_id in ids:
            writer.delete_documents_by_term("_id", doc_id)
        writer.commit()
        writer.wait_merging_threads()
        store.touch_stamp()
    else:
        for doc_id in ids:
            engine.t.request("DELETE", f"/{engine.alias(kind)}/_doc/{doc_id}", params={"refresh": "true"})


def test_reliability_5_verify_repair_restores_deleted_documents(app, ctx, runner, any_engine):
    org = f.organization()
    records = published_achievements(org, 30)
    db.session.commit()
    indexer.drain(any_engine)
    gone = [records[3].id, records[10].id, records[29].id]
    _delete_behind_the_apps_back(any_engine, "achievement", gone)
    assert len(any_engine.versions("achievement")) == 27

    result = runner.invoke(args=["search", "verify", "--kind", "achievement"])
    assert result.exit_code == 2, result.output  # problems found, nothing repaired
    assert "missing 3" in result.output

    result = runner.invoke(args=["search", "verify", "--kind", "achievement", "--repair"])
    assert result.exit_code == 0, result.output
    assert any_engine.versions("achievement") == published_ids(Achievement)
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 0 and "missing 0, stale 0, extra 0" in result.output


def test_verify_repair_deletes_extra_documents(app, ctx, runner, search_engine):
    org = f.organization()
    records = published_achievements(org, 3)
    db.session.commit()
    indexer.drain(search_engine)
    # unpublished behind the indexer's back (a raw UPDATE writes no outbox row)
    db.session.execute(db.update(Achievement).where(Achievement.id == records[0].id).values(status="archived"))
    db.session.commit()
    result = runner.invoke(args=["search", "verify", "--kind", "achievement", "--repair"])
    assert result.exit_code == 0, result.output
    assert "extra 1" in result.output
    assert set(search_engine.versions("achievement")) == {records[1].id, records[2].id}


def test_reliability_6_reindex_under_load(app, ctx, runner, any_engine):
    """Searches keep answering during a rebuild, and writes made while it runs are in the new index."""
    org_id = f.organization().id  # threads must not touch the main session's objects
    published_achievements(org_id, 600)
    db.session.commit()
    indexer.drain(any_engine)
    done = threading.Event()
    failures: list[str] = []
    searches = [0]
    written: list[int] = []

    def search_loop():
        with app.app_context():
            while not done.is_set():
                try:
                    result = get_engine().search(SearchQuery(kind="achievement", text="高镍正极", size=5))
                    if result.total < 600:
                        failures.append(f"only {result.total} hits")
                    searches[0] += 1
                except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                    failures.append(repr(exc))

    def write_loop():
        with app.app_context():
            while not done.is_set():
                new = published_achievements(org_id, 1, title="重建期间新增成果")[0]
                db.session.commit()
                written.append(new.id)
                indexer.drain(get_engine())  # the live drainer keeps running too
                time.sleep(0.02)
            db.session.remove()

    threads = [threading.Thread(target=search_loop), threading.Thread(target=write_loop)]
    for thread in threads:
        thread.start()
    try:
        result = runner.invoke(args=["search", "reindex", "--kind", "achievement"])
    finally:
        done.set()
        for thread in threads:
            thread.join(30)
    assert result.exit_code == 0, result.output
    assert searches[0] > 0 and failures == []
    assert written, "no write happened during the reindex"
    indexer.drain(any_engine)  # writes after the rebuild finished are ordinary outbox work
    db.session.expire_all()
    assert any_engine.versions("achievement") == published_ids(Achievement)
    assert set(written) <= set(any_engine.versions("achievement"))


def test_status_and_drain_commands(app, ctx, runner, search_engine):
    owner = f.user(f.organization())
    f.achievement(owner, publish_by=f.broker())
    db.session.commit()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "engine: embedded (ok)" in result.output and "pending" in result.output
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0 and "0 failed" in result.output, result.output
    assert pending_rows() == []
    result = runner.invoke(args=["search", "status"])
    assert "outbox: 0 pending" in result.output
