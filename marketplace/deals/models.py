"""Deals recorded as technology contracts (技术合同), ready for 技术合同认定登记; the broker pipeline (opportunities);
patent licences (incl. those taken in one step under an open licence); idempotency keys for creating deals.

Amounts are exact decimals in 万元 with 4 places (¥100 precision), never floats. Lifecycles (registration status,
opportunity stages, licences) are declared in :mod:`marketplace.workflow.deals`.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Column, ForeignKey, Index, Integer, Numeric, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import state_column
from ..timeutil import utcnow

Money = Numeric(16, 4)  # 万元


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # 待登记
    REGISTERED = "registered"  # 已登记 (登记编号, date)
    REFUSED = "refused"  # 不予登记 (reason)


class OpportunityStage(enum.StrEnum):
    LEAD = "lead"  # 线索
    NEGOTIATION = "negotiation"  # 洽谈
    SIGNED = "signed"  # 签约
    REGISTERED = "registered"  # 登记
    IN_PERFORMANCE = "in_performance"  # 履约
    WON = "won"  # closed: the contract was performed
    LOST = "lost"  # closed without a deal (reason)


class LicenceStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # term over or terminated


# each with the listing's side indexed too: a listing's contracts (the conversion funnel) without a scan
deal_achievements = Table(
    "deal_achievements", db.metadata,
    Column("deal_id", ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("achievement_id", ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_deal_achievements_achievement", "achievement_id", "deal_id"),
)
deal_patents = Table(
    "deal_patents", db.metadata,
    Column("deal_id", ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patents.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_deal_patents_patent", "patent_id", "deal_id"),
)


class Deal(db.Model):
    """One technology contract: the registration form's fields, the parties, payments received and rewards."""

    __tablename__ = "deals"
    __table_args__ = (
        Index("ix_deals_signed_on", "signed_on"),
        Index("ix_deals_type_signed", "contract_type", "signed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # an imported record's own id
    registration_number: Mapped[str | None] = mapped_column(String(16), unique=True)  # 合同登记编号, 16 digits
    name: Mapped[str] = mapped_column(String(200))  # 合同名称 / 项目名称
    contract_type: Mapped[str] = mapped_column(String(20))  # vocabularies.CONTRACT_TYPES
    contract_subtype: Mapped[str] = mapped_column(String(30))  # vocabularies.CONTRACT_SUBTYPES[contract_type]
    equity_investment: Mapped[bool] = mapped_column(default=False)  # 技术入股/作价投资 (registered as 技术转让)
    total_amount: Mapped[Decimal] = mapped_column(Money)  # 合同成交额, 万元
    technical_amount: Mapped[Decimal] = mapped_column(Money)  # 技术交易额 ≤ 成交额
    payment_method: Mapped[str] = mapped_column(String(20))  # vocabularies.PAYMENT_METHODS
    related_party: Mapped[bool] = mapped_column(default=False)  # 关联交易
    signed_on: Mapped[date]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    plan_source: Mapped[str] = mapped_column(String(20), default="none")
    ip_type: Mapped[str] = mapped_column(String(30), default="none")
    technical_field: Mapped[str] = mapped_column(String(30))  # vocabularies.CONTRACT_FIELDS (11 national)
    socio_economic_goal: Mapped[str | None] = mapped_column(String(10))  # GB/T 24450 code, optional
    registration_status: Mapped[RegistrationStatus] = state_column(RegistrationStatus, "registration_status",
                                                                   RegistrationStatus.PENDING)
    registration_reason: Mapped[str | None] = mapped_column(Text)  # why 不予登记
    registered_on: Mapped[date | None]
    # 成交公示: shown publicly (limited fields) only when both parties consent
    seller_consents_to_publish: Mapped[bool] = mapped_column(default=False)
    buyer_consents_to_publish: Mapped[bool] = mapped_column(default=False)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="SET NULL"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id", ondelete="SET NULL"))
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    agency_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # the broker's agency
    #: a 技术中介 contract names the contract it brokered
    underlying_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    parties: Mapped[list[DealParty]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                    order_by="DealParty.id")
    payments: Mapped[list[DealPayment]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                       order_by="DealPayment.received_on")
    rewards: Mapped[list[DealReward]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                     order_by="DealReward.id")
    achievements = relationship("Achievement", secondary=deal_achievements)
    patents = relationship("Patent", secondary=deal_patents)
    inquiry = relationship("Inquiry")
    demand = relationship("Demand")
    challenge = relationship("Challenge")
    broker = relationship("User", foreign_keys=[broker_id])
    agency = relationship("Organization", foreign_keys=[agency_org_id])
    underlying_deal = relationship("Deal", remote_side=[id])
    attachments = attachments_relationship("deal")

    __mapper_args__ = {"version_id_col": version}

    def party(self, role: str) -> DealParty | None:
        return next((party for party in self.parties if party.role == role), None)

    @property
    def seller(self) -> DealParty | None:
        return self.party("seller")

    @property
    def buyer(self) -> DealParty | None:
        return self.party("buyer")

    @property
    def party_org_ids(self) -> set[int]:
        return {party.org_id for party in self.parties if party.org_id is not None}

    @property
    def org_id(self) -> int | None:
        """Files on the deal belong to the seller (the side that registers it)."""
        seller = self.seller
        return seller.org_id if seller else None

    @property
    def received_amount(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal("0"))


class DealParty(db.Model):
    """A contract party as the registration form records it, pre-filled from its organisation."""

    __tablename__ = "deal_parties"
    __table_args__ = (Index("ix_deal_parties_org_role", "org_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # vocabularies.PARTY_ROLES
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # None: not on the platform
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码 (none for natural persons)
    nature: Mapped[str] = mapped_column(String(3))  # vocabularies.PARTY_NATURES
    country: Mapped[str] = mapped_column(String(3), default="156")  # 国别代码
    region: Mapped[str | None] = mapped_column(String(6))  # 行政区划代码 (GB/T 2260), for parties in China
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # vocabularies.PARTY_FLAGS
    enterprise_size: Mapped[str | None] = mapped_column(String(10))
    industry: Mapped[str | None] = mapped_column(String(10))  # 国民经济行业 code (GB/T 4754), optional
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    postcode: Mapped[str | None] = mapped_column(String(6))

    deal: Mapped[Deal] = relationship(back_populates="parties")
    organization = relationship("Organization")


class DealPayment(db.Model):
    """Money received under the contract (the basis of 当年到账金额)."""

    __tablename__ = "deal_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(200))

    deal: Mapped[Deal] = relationship(back_populates="payments")


class DealReward(db.Model):
    """Rewards to individuals (奖励给个人) for the annual conversion report: cash or equity."""

    __tablename__ = "deal_rewards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(10))  # vocabularies.REWARD_FORMS
    amount: Mapped[Decimal] = mapped_column(Money)
    persons: Mapped[int] = mapped_column(Integer)
    awarded_on: Mapped[date | None]

    deal: Mapped[Deal] = relationship(back_populates="rewards")


class Opportunity(db.Model):
    """A deal in the making, on a broker's board: 线索 → 洽谈 → 签约 → 登记 → 履约 → 成交 / 未成交."""

    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_broker_stage", "broker_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))  # vocabularies.OPPORTUNITY_SOURCES
    stage: Mapped[OpportunityStage] = state_column(OpportunityStage, "opportunity_stage", OpportunityStage.LEAD)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="SET NULL"), index=True)
    achievement_id: Mapped[int | None] = mapped_column(ForeignKey("achievements.id", ondelete="SET NULL"))
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id", ondelete="SET NULL"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id", ondelete="SET NULL"))
    seller_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    buyer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # attribution
    agency_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    expected_amount: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str | None] = mapped_column(Text)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    negotiation_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    performance_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    inquiry = relationship("Inquiry")
    achievement = relationship("Achievement")
    patent = relationship("Patent")
    demand = relationship("Demand")
    challenge = relationship("Challenge")
    seller_org = relationship("Organization", foreign_keys=[seller_org_id])
    buyer_org = relationship("Organization", foreign_keys=[buyer_org_id])
    agency = relationship("Organization", foreign_keys=[agency_org_id])
    broker = relationship("User", foreign_keys=[broker_id])
    deal = relationship("Deal")

    __mapper_args__ = {"version_id_col": version}

    @property
    def party_org_ids(self) -> set[int]:
        return {org_id for org_id in (self.seller_org_id, self.buyer_org_id) if org_id is not None}


