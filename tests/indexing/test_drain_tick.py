"""The drain loops' tick (``worker.drain_tick``): other packages' periodic work runs after each drain pass of the
loops, under the drain lock, in an app context; a failing receiver stops nothing."""
from __future__ import annotations

from flask import current_app

from marketplace.extensions import db
from marketplace.indexing import worker
from tests import factories as f
from tests.indexing.helpers import pending_rows


def test_the_loops_tick_after_each_drain_and_survive_a_failing_receiver(app, ctx, search_engine, caplog):
    f.organization()
    db.session.commit()
    seen = []

    def broken(sender, **extra):
        raise RuntimeError("receiver trouble")

    def recorder(sender, report=None, **extra):
        other = worker.DrainLock(app.instance_path)
        seen.append((sender, report.indexed, current_app._get_current_object(), other.acquire()))

    worker.drain_tick.connect(broken)
    worker.drain_tick.connect(recorder)
    try:
        assert worker.drain_pass(app).indexed == 1  # a one-off drain does not tick
        assert seen == []
        f.organization()
        db.session.commit()
        worker.run_worker(app, tick=0.01, should_stop=lambda: len(seen) >= 3)
    finally:
        worker.drain_tick.disconnect(broken)
        worker.drain_tick.disconnect(recorder)
    assert [s[1] for s in seen] == [1, 0, 0]  # after the drain, with its report
    assert all(sender is app and current is app and not got for sender, _, current, got in seen)  # lock held
    assert pending_rows() == []
    failures = [r for r in caplog.records if r.getMessage().startswith("drain tick receiver")]
    assert len(failures) == 3 and all("receiver trouble" in str(r.exc_info[1]) for r in failures)


def test_the_background_thread_ticks(app, ctx, search_engine):
    ticked = []

    def recorder(sender, **extra):
        ticked.append(sender)

    worker.drain_tick.connect(recorder)
    drainer = worker.BackgroundDrainer(app, tick=0.02)
    drainer.start()
    try:
        drainer.wake.set()
        for _ in range(200):
            if ticked:
                break
            drainer.stopping.wait(0.01)
    finally:
        drainer.stop()
        worker.drain_tick.disconnect(recorder)
    assert ticked and ticked[0] is app


def test_run_every_spaces_a_pass_out_by_its_configured_interval(app, ctx, caplog):
    runs = []

    def a_pass():
        runs.append(1)
        return len(runs) - 1  # nothing handled the first time, one record the second

    app.config["TEST_PASS_INTERVAL"] = 3600
    caplog.set_level("INFO", logger=__name__)
    worker.run_every(app, "TEST_PASS_INTERVAL", 60, a_pass, "test pass: %s handled")
    worker.run_every(app, "TEST_PASS_INTERVAL", 60, a_pass, "test pass: %s handled")
    assert runs == [1]  # not again within the interval
    app.extensions["drain_tick_last_runs"]["TEST_PASS_INTERVAL"] -= 3600
    worker.run_every(app, "TEST_PASS_INTERVAL", 60, a_pass, "test pass: %s handled")
    assert runs == [1, 1]
    assert [(r.name, r.getMessage()) for r in caplog.records if r.getMessage().startswith("test pass")] == [
        (__name__, "test pass: 1 handled")]  # logged on the pass's own module's logger, only when it handled any
    app.config["TEST_PASS_INTERVAL"] = 0  # 0 turns it off
    app.extensions["drain_tick_last_runs"].clear()
    worker.run_every(app, "TEST_PASS_INTERVAL", 60, a_pass, "test pass: %s handled")
    assert runs == [1, 1]
