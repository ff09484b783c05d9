"""Writes an outbox row for every change of a searchable record, inside the flush that makes the change.

Models opt in with ``__search_kind__ = "achievement"``; a child record (an open licence) names its parent with
``__search_parent__ = ("patent", "patent_id")``. The row carries no payload: the indexer reads the record's
current state and version when it pushes, so the outbox can never disagree with the database.

Listing documents copy some data of their organisation (:data:`documents.HOLDER_FIELDS`). When a flush changes
that data as the documents see it (the name, the type, the province of the region; not the description), the
organisation's change counter of the field is bumped in the same flush, which raises the document version of
its listings (:func:`documents.document_version`), and one row of kind ``holder:<listing kind>`` per affected
listing kind asks the indexer to queue those listings. The edit itself writes a few rows whatever the number of
listings; the indexer expands them after the commit (see :func:`indexer.expand_holder_rows`).
"""
from __future__ import annotations

from flask_sqlalchemy.session import Session
from sqlalchemy import event, insert, inspect, select

from ..accounts.models import Organization
from ..timeutil import utcnow
from .documents import HOLDER_FIELDS, HOLDER_VIEWS, holder_counter, holder_version
from .models import OutboxEntry

# Records whose documents include a value derived from a child: when the child changes, the parent (and these
# relations of it) get a new version too, because engines keep the newest *version* of a document and would
# ignore a re-read at an unchanged version. (An open licence sets the patent's and its achievements'
# ``open_licence`` facet.)
DERIVED_DEPENDANTS = {"patent": ("achievements",)}


# Kind prefix of the rows that stand for "every published listing of <kind> of organisation <record_id>".
HOLDER_PREFIX = "holder:"
_UNKNOWN = object()


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
            if isinstance(obj, Organization) and not deleted and obj not in new:
                rows.update(_holder_rows(obj))
            continue
        parent = getattr(cls, "__search_parent__", None)
        if parent:
            parent_kind, attr = parent
            parent_id = getattr(obj, attr)
            if parent_id is not None and (parent_kind, parent_id) not in rows:
                # version 0: "re-read the parent"; the indexer uses the parent's current version
                rows[(parent_kind, parent_id)] = {"kind": parent_kind, "record_id": parent_id, "version": 0,
                                                  "deleted": False}
    _version_deleted_listings(session, rows)
    return list(rows.values())


def _holder_rows(org) -> dict[tuple[str, int], dict]:
    """The ``holder:<kind>`` rows of an organisation whose change counters were bumped in this flush."""
    attrs = inspect(org).attrs
    bumped = {name for name in HOLDER_VIEWS if attrs[holder_counter(name)].history.has_changes()}
    return {(HOLDER_PREFIX + kind, org.id): {"kind": HOLDER_PREFIX + kind, "record_id": org.id,
                                             "version": holder_version(kind, org), "deleted": False}
            for kind, fields in HOLDER_FIELDS.items() if bumped.intersection(fields)}


def _version_deleted_listings(session, rows: dict[tuple[str, int], dict]) -> None:
    """A deleted listing's row carries its last *document* version (its version plus its organisation's
    counters): the indexer deletes a gone record above the highest version its rows name."""
    deleted = {(o.__search_kind__, o.id): o for o in session.deleted
               if getattr(type(o), "__search_kind__", None) in HOLDER_FIELDS}
    if not deleted:
        return
    org_ids = {o.org_id for o in deleted.values() if o.org_id is not None}
    counters = [getattr(Organization, holder_counter(name)) for name in HOLDER_VIEWS]
    orgs = {row.id: row for row in session.connection().execute(
        select(Organization.id, *counters).where(Organization.id.in_(org_ids)))} if org_ids else {}
    for (kind, record_id), obj in deleted.items():
        rows[(kind, record_id)]["version"] = obj.version + holder_version(kind, orgs.get(obj.org_id))


def _holder_fields_changed(org) -> list[str]:
    """The attributes of HOLDER_VIEWS whose value *as documents see it* this flush changes (a move within a
    province is no change: documents carry the province)."""
    attrs = inspect(org).attrs
    changed = []
    for name, view in HOLDER_VIEWS.items():
        history = attrs[name].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else _UNKNOWN  # active_history: known unless never loaded
        after = history.added[0] if history.added else None
        if before is _UNKNOWN or view(before) != view(after):
            changed.append(name)
    return changed


@event.listens_for(Session, "before_flush")
def _count_holder_changes(session, flush_context, instances) -> None:
    """Bump an organisation's change counter of every listing-document field that this flush changes. The
    organisation's optimistic lock (its version column) makes concurrent bumps conflict instead of being lost."""
    for obj in session.dirty:
        if isinstance(obj, Organization) and obj not in session.deleted:
            for name in _holder_fields_changed(obj):
                counter = holder_counter(name)
                setattr(obj, counter, (getattr(obj, counter) or 0) + 1)


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
