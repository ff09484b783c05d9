"""The mail queue: notifications are queued for e-mail in the request's transaction and delivered later by a
sender (``flask alerts deliver``, the drain loops) against a real SMTP server on a loopback port — retries with
back-off, giving up, no double sending, and the single-process drain thread."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from marketplace.accounts.models import User
from marketplace.alerts import services
from marketplace.alerts.models import Notification
from marketplace.extensions import db
from marketplace.indexing import worker
from marketplace.indexing.runtime import reset_engine
from marketplace.timeutil import utcnow
from tests.alerts.smtp_server import SmtpServer, silent_server
from tests.search_fixtures import closed_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_to(app, monkeypatch):
    """``mail_to(port, **settings)``: point the app's mail settings at a loopback SMTP port (undone afterwards)."""
    def configure(port: int, **settings) -> None:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)
    return configure


def _recommend(world, market):
    base = f"/demands/{market.ids['demand']}/matches/achievement/{market.ids['anode']}"
    return world.broker.post(f"{base}/recommend", json={"note": "建议尽快对接"})


def _rows(app, **where) -> list[Notification]:
    with app.app_context():
        query = db.select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        rows = db.session.execute(query).scalars().all()
        db.session.expunge_all()
        return rows


def _emails(app, *user_ids) -> set[str]:
    with app.app_context():
        return {db.session.get(User, i).email for i in user_ids}


def _queue(app, world, count: int, name: str = "other") -> list[int]:
    """``count`` notifications for one user, each queued for e-mail (what an alert or recommendation does)."""
    with app.app_context():
        notes = [services.notify(world.ids[name], "system", f"队列测试通知 {i:03d}", body="正文", link="/demands",
                                 email=True) for i in range(count)]
        db.session.commit()
        return [n.id for n in notes]


def _deliver(runner):
    return runner.invoke(args=["alerts", "deliver"])


def test_recommending_with_a_dead_mail_server_answers_fast_and_queues_the_mails(app, market, world, mail_to, runner):
    with silent_server() as port:  # accepts the connection, never greets: every SMTP call waits for its timeout
        mail_to(port, MAIL_TIMEOUT=10)
        started = time.monotonic()
        response = _recommend(world, market)
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.get_json()
        assert elapsed < 2.0, f"the recommendation took {elapsed:.1f}s"  # inline mail took >= 10 s a member
        queued = _rows(app, category="recommendation")
        assert {n.user_id for n in queued} == {world.ids["other"], world.ids["owner"], world.ids["member"]}
        assert all(n.email_state == "queued" and n.emailed_at is None and n.email_attempts == 0 for n in queued)
        status = runner.invoke(args=["alerts", "status"]).output
        assert "queued: 3 (3 due, 0 retrying)" in status

        # the sender meets the hung server once for the whole batch, not once a message
        mail_to(port, MAIL_TIMEOUT=0.5)
        started = time.monotonic()
        result = _deliver(runner)
        assert time.monotonic() - started < 3.0
    assert result.exit_code == 1 and "claimed 3: 0 sent" in result.output and "3 to retry" in result.output
    rows = _rows(app, category="recommendation")
    assert all(n.email_state == "queued" and n.email_attempts == 1 and "timed out" in n.email_error for n in rows)
    assert "queued: 3 (0 due, 3 retrying)" in runner.invoke(args=["alerts", "status"]).output


def test_the_sender_delivers_queued_mail_once_the_server_is_up(app, market, world, mail_to, runner, smtp):
    mail_to(closed_port(), MAIL_RETRY_SECONDS=0.3)  # nobody listens: connection refused
    assert _recommend(world, market).status_code == 200
    result = _deliver(runner)
    assert result.exit_code == 1 and "3 to retry" in result.output
    assert all("refused" in n.email_error for n in _rows(app, category="recommendation"))

    mail_to(smtp.port, PUBLIC_URL="https://market.example.cn/")  # the server is back
    assert "claimed 0" in _deliver(runner).output  # still backing off: nothing due yet
    time.sleep(0.35)
    result = _deliver(runner)
    assert result.exit_code == 0 and "claimed 3: 3 sent" in result.output
    received = smtp.wait_for(3)
    assert sorted(r for m in received for r in m.recipients) == sorted(
        _emails(app, world.ids["other"], world.ids["owner"], world.ids["member"]))
    assert all(m.subject.startswith("【科技成果转化交易平台】技术经纪人") and "建议尽快对接" in m.body for m in received)
    assert all(m.sender == "noreply@techmarket.local" for m in received)
    assert all("查看：https://market.example.cn/" in m.body and "cn//" not in m.body for m in received)  # absolute links
    rows = _rows(app, category="recommendation")
    assert all(n.email_state == "sent" and n.emailed_at and n.email_error is None and n.email_attempts == 2
               for n in rows)
    assert "claimed 0" in _deliver(runner).output and len(smtp.messages()) == 3  # sent is sent
    # logged: the market's review outcomes, delivered without a mail server when the fixture was built
    assert re.search(r"sent 3, logged \d+, skipped 0, failed \(given up\) 0",
                     runner.invoke(args=["alerts", "status"]).output)


