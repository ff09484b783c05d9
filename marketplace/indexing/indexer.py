"""Draining the search outbox into the engine.

One pass (:func:`drain_batch`) claims the due rows (oldest first), collapses them to one change per
(kind, id), reads the *current* rows in one query per kind, sends one bulk per kind with each record's current
version (the engine ignores anything older than what it holds, so replays and races are harmless) and records
each row's result: ``done_at`` on success; ``attempts + 1``, ``last_error`` and a back-off ``next_attempt_at``
on a per-document failure. When the engine is unreachable the rows are left exactly as they were (pending,
attempts unchanged) and the caller backs off as a whole: nothing is lost and nothing raises into a request.

A ``holder:<kind>`` row (an organisation changed data that its listings' documents copy) is not pushed: the pass
queues one ordinary row per published listing of that kind of the organisation, read after the change was
committed, and later passes push those in batches like any other change.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import false, insert, literal, update

from search.engine import Deletion, Document, SearchEngine, SearchUnavailable

from ..extensions import db
from ..timeutil import utcnow
from .documents import HOLDER_FIELDS, to_change
from .models import OutboxEntry
from .outbox import HOLDER_PREFIX
from .records import holder_versions_select, load_by_ids

log = logging.getLogger(__name__)

# Sent after a drain pass committed, with the documents the engine accepted (``documents=[Document, ...]``).
# Alerts subscribe to it; the indexer itself knows nothing of them.
_signals = Namespace()
documents_indexed = _signals.signal("documents-indexed")
# Sent after an index of a kind was rebuilt from the database (``kind=...``): state kept beside the index,
# such as saved queries for alerts, is registered again by its owner.
index_rebuilt = _signals.signal("index-rebuilt")

BATCH_SIZE = 500
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
ERROR_CHARS = 2000


@dataclass
class DrainReport:
    """What one or more passes did."""

    claimed: int = 0  # outbox rows taken
    indexed: int = 0  # documents accepted (including stale ones the engine ignored)
    deleted: int = 0
    failed: int = 0  # documents rejected (rows left for a retry with back-off)
    queued: int = 0  # listing rows queued for organisations whose data in their documents changed
    unavailable: bool = False  # the engine could not be reached; rows left pending
    error: str | None = None
    seconds: float = 0.0
    failures: dict[tuple[str, int], str] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)  # accepted documents of the last pass

    def add(self, other: DrainReport) -> None:
        self.claimed += other.claimed
        self.indexed += other.indexed
        self.deleted += other.deleted
        self.failed += other.failed
        self.queued += other.queued
        self.unavailable = self.unavailable or other.unavailable
        self.error = other.error or self.error
        self.seconds += other.seconds
        self.failures.update(other.failures)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1, 2, ...): 5 s, 10 s, 20 s, ... capped at one hour."""
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def due_clause(now: datetime):
    return (OutboxEntry.done_at.is_(None)) & (
        OutboxEntry.next_attempt_at.is_(None) | (OutboxEntry.next_attempt_at <= now))


def _claim(batch_size: int, now: datetime) -> list[OutboxEntry]:
    query = (db.select(OutboxEntry).where(due_clause(now)).order_by(OutboxEntry.id).limit(batch_size))
    if db.engine.dialect.name == "postgresql":
        # several indexer processes on PostgreSQL: each claims different rows for the duration of its pass
        query = query.with_for_update(skip_locked=True)
    return list(db.session.execute(query).scalars())


def _changes(kind: str, entries: dict[int, list[OutboxEntry]]) -> tuple[list, dict[int, str]]:
    """The document or deletion for every record id of ``kind`` (read now), and mapping errors by id."""
    records = load_by_ids(kind, entries)
    changes: list[Document | Deletion] = []
    errors: dict[int, str] = {}
    for record_id, rows in entries.items():
        record = records.get(record_id)
        if record is None:
            # The row is gone: nothing can ever be newer, so delete above the last version it had.
            changes.append(Deletion(kind=kind, id=record_id, version=max(r.version for r in rows) + 1))
            continue
        try:
            changes.append(to_change(record))
        except Exception as exc:  # a record the mapping cannot read is one failure, not a failed batch
            errors[record_id] = f"mapping failed: {type(exc).__name__}: {exc}"[:ERROR_CHARS]
    return changes, errors


