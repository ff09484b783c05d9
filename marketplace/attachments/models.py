"""Files attached to records of any kind that carries them (see ``attachments`` in :mod:`marketplace.kinds`);
stored outside the web root under generated names.

An attachment names its owner by kind and id (``owner_kind``, ``owner_id``) rather than by one foreign key per
table, so new kinds of records can carry files without a schema change. There is no database foreign key: the
owner's relationship (:func:`attachments_relationship`) deletes the rows with the owner.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, and_
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(30))  # a kind name from marketplace.kinds, e.g. "achievement"
    owner_id: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def attachments_relationship(kind_name: str):
    """The ``attachments`` of a model whose records are of kind ``kind_name``: its files in upload order, deleted
    with it (``attachments = attachments_relationship("patent")`` in the class body).

    A declared attribute, so the join can name the owner class without this module importing the listing models.
    New attachments are appended to the collection (which sets ``owner_id``) with ``owner_kind`` already set.
    """

    def attachments(cls):
        return relationship(
            Attachment,
            primaryjoin=lambda: and_(Attachment.owner_kind == kind_name, foreign(Attachment.owner_id) == cls.id),
            order_by=Attachment.id, cascade="all, delete-orphan",
            # Every kind's relationship writes owner_id, each for rows of its own owner_kind only.
            overlaps="attachments")

    return declared_attr(attachments)
