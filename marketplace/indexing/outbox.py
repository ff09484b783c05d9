"""Writes an outbox row for every change of a searchable record, inside the flush that makes the change.

Models opt in with ``__search_kind__ = "achievement"``; a child record (an open licence) names its parent with
``__search_parent__ = ("patent", "patent_id")``. The row carries no payload: the indexer reads the record's
current state and version when it pushes, so the outbox can never disagree with the database.
"""
from __future__ import annotations

from flask_sqlalchemy.session import Session
from sqlalchemy import event, insert

from .models import OutboxEntry


def _entries(session) -> list[dict]:
    rows: dict[tuple[str, int], dict] = {}
    for obj, deleted in [(o, False) for o in session.new] + [(o, False) for o in session.dirty] + \
            [(o, True) for o in session.deleted]:
        cls = type(obj)
        kind = getattr(cls, "__search_kind__", None)
        if kind:
            if not deleted and obj not in session.new and not session.is_modified(obj, include_collections=False):
                continue
            rows[(kind, obj.id)] = {"kind": kind, "record_id": obj.id, "version": obj.version, "deleted": deleted}
            continue
        parent = getattr(cls, "__search_parent__", None)
        if parent:
            parent_kind, attr = parent
            parent_id = getattr(obj, attr)
            if parent_id is not None and (parent_kind, parent_id) not in rows:
                # version 0: "re-read the parent"; the indexer uses the parent's current version
                rows[(parent_kind, parent_id)] = {"kind": parent_kind, "record_id": parent_id, "version": 0,
                                                  "deleted": False}
    return list(rows.values())


@event.listens_for(Session, "after_flush")
def _write_outbox(session, flush_context) -> None:
    rows = _entries(session)
    if rows:
        session.connection().execute(insert(OutboxEntry.__table__), rows)
        session.info["outbox_written"] = True
