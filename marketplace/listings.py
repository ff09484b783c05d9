"""What achievements, patents and demands share as listings: their states, columns and pending revisions.

The lifecycle itself (who may move a listing from which state to which) is declared in
:mod:`marketplace.workflow.listings`. Only published records are visible to other organisations, and only while
their organisation is not suspended by the platform: a suspension withholds its listings (from pages, the API,
search and matching) without changing them, and restoring the organisation shows them again
(:attr:`ListingMixin.is_public`, :func:`marketplace.records.public_listing_clause`).

Editing a published listing does not change what the public sees: the edit is stored as a pending revision
(:class:`ListingRevision`) and goes to review; the approved version stays visible until a reviewer publishes the
changes (or rejects them with a reason).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, and_, inspect, select
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from .extensions import db
from .timeutil import utcnow


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"
    CLOSED = "closed"  # demands only: solved or no longer needed


DRAFT, SUBMITTED, PUBLISHED, REJECTED, ARCHIVED, CLOSED = (
    ListingStatus.DRAFT, ListingStatus.SUBMITTED, ListingStatus.PUBLISHED, ListingStatus.REJECTED,
    ListingStatus.ARCHIVED, ListingStatus.CLOSED)


class RevisionStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    DISCARDED = "discarded"


def state_column(states: type[enum.StrEnum], name: str, default, **options) -> Any:
    """A state column stored as its code, with a CHECK constraint naming the allowed codes (``ck_<table>_<name>``);
    ``options`` go to ``mapped_column``."""
    return mapped_column(Enum(states, name=name, native_enum=False, create_constraint=True, length=16,
                              values_callable=lambda members: [m.value for m in members], validate_strings=True),
                         default=default, nullable=False, **options)


class ListingMixin:
    """Columns every listing has. ``version`` is the optimistic-locking counter and the search document version."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    #: Input fields that hold a list of ids of related records: ``{"patent_ids": ("patents", "Patent")}``.
    __id_lists__: dict[str, tuple[str, str]] = {}

    @declared_attr
    def status(cls) -> Mapped[ListingStatus]:
        return state_column(ListingStatus, "listing_status", ListingStatus.DRAFT)  # indexed with the sort columns

    @declared_attr
    def org_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organizations.id"))  # indexed as (org_id, status, published_at)

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def pending_revision(cls):
        return relationship(
            "ListingRevision", uselist=False, viewonly=True, lazy="select",
            primaryjoin=lambda: and_(foreign(ListingRevision.record_id) == cls.id,
                                     ListingRevision.kind == cls.__search_kind__,
                                     ListingRevision.status == RevisionStatus.PENDING))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    @property
    def is_public(self) -> bool:
        """Published, and its organisation not suspended (what :func:`~marketplace.records.public_listing_clause`
        selects)."""
        org = self.organization
        return self.status == PUBLISHED and not (org is not None and org.is_suspended)


class ListingRevision(db.Model):
    """Changes to a published listing, waiting for review. At most one is pending per listing."""

    __tablename__ = "listing_revisions"
    __table_args__ = (
        Index("ix_listing_revisions_record", "kind", "record_id", "status"),
        Index("uq_listing_revisions_pending", "kind", "record_id", unique=True,
              sqlite_where=db.text("status = 'pending'"), postgresql_where=db.text("status = 'pending'")),
        Index("ix_listing_revisions_queue", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)  # field → proposed value (JSON form)
    status: Mapped[RevisionStatus] = state_column(RevisionStatus, "revision_status", RevisionStatus.PENDING)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)  # the listing's version the changes were made against
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


# -- values as stored in a revision -----------------------------------------------------------------------------------

def to_json(value):
    """A loaded field value in the JSON form a revision stores."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def current_value(record, name: str):
    """The record's value of input field ``name`` (id lists as sorted ids)."""
    if name in record.__id_lists__:
        return sorted(item.id for item in getattr(record, record.__id_lists__[name][0]))
    return getattr(record, name)


def set_value(record, name: str, value) -> None:
    """Set input field ``name`` on ``record``; an id list replaces the related records."""
    if name in type(record).__id_lists__:
        relation, model_name = type(record).__id_lists__[name]
        model = db.Model.registry._class_registry[model_name]
        related = list(db.session.execute(select(model).where(model.id.in_(value or []))).scalars()) if value else []
        setattr(record, relation, related)
    else:
        setattr(record, name, value)


def from_json(model, name: str, value):
    """A revision's stored value of ``name`` in the column's Python type."""
    if value is None or name in model.__id_lists__:
        return value
    column = inspect(model).columns.get(name)
    python_type = getattr(getattr(column, "type", None), "python_type", None) if column is not None else None
    try:
        if python_type is Decimal:
            return Decimal(str(value))
        if python_type is date and isinstance(value, str):
            return date.fromisoformat(value)
    except NotImplementedError:
        pass
    return value
