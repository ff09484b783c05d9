"""Running the indexer: a foreground loop (``flask search worker``) and the background drain thread of the
single-process run mode (``SEARCH_AUTO_DRAIN``).

Only one process drains at a time: the drainer holds an exclusive, non-blocking ``fcntl`` lock on
``<instance>/search-drain.lock`` for the duration of each pass. With several gunicorn workers every worker runs
the thread, but only the one that wins the lock drains; the others find it taken and try again on their next
tick, so when the draining process exits another takes over within a second.

Other packages run their periodic background work on these loops instead of starting threads of their own: they
connect to :data:`drain_tick` (the alerts package delivers queued e-mail there); a pass that needs running only every
so often (the overdue flags) is decorated with :func:`on_tick_every`.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from blinker import Namespace
from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from search.engine import SearchUnavailable

from ..extensions import db
from ..shutdown import stop_requested
from . import indexer
from .runtime import get_engine

log = logging.getLogger(__name__)

LOCK_NAME = "search-drain.lock"
TICK_SECONDS = 1.0
PASS_TIME_BUDGET = 5.0  # seconds of draining before the lock is released and re-taken (lets others in)
UNAVAILABLE_BACKOFF_MAX = 10.0
EXTENSION_KEY = "search_drainer"
PURGE_EVERY = 3600.0
EXIT_GRACE_SECONDS = 10.0  # at a normal exit, how long the pass under way may take to finish

# Sent by the drain loops (the background drain thread and ``flask search worker``, not one-off drains) after each
# drain pass, whether or not the engine was reachable: sender = the app, ``report`` = the pass's DrainReport.
# Receivers run in an app context while this process holds the drain lock, so one process of an instance folder
# runs them at a time; they should bound their own time. One that raises is logged and stops nothing else.
_signals = Namespace()
drain_tick = _signals.signal("drain-tick")


class DrainLock:
    """The exclusive drain lock of an instance folder (one file, ``flock``; released when the process dies)."""

    def __init__(self, instance_path: str):
        self.path = Path(instance_path) / LOCK_NAME
        self._fd: int | None = None
        self._mutex = threading.Lock()

    def acquire(self, blocking: bool = False, timeout: float | None = None) -> bool:
        """Take the lock; with ``blocking``, wait up to ``timeout`` seconds (None = forever)."""
        got_mutex = (self._mutex.acquire(timeout=-1 if timeout is None else timeout) if blocking
                     else self._mutex.acquire(blocking=False))
        if not got_mutex:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                return True
            except BlockingIOError:
                if not blocking or (deadline is not None and time.monotonic() >= deadline):
                    os.close(fd)
                    self._mutex.release()
                    return False
                time.sleep(0.05)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            self._mutex.release()

    @contextlib.contextmanager
    def held(self, blocking: bool = False, timeout: float | None = None) -> Iterator[bool]:
        """``with lock.held() as got:`` — ``got`` says whether this process holds the lock inside the block."""
        got = self.acquire(blocking, timeout)
        try:
            yield got
        finally:
            if got:
                self.release()


def drain_lock(app: Flask) -> DrainLock:
    """The app's drain lock object (one per app, shared by its threads)."""
    lock = app.extensions.get("search_drain_lock")
    if lock is None:
        lock = app.extensions["search_drain_lock"] = DrainLock(app.instance_path)
    return lock


def drain_pass(app: Flask, time_budget: float = PASS_TIME_BUDGET,
               blocking: bool = False, tick: bool = False) -> indexer.DrainReport | None:
    """Drain under the instance's lock. None when another process holds it (it drains instead).
    ``tick``: send :data:`drain_tick` after the drain (the loops do)."""
    with drain_lock(app).held(blocking=blocking) as got:
        if not got:
            return None
        with app.app_context():
            try:
                report = indexer.drain(get_engine(app), time_budget=time_budget)
                _maybe_purge(app)
                if tick:
                    _send_tick(app, report)
                return report
            finally:
                db.session.remove()


def _send_tick(app: Flask, report: indexer.DrainReport) -> None:
    for receiver in drain_tick.receivers_for(app):
        try:
            receiver(app, report=report)
        except Exception:  # one receiver's trouble must not stop the drain loop or the others
            db.session.rollback()
            log.exception("drain tick receiver %r failed", receiver)


def run_every(app: Flask, interval_key: str, default: float, pass_fn: Callable[[], int], message: str) -> None:
    """For a :data:`drain_tick` receiver: run ``pass_fn`` (which returns how many records it handled) at most every
    ``app.config[interval_key]`` seconds (``default`` when unset; 0 turns it off), commit, and log ``message % n``
    on the pass's own module's logger when it handled any."""
    interval = float(app.config.get(interval_key, default) or 0)
    if interval <= 0:
        return
    now = time.monotonic()
    last_runs = app.extensions.setdefault("drain_tick_last_runs", {})
    last = last_runs.get(interval_key)
    if last is not None and now - last < interval:
        return
    last_runs[interval_key] = now
    handled = pass_fn()
    db.session.commit()
    if handled:
        logging.getLogger(pass_fn.__module__).info(message, handled)


