"""Overdue milestones: a pass that flags every milestone past its due date without accepted evidence (planned or
returned) once, and tells the team and the issuer (in-app, and queued for e-mail).

It runs from ``flask challenges flag-overdue`` (a cron job) and, at most every ``CHALLENGE_OVERDUE_INTERVAL``
seconds (default 3600; 0 turns it off), on the drain loops' tick, like the mail sender."""
from __future__ import annotations

from datetime import date

from ..alerts.messages import N_, Message
from ..alerts.services import notify_members
from ..extensions import db
from ..indexing.worker import on_tick_every
from ..timeutil import utcnow
from .models import (ApplicationStatus, ChallengeAgreement, ChallengeApplication, ChallengeMilestone,
                     ChallengeStage, MilestoneStatus)

DEFAULT_INTERVAL = 3600
BATCH = 500
OVERDUE = N_("里程碑逾期：%(title)s · 第 %(seq)s 个里程碑")
OVERDUE_DETAIL = N_("里程碑「%(deliverable)s」应于 %(due_on)s 完成，已逾期 %(late)s 天，尚未提交通过的材料。"
                    "请承担单位尽快提交，发榜单位跟进。")


def overdue_query(today: date):
    """Milestones of teams in delivery, due before ``today``, still planned or returned and not yet notified."""
    from .models import Challenge

    return (db.select(ChallengeMilestone)
            .join(ChallengeAgreement, ChallengeMilestone.agreement_id == ChallengeAgreement.id)
            .join(ChallengeApplication, ChallengeAgreement.application_id == ChallengeApplication.id)
            .join(Challenge, ChallengeApplication.challenge_id == Challenge.id)
            .where(ChallengeMilestone.status.in_([MilestoneStatus.PLANNED, MilestoneStatus.RETURNED]),
                   ChallengeMilestone.due_on < today, ChallengeMilestone.overdue_notified_at.is_(None),
                   ChallengeApplication.status == ApplicationStatus.AWARDED,
                   Challenge.stage == ChallengeStage.IN_DELIVERY)
            .order_by(ChallengeMilestone.due_on, ChallengeMilestone.id))


@on_tick_every("CHALLENGE_OVERDUE_INTERVAL", DEFAULT_INTERVAL, "challenges: %s overdue milestones flagged and notified")
def flag_overdue(today: date | None = None) -> int:
    """Flag and notify the overdue milestones once (idempotent); returns how many were flagged. The caller
    commits."""
    today = today or date.today()
    flagged = 0
    for milestone in db.session.execute(overdue_query(today).limit(BATCH)).scalars().all():
        application = milestone.agreement.application
        challenge = application.challenge
        milestone.overdue_notified_at = utcnow()
        late = (today - milestone.due_on).days
        title = Message(OVERDUE, title=challenge.title, seq=milestone.seq)
        body = Message(OVERDUE_DETAIL, deliverable=milestone.deliverable[:100], due_on=milestone.due_on.isoformat(),
                       late=late)
        notify_members([application.org_id, *(application.consortium_org_ids or []), challenge.org_id], title,
                       category="challenge", body=body, subject=("challenge_milestone", milestone.id))
        flagged += 1
    return flagged

