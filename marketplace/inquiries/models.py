"""Inquiries (意向/洽谈): a private thread between the organisation that asks about a listing and the one that holds
it, with the responsible broker able to read and write. Lifecycle in :mod:`marketplace.workflow.deals`::

    open ──reply──▶ answered ──reply──▶ answered
      └──┴──decline (reason code + text)──▶ declined;  open/answered ──close──▶ closed
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..attachments.models import attachments_relationship
from ..extensions import db
from ..listings import state_column
from ..timeutil import utcnow


class InquiryStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the holder's first answer
    ANSWERED = "answered"  # the holder replied; the thread goes on
    DECLINED = "declined"  # the holder declined, with a reason the asker sees
    CLOSED = "closed"  # either side ended it (or it became a deal)


#: the listing kinds an inquiry may be about
SUBJECT_KINDS = ("achievement", "patent", "demand", "challenge")


class Inquiry(db.Model):
    __tablename__ = "inquiries"
    __table_args__ = (
        Index("ix_inquiries_subject", "subject_kind", "subject_id"),
        Index("ix_inquiries_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_title: Mapped[str] = mapped_column(String(200))  # as it was when asked
    asker_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    cooperation_mode: Mapped[str] = mapped_column(String(20))  # taxonomy.TRANSFER_MODES
    budget: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))  # 万元
    status: Mapped[InquiryStatus] = state_column(InquiryStatus, "inquiry_status", InquiryStatus.OPEN)
    decline_reason: Mapped[str | None] = mapped_column(String(20))  # deals.vocabularies.INQUIRY_DECLINE_REASONS
    decline_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    overdue_flagged_at: Mapped[datetime | None]  # when the broker was told it went unanswered
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    asker_org = relationship("Organization", foreign_keys=[asker_org_id])
    holder_org = relationship("Organization", foreign_keys=[holder_org_id])
    asker = relationship("User", foreign_keys=[asker_id])
    broker = relationship("User", foreign_keys=[broker_id])
    messages: Mapped[list[InquiryMessage]] = relationship(back_populates="inquiry", cascade="all, delete-orphan",
                                                          order_by="InquiryMessage.id")
    attachments = attachments_relationship("inquiry")

    __mapper_args__ = {"version_id_col": version}

    @property
    def org_id(self) -> int:
        """Files on the inquiry belong to the asking organisation."""
        return self.asker_org_id


class InquiryMessage(db.Model):
    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # None: the broker
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")
    author = relationship("User")
    author_org = relationship("Organization")
