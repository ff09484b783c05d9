"""科技成果 (achievements)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import ListingMixin

achievement_patents = Table(
    "achievement_patents",
    db.metadata,
    Column("achievement_id", ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True),
)


_FILTER_COLUMNS = ("technical_field", "trl", "price_amount", "region", "ip_type", "org_id")


def _browse_indexes() -> list[Index]:
    indexes = []
    for name, leading in (("published", "published_at"), ("trl", "trl"), ("price", "price_amount"),
                          ("field", "technical_field"), ("region", "region")):
        rest = [c for c in ("published_at", "id", *_FILTER_COLUMNS) if c != leading]
        indexes.append(Index(f"ix_achievements_status_{name}", "status", leading, *rest))
    return indexes


class Achievement(ListingMixin, db.Model):
    __search_kind__ = "achievement"
    __tablename__ = "achievements"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id", name="uq_achievements_org_external"),
        # The public lists filter on status and sort by one of these columns (newest first by default). Each index
        # also carries the other filter columns, so any combination of list filters is evaluated inside the index
        # whichever one the planner picks (a fresh install has no statistics).
        *_browse_indexes(),
        Index("ix_achievements_org_status", "org_id", "status", "published_at"),
        Index("ix_achievements_quality", "quality_year", "status"),
        # the conversion funnel's cohorts (published in a period, whatever their status now), with the columns of
        # its filters: a cohort is counted and listed from the index alone
        Index("ix_achievements_published", "published_at", "org_id", "technical_field"),
    )

    external_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    technical_field: Mapped[str] = mapped_column(String(30))
    discipline: Mapped[str | None] = mapped_column(String(60))  # 门类/学科 from imports, e.g. "工学/材料科学与工程"
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    trl: Mapped[int | None] = mapped_column(Integer)
    ip_type: Mapped[str | None] = mapped_column(String(30))
    transfer_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    price_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元; None = 面议 (negotiable)
    benefits: Mapped[str | None] = mapped_column(Text)  # advantages versus the incumbent solution
    team: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(6))
    contact: Mapped[str | None] = mapped_column(String(200))
    quality_year: Mapped[int | None] = mapped_column(Integer)  # 年度优质成果 list it belongs to
    quality_marked_at: Mapped[datetime | None]

    organization = relationship("Organization")
    owner = relationship("User")
    __id_lists__ = {"patent_ids": ("patents", "Patent")}

    patents = relationship("Patent", secondary=achievement_patents, back_populates="achievements")
    attachments = attachments_relationship("achievement")

    @property
    def negotiable(self) -> bool:
        return self.price_amount is None