class PatentLicence(db.Model):
    """A licence granted under a patent: taken in one step under its open licence (普通许可), or recorded from a
    contract (exclusive 独占 / sole 排他 licences block an open-licence declaration while in force)."""

    __tablename__ = "patent_licences"
    __table_args__ = (Index("ix_patent_licences_patent_status", "patent_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    licensee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    licensee_name: Mapped[str] = mapped_column(String(200))
    licensee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who confirmed
    scope: Mapped[str] = mapped_column(String(20), default="ordinary")  # ordinary / sole (排他) / exclusive (独占)
    via_open_licence: Mapped[bool] = mapped_column(default=False)
    fee_terms: Mapped[str] = mapped_column(Text)  # as announced when it was taken
    annual_fee: Mapped[Decimal | None] = mapped_column(Money)
    starts_on: Mapped[date]
    term_years: Mapped[int] = mapped_column(Integer)
    ends_on: Mapped[date]
    terms_confirmed_at: Mapped[datetime | None]  # the written notice (Patent Law art. 51)
    status: Mapped[LicenceStatus] = state_column(LicenceStatus, "licence_status", LicenceStatus.ACTIVE)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    patent = relationship("Patent")
    licensee_org = relationship("Organization")
    deal = relationship("Deal")

    __mapper_args__ = {"version_id_col": version}


class IdempotencyKey(db.Model):
    """A create request's ``Idempotency-Key``: the record it made, so a repeat returns it instead of a second one."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key", name="uq_idempotency_keys_user_scope_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(40))  # e.g. "deal.create"
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request body: same key, other body → 422
    record_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    extra: Mapped[dict | None] = mapped_column(JSON)
