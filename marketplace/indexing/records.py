"""Reading searchable records from the database: in bulk for the indexer, and in rank order for result pages."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, OrgStatus
from ..extensions import db
from ..listings import PUBLISHED
from ..patents.models import Patent
from .documents import HOLDER_FIELDS, MODELS, holder_counter, is_searchable, to_document


def _eager(kind: str) -> list:
    model = MODELS[kind]
    if kind == "achievement":
        return [selectinload(model.organization), selectinload(model.patents).selectinload(Patent.open_licence)]
    if kind == "patent":
        return [selectinload(model.organization), selectinload(model.open_licence)]
    if kind in ("demand", "challenge"):
        return [selectinload(model.organization)]
    return []


def load_by_ids(kind: str, ids) -> dict[int, object]:
    """Current rows of ``kind`` by id (one query, relations needed for documents loaded eagerly)."""
    ids = list(ids)
    if not ids:
        return {}
    model = MODELS[kind]
    rows = db.session.execute(db.select(model).where(model.id.in_(ids)).options(*_eager(kind))).scalars()
    return {row.id: row for row in rows}


def _public_status(kind: str):
    """The status in which a record of ``kind`` is public: a listing once published, an organisation once the
    platform has verified it (the public directory)."""
    return OrgStatus.VERIFIED if kind == "organization" else PUBLISHED


def public_clause(kind: str):
    """WHERE clause of the records of ``kind`` that anyone may see."""
    return MODELS[kind].status == _public_status(kind)


def _is_public(row) -> bool:
    kind = "organization" if isinstance(row, Organization) else None
    return getattr(row, "status", PUBLISHED) == _public_status(kind)


def load_public_in_order(kind: str, ids: list[int]) -> list:
    """Public records of ``kind`` with these ids, in the order given (one query). Ids that are no longer public
    (unpublished since the index was updated) are dropped: search results never show a non-public record.

    The rows are selected by primary key alone and the status is checked here: with ``status = ?`` in the WHERE
    clause SQLite's planner (without statistics) prefers a status index and scans every published row."""
    if not ids:
        return []
    model = MODELS[kind]
    rows = db.session.execute(db.select(model).where(model.id.in_(ids)).options(*_eager(kind))).scalars()
    by_id = {row.id: row for row in rows if _is_public(row)}
    return [by_id[i] for i in ids if i in by_id]


def searchable_versions_select(kind: str):
    """SELECT of (id, document version) of every record of ``kind`` that belongs in the index: the database's
    side of :func:`marketplace.indexing.documents.document_version`, computed in SQL."""
    model = MODELS[kind]
    fields = HOLDER_FIELDS.get(kind, ())
    version = model.version
    for name in fields:
        version = version + getattr(Organization, holder_counter(name))
    query = db.select(model.id, version.label("version")).where(public_clause(kind))
    if fields:
        query = query.join(Organization, Organization.id == model.org_id)
    return query


def searchable_versions(kind: str) -> dict[int, int]:
    """id → document version of every record of ``kind`` that belongs in the index."""
    return {row.id: row.version for row in db.session.execute(searchable_versions_select(kind))}


def count_searchable(kind: str) -> int:
    model = MODELS[kind]
    return db.session.execute(db.select(db.func.count()).select_from(model).where(public_clause(kind))).scalar_one()


def iter_documents(kind: str, chunk: int = 500) -> Iterator:
    """Documents of every searchable record of ``kind``, read in id-ordered chunks (bounded memory).

    Each chunk is read in a fresh query, so records changed while a rebuild runs are read in their newest state
    when their chunk comes up; changes to chunks already read are replayed from the outbox afterwards."""
    model = MODELS[kind]
    last_id = 0
    while True:
        # a primary-key range (see load_public_in_order); non-public rows are skipped here
        rows = list(db.session.execute(
            db.select(model).where(model.id > last_id).order_by(model.id).limit(chunk)
            .options(*_eager(kind))).scalars())
        if not rows:
            return
        for row in rows:
            if _is_public(row) and is_searchable(row):
                yield to_document(row)
        last_id = rows[-1].id
