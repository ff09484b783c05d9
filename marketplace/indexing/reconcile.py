"""Comparing the database (the source of truth) with the index, repairing differences, and status figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from search.engine import SearchEngine

from ..extensions import db
from ..timeutil import utcnow
from . import indexer
from .documents import KINDS
from .models import OutboxEntry
from .records import count_searchable, iter_documents, searchable_versions


@dataclass
class Difference:
    kind: str
    expected: int = 0  # searchable records in the database
    indexed: int = 0  # documents in the index
    missing: dict[int, int] = field(default_factory=dict)  # id -> database version (not indexed)
    stale: dict[int, int] = field(default_factory=dict)  # id -> database version (index holds another version)
    extra: dict[int, int] = field(default_factory=dict)  # id -> index version (not searchable in the database)
    ahead: set[int] = field(default_factory=set)  # stale ids whose indexed version is *newer* (restored database)

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def compare(engine: SearchEngine, kind: str) -> Difference:
    """Ids and versions of searchable records versus ``engine.versions(kind)``."""
    expected = searchable_versions(kind)
    db.session.commit()
    indexed = engine.versions(kind)
    diff = Difference(kind=kind, expected=len(expected), indexed=len(indexed))
    for record_id, version in expected.items():
        have = indexed.get(record_id)
        if have is None:
            diff.missing[record_id] = version
        elif have != version:
            diff.stale[record_id] = version
            if have > version:
                diff.ahead.add(record_id)
    diff.extra = {i: v for i, v in indexed.items() if i not in expected}
    return diff


def repair(engine: SearchEngine, diff: Difference) -> indexer.DrainReport:
    """Push the current state of every differing record: missing and stale ones are indexed again, extra ones
    are deleted (at the record's version when it still exists, above the indexed version when it is gone).

    The work goes through outbox rows, so a failure is recorded and retried like any other change."""
    before = indexer.max_outbox_id()
    versions = {**diff.missing, **diff.stale}
    # A gone record's deletion must outrank the indexed document: the indexer deletes at max(version) + 1.
    versions.update(diff.extra)
    indexer.enqueue(diff.kind, versions)
    db.session.commit()
    return indexer.replay_since(engine, before, kinds=[diff.kind])


def rebuild_kind(engine: SearchEngine, kind: str, progress: Callable[[int], None] | None = None
                 ) -> tuple[int, indexer.DrainReport]:
    """Rebuild the index of ``kind`` from the database while searches continue, then replay every change made
    since the rebuild started (an engine-side swap may not see writes another drainer pushed to the old index).
    Returns (documents in the new index, replay report)."""
    started_after = indexer.max_outbox_id()
    db.session.commit()

    def documents():
        for document in iter_documents(kind):
            if progress is not None:
                progress(1)
            yield document

    count = engine.rebuild(kind, documents())
    db.session.commit()
    replayed = indexer.replay_since(engine, started_after, kinds=[kind])
    indexer.index_rebuilt.send(engine, kind=kind)
    return count, replayed


def repair_fully(engine: SearchEngine, diff: Difference) -> tuple[indexer.DrainReport, Difference, bool]:
    """:func:`repair`, then compare again; what versioned writes cannot fix (a document removed behind the
    engine's back leaves its version behind, so re-sending that version is ignored as stale) is fixed by a
    rebuild of the kind. Returns (repair report, remaining difference, whether a rebuild was needed)."""
    report = repair(engine, diff)
    if report.unavailable:
        return report, diff, False
    remaining = compare(engine, diff.kind)
    if not remaining.problems:
        return report, remaining, False
    rebuild_kind(engine, diff.kind)
    return report, compare(engine, diff.kind), True


def _age(since: datetime | None) -> str:
    if since is None:
        return "-"
    seconds = int((utcnow() - since).total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}min"
    return f"{seconds // 3600}h"


def status(engine: SearchEngine) -> dict[str, Any]:
    """Figures for ``flask search status`` and admin pages; never raises for engine trouble."""
    health = engine.health()
    built = health.get("kinds") or {}
    kinds: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        try:
            in_index = engine.count(kind)
        except Exception:  # the engine is down: show what the database knows
            in_index = None
        live = built.get(kind) or {}
        # a cluster index built with older settings (search.dsl.INDEX_FORMAT) scores differently until rebuilt
        kinds[kind] = {"database": count_searchable(kind), "index": in_index,
                       "pending": indexer.pending_count(kind), "outdated_format": bool(live.get("outdated")),
                       "live_index": live.get("index"), "index_format": live.get("format")}
    now = utcnow()
    pending = OutboxEntry.done_at.is_(None)
    count = db.func.count()
    outbox = {
        "pending": db.session.execute(db.select(count).select_from(OutboxEntry).where(pending)).scalar_one(),
        "due": db.session.execute(db.select(count).select_from(OutboxEntry)
                                  .where(indexer.due_clause(now))).scalar_one(),
        "failing": db.session.execute(db.select(count).select_from(OutboxEntry)
                                      .where(pending, OutboxEntry.attempts > 0)).scalar_one(),
        "oldest_pending_age": _age(db.session.execute(db.select(db.func.min(OutboxEntry.created_at))
                                                      .where(pending)).scalar()),
        "recent_failures": [
            {"kind": e.kind, "record_id": e.record_id, "attempts": e.attempts, "error": e.last_error}
            for e in db.session.execute(db.select(OutboxEntry).where(pending, OutboxEntry.attempts > 0)
                                        .order_by(OutboxEntry.id.desc()).limit(10)).scalars()
        ],
    }
    return {"health": health, "kinds": kinds, "outbox": outbox}