def on_tick_every(interval_key: str, default: float, message: str) -> Callable:
    """Decorator: run the decorated pass (called without arguments) on the drain loops' tick through
    :func:`run_every`; the function itself is returned unchanged (the CLI calls it too)."""
    def connect(pass_fn: Callable[[], int]) -> Callable[[], int]:
        def receiver(app: Flask, **extra) -> None:
            run_every(app, interval_key, default, pass_fn, message)

        drain_tick.connect(receiver, weak=False)  # the closure has no other reference
        return pass_fn
    return connect


def _maybe_purge(app: Flask) -> None:
    """Delete old processed rows about once an hour (inside a drain pass, so under the lock)."""
    now = time.monotonic()
    if now - app.extensions.get("search_last_purge", -PURGE_EVERY) >= PURGE_EVERY:
        app.extensions["search_last_purge"] = now
        indexer.purge_done()


class BackgroundDrainer:
    """A daemon thread that drains every ``TICK_SECONDS`` and right after a commit that wrote outbox rows.

    When the process exits normally (a gunicorn worker's graceful stop, the end of ``flask run``) the pass under
    way is finished before the interpreter stops the thread: an e-mail the SMTP server has accepted is recorded as
    sent, not handed out again, and a claimed outbox batch is recorded rather than left to expire."""

    def __init__(self, app: Flask, tick: float = TICK_SECONDS):
        self.app = app
        self.tick = tick
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="search-drain", daemon=True)
        self.last_report: indexer.DrainReport | None = None
        self.pid = os.getpid()

    def start(self) -> None:
        self.thread.start()
        atexit.register(self._stop_at_exit)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)

    def _stop_at_exit(self) -> None:
        if self.pid == os.getpid():  # a forked child inherits the handler, not the thread
            self.stop(timeout=EXIT_GRACE_SECONDS)

    def _run(self) -> None:
        delay = self.tick
        while not self.stopping.is_set():
            self.wake.wait(delay)
            self.wake.clear()
            if self.stopping.is_set():
                break
            try:
                report = drain_pass(self.app, tick=True)
            except Exception:  # a broken pass must not kill the thread; the rows stay pending
                log.exception("search drain pass failed")
                report = None
                delay = min(UNAVAILABLE_BACKOFF_MAX, delay * 2)
                continue
            if report is not None:
                self.last_report = report
                if report.unavailable:
                    delay = min(UNAVAILABLE_BACKOFF_MAX, max(self.tick, delay * 2))
                    continue
                if report.claimed:
                    self.wake.set()  # more may be due (time budget reached): go again at once
            delay = self.tick


def install_auto_drain(app: Flask) -> None:
    """Run the drain thread in this app's serving processes when ``SEARCH_AUTO_DRAIN`` is on (not under test).

    Under gunicorn/uwsgi the thread starts now; in ``flask ...`` commands it starts with the first request (so
    ``flask run`` drains but ``flask search reindex`` or an import command does not). A process forked after
    start (gunicorn ``--preload``) notices on its first request and starts its own thread."""
    if not app.config.get("SEARCH_AUTO_DRAIN") or app.config.get("TESTING"):
        return

    @app.before_request
    def _ensure_search_drainer():
        ensure_background_drain(app)

    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        ensure_background_drain(app)


def ensure_background_drain(app: Flask) -> BackgroundDrainer:
    """The running drain thread of this process for ``app`` (started if missing)."""
    drainer = app.extensions.get(EXTENSION_KEY)
    if drainer is None or drainer.pid != os.getpid():
        with _start_mutex:
            drainer = app.extensions.get(EXTENSION_KEY)
            if drainer is None or drainer.pid != os.getpid():
                app.extensions.pop("search_drain_lock", None)  # never reuse a lock object from a parent process
                drainer = app.extensions[EXTENSION_KEY] = BackgroundDrainer(app)
                drainer.start()
    return drainer


_start_mutex = threading.Lock()


@event.listens_for(Session, "after_commit")
def _wake_drainer(session) -> None:
    """A commit that wrote outbox rows wakes this app's drain thread (no-op where there is none)."""
    if session.info.pop("outbox_written", False) and has_app_context():
        drainer = current_app.extensions.get(EXTENSION_KEY)
        if drainer is not None:
            drainer.wake.set()


@event.listens_for(Session, "after_rollback")
def _forget_outbox_flag(session) -> None:
    session.info.pop("outbox_written", None)


def run_worker(app: Flask, tick: float = TICK_SECONDS, on_report: Callable | None = None,
               should_stop: Callable[[], bool] | None = None) -> None:
    """The ``flask search worker`` loop: drain, sleep, repeat until SIGTERM/SIGINT (finishes the current pass)."""
    delay = tick
    with stop_requested() as stop:
        while not stop.is_set() and not (should_stop and should_stop()):
            try:
                report = drain_pass(app, time_budget=30.0, tick=True)
            except SearchUnavailable as exc:  # pragma: no cover - drain() already turns these into reports
                log.warning("search engine unavailable: %s", exc)
                report = None
            except Exception:
                log.exception("search drain pass failed")
                report = None
            if on_report and report is not None:
                on_report(report)
            if report is not None and report.unavailable:
                delay = min(UNAVAILABLE_BACKOFF_MAX, delay * 2)
            elif report is not None and report.claimed:
                delay = 0.0
            else:
                delay = tick
            stop.wait(delay)
