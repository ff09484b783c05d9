"""揭榜挂帅 challenges: the 榜单 (a listing with its own execution), applications (揭榜), reviews (评审), agreements
(签约/军令状) and milestones (里程碑, incl. 赛马 checkpoints).

A challenge has two lifecycles kept apart (declared in :mod:`marketplace.workflow.challenges`): its publication
(``status``: draft → submitted → published, like every listing) and its execution (``stage``: open → reviewing →
awarded → in_delivery → accepted / failed / terminated; cancelled and unsuccessful 揭榜不成 with a reason).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import ListingMixin, state_column
from ..timeutil import utcnow


class ChallengeStage(enum.StrEnum):
    OPEN = "open"  # accepting applications (once published)
    REVIEWING = "reviewing"  # applications closed, 评审
    AWARDED = "awarded"  # winners chosen; agreements being signed
    IN_DELIVERY = "in_delivery"  # 实施: milestones
    ACCEPTED = "accepted"  # 验收通过
    FAILED = "failed"  # 验收不通过
    TERMINATED = "terminated"  # stopped during delivery
    CANCELLED = "cancelled"  # withdrawn by the issuer before an award
    UNSUCCESSFUL = "unsuccessful"  # 揭榜不成: no application good enough


class FundingMode(enum.StrEnum):
    AWARD = "award"  # 揭榜奖励: one-off award on acceptance
    MILESTONE = "milestone"  # 里程碑式
    HORSE_RACE = "horse_race"  # 赛马: 2–3 teams in parallel, eliminated at checkpoints
    POST_HOC = "post_hoc"  # 事后资助


class ApplicationStatus(enum.StrEnum):
    INTERESTED = "interested"  # registered interest, accepted the terms
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    NOT_SELECTED = "not_selected"
    ELIMINATED = "eliminated"  # 赛马: dropped at a checkpoint


class ReviewStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"
    RECUSED = "recused"


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # the team was eliminated or the challenge stopped


class Challenge(ListingMixin, db.Model):
    """揭榜挂帅榜单. Amounts in 万元."""

    __search_kind__ = "challenge"
    __tablename__ = "challenges"
    __table_args__ = (
        Index("ix_challenges_status_published", "status", "published_at", "id"),
        Index("ix_challenges_status_deadline", "status", "stage", "application_deadline"),
        Index("ix_challenges_org_status", "org_id", "status", "published_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    background: Mapped[str | None] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # metric, target, unit, verification
    technical_field: Mapped[str] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(30))
    reward_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 榜额
    cofunding_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # issuer's co-funding, % of the budget
    funding_mode: Mapped[str] = mapped_column(String(16), default=FundingMode.AWARD)
    max_winners: Mapped[int] = mapped_column(Integer, default=1)  # 1; 2–3 under 赛马
    application_deadline: Mapped[date]
    completion_deadline: Mapped[date]
    eligible_org_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = any
    eligible_regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # province codes; empty = any
    consortium: Mapped[str] = mapped_column(String(12), default="allowed")  # not_allowed | allowed | required
    ip_terms: Mapped[str | None] = mapped_column(Text)
    confidentiality: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(6))

    stage: Mapped[ChallengeStage] = state_column(ChallengeStage, "challenge_stage", ChallengeStage.OPEN)
    stage_reason: Mapped[str | None] = mapped_column(Text)  # cancellation, 揭榜不成, failure or termination
    stage_changed_at: Mapped[datetime | None]
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # name, weight, min, max, comments
    defence_at: Mapped[datetime | None]  # 答辩
    defence_place: Mapped[str | None] = mapped_column(String(200))
    extended_to: Mapped[date | None]  # the one extension of the completion deadline
    extension_reason: Mapped[str | None] = mapped_column(Text)
    acceptance: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # per indicator: met, measured, evidence
    reward_paid: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    organization = relationship("Organization")
    owner = relationship("User")
    applications: Mapped[list[ChallengeApplication]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan", order_by="ChallengeApplication.id")
    attachments = attachments_relationship("challenge")

    @property
    def effective_completion_deadline(self) -> date:
        return self.extended_to or self.completion_deadline


class ChallengeApplication(db.Model):
    """揭榜申请: a lead organisation, alone or for a consortium (创新联合体)."""

    __tablename__ = "challenge_applications"
    __table_args__ = (
        UniqueConstraint("challenge_id", "org_id", name="uq_challenge_applications_challenge_org"),
        Index("ix_challenge_applications_org", "org_id", "status"),
        Index("ix_challenge_applications_challenge_status", "challenge_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))  # the lead
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ApplicationStatus] = state_column(ApplicationStatus, "application_status",
                                                     ApplicationStatus.INTERESTED)
    terms_accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    consortium: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # org_id, role
    consortium_org_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # for visibility checks
    proposal: Mapped[str | None] = mapped_column(Text)
    technical_route: Mapped[str | None] = mapped_column(Text)
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # name, title, role
    achievement_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # prior results
    patent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    proposed_milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # deliverable, due, amount
    submitted_at: Mapped[datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))  # weighted mean of the completed reviews
    rank: Mapped[int | None] = mapped_column(Integer)
    result_reason: Mapped[str | None] = mapped_column(Text)  # why: shown to the applicant with the scores
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    challenge: Mapped[Challenge] = relationship(back_populates="applications")
    organization = relationship("Organization")
    reviews: Mapped[list[ChallengeReview]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                          order_by="ChallengeReview.id")
    agreement: Mapped[ChallengeAgreement | None] = relationship(back_populates="application", uselist=False,
                                                                cascade="all, delete-orphan")
    attachments = attachments_relationship("challenge_application")

    __mapper_args__ = {"version_id_col": version}


class ChallengeReview(db.Model):
    """One reviewer's assignment to one application: scores per rubric criterion, or a recusal with its reason."""

    __tablename__ = "challenge_reviews"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_challenge_reviews_application_reviewer"),
        Index("ix_challenge_reviews_reviewer", "reviewer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_applications.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ReviewStatus] = state_column(ReviewStatus, "review_status", ReviewStatus.ASSIGNED)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion → score
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion → comment
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    application: Mapped[ChallengeApplication] = relationship(back_populates="reviews")
    reviewer = relationship("User")

    __mapper_args__ = {"version_id_col": version}


class ChallengeAgreement(db.Model):
    """签约 / 军令状 with one awarded team: the pledge, both signatures and the funded milestones."""

    __tablename__ = "challenge_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_applications.id", ondelete="CASCADE"),
                                                unique=True)
    status: Mapped[AgreementStatus] = state_column(AgreementStatus, "agreement_status", AgreementStatus.DRAFT)
    funding: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 万元; the tranches sum to it
    pledge: Mapped[str] = mapped_column(Text)  # commitments and consequences
    issuer_signed_on: Mapped[date | None]
    team_signed_on: Mapped[date | None]
    first_tranche_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # % of the funding
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    application: Mapped[ChallengeApplication] = relationship(back_populates="agreement")
    milestones: Mapped[list[ChallengeMilestone]] = relationship(back_populates="agreement",
                                                                cascade="all, delete-orphan",
                                                                order_by="ChallengeMilestone.seq")

    __mapper_args__ = {"version_id_col": version}


