"""A broker's curation of one demand ↔ achievement/patent pair (pin, dismiss, recommend); the encoder's vector of
a public record (:mod:`.semantic`)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

TARGET_KINDS = ("achievement", "patent")


class Match(db.Model):
    """A demand ↔ candidate pair a broker acted on. Rows exist only for curated pairs: the ranked list itself is
    computed from the search engine on every request; pinned rows come first, dismissed rows are hidden."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("demand_id", "target_kind", "target_id", name="uq_matches_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))  # achievement | patent
    target_id: Mapped[int] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(default=False)
    dismissed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    # score and explanation as they were when the broker acted (the live ranking may change later)
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    recommended_at: Mapped[datetime | None]
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    demand = relationship("Demand")


class SemanticVector(db.Model):
    """The sentence encoder's vector of one public record's text (:func:`.semantic.passage_text`): float16, with the
    hash of the text it was made from. No foreign key: three kinds share the table."""

    __tablename__ = "semantic_vectors"
    __table_args__ = (Index("ix_semantic_vectors_kind_updated_at", "kind", "updated_at"),)  # :mod:`.dense`'s reads

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # achievement | patent | demand
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(40))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
