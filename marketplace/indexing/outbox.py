"""Writes an outbox row for every change of a searchable record, inside the flush that makes the change.

Models opt in with ``__search_kind__ = "achievement"``; a child record (an open licence) names its parent with
``__search_parent__ = ("patent", "patent_id")``. The row carries no payload: the indexer reads the record's
current state and version when it pushes, so the outbox can never disagree with the database.
"""
from __future__ import annotations

from flask_sqlalchemy.session import Session
from sqlalchemy import event, insert, inspect

from ..timeutil import utcnow
from .models import OutboxEntry

# Records whose documents include a value derived from a child: when the child changes, the parent (and these
# relations of it) get a new version too, because engines keep the newest *version* of a document and would
# ignore a re-read at an unchanged version. (An open licence sets the patent's and its achievements'
# ``open_licence`` facet.)
DERIVED_DEPENDANTS = {"patent": ("achievements",)}


def _entries(session) -> list[dict]:
    rows: dict[tuple[str, int], dict] = {}
    new = set(session.new)  # session.new builds a fresh set on every access: take it once per flush
    for obj, deleted in [(o, False) for o in new] + [(o, False) for o in session.dirty] + \
            [(o, True) for o in session.deleted]:
        cls = type(obj)
        kind = getattr(cls, "__search_kind__", None)
        if kind:
            if not deleted and obj not in new and not session.is_modified(obj, include_collections=False):
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


def _parent_of(obj, attr: str):
    for rel in inspect(type(obj)).relationships:
        if any(col.key == attr for col in rel.local_columns):
            return getattr(obj, rel.key)
    return None


def _touch(record) -> None:
    if hasattr(record, "updated_at"):
        record.updated_at = utcnow()  # a real change of the row: its version_id_col is bumped in this flush


@event.listens_for(Session, "before_flush")
def _version_parents_of_changed_children(session, flush_context, instances) -> None:
    changed = [(o, "new") for o in session.new] + [(o, "dirty") for o in session.dirty] + \
              [(o, "deleted") for o in session.deleted]
    for obj, state in changed:
        parent_spec = getattr(type(obj), "__search_parent__", None)
        if not parent_spec or getattr(type(obj), "__search_kind__", None):
            continue
        if state == "dirty" and not session.is_modified(obj, include_collections=False):
            continue
        parent = _parent_of(obj, parent_spec[1])
        if parent is None or parent in session.deleted or inspect(parent).deleted:
            continue
        _touch(parent)
        active_changed = (state != "dirty" or inspect(obj).attrs.active.history.has_changes()) \
            if hasattr(obj, "active") else True
        if active_changed:
            for relation in DERIVED_DEPENDANTS.get(parent_spec[0], ()):
                for dependant in getattr(parent, relation, None) or ():
                    if dependant not in session.deleted:
                        _touch(dependant)


@event.listens_for(Session, "after_flush")
def _write_outbox(session, flush_context) -> None:
    rows = _entries(session)
    if rows:
        session.connection().execute(insert(OutboxEntry.__table__), rows)
        session.info["outbox_written"] = True
