"""Setting up awarded 揭榜挂帅 challenges for the delivery tests: applications and reviews are created as rows and
moved with the declared transitions (APPLICATION.submit, REVIEW.score); the award goes through the service."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from marketplace.challenges import delivery, experts, services
from marketplace.challenges.models import ChallengeApplication, ChallengeReview
from marketplace.extensions import db
from marketplace.workflow.challenges import APPLICATION, REVIEW
from tests import factories as f
from tests.challenges.helpers import published_challenge


@dataclass
class Setup:
    issuer: object
    broker: object
    challenge: object
    teams: list = field(default_factory=list)  # the team users (one per application)
    applications: list = field(default_factory=list)


def apply_and_review(challenge, team_user, reviewer) -> ChallengeApplication:
    application = ChallengeApplication(challenge=challenge, org_id=team_user.org_id, owner_id=team_user.id,
                                       proposal="技术方案", technical_route="路线")
    db.session.add(application)
    db.session.flush()
    APPLICATION.apply(team_user, application, "submit")
    return application


def score_all(challenge, reviewer) -> None:
    for application in challenge.applications:
        review = ChallengeReview(application=application, reviewer_id=reviewer.id)
        db.session.add(review)
        db.session.flush()
        review.scores = {"技术先进性": 80}
        REVIEW.apply(reviewer, review, "score")


def awarded(teams: int = 1, **overrides) -> Setup:
    """A published challenge with ``teams`` applications, all reviewed and all awarded."""
    issuer = f.user(f.organization("enterprise"))
    broker = f.broker()
    if teams > 1:
        overrides.setdefault("funding_mode", "horse_race")
        overrides.setdefault("max_winners", teams)
    challenge = published_challenge(issuer, broker, **overrides)
    setup = Setup(issuer, broker, challenge)
    reviewer = f.user(f.organization("institute"))
    experts.set_expert_profile(broker, reviewer, {"fields": [challenge.technical_field], "active": True})
    for _ in range(teams):
        team = f.user(f.organization("university"))
        setup.teams.append(team)
        setup.applications.append(apply_and_review(challenge, team, reviewer))
    services.close_applications(issuer, challenge)
    score_all(challenge, reviewer)
    services.award(issuer, challenge, [a.id for a in setup.applications])
    db.session.flush()
    return setup


def day(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def agreement_data(funding="100", tranches=("60", "40"), dues=(60, 200), **overrides) -> dict:
    data = {"funding": funding, "pledge": "按期完成全部技术指标；未完成的，退回未使用的资金并承担违约责任。",
            "milestones": [{"deliverable": f"第{i + 1}阶段成果", "due_on": day(d), "tranche": t,
                            "criteria": "第三方检测报告", "indicator_refs": [0], "checkpoint": i == 0}
                           for i, (t, d) in enumerate(zip(tranches, dues))]}
    data.update(overrides)
    return data


def signed(setup: Setup, data_for=None) -> None:
    """Draft and sign every winner's agreement, then start delivery."""
    for index, application in enumerate(setup.applications):
        data = data_for(index) if data_for else agreement_data()
        agreement = delivery.draft_agreement(setup.issuer, application, data)
        delivery.sign_agreement(setup.issuer, agreement, date.today(), date.today())
    services.start_delivery(setup.issuer, setup.challenge)
    db.session.flush()
