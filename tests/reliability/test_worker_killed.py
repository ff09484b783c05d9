"""Drill: a gunicorn worker killed (SIGKILL) while it answers a request. Clients keep creating achievements,
submitting them and publishing them (member and broker tokens); the client whose request the worker was answering
gets no answer, the master starts a new worker, and afterwards every acknowledged change is in the database, every
record is whole (each status with all its lifecycle events, and its outbox row), there was no 5xx, and after a
drain the index holds exactly the published records."""
from __future__ import annotations

import os
import signal
import socket
import threading
import time

import requests

from marketplace.accounts import services
from marketplace.extensions import db
from tests import factories as f

from .conftest import wait_until, workers_of

CLIENTS = 6
STEPS = ("draft", "submitted", "published")
EVENTS = {"draft": {"achievement.create"}, "submitted": {"achievement.create", "achievement.submit"},
          "published": {"achievement.create", "achievement.submit", "achievement.publish"}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Clients:
    """Threads creating, submitting and publishing achievements through the API until stopped."""

    def __init__(self, base: str, member_token: str, broker_token: str):
        self.api = base + "/api/v1"
        self.member = {"Authorization": f"Bearer {member_token}"}
        self.broker = {"Authorization": f"Bearer {broker_token}"}
        self.lock = threading.Lock()
        self.acked: dict[int, str] = {}  # record id → status of its last acknowledged change
        self.cut: dict[int | None, str] = {}  # record id (None: a create) → the step whose answer never came
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def _call(self, method: str, path: str, headers: dict, record_id: int | None, step: str, **kw):
        try:
            response = requests.request(method, self.api + path, headers=headers, timeout=60, **kw)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # no answer, or the kill fell while the body was being sent (IncompleteRead): either way it never came
            with self.lock:
                self.cut[record_id] = step
            return None
        with self.lock:
            self.statuses.append(response.status_code)
        return response

    def _run(self, n: int) -> None:
        serial = 0
        while not self.stop.is_set():
            serial += 1
            created = self._call("POST", "/achievements", self.member, None, "draft",
                                 json=f.achievement_data(title=f"演练成果 {n}-{serial}"))
            if created is None or created.status_code != 201:
                continue
            record = created.json()
            with self.lock:
                self.acked[record["id"]] = "draft"
            for step, path, headers in (("submitted", "submit", self.member), ("published", "publish", self.broker)):
                answer = self._call("POST", f"/achievements/{record['id']}/{path}", headers, record["id"], step)
                if answer is None or answer.status_code != 200:
                    break
                with self.lock:
                    self.acked[record["id"]] = step

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_worker_killed_mid_request_loses_no_acknowledged_write(drill):
    with drill.app.app_context():
        org = f.organization(name="演练大学")
        member = f.user(org)
        broker = f.broker()
        db.session.flush()
        _, member_token = services.create_token(member, "drill", "write")
        _, broker_token = services.create_token(broker, "drill", "write")
        db.session.commit()
        db.session.remove()
    port = _free_port()
    master = drill.gunicorn(port, workers=2)

    with Clients(f"http://127.0.0.1:{port}", member_token, broker_token) as clients:
        wait_until(lambda: len(clients.acked) >= 10, 120, "no write acknowledged")
        killed = []
        for _ in range(5):  # both workers are busy all the time; retry should the kill fall between two requests
            pid = workers_of(master)[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            time.sleep(1.0)
            if clients.cut:
                break
        assert clients.cut, "no request was cut by the kill"
        wait_until(lambda: len(workers_of(master)) == 2 and not set(killed) & set(workers_of(master)), 120,
                   "the master did not replace the killed worker")
        after_kill = len(clients.acked)
        wait_until(lambda: len(clients.acked) >= after_kill + 5, 120, "no write acknowledged after the kill")
    drill.stop_all()

    assert all(status < 500 for status in clients.statuses), sorted(set(clients.statuses))
    drill.assert_intact()
    rows = dict(drill.query("SELECT id, status FROM achievements"))
    for record_id, acked in clients.acked.items():
        expected = {acked}
        if record_id in clients.cut:  # the next change may have been committed before its answer was lost
            expected.add(clients.cut[record_id])
        assert rows.get(record_id) in expected, (record_id, acked, rows.get(record_id))
    unanswered_creates = 1 if None in clients.cut else 0
    assert len(clients.acked) <= len(rows) <= len(clients.acked) + unanswered_creates
    events: dict[int, set] = {}
    for target_id, action in drill.query("SELECT target_id, action FROM audit_events "
                                         "WHERE target_type = 'achievements'"):
        events.setdefault(target_id, set()).add(action)
    queued = {row[0] for row in drill.query("SELECT record_id FROM search_outbox WHERE kind = 'achievement'")}
    for record_id, status in rows.items():
        assert events.get(record_id) == EVENTS[status], (record_id, status, events.get(record_id))
        assert record_id in queued, (record_id, status)  # every change queues the record in its transaction

    drained = drill.flask("search", "drain")
    assert drained.returncode == 0, drained.stdout + drained.stderr
    drill.assert_index_matches_database()
