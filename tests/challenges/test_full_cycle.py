"""One 揭榜挂帅 challenge through every stage, through the services only: 发榜 → review and publication → 揭榜
(register, submit) → 评审 (rubric, reviewers, scores, ranking) → award → 签约 → delivery → milestones accepted and
paid → 验收 passed; the audit trail records each step."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketplace.audit.models import AuditEvent
from marketplace.challenges import applications as apps
from marketplace.challenges import delivery, reviews, services
from marketplace.challenges import experts as expert_profiles
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.delivery_helpers import agreement_data
from tests.challenges.helpers import published_challenge

PROPOSAL = {"proposal": "硫化物固态电解质体系，界面修饰层抑制锂枝晶。", "technical_route": "材料筛选 → 小试 → 中试 → 电芯验证"}
RUBRIC = {"criteria": [{"name": "技术先进性", "weight": "60", "min": 0, "max": 100},
                       {"name": "团队能力", "weight": "40", "min": 1, "max": 10}]}


def test_a_challenge_from_publication_to_acceptance(ctx):
    issuer = f.user(f.organization("enterprise"))
    broker = f.broker()
    challenge = published_challenge(issuer, broker)  # 发榜 → 审核 → 发布
    assert challenge.status == "published" and challenge.stage == "open"

    leads = [f.user(f.organization("university")), f.user(f.organization("institute"))]
    applications = []
    for lead in leads:  # 揭榜: register interest (accepting the terms), then submit
        application = apps.register_interest(lead, challenge)
        apps.update_application(lead, application, PROPOSAL)
        apps.submit_application(lead, application)
        applications.append(application)
    reviews.set_rubric(broker, challenge, RUBRIC)
    services.close_applications(issuer, challenge)
    assert challenge.stage == "reviewing"

    experts = [f.user(f.organization("institute")), f.user(f.organization("institute"))]
    for expert in experts:  # 评审专家库
        expert_profiles.set_expert_profile(broker, expert, {"fields": [challenge.technical_field], "active": True})
    for application, marks in zip(applications, ((90, 9), (70, 6))):  # 评审
        for expert in experts:
            review = reviews.assign_reviewer(broker, application, expert)
            reviews.submit_review(expert, review, {"技术先进性": marks[0], "团队能力": marks[1]})
    ranked = reviews.rank(challenge, issuer)
    assert ranked[0] is applications[0] and applications[0].rank == 1
    winner, runner_up = applications
    services.award(issuer, challenge, [winner.id])
    assert challenge.stage == "awarded" and winner.status == "awarded" and runner_up.status == "not_selected"

    agreement = delivery.draft_agreement(issuer, winner, agreement_data(funding="300", tranches=("180", "120")))
    delivery.sign_agreement(issuer, agreement, date.today(), date.today())  # 签约 / 军令状
    assert agreement.first_tranche_share == Decimal("60.00")
    services.start_delivery(issuer, challenge)
    assert challenge.stage == "in_delivery"

    for milestone in agreement.milestones:  # 里程碑: evidence, acceptance, tranche paid
        delivery.submit_evidence(leads[0], milestone, f"{milestone.deliverable}：检测报告")
        delivery.accept_milestone(issuer, milestone)
        delivery.record_payment(issuer, milestone, milestone.tranche, date.today())
    assert delivery.challenge_paid_total(challenge) == Decimal("300")

    results = [{"met": True, "measured": "1.2×10⁻³ S/cm", "evidence": "第三方检测"},
               {"met": True, "measured": "1200 次", "evidence": "循环测试报告"}]
    services.conclude(issuer, challenge, "accept", results, reward_paid=Decimal("300"))  # 验收
    db.session.commit()
    assert challenge.stage == "accepted" and all(row["met"] for row in challenge.acceptance)

    actions = set(db.session.execute(db.select(AuditEvent.action)).scalars())
    assert {"challenge.close_applications", "challenge_application.submit", "challenge_review.score",
            "challenge.award", "challenge_agreement.sign", "challenge.start_delivery",
            "challenge_milestone.submit_evidence", "challenge_milestone.accept_milestone",
            "challenge_milestone.record_payment", "challenge.accept"} <= actions
