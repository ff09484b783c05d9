"""Unanswered inquiries: one still open (the holder never replied) ``INQUIRY_OVERDUE_DAYS`` days (default 5) after it
was sent is overdue. A pass flags each once (the INQUIRY lifecycle's ``flag_overdue``, as the platform) and tells the
responsible broker (:mod:`.notifications`), so that someone follows up.

It runs from ``flask inquiries flag-overdue`` (a cron job) and, at most every ``INQUIRY_OVERDUE_INTERVAL`` seconds
(default 3600; 0 turns it off), on the search drain loops' tick, like the overdue challenge milestones."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context

from ..extensions import db
from ..indexing.worker import on_tick_every
from ..timeutil import utcnow
from ..workflow import SYSTEM
from ..workflow.deals import INQUIRY
from . import notifications  # noqa: F401  (connects the receiver that tells the broker)
from .models import Inquiry, InquiryStatus

DEFAULT_DAYS = 5
DEFAULT_INTERVAL = 3600
BATCH = 500


def overdue_days() -> int:
    if not has_app_context():
        return DEFAULT_DAYS
    return int(current_app.config.get("INQUIRY_OVERDUE_DAYS", DEFAULT_DAYS) or DEFAULT_DAYS)


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """Inquiries sent before this moment and still open are overdue."""
    return (now or utcnow()) - timedelta(days=overdue_days())


def is_overdue(inquiry: Inquiry, now: datetime | None = None) -> bool:
    """Still waiting for the holder's first answer, flagged or older than the allowed days."""
    if str(inquiry.status) != InquiryStatus.OPEN:
        return False
    return inquiry.overdue_flagged_at is not None or inquiry.created_at <= overdue_cutoff(now)


def overdue_condition(now: datetime | None = None):
    """The SQL of :func:`is_overdue`."""
    return db.and_(Inquiry.status == InquiryStatus.OPEN,
                   db.or_(Inquiry.overdue_flagged_at.is_not(None), Inquiry.created_at <= overdue_cutoff(now)))


@on_tick_every("INQUIRY_OVERDUE_INTERVAL", DEFAULT_INTERVAL, "inquiries: %s unanswered inquiries flagged to their brokers")
def flag_overdue(now: datetime | None = None) -> int:
    """Flag the open inquiries older than the allowed days that are not flagged yet, once each (the broker is told
    by the ``transitioned`` receiver); returns how many. The caller commits."""
    query = (db.select(Inquiry)
             .where(Inquiry.status == InquiryStatus.OPEN, Inquiry.overdue_flagged_at.is_(None),
                    Inquiry.created_at <= overdue_cutoff(now))
             .order_by(Inquiry.created_at, Inquiry.id).limit(BATCH))
    flagged = 0
    for inquiry in db.session.execute(query).scalars().all():
        INQUIRY.apply(SYSTEM, inquiry, "flag_overdue", days=overdue_days())
        flagged += 1
    return flagged

