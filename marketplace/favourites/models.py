"""A favourite: one user's bookmark of one listing (by kind and id; a listing that is no longer public stays in the
list, shown as 已下架 without its content)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Favourite(db.Model):
    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "kind", "record_id", name="uq_favourites_once"),
                      Index("ix_favourites_user_created", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # a listing kind: marketplace.kinds.LISTING_KINDS
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
