"""The drain thread, the drain lock and the worker process (publish → searchable, one drainer, clean SIGTERM,
crash after commit)."""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from marketplace.extensions import db
from marketplace.indexing import worker
from marketplace.indexing.records import count_searchable
from marketplace.indexing.runtime import get_engine, reset_engine
from search.engine import SearchQuery
from tests import factories as f
from tests.indexing.helpers import pending_rows

REPO = Path(__file__).resolve().parents[2]


def _child_env(app, tmp_path) -> dict:
    env = dict(os.environ)
    env.update({"INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "test-secret", "PYTHONPATH": str(REPO), "SEARCH_AUTO_DRAIN": "1",
                "RATELIMIT_ENABLED": "0"})
    env.pop("SEARCH_URL", None)
    return env


def test_drain_lock_lets_one_drainer_in(tmp_path):
    first, second = worker.DrainLock(str(tmp_path)), worker.DrainLock(str(tmp_path))
    assert first.acquire()
    assert not second.acquire()  # another process (or app) holds it: skip, do not wait
    first.release()
    assert second.acquire()
    second.release()


def test_background_drainer_makes_a_published_record_searchable_within_2_seconds(app, ctx, search_engine):
    drainer = worker.BackgroundDrainer(app)
    app.extensions[worker.EXTENSION_KEY] = drainer
    drainer.start()
    try:
        owner = f.user(f.organization())
        broker = f.broker()
        db.session.commit()
        time.sleep(0.3)  # let the organisations drain first
        record = f.achievement(owner, publish_by=broker, title="寒地玉米全程机械化收获装备")
        db.session.commit()  # after_commit wakes the thread
        started = time.monotonic()
        while time.monotonic() - started < 5:
            if search_engine.search(SearchQuery(kind="achievement", text="玉米")).total:
                break
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        assert [h.id for h in search_engine.search(SearchQuery(kind="achievement", text="玉米")).hits] == [record.id]
        assert elapsed < 2.0, f"searchable after {elapsed:.2f}s"
    finally:
        drainer.stop()
        app.extensions.pop(worker.EXTENSION_KEY, None)


def test_drain_pass_skips_while_another_process_holds_the_lock(app, ctx, search_engine):
    f.organization()
    db.session.commit()
    other = worker.DrainLock(app.instance_path)
    assert other.acquire()
    try:
        assert worker.drain_pass(app) is None
        assert len(pending_rows()) == 1
    finally:
        other.release()
    assert worker.drain_pass(app).indexed == 1


def test_reliability_2_process_killed_between_commit_and_indexing(app, ctx, search_engine, tmp_path):
    """A real process with the drain thread commits a listing and dies (os._exit) before it indexes it. The
    write is kept, nobody saw an error, and the next indexer pass indexes it."""
    script = textwrap.dedent("""
        import os
        from marketplace import create_app
        from marketplace.extensions import db
        from tests import factories as f
        app = create_app()
        with app.test_request_context():
            owner = f.user(f.organization(name="崩溃测试大学"))
            f.achievement(owner, publish_by=f.broker(), title="崩溃之前提交的成果")
            db.session.commit()
            print("committed", flush=True)
            os._exit(9)
    """)
    lock = worker.DrainLock(app.instance_path)
    assert lock.acquire()  # hold the drain lock, so the child's thread cannot index before it dies
    try:
        child = subprocess.run([sys.executable, "-c", script], env=_child_env(app, tmp_path), cwd=REPO,
                               capture_output=True, text=True, timeout=60)
    finally:
        lock.release()
    assert child.returncode == 9 and "committed" in child.stdout, child.stderr[-2000:]
    db.session.expire_all()
    assert len(pending_rows("achievement")) >= 1
    report = worker.drain_pass(app)
    assert report.failed == 0 and pending_rows() == []
    assert search_engine.search(SearchQuery(kind="achievement", text="崩溃")).total == 1
    assert search_engine.count("achievement") == count_searchable("achievement") == 1


def test_worker_command_drains_and_exits_cleanly_on_sigterm(app, ctx, tmp_path):
    owner = f.user(f.organization())
    f.achievement(owner, publish_by=f.broker(), title="风电叶片无损检测机器人")
    db.session.commit()
    env = _child_env(app, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "search", "worker", "--tick", "0.2"],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and pending_rows():
            db.session.expire_all()
            time.sleep(0.2)
        assert pending_rows() == []
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "search worker stopped" in out
    reset_engine(app)
    try:
        engine = get_engine(app)  # the worker wrote the instance's own index
        assert engine.search(SearchQuery(kind="achievement", text="风电叶片")).total == 1
    finally:
        reset_engine(app)
        shutil.rmtree(Path(app.instance_path) / "search-index", ignore_errors=True)
