"""Subscriptions (saved searches and followed demands) and in-app notifications."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

SEARCH, DEMAND = "search", "demand"  # subscription kinds

# Notification.email_state: None = no e-mail wanted; the mail queue (alerts/delivery.py) moves "queued" rows to
# "sent" (handed to the SMTP server), "logged" (no MAIL_SERVER: written to the log), "skipped" (the user has
# no address or is inactive) or "failed" (gave up after MAIL_MAX_ATTEMPTS tries or a permanent refusal).
MAIL_QUEUED, MAIL_SENT, MAIL_LOGGED, MAIL_SKIPPED, MAIL_FAILED = "queued", "sent", "logged", "skipped", "failed"
# Notification.category of account e-mails (password reset, address verification: marketplace.accounts.mail): they
# travel through the mail queue but are never listed in-app (their links must only reach the mailbox).
ACCOUNT_MAIL = "account"


class Subscription(db.Model):
    """A user's standing interest: a saved search (``query_text`` + ``filters`` over ``search_kind``: achievements
    or challenges) or a followed demand (new achievements that match it). Saved searches are registered with the
    engine's percolator of their kind by id."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # search | demand
    # what a saved search watches: the search kind of its query and filters (achievement | challenge); followed
    # demands watch achievements
    search_kind: Mapped[str] = mapped_column(String(20), default="achievement", server_default="achievement")
    name: Mapped[str] = mapped_column(String(200))
    query_text: Mapped[str | None] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    email: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_notified_at: Mapped[datetime | None]

    user = relationship("User")
    demand = relationship("Demand")


class Notification(db.Model):
    """One message for one user. ``subject_*`` names the record it is about; with ``subscription_id`` it makes
    an alert unique, so re-indexing a record never notifies twice. ``email_*`` is the row's place in the mail
    queue: marked "queued" in the transaction that creates the notification, delivered later by a sender."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "category", "subscription_id", "subject_type", "subject_id",
                                       name="uq_notifications_once"),
                      Index("ix_notifications_email_queue", "email_state", "email_next_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))  # alert | recommendation | system
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(index=True)
    emailed_at: Mapped[datetime | None]
    email_state: Mapped[str | None] = mapped_column(String(10))  # see MAIL_* above
    email_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    email_next_at: Mapped[datetime | None]  # queued: due at (a claimed row: when its claim runs out)
    email_error: Mapped[str | None] = mapped_column(Text)  # the last failure

    user = relationship("User")