def expand_holder_rows(entries: list[OutboxEntry], report: DrainReport) -> dict[int, str | None]:
    """Queue a row for every published listing named by the ``holder:<kind>`` rows among ``entries`` (one
    INSERT ... SELECT per kind and organisation, whatever the number of listings). Returns their outcome (done).

    The listings are read now, after the organisation's change was committed, so a listing published meanwhile
    is either queued here or has a row of its own that is pushed later; each queued row names the document
    version the listing has now (informational: the push reads the current state)."""
    outcome: dict[int, str | None] = {}
    seen: set[tuple[str, int]] = set()
    now = utcnow()
    for entry in entries:
        kind = entry.kind[len(HOLDER_PREFIX):]
        if kind not in HOLDER_FIELDS:
            outcome[entry.id] = f"unknown kind {entry.kind!r}"
            continue
        outcome[entry.id] = None
        if (kind, entry.record_id) in seen:
            continue
        seen.add((kind, entry.record_id))
        listings = holder_versions_select(kind, entry.record_id).subquery()
        rows = db.select(literal(kind), listings.c.id, listings.c.version, false(), literal(now), literal(0))
        result = db.session.execute(insert(OutboxEntry).from_select(
            ["kind", "record_id", "version", "deleted", "created_at", "attempts"], rows)
            .execution_options(preserve_rowcount=True))  # PostgreSQL: -1 without it
        report.queued += max(result.rowcount or 0, 0)
    return outcome


