"""The listing lifecycle shared by achievements, patents and demands.

draft → submitted → published (or rejected with a reason, back to draft) → archived; demands may also be closed.
Only published records are visible to other organisations; anything else answers 404 to them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .timeutil import utcnow

DRAFT, SUBMITTED, PUBLISHED, REJECTED, ARCHIVED, CLOSED = (
    "draft", "submitted", "published", "rejected", "archived", "closed")
EDITABLE = {DRAFT, REJECTED, PUBLISHED}


class ListingMixin:
    """Columns every listing has. ``version`` is the optimistic-locking counter and the search document version."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)  # indexed with the sort columns per table
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr
    def org_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organizations.id"))  # indexed as (org_id, status, published_at)

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    @property
    def is_public(self) -> bool:
        return self.status == PUBLISHED
