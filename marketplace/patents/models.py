"""Patents and open licence declarations (专利开放许可)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import ListingMixin
from ..timeutil import utcnow


class Patent(ListingMixin, db.Model):
    __search_kind__ = "patent"
    __tablename__ = "patents"
    __table_args__ = (
        Index("ix_patents_status_published", "status", "published_at"),
        Index("ix_patents_org_status", "org_id", "status", "published_at"),
        Index("ix_patents_published", "published_at", "org_id"),  # the conversion funnel's cohorts
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. ZL202110123456.7
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str | None] = mapped_column(Text)
    patent_type: Mapped[str] = mapped_column(String(30), default="invention_patent")
    ipc_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    applicant: Mapped[str] = mapped_column(String(200))
    legal_status: Mapped[str] = mapped_column(String(20), default="granted")
    filing_date: Mapped[date | None]
    grant_date: Mapped[date | None]
    expiry_date: Mapped[date | None]
    region: Mapped[str | None] = mapped_column(String(6))
    # What stands in the way of an open-licence declaration (Patent Law art. 50 and its rules): kept by the owner
    pledged: Mapped[bool] = mapped_column(default=False, server_default="0")  # 已质押
    pledgee_consents: Mapped[bool] = mapped_column(default=False, server_default="0")  # 质权人同意开放许可
    annual_fees_overdue: Mapped[bool] = mapped_column(default=False, server_default="0")  # 年费欠缴
    ownership_disputed: Mapped[bool] = mapped_column(default=False, server_default="0")  # 权属纠纷或保全

    organization = relationship("Organization")
    owner = relationship("User")
    achievements = relationship("Achievement", secondary="achievement_patents", back_populates="patents")
    attachments = attachments_relationship("patent")
    open_licence: Mapped[OpenLicence | None] = relationship(back_populates="patent", uselist=False,
                                                            cascade="all, delete-orphan")

    @property
    def has_open_licence(self) -> bool:
        return self.open_licence is not None and self.open_licence.active


class OpenLicence(db.Model):
    """开放许可声明: the patentee offers a licence to anyone on published terms."""

    __tablename__ = "open_licences"
    __search_parent__ = ("patent", "patent_id")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), unique=True)
    fee_terms: Mapped[str] = mapped_column(Text)  # e.g. "入门费5万元 + 销售额2%提成"
    annual_fee: Mapped[float | None] = mapped_column(Numeric(14, 2))  # 万元/年, optional summary figure
    term_years: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(Text)  # field of use, territory, exclusivity
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    patent: Mapped[Patent] = relationship(back_populates="open_licence")