def push(engine: SearchEngine, entries: list[OutboxEntry], report: DrainReport) -> dict[int, str | None]:
    """Send the current state of the records named by ``entries`` to ``engine`` (``holder:`` rows are expanded
    into rows of their listings instead, see :func:`expand_holder_rows`).

    Returns outbox row id → error (None = done). Raises :class:`SearchUnavailable` when the engine is down."""
    holder_rows = [e for e in entries if e.kind.startswith(HOLDER_PREFIX)]
    outcome: dict[int, str | None] = expand_holder_rows(holder_rows, report) if holder_rows else {}
    by_kind: dict[str, dict[int, list[OutboxEntry]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if not entry.kind.startswith(HOLDER_PREFIX):
            by_kind[entry.kind][entry.record_id].append(entry)
    for kind, per_id in by_kind.items():
        changes, errors = _changes(kind, per_id)
        documents = [c for c in changes if isinstance(c, Document)]
        deletions = [c for c in changes if isinstance(c, Deletion)]
        result = engine.bulk(documents, deletions) if changes else None
        item_errors: dict[int, str | None] = dict(errors)
        if result is not None:
            for change, item in zip([*documents, *deletions], result.items):
                item_errors[change.id] = None if item.ok else (item.error or "rejected by the search engine")
            if len(result.items) != len(changes):  # an engine contract violation: retry the remainder later
                for change in [*documents, *deletions][len(result.items):]:
                    item_errors[change.id] = "no result from the search engine"
        deleted_ids = {d.id for d in deletions}
        documents_by_id = {d.id: d for d in documents}
        for record_id, rows in per_id.items():
            error = item_errors.get(record_id, "no result from the search engine")
            if error is None:
                if record_id in deleted_ids:
                    report.deleted += 1
                else:
                    report.indexed += 1
                    if record_id in documents_by_id:
                        report.documents.append(documents_by_id[record_id])
            else:
                report.failed += 1
                report.failures[(kind, record_id)] = error
            for row in rows:
                outcome[row.id] = error
    return outcome


def _record_outcome(entries: list[OutboxEntry], outcome: dict[int, str | None], now: datetime) -> None:
    done = [e.id for e in entries if outcome.get(e.id, "") is None]
    for start in range(0, len(done), 500):
        db.session.execute(update(OutboxEntry).where(OutboxEntry.id.in_(done[start:start + 500]))
                           .values(done_at=now, last_error=None, next_attempt_at=None)
                           .execution_options(synchronize_session=False))
    for entry in entries:
        error = outcome.get(entry.id, "")
        if error is None:
            continue
        attempts = (entry.attempts or 0) + 1
        db.session.execute(update(OutboxEntry).where(OutboxEntry.id == entry.id).values(
            attempts=attempts, last_error=(error or "not processed")[:ERROR_CHARS],
            next_attempt_at=now + backoff(attempts)).execution_options(synchronize_session=False))


def drain_batch(engine: SearchEngine, batch_size: int = BATCH_SIZE) -> DrainReport:
    """One pass over at most ``batch_size`` due outbox rows, in its own transaction. Never raises for engine
    trouble: an unreachable engine gives ``report.unavailable`` and leaves the rows pending."""
    report = DrainReport()
    started = time.monotonic()
    now = utcnow()
    try:
        entries = _claim(batch_size, now)
        report.claimed = len(entries)
        if not entries:
            db.session.commit()
            return report
        try:
            outcome = push(engine, entries, report)
        except SearchUnavailable as exc:
            db.session.rollback()
            report.unavailable, report.error = True, str(exc) or type(exc).__name__
            report.indexed = report.deleted = report.failed = report.queued = 0
            report.failures.clear()
            return report
        _record_outcome(entries, outcome, utcnow())
        db.session.commit()
        if report.documents and documents_indexed.receivers:
            documents_indexed.send(engine, documents=report.documents)
        return report
    except Exception:
        db.session.rollback()
        raise
    finally:
        report.seconds = time.monotonic() - started


def drain(engine: SearchEngine, batch_size: int = BATCH_SIZE, time_budget: float | None = None) -> DrainReport:
    """Passes until no due row is left, the engine is unavailable, or ``time_budget`` seconds are spent."""
    total = DrainReport()
    started = time.monotonic()
    while True:
        report = drain_batch(engine, batch_size)
        total.add(report)
        if report.unavailable or (report.claimed < batch_size and not report.queued):
            break
        if time_budget is not None and time.monotonic() - started >= time_budget:
            break
    total.seconds = time.monotonic() - started
    return total


def replay_since(engine: SearchEngine, after_id: int, kinds: list[str] | None = None,
                 batch_size: int = BATCH_SIZE) -> DrainReport:
    """Push again every record named by outbox rows with ``id > after_id`` (done or not): what a rebuild that
    started at ``after_id`` may have missed. Rows that were pending are marked with the result."""
    total = DrainReport()
    last = after_id
    while True:
        query = db.select(OutboxEntry).where(OutboxEntry.id > last).order_by(OutboxEntry.id).limit(batch_size)
        if kinds:
            query = query.where(OutboxEntry.kind.in_(kinds))
        entries = list(db.session.execute(query).scalars())
        if not entries:
            db.session.commit()
            return total
        report = DrainReport(claimed=len(entries))
        outcome = push(engine, entries, report)  # SearchUnavailable propagates: the caller reports it
        _record_outcome([e for e in entries if e.done_at is None], outcome, utcnow())
        db.session.commit()
        total.add(report)
        last = entries[-1].id


def max_outbox_id() -> int:
    return db.session.execute(db.select(db.func.max(OutboxEntry.id))).scalar() or 0


def pending_count(kind: str | None = None) -> int:
    query = db.select(db.func.count()).select_from(OutboxEntry).where(OutboxEntry.done_at.is_(None))
    if kind:
        query = query.where(OutboxEntry.kind == kind)
    return db.session.execute(query).scalar_one()


def purge_done(older_than: timedelta = timedelta(days=7)) -> int:
    """Delete rows processed more than ``older_than`` ago (the outbox is a queue, not a log)."""
    result = db.session.execute(db.delete(OutboxEntry).where(OutboxEntry.done_at < utcnow() - older_than))
    db.session.commit()
    return result.rowcount or 0


def enqueue(kind: str, versions: dict[int, int], deleted: bool = False) -> int:
    """Add outbox rows for these records (``id → version``); used by verify --repair and fan-out."""
    rows = [{"kind": kind, "record_id": i, "version": v, "deleted": deleted, "created_at": utcnow(),
             "attempts": 0} for i, v in versions.items()]
    for start in range(0, len(rows), 500):
        db.session.execute(insert(OutboxEntry), rows[start:start + 500])
    return len(rows)
