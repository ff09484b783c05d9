"""技术需求 (technology demands posted by enterprises)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import ListingMixin


class Demand(ListingMixin, db.Model):
    __search_kind__ = "demand"
    __tablename__ = "demands"
    __table_args__ = (
        Index("ix_demands_status_published", "status", "published_at"),
        Index("ix_demands_org_status", "org_id", "status", "published_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    indicators: Mapped[str | None] = mapped_column(Text)  # technical indicators to reach
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    industry: Mapped[str] = mapped_column(String(30), index=True)
    technical_field: Mapped[str | None] = mapped_column(String(30), index=True)
    budget_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    budget_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    deadline: Mapped[date | None]
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    cooperation_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    trl_min: Mapped[int | None] = mapped_column(Integer)  # lowest readiness the company can take on

    organization = relationship("Organization")
    owner = relationship("User")
    attachments = attachments_relationship("demand")