def test_retries_back_off_exponentially(app, world, mail_to, runner, smtp):
    smtp.data_reply = "451 4.3.0 mailbox busy, try again later"
    mail_to(smtp.port, MAIL_RETRY_SECONDS=0.4, MAIL_RETRY_MAX_SECONDS=60)
    (note_id,) = _queue(app, world, 1)
    expected = []
    for attempt, delay in ((1, 0.4), (2, 0.8), (3, 1.6)):
        before = utcnow()
        result = _deliver(runner)
        after = utcnow()
        assert "1 to retry" in result.output, result.output
        (row,) = _rows(app, id=note_id)
        assert row.email_attempts == attempt and row.email_state == "queued"
        assert row.email_error == "451 4.3.0 mailbox busy, try again later"
        assert before + timedelta(seconds=delay) <= row.email_next_at <= after + timedelta(seconds=delay)
        assert "claimed 0" in _deliver(runner).output  # not due during the back-off
        expected.append(delay)
        time.sleep(delay + 0.05)
    smtp.data_reply = None
    assert "claimed 1: 1 sent" in _deliver(runner).output
    (row,) = _rows(app, id=note_id)
    assert row.email_state == "sent" and row.email_attempts == 4 and row.email_error is None
    assert len(smtp.messages()) == 1 and expected == [0.4, 0.8, 1.6]


def test_gives_up_after_max_attempts_and_keeps_the_notification(app, world, mail_to, runner):
    mail_to(closed_port(), MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_SECONDS=0.05)
    (note_id,) = _queue(app, world, 1)
    for _ in range(3):
        assert _deliver(runner).exit_code == 1
        time.sleep(0.25)
    (row,) = _rows(app, id=note_id)
    assert row.email_state == "failed" and row.email_attempts == 3 and row.email_next_at is None
    assert "refused" in row.email_error
    time.sleep(0.1)
    assert "claimed 0" in _deliver(runner).output  # given up: never tried again
    status = runner.invoke(args=["alerts", "status"]).output
    assert "failed (given up) 1" in status and f"notification {note_id} failed (attempts 3)" in status
    page = world.other.get("/notifications").get_json()  # still in the user's list, unread
    assert [(n["id"], n["read_at"]) for n in page["items"]] == [(note_id, None)]


def test_a_permanent_refusal_is_not_retried_and_does_not_stop_the_others(app, world, mail_to, runner, smtp):
    mail_to(smtp.port, MAIL_RETRY_SECONDS=0.05)
    refused, fine = _emails(app, world.ids["other"]), _emails(app, world.ids["owner"])
    smtp.refuse[refused.pop()] = "550 5.1.1 no such mailbox"
    other_id, owner_id = _queue(app, world, 1, "other")[0], _queue(app, world, 1, "owner")[0]
    result = _deliver(runner)
    assert "claimed 2: 1 sent" in result.output and "1 given up" in result.output
    assert _rows(app, id=other_id)[0].email_state == "failed" and "550" in _rows(app, id=other_id)[0].email_error
    assert _rows(app, id=owner_id)[0].email_state == "sent"
    assert [m.recipients for m in smtp.messages()] == [[fine.pop()]]


def test_without_a_mail_server_mail_is_logged_and_opted_out_alerts_are_not_queued(app, world, runner, caplog):
    assert app.config["MAIL_SERVER"] is None
    with app.app_context():
        other = db.session.get(User, world.ids["other"])
        services.notify(other.id, "system", "只在站内显示的通知")
        services.notify(other.id, "system", "要发邮件的通知", email=True)
        db.session.commit()
    with caplog.at_level("INFO", logger="marketplace.alerts.mail"):
        result = _deliver(runner)
    assert result.exit_code == 0 and "claimed 1: 0 sent, 1 logged" in result.output
    assert "mail (not sent: MAIL_SERVER unset)" in caplog.text and "要发邮件的通知" in caplog.text
    states = {n.title: n.email_state for n in _rows(app)}
    assert states == {"只在站内显示的通知": None, "要发邮件的通知": "logged"}


def _child_env(app, **extra) -> dict:
    env = dict(os.environ)
    env.update({"INSTANCE_PATH": app.instance_path, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "test-secret", "PYTHONPATH": str(REPO), "RATELIMIT_ENABLED": "0",
                "MAIL_SERVER": "127.0.0.1", **{k: str(v) for k, v in extra.items()}})
    env.pop("SEARCH_URL", None)
    return env


