"""Reading searchable records from the database: in bulk for the indexer, and in rank order for result pages."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import and_
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, OrgStatus
from ..extensions import db
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..records import public_listing_clause
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


def public_clause(kind: str):
    """WHERE clause of the records of ``kind`` that anyone may see: an organisation once the platform has verified
    it (the public directory), a listing while it is public (:func:`marketplace.records.public_listing_clause`)."""
    model = MODELS[kind]
    return model.status == OrgStatus.VERIFIED if kind == "organization" else public_listing_clause(model)


def _is_public(row) -> bool:
    return row.status == OrgStatus.VERIFIED if isinstance(row, Organization) else row.is_public


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


def _versions_select(kind: str, condition):
    """SELECT of (id, document version) of the records of ``kind`` meeting ``condition``: the database's side of
    :func:`marketplace.indexing.documents.document_version`, computed in SQL."""
    model = MODELS[kind]
    fields = HOLDER_FIELDS.get(kind, ())
    version = model.version
    for name in fields:
        version = version + getattr(Organization, holder_counter(name))
    query = db.select(model.id, version.label("version")).where(condition)
    if fields:
        query = query.join(Organization, Organization.id == model.org_id)
    return query


def searchable_versions_select(kind: str):
    """SELECT of (id, document version) of every record of ``kind`` that belongs in the index."""
    return _versions_select(kind, public_clause(kind))


def holder_versions_select(kind: str, org_id: int):
    """SELECT of (id, document version) of the published listings of ``kind`` of organisation ``org_id``, public
    or withheld by its suspension: a change of the organisation (a suspension or a restore included) may change
    the document of each."""
    model = MODELS[kind]
    return _versions_select(kind, and_(model.status == PUBLISHED, model.org_id == org_id))


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