class ChallengeMilestone(db.Model):
    """里程碑: a deliverable with its due date, tranche and acceptance criteria; 赛马 checkpoints are milestones
    where the teams are compared."""

    __tablename__ = "challenge_milestones"
    __table_args__ = (Index("ix_challenge_milestones_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("challenge_agreements.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    deliverable: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    tranche: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    criteria: Mapped[str | None] = mapped_column(Text)  # acceptance criteria, tied to the indicators
    indicator_refs: Mapped[list[int]] = mapped_column(JSON, default=list)  # indexes into challenge.indicators
    checkpoint: Mapped[bool] = mapped_column(default=False)  # 赛马 checkpoint
    status: Mapped[MilestoneStatus] = state_column(MilestoneStatus, "milestone_status", MilestoneStatus.PLANNED)
    evidence: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date | None]
    overdue_notified_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    agreement: Mapped[ChallengeAgreement] = relationship(back_populates="milestones")
    attachments = attachments_relationship("challenge_milestone")

    __mapper_args__ = {"version_id_col": version}


class ExpertProfile(db.Model):
    """评审专家库: a user's expert profile. Only an active profile makes the user assignable as a reviewer; the
    organisation the expert states counts for recusal as well as their membership organisation."""

    __tablename__ = "expert_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str | None] = mapped_column(String(50))  # 职称
    organisation: Mapped[str | None] = mapped_column(String(200))  # as the expert states it
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # taxonomy.TECHNICAL_FIELDS codes
    expertise: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    user = relationship("User")

    __mapper_args__ = {"version_id_col": version}