def test_two_senders_never_send_the_same_mail_twice(app, world, smtp):
    """Two `flask alerts deliver` processes at once, over a slow server, small batches: each message once."""
    smtp.delay = 0.05
    ids = _queue(app, world, 60)
    env = _child_env(app, MAIL_PORT=smtp.port, SEARCH_AUTO_DRAIN="0")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "alerts", "deliver", "--batch-size", "3"]
    senders = [subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = []
    for proc in senders:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        outputs.append(out)
    subjects = Counter(m.subject for m in smtp.messages())
    assert len(subjects) == 60 and set(subjects.values()) == {1}, subjects.most_common(3)
    assert all(n.email_state == "sent" and n.email_attempts == 1 for n in _rows(app) if n.id in ids)
    claimed = [int(out.split("claimed ")[1].split(":")[0]) for out in outputs]
    assert sum(claimed) == 60 and min(claimed) > 0, outputs  # both senders took part


_SERVING_PROCESS = textwrap.dedent("""
    import sys
    from marketplace import create_app
    app = create_app()
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes stdin, then a normal interpreter exit
""")


@contextlib.contextmanager
def _serving_process(app, smtp):
    """A plain process of the app (as gunicorn or `flask run` start it, SEARCH_AUTO_DRAIN on), which exits normally
    when the block ends."""
    env = _child_env(app, MAIL_PORT=smtp.port, SEARCH_AUTO_DRAIN="1")
    child = subprocess.Popen([sys.executable, "-c", _SERVING_PROCESS], env=env, cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()[-2000:]
        yield child
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
        reset_engine(app)
        shutil.rmtree(Path(app.instance_path) / "search-index", ignore_errors=True)


def test_the_drain_thread_delivers_within_seconds_in_single_process_mode(app, market, world, smtp):
    """The serving process delivers a recommendation made meanwhile through its background drain thread, without
    any sender command."""
    with _serving_process(app, smtp):
        assert _recommend(world, market).status_code == 200
        # about 3 s on a quiet machine; the bound only guards against a thread that never delivers (no timed test)
        received = smtp.wait_for(3, timeout=20)
        assert len(received) == 3, "the drain thread did not deliver"
    assert {n.email_state for n in _rows(app, category="recommendation")} == {"sent"}


def test_a_normal_exit_lets_the_drain_thread_finish_and_record_its_batch(app, market, world, smtp):
    """The process exits while a slow server is still taking the batch: the exit waits for the pass, so every
    message the server accepted is recorded as sent (none handed out again later) and none is left claimed."""
    smtp.delay = 0.5
    with _serving_process(app, smtp):
        assert _recommend(world, market).status_code == 200
        assert len(smtp.wait_for(1, timeout=20)) >= 1, "the drain thread did not start delivering"
    assert len(smtp.messages()) == 3
    rows = _rows(app, category="recommendation")
    assert [(n.email_state, n.email_attempts) for n in rows] == [("sent", 1)] * 3


def test_flask_search_worker_delivers_too_and_mail_auto_deliver_turns_it_off(app, world, mail_to, smtp,
                                                                            search_engine, monkeypatch):
    mail_to(smtp.port)
    _queue(app, world, 2)
    monkeypatch.setitem(app.config, "MAIL_AUTO_DELIVER", False)
    passes = []
    worker.run_worker(app, tick=0.01, on_report=passes.append, should_stop=lambda: len(passes) >= 2)
    assert smtp.messages() == []
    monkeypatch.setitem(app.config, "MAIL_AUTO_DELIVER", True)
    worker.run_worker(app, tick=0.01, on_report=passes.append, should_stop=lambda: len(passes) >= 3)
    assert len(smtp.messages()) == 2


def test_a_claim_takes_at_most_a_batch_and_holds_the_rows_until_it_runs_out(app, world, mail_to, runner, smtp):
    """A claim moves its rows out of "due" for CLAIM_SECONDS: others take different rows meanwhile; the rows of a
    sender that died after claiming are delivered once the claim has run out (the lost try counts)."""
    from marketplace.alerts import delivery

    mail_to(smtp.port)
    ids = _queue(app, world, 7)
    with app.app_context():
        first, second, rest = delivery.claim(3), delivery.claim(3), delivery.claim(3)
    assert (first, second, rest) == (ids[:3], ids[3:6], ids[6:])  # oldest first, never the same row twice
    with app.app_context():
        assert delivery.claim(3) == []
        # the sender of ``first`` died; its claim runs out
        db.session.execute(db.update(Notification).where(Notification.id.in_(first))
                           .values(email_next_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    result = _deliver(runner)
    assert "claimed 3: 3 sent" in result.output
    assert [(n.id, n.email_state, n.email_attempts) for n in _rows(app, email_state="sent")] == [
        (i, "sent", 2) for i in first]
    assert len(smtp.messages()) == 3
